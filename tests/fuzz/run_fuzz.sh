#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# run_fuzz.sh FUZZER [-flag=value ...] WORKDIR SEEDDIR [MOREDIR ...]
#
# Runs a libFuzzer target as `FUZZER FLAGS WORKDIR SEEDDIR MOREDIR...`
# after making WORKDIR afresh as a copy of SEEDDIR: libFuzzer writes the
# inputs it finds to the first directory, and that must never be the
# source tree. A MOREDIR that does not exist (a target without regression
# inputs yet) is left out. The directory of an -artifact_prefix= is created.
set -euo pipefail
exe=$1
shift
work="" seeds=""
args=()
for a in "$@"; do
	case "$a" in
	-artifact_prefix=*)
		mkdir -p "$(dirname "${a#-artifact_prefix=}")"
		;;
	-*) ;;
	*)
		if [ -z "$work" ]; then
			work=$a
		elif [ -z "$seeds" ]; then
			seeds=$a
		elif [ ! -d "$a" ]; then
			continue
		fi
		;;
	esac
	args+=("$a")
done
if [ -z "$work" ] || [ -z "$seeds" ]; then
	echo "usage: $0 FUZZER [FLAGS] WORKDIR SEEDDIR [MOREDIR...]" >&2
	exit 2
fi
rm -rf "$work"
mkdir -p "$work"
cp -- "$seeds"/* "$work"/ 2>/dev/null || true
exec "$exe" "${args[@]}"
