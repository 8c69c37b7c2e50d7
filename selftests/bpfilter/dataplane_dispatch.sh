#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Step 7's lookups in bpfilter.ko on real packets: interface dispatch and
# a classified run with RETURN, against the nft oracle and by hand.
#
# Receiver B's interface is veth17.  Its INPUT chain (policy DROP) starts
# with 40 rules "-i vethN -j CN" (N = 0..39: names of two lengths, one
# lookup each, codegen_dispatch.c), then 40 rules "-p tcp --dport P -j
# DROP" (a classifier run) and "-p udp --dport 9002 -j ACCEPT".  Each CN
# is a run of 40 "-s 10.3.N.M/32 -j DROP" rules (M = 1..40),
# "-s 10.2.0.0/16 -j RETURN" and "-p udp --dport 9001 -j ACCEPT": one
# classifier run of two tuples.
# Sender A sends UDP to B from 10.1.0.1 to port 9001 (2 datagrams, C17
# accepts), from 10.2.0.1 to 9001 (3: C17 returns, the policy drops),
# from 10.1.0.1 to 9002 (4: C17 ends, INPUT's last rule accepts) and
# from 10.3.17.5 to 9001 (5: C17's fifth rule drops).  Asserted: B got 2
# datagrams on 9001 and 4 on 9002; the counters are those stated below
# (60 bytes per packet), for bpfilter as for nf_tables.  First, that the
# lookups are what judges (the same verdicts would come from straight-line
# code): bpftool lists the module's dispatch maps, hashes of 20-byte keys
# holding the 10 names of 5 bytes and the 30 of 6, and LPM tries of the
# chains' runs.
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_dispatch
rm -rf "$out"
mkdir -p "$out"
p=bpfd-disp

awk 'BEGIN {
	print "*filter"
	print ":INPUT DROP [0:0]"
	print ":FORWARD ACCEPT [0:0]"
	print ":OUTPUT ACCEPT [0:0]"
	for (n = 0; n < 40; n++)
		printf ":C%d - [0:0]\n", n
	for (n = 0; n < 40; n++)
		printf "-A INPUT -i veth%d -j C%d\n", n, n
	for (i = 0; i < 40; i++)
		printf "-A INPUT -p tcp -m tcp --dport %d -j DROP\n", 2000 + i
	print "-A INPUT -p udp -m udp --dport 9002 -j ACCEPT"
	for (n = 0; n < 40; n++) {
		for (m = 1; m <= 40; m++)
			printf "-A C%d -s 10.3.%d.%d/32 -j DROP\n", n, n, m
		printf "-A C%d -s 10.2.0.0/16 -j RETURN\n", n
		printf "-A C%d -p udp -m udp --dport 9001 -j ACCEPT\n", n
	}
	print "COMMIT"
}' > "$out/rules"

# Every entry's counters for the traffic below, normalised.
awk 'BEGIN {
	print "FORWARD policy ACCEPT 0 0"
	print "OUTPUT policy ACCEPT 0 0"
	print "INPUT policy DROP", 3, 3 * 60
	for (i = 1; i <= 81; i++) {
		c = i == 18 ? 14 : i == 81 ? 4 : 0
		print "INPUT rule", i, c, c * 60
	}
	for (n = 0; n < 40; n++)
		for (i = 1; i <= 42; i++) {
			c = 0
			if (n == 17 && i == 5)
				c = 5
			if (n == 17 && i == 41)
				c = 3
			if (n == 17 && i == 42)
				c = 2
			print "C" n, "rule", i, c, c * 60
		}
}' | sort > "$out/counters.expected"

setup_side() {
	local a=$p-a-$1 b=$p-b-$1
	printf '%s\n' "netns add $a" "netns add $b" \
		"link add va netns $a address 02:00:00:00:05:0a type veth peer name veth17 netns $b address 02:00:00:00:05:0b" |
		dp_links &&
	dp_setup $a 'addr add 10.1.0.1/8 dev va
addr add 10.2.0.1/8 dev va
addr add 10.3.17.5/8 dev va
link set dev va up
neigh replace 10.9.0.2 lladdr 02:00:00:00:05:0b dev va nud permanent' &&
	dp_setup $b 'addr add 10.9.0.2/8 dev veth17
link set dev veth17 up
neigh replace 10.1.0.1 lladdr 02:00:00:00:05:0a dev veth17 nud permanent
neigh replace 10.2.0.1 lladdr 02:00:00:00:05:0a dev veth17 nud permanent
neigh replace 10.3.17.5 lladdr 02:00:00:00:05:0a dev veth17 nud permanent'
}

load() {
	case $1 in
	bpf) dp_in $p-b-bpf iptables-legacy-restore -w ;;
	nft) dp_in $p-b-nft iptables-nft-restore -w ;;
	esac < "$out/rules"
}

# The maps bpfilter.ko made for the table (bpftool sees every map).
class_maps() {
	bpftool map show | awk '
		/name bpfilter_class/ { type = $2; next }
		type != "" { print type, $2, $6; type = "" }' | sort | uniq -c
}

traffic() {
	local r
	dp_recv_start $p-b-$1 9001,9002 "$out/recv.$1" || return 1
	r=$dp_recv_pid
	"$dp_tool" -n $p-a-$1 batch > "$out/send.$1" <<EOF
accepted udp 10.1.0.1 5000 10.9.0.2 9001 2 32
returned udp 10.2.0.1 5000 10.9.0.2 9001 3 32
fell-through udp 10.1.0.1 5000 10.9.0.2 9002 4 32
dropped udp 10.3.17.5 5000 10.9.0.2 9001 5 32
EOF
	dp_recv_stop $r
}

dp_begin $p
for s in nft bpf; do
	check "$s: sender and receiver namespaces" setup_side $s
	check "$s: iptables-restore of 40 dispatch rules into 40 chains of 42" \
		load $s
	if [ $s = bpf ] && ! dp_skip_xtables "bpf: the dispatch and classifier maps are loaded"; then
		class_maps > "$out/maps"
		check "bpf: the dispatch and classifier maps are loaded ($(awk '{ n += $1 } END { print n + 0 }' "$out/maps") maps)" \
			sh -c "grep -q '1 hash 20B 10\$' '$out/maps' &&
				grep -q '1 hash 20B 30\$' '$out/maps' &&
				grep -q 'lpm_trie 8B 42\$' '$out/maps'"
	fi
	check "$s: datagrams from 3 sources to 2 ports sent" traffic $s
	dp_counters $s $p-b-$s > "$out/counters.$s"
	check "$s: port 9001 got the 2 accepted in C17, port 9002 the 4 accepted after it ($(dp_got "$out/recv.$s" 9001), $(dp_got "$out/recv.$s" 9002))" \
		test "$(dp_got "$out/recv.$s" 9001)" = 2 -a \
		"$(dp_got "$out/recv.$s" 9002)" = 4
	check "$s: -i veth17 counted 14, C17's rules 5, 3 and 2, the last INPUT rule 4, the policy 3, nothing else counted" \
		dp_diff "$out/counters.expected" "$out/counters.$s"
done
dp_end
