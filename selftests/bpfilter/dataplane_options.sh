#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The options only bpfilter.ko's programs and hook implement (the
# netfilter-link flavour the host tests run has no metadata), and the
# packet forms the hook must parse as x_tables does, each on real
# packets, against the iptables-nft oracle and against what x_tables
# gives (by hand below; DP_XTABLES=1 checks those numbers on a host).
#
#   C 198.51.100.1 (vc) --- (vr0) R (vr1) --- (vs) 203.0.113.1 S
#                                               203.0.113.77 on S's lo
#
# R forwards and has no connection tracking, so FORWARD and OUTPUT see
# fragments as they are (INPUT reassembles; only -f and the first
# fragment's ports are left to match).  R's rules: -f, ports behind IP
# options, multiport with several ports and ranges (--dports, ! --dports,
# --ports, --sports), -p udplite and -p dccp, --tcp-option (plain,
# inverted, with --syn), LOG --log-tcp-sequence --log-tcp-options of
# segments with fixed sequence numbers, LOG --log-ip-options
# --log-macdecode, and in OUTPUT a TCP stream's non-linear GSO packets.
# (REJECT in FORWARD and OUTPUT: dataplane_reject.sh, against x_tables'
# recorded replies; iptables-nft cannot REJECT in the guest.)
# S's rules: --ctreplsrcport and --ctrepldstport, the inversions of
# --ctproto, --ctorig*, --ctrepl*, --ctstatus, --ctexpire, ! --state,
# MARK and CONNMARK --set-xmark with values outside their masks,
# connmark !, CONNMARK --restore-mark --right-shift-mark, and addrtype's
# --limit-iface-in (which changes the answer for the address on lo) and
# --limit-iface-out; a LOG of the record-route option R filled in
# (IPCB's options survive R's hook).
#
# Not here: --ctstate SNAT/DNAT (no nat table yet) and NFLOG's
# --nflog-threshold (dataplane_nflog.sh).
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_options
rm -rf "$out"
mkdir -p "$out"
p=bpfd-opt
ctprobe=$(dirname "$BPFILTER_PROBE")/ctprobe
craft="$(cd "$(dirname "$0")" && pwd)/pktcraft.py"
stream_bytes=2097152

rules_r='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:STREAM - [0:0]
-A FORWARD -f
-A FORWARD -p udp -m udp --dport 7001
-A FORWARD -p udp ! -f
-A FORWARD -p udp -m multiport --dports 7001,7003:7005,7010
-A FORWARD -p udp -m multiport ! --dports 7002,7004:7006
-A FORWARD -p udp -m multiport --ports 7003:7004,5005
-A FORWARD -p udp -m multiport --sports 5001:5003,5005
-A FORWARD -p udplite
-A FORWARD -p dccp
-A FORWARD -p tcp -m tcp --tcp-option 2
-A FORWARD -p tcp -m tcp ! --tcp-option 8
-A FORWARD -p tcp -m tcp --syn --tcp-option 4
-A FORWARD -p tcp -m multiport --ports 7050 -j LOG --log-prefix "opt-tcp: " --log-tcp-sequence --log-tcp-options
-A FORWARD -p udp -m udp --dport 7009 -j LOG --log-prefix "opt-ip: " --log-ip-options --log-macdecode
-A OUTPUT -f
-A OUTPUT -p udp -m udp --dport 7001
-A OUTPUT -p udp ! -f
-A OUTPUT -p udplite
-A OUTPUT -p tcp -m tcp --dport 7200 -j STREAM
-A STREAM -p tcp -m tcp --tcp-flags ACK ACK
-A STREAM -m length --length 1501:65535
COMMIT'

