#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e: `check set ... none` and the panic rule.
# none: no probes, backends stay unchecked and in the table whatever
# happens to them (as before health checks); a dsr check set at run time
# and set back to none puts a down backend back at once.
# panic: with panic 60, b2 going down leaves 1 of 2 (50%) healthy: the VIP
# ignores health, keeps b2 in its table, logs it and counts it; when b2
# is back, panic ends.
set -euo pipefail
. "$(dirname "$0")/rig.sh"
. "$(dirname "$0")/health_lib.sh"
trap rig_down EXIT

CHECK="dsr interval 0.3 timeout 0.2 rise 1 fall 2"
SVC=$VIP:80/tcp

rig_up || { echo "rig setup failed"; exit 1; }
ns cl ip neigh replace "$VIP" lladdr "$LB_MAC" dev eth0 nud permanent
{
	rig_conf
	echo "check set $SVC none"
} >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }

# none
ns b2 ip addr del "$VIP/32" dev lo
sleep 1.5
check "none: show checks says none" bash -c \
	"'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show checks | grep -qx 'check $SVC: kind none panic 0 panicking no panics 0'"
check "none: b2 stays unchecked" [ "$(health_of 10.0.0.22)" = unchecked ]
check "none: b2 keeps its Maglev slots" [ "$(field_of 10.0.0.22 slots)" -gt 0 ]
check "none: no probe answers reach the main lcore" bash -c \
	"[ \"\$('$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show stats drops | awk '\$2 == \"slowpath:\" { print \$4 }')\" -le 4 ]"
check "none -> dsr at run time" rig_ctl check set "$SVC" $CHECK
t=$(wait_health 10.0.0.22 down 2) || true
check "dsr: b2 goes down ($t s)" [ "$t" != timeout ]
check "dsr: b2 has no Maglev slot" [ "$(field_of 10.0.0.22 slots)" = 0 ]
check "dsr -> none at run time" rig_ctl check set "$SVC" none
check "none: b2 is unchecked again" [ "$(health_of 10.0.0.22)" = unchecked ]
check "none: b2 is back in the table" [ "$(field_of 10.0.0.22 slots)" -gt 0 ]
check "show config writes no check line" bash -c "! '$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show config | grep -q '^check'"

# panic
check "panic 60 at run time" rig_ctl check set "$SVC" $CHECK panic 60
t=$(wait_health 10.0.0.22 down 2) || true
check "panic: b2 is down ($t s)" [ "$t" != timeout ]
sleep 0.3
check "panic: logged" grep -qx \
	"WARNING VIP $SVC: only 1 of 2 backends are healthy, below panic 60%: using all of them" \
	"$RIG_DIR/lb.err"
check "panic: show checks counts it" bash -c \
	"'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show checks | grep -q 'panic 60 panicking yes panics 1\$'"
check "panic: b2 shows panic and keeps its slots" \
	[ "$(field_of 10.0.0.22 state)" = panic -a "$(field_of 10.0.0.22 slots)" -gt 0 ]
check "panic: Prometheus counts it" bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show stats \
	--prometheus | grep -qx 'dsrlb_vip_panics_total{vip=\"$SVC\"} 1'"
check "show config writes the check" bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show config |
	grep -qx 'check set $SVC $CHECK panic 60'"
ns b2 ip addr add "$VIP/32" dev lo
t=$(wait_health 10.0.0.22 up 2) || true
check "panic: b2 comes back ($t s)" [ "$t" != timeout ]
sleep 0.3
check "panic: its end is logged" grep -qx \
	"NOTICE VIP $SVC: 2 of 2 backends are healthy, panic 60% is over: down backends are out again" \
	"$RIG_DIR/lb.err"
read -r b1 b2 bad < <(requests 20)
echo "after panic: b1 $b1, b2 $b2, failed $bad"
check "after panic: every request succeeds, on both" [ "$bad" = 0 -a "$b1" -gt 0 -a "$b2" -gt 0 ]
rig_ctl show backends
rig_ctl show checks
rig_stop_lb
finish
