#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Test verdicts for the shell tests: source it, then `check DESCRIPTION
# COMMAND...` runs the command and prints "ok   ..." or "FAIL ...";
# check_summary prints the "N passed, N failed" line and returns non-zero
# on any failure.
passes=0
failures=0
check() {
	local what=$1
	shift
	if "$@"; then
		passes=$((passes + 1))
		echo "ok   $what"
	else
		failures=$((failures + 1))
		echo "FAIL $what"
	fi
}

check_summary() {
	echo "$passes passed, $failures failed"
	[ "$failures" = 0 ]
}
