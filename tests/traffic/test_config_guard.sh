#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# The daemon against a careless operator (issue 13, items 4, 6, 7, 8):
# - a config file that is a FIFO, a second 'port 0 address' line or a
#   broadcast backend MAC stops start-up with exit 1 and one clear line
#   (a FIFO used to hang start-up with no message);
# - an empty config starts, with a loud WARNING;
# - a SIGHUP of a file with no VIP is refused while VIPs run (they stay),
#   unless dsrlb was started with --allow-empty.
#
# usage: test_config_guard.sh DSRLB DSRLBCTL
set -u
DSRLB=$1
CTL=$2
T=$(mktemp -d /tmp/dsrlb-guard.XXXXXX)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
pass=0
fail=0
EAL=(--no-huge -m 256 --no-shconf --no-telemetry --no-pci --log-level=lib.*:error -l 0,1)
/usr/bin/python3 -c 'from scapy.all import wrpcap, Ether; wrpcap("'"$T"'/in.pcap", [Ether(dst="02:00:00:00:00:01")])'
pcap() { echo "net_pcap0,rx_pcap=$T/in.pcap,tx_pcap=$T/out-$1.pcap"; }
cat >"$T/good.conf" <<'CONF'
port 0 address 10.0.0.2/24
conntrack size 4096
vip add 10.0.0.100:80/tcp
vip add 10.0.0.101:80/tcp
backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01
CONF
printf 'port 0 address 10.0.0.2/24\nvip add 10.0.0.100:80/tcp\nport 0 address 10.0.0.3/24\n' \
	>"$T/dup-port.conf"
printf 'vip add 10.0.0.100:80/tcp\nbackend add 10.0.0.100:80/tcp 10.0.0.21 mac ff:ff:ff:ff:ff:ff\n' \
	>"$T/bcast.conf"
mkfifo "$T/fifo.conf"

ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; [ -n "${2:-}" ] && sed 's/^/     /' "$2"; }

expect() { # name, expected text, command...
	local name=$1 want=$2
	shift 2
	out=$(timeout 20 "$@" 2>&1)
	rc=$?
	if [ "$rc" = 1 ] && grep -qF -- "$want" <<<"$out"; then
		ok "$name: $(grep -F -- "$want" <<<"$out" | head -1)"
	else
		echo "$out" >"$T/out"
		bad "$name: exit $rc, expected a line with '$want', got:" "$T/out"
	fi
}

expect "config is a FIFO" "$T/fifo.conf: not a regular file (a FIFO)" \
	"$DSRLB" "${EAL[@]}" --vdev "$(pcap fifo)" -- -f "$T/fifo.conf" -s "$T/x.sock"
expect "second port address" \
	"$T/dup-port.conf:3: port 0 already has address 10.0.0.2/24 (one address per port)" \
	"$DSRLB" "${EAL[@]}" --vdev "$(pcap dup)" -- -f "$T/dup-port.conf" -s "$T/x.sock"
expect "broadcast backend MAC" \
	"$T/bcast.conf:2: backend 10.0.0.21 mac ff:ff:ff:ff:ff:ff is broadcast" \
	"$DSRLB" "${EAL[@]}" --vdev "$(pcap bcast)" -- -f "$T/bcast.conf" -s "$T/x.sock"

# start NAME CONF [dsrlb options]: run the daemon in the background until it is up.
start() {
	local name=$1 conf=$2
	shift 2
	"$DSRLB" "${EAL[@]}" --file-prefix "guard$$$name" --vdev "$(pcap "$name")" -- -f "$conf" \
		-s "$T/$name.sock" "$@" >"$T/$name.out" 2>"$T/$name.err" &
	PIDS+=($!)
	PID=$!
	for _ in $(seq 100); do
		grep -q "dsrlb running" "$T/$name.err" && return 0
		kill -0 "$PID" 2>/dev/null || break
		sleep 0.1
	done
	bad "$name: the daemon did not start" "$T/$name.err"
	return 1
}

# wait_log NAME TEXT: wait up to 10 s for a line in NAME's log.
wait_log() {
	for _ in $(seq 100); do
		grep -qF -- "$2" "$T/$1.err" && return 0
		sleep 0.1
	done
	return 1
}

stop() {
	kill "$PID" 2>/dev/null
	wait "$PID" 2>/dev/null
}

