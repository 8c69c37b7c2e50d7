#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Stateful filtering as x_tables does it: -m conntrack, -m state, LOG and
# MARK, on real connections, against the iptables-nft oracle.
#
# Per side (bpf: iptables-legacy, i.e. bpfilter; nft: iptables-nft), a
# client C (192.0.2.1, va) and a server S (192.0.2.2, vb), veth with
# fixed MACs.  S's table is a laptop-like default: loopback, ESTABLISHED
# (conntrack) and RELATED (state) accepted, INVALID logged and dropped,
# NEW sent to a chain that marks and logs ssh and accepts ssh, some UDP
# (by original source and port range) and ICMP, everything else logged
# and dropped by the policy; OUTPUT drops too but for replies, RELATED,
# new UDP and new TCP to C from one source-port range, with two counting
# rules on status, expiry and reply tuple.  Traffic, both ways:
# TCP connections (handshake, data, close) accepted and refused, SYNs
# that are dropped (raw segments),
# UDP exchanges, echo requests, SYN+FIN segments (invalid), an ICMP
# port-unreachable quoting S's own UDP flow (related), resets for S's
# connections.
# Asserted: each exchange's outcome is x_tables' (worked out by hand
# below) on both sides; every entry's packet and byte counters of the
# two sides are equal; the LOG lines of the two sides are the same
# (kernel timestamps, IP ids and TCP sequence numbers aside), and there
# are as many as x_tables writes.
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_stateful
rm -rf "$out"
mkdir -p "$out"
p=bpfd-ct
ctprobe=$(dirname "$BPFILTER_PROBE")/ctprobe

rules_s='*filter
:INPUT DROP [0:0]
:FORWARD DROP [0:0]
:OUTPUT DROP [0:0]
:in-new - [0:0]
-A INPUT -i lo -j ACCEPT
-A INPUT -m connmark --mark 0x122/0xfff
-A INPUT -m conntrack --ctstate ESTABLISHED -j ACCEPT
-A INPUT -m state --state RELATED -j ACCEPT
-A INPUT -m conntrack --ctstate INVALID -j LOG --log-prefix "ct-inval: "
-A INPUT -m conntrack --ctstate INVALID -j DROP
-A INPUT -m conntrack --ctstate NEW -j in-new
-A INPUT -j LOG --log-prefix "ct-drop: " --log-level 6 --log-tcp-options --log-ip-options
-A in-new -p tcp -m tcp --dport 22 -j MARK --set-xmark 0x22/0xff
-A in-new -p tcp -m mark --mark 0x22/0xff
-A in-new -p tcp -m mark ! --mark 0x22
-A in-new -p tcp -m tcp --dport 22 -j CONNMARK --set-xmark 0x100/0xf00
-A in-new -p tcp -m tcp --dport 22 -j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff
-A in-new -p tcp -m conntrack --ctorigdstport 22 --ctdir ORIGINAL -j LOG --log-prefix "ct-ssh: " --log-uid
-A in-new -p tcp -m tcp --dport 22 -j ACCEPT
-A in-new -p udp -m conntrack --ctproto udp --ctorigsrc 192.0.2.0/28 --ctorigdstport 5300:5399 -j ACCEPT
-A in-new -p icmp -j ACCEPT
-A OUTPUT -o lo -j ACCEPT
-A OUTPUT -p tcp -m connmark --mark 0x122/0xfff -j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff
-A OUTPUT -p tcp -m tcp --sport 22 -j CONNMARK --restore-mark --nfmask 0xf0000 --ctmask 0xf00 --left-shift-mark 8
-A OUTPUT -p tcp -m tcp --sport 22 -j LOG --log-prefix "ct-out: "
-A OUTPUT -m conntrack --ctstatus SEEN_REPLY --ctexpire 1:1000000
-A OUTPUT -m conntrack ! --ctstate NEW --ctrepldst 192.0.2.2 --ctreplsrc 192.0.2.1
-A OUTPUT -m conntrack --ctstate ESTABLISHED --ctdir REPLY -j ACCEPT
-A OUTPUT -m conntrack --ctstate RELATED -j ACCEPT
-A OUTPUT -p udp -m conntrack --ctstate NEW,ESTABLISHED --ctdir ORIGINAL -j ACCEPT
-A OUTPUT -p tcp -m conntrack --ctstate NEW,ESTABLISHED --ctorigdst 192.0.2.1 --ctorigsrcport 41000:41999 -j ACCEPT
COMMIT'

