#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e: the dsr health check. dsrlb sends SYNs to the VIP in frames to each
# backend's MAC; a backend answers SYN-ACK from the VIP only while the VIP
# is on its loopback. Remove the VIP from b2's loopback while its HTTP
# server keeps running: b2 must go down within interval x fall + 1 s, with
# the issue's log line, and every request must succeed on b1. Put the VIP
# back: b2 comes up after rise passes and takes requests again.
set -euo pipefail
. "$(dirname "$0")/rig.sh"
. "$(dirname "$0")/health_lib.sh"
trap rig_down EXIT

INTERVAL=0.5
TIMEOUT=0.4
RISE=2
FALL=3

rig_up || { echo "rig setup failed"; exit 1; }
ns cl ip neigh replace "$VIP" lladdr "$LB_MAC" dev eth0 nud permanent
{
	rig_conf
	echo "check set $VIP:80/tcp dsr interval $INTERVAL timeout $TIMEOUT rise $RISE fall $FALL"
} >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }

bound=$(awk -v i="$INTERVAL" -v f="$FALL" 'BEGIN { print i * f + 1 }')
up_bound=$(awk -v i="$INTERVAL" -v r="$RISE" 'BEGIN { print i * r + 1 }')

t=$(wait_health 10.0.0.21 up "$up_bound") || true
check "b1 comes up after $RISE passes ($t s)" [ "$t" != timeout ]
t=$(wait_health 10.0.0.22 up "$up_bound") || true
check "b2 comes up after $RISE passes ($t s)" [ "$t" != timeout ]
check "show checks lists the check" \
	bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show checks | grep -q \
	'^check $VIP:80/tcp: kind dsr port 80 interval $INTERVAL timeout $TIMEOUT rise $RISE fall $FALL '"
read -r b1 b2 bad < <(requests 20)
echo "both up: b1 $b1, b2 $b2, failed $bad"
check "both up: every request succeeds, on both" [ "$bad" = 0 -a "$b1" -gt 0 -a "$b2" -gt 0 ]

# b2's service runs on, but without the VIP it cannot answer for it.
ns b2 ip addr del "$VIP/32" dev lo
t=$(wait_health 10.0.0.22 down "$bound") || true
check "b2 goes down within interval x fall + 1 = $bound s ($t s)" [ "$t" != timeout ]
check "the down line is logged" grep -qx \
	"WARNING VIP $VIP:80/tcp: backend 10.0.0.22 is down (dsr: timeout; $FALL of $FALL checks failed)" \
	"$RIG_DIR/lb.err"
check "b1 stays up" [ "$(health_of 10.0.0.21)" = up ]
read -r b1 b2 bad < <(requests 30)
echo "b2 down: b1 $b1, b2 $b2, failed $bad"
check "b2 down: every request succeeds, all on b1" [ "$bad" = 0 -a "$b1" = 30 ]
check "show backends says why" bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show backends |
	grep ' 10.0.0.22: ' | grep -q 'state down health down last-check failed last-failure timeout '"

ns b2 ip addr add "$VIP/32" dev lo
t=$(wait_health 10.0.0.22 up "$up_bound") || true
check "b2 comes back up after $RISE passes ($t s)" [ "$t" != timeout ]
check "the up line is logged" grep -qx \
	"INFO VIP $VIP:80/tcp: backend 10.0.0.22 is up ($RISE of $RISE checks passed)" \
	"$RIG_DIR/lb.err"
read -r b1 b2 bad < <(requests 30)
echo "b2 back: b1 $b1, b2 $b2, failed $bad"
check "b2 back: every request succeeds, b2 takes some again" [ "$bad" = 0 -a "$b2" -gt 0 ]
check "the probes' answers reached the main lcore, nothing else was dropped as not-vip" \
	bash -c "[ \"\$('$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show stats drops | awk '\$1 == \"drop\" && \$2 == \"not-vip:\" { print \$4 }')\" = 0 ]"
rig_ctl show backends
rig_ctl show checks
rig_stop_lb
finish
