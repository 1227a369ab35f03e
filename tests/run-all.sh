#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Every test suite CI runs: installs what it needs (Debian 12, as root),
# builds, then runs the unit, traffic, e2e and flood suites with meson.
# Then, in their own build directories (clang): the unit and traffic
# suites again with AddressSanitizer and UndefinedBehaviorSanitizer
# (build-asan), and each libFuzzer target for 60 s (build-fuzz; see
# docs/testing.md). The perf suite is separate (tests/perf/run). Ends with
# "N passed, N failed", counting the tests of every suite run here (and a
# build that fails as one failure).
set -uo pipefail
cd "$(dirname "$0")/.."
bash tests/deps.sh || exit 1
bash tests/build.sh || exit 1
rc=0
logs=()   # the meson test logs to count
broken=() # steps that failed before their tests could run

# run_suites DIR meson-test-args...: run, and remember the log (removed
# first, so that a run that never starts is not counted from an old log).
run_suites() {
	local dir=$1
	shift
	rm -f "$dir/meson-logs/testlog.json"
	meson test -C "$dir" --print-errorlogs --num-processes 2 "$@" || rc=1
	logs+=("$dir/meson-logs/testlog.json")
}

# setup_clang DIR OPTIONS...: configure DIR with clang once, or update its options.
setup_clang() {
	local dir=$1
	shift
	if [ -f "$dir/build.ninja" ]; then
		meson configure "$dir" "$@" >/dev/null
	else
		CC=clang meson setup "$dir" "$@" >/dev/null
	fi
}

run_suites build --suite unit --suite traffic --suite e2e --suite flood

# Sanitizers: DPDK itself is not instrumented; the tests already run EAL with --no-huge.
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
t0=$SECONDS
if setup_clang build-asan -Db_sanitize=address,undefined -Db_lundef=false &&
	ninja -C build-asan | tail -1; then
	run_suites build-asan --suite unit --suite traffic
else
	broken+=("build-asan (configure or build)")
	rc=1
fi
t1=$SECONDS

# Fuzzing: only the fuzz targets are built there.
if setup_clang build-fuzz -Db_sanitize=address,undefined -Db_lundef=false -Dfuzz=true \
	-Dfuzz_seconds=60 &&
	ninja -C build-fuzz tests/fuzz/fuzz_fwd tests/fuzz/fuzz_arp tests/fuzz/fuzz_cmd \
		tests/fuzz/fuzz_nd tests/fuzz/fuzz_pkt6 \
		tests/fuzz/fuzz_ctl | tail -1; then
	stamp=$(mktemp)
	run_suites build-fuzz --no-rebuild --suite fuzz
	found=$(find build-fuzz/tests/fuzz/artifacts -type f -newer "$stamp" 2>/dev/null)
	rm -f "$stamp"
	if [ -n "$found" ]; then
		echo "fuzz: inputs that failed (make them regressions, see docs/testing.md):"
		echo "$found"
	fi
else
	broken+=("build-fuzz (configure or build)")
	rc=1
fi
echo "sanitizers: $((t1 - t0)) s, fuzzing: $((SECONDS - t1)) s"

/usr/bin/python3 - "${logs[@]}" -- "${broken[@]}" <<'PY'
import json, os, sys
args = sys.argv[1:]
sep = args.index("--")
ok = bad = 0
for path in args[:sep]:
    where = os.path.dirname(os.path.dirname(path))
    if not os.path.exists(path):
        bad += 1
        print("failed: %s (no test log)" % where)
        continue
    for line in open(path):
        r = json.loads(line)
        if r["result"] in ("OK", "EXPECTEDFAIL"):
            ok += 1
        elif r["result"] != "SKIP":
            bad += 1
            print("failed: %s: %s (%s)" % (where, r["name"], r["result"]))
for step in args[sep + 1:]:
    bad += 1
    print("failed: %s" % step)
print("%d passed, %d failed" % (ok, bad))
PY
exit $rc
