#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The data plane on a router: INPUT, FORWARD and OUTPUT each see exactly
# the packets netfilter gives them, as x_tables judges and counts them.
#
# Per side (bpf: iptables-legacy, i.e. bpfilter; nft: the iptables-nft
# oracle):
#
#   C 198.51.100.1 (vc) --- (vr0) 198.51.100.254  R  203.0.113.254 (vr1) --- (vs) 203.0.113.1 S
#                                  192.0.2.254 (vx1, created later) --- (vxp) 192.0.2.1 X
#
# R forwards (ip_forward=1) and holds rules in INPUT, FORWARD (policy
# DROP) and OUTPUT.  Traffic to R itself (UDP, SYNs: R answers with
# RSTs), through R both ways (UDP, SYNs and S's RSTs, echo requests and
# replies) and from R (UDP to C, and to S which OUTPUT drops: EPERM).
# Then vx1 and X are created, after the rule "-A FORWARD -i vx+ -j DROP":
# X's datagrams to S are dropped by that rule (matched by name at packet
# time), its datagrams to R pass INPUT.  Asserted: what each namespace
# got is what x_tables delivers (by hand below), on both sides; the
# oracle's packet counters in R are x_tables' (by hand); every entry's
# packet and byte counters in R equal the oracle's.
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_router
rm -rf "$out"
mkdir -p "$out"
p=bpfd-router

rules_r='*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i vr0 -p udp -m udp --dport 9001 -j ACCEPT
-A INPUT -i vr+ -p udp -j DROP
-A INPUT -p tcp -j ACCEPT
-A FORWARD -i vr0 -o vr1 -p udp -m udp --dport 9002 -j ACCEPT
-A FORWARD -i vr1 -o vr0 -p udp -j ACCEPT
-A FORWARD -i vr0 -p udp -m udp --dport 9003 -j DROP
-A FORWARD -i vx+ -j DROP
-A FORWARD -p tcp -j ACCEPT
-A FORWARD -s 198.51.100.0/24 -d 203.0.113.0/24 -p icmp -j ACCEPT
-A FORWARD -d 198.51.100.0/24 -p icmp -j ACCEPT
-A OUTPUT -o vr0 -p tcp -j ACCEPT
-A OUTPUT -o vr1 -p udp -j DROP
COMMIT'

# What x_tables does with the traffic below: to R: 9001 INPUT 1 (3),
# 9005 INPUT 2 (2), SYNs INPUT 3 (3), whose RSTs OUTPUT 1 (3).  Through
# R: 9002 FORWARD 1 (4), S's 9010 FORWARD 2 (2), 9003 FORWARD 3 (2),
# 9004 the policy (3), SYNs to S and S's RSTs FORWARD 5 (2 + 2), echo
# requests FORWARD 6 (2), replies FORWARD 7 (2).  From R: to S OUTPUT 2
# (3, EPERM), to C the policy (2).  From X: to S FORWARD 4 (3), to R the
# INPUT policy (2).
r_packets='FORWARD policy DROP 3
FORWARD rule 1 4
FORWARD rule 2 2
FORWARD rule 3 2
FORWARD rule 4 3
FORWARD rule 5 4
FORWARD rule 6 2
FORWARD rule 7 2
INPUT policy ACCEPT 2
INPUT rule 1 3
INPUT rule 2 2
INPUT rule 3 3
OUTPUT policy ACCEPT 2
OUTPUT rule 1 3
OUTPUT rule 2 3'
expected='R 9001 5
R 9005 0
S 9002 4
S 9003 0
S 9004 0
C 9010 4
sent R-to-S 0 3 0
C Tcp InSegs 5
C Icmp InEchoReps 2
R Tcp InSegs 3
S Tcp InSegs 2
S Icmp InEchos 2'

setup_side() {
	dp_router $p-c-$1 $p-r-$1 $p-s-$1
}

