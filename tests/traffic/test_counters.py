#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Every counter in all three outputs of a running daemon (issue 14, item 1).

dsrlb-counters lists each counter of lib/stats's tables with where it
appears: its `show stats` row and key, its Prometheus family (and label),
its DPDK telemetry command and key. The daemon runs on net_pcap with
telemetry on and forwards a few flows; then `dsrlbctl --json show stats`,
`dsrlbctl show stats --prometheus` and dpdk-telemetry.py must each show
every counter where the list says, with the same value in each output
where they count the same thing (all but the per-worker loop counters,
which move while the test reads them).

The configuration also has an IPv6 port address, VIP and backend (issue
17): each output must name them in IPv6's text ([fd00::100]:80/tcp,
fd00::21), and `show ports`, `show config`, `show nd` and `show
conflicts` must answer; its IPv6 table has its own size (`conntrack
size6`), which `show workers` must report as the worker's capacity6.

usage: test_counters.py DSRLB DSRLBCTL DSRLB-COUNTERS
"""

import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from scapy.all import Ether, IP, TCP, wrpcap  # noqa: E402

import fixtures as fx  # noqa: E402

TELEMETRY = "/usr/bin/dpdk-telemetry.py"
SAMPLE = re.compile(r"^(?P<family>[a-zA-Z_:][a-zA-Z0-9_:]*)\{(?P<labels>.*)\} (?P<value>\S+)$")


def frames():
    pkts = []
    for sp in range(3):
        for flags in ("S", "A", "PA"):
            pkts.append(fx.tcp(flags, sport=41000 + sp, dst=fx.VIP_B, dport=443,
                               payload=b"y" * sp if flags == "PA" else b""))
    pkts.append(fx.tcp("S", dst="10.0.0.99"))  # not a VIP
    pkts.append(Ether(src=fx.CLIENT_MAC, dst=fx.LB_MAC) / IP(dst=fx.VIP_A, ttl=1) / TCP(dport=80))
    return pkts


def run(cmd, stdin=None):
    return subprocess.run(cmd, input=stdin, capture_output=True, text=True, timeout=30,
                          check=True).stdout


def telemetry(prefix, cmds):
    """The replies of dpdk-telemetry.py to cmds: {command without params: reply}."""
    out = run(["/usr/bin/python3", TELEMETRY, "-f", prefix], "\n".join(cmds) + "\n")
    replies = {}
    for line in out.splitlines():
        line = line.strip()
        if line.startswith("{"):
            replies.update(json.loads(line))
    return replies


def show_rows(ctl, sock):
    rows = json.loads(run([ctl, "-s", sock, "--json", "show", "stats"]))["rows"]
    return {r["kind"]: r for r in rows}


def prometheus(ctl, sock):
    types, samples = {}, {}
    for line in run([ctl, "-s", sock, "show", "stats", "--prometheus"]).splitlines():
        if line.startswith("# TYPE "):
            _, _, family, typ = line.split(" ", 3)
            types[family] = typ
            continue
        m = SAMPLE.match(line)
        if m:
            samples.setdefault(m.group("family"), {})[m.group("labels")] = float(m.group("value"))
    return types, samples


# The IPv6 part of the configuration, and how each output must name it.
CONF6 = """\
conntrack size6 3000
port 0 address fd00::2/64
vip add [fd00::100]:80/tcp
backend add [fd00::100]:80/tcp fd00::21 mac 02:00:00:00:d1:01 weight 100
"""
VIP6, BACKEND6 = "[fd00::100]:80/tcp", "fd00::21"


def check_ipv6(ctl, sock, rows, samples, tel):
    """The errors in how the outputs show the IPv6 VIP, backend and port address."""
    errors = []
    for kind in ("vip " + VIP6, "backend %s %s" % (VIP6, BACKEND6)):
        if kind not in rows:
            errors.append("IPv6: no row '%s' in show stats: %s" % (kind, sorted(rows)))
    label = 'vip="%s",backend="%s"' % (VIP6, BACKEND6)
    for family in ("dsrlb_backend_up", "dsrlb_backend_health"):
        if label not in samples.get(family, {}):
            errors.append("IPv6: no %s{%s} in Prometheus: %s"
                          % (family, label, sorted(samples.get(family, {}))))
    if 'vip="%s"' % VIP6 not in samples.get("dsrlb_vip_panics_total", {}):
        errors.append("IPv6: no dsrlb_vip_panics_total{vip=\"%s\"}" % VIP6)
    if "_fd00__100__80/tcp" not in (tel.get("/dsrlb/vips") or {}):
        errors.append("IPv6: no VIP _fd00__100__80/tcp in telemetry: %s" % tel.get("/dsrlb/vips"))
    out = json.loads(run([ctl, "-s", sock, "--json", "show", "backends"]))["rows"]
    be = [r for r in out if r["kind"] == "backend %s %s" % (VIP6, BACKEND6)]
    if len(be) != 1 or be[0].get("mac") != "02:00:00:00:d1:01" or be[0].get("arp") != "static":
        errors.append("IPv6: show backends: %s" % out)
    ports = json.loads(run([ctl, "-s", sock, "--json", "show", "ports"]))["rows"]
    if not ports or ports[0].get("address6") != "fd00::2/64":
        errors.append("IPv6: show ports has no address6 fd00::2/64: %s" % ports)
    conf = run([ctl, "-s", sock, "show", "config"])
    for line in CONF6.splitlines():
        if line not in conf.splitlines():
            errors.append("IPv6: '%s' not in show config:\n%s" % (line, conf))
    workers = json.loads(run([ctl, "-s", sock, "--json", "show", "workers"]))["rows"]
    if [(w.get("capacity"), w.get("capacity6")) for w in workers] != [(4096, 3000)]:
        errors.append("IPv6: show workers: want capacity 4096, capacity6 3000 (conntrack "
                      "size 4096, size6 3000): %s" % workers)
    for cmd in (["show", "nd"], ["show", "conflicts"], ["show", "conns", VIP6]):
        p = subprocess.run([ctl, "-s", sock] + cmd, capture_output=True, text=True, timeout=30)
        if p.returncode != 0:
            errors.append("IPv6: %s: %s" % (" ".join(cmd), p.stderr.strip()))
    return errors


def row_kinds(rows, row):
    """The `show stats` rows a counter's row names: "total", "port" (port 0), ..."""
    if row in rows:
        return [row]
    return [k for k in rows if k.startswith(row + " ")]


