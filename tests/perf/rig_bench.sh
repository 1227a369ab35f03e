#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# Real TCP on the namespace rig of tests/e2e/rig.sh, for bench_rig.py:
# wrk (client namespace) against nginx on backends b1 and b2, every
# request on a new connection (Connection: close), along three paths:
#
#   direct   straight to b1 (10.0.0.21:80), no balancer
#   dsrlb    to the VIP through dsrlb (net_af_packet, --record-cycles) in namespace lb
#   haproxy  to the VIP through HAProxy (mode tcp, one thread) in namespace lb,
#            the kernel of lb holding 10.0.0.2/24 and the VIP
#
# and two workloads: "small" (a 3-byte page, 32 connections in flight)
# and "1mb" (a 1 MiB file, 4 in flight). Each run lasts SECS seconds;
# ROUNDS rounds, the paths in turn. Only one of dsrlb and HAProxy runs at
# a time.
#
# CPU 1 is the balancer's alone (dsrlb's worker lcore, or HAProxy's one
# thread); wrk, nginx and dsrlb's main lcore run on the other CPUs, so
# every path gets the same CPU for client and servers and nothing else
# preempts the balancer (rdtsc counts wall time). The kernel's processing
# of what the balancer sends is moved to the other CPUs too (RPS, below).
#
# Writes raw measurements to OUTDIR, which bench_rig.py reads:
#   runs                    one line per run: ROUND PATH WORKLOAD
#   R-PATH-WL.wrk           wrk's output
#   R-PATH-WL.{a,b}.time    wall clock before / after (dsrlb: also .i, 0.5 s
#                           before .a with no traffic)
#   R-PATH-WL.{a,b}.cpu     the line of CPU BAL_CPU in /proc/stat
#   R-PATH-WL.{a,b}.stat    /proc/PID/task/*/stat of the balancer
#   R-PATH-WL.{a,b}.sched   TID COMM /proc/PID/task/TID/schedstat of the balancer
#   R-PATH-WL.{a,b}.json    dsrlb: `dsrlbctl --json show stats workers`
#
# usage: rig_bench.sh BUILD_DIR OUTDIR SECS ROUNDS
set -eEuo pipefail
trap 'echo "rig_bench: line $LINENO failed: $BASH_COMMAND" >&2' ERR
build=$(cd "$1" && pwd)
out=$2 secs=$3 rounds=$4
mkdir -p "$out"
: >"$out/runs"
DSRLB=$build/app/dsrlb/dsrlb
DSRLBCTL=$build/app/dsrlbctl/dsrlbctl
RIG=dsrperf$$
BAL_CPU=1
OTHER_CPUS=0
[ "$(nproc)" -le 2 ] || OTHER_CPUS=0,2-$(($(nproc) - 1))
# shellcheck source=SCRIPTDIR/../e2e/rig.sh
. "$(dirname "$0")/../e2e/rig.sh"
HAPROXY_PID=

haproxy_down() {
	if [ -n "$HAPROXY_PID" ]; then
		kill "$HAPROXY_PID" 2>/dev/null || true
		wait "$HAPROXY_PID" 2>/dev/null || true
		HAPROXY_PID=
	fi
	ns lb ip addr flush dev eth0 2>/dev/null || true
}

cleanup() {
	haproxy_down
	rig_down
}
trap cleanup EXIT

die() {
	echo "rig_bench: $*" >&2
	exit 1
}

# Is an HTTP server answering at URL from the client namespace?
answers() {
	local _
	for _ in $(seq 50); do
		ns cl curl -s -o /dev/null --max-time 1 "$1" && return 0
		sleep 0.1
	done
	return 1
}

nginx_up() { # backend
	local h=$1 d=$RIG_DIR/$1 _
	# Replace the rig's Python server with nginx.
	ip netns pids "$RIG-$h" | xargs -r kill 2>/dev/null || true
	for _ in $(seq 50); do
		[ -z "$(ip netns pids "$RIG-$h")" ] && break
		sleep 0.1
	done
	mkdir -p "$d.tmp"
	cat >"$d.nginx.conf" <<EOF
user root;
worker_processes 1;
pid $d.nginx.pid;
error_log $d.nginx.err warn;
events { worker_connections 8192; }
http {
	access_log off;
	sendfile on;
	default_type application/octet-stream;
	client_body_temp_path $d.tmp/body;
	proxy_temp_path $d.tmp/proxy;
	fastcgi_temp_path $d.tmp/fastcgi;
	uwsgi_temp_path $d.tmp/uwsgi;
	scgi_temp_path $d.tmp/scgi;
	server {
		listen 80 backlog=4096;
		root $d;
	}
}
EOF
	ns "$h" sysctl -qw net.core.somaxconn=4096
	ns "$h" setsid taskset -c "$OTHER_CPUS" nginx -e "$d.nginx.err" -c "$d.nginx.conf" -g 'daemon off;' \
		</dev/null >"$d.nginx.log" 2>&1 &
}

lb_conf() {
	rig_conf | sed 's/^conntrack size .*/conntrack size 262144/'
}

