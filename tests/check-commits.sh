#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Commit headlines of at most 72 characters (the detail goes in the body),
# checked for every commit after BASE, the last commit made before the
# rule (the history before it keeps its long headlines).
# usage: tests/check-commits.sh [BASE]
set -uo pipefail
cd "$(dirname "$0")/.."
base=${1:-3fe22fd7040f19c441b1207d95f21c26f38554d7}
max=72
if ! git rev-parse -q --verify "$base^{commit}" >/dev/null 2>&1; then
	# A shallow clone without BASE: check what there is of HEAD.
	echo "check-commits: $base is not in this clone; checking HEAD only"
	range=(-1 HEAD)
else
	range=("$base..HEAD")
fi
bad=$(git log --format='%H %s' "${range[@]}" |
	awk -v max="$max" '{ s = substr($0, 42); if (length(s) > max) print substr($1, 1, 10), s }')
if [ -n "$bad" ]; then
	echo "check-commits: headlines longer than $max characters (put the detail in the body):"
	echo "$bad"
	exit 1
fi
echo "check-commits: $(git rev-list --count "${range[@]}") commits, every headline at most $max characters"