# What x_tables counts in R before the stream (the policies are compared
# with the oracle only).  FORWARD: the 3-fragment datagram's 2 later
# fragments (rule 1), its first and the datagram with IP options (2: both
# to 7001); 24 UDP packets that are no later fragment (3): those two, 2
# with record-route, 6 multiport probes, S's 3 flows' 7 datagrams and 7
# echoes; the multiport rules 6, 20, 3 and 4 of them (4-7; later
# fragments match no port); 2 UDP-Lite, 2 DCCP; MSS in the 2 SYNs with
# options (10); no timestamp option in those, the bare SYN and S's 4
# RSTs (11); SACK-permitted in the SYNs with options (12); 8 segments to
# or from 7050 logged (13), 2 datagrams to 7009 (14).  OUTPUT: R's
# 3-fragment datagram (2 later fragments, 1 first: 1-3) and 1 UDP-Lite.
r_packets='FORWARD rule 1 2
FORWARD rule 2 2
FORWARD rule 3 24
FORWARD rule 4 6
FORWARD rule 5 20
FORWARD rule 6 3
FORWARD rule 7 4
FORWARD rule 8 2
FORWARD rule 9 2
FORWARD rule 10 2
FORWARD rule 11 7
FORWARD rule 12 2
FORWARD rule 13 8
FORWARD rule 14 2
OUTPUT rule 1 2
OUTPUT rule 2 1
OUTPUT rule 3 1
OUTPUT rule 4 1'

rules_s='*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:CTT - [0:0]
-A INPUT -p udp -m udp --dport 7009 -j LOG --log-prefix "opt-rr: " --log-ip-options
-A INPUT -p udp -m udp --dport 7101:7103 -j CTT
-A CTT -m conntrack --ctreplsrcport 7101
-A CTT -m conntrack --ctrepldstport 5101
-A CTT -m conntrack ! --ctreplsrcport 7101
-A CTT -m conntrack ! --ctrepldstport 5101
-A CTT -m conntrack ! --ctproto udp
-A CTT -m conntrack ! --ctorigsrc 198.51.100.1
-A CTT -m conntrack ! --ctorigdst 203.0.113.1
-A CTT -m conntrack ! --ctreplsrc 203.0.113.1
-A CTT -m conntrack ! --ctrepldst 198.51.100.1
-A CTT -m conntrack ! --ctorigsrcport 5101
-A CTT -m conntrack ! --ctorigdstport 7101
-A CTT -m conntrack ! --ctstatus SEEN_REPLY
-A CTT -m conntrack --ctstate ESTABLISHED ! --ctexpire 0:10
-A CTT -m state ! --state NEW
-A CTT -m conntrack ! --ctstate NEW,ESTABLISHED
-A CTT -j MARK --set-mark 0x133
-A CTT -j MARK --set-xmark 0x105/0xf0
-A CTT -m mark --mark 0x6
-A CTT -m mark --mark 0x107
-A CTT -m connmark --mark 0x0 -j CONNMARK --set-mark 0x133
-A CTT -m connmark --mark 0x133 -j CONNMARK --set-xmark 0x105/0xf0
-A CTT -m connmark --mark 0x6
-A CTT -m connmark ! --mark 0x6
-A CTT -m connmark --mark 0x107
-A CTT -j CONNMARK --restore-mark --ctmask 0xff --nfmask 0xffffffff --right-shift-mark 1
-A CTT -m mark --mark 0x3
-A CTT -m addrtype --dst-type LOCAL
-A CTT -m addrtype --dst-type LOCAL --limit-iface-in
-A CTT -m addrtype ! --dst-type LOCAL --limit-iface-in
-A OUTPUT -p udp -m udp --sport 7101:7103 -m addrtype --src-type LOCAL --limit-iface-out
-A OUTPUT -p udp -m udp --sport 7101:7103 -m addrtype --src-type LOCAL
COMMIT'

