#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# e2e control socket limits: local users (setpriv) cannot lock root out.
# - uid 65534 opens 256 connections to the read-only socket and keeps them
#   busy (help every 20 s): it gets its 16, the rest are refused, and root's
#   `backend set` on the read-write socket goes through; another user still
#   reads on the read-only socket;
# - 16 users fill the read-only socket (256): a 17th is refused, root still
#   gets in on both sockets;
# - the refusals are counted per socket (show stats control).
# The maximum age of read-only connections (10 minutes) is tested in
# tests/unit/test_ctl_limits.c, on a fake clock.
set -uo pipefail
. "$(dirname "$0")/rig.sh"
trap rig_down EXIT
HOLD=$(cd "$(dirname "$0")" && pwd)/ctl_hold.py
RO=$RIG_DIR/ro.sock
holders=()

# hold UID COUNT: open COUNT read-only connections as UID, in the background,
# until the end of the test; wait for its "accepted N refused M ..." line
# (in $RIG_DIR/hold-UID.out). Not in a subshell: holders are killed at the end.
hold() {
	local out=$RIG_DIR/hold-$1.out
	setpriv --reuid "$1" --regid "$1" --clear-groups /usr/bin/python3 "$HOLD" "$RO" "$2" 120 \
		>"$out" 2>&1 &
	holders+=($!)
	for i in $(seq 100); do
		[ -s "$out" ] && break
		sleep 0.1
	done
}
as_user() { # uid dsrlbctl-args...
	local u=$1
	shift
	setpriv --reuid "$u" --regid "$u" --clear-groups "$DSRLBCTL" "$@" 2>&1
}
control() { rig_ctl show stats control | grep "^control:"; }
ctr() { control | grep -o " $1 [0-9]*" | awk '{print $2}'; }

rig_up || exit 1
rig_conf >"$RIG_DIR/lb.conf"
rig_start_lb "$RIG_DIR/lb.conf" --ro-socket "$RO" || { finish; exit 1; }
chmod 755 "$RIG_DIR"

# 1. One user, 256 connections.
hold 65534 256
out=$(cat "$RIG_DIR/hold-65534.out")
echo "     uid 65534, 256 connections: $out"
check "one uid gets 16 read-only connections" grep -q "^accepted 16 refused 240 " <<<"$out"
check "... the others are told why" \
	grep -q "first-refusal ERR too many clients of uid 65534 on the read-only socket (16)$" <<<"$out"
out=$(rig_ctl backend set "$VIP:80/tcp" 10.0.0.21 weight 50 2>&1)
rc=$?
check "root changes a backend meanwhile (exit $rc: $out)" [ "$rc" = 0 ]
check "... and it is applied" bash -c "'$DSRLBCTL' -s '$RIG_DIR/ctl.sock' show backends | grep -q '10.0.0.21: .*weight 50'"
out=$(as_user 65533 -s "$RO" show vips)
check "another user still reads on the read-only socket" grep -q "^vip $VIP:80/tcp" <<<"$out"

# 2. 16 users fill the read-only socket.
for u in $(seq 60001 60015); do hold "$u" 16; done
check "the read-only socket holds 256 clients" [ "$(ctr ro-clients)" = 256 ]
out=$(as_user 65533 -s "$RO" show vips)
check "a 17th user is refused ($out)" \
	grep -q "too many clients on the read-only socket (256)" <<<"$out"
out=$(rig_ctl backend set "$VIP:80/tcp" 10.0.0.21 weight 100 2>&1)
rc=$?
check "root still changes a backend (exit $rc: $out)" [ "$rc" = 0 ]
out=$("$DSRLBCTL" -s "$RO" show vips 2>&1)
check "root still reads on the full read-only socket" grep -q "^vip $VIP:80/tcp" <<<"$out"
ok=0
for i in $(seq 10); do
	who=$(ns cl curl -s --max-time 2 "http://$VIP/" || true)
	case "$who" in b1 | b2) ok=$((ok + 1)) ;; esac
done
check "still forwarding ($ok/10)" [ "$ok" = 10 ]

# 3. Refusals counted per socket.
echo "     $(control)"
check "ro-refused-uid counted (240)" [ "$(ctr ro-refused-uid)" = 240 ]
check "ro-refused-full counted" [ "$(ctr ro-refused-full)" = 1 ]
check "rw-refused-full 0" [ "$(ctr rw-refused-full)" = 0 ]
kill "${holders[@]}" 2>/dev/null
wait "${holders[@]}" 2>/dev/null
for i in $(seq 50); do
	[ "$(ctr ro-clients)" = 0 ] && break
	sleep 0.1
done
check "the holders gone, the read-only socket is free again" [ "$(ctr ro-clients)" = 0 ]
finish
