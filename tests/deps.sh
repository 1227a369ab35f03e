#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what building and testing dsrlb needs, from Debian's registry.
# Idempotent: does nothing when everything is already installed.
set -euo pipefail
PKGS="dpdk dpdk-dev libdpdk-dev meson ninja-build pkg-config gcc libnuma-dev libpcap-dev libreadline-dev
python3 python3-scapy iproute2 ethtool tcpdump iputils-arping iputils-ping curl procps
clang clang-format libclang-rt-14-dev llvm groff-base bird2"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "deps: need root to install:$missing" >&2
		exit 1
	fi
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
