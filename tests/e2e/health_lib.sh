# SPDX-License-Identifier: BSD-3-Clause
#
# Helpers of the health check tests (source after rig.sh).

# health_of IP: the health field of the backend's row in show backends.
health_of() {
	rig_ctl show backends | awk -v ip="$1" '$3 == ip ":" {
		for (i = 4; i < NF; i++) if ($i == "health") print $(i + 1) }'
}

# wait_health IP STATE SECONDS: poll every 0.1 s; prints the time it took.
wait_health() {
	local start now
	start=$(date +%s.%N)
	while :; do
		[ "$(health_of "$1")" = "$2" ] && break
		now=$(date +%s.%N)
		if awk -v s="$start" -v n="$now" -v l="$3" 'BEGIN { exit !(n - s > l) }'; then
			echo "timeout"
			return 1
		fi
		sleep 0.1
	done
	now=$(date +%s.%N)
	awk -v s="$start" -v n="$now" 'BEGIN { printf "%.2f\n", n - s }'
}

# requests N [HOST]: how many of N requests to HOST (default $VIP; "[$VIP6]"
# for IPv6) each backend answered, "b1 B2 failed".
requests() {
	local n=$1 host=${2:-$VIP} i who b1=0 b2=0 bad=0
	for i in $(seq "$n"); do
		who=$(ns cl curl -sg --max-time 3 "http://$host/" || true)
		case "$who" in
		b1) b1=$((b1 + 1)) ;;
		b2) b2=$((b2 + 1)) ;;
		*) bad=$((bad + 1)) ;;
		esac
	done
	echo "$b1 $b2 $bad"
}

# field_of IP KEY: a field of the backend's row in show backends.
field_of() {
	rig_ctl show backends | awk -v ip="$1" -v k="$2" '$3 == ip ":" {
		for (i = 4; i < NF; i++) if ($i == k) print $(i + 1) }'
}

# backend_stop HOST: kill HOST's HTTP server; the namespace, its addresses
# and the VIP stay.
backend_stop() {
	ip netns pids "$RIG-$1" | xargs -r kill 2>/dev/null || true
	local i
	for i in $(seq 50); do [ -z "$(ip netns pids "$RIG-$1")" ] && return 0; sleep 0.1; done
	return 1
}

# backend_start HOST BIND ADDR: start HOST's HTTP server on BIND (0.0.0.0
# or ::) again; wait until ADDR:80 answers.
backend_start() {
	ns "$1" setsid /usr/bin/python3 -m http.server 80 --bind "$2" \
		--directory "$RIG_DIR/$1" >>"$RIG_DIR/$1.log" 2>&1 </dev/null &
	local i
	for i in $(seq 50); do
		rig_http_up "$1" "$3" && return 0
		sleep 0.1
	done
	return 1
}
