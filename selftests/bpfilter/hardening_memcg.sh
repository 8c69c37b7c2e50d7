#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What the module keeps of a commit stays charged to the memory cgroup
# of the caller who made it, as x_tables charges its tables, long after
# that caller has exited: here the counters of an ADD_COUNTERS, sent
# from a cgroup of its own after the table was committed from another.
. "$(dirname "$0")/lib.sh"

probe=$(dirname "${BPFILTER_PROBE:?}")/hardening_probe
stat() { awk -v k="$1" '$1 == k { print $2 }' /sys/module/bpfilter/parameters/stats; }
cg=/sys/fs/cgroup/bpfh-memcg

unload_bpfilter
modprobe bpfilter
ip netns add bpfh-memcg
# 20000 entries: their counters are 320 kB, far above the cgroup's noise.
check "a 20000-rule table committed without counters" \
	sh -c "test \"\$(ip netns exec bpfh-memcg '$probe' grow 20000)\" = 0"
kept_before=$(stat kept_bytes)

echo +memory > /sys/fs/cgroup/cgroup.subtree_control
mkdir "$cg"
base=$(cat "$cg/memory.current")
got=$(sh -c "echo \$\$ > $cg/cgroup.procs &&
	     exec ip netns exec bpfh-memcg '$probe' add-counters")
check "ADD_COUNTERS from the cgroup succeeds ($got)" test "$got" = 0
added=$(( $(stat kept_bytes) - kept_before ))
charged=$(( $(cat "$cg/memory.current") - base ))
check "the module keeps the counters ($added bytes)" test "$added" -ge 320000
check "the cgroup still pays for them after its process exited (charged $charged bytes)" \
	test "$charged" -ge "$added"
ip netns del bpfh-memcg
check "deleting the namespace frees them" \
	wait_for 20 sh -c "test \$(( \$(cat $cg/memory.current) - $base )) -lt $((added / 2))"
rmdir "$cg"
check "rmmod bpfilter" rmmod bpfilter
