#!/bin/bash
# SPDX-License-Identifier: BSD-3-Clause
# Configure (once) and build dsrlb in ./build. Prints nothing on success
# but ninja's last line.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || meson setup build >/dev/null
ninja -C build | tail -1
