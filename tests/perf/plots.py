# SPDX-License-Identifier: BSD-3-Clause
"""The PNG plots of docs/performance.md (matplotlib), from bench.py's results."""

import os

GOAL_CONNS = 3e6


def churn_rows(res):
    return [r for r in res["cases"] if r["name"].startswith("churn")]


def plots(res, outdir):
    """Write the PNGs; returns {name: file name} of those written."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("report: no matplotlib (python3-matplotlib): no plots")
        return {}
    done = {}

    def save(fig, name):
        path = os.path.join(outdir, name)
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        plt.close(fig)
        done[name] = name

    # Mpps against flows (TCP forwarding).
    rows = sorted([r for r in res["cases"] if r["name"] == "fwd"], key=lambda r: r["flows"])
    if rows:
        fig, ax = plt.subplots(figsize=(7, 4.2))
        x = [r["flows"] for r in rows]
        tp_line, = ax.plot(x, [r["tp"] / 1e6 for r in rows], "o-", label="dpdk-testpmd macswap")
        l3 = [r for r in rows if r.get("l3")]
        if l3:
            ax.plot([r["flows"] for r in l3], [r["l3"] / 1e6 for r in l3], "^-",
                    label="DPDK l3fwd -E (exact match)")
        lb_line, = ax.plot(x, [r["lb"] / 1e6 for r in rows], "s-", label="dsrlb")
        # IPv6 (fwd6): the same peers dashed, on the IPv6 pcaps.
        v6 = sorted([r for r in res["cases"] if r["name"] == "fwd6"], key=lambda r: r["flows"])
        if v6:
            x6 = [r["flows"] for r in v6]
            ax.plot(x6, [r["tp"] / 1e6 for r in v6], "o--", color=tp_line.get_color(),
                    alpha=0.6, label="dpdk-testpmd macswap, IPv6 pcap")
            ax.plot(x6, [r["lb"] / 1e6 for r in v6], "s--", color=lb_line.get_color(),
                    alpha=0.6, label="dsrlb, IPv6")
        for r in rows + v6:
            ax.annotate("%.2fx" % (r["lb"] / r["tp"]) + (
                " / %.2fx" % (r["lb"] / r["l3"]) if r.get("l3") else ""),
                (r["flows"], r["lb"] / 1e6), textcoords="offset points", xytext=(0, -14),
                ha="center", fontsize=8)
        ax.set_xscale("log")
        ax.set_xlabel("established flows in the table")
        ax.set_ylabel("Mpps, one core")
        ax.set_ylim(bottom=0)
        ax.grid(True, alpha=0.3)
        ax.legend()
        ax.set_title("Forwarding, one core (ratios dsrlb / testpmd%s)" % (
            " / l3fwd" if l3 else ""))
        save(fig, "perf-fwd.png")

    rows = churn_rows(res)
    if rows:
        fig, ax = plt.subplots(figsize=(7, 4.2))
        names = [r["label"] for r in rows]
        ax.bar(names, [r["conns_per_s"] / 1e6 for r in rows], color="tab:blue",
               label="connections handled (SYN, ACK, FIN+ACK)")
        ax.bar(names, [r["ct_new"] / 1e6 for r in rows], width=0.4, color="tab:orange",
               label="of which got a table entry")
        for y, lab in ((GOAL_CONNS / 1e6, "goal 3M/s"), (0.2, "DPVS 200k/s"),
                       (0.125, "Katran insert cap 125k/s")):
            ax.axhline(y, ls="--", lw=1, color="gray")
            ax.text(len(names) - 0.5, y, lab, ha="right", va="bottom", fontsize=8)
        ax.set_ylabel("million new connections / s, one core")
        ax.legend(loc="center right", fontsize=8)
        ax.set_title("New connections per second")
        save(fig, "perf-conns.png")

    if res["cycles"]:
        fig, ax = plt.subplots(figsize=(7, 4.2))
        names = list(res["cycles"])
        bottom = [0.0] * len(names)
        for st in ("rx", "parse", "table", "tx", "other"):
            vals = [res["cycles"][n]["cycles"].get(st, 0.0) if st != "other" else
                    max(0.0, res["cycles"][n]["wall_cycles"] - res["cycles"][n]["cycles"]
                        ["accounted"]) for n in names]
            ax.bar(names, vals, bottom=bottom, label=st if st != "other" else
                   "loop, not in a stage")
            bottom = [b + v for b, v in zip(bottom, vals)]
        ax.set_ylabel("cycles per packet")
        ax.tick_params(axis="x", labelsize=7)
        ax.legend(fontsize=8)
        ax.set_title("Cycles per packet by stage (--record-cycles)")
        save(fig, "perf-cycles.png")

    rig = res.get("rig")
    if rig and "summary" in rig:
        s = rig["summary"]
        fig, axes = plt.subplots(1, 3, figsize=(10, 3.8))
        paths = [p for p in ("direct", "dsrlb", "haproxy") if "%s small" % p in s]
        axes[0].bar(paths, [s["%s small" % p]["conns_per_s"] for p in paths],
                    color=["gray", "tab:blue", "tab:red"][:len(paths)])
        axes[0].set_title("connections/s (3-byte page)")
        axes[1].bar(paths, [s["%s 1mb" % p]["bytes_per_s"] / 2**20 for p in paths
                            if "%s 1mb" % p in s],
                    color=["gray", "tab:blue", "tab:red"][:len(paths)])
        axes[1].set_title("MiB/s (1 MiB files)")
        bal = [p for p in paths if p != "direct"]
        xs = list(range(len(bal)))
        axes[2].bar([x - 0.2 for x in xs], [s["%s small" % p]["cpu_ms_per_kconn"] for p in bal],
                    width=0.4, color="tab:purple", label="counted")
        axes[2].bar([x + 0.2 for x in xs], [s["%s small" % p]["oncpu_ms_per_kconn"]
                                            for p in bal],
                    width=0.4, color="tab:green", label="on-CPU estimate")
        axes[2].set_xticks(xs)
        axes[2].set_xticklabels(bal)
        axes[2].legend(fontsize=8)
        axes[2].set_title("balancer CPU ms / 1000 conns")
        for a in axes:
            a.grid(True, axis="y", alpha=0.3)
        fig.suptitle("Real TCP in the namespace rig (wrk, nginx)")
        save(fig, "perf-rig.png")
    return done
