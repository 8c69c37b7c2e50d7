#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Commits under traffic: swapping the table never lets a packet through
# that both the old and the new ruleset drop, never drops one that both
# accept, and counters carried from one table to the next (libiptc reads
# the old table's counters from SET_REPLACE and adds them to the new one
# with SET_ADD_COUNTERS) lose and double no packet.
#
# Sender A (192.0.2.1) and receiver B (192.0.2.2) on a veth pair.
#
# (a) A floods UDP to ports 9, 10 and 11 in turn while
#     iptables-legacy-restore commits two rulesets alternately: one drops
#     9 and accepts 10 and 11 (policy ACCEPT); the other, with another
#     shape (a user chain, more entries, policy DROP), drops 9 and 11 and
#     accepts 10.  B must get no datagram on 9, every datagram on 10, and
#     some but not all on 11 (both rulesets were in force: commits reach
#     the data plane); the last commit is the table in force.
# (b) A floods port 10, which one ACCEPT rule counts, while 100
#     iptables-legacy commands (-I at the head, -A, then -D) change the
#     table around it (its position moves from 1 to 26 and back): at the
#     end its packet counter is what B received and A sent, its bytes 60
#     per packet.
# No kernel log line of the whole test is a warning, a BUG or a stack
# dump, or a bpfilter line reporting an error.
#
# The nft oracle (iptables-nft) runs both with fewer commits (10 swaps,
# 8 commands: an iptables-nft command costs ~1 s under emulation): the
# flood, the receiver and the exact counts work in this guest.
#
# Swaps: 1,000 on the bpf side when they fit in DP_SWAP_SECONDS (default
# 25 s), in restores of 50 commits each; fewer when they do not, but at
# least 100.  Without a data plane 1,000 commits took 15 s under
# emulation with a flood running (27 s on a busy host); with it each
# commit also compiles, verifies and loads three BPF programs, a cost
# not known while this test is written, and the whole VM suite has a
# time budget.  The number done is in the check's name.
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_commits
rm -rf "$out"
mkdir -p "$out"
p=bpfd-commits
swap_seconds=${DP_SWAP_SECONDS:-25}

