#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A committed table never silently becomes the empty accept-all table:
# when a new helper refuses to take a kept table back, the table stays
# kept and its namespace's requests fail until it is restored, while
# other namespaces are served.  Restores are refused on purpose through
# the module's fail_restores fault injection.
. "$(dirname "$0")/lib.sh"

probe=$(dirname "${BPFILTER_PROBE:?}")/hardening_probe
stat() { awk -v k="$1" '$1 == k { print $2 }' /sys/module/bpfilter/parameters/stats; }
params=/sys/module/bpfilter/parameters

unload_bpfilter
modprobe bpfilter
ip netns add bpfh-kept
ip netns add bpfh-other
ip netns exec bpfh-kept iptables-legacy -w -A INPUT -s 192.0.2.9 -j DROP
ip netns exec bpfh-kept iptables-legacy -w -N quarantine
ip netns exec bpfh-kept iptables-legacy -w -S > /tmp/kept-before

echo 2 > "$params/fail_restores"
old=$(helper_pid)
kill -9 "$old"
wait_for 5 test ! -d "/proc/$old"
check "another namespace is served by the new helper" \
	ip netns exec bpfh-other iptables-legacy -w -S
check "the new helper started" test "$(helper_pid)" != "$old"
check "the refused table is logged" \
	sh -c "dmesg | grep -q 'the helper refused to restore the filter table'"
check "one namespace waits for its tables" test "$(stat unrestored_netns)" = 1
# One GET_INFO (iptables itself would retry once).
got=$(ip netns exec bpfh-kept "$probe" info 2>&1)
check "its requests fail with EIO while its table is not restored (got $got)" \
	test "$got" = EIO
check "the fault injection was used up" test "$(cat $params/fail_restores)" = 0
ip netns exec bpfh-kept iptables-legacy -w -S > /tmp/kept-after 2>&1
check "the next request restores the table, rules intact" \
	diff -u /tmp/kept-before /tmp/kept-after
check "no namespace waits any more" test "$(stat unrestored_netns)" = 0

# Module parameters and stats are readable from the start of the load.
( while :; do cat "$params/stats" > /dev/null 2>&1; done ) &
reader=$!
fails=0
for i in 1 2 3 4 5 6 7 8 9 10; do
	rmmod bpfilter || fails=$((fails + 1))
	modprobe bpfilter || fails=$((fails + 1))
done
kill "$reader"
wait "$reader" 2>/dev/null
check "stats read during 10 loads and unloads ($fails failures)" test "$fails" = 0

ip netns del bpfh-kept
ip netns del bpfh-other
check "rmmod bpfilter" rmmod bpfilter