dsrlb_up() {
	lb_conf >"$RIG_DIR/lb.conf"
	rig_start_lb "$RIG_DIR/lb.conf" --record-cycles || die "dsrlb did not start"
	# rig_start_lb's LB_PID is a subshell's: find the daemon itself.
	DSRLB_PID=$(pgrep -f -- "^$DSRLB .*--file-prefix $RIG " | head -1 || true)
	[ -n "$DSRLB_PID" ] || die "dsrlb's pid not found"
	answers "http://$VIP/" || die "no answer through dsrlb"
}

haproxy_up() {
	ns lb ip addr add 10.0.0.2/24 dev eth0
	ns lb ip addr add "$VIP/32" dev eth0
	ns lb sysctl -qw net.core.somaxconn=4096 net.ipv4.ip_local_port_range="1024 65000" \
		net.ipv4.tcp_tw_reuse=1
	cat >"$RIG_DIR/haproxy.cfg" <<EOF
global
	nbthread 1
	maxconn 5000
defaults
	mode tcp
	timeout connect 5s
	timeout client 30s
	timeout server 30s
frontend vip
	bind $VIP:80
	default_backend web
backend web
	balance roundrobin
	server b1 10.0.0.21:80
	server b2 10.0.0.22:80
EOF
	ns lb taskset -c "$BAL_CPU" haproxy -db -f "$RIG_DIR/haproxy.cfg" </dev/null \
		>"$RIG_DIR/haproxy.log" 2>&1 &
	local _
	for _ in $(seq 50); do
		HAPROXY_PID=$(pgrep -f -- "^haproxy -db -f $RIG_DIR/haproxy.cfg" | head -1 || true)
		[ -z "$HAPROXY_PID" ] || break
		sleep 0.1
	done
	[ -n "$HAPROXY_PID" ] || die "HAProxy did not start: $(cat "$RIG_DIR/haproxy.log")"
	answers "http://$VIP/" || die "no answer through HAProxy: $(cat "$RIG_DIR/haproxy.log")"
}

snap() { # PREFIX PATH
	local pid='' t
	date +%s.%N >"$1.time"
	grep "^cpu$BAL_CPU " /proc/stat >"$1.cpu"
	case $2 in
	dsrlb)
		pid=$DSRLB_PID
		"$DSRLBCTL" -s "$RIG_DIR/ctl.sock" --json show stats workers >"$1.json"
		;;
	haproxy) pid=$HAPROXY_PID ;;
	esac
	[ -n "$pid" ] || return 0
	cat /proc/"$pid"/task/*/stat >"$1.stat"
	for t in /proc/"$pid"/task/*; do
		echo "${t##*/} $(cat "$t/comm") $(cat "$t/schedstat")"
	done >"$1.sched"
}

run() { # ROUND PATH WORKLOAD
	local r=$1 path=$2 wl=$3 host=$VIP url conns
	[ "$path" = direct ] && host=10.0.0.21
	case $wl in
	small) url=http://$host/index.html conns=32 ;;
	1mb) url=http://$host/blob conns=4 ;;
	esac
	local p="$out/$r-$path-$wl"
	if [ "$path" = dsrlb ]; then
		# Half a second with no traffic: the cost of an empty poll.
		sleep 0.3
		snap "$p.i" "$path"
		sleep 0.5
	fi
	snap "$p.a" "$path"
	ns cl timeout $((secs + 30)) taskset -c "$OTHER_CPUS" wrk -t1 -c"$conns" -d"${secs}s" --timeout 5s \
		-H 'Connection: close' "$url" >"$p.wrk" 2>&1 || true
	snap "$p.b" "$path"
	echo "$r $path $wl" >>"$out/runs"
	echo "rig round $r $path $wl: $(grep -E 'Requests/sec|Transfer/sec' "$p.wrk" | tr -s ' ' | tr '\n' ' ')"
}

rig_up || die "rig setup"
# What the balancer namespace sends is processed on the other CPUs (RPS on
# the switch side of its veth): on veth a transmit otherwise runs the
# bridge and the receiving host's network stack in the sender's system
# call, and the balancer would be charged for the backends' and the
# client's kernel work. What it receives is processed in the sender's
# context, also on the other CPUs.
ns sw bash -c "printf '%x' $((((1 << $(nproc)) - 1) & ~(1 << BAL_CPU))) \
	>/sys/class/net/lb/queues/rx-0/rps_cpus"
nginx_up b1
nginx_up b2
ns cl ip neigh replace "$VIP" lladdr "$LB_MAC" dev eth0 nud permanent
ns cl sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1
answers http://10.0.0.21/ || die "nginx on b1 does not answer: $(cat "$RIG_DIR/b1.nginx.err")"
answers http://10.0.0.22/ || die "nginx on b2 does not answer: $(cat "$RIG_DIR/b2.nginx.err")"
for r in $(seq "$rounds"); do
	for path in direct dsrlb haproxy; do
		case $path in
		dsrlb) dsrlb_up ;;
		haproxy) haproxy_up ;;
		esac
		for wl in small 1mb; do
			run "$r" "$path" "$wl"
		done
		case $path in
		dsrlb)
			cp "$RIG_DIR/lb.err" "$out/dsrlb.err"
			rig_stop_lb
			;;
		haproxy) haproxy_down ;;
		esac
	done
done
