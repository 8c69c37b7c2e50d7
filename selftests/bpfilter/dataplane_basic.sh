#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The data plane judges and counts packets as x_tables does, on one link.
#
# Per side (bpf: iptables-legacy, i.e. bpfilter; nft: the iptables-nft
# oracle): a sender A (192.0.2.1, .70, .200 on va) and a receiver B
# (192.0.2.250, .251 on vb) joined by a veth pair.  B's INPUT and OUTPUT
# and A's INPUT and OUTPUT hold rules covering -s/-d with masks, -p
# tcp/udp/icmp with ports, flags and types, -i/-o with and without '+',
# '!' inversions, user chains entered with -j (RETURN back into INPUT)
# and -g (RETURN to the policy), and INPUT policy DROP.  Known numbers of
# UDP datagrams, TCP SYNs and ICMP messages go from A to B (and over B's
# lo); B answers SYNs with RSTs and echo requests with replies.
# Asserted: what arrived (per UDP port; TCP and ICMP from /proc/net/snmp)
# is what x_tables delivers (worked out by hand below) on both sides;
# the oracle's packet counters are x_tables' (by hand); every entry's
# packet and byte counters in both namespaces equal the oracle's.
#
# ICMP types and codes (-m icmp): the guest's nf_tables cannot be the
# oracle there (iptables-nft 1.8.9 needs the xt "icmp" match, which lives
# in ip_tables.ko, absent from this kernel on purpose), so a pair E/F on
# the bpf side alone is checked against x_tables' counters worked out by
# hand (DP_XTABLES=1 on a host checks those numbers against x_tables).
#
# Then a namespace whose table was only read (iptables -L) gets traffic:
# x_tables instantiates the table and its hooks on that first access, so
# its policies count every packet (exact numbers by hand).
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_basic
rm -rf "$out"
mkdir -p "$out"
p=bpfd-basic

rules_b='*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:icmpchk - [0:0]
:tcpchk - [0:0]
:udpchk - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT ! -i vb+ -j DROP
-A INPUT -s 192.0.2.200/32 -p udp -j DROP
-A INPUT -p udp -j udpchk
-A INPUT -p udp -m udp --dport 9002 -j ACCEPT
-A INPUT -p tcp -g tcpchk
-A INPUT -p tcp -j ACCEPT
-A INPUT -i vb -p icmp -j icmpchk
-A INPUT -s 192.0.2.0/25 -p icmp -j ACCEPT
-A OUTPUT -o lo -j ACCEPT
-A OUTPUT -o vb -p tcp -m tcp --tcp-flags RST RST -j ACCEPT
-A OUTPUT -d 192.0.2.128/25 -o vb+ -p icmp -j ACCEPT
-A OUTPUT ! -d 192.0.2.128/25 -p icmp -j ACCEPT
-A icmpchk -s 192.0.2.64/26 -d 192.0.2.251/32 -p icmp -j DROP
-A icmpchk ! -s 192.0.2.64/26 -d 192.0.2.250/32 -p icmp -j ACCEPT
-A icmpchk -p icmp -j RETURN
-A tcpchk -p tcp -m tcp --dport 7001 -j ACCEPT
-A tcpchk -p tcp -m tcp --dport 7002:7003 --syn -j RETURN
-A tcpchk -p tcp -m tcp ! --dport 7004 -j ACCEPT
-A udpchk -s 192.0.2.0/26 -p udp -m udp --dport 9001 -j ACCEPT
-A udpchk -p udp -m udp --dport 9002 -j RETURN
-A udpchk -d 192.0.2.251/32 -p udp -j DROP
-A udpchk -p udp -m udp --sport 5000:5001 -j ACCEPT
-A udpchk ! -s 192.0.2.64/26 -p udp -m udp ! --dport 9004 -j ACCEPT
COMMIT'

rules_a='*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -i va -p tcp -m tcp --tcp-flags SYN,RST,ACK RST,ACK -j ACCEPT
-A INPUT -d 192.0.2.128/25 -p icmp -j DROP
-A OUTPUT -o lo -j ACCEPT
-A OUTPUT -s 192.0.2.0/26 -d 192.0.2.251/32 -o va -p icmp -j DROP
-A OUTPUT ! -o va+ -j DROP
-A OUTPUT -s 192.0.2.128/25 -p udp -m udp --dport 9005 -j DROP
-A OUTPUT -o va+ -p udp -j ACCEPT
COMMIT'

