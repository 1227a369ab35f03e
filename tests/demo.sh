#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The demo: installs what it needs (Debian 12, as root), builds dsrlb,
# and runs it on a built-in topology of network namespaces: a client and
# two backends running real HTTP servers. Twenty curl requests go to the
# VIP; each prints the backend that served it. Then one paced download
# shows that every packet of a flow goes to the same backend, and the
# daemon's counters (dsrlbctl show stats) show what it forwarded. Replies
# go from the backends straight to the client (direct server return):
# dsrlb never sees them.
#
# DEMO_NO_SETUP=1 skips the install and build steps (tests/e2e/test_demo.sh).
# Exits non-zero when a step fails; every failure is a line with FAILED.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${DEMO_NO_SETUP:-}" ]; then
	bash tests/deps.sh
	bash tests/build.sh >/dev/null
fi
. tests/e2e/rig.sh
trap rig_down EXIT

failed=0
fail() {
	echo "   FAILED: $*"
	failed=$((failed + 1))
}

echo "== topology: client 10.0.0.10, dsrlb (DPDK on net_af_packet), backends b1 10.0.0.21 and b2 10.0.0.22"
rig_up
# No static ARP anywhere: dsrlb answers the client's ARP for the VIP and
# resolves the backends' MACs itself.
rig_conf --arp >"$RIG_DIR/lb.conf"
echo "== config:"
sed 's/^/   /' "$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf"
resolved=
for i in $(seq 50); do
	if [ "$(rig_ctl show arp | grep -c 'state reachable')" = 2 ]; then
		resolved=1
		break
	fi
	sleep 0.1
done
[ -n "$resolved" ] || fail "dsrlb did not resolve both backends' MACs by ARP in 5 s"
echo "== dsrlb's log:"
grep -v "^EAL\|^TELEMETRY" "$RIG_DIR/lb.err" | sed 's/^/   /'

echo "== 20 requests to http://$VIP/ (each a new connection; Maglev picks the backend)"
for i in $(seq 20); do
	who=$(ns cl curl -s --max-time 3 --local-port $((40000 + i)) "http://$VIP/") ||
		who="FAILED (curl exit $?)"
	printf "   request %2d (client port %s) served by %s\n" "$i" "$((40000 + i))" "$who"
	case $who in b1 | b2) ;; *) failed=$((failed + 1)) ;; esac
done

# backend_pkts IP: the packets dsrlb has forwarded to backend IP so far.
backend_pkts() {
	rig_ctl show stats backends | sed -n "s/^backend [^ ]* $1: pkts \([0-9]*\) .*/\1/p"
}

# Each backend serves its own random 1 MiB file (rig.sh), so the bytes
# tell who sent them. The backends' replies are paced to 8 Mbit/s (tc
# tbf) so that the download lasts about a second.
for h in b1 b2; do
	ns "$h" tc qdisc add dev eth0 root tbf rate 8mbit burst 16kb latency 2s
done
echo "== one flow, one backend: a 1 MiB download from client port 41000, paced to about 1 s"
ns cl curl -s --max-time 20 --local-port 41000 -o "$RIG_DIR/blob" \
	-w '%{http_code} %{size_download}\n' "http://$VIP/blob" >"$RIG_DIR/curl.out" 2>&1 &
curl_pid=$!
b1_before=$(backend_pkts 10.0.0.21)
b2_before=$(backend_pkts 10.0.0.22)
sleep 0.4
echo "   while it runs, dsrlbctl show conns shows its entry:"
conn=$(rig_ctl show conns | grep "client 10.0.0.10:41000 " || true)
if [ -n "$conn" ]; then
	echo "   $conn"
else
	fail "no connection entry for client port 41000"
fi
wait "$curl_pid" || true
b1_pkts=$(($(backend_pkts 10.0.0.21) - b1_before))
b2_pkts=$(($(backend_pkts 10.0.0.22) - b2_before))
read -r code size <"$RIG_DIR/curl.out" || true
backend=$(sed -n 's/.* backend \(10\.0\.0\.2[12]\) .*/\1/p' <<<"$conn")
host=
case $backend in 10.0.0.21) host=b1 ;; 10.0.0.22) host=b2 ;; esac
if [ "${code:-}" = 200 ] && [ -n "$host" ] && cmp -s "$RIG_DIR/blob" "$RIG_DIR/$host/blob"; then
	echo "   download done: HTTP $code, $size bytes, identical to $host's file"
	echo "   the client's packets of it that dsrlb forwarded: $b1_pkts to b1, $b2_pkts to b2"
	if { [ "$host" = b1 ] && [ "$b1_pkts" -gt 0 ] && [ "$b2_pkts" = 0 ]; } ||
		{ [ "$host" = b2 ] && [ "$b2_pkts" -gt 0 ] && [ "$b1_pkts" = 0 ]; }; then
		echo "   every packet of the flow went to $host"
	else
		fail "the flow's packets went to both backends"
	fi
else
	fail "download: HTTP ${code:-none}, ${size:-0} bytes, entry's backend '${backend:-none}'"
fi

echo "== dsrlb counters (dsrlbctl show stats; counters at zero left out):"
# Rows are "KIND NAME: key value key value ...": drop the counters whose
# value is 0 (not ids such as port 0), and drop and event rows left empty.
rig_ctl show stats | awk '{
	i = index($0, ": ")
	if (i == 0) { print "   " $0; next }
	n = split(substr($0, i + 2), w, " ")
	line = substr($0, 1, i)
	kept = 0
	for (k = 1; k + 1 <= n; k += 2)
		if ((w[k + 1] != "0" && w[k + 1] != "0.00") || w[k] ~ /^(port|worker|lcore)$/) {
			line = line " " w[k] " " w[k + 1]
			kept++
		}
	if (kept > 0 || ($1 != "event" && $1 != "drop"))
		print "   " line
}'
if [ "$failed" != 0 ]; then
	echo "== $failed step(s) FAILED; dsrlb's log is above, its stderr is in $RIG_DIR/lb.err"
	KEEP_RIG_DIR=1
	exit 1
fi
echo "== done: every request was served. The demo now removes its namespaces;"
echo "   docs/operations.md says how to run dsrlb on a real NIC."
