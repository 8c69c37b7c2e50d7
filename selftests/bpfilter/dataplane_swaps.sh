#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Counters across raw SET_REPLACE swaps under traffic: every packet is
# counted by exactly one table.  x_tables reads the old table's counters
# once no CPU runs it any more and returns them from IPT_SO_SET_REPLACE;
# bpfilter must too (the old programs' counters are read after
# synchronize_rcu()), whatever the number of commits.
#
# A sender (192.0.2.1) floods UDP to port 9 of a receiver (192.0.2.2)
# over a veth pair, 400 datagrams a second of 32 bytes (60-byte IP
# packets), while swap_probe (swap_probe.c) in the receiver's netns
# swaps its filter table between two rulesets with IPT_SO_SET_REPLACE
# calls of its own: A, whose INPUT holds "-p udp --dport 9 -j ACCEPT"
# alone, and B, where two rules that match nothing come first (the
# counted rule is entry 0 in one and entry 2 in the other, so old
# counters read at the wrong index show).
# The two tables are what iptables-legacy-restore committed, read back
# with GET_INFO/GET_ENTRIES.  For each commit the probe adds the old
# counters returned for the counted rule of the outgoing table; at the
# end, with the flood stopped, the live counter of the table in force
# is added.  Asserted:
# - every commit succeeded, and the table in force is the last one;
# - both rulesets counted datagrams while in force, and so did the last
#   table (the flood overlapped the swaps and outlasted them), and no
#   other entry of an outgoing table counted any;
# - returned + live packets == datagrams received == datagrams sent (no
#   loss over veth at this rate; the receiver has a 16 MiB buffer);
# - returned + live bytes == 60 per packet.
# The time the swaps took is a diagnostic line.
#
# 1,000 swaps: 24 to 29 s under QEMU's emulation with the flood running
# (each commit compiles, verifies and loads three BPF programs and waits
# for synchronize_rcu(): 24 to 29 ms), 30 to 40 s for the whole VM run
# of this test, so fewer are not needed (the limit set for them: ~60 s).
# x_tables spends ~25 ms in all 1,000 SET_REPLACE calls.
#
# DP_XTABLES=1 runs it on a host against x_tables itself.
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_swaps
rm -rf "$out"
mkdir -p "$out"
p=bpfd-swaps
a=$p-a
b=$p-b
probe=$(dirname "$BPFILTER_PROBE")/swap_probe
swaps=1000
# x_tables commits this table in microseconds: the probe spreads the
# swaps over at least 2 s, so that the flood (800 datagrams in that
# time) reaches many of the tables, both rulesets, and not one burst.
min_seconds=2
iplen=60

ruleset_a='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 9 -j ACCEPT
COMMIT'
ruleset_b='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 10 -j DROP
-A INPUT -p tcp -j DROP
-A INPUT -p udp -m udp --dport 9 -j ACCEPT
COMMIT'

setup() {
	printf '%s\n' "netns add $a" "netns add $b" \
		"link add va netns $a address 02:00:00:00:03:0a type veth peer name vb netns $b address 02:00:00:00:03:0b" |
		dp_links &&
	dp_setup $a 'addr add 192.0.2.1/24 dev va
link set dev va up
neigh replace 192.0.2.2 lladdr 02:00:00:00:03:0b dev va nud permanent' &&
	dp_setup $b 'addr add 192.0.2.2/24 dev vb
link set dev vb up
neigh replace 192.0.2.1 lladdr 02:00:00:00:03:0a dev vb nud permanent'
}

# save NAME RULES: commit RULES with iptables-legacy-restore, then save
# the table in force as the probe's blob $out/NAME.bin.
save() {
	printf '%s\n' "$2" | ipt_restore bpf $b &&
	"$probe" -n $b save "$out/$1.bin" > "$out/$1.save"
}

