#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Tables live per network namespace; a namespace that goes away takes its
# tables with it, in the helper and in the module (read back through
# /sys/module/bpfilter/parameters/stats).
. "$(dirname "$0")/lib.sh"

stat_value() {
	bpfilter_stat "$@"
}

unload_bpfilter
check "modprobe bpfilter" modprobe bpfilter
check "ip netns add bpft-a" ip netns add bpft-a
check "ip netns add bpft-b" ip netns add bpft-b
check "a rule in namespace a" \
	ip netns exec bpft-a iptables-legacy -w -A INPUT -s 192.0.2.1/32 -j DROP
check "a rule in namespace b" \
	ip netns exec bpft-b iptables-legacy -w -A OUTPUT -d 198.51.100.0/24 -j ACCEPT
ip netns exec bpft-a iptables-legacy -w -S > /tmp/netns-a 2>&1
ip netns exec bpft-b iptables-legacy -w -S > /tmp/netns-b 2>&1
check "namespace a holds only its own rule" \
	sh -c "grep -q -- '-A INPUT -s 192.0.2.1/32 -j DROP' /tmp/netns-a &&
	       ! grep -q 198.51.100 /tmp/netns-a"
check "namespace b holds only its own rule" \
	sh -c "grep -q -- '-A OUTPUT -d 198.51.100.0/24 -j ACCEPT' /tmp/netns-b &&
	       ! grep -q 192.0.2.1 /tmp/netns-b"
check "the initial namespace has no table yet" \
	sh -c "test -f /proc/net/ip_tables_names &&
	       test ! -s /proc/net/ip_tables_names"

netns_before=$(stat_value helper_netns)
bytes_before=$(stat_value helper_table_bytes)
kept_before=$(stat_value kept_tables)
check "ip netns del bpft-a" ip netns del bpft-a
freed() {
	test "$(stat_value helper_netns)" -lt "$netns_before" &&
	test "$(stat_value helper_table_bytes)" -lt "$bytes_before" &&
	test "$(stat_value kept_tables)" -lt "$kept_before"
}
check "deleting a namespace frees its tables (helper_netns $netns_before, table bytes $bytes_before, kept $kept_before before)" \
	wait_for 20 freed
check "the other namespace keeps its rule" \
	sh -c "ip netns exec bpft-b iptables-legacy -w -S |
	       grep -q -- '-A OUTPUT -d 198.51.100.0/24 -j ACCEPT'"
check "ip netns del bpft-b" ip netns del bpft-b
check_rmmod
