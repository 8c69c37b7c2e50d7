#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A caller that changes its ipt_replace header while the module reads it
# (another thread flipping num_counters and size) must not make the
# module and the helper disagree: each header is read once, so every
# call gets an errno a consistent header would get, and the helper is
# never judged to have answered wrongly and replaced.
. "$(dirname "$0")/lib.sh"

probe=$(dirname "${BPFILTER_PROBE:?}")/hardening_probe
stat() { awk -v k="$1" '$1 == k { print $2 }' /sys/module/bpfilter/parameters/stats; }

unload_bpfilter
modprobe bpfilter
check "the race runs on two CPUs or more ($(nproc) online)" test "$(nproc)" -ge 2
ip netns add bpfh-race
ip netns exec bpfh-race iptables-legacy -w -A INPUT -s 192.0.2.7 -j DROP
ip netns exec bpfh-race iptables-legacy -w -S > /tmp/race-before
started=$(stat helpers_started)
check "SET_REPLACE with a header flipped under it gets only consistent errnos" \
	ip netns exec bpfh-race "$probe" race 10
ip netns exec bpfh-race "$probe" race 1 > /tmp/race-counts 2>&1
check "both consistent outcomes happened ($(cat /tmp/race-counts))" \
	sh -c "grep -Eq '^ok [1-9][0-9]* EAGAIN [1-9]' /tmp/race-counts"
check "no helper was replaced (helpers started: $started before, $(stat helpers_started) after)" \
	test "$(stat helpers_started)" = "$started"
check "no reply was judged malformed" \
	sh -c "! dmesg | grep -q 'malformed reply'"

# Every kept request is consistent: a new helper accepts them all back.
kill -9 "$(helper_pid)"
ip netns exec bpfh-race iptables-legacy -w -S > /tmp/race-after 2>&1
check "the kept table comes back whole in a new helper" \
	diff -u /tmp/race-before /tmp/race-after
check "no namespace waits for its tables" test "$(stat unrestored_netns)" = 0
ip netns del bpfh-race
check "rmmod bpfilter" rmmod bpfilter
