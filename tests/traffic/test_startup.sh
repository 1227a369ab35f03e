#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Start-up errors: each must stop dsrlb with exit status 1 and one clear
# line, never a crash or a hang.
#
# usage: test_startup.sh DSRLB
set -u
DSRLB=$1
T=$(mktemp -d /tmp/dsrlb-startup.XXXXXX)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
EAL=(--no-huge -m 256 --no-shconf --no-telemetry --no-pci --log-level=lib.*:error)
cat >"$T/good.conf" <<'CONF'
port 0 address 10.0.0.2/24
conntrack size 4096
vip add 10.0.0.100:80/tcp
backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01
CONF
printf 'vip add 10.0.0.100:80/tcp\n# comment\nbackend add 10.0.0.100:80/tcp 10.0.0.300\n' >"$T/bad.conf"
printf 'port 1 address 10.0.1.2/24\n' >"$T/port1.conf"
: >"$T/in.pcap.tmp"
/usr/bin/python3 -c 'from scapy.all import wrpcap, Ether; wrpcap("'"$T"'/in.pcap", [Ether()])'
PCAP="net_pcap0,rx_pcap=$T/in.pcap,tx_pcap=$T/out.pcap"

expect() { # name, expected text, command...
	local name=$1 want=$2
	shift 2
	out=$(timeout 30 "$@" 2>&1)
	rc=$?
	if [ "$rc" = 1 ] && grep -qF -- "$want" <<<"$out"; then
		pass=$((pass + 1))
		echo "ok   $name: $(grep -F -- "$want" <<<"$out" | head -1)"
	else
		fail=$((fail + 1))
		echo "FAIL $name: exit $rc, expected a line with '$want', got:"
		sed 's/^/     /' <<<"$out"
	fi
}

expect "bad config line" "$T/bad.conf:3: bad IPv4 address '10.0.0.300'" \
	"$DSRLB" "${EAL[@]}" -l 0,1 --vdev "$PCAP" -- -f "$T/bad.conf"
expect "missing config" "$T/none.conf: No such file or directory" \
	"$DSRLB" "${EAL[@]}" -l 0,1 --vdev "$PCAP" -- -f "$T/none.conf"
expect "no -f" "no config file: give -f FILE" \
	"$DSRLB" "${EAL[@]}" -l 0,1 --vdev "$PCAP" --
expect "bad option" "unexpected argument 'extra'" \
	"$DSRLB" "${EAL[@]}" -l 0,1 --vdev "$PCAP" -- -f "$T/good.conf" extra
expect "no port" "no DPDK port" \
	"$DSRLB" "${EAL[@]}" -l 0,1 -- -f "$T/good.conf" -s "$T/ctl.sock"
expect "no worker lcore" "no worker lcore: give at least two lcores" \
	"$DSRLB" "${EAL[@]}" -l 0 --vdev "$PCAP" -- -f "$T/good.conf" -s "$T/ctl.sock"
expect "config names a missing port" "the config gives port 1 an address, but there are only 1 ports" \
	"$DSRLB" "${EAL[@]}" -l 0,1 --vdev "$PCAP" -- -f "$T/port1.conf"
expect "too few TX queues" "2 worker lcores need one TX queue each, but it has 1" \
	"$DSRLB" "${EAL[@]}" --lcores '0@0,1@0,2@0' --vdev "$PCAP" -- -f "$T/good.conf" -s "$T/ctl.sock"
expect "no hugepages" "EAL initialisation failed" \
	"$DSRLB" --no-shconf --no-telemetry --no-pci --huge-dir "$T/nonexistent" -l 0,1 \
	--vdev "$PCAP" -- -f "$T/good.conf" -s "$T/ctl.sock"
# A file, not <(...): a config must be a regular file (test_config_guard.sh).
sed 's/conntrack size 4096/conntrack size 134217728/' "$T/good.conf" >"$T/big.conf"
expect "table too big for memory" "cannot allocate" \
	"$DSRLB" --no-huge -m 64 --no-shconf --no-telemetry --no-pci -l 0,1 --vdev "$PCAP" -- \
	-f "$T/big.conf" -s "$T/ctl.sock"
# The IPv6 table has its own size (conntrack size6), and its own message.
{ cat "$T/good.conf"; echo "conntrack size6 134217728"; } >"$T/big6.conf"
expect "IPv6 table too big for memory" \
	"IPv6 connection table (conntrack size6 134217728) on socket" \
	"$DSRLB" --no-huge -m 64 --no-shconf --no-telemetry --no-pci -l 0,1 --vdev "$PCAP" -- \
	-f "$T/big6.conf" -s "$T/ctl.sock"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