# What x_tables counts in S.  Three echoed UDP flows from C: f1 to
# .1:7101 from 5101 (3 datagrams), f2 to .77:7102 (2), f3 to .1:7103
# (2); each flow's first datagram is NEW, the other 4 ESTABLISHED with
# SEEN_REPLY.  (No rule and its inversion may count alike, or a mutant
# ignoring the inversion would pass.)  CTT 1-4: f1 by its reply ports,
# and the others; 5, 6, 9: nothing; 7, 8: f2 (the address on lo); 10,
# 11: f2 and f3; 12: the first datagrams, 13, 14: the others; 15:
# nothing.  MARK 0x133 then --set-xmark 0x105/0xf0 gives (0x133 & ~0xf0)
# ^ 0x105 = 0x006 (an OR would give 0x107): 16-18 all, 19 none.
# CONNMARK the same on each flow's first datagram (20, 21), after which
# every datagram sees 0x6 (22; 23, 24 none); --restore-mark shifts it
# right by 1 into the mark, 0x3 (25, 26).  addrtype LOCAL: all (27); on
# the interface they came in by, only the 5 to .1 (28; 29 the 2 to
# .77).  OUTPUT: the 7 echoes are from local addresses; 5 are from one
# on vs, the interface they leave by.
s_packets='CTT rule 1 3
CTT rule 2 3
CTT rule 3 4
CTT rule 4 4
CTT rule 5 0
CTT rule 6 0
CTT rule 7 2
CTT rule 8 2
CTT rule 9 0
CTT rule 10 4
CTT rule 11 4
CTT rule 12 3
CTT rule 13 4
CTT rule 14 4
CTT rule 15 0
CTT rule 16 7
CTT rule 17 7
CTT rule 18 7
CTT rule 19 0
CTT rule 20 3
CTT rule 21 3
CTT rule 22 7
CTT rule 23 0
CTT rule 24 0
CTT rule 25 7
CTT rule 26 7
CTT rule 27 7
CTT rule 28 5
CTT rule 29 2
INPUT rule 1 2
INPUT rule 2 7
OUTPUT rule 1 5
OUTPUT rule 2 7'

# What each exchange ends with, as x_tables makes it end.
expected="C udp 7101 ok 3 refused 0 unreachable 0 timeout 0
C udp 7102 ok 2 refused 0 unreachable 0 timeout 0
C udp 7103 ok 2 refused 0 unreachable 0 timeout 0"
expected_stream="R stream 7200 sent $stream_bytes
S sink 7200 got $stream_bytes"

# Log lines: 8 segments to or from 7050 in R's FORWARD, the 2
# datagrams to 7009 there and in S's INPUT.
expected_logs='opt-ip: 2
opt-rr: 2
opt-tcp: 8'

# S has 203.0.113.77 on lo too, which R reaches through vr1.
setup_side() {
	dp_router $p-c-$1 $p-r-$1 $p-s-$1 'addr add 203.0.113.77/32 dev lo' \
		'neigh replace 203.0.113.77 lladdr 02:00:00:00:01:0e dev vr1 nud permanent'
}

# The hand-made packets from C: a datagram in 3 fragments, one with IP
# options (4 NOPs) and 2 with an empty record-route option, multiport
# probes, UDP-Lite, DCCP, and TCP segments with fixed sequence numbers
# to a closed port (S answers each with a RST): 2 SYNs with MSS and
# SACK-permitted, a bare SYN, an ACK with a timestamp.
c_packets='frag 1 dport=7001 len=1000 frags=3 id=0x101
opts 1 dport=7001 opts=01010101 id=0x102
rr 2 sport=5009 dport=7009 opts=070b040000000000000000 id=0x103
mp1 1 sport=5001 dport=7002
mp2 1 sport=5002 dport=7003
mp3 1 sport=5003 dport=7004
mp4 1 sport=5004 dport=7005
mp5 1 sport=5005 dport=7006
mp6 1 sport=5006 dport=7010
lite 2 proto=udplite sport=5011 dport=7011
dccp 2 proto=dccp sport=5012 dport=7012
syn-opts 2 proto=tcp flags=S sport=5050 dport=7050 seq=1000 len=0 tcpopts=020405b40402
syn-bare 1 proto=tcp flags=S sport=5051 dport=7050 seq=2000 len=0
ack-ts 1 proto=tcp flags=A sport=5052 dport=7050 seq=3000 ack=4000 len=0 tcpopts=0101080a0000000100000000'

