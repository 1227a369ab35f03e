#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e: the http and tcp health checks, which connect from the kernel
# interface (`port 0 kernel-interface dsr0`, 10.0.0.2) to each backend's
# own address. Stop b2's HTTP server while its host stays up: b2 must go
# down within interval x fall + 1 s with the issue's log line, and every
# request must succeed on b1. Start it again: b2 comes up after rise
# passes and takes requests again. Then the same with a tcp check, and an
# http check whose path answers 404 on both.
set -euo pipefail
. "$(dirname "$0")/rig.sh"
. "$(dirname "$0")/health_lib.sh"
trap rig_down EXIT

KIF=dsr0
INTERVAL=0.5
TIMEOUT=0.4
RISE=2
FALL=2

rig_up || { echo "rig setup failed"; exit 1; }
# As in test_kernel_if.sh: the balancer namespace's kernel ignores eth0,
# which net_af_packet leaves to it, so 10.0.0.2 lives on dsr0 only.
ns lb sysctl -qw net.ipv4.conf.eth0.arp_ignore=8 net.ipv4.conf.all.rp_filter=1 \
	net.ipv4.conf.eth0.rp_filter=1
ns cl ip neigh replace "$VIP" lladdr "$LB_MAC" dev eth0 nud permanent
{
	rig_conf
	echo "port 0 kernel-interface $KIF"
	echo "check set $VIP:80/tcp http interval $INTERVAL timeout $TIMEOUT rise $RISE fall $FALL"
} >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" || { finish; exit 1; }

bound=$(awk -v i="$INTERVAL" -v f="$FALL" 'BEGIN { print i * f + 1 }')
up_bound=$(awk -v i="$INTERVAL" -v r="$RISE" 'BEGIN { print i * r + 1 }')

# The kernel interface needs a moment to come up; allow it on the first verdict.
t=$(wait_health 10.0.0.21 up $((3 + ${up_bound%.*}))) || true
check "http: b1 comes up ($t s)" [ "$t" != timeout ]
t=$(wait_health 10.0.0.22 up "$up_bound") || true
check "http: b2 comes up ($t s)" [ "$t" != timeout ]
check "the checks came from the port's address, through $KIF" \
	grep -q '^10\.0\.0\.2 .*"GET / HTTP/1.1" 200' "$RIG_DIR/b1.log"
read -r b1 b2 bad < <(requests 20)
echo "both up: b1 $b1, b2 $b2, failed $bad"
check "http: both up, every request succeeds, on both" [ "$bad" = 0 -a "$b1" -gt 0 -a "$b2" -gt 0 ]

# A long download from b1 runs across b2's failure: the client reads at
# 400 KB/s with a 16 KB receive window, so b1 sends for about 2.5 s (a
# paced link would delay b1's own check answers too); client port 41000
# goes to b1 (seedless Maglev over these two backends), and the bytes say
# who sent them.
ns cl sysctl -qw net.ipv4.tcp_rmem="4096 16384 16384"
ns cl curl -s --max-time 30 --limit-rate 400k --local-port 41000 -o "$RIG_DIR/long" \
	"http://$VIP/blob" &
long_pid=$!
sleep 0.3

check "b2's HTTP server stops" backend_stop b2
t=$(wait_health 10.0.0.22 down "$bound") || true
check "http: b2 goes down within interval x fall + 1 = $bound s ($t s)" [ "$t" != timeout ]
check "the down line is logged" grep -qx \
	"WARNING VIP $VIP:80/tcp: backend 10.0.0.22 is down (http: connection refused; $FALL of $FALL checks failed)" \
	"$RIG_DIR/lb.err"
check "b1 stays up" [ "$(health_of 10.0.0.21)" = up ]
check "the download from b1 is still running when b2 is down" kill -0 "$long_pid"
read -r b1 b2 bad < <(requests 30)
echo "b2 down: b1 $b1, b2 $b2, failed $bad"
check "http: b2 down, every request succeeds, all on b1" [ "$bad" = 0 -a "$b1" = 30 ]
check "the download from b1 running across b2's failure finished" wait "$long_pid"
check "... byte for byte, from b1" cmp -s "$RIG_DIR/long" "$RIG_DIR/b1/blob"

check "b2's HTTP server starts again" backend_start b2 0.0.0.0 10.0.0.22
t=$(wait_health 10.0.0.22 up "$up_bound") || true
check "http: b2 comes back up after $RISE passes ($t s)" [ "$t" != timeout ]
check "the up line is logged" grep -qx \
	"INFO VIP $VIP:80/tcp: backend 10.0.0.22 is up ($RISE of $RISE checks passed)" \
	"$RIG_DIR/lb.err"
read -r b1 b2 bad < <(requests 30)
echo "b2 back: b1 $b1, b2 $b2, failed $bad"
check "http: b2 back, every request succeeds, b2 takes some again" [ "$bad" = 0 -a "$b2" -gt 0 ]

# tcp: a connect, nothing sent.
check "check set ... tcp is taken" \
	rig_ctl check set "$VIP:80/tcp" tcp interval "$INTERVAL" timeout "$TIMEOUT" rise "$RISE" fall "$FALL"
t=$(wait_health 10.0.0.22 up "$up_bound") || true
check "tcp: b2 comes up ($t s)" [ "$t" != timeout ]
check "b2's HTTP server stops" backend_stop b2
t=$(wait_health 10.0.0.22 down "$bound") || true
check "tcp: b2 goes down within $bound s ($t s)" [ "$t" != timeout ]
check "the down line is logged" grep -qx \
	"WARNING VIP $VIP:80/tcp: backend 10.0.0.22 is down (tcp: connection refused; $FALL of $FALL checks failed)" \
	"$RIG_DIR/lb.err"
read -r b1 b2 bad < <(requests 20)
echo "tcp, b2 down: b1 $b1, b2 $b2, failed $bad"
check "tcp: b2 down, every request succeeds, all on b1" [ "$bad" = 0 -a "$b1" = 20 ]
check "b2's HTTP server starts again" backend_start b2 0.0.0.0 10.0.0.22
t=$(wait_health 10.0.0.22 up "$up_bound") || true
check "tcp: b2 comes back up ($t s)" [ "$t" != timeout ]

# http with a path the servers do not have: 404 is not the expected 200.
check "check set ... http path /nope is taken" \
	rig_ctl check set "$VIP:80/tcp" http path /nope interval "$INTERVAL" timeout "$TIMEOUT" \
	rise "$RISE" fall "$FALL"
t=$(wait_health 10.0.0.21 down "$bound") || true
check "http 404: b1 goes down within $bound s ($t s)" [ "$t" != timeout ]
check "the status is the reason" grep -qx \
	"WARNING VIP $VIP:80/tcp: backend 10.0.0.21 is down (http: status 404; $FALL of $FALL checks failed)" \
	"$RIG_DIR/lb.err"
check "show backends says why" bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show backends |
	grep ' 10.0.0.21: ' | grep -q 'health down last-check failed last-failure status-404 '"
rig_ctl show backends
rig_ctl show checks
rig_stop_lb
finish
