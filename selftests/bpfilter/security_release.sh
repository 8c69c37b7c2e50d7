#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Replaced programs are released only once no CPU can run them, whoever
# drops them: the caller after reading their counters, or the I/O thread
# when the caller was killed during its commit.  Both CPUs flood H
# through NFLOG and LOG rules (whose parameters the hook reads from the
# programs' state after each run; hook_delay_us holds each packet
# between taking the programs and running them, widening that window)
# while iptables-legacy-restore commits two tables in turn and is killed
# with SIGKILL at points spread over its commit.  Asserted: commits
# killed after they took effect happened, the traffic ran on both CPUs
# and reached the listener throughout, the table in force is whole, the
# released programs are gone afterwards.  A use after free here is what
# the debug kernel's KASAN reports (make check DEBUG=1); the normal
# kernel's log scan catches an oops.
. "$(dirname "$0")/dataplane_lib.sh"

p=bpfs-rel
out=/tmp/security_release
rm -rf "$out"
mkdir -p "$out"
listen=$(dirname "$BPFILTER_PROBE")/nflog_listen
delay=/sys/module/bpfilter/parameters/hook_delay_us

# table NAME PADDING IDLE: NFLOG and LOG of H's datagrams, then PADDING
# rules no classifier run takes (a commit that takes a while to
# compile), and a chain of IDLE rules nothing jumps to.
table() {
	local i=0
	echo '*filter'
	echo "-A INPUT -p udp -j NFLOG --nflog-group 5 --nflog-prefix $1"
	echo "-A INPUT -p udp -m limit --limit 5/sec -j LOG --log-prefix \"rel-$1 \""
	while [ $i -lt "$2" ]; do
		echo "-A INPUT -p tcp -m tcp --dport $((1000 + i)) --tcp-flags SYN,ACK SYN -j DROP"
		i=$((i + 1))
	done
	echo '-A INPUT -p udp -j ACCEPT'
	# Checked by every commit, compiled by none: a longer window between
	# the programs' load and the commit taking effect.
	echo ':idle - [0:0]'
	i=0
	while [ $i -lt "$3" ]; do
		echo "-A idle -p tcp -m tcp --dport $((1000 + i)) -j DROP"
		i=$((i + 1))
	done
	echo 'COMMIT'
}

# in_force: which table H has ("a", "b", or what else it has).
in_force() {
	ipt bpf "$p-h" -S INPUT | sed -n 's/.*--nflog-prefix \([a-z]*\).*/\1/p'
}

# The debug kernel (KASAN) is many times slower under emulation: its
# floods are paced, leaving the CPUs to the commits, and fewer commits
# are killed; each packet waits 500 us in the hook, so that each CPU is
# inside the window about 15% of the time (at 200 us, 6%, a run of the
# module from before the fix, which freed at once, found nothing; at
# 1 ms the commits starve).  Elsewhere the floods are unpaced.
if zcat /proc/config.gz 2>/dev/null | grep -q '^CONFIG_KASAN=y'; then
	rate=300 commits=12 delay_us=500
else
	rate=0 commits=30 delay_us=200
fi

dp_begin "$p"
check "the floods run on two CPUs or more ($(nproc) online)" test "$(nproc)" -ge 2
dp_pair "$p-h" "$p-p"
all_netns=$(cat /proc/sys/net/netfilter/nf_log_all_netns)
echo 1 > /proc/sys/net/netfilter/nf_log_all_netns
table a 150 1500 > "$out/a"
table b 150 1500 > "$out/b"
check "table a loads" ipt_restore bpf "$p-h" < "$out/a"

rm -f "$out/ready"
"$listen" -n "$p-h" -g 5 -R "$out/ready" > "$out/nflog" &
listener=$!
wait_for 10 test -f "$out/ready"
echo $delay_us > "$delay"
for cpu in 0 1; do
	taskset -c $cpu "$dp_tool" -n "$p-p" send -p udp -d 192.0.2.2 -D 7001 \
		-r $rate > "$out/flood.$cpu" 2>&1 &
	eval "flood$cpu=\$!"