# name kind source sport destination port/type count: what A sends (UDP
# and ICMP with 32 bytes of payload: 60-byte packets; SYNs 40 bytes).
flows='u1 udp 192.0.2.1 5000 192.0.2.250 9001 3
u2 udp 192.0.2.70 6000 192.0.2.250 9001 4
u3 udp 192.0.2.1 6000 192.0.2.251 9002 5
u4 udp 192.0.2.1 6000 192.0.2.251 9003 2
u5 udp 192.0.2.70 5001 192.0.2.250 9003 6
u6 udp 192.0.2.1 6000 192.0.2.250 9004 2
u7 udp 192.0.2.1 6000 192.0.2.250 9005 3
u8 udp 192.0.2.200 6000 192.0.2.250 9005 4
u9 udp 192.0.2.200 6000 192.0.2.250 9003 2
t1 syn 192.0.2.1 4000 192.0.2.250 7001 3
t2 syn 192.0.2.1 4000 192.0.2.250 7002 2
t3 syn 192.0.2.1 4000 192.0.2.250 7004 4
t4 syn 192.0.2.70 4000 192.0.2.251 7005 5
t5 syn 192.0.2.200 4000 192.0.2.250 7001 2
i1 icmp 192.0.2.1 0 192.0.2.250 8 3
i2 icmp 192.0.2.70 0 192.0.2.251 8 2
i3 icmp 192.0.2.70 0 192.0.2.250 17 3
i4 icmp 192.0.2.200 0 192.0.2.251 17 2
i5 icmp 192.0.2.200 0 192.0.2.250 8 2
i6 icmp 192.0.2.1 0 192.0.2.251 13 2'
# What x_tables does with them:
# u1 udpchk 1 ACCEPT; u2 falls through udpchk and INPUT: policy DROP;
# u3 udpchk RETURN, INPUT's --dport 9002 ACCEPT; u4 udpchk -d .251 DROP;
# u5 --sport ACCEPT; u6 the double inversion fails: policy DROP; u7 the
# double inversion ACCEPTs; u8 A's OUTPUT drops it (sendto: EPERM); u9
# INPUT's -s .200 DROP.  t1 tcpchk ACCEPT (RST back); t2 RETURN from a
# goto'd chain: policy DROP, not INPUT's next rule; t3 end of tcpchk:
# policy DROP; t4, t5 ! --dport 7004 ACCEPT.  i1 icmpchk ACCEPT (reply);
# i2 icmpchk DROP; i3 icmpchk RETURN, INPUT's -s 0/25 ACCEPT; i4 the
# same from .200: policy DROP; i5 ACCEPT, the reply dropped by A's
# INPUT; i6 A's OUTPUT drops it (EPERM).  B also sends itself 3
# datagrams over lo (port 9010, 44-byte packets).
expected='udp 9001 3
udp 9002 5
udp 9003 6
udp 9004 0
udp 9005 3
udp 9010 3
udp total 20
sent u8 0 4 0
sent i6 0 2 0
B Tcp InSegs 10
B Tcp OutRsts 10
B Icmp InEchos 5
B Icmp InAddrMasks 3
B Icmp OutEchoReps 5
A Tcp InSegs 10
A Icmp InEchoReps 3'

