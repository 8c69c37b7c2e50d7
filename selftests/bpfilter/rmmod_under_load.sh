#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rmmod while requests are in flight is refused ("in use") or completes
# cleanly; 20 cycles leave nothing behind.
. "$(dirname "$0")/lib.sh"

unload_bpfilter
modprobe bpfilter && iptables-legacy -w -L -n >/dev/null && rmmod bpfilter
leak_baseline
rm -f /tmp/stop-load
(while [ ! -e /tmp/stop-load ]; do
	iptables-legacy -w -L -n >/dev/null 2>&1
done) &
loader=$!

unloaded=0
for i in $(seq 20); do
	modprobe bpfilter 2>/dev/null
	sleep 0.2
	tries=0
	until rmmod bpfilter 2>/dev/null || [ "$tries" -ge 200 ]; do
		tries=$((tries + 1))
		sleep 0.02
	done
	[ "$tries" -lt 200 ] && unloaded=$((unloaded + 1))
done
touch /tmp/stop-load
wait "$loader"
unload_bpfilter
check "20 rmmods under load completed ($unloaded did)" test "$unloaded" -eq 20
check "modprobe afterwards starts clean" \
	sh -c "modprobe bpfilter && iptables-legacy -w -L -n >/dev/null &&
	       rmmod bpfilter"
check "no helper process remains" wait_for 5 test "$(blob_processes)" -eq 0
check_no_leak 4 512
