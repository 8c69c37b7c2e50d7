#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The header and skb matches in bpfilter.ko's programs against the
# iptables-nft oracle (bpf: iptables-legacy; nft: iptables-nft): length,
# ttl, tos, dscp (and classes), iprange, pkttype and mark, each plain
# and inverted, as counting rules in H's INPUT and OUTPUT.
#
# Per side, P (192.0.2.1 and .20, vp) and H (192.0.2.2, vh), fixed
# MACs, multicast routed.  P sends datagrams of several lengths, TTLs
# and TOS bytes, from inside and outside an address range, to H, to the
# link's broadcast and to 224.0.0.1; H sends datagrams with several
# SO_MARKs.  (The host check, nf-diff against x_tables, covers these
# matches on crafted packets; this one runs the module's SCHED_CLS
# programs on real ones.)
# Asserted: every counter equal to the oracle's, and each rule counting
# what the traffic was made to give it (so that no rule is vacuous).
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_matches
rm -rf "$out"
mkdir -p "$out"
p=bpfd-mt
ctprobe=$(dirname "$BPFILTER_PROBE")/ctprobe

rules_h='*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m length --length 0:100
-A INPUT -p udp -m length ! --length 100:65535
-A INPUT -p udp -m length --length 228
-A INPUT -p udp -m ttl --ttl-eq 64
-A INPUT -p udp -m ttl --ttl-lt 10
-A INPUT -p udp -m ttl --ttl-gt 200
-A INPUT -p udp -m ttl ! --ttl-eq 64
-A INPUT -p udp -m tos --tos 0x10/0x3f
-A INPUT -p udp -m tos ! --tos 0x08/0x08
-A INPUT -p udp -m dscp --dscp 10
-A INPUT -p udp -m dscp --dscp-class EF
-A INPUT -p udp -m dscp ! --dscp 0
-A INPUT -p udp -m iprange --src-range 192.0.2.1-192.0.2.10
-A INPUT -p udp -m iprange ! --src-range 192.0.2.1-192.0.2.10 --dst-range 192.0.2.0-192.0.2.255
-A INPUT -p udp -m iprange ! --dst-range 192.0.2.2-192.0.2.2
-A INPUT -p udp -m pkttype --pkt-type unicast
-A INPUT -p udp -m pkttype --pkt-type broadcast
-A INPUT -p udp -m pkttype --pkt-type multicast
-A INPUT -p udp -m pkttype ! --pkt-type unicast
-A INPUT -p udp -m mark --mark 0
-A OUTPUT -p udp -m mark --mark 0x7/0xf
-A OUTPUT -p udp -m mark ! --mark 0x7
-A OUTPUT -p udp -m mark --mark 0x17
COMMIT'

# Packets each rule above must count, in order (INPUT 1..20, OUTPUT
# 1..3), worked out from the flows in run_side: 16 reach H's INPUT, 14
# of 60 bytes and f2's two of 228; TTL 64 for all but f2 (5), f3 (250)
# and f8 (1); TOS bit 0x08 set in f4 (0x28) and f5 (0xb8); DSCP 10 in
# f4, EF in f5, 4 in f3; f6 from outside the range; f7 broadcast and f8
# multicast; no mark on what P sends.
expected='INPUT rule 1 14
INPUT rule 2 14
INPUT rule 3 2
INPUT rule 4 10
INPUT rule 5 4
INPUT rule 6 2
INPUT rule 7 6
INPUT rule 8 2
INPUT rule 9 13
INPUT rule 10 2
INPUT rule 11 1
INPUT rule 12 5
INPUT rule 13 14
INPUT rule 14 2
INPUT rule 15 4
INPUT rule 16 12
INPUT rule 17 2
INPUT rule 18 2
INPUT rule 19 4
INPUT rule 20 16
OUTPUT rule 1 3
OUTPUT rule 2 2
OUTPUT rule 3 1'

setup_side() {
	dp_pair $p-h-$1 $p-p-$1 '' 'addr add 192.0.2.20/24 dev vp
route add 224.0.0.0/4 dev vp'
}

# From P (all 60 bytes but f2's 228): f1 3 plain; f2 2 long with TTL
# 5; f3 2 with TTL 250 and TOS 0x10; f4 2 with DSCP 10 (TOS 0x28); f5 1
# with EF (TOS 0xb8); f6 2 from .20; f7 2 to the broadcast; f8 2 to
# 224.0.0.1 (TTL 1).  From H: 2 marked 0x7, 1 marked 0x17, 1 unmarked.
run_side() {
	local s=$1 h=$p-h-$1 v=$p-p-$1
	printf '%s\n' "$rules_h" | ipt_restore "$s" "$h" || return 1
	{
		"$ctprobe" -n "$v" dgram -s 192.0.2.1 -S 5000 -d 192.0.2.2 -p 7001 -c 3
		"$ctprobe" -n "$v" dgram -s 192.0.2.1 -S 5001 -d 192.0.2.2 -p 7002 -c 2 -l 200 -T 5
		"$ctprobe" -n "$v" dgram -s 192.0.2.1 -S 5002 -d 192.0.2.2 -p 7003 -c 2 -T 250 -Q 0x10
		"$ctprobe" -n "$v" dgram -s 192.0.2.1 -S 5003 -d 192.0.2.2 -p 7004 -c 2 -Q 0x28
		"$ctprobe" -n "$v" dgram -s 192.0.2.1 -S 5004 -d 192.0.2.2 -p 7005 -c 1 -Q 0xb8
		"$ctprobe" -n "$v" dgram -s 192.0.2.20 -S 5005 -d 192.0.2.2 -p 7006 -c 2
		"$ctprobe" -n "$v" dgram -s 192.0.2.1 -S 5006 -d 192.0.2.255 -p 7007 -c 2
		"$ctprobe" -n "$v" dgram -s 192.0.2.1 -S 5007 -d 224.0.0.1 -p 7008 -c 2 -T 1
		"$ctprobe" -n "$h" dgram -s 192.0.2.2 -S 5008 -d 192.0.2.1 -p 7009 -c 2 -M 0x7
		"$ctprobe" -n "$h" dgram -s 192.0.2.2 -S 5009 -d 192.0.2.1 -p 7010 -c 1 -M 0x17
		"$ctprobe" -n "$h" dgram -s 192.0.2.2 -S 5010 -d 192.0.2.1 -p 7011 -c 1
	} > "$out/send.$s"
	sleep 0.5
}

dp_begin $p
for s in nft bpf; do
	check "$s: namespaces and links" setup_side $s
done
for s in nft bpf; do
	check "$s: rules load, datagrams sent" run_side $s
	check "$s: every datagram left" \
		awk '$6 == 0 { n += $4 } END { exit n != 20 }' "$out/send.$s"
done
printf '%s\n' "$expected" | sort > "$out/expected"
for s in nft bpf; do
	dp_counters $s $p-h-$s > "$out/counters.$s"
	awk '$2 == "rule" { print $1, $2, $3, $4 }' "$out/counters.$s" |
		sort > "$out/packets.$s"
done
check "nft (oracle): each rule counts what x_tables counts" \
	dp_diff "$out/expected" "$out/packets.nft"
check "bpf: each rule counts what x_tables counts" \
	dp_diff "$out/expected" "$out/packets.bpf"
check "bpf: every entry's packet and byte counters are the oracle's" \
	dp_diff "$out/counters.nft" "$out/counters.bpf"
dp_end
