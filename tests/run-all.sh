#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Every test suite CI runs: installs what it needs (Debian 12, as root),
# builds, then runs the unit, traffic and e2e suites with meson. The perf
# suite is separate (tests/perf/run). Ends with "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash tests/deps.sh || exit 1
bash tests/build.sh || exit 1
meson test -C build --suite unit --suite traffic --suite e2e --print-errorlogs \
	--num-processes 2
rc=$?
/usr/bin/python3 - build/meson-logs/testlog.json <<'PY'
import json, sys
ok = bad = 0
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r["result"] in ("OK", "EXPECTEDFAIL"):
        ok += 1
    elif r["result"] != "SKIP":
        bad += 1
        print("failed: %s (%s)" % (r["name"], r["result"]))
print("%d passed, %d failed" % (ok, bad))
PY
exit $rc
