#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# REJECT sends what ipt_REJECT sends: the scenarios of reject_lib.sh
# (UDP, TCP and ICMP probes against every --reject-with type in INPUT;
# then a router's REJECTs in FORWARD and OUTPUT) through bpfilter,
# compared byte for byte with x_tables' replies and counters,
# recorded on the host by reject-reference.sh (IP ids and checksums
# aside: ctprobe zeroes them).  A deliberately wrong code, or a reset
# for an ICMP type, shows as a differing line.
. "$(dirname "$0")/dataplane_lib.sh"
. "$(dirname "$0")/reject_lib.sh"

out=/tmp/dataplane_reject
rm -rf "$out"
mkdir -p "$out"
ctprobe=$(dirname "$BPFILTER_PROBE")/ctprobe

dp_begin bpfd-rej
check "the x_tables reference exists" test -s "$BPFILTER_REF/reject"
check "the REJECT scenarios run through bpfilter" \
	reject_run bpfd-rej iptables-legacy-restore iptables-legacy-save \
	"$ctprobe" "$out/bpf"
check "every probe got x_tables' reply, and every counter is x_tables'" \
	diff -u "$BPFILTER_REF/reject" "$out/bpf"
dp_end
