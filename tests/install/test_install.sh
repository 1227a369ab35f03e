#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
#
# `meson install` into a DESTDIR, then checks what a package or a systemd
# machine relies on: every path the installed unit names exists there
# (ExecStart's binary, the config and environment files, the docs); the
# man pages pass `groff -man -ww -z` without a warning; `dsrlb --version`
# and `dsrlbctl --version` print meson.build's version.
#
# usage: test_install.sh BUILD_DIR VERSION
set -uo pipefail
build=$1
version=$2
dest=$(mktemp -d /tmp/dsrlb-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
. "$(dirname "$0")/../check.sh"

if ! meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >"$dest.log" 2>&1; then
	cat "$dest.log"
	rm -f "$dest.log"
	echo "0 passed, 1 failed"
	exit 1
fi
rm -f "$dest.log"

unit=$(find "$dest" -name dsrlb.service -path '*/systemd/system/*')
check "the unit is installed under lib/systemd/system" test -n "$unit"
unit=${unit:-/nonexistent}

# The paths the unit names: every absolute path in a value, and the
# targets of man: and file: references.
paths=$(sed -n 's/^[A-Za-z]*=//p' "$unit" | tr ' ' '\n' | sed -n 's/^-\{0,1\}\(\/[^"$]*\).*/\1/p;s/^file:\(\/.*\)/\1/p')
check "the unit names paths" test -n "$paths"
for p in $paths; do
	check "unit path $p exists in DESTDIR" test -e "$dest$p"
done
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$unit")
check "ExecStart ($exec_start) is the installed dsrlb" test -x "$dest$exec_start" -a "$(basename "$exec_start")" = dsrlb
for m in $(sed -n 's/^Documentation=//p' "$unit" | tr ' ' '\n' | sed -n 's/^man:\(.*\)(\([0-9]\))$/\1.\2/p'); do
	check "unit's man page $m is installed" test -n "$(find "$dest" -path "*/man/man*/$m")"
done

conf=$(grep -o -- '-f [^ ]*' "$unit" | cut -d' ' -f2)
check "the installed config ($conf) is the sample" cmp -s "$dest$conf" config/dsrlb.conf
check "dsrlb.env sets DSRLB_EAL" grep -q '^DSRLB_EAL=' "$(dirname "$dest$conf")/dsrlb.env"
check "the sysusers.d file makes the group dsrlb" grep -q '^g dsrlb' "$(find "$dest" -path '*/sysusers.d/dsrlb.conf')"
protos=$(find "$dest" -path '*/iproute2/rt_protos.d/dsrlb.conf')
check "rt_protos.d/dsrlb.conf names protocol 248 dsrlb" grep -Eq '^248[[:space:]]+dsrlb$' "$protos"

dsrlb=$(find "$dest" -type f -name dsrlb -path '*/sbin/*')
dsrlbctl=$(find "$dest" -type f -name dsrlbctl -path '*/bin/*' ! -path '*/sbin/*')
check "dsrlb is installed to sbindir" test -x "$dsrlb"
check "dsrlbctl is installed to bindir" test -x "$dsrlbctl"
check "dsrlb --version prints $version" test "$("$dsrlb" --version 2>&1)" = "dsrlb $version"
check "dsrlbctl --version prints $version" test "$("$dsrlbctl" --version 2>&1)" = "dsrlbctl $version"

for page in dsrlb.8 dsrlbctl.8 dsrlb.conf.5; do
	f=$(find "$dest" -path "*/man/man${page##*.}/$page*")
	check "man page $page is installed" test -n "$f"
	warnings=$(groff -man -ww -z "$f" 2>&1) || warnings="groff failed: $warnings"
	check "groff -man -ww -z $page: no warning${warnings:+ ($warnings)}" test -z "$warnings"
	check "man page $page names version $version" grep -q "\"dsrlb $version\"" "$f"
done
for doc in operations.md design.md cli.md; do
	check "doc $doc is installed" test -n "$(find "$dest" -path "*/doc/dsrlb/$doc")"
done

check_summary