def compare(counters, rows, types, samples, tel):
    """Each counter in show stats, Prometheus and telemetry: (errors, how many)."""
    errors = []
    checked = 0
    for field, row, key, family, label, tel_cmd, tel_key in counters:
        label = "" if label == "-" else label
        values = {}
        kinds = row_kinds(rows, row)
        if not kinds or any(key not in rows[k] for k in kinds):
            errors.append("%s: not in show stats (row %s, key %s)" % (field, row, key))
        else:
            values["show stats"] = sum(rows[k][key] for k in kinds)
        fam = samples.get(family, {})
        hits = [v for lb, v in fam.items() if label == "" or lb == label or
                lb.startswith(label + ",")]
        if family not in types or not hits:
            errors.append("%s: not in Prometheus (%s{%s})" % (field, family, label))
        else:
            values["Prometheus"] = sum(hits)
        if tel_cmd != "-":
            reply = tel.get(tel_cmd) or {}
            if tel_key == "-":  # keyed by VIP: all VIPs' sum
                if reply and all(k.endswith(("/tcp", "/udp")) for k in reply):
                    values["telemetry"] = sum(reply.values())
                else:
                    errors.append("%s: not in telemetry %s: %s" % (field, tel_cmd, reply))
            elif tel_key not in reply:
                errors.append("%s: not in telemetry (%s key %s)" % (field, tel_cmd, tel_key))
            else:
                values["telemetry"] = reply[tel_key]
        elif not field.startswith(("vip[]", "backend[]")):
            errors.append("%s: has no telemetry key" % field)
        if row != "worker" and len(set(values.values())) > 1:
            errors.append("%s: the outputs differ: %s" % (field, values))
        checked += 1
    return errors, checked


def main():
    dsrlb, ctl, lister = sys.argv[1:4]
    counters = [line.split("\t") for line in run([lister]).splitlines()]
    errors = []
    prefix = "dsrctr%d" % os.getpid()
    pkts = frames()
    with tempfile.TemporaryDirectory(prefix="dsrlb-ctr-") as tmp:
        conf, inp = os.path.join(tmp, "lb.conf"), os.path.join(tmp, "in.pcap")
        sock, err = os.path.join(tmp, "ctl.sock"), os.path.join(tmp, "err")
        with open(conf, "w") as f:
            f.write(fx.BASE_CONF + CONF6)
        wrpcap(inp, pkts)
        with open(err, "w") as se:
            proc = subprocess.Popen(
                [dsrlb, "--no-huge", "-m", "256", "--no-pci", "--file-prefix", prefix,
                 "-l", "0,1", "--vdev",
                 "net_pcap0,rx_pcap=%s,tx_pcap=%s" % (inp, os.path.join(tmp, "out.pcap")),
                 "--log-level", "lib.*:warning", "--", "-f", conf, "--socket", sock],
                stdout=subprocess.DEVNULL, stderr=se)
        try:
            # Up, all frames in, and telemetry's snapshot (once a second) taken after them.
            tel = {}
            deadline = time.time() + 20
            while time.time() < deadline:
                time.sleep(0.3)
                if proc.poll() is not None or not os.path.exists(sock):
                    continue
                tel = telemetry(prefix, ["/dsrlb/stats"])
                if (tel.get("/dsrlb/stats") or {}).get("rx_pkts") == len(pkts):
                    break
            else:
                with open(err) as f:
                    raise RuntimeError("the daemon did not count %d frames in telemetry:\n%s"
                                       % (len(pkts), f.read()))
            # The daemon sends on its own for a few seconds after the start
            # (announcements, DAD), and telemetry's snapshot lags the others
            # by up to a second: read all three again until they agree.
            cmds = sorted({c[5] for c in counters if c[5] != "-"})
            for _ in range(10):
                rows = show_rows(ctl, sock)
                types, samples = prometheus(ctl, sock)
                tel = telemetry(prefix, [c + ",0" if c == "/dsrlb/port" else c for c in cmds])
                found, checked = compare(counters, rows, types, samples, tel)
                if not any("the outputs differ" in e for e in found):
                    break
                time.sleep(1.1)
            errors += check_ipv6(ctl, sock, rows, samples, tel)
            errors += found
        finally:
            proc.terminate()
            rc = proc.wait(timeout=20)
        if rc != 0:
            with open(err) as f:
                errors.append("the daemon exited %d:\n%s" % (rc, f.read()[-2000:]))

    if checked == 0 or rows.get("total", {}).get("rx-pkts") != len(pkts):
        errors.append("nothing checked, or the daemon saw the wrong traffic: %s" %
                      rows.get("total"))
    print("%d counters: each in show stats, Prometheus and telemetry (VIPs' and backends' "
          "flow counters: telemetry has only a VIP's pkts)" % checked)
    for e in errors:
        print("FAIL " + e)
    print("%d passed, %d failed" % (0 if errors else checked, len(errors)))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
