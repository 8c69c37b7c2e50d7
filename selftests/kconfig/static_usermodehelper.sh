#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# With CONFIG_STATIC_USERMODEHELPER every usermode helper runs one fixed
# program, which would get bpfilter's pipes instead of bpfilter's helper:
# configuring the kernel with it must turn bpfilter off.
#   static_usermodehelper.sh CACHE_DIR   (what tools/build-kernel.sh printed)
set -uo pipefail
project=$(cd "$(dirname "$0")/../.." && pwd)
src=${1:?usage: static_usermodehelper.sh CACHE_DIR}/src
obj=$(mktemp -d "${TMPDIR:-/tmp}/bpfilter-kconfig.XXXXXX")
trap 'rm -rf "$obj"' EXIT

printf 'CONFIG_STATIC_USERMODEHELPER=y\nCONFIG_STATIC_USERMODEHELPER_PATH="/sbin/usermode-helper"\n' > "$obj/static.fragment"
make -s -C "$src" O="$obj" tinyconfig >/dev/null 2>&1 &&
"$src/scripts/kconfig/merge_config.sh" -O "$obj" -m "$obj/.config" \
	"$project/Kconfig" "$obj/static.fragment" >/dev/null 2>&1 &&
make -s -C "$src" O="$obj" olddefconfig >/dev/null 2>&1
if ! grep -qx 'CONFIG_STATIC_USERMODEHELPER=y' "$obj/.config"; then
	echo "not ok - kconfig: STATIC_USERMODEHELPER could be configured (got: $(grep STATIC_USERMODEHELPER= "$obj/.config" || echo unset))"
elif grep -q '^CONFIG_BPFILTER' "$obj/.config"; then
	echo "not ok - kconfig: bpfilter stays on with STATIC_USERMODEHELPER: $(grep '^CONFIG_BPFILTER' "$obj/.config" | tr '\n' ' ')"
else
	echo "ok - kconfig: STATIC_USERMODEHELPER turns bpfilter off"
fi
