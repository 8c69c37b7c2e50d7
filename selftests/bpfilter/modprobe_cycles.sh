#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 20 modprobe/rmmod cycles leave nothing behind, each unloading a module
# that holds committed rules (kept tables, with counters) in the initial
# and in three other network namespaces.
. "$(dirname "$0")/lib.sh"

namespaces="bpft-cyc-a bpft-cyc-b bpft-cyc-c"

# in_ns NS COMMAND...: COMMAND in NS ("" is the initial namespace).
in_ns() {
	local ns=$1
	shift
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$@"
	else
		"$@"
	fi
}

# cycle: load, commit rules everywhere, read them back, unload.
cycle() {
	local ns rules
	modprobe bpfilter || return 1
	for ns in "" $namespaces; do
		in_ns "$ns" iptables-legacy -w -A INPUT -s 192.0.2.9 -j DROP -c 3 99 &&
		in_ns "$ns" iptables-legacy -w -N bpft-cycle &&
		in_ns "$ns" iptables-legacy -w -A bpft-cycle -p tcp --dport 22 -j ACCEPT ||
			return 1
		rules=$(in_ns "$ns" iptables-legacy-save -c | grep -c -e '^\[3:99\] -A INPUT -s 192.0.2.9/32 -j DROP$' \
			-e '^\[0:0\] -A bpft-cycle -p tcp -m tcp --dport 22 -j ACCEPT$')
		[ "$rules" = 2 ] || return 1
	done
	[ "$(bpfilter_stat kept_tables)" = 4 ] || return 1
	rmmod bpfilter
}

unload_bpfilter
for ns in $namespaces; do
	check "ip netns add $ns" ip netns add "$ns"
done
check "a warm-up cycle" cycle	# caches, before taking the baseline
leak_baseline
slab_before=$(meminfo_kb SUnreclaim)
failed=0
for i in $(seq 20); do
	cycle || failed=$((failed + 1))
done
check "20 cycles (modprobe, rules committed in 4 namespaces, rmmod) succeed ($failed failed)" \
	test "$failed" -eq 0
check "no helper process remains" wait_for 5 no_blob_process
check_no_leak 4 512
# A helper's task, files and pipes are ~20 kB of slab per cycle: leaking
# them 20 times would show; allocator noise stays well below this.
slab_growth() {
	test $(( $(meminfo_kb SUnreclaim) - slab_before )) -lt 200
}
check "no unreclaimable slab leaked (before ${slab_before} kB, now $(meminfo_kb SUnreclaim) kB)" \
	wait_for 5 slab_growth
for ns in $namespaces; do
	check "ip netns del $ns" ip netns del "$ns"
done