# field FILE KEY [N]: the Nth value (default 1) of FILE's line KEY.
field() {
	awk -v k="$2" -v n="${3:-1}" '$1 == k { print $(n + 1) }' "$1"
}

# num FILE KEY [N]: field, or 0 when it is missing (a probe that failed
# has its own failing check; this keeps the sums below computable).
num() {
	local v
	v=$(field "$@")
	echo "${v:-0}"
}

dp_begin $p
check "swap_probe is built ($probe)" test -x "$probe"
check "sender and receiver namespaces" setup
check "ruleset B committed and read back" save b "$ruleset_b"
check "ruleset A committed and read back (it stays in force)" save a "$ruleset_a"
"$probe" -n $b count > "$out/count.before" 2>&1
check "the counted rule is at different entries in A (entry $(field "$out/a.save" counted)) and B (entry $(field "$out/b.save" counted))" \
	test "$(field "$out/a.save" counted)" != "$(field "$out/b.save" counted)"
check "before the flood the counted rule has counted nothing ($(field "$out/count.before" live 1) packets)" \
	test "$(field "$out/count.before" live 1) $(field "$out/count.before" live 2)" = "0 0"

dp_recv_start $b 9 "$out/recv" ||
	ktap_fail "receiver started"
recv_pid=$dp_recv_pid
"$dp_tool" -n $a send -p udp -d 192.0.2.2 -S 5000 -D 9 -r 400 -l $((iplen - 28)) \
	> "$out/send" 2>&1 &
send_pid=$!
# Some datagrams reach table A before the first commit.
sleep 0.3
"$probe" -n $b swap $swaps $min_seconds "$out/a.bin" "$out/b.bin" > "$out/swap" 2> "$out/swap.err"
swap_rc=$?
# Some reach the last table, read live.
sleep 0.3
kill -TERM $send_pid
wait $send_pid
dp_recv_stop $recv_pid
"$probe" -n $b count > "$out/count.after" 2>&1

done=$(field "$out/swap" commits)
took=$(field "$out/swap" seconds)
busy=$(field "$out/swap" commit_seconds)
sent=$(awk '$1 == "total" { print $3 }' "$out/send")
got=$(dp_got "$out/recv" total)
r1=$(num "$out/swap" returned1 1)
r2=$(num "$out/swap" returned2 1)
live=$(num "$out/count.after" live 1)
pkts=$((r1 + r2 + live))
bytes=$(( $(num "$out/swap" returned1 2) + $(num "$out/swap" returned2 2) + $(num "$out/count.after" live 2) ))
echo "# $done swaps in $took s, $busy s of it in SET_REPLACE; sent $sent, got $got; counted: returned with A $r1, with B $r2, live $live"

check "$swaps raw SET_REPLACE swaps between A and B under the flood ($done done, in $took s)" \
	sh -c "test '$swap_rc' = 0 && test '$done' = '$swaps' || { cat '$out/swap.err'; false; }"
# An even number of swaps ends with A in force.
want=a
[ $((swaps % 2)) = 0 ] || want=b
check "the table in force is the last committed ($want: $(field "$out/$want.save" entries) entries)" \
	test "$(field "$out/count.after" entries)" = "$(field "$out/$want.save" entries)"
check "both rulesets counted datagrams while in force (A $r1, B $r2), and the last table too ($live)" \
	test "$r1" -gt 0 -a "$r2" -gt 0 -a "$live" -gt 0
check "no other entry of an outgoing table counted a packet ($(field "$out/swap" others))" \
	test "$(field "$out/swap" others)" = 0
check "counted packets ($pkts: returned $r1 + $r2, live $live) == datagrams received ($got) == datagrams sent ($sent)" \
	test "$pkts" = "$got" -a "$got" = "$sent" -a "$sent" -gt 0
check "counted bytes ($bytes) == $iplen per packet ($((pkts * iplen)))" \
	test "$bytes" = $((pkts * iplen))
dp_end
