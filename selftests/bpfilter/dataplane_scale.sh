#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A 10,000-rule INPUT chain loads and judges and counts exactly.
#
# Receiver B (10.9.0.2) has INPUT policy DROP, 10,000 rules
# "-s 10.1.X.Y/32 -j DROP" (rule i+1 lists 10.1.(i / 250).(i % 250 + 1))
# and at the end "-s 10.0.0.0/8 -j ACCEPT", loaded with one
# iptables-legacy-restore (the time it takes is printed).  Sender A sends
# UDP from the first listed address (2 datagrams), the 5,000th (3), the
# 10,000th (4) and an unlisted one, 10.2.0.1 (5).  Asserted: B got the
# 5 unlisted datagrams only; rules 1, 5,000 and 10,000 counted 2, 3 and
# 4 packets, the ACCEPT rule 5, every other entry and the policy nothing
# (60 bytes per packet).  The nft oracle runs the same table and traffic.
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_scale
rm -rf "$out"
mkdir -p "$out"
p=bpfd-scale

awk 'BEGIN {
	print "*filter"
	print ":INPUT DROP [0:0]"
	print ":FORWARD ACCEPT [0:0]"
	print ":OUTPUT ACCEPT [0:0]"
	for (i = 0; i < 10000; i++)
		printf "-A INPUT -s 10.1.%d.%d/32 -j DROP\n", int(i / 250), i % 250 + 1
	print "-A INPUT -s 10.0.0.0/8 -j ACCEPT"
	print "COMMIT"
}' > "$out/rules"

# The counters x_tables keeps for the traffic below, normalised.
awk 'BEGIN {
	print "FORWARD policy ACCEPT 0 0"
	print "INPUT policy DROP 0 0"
	print "OUTPUT policy ACCEPT 0 0"
	n[1] = 2; n[5000] = 3; n[10000] = 4; n[10001] = 5
	for (i = 1; i <= 10001; i++)
		print "INPUT rule", i, n[i] + 0, (n[i] + 0) * 60
}' | sort > "$out/counters.expected"

setup_side() {
	local a=$p-a-$1 b=$p-b-$1
	printf '%s\n' "netns add $a" "netns add $b" \
		"link add va netns $a address 02:00:00:00:04:0a type veth peer name vb netns $b address 02:00:00:00:04:0b" |
		dp_links &&
	dp_setup $a 'addr add 10.1.0.1/8 dev va
addr add 10.1.19.250/8 dev va
addr add 10.1.39.250/8 dev va
addr add 10.2.0.1/8 dev va
link set dev va up
neigh replace 10.9.0.2 lladdr 02:00:00:00:04:0b dev va nud permanent' &&
	dp_setup $b 'addr add 10.9.0.2/8 dev vb
link set dev vb up
neigh replace 10.1.0.1 lladdr 02:00:00:00:04:0a dev vb nud permanent
neigh replace 10.1.19.250 lladdr 02:00:00:00:04:0a dev vb nud permanent
neigh replace 10.1.39.250 lladdr 02:00:00:00:04:0a dev vb nud permanent
neigh replace 10.2.0.1 lladdr 02:00:00:00:04:0a dev vb nud permanent'
}

load() {
	case $1 in
	bpf) dp_in $p-b-bpf timeout 600 iptables-legacy-restore -w ;;
	nft) dp_in $p-b-nft timeout 600 iptables-nft-restore -w ;;
	esac < "$out/rules"
}

traffic() {
	local r
	dp_recv_start $p-b-$1 9001 "$out/recv.$1" || return 1
	r=$dp_recv_pid
	"$dp_tool" -n $p-a-$1 batch > "$out/send.$1" <<EOF
first udp 10.1.0.1 5000 10.9.0.2 9001 2 32
middle udp 10.1.19.250 5000 10.9.0.2 9001 3 32
last udp 10.1.39.250 5000 10.9.0.2 9001 4 32
unlisted udp 10.2.0.1 5000 10.9.0.2 9001 5 32
EOF
	dp_recv_stop $r
}

dp_begin $p
for s in nft bpf; do
	check "$s: sender and receiver namespaces" setup_side $s
	t0=$(dp_now)
	# A bound, so that a load that never ends fails here, not the suite.
	check "$s: iptables-restore of 10,001 rules (in less than 600 s)" \
		load $s
	echo "# $s: 10,001 INPUT rules loaded in $(dp_elapsed "$t0") s"
	check "$s: datagrams from 4 sources sent" traffic $s
	dp_counters $s $p-b-$s > "$out/counters.$s"
	check "$s: only the unlisted source's 5 datagrams arrived ($(dp_got "$out/recv.$s" total) got)" \
		test "$(dp_got "$out/recv.$s" total)" = 5
	check "$s: rules 1, 5000, 10000 counted 2, 3, 4 packets, the final ACCEPT 5, nothing else counted" \
		dp_diff "$out/counters.expected" "$out/counters.$s"
done

# Over the code generator's limit (1,000,000 instructions per hook, 5 per
# rule of this kind: "! -s" keeps them out of the classifier, which would
# make one lookup of 210,000 plain "-s" rules): refused with a log line,
# the table in force kept.
too_big() {
	awk 'BEGIN {
		print "*filter"
		for (i = 0; i < 210000; i++)
			printf "-A INPUT ! -s 10.3.%d.%d/32 -j DROP\n", int(i / 250) % 250, i % 250 + 1
		print "COMMIT"
	}' > "$out/rules.big"
	! dp_in $p-b-bpf timeout 600 iptables-legacy-restore -w < "$out/rules.big"
}
if ! dp_skip_xtables "a table over the code generator's limit is refused"; then
	refusals() { dmesg | grep -c "bpfilter: the table cannot be compiled: -7"; }
	before=$(refusals)
	check "bpf: a 210,000-rule table is refused" too_big
	check "bpf: the kernel log says why (\"the table cannot be compiled: -7\")" \
		test "$(refusals)" -gt "$before"
	dp_counters bpf $p-b-bpf > "$out/counters.after"
	check "bpf: the 10,001-rule table stays in force, its counters unchanged" \
		dp_diff "$out/counters.bpf" "$out/counters.after"
	rm -f "$out/rules.big"
fi
dp_end