# run_side SIDE: rules, S's servers, every exchange.
run_side() {
	local s=$1 c=$p-c-$1 r=$p-r-$1 sv=$p-s-$1 s1 s2
	printf '%s\n' "$rules_r" | ipt_restore $s $r &&
	printf '%s\n' "$rules_s" | ipt_restore $s $sv || return 1
	rm -f "$out"/ready.*
	"$ctprobe" -n $sv serve -a 203.0.113.1 -p 7101,7103 -R "$out/ready.1" > "$out/serve1.$s" &
	s1=$!
	"$ctprobe" -n $sv serve -a 203.0.113.77 -p 7102 -R "$out/ready.2" > "$out/serve2.$s" &
	s2=$!
	wait_for 10 test -f "$out/ready.1" -a -f "$out/ready.2" || return 1

	printf '%s\n' "$c_packets" | sed 's/^\([^ ]* [0-9]*\)/\1 src=198.51.100.1 dst=203.0.113.1/' |
		python3 "$craft" -n $c > "$out/craft.c.$s" || return 1
	printf '%s\n' 'rfrag 1 dport=7001 len=1000 frags=3 id=0x201' \
		'rlite 1 proto=udplite sport=5011 dport=7011' |
		sed 's/^\([^ ]* [0-9]*\)/\1 src=203.0.113.254 dst=203.0.113.1/' |
		python3 "$craft" -n $r > "$out/craft.r.$s" || return 1
	{
		"$ctprobe" -n $c udp -s 198.51.100.1 -S 5101 -d 203.0.113.1 -p 7101 -c 3
		"$ctprobe" -n $c udp -s 198.51.100.1 -S 5102 -d 203.0.113.77 -p 7102 -c 2
		"$ctprobe" -n $c udp -s 198.51.100.1 -S 5103 -d 203.0.113.1 -p 7103 -c 2
	} | sed 's/^/C /' > "$out/exchanges.$s"
	sleep 0.5
	kill -TERM $s1 $s2
	wait $s1 $s2
}

# run_stream SIDE: a TCP stream from R to S, after the counters above
# were read (how TCP cuts and acknowledges it varies from run to run).
run_stream() {
	local r=$p-r-$1 sv=$p-s-$1 sk
	rm -f "$out/ready.3"
	python3 "$craft" -n $sv sink 203.0.113.1 7200 "$out/ready.3" > "$out/sink.$1" &
	sk=$!
	wait_for 10 test -f "$out/ready.3" || return 1
	python3 "$craft" -n $r stream 203.0.113.254 203.0.113.1 7200 $stream_bytes |
		sed 's/^/R /' > "$out/stream.$1"
	wait $sk
	sed 's/^/S /' "$out/sink.$1" >> "$out/stream.$1"
}

dp_begin $p
all_netns=$(cat /proc/sys/net/netfilter/nf_log_all_netns 2>/dev/null || echo 0)
check "LOG lines from every namespace (nf_log_all_netns)" \
	sh -c 'echo 1 > /proc/sys/net/netfilter/nf_log_all_netns'
for s in nft bpf; do
	check "$s: client, router, server namespaces" setup_side $s
done
for s in nft bpf; do
	mark="dataplane_options: side $s begins ($$)"
	echo "$mark" > /dev/kmsg
	check "$s: rules load, exchanges run" run_side $s
	dp_log_lines "$mark" "opt-[a-z]*" > "$out/log.$s"
	dp_counters $s $p-r-$s > "$out/counters.r.$s"
	dp_counters $s $p-s-$s > "$out/counters.s.$s"
	check "$s: a TCP stream from R to S" run_stream $s
	dp_counters $s $p-r-$s > "$out/counters.stream.$s"
