#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# On the debug kernel (make check DEBUG=1), after every other test:
# kmemleak must find nothing allocated on bpfilter's behalf.  Reports
# about other code (early boot allocations are known false positives)
# are shown but do not fail the test.
. "$(dirname "$0")/lib.sh"

mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
leaks=/sys/kernel/debug/kmemleak
if [ ! -e "$leaks" ]; then
	ktap_skip "not a kmemleak kernel" "kmemleak finds no bpfilter leak"
	exit 0
fi
unload_bpfilter
# Objects freed moments ago may still look referenced: scan twice.
echo scan > "$leaks"
sleep 2
echo scan > "$leaks"
cat "$leaks" > /tmp/kmemleak.txt
# Reports are blocks starting "unreferenced object"; keep ours.
ours=$(awk '/^unreferenced object/ { if (b ~ /bpfilter|usermode_blob|umh_/) printf "%s", b; b = "" }
	{ b = b $0 "\n" }
	END { if (b ~ /bpfilter|usermode_blob|umh_/) printf "%s", b }' /tmp/kmemleak.txt)
sed 's/^/# other: /' /tmp/kmemleak.txt | head -20
check "kmemleak finds no bpfilter leak" test -z "$ours"
[ -z "$ours" ] || printf '%s\n' "$ours" | sed 's/^/# /'
