#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run the traffic fixtures through dsrlb-runner and check every byte.

usage: run_fixtures.py RUNNER [CASE...]
"""

import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pylib"))

from scapy.all import Ether, PcapReader, PcapWriter, Raw  # noqa: E402

import dsrtest  # noqa: E402
import fixtures  # noqa: E402
import fixtures_arp  # noqa: E402
import fixtures_health  # noqa: E402
import fixtures_health6  # noqa: E402
import fixtures_icmp  # noqa: E402
import fixtures_ipv6  # noqa: E402

T0 = 1700000000


def expected_frames(pkt, expect):
    """The frames a step must produce: none (None), the input forwarded
    to a backend (its name, or its MAC), or exactly the given packets (a list)."""
    if expect is None:
        return []
    if isinstance(expect, list):
        return sorted(bytes(p) for p in expect)
    raw = bytes(pkt)
    dst = bytes.fromhex(fixtures.BACKENDS.get(expect, expect).replace(":", ""))
    src = bytes.fromhex(fixtures.LB_MAC.replace(":", ""))
    return [dst + src + raw[12:]]


def show(label, raw):
    if raw is None:
        return "  %s: (nothing)\n" % label
    p = Ether(raw)
    return "  %s: %s\n    scapy: %s\n    hex: %s\n" % (label, p.summary(), p.command(), raw.hex())


def run_case(runner, case, tmp):
    conf = os.path.join(tmp, case.name + ".conf")
    inp = os.path.join(tmp, case.name + ".in.pcap")
    outp = os.path.join(tmp, case.name + ".out.pcap")
    with open(conf, "w") as f:
        f.write(case.conf)
    # Each step gets its own timestamp (plus i microseconds, so that two
    # steps at the same second stay apart) to map outputs back to inputs.
    stamps = []
    with PcapWriter(inp, linktype=1, sync=True) as w:
        for i, (t, pkt, _) in enumerate(case.steps):
            ts = T0 + t + i * 1e-6
            raw = bytes(pkt)
            p = Raw(raw)  # the bytes as they are: no dissection, which is slow
            p.time = ts
            w.write(p)
            stamps.append(round(ts * 1e6))
    cmd = [runner, "-c", conf, "-i", inp, "-o", outp, "-m", fixtures.LB_MAC]
    for ms, line in case.live:
        cmd += ["-e", "%d:%s" % (ms, line)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    errors = []
    if res.returncode != 0:
        return ["runner exited %d:\n%s%s" % (res.returncode, res.stdout, res.stderr)]
    outputs = {}
    with PcapReader(outp) as r:
        for p in r:
            outputs.setdefault(round(float(p.time) * 1e6), []).append(bytes(p))
    by_stamp = dict(zip(stamps, range(len(stamps))))
    for key in outputs:
        if key not in by_stamp:
            errors.append("output with unknown timestamp %d" % key)
    for i, (t, pkt, expect) in enumerate(case.steps):
        want = expected_frames(pkt, expect)
        got = sorted(outputs.get(stamps[i], []))
        if want != got:
            why = (dsrtest.hexdiff(want[0], got[0]) if len(want) == len(got) == 1 else
                   "expected %d frames, got %d" % (len(want), len(got)))
            text = "".join(show("expected", w) for w in want) or show("expected", None)
            text += "".join(show("actual", g) for g in got) or show("actual", None)
            errors.append("step %d (t=%s): %s\n%s%s" % (i, t, why, show("input", bytes(pkt)),
                                                       text))
    counters = dsrtest.parse_summary(res.stdout)
    for key, want in case.counters.items():
        got = counters.get(key)
        ok = want(got, counters) if callable(want) else got == want
        if not ok:
            errors.append("counter '%s': expected %s, got %s" % (
                key, "a value passing the check" if callable(want) else want, got))
    for line, want in case.logs.items():
        got = res.stderr.splitlines().count(line)
        if got != want:
            errors.append("log line '%s': expected %d times, got %d" % (line, want, got))
    if errors:
        errors.append("runner output:\n" + res.stdout + res.stderr)
    return errors


def main():
    runner = sys.argv[1]
    only = set(sys.argv[2:])
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="dsrlb-traffic-") as tmp:
        for case in (fixtures.CASES + fixtures_arp.CASES + fixtures_health.CASES +
                     fixtures_health6.CASES + fixtures_icmp.CASES + fixtures_ipv6.CASES):
            if only and case.name not in only:
                continue
            errors = run_case(runner, case, tmp)
            if errors:
                failed += 1
                print("FAIL %s: %s" % (case.name, case.doc))
                for e in errors:
                    print("  " + e.replace("\n", "\n  "))
            else:
                passed += 1
                print("ok   %s: %s" % (case.name, case.doc))
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
