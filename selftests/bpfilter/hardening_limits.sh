#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What a caller makes bpfilter spend is bounded and borne by the caller:
# an oversized table is refused before it is copied, a hung helper is
# found however large a buffer the caller offers, and one user cannot
# make the helper hold state for unbounded numbers of namespaces.
. "$(dirname "$0")/lib.sh"

probe=$(dirname "${BPFILTER_PROBE:?}")/hardening_probe
stat() { awk -v k="$1" '$1 == k { print $2 }' /sys/module/bpfilter/parameters/stats; }
hwm_kb() { awk '$1 == "VmHWM:" { print $2 }' "/proc/$1/status"; }
user1000="setpriv --reuid=1000 --regid=1000 --clear-groups"

unload_bpfilter
modprobe bpfilter timeout_ms=1000 max_netns_per_user=2

# Over the per-namespace cap (64 MiB): ENOMEM, where x_tables' allocation
# would fail, without the bytes reaching the helper.
pid=$(helper_pid)
hwm=$(hwm_kb "$pid")
check "a 200 MiB table gets ENOMEM" \
	sh -c "test \"\$('$probe' oversize 200)\" = ENOMEM"
check "the module refused it before copying (kernel log)" \
	sh -c "dmesg | grep -q 'a 209715200 byte table is over the'"
check "the helper never held it (peak RSS $hwm kB before, $(hwm_kb "$pid") kB after)" \
	test "$(( $(hwm_kb "$pid") - hwm ))" -lt 10240

# A stopped helper and a caller offering a 2 GiB buffer: the deadline is
# the base timeout plus the bytes actually moved, not the offer.
iptables-legacy -w -L -n > /dev/null
old=$(helper_pid)
kill -STOP "$old"
started=$(date +%s)
check "GET_ENTRIES with optlen INT_MAX on a hung helper is answered" \
	timeout 60 "$probe" huge-get
took=$(( $(date +%s) - started ))
check "within the base timeout, not hours ($took s)" test "$took" -lt 30
check "the hung helper was replaced" \
	sh -c "test \"$(helper_pid)\" != '$old' && dmesg | grep -q 'helper pid $old did not answer'"

# Two namespaces of user 1000 hold tables; a third is refused with
# ENOMEM until one of them is gone.  The host's own namespaces are not
# counted.
rm -f /tmp/limit-*
for n in 1 2; do
	$user1000 unshare -Urn sh -c "iptables-legacy -w -S > /tmp/limit-$n 2>&1; exec sleep 300" 2>/dev/null &
	eval "holder$n=\$!"
done
check "two namespaces of one user are served" \
	wait_for 20 sh -c 'grep -q "^-P INPUT" /tmp/limit-1 && grep -q "^-P INPUT" /tmp/limit-2'
$user1000 unshare -Urn iptables-legacy -w -S > /tmp/limit-3 2>&1
check "a third namespace of the same user gets ENOMEM ($(head -n 1 /tmp/limit-3))" \
	grep -q 'Memory allocation problem' /tmp/limit-3
check "the kernel log names the limit" \
	sh -c "dmesg | grep -q 'user 1000 already has 2 network namespaces with tables (max_netns_per_user)'"
check "another user's namespace is served" \
	setpriv --reuid=1001 --regid=1001 --clear-groups unshare -Urn iptables-legacy -w -S
check "the host's namespaces are not counted" \
	unshare -n iptables-legacy -w -S
kill "$holder1"
wait "$holder1" 2>/dev/null
check "once one is gone, the user gets a namespace again" \
	wait_for 20 $user1000 unshare -Urn iptables-legacy -w -S
kill "$holder2"
wait "$holder2" 2>/dev/null
check "rmmod bpfilter" rmmod bpfilter
