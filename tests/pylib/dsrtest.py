# SPDX-License-Identifier: BSD-3-Clause
"""Shared test tooling: parse dsrlb's counters summary, compare frames."""

import re

# The scope ends at the first ": " (a service such as 10.0.0.1:80/tcp has no space after its colon).
LINE = re.compile(r"^(?P<scope>.+?): (?P<rest>.*)$")


def parse_summary(text):
    """Parse the last counters summary in text.

    Each line is "SCOPE: key value key value ...". Returns a dict keyed by
    "SCOPE key" (e.g. "drop not-vip count", "vip 10.0.0.100:80/tcp pkts")
    with int values where the value is a number.
    """
    blocks = text.split("stats: uptime-ms")
    if len(blocks) < 2:
        raise ValueError("no counters summary in output")
    out = {}
    for line in ("stats: uptime-ms" + blocks[-1]).splitlines():
        if line == "end":
            break
        m = LINE.match(line)
        if not m:
            continue
        words = m.group("rest").split()
        for k, v in zip(words[0::2], words[1::2]):
            out["%s %s" % (m.group("scope"), k)] = int(v) if v.isdigit() else v
    return out


def hexdiff(a, b):
    """Describe where two byte strings first differ."""
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return "first difference at byte %d: expected %02x, got %02x" % (i, a[i], b[i])
    if len(a) != len(b):
        return "lengths differ: expected %d, got %d" % (len(a), len(b))
    return "identical"
