#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e control plane: real TCP in namespaces, the real control socket.
# - a long download survives `backend add`, a weight change and a SIGHUP
#   reload, byte for byte;
# - draining a backend (weight 0) lets its open connection finish while
#   new requests go elsewhere;
# - `show conns` shows an open connection, and a client RST removes it;
# - every bad-input kind on the socket gets ERR and forwarding goes on;
# - a non-root, non-group user is refused; the read-only socket refuses
#   changes;
# - the counters are in DPDK telemetry (dpdk-telemetry.py).
set -uo pipefail
. "$(dirname "$0")/rig.sh"
trap rig_down EXIT

curl_who() { ns cl curl -s --max-time 3 "http://$VIP/" || echo none; }
# The backend a client port is pinned to, from `show conns`.
conn_backend() { rig_ctl show conns | awk -v p=":$1 " '$0 ~ p {for (i = 1; i < NF; i++) if ($i == "backend") print $(i + 1)}'; }
# Wait (up to 5 s) for a client port's entry; print its backend.
wait_conn() {
	local i be=
	for i in $(seq 50); do
		be=$(conn_backend "$1")
		[ -n "$be" ] && break
		sleep 0.1
	done
	echo "$be"
}
name_of() { case "$1" in 10.0.0.21) echo b1 ;; 10.0.0.22) echo b2 ;; 10.0.0.23) echo b3 ;; *) echo "?" ;; esac; }

rig_up || exit 1
rig_backend b3 "$B3_MAC" 10.0.0.23
rig_conf --arp >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" --ro-socket "$RIG_DIR/ro.sock" || { finish; exit 1; }
for i in $(seq 50); do
	[ "$(rig_ctl show backends | grep -c 'arp resolved')" = 2 ] && break
	sleep 0.1
done

# 1. A long download through changes.
rig_slowget "$VIP" 45001 250k "$RIG_DIR/long.got" &
dl=$!
be=$(wait_conn 45001)
check "show conns shows the download's connection" [ -n "$be" ]
rig_ctl backend add "$VIP:80/tcp" 10.0.0.23 >/dev/null
check "backend add applied" bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show backends | grep -q 10.0.0.23"
rig_ctl backend set "$VIP:80/tcp" 10.0.0.22 weight 50 >/dev/null
sed -i 's/^backend add .*10.0.0.22$/backend add 10.0.0.100:80\/tcp 10.0.0.22 weight 50/' "$RIG_DIR/lb.conf"
echo "backend add $VIP:80/tcp 10.0.0.23" >>"$RIG_DIR/lb.conf"
echo "timeout set tcp-fin 30" >>"$RIG_DIR/lb.conf"
ns lb pkill -HUP -f -- "--file-prefix $RIG " || true
sleep 0.5
check "SIGHUP reload applied the difference" grep -q "SIGHUP: .* reloaded: 1 changes applied" "$RIG_DIR/lb.err"
check "reload kept the running VIPs and backends" \
	bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show timeouts | grep -q 'tcp-fin 30'"
wait $dl
check "the download finished byte for byte through the changes" \
	cmp -s "$RIG_DIR/long.got" "$RIG_DIR/$(name_of "$be")/blob"
check "its connection stayed on $be" [ "$(conn_backend 45001)" = "$be" ]

# 2. Drain: weight 0 on the backend of an open connection.
rig_slowget "$VIP" 45002 250k "$RIG_DIR/drain.got" &
dl=$!
be=$(wait_conn 45002)
rig_ctl backend set "$VIP:80/tcp" "$be" weight 0 >/dev/null
others=0
for i in $(seq 12); do
	[ "$(curl_who)" != "$(name_of "$be")" ] && others=$((others + 1))
done
check "new requests avoid the drained backend ($be)" [ "$others" = 12 ]
check "show backends says draining" \
	bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show backends | grep -q '$be: state draining'"
wait $dl
check "the drained backend's open download finished byte for byte" \
	cmp -s "$RIG_DIR/drain.got" "$RIG_DIR/$(name_of "$be")/blob"
rig_ctl backend set "$VIP:80/tcp" "$be" weight 100 >/dev/null

# 3. show conns, then a client RST removes the entry at once.
ns cl /usr/bin/python3 - "$VIP" "$RIG_DIR/rst" <<'PY' &
import socket, struct, sys, time, os
s = socket.create_connection((sys.argv[1], 80))
s.bind if False else None
s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n")  # no blank line: the server waits
open(sys.argv[2] + ".port", "w").write(str(s.getsockname()[1]))
while not os.path.exists(sys.argv[2] + ".go"):
    time.sleep(0.02)
s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
s.close()  # RST
PY
py=$!
for i in $(seq 50); do [ -s "$RIG_DIR/rst.port" ] && break; sleep 0.05; done
port=$(cat "$RIG_DIR/rst.port")
sleep 0.2
check "show conns shows the open connection (port $port, established)" \
	bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show conns | grep -q ':$port .*state established'"
touch "$RIG_DIR/rst.go"
wait $py
sleep 0.2
check "after the client's RST the entry is gone" \
	bash -c "! '$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show conns | grep -q ':$port '"

# 4. Bad input on the socket; forwarding goes on.
/usr/bin/python3 "$(dirname "$0")/ctl_bad_input.py" "$RIG_DIR/ctl.sock" | sed 's/^/     /'
check "every bad-input kind got its ERR" [ "${PIPESTATUS[0]}" = 0 ]
check "dsrlbctl exits 1 on ERR" bash -c "! '$DSRLBCTL' -s '$RIG_DIR/ctl.sock' vip add bad"
ok=0
for i in $(seq 10); do [ "$(curl_who)" != none ] && ok=$((ok + 1)); done
check "still forwarding after all that (10/10 requests)" [ "$ok" = 10 ]

# 5. Who may talk: not a non-root user outside group dsrlb.
chmod 755 "$RIG_DIR"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$DSRLBCTL" -s "$RIG_DIR/ctl.sock" show vips 2>&1)
rc=$?
check "a non-root user cannot connect to the 0660 socket (exit $rc: $out)" [ "$rc" = 2 ]
check "... and is told why" grep -qi "permission denied" <<<"$out"
chmod 666 "$RIG_DIR/ctl.sock"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$DSRLBCTL" -s "$RIG_DIR/ctl.sock" show vips 2>&1)
rc=$?
check "the daemon refuses that user by SO_PEERCRED too (exit $rc: $out)" [ "$rc" = 1 ]
check "... with the reason" grep -q "permission denied: uid 65534" <<<"$out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$DSRLBCTL" -s "$RIG_DIR/ro.sock" show vips 2>&1)
check "the read-only socket serves show to any user" grep -q "^vip $VIP:80/tcp" <<<"$out"
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$DSRLBCTL" -s "$RIG_DIR/ro.sock" vip del "$VIP:80/tcp" 2>&1)
check "the read-only socket refuses changes ($out)" grep -q "read-only socket" <<<"$out"

# 6. DPDK telemetry.
tel=$(echo /dsrlb/stats | timeout 10 /usr/bin/python3 /usr/bin/dpdk-telemetry.py -f "$RIG" 2>&1)
echo "     dpdk-telemetry.py: $(grep -o '{"/dsrlb/stats".*}' <<<"$tel" | head -c 200)"
check "dpdk-telemetry.py shows /dsrlb/stats" grep -q '"fwd_pkts": [1-9]' <<<"$tel"
finish
