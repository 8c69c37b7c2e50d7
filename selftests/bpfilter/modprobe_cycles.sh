#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# 20 modprobe/rmmod cycles, each used by iptables, leave nothing behind.
. "$(dirname "$0")/lib.sh"

cycle() {
	modprobe bpfilter && iptables-legacy -w -L -n >/dev/null &&
		rmmod bpfilter
}

unload_bpfilter
cycle	# warm up caches once before taking the baseline
leak_baseline
slab_before=$(meminfo_kb SUnreclaim)
failed=0
for i in $(seq 20); do
	cycle || failed=$((failed + 1))
done
check "20 modprobe/iptables/rmmod cycles succeed ($failed failed)" \
	test "$failed" -eq 0
check "no helper process remains" wait_for 5 test "$(blob_processes)" -eq 0
check_no_leak 4 512
# A helper's task, files and pipes are ~20 kB of slab per cycle: leaking
# them 20 times would show; allocator noise stays well below this.
slab_growth() {
	test $(( $(meminfo_kb SUnreclaim) - slab_before )) -lt 200
}
check "no unreclaimable slab leaked (before ${slab_before} kB, now $(meminfo_kb SUnreclaim) kB)" \
	wait_for 5 slab_growth