# An empty config starts, loudly.
: >"$T/empty.conf"
if start empty "$T/empty.conf"; then
	if grep -q "WARNING config $T/empty.conf defines no VIP" "$T/empty.err"; then
		ok "empty config at start: $(grep 'defines no VIP' "$T/empty.err")"
	else
		bad "empty config at start: no WARNING line" "$T/empty.err"
	fi
	stop
fi

# SIGHUP with the file emptied: refused, the VIPs stay.
cp "$T/good.conf" "$T/run.conf"
if start refuse "$T/run.conf"; then
	: >"$T/run.conf"
	kill -HUP "$PID"
	if wait_log refuse "reload of $T/run.conf failed, nothing changed: the file has no VIP: it would remove all 2 VIPs"; then
		ok "empty reload refused: $(grep 'the file has no VIP' "$T/refuse.err")"
	else
		bad "empty reload refused" "$T/refuse.err"
	fi
	n=$(timeout 10 "$CTL" -s "$T/refuse.sock" show vips | grep -c "10.0.0.10[01]:80/tcp")
	if [ "$n" = 2 ]; then ok "both VIPs still run after the refused reload"; else bad "VIPs after the refused reload: $n of 2"; fi
	stop
fi

# With --allow-empty the same reload removes them.
cp "$T/good.conf" "$T/run2.conf"
if start allow "$T/run2.conf" --allow-empty; then
	: >"$T/run2.conf"
	kill -HUP "$PID"
	if wait_log allow "SIGHUP: $T/run2.conf reloaded"; then
		ok "--allow-empty: $(grep 'reloaded' "$T/allow.err")"
	else
		bad "--allow-empty reload" "$T/allow.err"
	fi
	n=$(timeout 10 "$CTL" -s "$T/allow.sock" show vips | grep -c "10.0.0.10[01]:80/tcp")
	if [ "$n" = 0 ]; then ok "--allow-empty: no VIP left"; else bad "--allow-empty: $n VIPs left"; fi
	stop
fi
# A reload of IPv6 backends: a weight changed, one removed, one added, a
# MAC changed (a delete and an add): 5 changes; the IPv4 VIP is kept. (It
# once failed: the reload's difference named IPv6 backends by their empty
# IPv4 address.)
cat >"$T/run6.conf" <<'CONF'
port 0 address 10.0.0.2/24
port 0 address fd00::2/64
vip add 10.0.0.100:80/tcp
backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01
vip add [fd00::100]:80/tcp
backend add [fd00::100]:80/tcp fd00::21 mac 02:00:00:00:b1:01
backend add [fd00::100]:80/tcp fd00::22 mac 02:00:00:00:b1:02
backend add [fd00::100]:80/tcp fd00::23 mac 02:00:00:00:b1:03
CONF
if start reload6 "$T/run6.conf"; then
	sed -i -e 's|^backend add \[fd00::100\]:80/tcp fd00::21 mac 02:00:00:00:b1:01$|& weight 5|' \
		-e '/fd00::22 /d' -e 's|fd00::23 mac 02:00:00:00:b1:03|fd00::23 mac 02:00:00:00:b1:33|' \
		"$T/run6.conf"
	echo "backend add [fd00::100]:80/tcp fd00::24" >>"$T/run6.conf"
	kill -HUP "$PID"
	if wait_log reload6 "SIGHUP: $T/run6.conf reloaded: 5 changes applied"; then
		ok "IPv6 backends reloaded: $(grep 'reloaded' "$T/reload6.err")"
	else
		bad "IPv6 backends reloaded" "$T/reload6.err"
	fi
	got=$(timeout 10 "$CTL" -s "$T/reload6.sock" show config | grep '^backend add' | sort)
	want='backend add 10.0.0.100:80/tcp 10.0.0.21 mac 02:00:00:00:b1:01 weight 100
backend add [fd00::100]:80/tcp fd00::21 mac 02:00:00:00:b1:01 weight 5
backend add [fd00::100]:80/tcp fd00::23 mac 02:00:00:00:b1:33 weight 100
backend add [fd00::100]:80/tcp fd00::24 weight 100'
	if [ "$got" = "$want" ]; then
		ok "after the reload: show config has the file's backends"
	else
		printf '%s\n' "$got" >"$T/out"
		bad "after the reload: show config's backends are" "$T/out"
	fi
	stop
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