done
echo "$all_netns" > /proc/sys/net/netfilter/nf_log_all_netns

printf '%s\n' "$expected" > "$out/expected"
printf '%s\n' "$expected_stream" > "$out/stream.expected"
printf '%s\n' "$r_packets" | sort > "$out/r.expected"
printf '%s\n' "$s_packets" | sort > "$out/s.expected"
printf '%s\n' "$expected_logs" > "$out/logs.expected"
for s in nft bpf; do
	if [ $s = nft ]; then who="nft (oracle)"; else who=bpf; fi
	check "$s: every hand-made packet left ($(awk '{ n += $3 } END { print n }' "$out/craft.c.$s" "$out/craft.r.$s"))" \
		awk '$5 != 0 || $3 == 0 { bad = 1 } END { exit bad || NR != 16 }' \
		"$out/craft.c.$s" "$out/craft.r.$s"
	check "$who: each exchange ends as with x_tables" \
		dp_diff "$out/expected" "$out/exchanges.$s"
	check "$who: the stream of non-linear GSO packets arrived whole" \
		dp_diff "$out/stream.expected" "$out/stream.$s"
	awk '$1 != "STREAM" && $2 == "rule" && !($1 == "OUTPUT" && $3 == 5) { print $1, $2, $3, $4 }' \
		"$out/counters.r.$s" > "$out/r.$s"
	check "$who: R's counters are x_tables' (fragments, IP options, multiport, udplite, dccp, --tcp-option)" \
		dp_diff "$out/r.expected" "$out/r.$s"
	awk '$2 == "rule" { print $1, $2, $3, $4 }' "$out/counters.s.$s" > "$out/s.$s"
	check "$who: S's counters are x_tables' (conntrack and state inversions, --ctrepl*port, MARK and CONNMARK --set-xmark, --right-shift-mark, addrtype --limit-iface-*)" \
		dp_diff "$out/s.expected" "$out/s.$s"
	awk '{ n[$1]++ } END { for (k in n) print k, n[k] }' "$out/log.$s" | sort > "$out/logs.$s"
	check "$who: as many LOG lines as x_tables writes" \
		dp_diff "$out/logs.expected" "$out/logs.$s"
	# Every stream byte was counted by a rule that reads the TCP header
	# of each (non-linear) packet, some of which were GSO packets.
	check "$who: the stream's packets matched on their TCP header ($(dp_counter "$out/counters.stream.$s" STREAM 1) by ACK, $(dp_counter "$out/counters.stream.$s" STREAM 2) longer than the MTU)" \
		awk -v b=$stream_bytes '$1 == "STREAM" && $3 == 1 && $5 > b { ack = 1 }
			$1 == "STREAM" && $3 == 2 && $4 > 0 { gso = 1 }
			END { exit !(ack && gso) }' "$out/counters.stream.$s"
done
check "bpf: every LOG line is the oracle's, field for field (SEQ=, ACK=, OPT, MACSRC=)" \
	dp_diff "$out/log.nft" "$out/log.bpf"
check "bpf: a LOG line shows the RST's sequence numbers (SEQ=4000 ACK=0)" \
	grep -q 'opt-tcp: .* SEQ=4000 ACK=0 ' "$out/log.bpf"
# R's receive path records 198.51.100.254, its forwarding path (after the
# hook, from IPCB's options) overwrites that with 203.0.113.254, and S
# adds its own address.
check "bpf: S logs the route R recorded (OPT (070B0CCB0071FECB007101...))" \
	grep -q 'opt-rr: .* OPT (070B0CCB0071FECB007101' "$out/log.bpf"
for ns in r s; do
	check "bpf: every entry's packet and byte counters in $(echo $ns | tr rs RS) are the oracle's" \
		dp_diff "$out/counters.$ns.nft" "$out/counters.$ns.bpf"
done
dp_end