done

# How long a commit of b takes under the floods.
start=$(dp_now)
check "table b loads under the floods" ipt_restore bpf "$p-h" < "$out/b"
took=$(dp_elapsed "$start")
check "table a loads again (b took $took s)" ipt_restore bpf "$p-h" < "$out/a"

# $commits commits, each killed after a delay that closes in on when a commit
# takes effect: later after one killed before it took effect, earlier
# after one that completed.  Those killed after taking effect are the
# case asked for: the caller gone, the I/O thread drops the replaced
# programs while the floods still run them.
applied_killed=0 k=0 want=a lo=0 hi=$took
while [ $k -lt $commits ]; do
	if [ "$want" = a ]; then want=b; else want=a; fi
	before=$(in_force)
	wait_s=$(awk -v a="$lo" -v b="$hi" 'BEGIN { printf "%.3f", (a + b) / 2 }')
	taskset -c $((k % 2)) nsenter --net="/run/netns/$p-h" \
		iptables-legacy-restore -w < "$out/$want" 2>/dev/null &
	restore=$!
	sleep "$wait_s"
	kill -KILL $restore 2>/dev/null
	{ wait $restore; } 2>/dev/null
	status=$?
	now=$(in_force)
	echo "commit $k of $want after $wait_s s: status $status, table $before -> $now" >> "$out/commits"
	if [ "$status" = 0 ]; then
		hi=$wait_s
	elif [ "$now" = "$want" ] && [ "$before" != "$want" ]; then
		applied_killed=$((applied_killed + 1))
	else
		lo=$wait_s
	fi
	# Never narrower than 20 ms: the start of a process varies by more.
	set -- $(awk -v a="$lo" -v b="$hi" 'BEGIN {
		if (b - a < 0.02) { a -= 0.03; b += 0.03 }
		if (a < 0) a = 0
		printf "%.3f %.3f", a, b }')
	lo=$1 hi=$2
	[ "$now" = "$want" ] || want=$now
	k=$((k + 1))
done
sent_before=$(wc -l < "$out/nflog")
sleep 1
kill -TERM "$flood0" "$flood1"
wait "$flood0" "$flood1"
kill -TERM "$listener"
wait "$listener"
echo 0 > "$delay"
echo "$all_netns" > /proc/sys/net/netfilter/nf_log_all_netns

check "commits killed after they took effect: $applied_killed ($(tr '\n' ';' < "$out/commits"))" \
	test "$applied_killed" -ge 1
for cpu in 0 1; do
	check "CPU $cpu flooded H: $(grep total "$out/flood.$cpu")" \
		awk '$1 == "total" && $3 > 100 { ok = 1 } END { exit !ok }' "$out/flood.$cpu"
done
check "NFLOG reached the listener throughout ($sent_before messages by the last commit, $(wc -l < "$out/nflog") in all)" \
	test "$sent_before" -gt 100
check "LOG wrote lines" sh -c "dmesg | grep -q 'rel-[ab] IN=vh'"
# The table in force is a or b whole: as a fresh commit of a reads back,
# but for the name.
final=$(in_force)
ipt bpf "$p-h" -S |
	sed "s/--nflog-prefix $final/--nflog-prefix X/; s/rel-$final /rel-X /" > "$out/final"
ipt_restore bpf "$p-h" < "$out/a"
ipt bpf "$p-h" -S |
	sed 's/--nflog-prefix a/--nflog-prefix X/; s/rel-a /rel-X /' > "$out/a.x"
check "the table in force ($final) was whole" dp_diff "$out/a.x" "$out/final"
# bpfilter_progs_free() waits a grace period, then releases.
three_progs() {
	test "$(bpftool prog show 2>/dev/null | grep -c 'name bpfilter_')" = 3
}
check "every replaced program is released: the table's 3 remain" \
	wait_for 10 three_progs
dp_end