ruleset1='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 9 -j DROP
-A INPUT -p udp -m udp --dport 10 -j ACCEPT
-A INPUT -p udp -m udp --dport 11 -j ACCEPT
COMMIT'
ruleset2='*filter
:INPUT DROP [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:sub - [0:0]
-A INPUT -p udp -m udp --dport 12 -j ACCEPT
-A INPUT -p udp -j sub
-A INPUT -p udp -m udp --dport 11 -j DROP
-A INPUT -p udp -m udp --dport 10 -j ACCEPT
-A sub -p udp -m udp --dport 9 -j DROP
-A sub -p udp -m udp --dport 10 -j ACCEPT
COMMIT'
base='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 10 -j ACCEPT
COMMIT'

setup_side() {
	local a=$p-a-$1 b=$p-b-$1
	printf '%s\n' "netns add $a" "netns add $b" \
		"link add va netns $a address 02:00:00:00:02:0a type veth peer name vb netns $b address 02:00:00:00:02:0b" |
		dp_links &&
	dp_setup $a 'addr add 192.0.2.1/24 dev va
link set dev va up
neigh replace 192.0.2.2 lladdr 02:00:00:00:02:0b dev va nud permanent' &&
	dp_setup $b 'addr add 192.0.2.2/24 dev vb
link set dev vb up
neigh replace 192.0.2.1 lladdr 02:00:00:00:02:0a dev vb nud permanent'
}

# flood_start SIDE PORTS NAME: B counts, A floods PORTS at 400
# datagrams a second until flood_stop.  Waits for the first datagrams.
flood_start() {
	local a=$p-a-$1 b=$p-b-$1
	dp_recv_start $b 9,10,11 "$out/recv.$3" || return 1
	recv_pid=$dp_recv_pid
	"$dp_tool" -n $a send -p udp -d 192.0.2.2 -S 5000 -D "$2" -r 400 \
		-l 32 > "$out/send.$3" 2>&1 &
	send_pid=$!
	sleep 0.3
}

flood_stop() {
	kill -TERM $send_pid
	wait $send_pid
	dp_recv_stop $recv_pid
}

sent() {
	awk -v p="$2" '$1 == p { print $3 }' "$out/send.$1"
}

got() {
	awk -v p="$2" '$1 == p { print $2 }' "$out/recv.$1"
}

# A flood of 400 datagrams a second, running from flood_start's 0.3 s
# on, sends many more than this to each port; the counts compared below
# ("none delivered", "all delivered", "counted what was sent") would
# also hold for a flood that sent nothing at all.
min_sent=20

# flood_ran NAME PORT...: A sent at least $min_sent datagrams to each
# PORT in flood NAME.
flood_ran() {
	local name=$1 port
	shift
	for port; do
		test "$(sent $name $port)" -ge $min_sent || return 1
	done
}

# swaps SIDE TOTAL SECONDS: restores of 50 commits (ruleset 1, 2, ...,
# ending with 2) until TOTAL commits or SECONDS have passed; prints
# the number done.  A restore that fails stops it.
swaps() {
	local side=$1 total=$2 start i done=0 pair
	pair=$(printf '%s\n%s\n' "$ruleset1" "$ruleset2" | wc -l)
	i=0
	while [ $i -lt 25 ]; do
		printf '%s\n%s\n' "$ruleset1" "$ruleset2"
		i=$((i + 1))
	done > "$out/chunk"
	start=$(date +%s)
	while [ $done -lt "$total" ] && [ $(( $(date +%s) - start )) -lt "$3" ]; do
		if [ $((total - done)) -lt 50 ]; then
			head -n $(( (total - done) / 2 * pair )) "$out/chunk" > "$out/chunk.last"
			ipt_restore $side $p-b-$side < "$out/chunk.last" > "$out/restore.$side" 2>&1 ||
				break
			done=$(( done + (total - done) / 2 * 2 ))
			break
		fi
		ipt_restore $side $p-b-$side < "$out/chunk" > "$out/restore.$side" 2>&1 ||
			break
		done=$((done + 50))
	done
	echo $done
}

# churn SIDE N: N iptables commands around the counted rule: N/4 -I at
# the head and N/4 -A, alternately, then -D of each.
churn() {
	dp_in $p-b-$1 sh -c '
		side=$1 n=$(($2 / 4)) i=0
		case $side in bpf) ipt=iptables-legacy ;; nft) ipt=iptables-nft ;; esac
		while [ $i -lt $n ]; do
			$ipt -w -I INPUT 1 -p udp --dport $((2000 + i)) -j DROP || exit 1
			$ipt -w -A INPUT -p tcp --dport $((3000 + i)) -j DROP || exit 1
			i=$((i + 1))
		done
		i=0
		while [ $i -lt $n ]; do
			$ipt -w -D INPUT -p udp --dport $((2000 + i)) -j DROP || exit 1
			$ipt -w -D INPUT -p tcp --dport $((3000 + i)) -j DROP || exit 1
			i=$((i + 1))
		done' churn "$1" "$2"
}

# The log from here on: after a line of our own (counting lines would
# go wrong if the ring buffer wrapped meanwhile; vm-run.sh fails such a
# run anyway).
log_mark="dataplane_commits: start $$ $(date +%s%N)"
echo "$log_mark" > /dev/kmsg
# no_log_errors: no kernel log line since the start is a warning, a BUG
# or a stack dump, and no line of bpfilter's reports an error (prints
# those that do).
no_log_errors() {
	dmesg | sed -n "/$log_mark/,\$p" > "$out/dmesg"
	grep -q "$log_mark" "$out/dmesg" || { echo "the log lost the test's start"; return 1; }
	! grep -E 'WARNING|BUG:|Call Trace|refcount_t' "$out/dmesg" &&
	! grep -i bpfilter "$out/dmesg" |
		grep -Ei 'error|fail|not enforced|malformed|answer|cannot|refused|stopped'
}

dp_begin $p
for s in nft bpf; do
	check "$s: sender and receiver namespaces" setup_side $s
done

