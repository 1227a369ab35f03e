#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The README's demo (tests/demo.sh) on its own topology, as a newcomer
# runs it (without its install and build steps): it must exit 0, print no
# line that looks like an error, serve every request, show the paced
# download going to one backend, and print the counters once.
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp /tmp/dsrlb-demo.XXXXXX)
trap 'rm -f "$out"' EXIT
. "$(dirname "$0")/../check.sh"

DEMO_NO_SETUP=1 timeout 120 bash "$top/tests/demo.sh" >"$out" 2>&1
rc=$?
check "the demo exits 0 (exit $rc)" test "$rc" = 0
check "no line says FAILED, ERR, ERROR or WARNING" \
	bash -c '! grep -E "FAILED|ERR|WARNING|[Ee]rror" "$1"' - "$out"
check "20 requests, each served by b1 or b2" \
	test "$(grep -cE '^   request +[0-9]+ \(client port [0-9]+\) served by b[12]$' "$out")" = 20
check "both backends served some of them" \
	bash -c 'grep -q "served by b1$" "$1" && grep -q "served by b2$" "$1"' - "$out"
check "the download's entry is shown while it runs" \
	grep -qE '^   conn: .*client 10\.0\.0\.10:41000 .*state established' "$out"
check "the download arrives whole and goes to one backend" \
	grep -qE '^   every packet of the flow went to b[12]$' "$out"
check "the counters are printed once" test "$(grep -c '^   stats: ' "$out")" = 1
check "the counters show 21 new connections" \
	grep -qE '^   vip 10\.0\.0\.100:80/tcp: .* new-conns 21 ' "$out"
if [ "$failures" != 0 ]; then
	echo "--- the demo's output"
	cat "$out"
fi
check_summary