# What x_tables does, exchange by exchange (who runs it, then ctprobe's
# line):
# - C: 3 connections to ssh (22): NEW, marked, the mark saved with the
#   connection's own bits (0x122), logged, accepted; the rest of each
#   connection is ESTABLISHED both ways; S's SYN-ACK gets the mark
#   restored from the connection (0x22, then 0x10022 by a shifted
#   restore) and is logged.
# - C: 2 SYNs to 23 (raw, one tuple): NEW, nothing in in-new: logged
#   (ct-drop) and dropped.  Raw segments, as for every refused TCP
#   flow here: a connect()'s count of SYNs would depend on when its
#   retransmission timer fires against the prober's timeout, which a
#   stalled guest can change.
# - C: 3 datagrams to 5353 from 192.0.2.1: accepted by origin and port,
#   echoed (replies ESTABLISHED); 1 to 6000: dropped like 23.
# - C: 2 SYN+FIN segments to 22: INVALID (bad flags), logged, dropped.
# - S: 1 datagram to C's closed 7000: out as NEW UDP; C's port
#   unreachable comes back RELATED: refused.
# - S: 2 connections to C's 8000 from 41000-41001: accepted both ways;
#   1 to C's closed 8001: C's reset is ESTABLISHED: refused; 2 SYNs
#   (raw) to 8000 from 42000: OUTPUT's policy drops them.
# - C: 2 echo requests, NEW then ESTABLISHED: both answered.
expected='c tcp 22 ok 3 refused 0 timeout 0
c raw 23 sent 2
c udp 5353 ok 3 refused 0 unreachable 0 timeout 0
c udp 6000 ok 0 refused 0 unreachable 0 timeout 1
c raw 22 sent 2
s udp 7000 ok 0 refused 1 unreachable 0 timeout 0
s tcp 8000 ok 2 refused 0 timeout 0
s tcp 8001 ok 0 refused 1 timeout 0
s raw 8000 sent 2
C Icmp InEchoReps 2'

# LOG lines x_tables writes, by prefix: 3 ssh (one per connection's
# SYN), 2 invalid, and the dropped: 23's 2 SYNs, 6000's datagram.
expected_logs='ct-drop: 3
ct-inval: 2
ct-out: 3
ct-ssh: 3'

setup_side() {
	local s=$1
	printf '%s\n' "netns add $p-c-$s" "netns add $p-s-$s" \
		"link add va netns $p-c-$s address 02:00:00:00:00:01 type veth peer name vb netns $p-s-$s address 02:00:00:00:00:02" |
		dp_links || return 1
	dp_setup $p-c-$s 'addr add 192.0.2.1/24 dev va
link set dev va up
neigh replace 192.0.2.2 lladdr 02:00:00:00:00:02 dev va nud permanent' &&
	dp_setup $p-s-$s 'addr add 192.0.2.2/24 dev vb
link set dev vb up
neigh replace 192.0.2.1 lladdr 02:00:00:00:00:01 dev vb nud permanent' ||
		return 1
	# No TCP timestamps: SYNs' options are then the same on each run.
	dp_in $p-c-$s sh -c 'echo 0 > /proc/sys/net/ipv4/tcp_timestamps' &&
	dp_in $p-s-$s sh -c 'echo 0 > /proc/sys/net/ipv4/tcp_timestamps'
}

