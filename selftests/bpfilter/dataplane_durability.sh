#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The data plane does not depend on the helper: kill -9 of the helper
# during a flood changes nothing for packets, and no count is lost.
#
# Sender A (192.0.2.1) floods receiver B (192.0.2.2) with UDP to ports 9
# and 10 in turn; B's INPUT drops 9 and accepts (and counts) 10.  While
# the flood runs: the helper is killed and the flood goes on with no
# request at all for a second (the programs alone); a counter read then
# starts a new helper; three more kills each race with an iptables -A
# (appending a rule behind the two) and -D.  Asserted: every kill hit a
# live helper and a new one took over; the counters kept rising across
# the kills; B got no datagram on 9, ever; at the end the DROP rule
# counted every datagram A sent to 9, and the ACCEPT rule counted exactly
# what B got on 10, which is what A sent (iptables-legacy-save -c).
#
# The nft oracle side runs the same flood and reads without kills (it
# has no helper): the flood and the exact counts work in this guest.
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_durability
rm -rf "$out"
mkdir -p "$out"
p=bpfd-dur

rules='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 9 -j DROP
-A INPUT -p udp -m udp --dport 10 -j ACCEPT
COMMIT'

setup_side() {
	local a=$p-a-$1 b=$p-b-$1
	printf '%s\n' "netns add $a" "netns add $b" \
		"link add va netns $a address 02:00:00:00:03:0a type veth peer name vb netns $b address 02:00:00:00:03:0b" |
		dp_links &&
	dp_setup $a 'addr add 192.0.2.1/24 dev va
link set dev va up
neigh replace 192.0.2.2 lladdr 02:00:00:00:03:0b dev va nud permanent' &&
	dp_setup $b 'addr add 192.0.2.2/24 dev vb
link set dev vb up
neigh replace 192.0.2.1 lladdr 02:00:00:00:03:0a dev vb nud permanent' &&
	printf '%s\n' "$rules" | ipt_restore $1 $b
}

# accepted SIDE: packets the ACCEPT rule counted so far.
accepted() {
	dp_counters $1 $p-b-$1 > "$out/counters.$1"
	dp_counter "$out/counters.$1" INPUT 2 | cut -d' ' -f1
}

rising() {
	test -n "$1" && test -n "$2" && test "$2" -gt "$1"
}

sent() {
	awk -v p="$2" '$1 == p { print $3 }' "$out/send.$1"
}

got() {
	awk -v p="$2" '$1 == p { print $2 }' "$out/recv.$1"
}

# kill_helper: kill -9 the running helper; one check that it was alive
# and is gone.  Sets old.
kill_helper() {
	old=$(helper_pid)
	check "$1 (pid ${old:-none})" \
		sh -c "test -n '$old' && test -d '/proc/$old' && kill -9 '$old'"
	check "the killed helper is gone" wait_for 5 pid_gone "$old"
}

dp_begin $p
for s in nft bpf; do
	check "$s: sender and receiver namespaces, rules" setup_side $s
done

for s in nft bpf; do
	b=$p-b-$s
	dp_recv_start $b 9,10 "$out/recv.$s"
	recv_pid=$dp_recv_pid
	"$dp_tool" -n $p-a-$s send -p udp -d 192.0.2.2 -S 5000 -D 9,10 \
		-r 600 -l 32 > "$out/send.$s" 2>&1 &
	send_pid=$!
	sleep 1
	c1=$(accepted $s)
	if [ $s = bpf ] && ! dp_skip_xtables "kill -9 of the helper during the flood"; then
		started=$(helpers_started)
		kill_helper "kill -9 of the helper during the flood"
		# Nothing asks the module anything for a second.
		sleep 1
		c2=$(accepted $s)
		check "the counter read started a new helper (old $old, new $(helper_pid); started $started before, $(helpers_started) now)" \
			helper_replaced "$old"
	else
		sleep 1
		c2=$(accepted $s)
	fi
	check "$s: the ACCEPT rule's counter rose during the flood ($c1, then $c2)" \
		rising "$c1" "$c2"
	fails=0 kills=0
	[ $s = bpf ] && [ "$dp_xtables" != 1 ] && started=$(helpers_started)
	for i in 1 2 3; do
		if [ $s = bpf ] && [ "$dp_xtables" != 1 ]; then
			pid=$(helper_pid)
			[ -d "/proc/$pid" ] && kill -9 "$pid" && kills=$((kills + 1))
		fi
		ipt $s $b -A INPUT -p tcp --dport $i -j DROP || fails=$((fails + 1))
		ipt $s $b -D INPUT -p tcp --dport $i -j DROP || fails=$((fails + 1))
	done
	if [ $s = bpf ] && ! dp_skip_xtables "3 more kills, each racing with a rule change"; then
		check "3 more kills hit a live helper ($kills did), a new helper for each ($started before, $(helpers_started) now)" \
			test "$kills" = 3 -a "$(helpers_started)" = $((started + 3))
	fi
	check "$s: 3 rule changes (-A, -D; each racing with a kill -9 of the helper on bpf) succeeded ($fails failed)" \
		test "$fails" = 0
	sleep 0.5
	c3=$(accepted $s)
	check "$s: the counter kept rising ($c2, then $c3)" rising "$c2" "$c3"
	kill -TERM $send_pid
	wait $send_pid
	dp_recv_stop $recv_pid
	dp_counters $s $b > "$out/counters.$s"
	drop=$(dp_counter "$out/counters.$s" INPUT 1)
	acc=$(dp_counter "$out/counters.$s" INPUT 2)
	echo "# $s: sent 9 $(sent $s 9), 10 $(sent $s 10); got 9 $(got $s 9), 10 $(got $s 10); counted DROP $drop, ACCEPT $acc"
	check "$s: no datagram to the dropped port was delivered, during or after the kills ($(got $s 9) of $(sent $s 9))" \
		test "$(got $s 9)" = 0
	check "$s: the DROP rule counted every datagram sent to it ($drop; sent $(sent $s 9))" \
		test "$drop" = "$(sent $s 9) $(( $(sent $s 9) * 60 ))"
	check "$s: the ACCEPT rule counted exactly what B got ($acc; got $(got $s 10) of $(sent $s 10) sent)" \
		test "$acc" = "$(got $s 10) $(( $(got $s 10) * 60 ))" -a \
			"$(got $s 10)" = "$(sent $s 10)"
done
if ! dp_skip_xtables "one helper runs"; then
	check "one helper runs" test "$(dp_blob_processes)" -eq 1
fi
dp_end