# B's and A's packet counters under x_tables, from the notes above.
b_packets='INPUT policy DROP 14
INPUT rule 1 3
INPUT rule 2 0
INPUT rule 3 2
INPUT rule 4 25
INPUT rule 5 5
INPUT rule 6 16
INPUT rule 7 0
INPUT rule 8 12
INPUT rule 9 3
FORWARD policy ACCEPT 0
OUTPUT policy ACCEPT 0
OUTPUT rule 1 3
OUTPUT rule 2 10
OUTPUT rule 3 2
OUTPUT rule 4 3
icmpchk rule 1 2
icmpchk rule 2 5
icmpchk rule 3 5
tcpchk rule 1 5
tcpchk rule 2 2
tcpchk rule 3 5
udpchk rule 1 3
udpchk rule 2 5
udpchk rule 3 2
udpchk rule 4 6
udpchk rule 5 3'
a_packets='INPUT policy ACCEPT 3
INPUT rule 1 10
INPUT rule 2 2
FORWARD policy DROP 0
OUTPUT policy ACCEPT 28
OUTPUT rule 1 0
OUTPUT rule 2 2
OUTPUT rule 3 0
OUTPUT rule 4 4
OUTPUT rule 5 27'

# The namespaces: per side A-B (the rules above), C-D (the listed
# table); E-F (ICMP types) on the bpf side only.
setup_all() {
	local s
	{
		for s in nft bpf; do
			echo "netns add $p-a-$s"
			echo "netns add $p-b-$s"
			echo "netns add $p-c-$s"
			echo "netns add $p-d-$s"
			echo "link add va netns $p-a-$s address 02:00:00:00:00:0a type veth peer name vb netns $p-b-$s address 02:00:00:00:00:0b"
			echo "link add vc netns $p-c-$s address 02:00:00:00:00:0c type veth peer name vd netns $p-d-$s address 02:00:00:00:00:0d"
		done
		echo "netns add $p-e-bpf"
		echo "netns add $p-f-bpf"
		echo "link add ve netns $p-e-bpf address 02:00:00:00:00:0e type veth peer name vf netns $p-f-bpf address 02:00:00:00:00:0f"
	} | dp_links || return 1
	for s in nft bpf; do
		dp_setup $p-a-$s 'addr add 192.0.2.1/24 dev va
addr add 192.0.2.70/24 dev va
addr add 192.0.2.200/24 dev va
link set dev va up
neigh replace 192.0.2.250 lladdr 02:00:00:00:00:0b dev va nud permanent
neigh replace 192.0.2.251 lladdr 02:00:00:00:00:0b dev va nud permanent' &&
		dp_setup $p-b-$s 'addr add 192.0.2.250/24 dev vb
addr add 192.0.2.251/24 dev vb
link set dev vb up
neigh replace 192.0.2.1 lladdr 02:00:00:00:00:0a dev vb nud permanent
neigh replace 192.0.2.70 lladdr 02:00:00:00:00:0a dev vb nud permanent
neigh replace 192.0.2.200 lladdr 02:00:00:00:00:0a dev vb nud permanent' &&
		dp_setup $p-c-$s 'addr add 198.51.100.1/24 dev vc
link set dev vc up
neigh replace 198.51.100.2 lladdr 02:00:00:00:00:0d dev vc nud permanent' &&
		dp_setup $p-d-$s 'addr add 198.51.100.2/24 dev vd
link set dev vd up
neigh replace 198.51.100.1 lladdr 02:00:00:00:00:0c dev vd nud permanent' ||
		return 1
	done
	dp_setup $p-e-bpf 'addr add 203.0.113.1/24 dev ve
link set dev ve up
neigh replace 203.0.113.2 lladdr 02:00:00:00:00:0f dev ve nud permanent' &&
	dp_setup $p-f-bpf 'addr add 203.0.113.2/24 dev vf
link set dev vf up
neigh replace 203.0.113.1 lladdr 02:00:00:00:00:0e dev vf nud permanent'
}

# run_side SIDE: load the rules, send every flow, record what arrived.
run_side() {
	local s=$1 a=$p-a-$1 b=$p-b-$1 r
	printf '%s\n' "$rules_b" | ipt_restore "$s" "$b" || return 1
	printf '%s\n' "$rules_a" | ipt_restore "$s" "$a" || return 1
	dp_recv_start "$b" 9001,9002,9003,9004,9005,9010 "$out/recv.$s" || return 1
	r=$dp_recv_pid
	printf '%s\n' "$flows" | awk '{ print $0, 32 }' |
		"$dp_tool" -n "$a" batch > "$out/send.$s" &&
	echo "lo udp 127.0.0.1 5000 127.0.0.1 9010 3 16" |
		"$dp_tool" -n "$b" batch >> "$out/send.$s"
	dp_recv_stop "$r"
}