# run_side SIDE: the rules, the servers, every exchange in turn.
run_side() {
	local s=$1 c=$p-c-$1 v=$p-s-$1 sp cp
	printf '%s\n' "$rules_s" | ipt_restore "$s" "$v" || return 1
	rm -f "$out/ready.s.$s" "$out/ready.c.$s"
	"$ctprobe" -n "$v" serve -a 192.0.2.2 -p 22,23,5353,6000 \
		-R "$out/ready.s.$s" > "$out/serve.s.$s" &
	sp=$!
	"$ctprobe" -n "$c" serve -a 192.0.2.1 -p 8000 \
		-R "$out/ready.c.$s" > "$out/serve.c.$s" &
	cp=$!
	wait_for 10 test -f "$out/ready.s.$s" -a -f "$out/ready.c.$s" ||
		return 1
	{
		"$ctprobe" -n "$c" connect -s 192.0.2.1 -S 40000 -d 192.0.2.2 -p 22 -c 3
		"$ctprobe" -n "$c" raw -s 192.0.2.1 -S 40100 -d 192.0.2.2 -p 23 -f S -c 2
		"$ctprobe" -n "$c" udp -s 192.0.2.1 -S 5000 -d 192.0.2.2 -p 5353 -c 3
		"$ctprobe" -n "$c" udp -s 192.0.2.1 -S 5001 -d 192.0.2.2 -p 6000
		"$ctprobe" -n "$c" raw -s 192.0.2.1 -S 40200 -d 192.0.2.2 -p 22 -f SF -c 2
		"$ctprobe" -n "$v" udp -s 192.0.2.2 -S 5002 -d 192.0.2.1 -p 7000
		"$ctprobe" -n "$v" connect -s 192.0.2.2 -S 41000 -d 192.0.2.1 -p 8000 -c 2
		"$ctprobe" -n "$v" connect -s 192.0.2.2 -S 41100 -d 192.0.2.1 -p 8001
		"$ctprobe" -n "$v" raw -s 192.0.2.2 -S 42000 -d 192.0.2.1 -p 8000 -f S -c 2
	} | awk -v c="c c c c c s s s s" 'BEGIN { split(c, who) } { print who[NR], $0 }' \
		> "$out/exchanges.$s"
	echo "ping icmp 192.0.2.1 0 192.0.2.2 8 2 32" |
		"$dp_tool" -n "$c" batch > "$out/ping.$s"
	sleep 0.5
	kill -TERM "$sp" "$cp"
	wait "$sp" "$cp"
}

observed() {
	cat "$out/exchanges.$1"
	dp_snmp $p-c-$1 Icmp:InEchoReps | sed 's/^/C /'
}

log_counts() {
	awk '{ n[$1]++ } END { for (k in n) print k, n[k] }' "$1" | sort
}

dp_begin $p
all_netns=$(cat /proc/sys/net/netfilter/nf_log_all_netns 2>/dev/null || echo 0)
check "LOG lines from every namespace (nf_log_all_netns)" \
	sh -c 'echo 1 > /proc/sys/net/netfilter/nf_log_all_netns'
for s in nft bpf; do
	check "$s: namespaces and links" setup_side $s
done
printf '%s\n' "$expected" > "$out/expected"
for s in nft bpf; do
	mark="dataplane_stateful: side $s begins ($$)"
	echo "$mark" > /dev/kmsg
	check "$s: rules load, exchanges run" run_side $s
	dp_log_lines "$mark" "ct-[a-z]*" volatile > "$out/log.$s"
	observed $s > "$out/observed.$s"
done
echo "$all_netns" > /proc/sys/net/netfilter/nf_log_all_netns

check "nft (oracle): each exchange ends as with x_tables" \
	dp_diff "$out/expected" "$out/observed.nft"
check "bpf: each exchange ends as with x_tables" \
	dp_diff "$out/expected" "$out/observed.bpf"
printf '%s\n' "$expected_logs" > "$out/logs.expected"
log_counts "$out/log.nft" > "$out/logs.nft"
log_counts "$out/log.bpf" > "$out/logs.bpf"
check "nft (oracle): as many LOG lines as x_tables writes" \
	dp_diff "$out/logs.expected" "$out/logs.nft"
check "bpf: the LOG lines are the oracle's, field for field" \
	dp_diff "$out/log.nft" "$out/log.bpf"
check "bpf: an ssh LOG line carries the mark set before it (MARK=0x22)" \
	grep -q 'ct-ssh: .*MARK=0x22 ' "$out/log.bpf"
check "bpf: the SYN-ACK's mark is restored from the connection's" \
	grep -q 'ct-out: .*MARK=0x10022 ' "$out/log.bpf"
dp_counters nft $p-s-nft > "$out/counters.nft"
dp_counters bpf $p-s-bpf > "$out/counters.bpf"
check "bpf: every entry's packet and byte counters are the oracle's" \
	dp_diff "$out/counters.nft" "$out/counters.bpf"
check "the counters are not all zero" \
	awk '$NF > 0 { n++ } END { exit n < 10 }' "$out/counters.bpf"
dp_end
