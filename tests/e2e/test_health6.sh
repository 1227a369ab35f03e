#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e: health checks of an IPv6 VIP (rig.sh with RIG_IPV6=1), every kind
# IPv4 has, on a dual-stack port with a kernel interface (dsr0, which
# also holds fd00::2):
# 1. dsr: SYNs over IPv6 from fd00::2 to VIP6 in frames to each
#    backend's MAC (from ND). Remove VIP6 from b2's loopback: b2 goes down
#    within interval x fall + 1 s with the log line, out of Maglev (every
#    request on b1); put it back: b2 comes up and takes requests again.
# 2. http, then tcp: connects from dsr0, bound to fd00::2, to each
#    backend's own IPv6 address. Stop b2's HTTP server: b2 goes down
#    (connection refused), every request on b1 (asked for http only);
#    start it: b2 comes up.
set -euo pipefail
RIG_IPV6=1
. "$(dirname "$0")/rig.sh"
. "$(dirname "$0")/health_lib.sh"
trap rig_down EXIT

KIF=dsr0
INTERVAL=0.5
TIMEOUT=0.4
RISE=2
FALL=2
SVC="[$VIP6]:80/tcp"

rig_up || { echo "rig setup failed"; exit 1; }
ns lb sysctl -qw net.ipv4.conf.eth0.arp_ignore=8 net.ipv4.conf.all.rp_filter=1 \
	net.ipv4.conf.eth0.rp_filter=1
{
	rig_conf6 --dual
	echo "port 0 kernel-interface $KIF"
	echo "check set $SVC dsr interval $INTERVAL timeout $TIMEOUT rise $RISE fall $FALL"
} >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }
T0=$(date +%s%N)

bound=$(awk -v i="$INTERVAL" -v f="$FALL" 'BEGIN { print i * f + 1 }')
up_bound=$(awk -v i="$INTERVAL" -v r="$RISE" 'BEGIN { print i * r + 1 }')

# 1. dsr. ND resolves the backends and DAD holds VIP6 for about 1 s: allow it on the first verdict.
t=$(wait_health "$B1_IP6" up 6) || true
check "dsr: b1 comes up ($t s)" [ "$t" != timeout ]
t=$(wait_health "$B2_IP6" up "$up_bound") || true
check "dsr: b2 comes up ($t s)" [ "$t" != timeout ]
rig_wait_vip6 10 || true
read -r b1 b2 bad < <(requests 10 "[$VIP6]")
echo "dsr, both up: b1 $b1, b2 $b2, failed $bad"
check "dsr: both up, every request succeeds, on both" [ "$bad" = 0 -a "$b1" -gt 0 -a "$b2" -gt 0 ]

ns b2 ip -6 addr del "$VIP6/128" dev lo
t=$(wait_health "$B2_IP6" down "$bound") || true
check "dsr: b2 without VIP6 goes down within interval x fall + 1 = $bound s ($t s)" [ "$t" != timeout ]
check "the down line is logged" grep -qxF \
	"WARNING VIP $SVC: backend $B2_IP6 is down (dsr: timeout; $FALL of $FALL checks failed)" \
	"$RIG_DIR/lb.err"
check "b1 stays up" [ "$(health_of "$B1_IP6")" = up ]
read -r b1 b2 bad < <(requests 10 "[$VIP6]")
echo "dsr, b2 down: b1 $b1, b2 $b2, failed $bad"
check "dsr: b2 down, every request succeeds, all on b1 (b2 is out of Maglev)" [ "$bad" = 0 -a "$b1" = 10 ]
check "show backends says why" bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show backends |
	grep ' $B2_IP6: ' | grep -q 'state down health down last-check failed last-failure timeout '"
check "Prometheus has b2 down, b1 up" bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show stats --prometheus >'$RIG_DIR/prom' &&
	grep -qxF 'dsrlb_backend_health{vip=\"$SVC\",backend=\"$B2_IP6\"} 0' '$RIG_DIR/prom' &&
	grep -qxF 'dsrlb_backend_health{vip=\"$SVC\",backend=\"$B1_IP6\"} 1' '$RIG_DIR/prom'"
ns b2 ip -6 addr add "$VIP6/128" dev lo nodad
t=$(wait_health "$B2_IP6" up "$up_bound") || true
check "dsr: b2 comes back up after $RISE passes ($t s)" [ "$t" != timeout ]
check "the up line is logged" grep -qxF \
	"INFO VIP $SVC: backend $B2_IP6 is up ($RISE of $RISE checks passed)" "$RIG_DIR/lb.err"
read -r b1 b2 bad < <(requests 10 "[$VIP6]")
echo "dsr, b2 back: b1 $b1, b2 $b2, failed $bad"
check "dsr: b2 back, every request succeeds, b2 takes some again" [ "$bad" = 0 -a "$b2" -gt 0 ]
check "the probes' answers were not dropped as not-vip" [ "$(rig_stat "drop not-vip" count)" = 0 ]

# 2. http and tcp, from dsr0 and fd00::2.
for kind in http tcp; do
	check "check set $SVC $kind is taken" rig_ctl check set "$SVC" $kind interval "$INTERVAL" \
		timeout "$TIMEOUT" rise "$RISE" fall "$FALL"
	t=$(wait_health "$B2_IP6" up "$up_bound") || true
	check "$kind: b2 comes up ($t s)" [ "$t" != timeout ]
	check "b2's HTTP server stops" backend_stop b2
	t=$(wait_health "$B2_IP6" down "$bound") || true
	check "$kind: b2 goes down within $bound s ($t s)" [ "$t" != timeout ]
	check "the down line is logged" grep -qxF \
		"WARNING VIP $SVC: backend $B2_IP6 is down ($kind: connection refused; $FALL of $FALL checks failed)" \
		"$RIG_DIR/lb.err"
	if [ $kind = http ]; then # the same Maglev change as dsr's: once is enough
		read -r b1 b2 bad < <(requests 10 "[$VIP6]")
		echo "$kind, b2 down: b1 $b1, b2 $b2, failed $bad"
		check "$kind: b2 down, every request succeeds, all on b1" [ "$bad" = 0 -a "$b1" = 10 ]
	fi
	check "b2's HTTP server starts again" backend_start b2 :: "$B2_IP6"
	t=$(wait_health "$B2_IP6" up "$up_bound") || true
	check "$kind: b2 comes back up ($t s)" [ "$t" != timeout ]
done
check "the http checks came from fd00::2, through $KIF" \
	grep -q "^$LB_IP6 .*\"GET / HTTP/1.1\" 200" "$RIG_DIR/b1.log"
echo "checks took $((($(date +%s%N) - T0) / 1000000)) ms"
rig_ctl show backends
rig_ctl show checks
rig_stop_lb
finish