# observed SIDE: the lines of $expected, as that side saw them.
observed() {
	local s=$1
	awk '{ print "udp", $1, $2 }' "$out/recv.$s"
	awk '$1 == "u8" || $1 == "i6" { print "sent", $1, $3, $5, $7 }' "$out/send.$s"
	dp_snmp $p-b-$s Tcp:InSegs Tcp:OutRsts Icmp:InEchos Icmp:InAddrMasks \
		Icmp:OutEchoReps | sed 's/^/B /'
	dp_snmp $p-a-$s Tcp:InSegs Icmp:InEchoReps | sed 's/^/A /'
}

dp_begin $p
check "namespaces and links (10 namespaces)" setup_all
printf '%s\n' "$expected" > "$out/expected"
for s in nft bpf; do
	check "$s: rules load, traffic runs" run_side $s
	observed $s > "$out/observed.$s"
done

check "nft (oracle): delivered and refused as x_tables does" \
	dp_diff "$out/expected" "$out/observed.nft"
check "bpf: delivered and refused as x_tables does" \
	dp_diff "$out/expected" "$out/observed.bpf"
for ns in b a; do
	dp_counters nft $p-$ns-nft > "$out/counters.$ns.nft"
	dp_counters bpf $p-$ns-bpf > "$out/counters.$ns.bpf"
done
# The oracle is x_tables: its packet counts, by hand from the notes above.
printf '%s\n' "$b_packets" | sort > "$out/packets.b.expected"
printf '%s\n' "$a_packets" | sort > "$out/packets.a.expected"
awk '{ NF--; print }' "$out/counters.b.nft" > "$out/packets.b.nft"
awk '{ NF--; print }' "$out/counters.a.nft" > "$out/packets.a.nft"
check "nft (oracle): B's packet counters are x_tables'" \
	dp_diff "$out/packets.b.expected" "$out/packets.b.nft"
check "nft (oracle): A's packet counters are x_tables'" \
	dp_diff "$out/packets.a.expected" "$out/packets.a.nft"
check "bpf: receiver B's counters (INPUT, OUTPUT, user chains) equal the oracle's" \
	dp_diff "$out/counters.b.nft" "$out/counters.b.bpf"
check "bpf: sender A's counters (INPUT, OUTPUT) equal the oracle's" \
	dp_diff "$out/counters.a.nft" "$out/counters.a.bpf"