# run_side SIDE: rules, traffic, the late interface and its traffic.
run_side() {
	local s=$1 c=$p-c-$1 r=$p-r-$1 sv=$p-s-$1 x=$p-x-$1 pr ps pc
	printf '%s\n' "$rules_r" | ipt_restore $s $r || return 1
	dp_recv_start $r 9001,9005 "$out/recv.r.$s" || return 1
	pr=$dp_recv_pid
	dp_recv_start $sv 9002,9003,9004 "$out/recv.s.$s" || return 1
	ps=$dp_recv_pid
	dp_recv_start $c 9010 "$out/recv.c.$s" || return 1
	pc=$dp_recv_pid
	"$dp_tool" -n $c batch > "$out/send.$s" <<EOF || return 1
C-to-R udp - 5000 198.51.100.254 9001 3 32
C-to-R-drop udp - 5000 198.51.100.254 9005 2 32
C-to-R-syn syn 198.51.100.1 4000 198.51.100.254 7001 3 0
C-to-S udp - 5000 203.0.113.1 9002 4 32
C-to-S-drop udp - 5000 203.0.113.1 9003 2 32
C-to-S-policy udp - 5000 203.0.113.1 9004 3 32
C-to-S-syn syn 198.51.100.1 4000 203.0.113.1 7002 2 0
C-to-S-echo icmp - 0 203.0.113.1 8 2 32
EOF
	echo "S-to-C udp - 5000 198.51.100.1 9010 2 32" |
		"$dp_tool" -n $sv batch >> "$out/send.$s" &&
	printf '%s\n' "R-to-S udp - 5000 203.0.113.1 9002 3 32" \
		"R-to-C udp - 5000 198.51.100.1 9010 2 32" |
		"$dp_tool" -n $r batch >> "$out/send.$s" || return 1

	# The interface the FORWARD rule "-i vx+" names, created now.
	printf '%s\n' "netns add $x" \
		"link add vxp netns $x address 02:00:00:00:01:0d type veth peer name vx1 netns $r address 02:00:00:00:01:02" |
		dp_links &&
	dp_setup $x 'addr add 192.0.2.1/24 dev vxp
link set dev vxp up
neigh replace 192.0.2.254 lladdr 02:00:00:00:01:02 dev vxp nud permanent
route add default via 192.0.2.254' &&
	dp_ip $r <<EOF &&
addr add 192.0.2.254/24 dev vx1
link set dev vx1 up
neigh replace 192.0.2.1 lladdr 02:00:00:00:01:0d dev vx1 nud permanent
EOF
	"$dp_tool" -n $x batch >> "$out/send.$s" <<EOF || return 1
X-to-S udp - 5000 203.0.113.1 9002 3 32
X-to-R udp - 5000 192.0.2.254 9001 2 32
EOF
	dp_recv_stop $pr
	dp_recv_stop $ps
	dp_recv_stop $pc
}

observed() {
	local s=$1
	awk '$1 != "total" { print "R", $1, $2 }' "$out/recv.r.$s"
	awk '$1 != "total" { print "S", $1, $2 }' "$out/recv.s.$s"
	awk '$1 != "total" { print "C", $1, $2 }' "$out/recv.c.$s"
	awk '$1 == "R-to-S" { print "sent", $1, $3, $5, $7 }' "$out/send.$s"
	dp_snmp $p-c-$s Tcp:InSegs Icmp:InEchoReps | sed 's/^/C /'
	dp_snmp $p-r-$s Tcp:InSegs | sed 's/^/R /'
	dp_snmp $p-s-$s Tcp:InSegs Icmp:InEchos | sed 's/^/S /'
}

dp_begin $p
printf '%s\n' "$expected" > "$out/expected"
printf '%s\n' "$r_packets" | sort > "$out/packets.expected"
for s in nft bpf; do
	check "$s: client, router, server namespaces" setup_side $s
	check "$s: rules load, traffic to, through and from the router runs" \
		run_side $s
	observed $s > "$out/observed.$s"
	dp_counters $s $p-r-$s > "$out/counters.$s"
done
awk '{ NF--; print }' "$out/counters.nft" > "$out/packets.nft"

check "nft (oracle): delivered and refused as x_tables does" \
	dp_diff "$out/expected" "$out/observed.nft"
check "nft (oracle): the router's packet counters are x_tables'" \
	dp_diff "$out/packets.expected" "$out/packets.nft"
check "bpf: delivered and refused as x_tables does (to, through, from the router; an interface created after its rule)" \
	dp_diff "$out/expected" "$out/observed.bpf"
for chain in INPUT FORWARD OUTPUT; do
	grep "^$chain " "$out/counters.nft" > "$out/$chain.nft"
	grep "^$chain " "$out/counters.bpf" > "$out/$chain.bpf"
	check "bpf: the router's $chain counters equal the oracle's" \
		dp_diff "$out/$chain.nft" "$out/$chain.bpf"
done
check "bpf: the rule naming an interface created after it counted its packets (-i vx+: $(dp_counter "$out/counters.bpf" FORWARD 4))" \
	test "$(dp_counter "$out/counters.bpf" FORWARD 4)" = "$(dp_counter "$out/counters.nft" FORWARD 4)"
dp_end
