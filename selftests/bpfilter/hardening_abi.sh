#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Corners of the sockopt ABI: a SET_REPLACE whose old counters cannot be
# written back still succeeds, as with x_tables (the new table is in
# force); 32-bit callers, whose structures bpfilter does not translate,
# are refused with EOPNOTSUPP and one log line.
. "$(dirname "$0")/lib.sh"

probes=$(dirname "${BPFILTER_PROBE:?}")

unload_bpfilter
modprobe bpfilter
ip netns add bpfh-abi
check "SET_REPLACE with an unwritable counters array succeeds, as x_tables" \
	sh -c "test \"\$(ip netns exec bpfh-abi '$probes/hardening_probe' bad-counters)\" = 0"
check "the new table is in force" \
	sh -c "ip netns exec bpfh-abi iptables-legacy -w -S INPUT | grep -qx -- '-A INPUT -j DROP'"
check "the failed copy is logged" \
	sh -c "dmesg | grep -q 'counters copy to user failed while replacing table'"

check "a 64-bit caller is served" \
	sh -c "test \"\$(ip netns exec bpfh-abi '$probes/hardening_probe' info)\" = 0"
check "a 32-bit caller gets EOPNOTSUPP" \
	sh -c "test \"\$(ip netns exec bpfh-abi '$probes/hardening_probe32' info)\" = EOPNOTSUPP"
check "the refusal is logged, naming the caller" \
	sh -c "dmesg | grep -q '32-bit iptables (compat) is not supported, use a 64-bit one: hardening_probe'"
ip netns del bpfh-abi
check "rmmod bpfilter" rmmod bpfilter