# (a) swaps under a flood.
for s in nft bpf; do
	case $s in
	nft) want=10 secs=60 ;;
	bpf) want=1000 secs=$swap_seconds ;;
	esac
	printf '%s\n' "$ruleset1" | ipt_restore $s $p-b-$s
	flood_start $s 9,10,11 swap.$s
	t0=$(dp_now)
	n=$(swaps $s $want $secs)
	took=$(dp_elapsed "$t0")
	flood_stop
	echo "# $s: $n commits in $took s; sent: 9 $(sent swap.$s 9), 10 $(sent swap.$s 10), 11 $(sent swap.$s 11); got: 9 $(got swap.$s 9), 10 $(got swap.$s 10), 11 $(got swap.$s 11)"
	case $s in
	nft) check "nft (oracle): $n commits, every restore succeeded" \
		test "$n" -eq "$want" ;;
	bpf) check "bpf: $n commits (of 1000; at least 100) in $took s, every restore succeeded" \
		sh -c "test '$n' -ge 100 && ! test -s '$out/restore.bpf'" ;;
	esac
	check "$s: the flood ran: A sent at least $min_sent datagrams to each of 9, 10, 11 ($(sent swap.$s 9), $(sent swap.$s 10), $(sent swap.$s 11))" \
		flood_ran swap.$s 9 10 11
	# iptables-nft's commits are not atomic for the packets in this
	# guest: in some runs (two of five on 2026-12-07) one datagram to
	# 9 got through, or one to 10 was dropped, on the nft side.  It is
	# the oracle of the harness here, not of atomicity (DP_XTABLES=1
	# holds x_tables to these two on the host), so on its side they
	# are reported only.
	if [ $s = nft ]; then
		echo "# nft: delivered to 9: $(got swap.$s 9) of $(sent swap.$s 9); to 10: $(got swap.$s 10) of $(sent swap.$s 10)"
	else
		check "$s: datagrams to 9, which both rulesets drop, never delivered ($(got swap.$s 9) of $(sent swap.$s 9))" \
			test "$(got swap.$s 9)" = 0
		check "$s: datagrams to 10, which both rulesets accept, all delivered ($(got swap.$s 10) of $(sent swap.$s 10))" \
			test "$(got swap.$s 10)" = "$(sent swap.$s 10)"
	fi
	check "$s: datagrams to 11 delivered while ruleset 1 was in force, dropped while ruleset 2 was ($(got swap.$s 11) of $(sent swap.$s 11))" \
		test "$(got swap.$s 11)" -gt 0 -a "$(got swap.$s 11)" -lt "$(sent swap.$s 11)"
	ipt_save $s $p-b-$s | grep -v '^#' | sed 's/^\[[0-9]*:[0-9]*\] //; s/ \[[0-9]*:[0-9]*\]$/ [0:0]/' > "$out/final.$s"
	printf '%s\n' "$ruleset2" > "$out/final.expected"
	check "$s: the last commit is the table in force" \
		dp_diff "$out/final.expected" "$out/final.$s"
done

# (b) counters carried over commits under a flood.
for s in nft bpf; do
	case $s in
	nft) cmds=8 ;;
	bpf) cmds=100 ;;
	esac
	printf '%s\n' "$base" | ipt_restore $s $p-b-$s
	flood_start $s 10 carry.$s
	t0=$(dp_now)
	check "$s: $cmds iptables commands (-I, -A, -D) around the counted rule" \
		churn $s $cmds
	took=$(dp_elapsed "$t0")
	flood_stop
	dp_counters $s $p-b-$s > "$out/carry.counters.$s"
	c=$(dp_counter "$out/carry.counters.$s" INPUT 1)
	echo "# $s: $cmds commands in $took s; sent $(sent carry.$s 10), got $(got carry.$s 10), counted $c"
	check "$s: the flood ran: A sent at least $min_sent datagrams to 10 ($(sent carry.$s 10))" \
		flood_ran carry.$s 10
	check "$s: the table is back to the counted rule alone" \
		test "$(grep -c ' rule ' "$out/carry.counters.$s")" = 1
	check "$s: its counter ($c) is what B got ($(got carry.$s 10)) and A sent ($(sent carry.$s 10)), 60 bytes each" \
		test "$c" = "$(got carry.$s 10) $(( $(got carry.$s 10) * 60 ))" -a \
			"$(got carry.$s 10)" = "$(sent carry.$s 10)"
done
dp_skip_xtables "no kernel log line warns or reports an error" ||
	check "no kernel log line warns or reports an error during the commits" \
		no_log_errors
dp_end