# ICMP types and codes, bpf side only (see the top).  E (203.0.113.1)
# sends F (203.0.113.2) echo requests (3), address mask requests (2),
# timestamp requests (2, dropped by E's OUTPUT), unsolicited echo
# replies (2), destination unreachables code 0 (2) and code 1 (2), all
# 60 bytes, and UDP to a closed port (2 x 44 bytes; F answers with port
# unreachables, 72 bytes).
rules_f='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:types - [0:0]
-A INPUT -p icmp -j types
-A INPUT -p udp -j ACCEPT
-A OUTPUT -p icmp -m icmp --icmp-type 3/3 -j ACCEPT
-A OUTPUT -p icmp -m icmp --icmp-type 0/0 -j ACCEPT
-A OUTPUT -p icmp -m icmp --icmp-type 3 -j DROP
-A types -p icmp -m icmp --icmp-type 8 -j ACCEPT
-A types -p icmp -m icmp --icmp-type 3/1 -j DROP
-A types -p icmp -m icmp --icmp-type 3 -j ACCEPT
-A types -p icmp -m icmp ! --icmp-type 17 -j DROP
-A types -p icmp -m icmp --icmp-type any -j RETURN
COMMIT'
rules_e='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p icmp -m icmp --icmp-type 0 -j ACCEPT
-A INPUT -p icmp -m icmp --icmp-type 3 -j ACCEPT
-A OUTPUT -p icmp -m icmp --icmp-type 13 -j DROP
COMMIT'
# The types chain: echo ACCEPT (3); 3/1 DROP (2); 3/0 ACCEPT (2); the
# echo replies DROP (2); mask requests RETURN (2) to the policy.
types_expected='E FORWARD policy ACCEPT 0 0
E INPUT policy ACCEPT 0 0
E INPUT rule 1 3 180
E INPUT rule 2 2 144
E OUTPUT policy ACCEPT 13 748
E OUTPUT rule 1 2 120
F FORWARD policy ACCEPT 0 0
F INPUT policy ACCEPT 2 120
F INPUT rule 1 11 660
F INPUT rule 2 2 88
F OUTPUT policy ACCEPT 0 0
F OUTPUT rule 1 2 144
F OUTPUT rule 2 3 180
F OUTPUT rule 3 0 0
F types rule 1 3 180
F types rule 2 2 120
F types rule 3 2 120
F types rule 4 2 120
F types rule 5 2 120
F Icmp InEchos 3
F Icmp InAddrMasks 2
F Icmp InDestUnreachs 2
E Icmp InEchoReps 3
E Icmp InDestUnreachs 2'
icmp_types() {
	printf '%s\n' "$rules_f" | ipt_restore bpf $p-f-bpf &&
	printf '%s\n' "$rules_e" | ipt_restore bpf $p-e-bpf &&
	"$dp_tool" -n $p-e-bpf batch > /dev/null <<EOF
echo icmp - 0 203.0.113.2 8 3 32
mask icmp - 0 203.0.113.2 17 2 32
timestamp icmp - 0 203.0.113.2 13 2 32
reply icmp - 0 203.0.113.2 0 2 32
unreach0 icmp - 0 203.0.113.2 3 2 32
unreach1 icmp - 1 203.0.113.2 3 2 32
closed udp - 0 203.0.113.2 9999 2 16
EOF
}
types_observed() {
	dp_counters bpf $p-e-bpf | sed 's/^/E /'
	dp_counters bpf $p-f-bpf | sed 's/^/F /'
	dp_snmp $p-f-bpf Icmp:InEchos Icmp:InAddrMasks Icmp:InDestUnreachs |
		sed 's/^/F /'
	dp_snmp $p-e-bpf Icmp:InEchoReps Icmp:InDestUnreachs | sed 's/^/E /'
}
check "bpf: ICMP type/code rules load, traffic runs" icmp_types
printf '%s\n' "$types_expected" > "$out/types.expected"
types_observed > "$out/types.bpf"
check "bpf: --icmp-type with and without codes, '!', 'any': x_tables' counters and deliveries" \
	dp_diff "$out/types.expected" "$out/types.bpf"

# A table that was only read: its hooks are there, its policies count.
# UDP to a closed port (4 x 44 bytes; D answers with port unreachables,
# 4 x 72 bytes) and echo requests (3 x 84 bytes, 3 replies).
empty_side() {
	local s=$1
	case $s in
	bpf) ipt bpf $p-d-bpf -L -n > /dev/null ;;
	# iptables-nft -L creates nothing: the chains x_tables would have.
	nft) printf '*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n' |
		ipt_restore nft $p-d-nft ;;
	esac || return 1
	"$dp_tool" -n $p-c-$s batch > /dev/null <<EOF
closed udp - 0 198.51.100.2 9999 4 16
echo icmp - 0 198.51.100.2 8 3 56
EOF
}
empty_expected='FORWARD policy ACCEPT 0 0
INPUT policy ACCEPT 7 428
OUTPUT policy ACCEPT 7 540
Icmp InDestUnreachs 4
Icmp InEchoReps 3'
printf '%s\n' "$empty_expected" > "$out/empty.expected"
for s in nft bpf; do
	check "$s: a table only listed, then traffic" empty_side $s
	{
		dp_counters $s $p-d-$s
		dp_snmp $p-c-$s Icmp:InDestUnreachs Icmp:InEchoReps
	} > "$out/empty.$s"
done
check "nft (oracle): policies count 7 packets in, 7 out; the replies arrive" \
	dp_diff "$out/empty.expected" "$out/empty.nft"
check "bpf: a table only listed (iptables -L) counts 7 packets in, 7 out on its policies; the replies arrive" \
	dp_diff "$out/empty.expected" "$out/empty.bpf"
dp_end
