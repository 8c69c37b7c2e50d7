#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Commits and counters with both CPUs running the programs at once.  A
# veth delivers in the sender's softirq, so a flood pinned to a CPU is
# judged on that CPU: two unpaced floods, one pinned to CPU 0 and one to
# CPU 1, keep both CPUs in the hook while the table changes under them.
#
# (a) swap_probe swaps the table between rulesets A and B (the counted
#     rule at another entry in each) with raw SET_REPLACE calls: what the
#     commits returned for the counted rule plus its live count at the
#     end is exactly what both floods sent.  Were the old counters read
#     before no CPU ran the old programs (no grace period), packets
#     counted meanwhile would be lost to the sum.
# (b) iptables-legacy -I, -A and -D change the table around one counted
#     ACCEPT rule: libiptc carries the counters across with the old
#     counters SET_REPLACE returns and SET_ADD_COUNTERS; at the end the
#     rule has counted exactly what was sent.
# (c) -m limit's bucket, shared by both CPUs, under both floods: the
#     accepted count within x_tables' bounds (credit for the burst plus
#     the rate over the time the floods ran, no more; the rate over it,
#     at least).
# Each part first proves both CPUs counted packets (per-CPU counters of
# the programs in force, bpftool) and that the backlogs dropped none.
# In (a) and (b) the module's test-only hook_delay_us holds each packet
# 500 us between taking the programs and running them, so that a CPU is
# nearly always inside a packet when a commit swaps: read without the
# grace period, the old counters would miss that packet.  (Without the
# delay the window is a few microseconds, and a module with no grace
# period passed all three parts.)
#
# DP_XTABLES=1 runs it on a host against x_tables itself.
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_smp
rm -rf "$out"
mkdir -p "$out"
p=bpfd-smp
h=$p-h
s=$p-p
probe=$(dirname "$BPFILTER_PROBE")/swap_probe
iplen=60

# field FILE KEY [N]: the Nth value (default 1) of FILE's line KEY, or 0.
field() {
	awk -v k="$2" -v n="${3:-1}" '$1 == k { v = $(n + 1) } END { print v + 0 }' "$1"
}

# softnet_drops: packets the backlogs of all CPUs dropped so far (the
# second column of softnet_stat, in hex).
softnet_drops() {
	local total=0 drop
	while read -r _ drop _; do
		total=$((total + 0x$drop))
	done < /proc/net/softnet_stat
	echo "$total"
}

# flood PORT SECONDS TAG: one unpaced flood per CPU from S to H's PORT;
# their reports in $out/TAG.0 and $out/TAG.1.  Sets flood0, flood1.
flood_start() {
	local cpu
	for cpu in 0 1; do
		taskset -c $cpu "$dp_tool" -n "$s" send -p udp -d 192.0.2.2 \
			-S $((5000 + cpu)) -D "$1" -t "$2" -l $((iplen - 28)) \
			> "$out/$3.$cpu" 2>&1 &
		eval "flood$cpu=\$!"
	done
}

flood_wait() {
	wait "$flood0" "$flood1"
}

# sent TAG: datagrams both floods sent.
sent() {
	echo $(( $(field "$out/$1.0" total 2) + $(field "$out/$1.1" total 2) ))
}

# cpus_counted NAME: both CPUs counted packets for H's INPUT rule that
# carries the comment NAME: its entry's per-CPU counters, from the
# counters map of the programs in force (x_tables: skipped).
cpus_counted() {
	[ "$dp_xtables" = 1 ] && return 0
	python3 - "$1" <<'EOF'
import json, subprocess, sys
run = lambda *a: json.loads(subprocess.run(["bpftool", "-j"] + list(a), check=True,
                                           capture_output=True, text=True).stdout)
maps = [m for m in run("map", "show") if m.get("name") == "bpfilter_cnt"]
if not maps:
    sys.exit("no counters map")
# The namespace's only table: its newest counters map.
dump = run("map", "dump", "id", str(max(m["id"] for m in maps)))
busy = [0, 0]
for elem in dump:
    for v in elem.get("values", []):
        cpu = v["cpu"]
        pcnt = v["value"]["pcnt"] if isinstance(v["value"], dict) else \
            int.from_bytes(bytes(int(b, 16) for b in v["value"][:8]), "little")
        if cpu < 2 and pcnt:
            busy[cpu] += pcnt
print("per-CPU packets:", busy)
sys.exit(0 if all(busy) else "a CPU counted nothing")
EOF
}

setup() {
	dp_pair "$h" "$s"
}

# hook_delay US: the hook's test-only delay (bpfilter only).
hook_delay() {
	[ "$dp_xtables" = 1 ] || echo "$1" > /sys/module/bpfilter/parameters/hook_delay_us
}

dp_begin "$p"
check "swap_probe is built ($probe)" test -x "$probe"
check "two CPUs or more ($(nproc) online)" test "$(nproc)" -ge 2
check "namespaces and links" setup
backlog=$(cat /proc/sys/net/core/netdev_max_backlog)
echo 100000 > /proc/sys/net/core/netdev_max_backlog
# Bound sockets, so that H answers no datagram with an ICMP error (which
# its OUTPUT policy would count).
dp_recv_start "$h" 9,10,11 "$out/recv" || ktap_fail "receiver started"
recv=$dp_recv_pid

# (a) swaps
save() {
	printf '%s\n' "$2" | ipt_restore bpf "$h" &&
		"$probe" -n "$h" save "$out/$1.bin" > "$out/$1.save"
}
check "(a) ruleset B committed and read back" save b '*filter
-A INPUT -p udp -m udp --dport 10 -j DROP
-A INPUT -p tcp -j DROP
-A INPUT -p udp -m udp --dport 9 -j ACCEPT
COMMIT'
check "(a) ruleset A committed and read back" save a '*filter
-A INPUT -p udp -m udp --dport 9 -j ACCEPT
COMMIT'
drops=$(softnet_drops)
hook_delay 500
# Until killed: 300 commits take 2 s to 36 s (a loaded host).
flood_start 9 600 a
sleep 0.5
"$probe" -n "$h" swap 300 2 "$out/a.bin" "$out/b.bin" > "$out/swap" 2> "$out/swap.err"
rc=$?
kill -TERM "$flood0" "$flood1" 2>/dev/null
flood_wait
hook_delay 0
sleep 0.5
"$probe" -n "$h" count > "$out/count" 2>&1
check "(a) 300 commits under both floods ($(tr '\n' ' ' < "$out/swap") $(cat "$out/swap.err"))" \
	test "$rc" = 0
check "(a) both CPUs sent: $(grep -h total "$out/a.0" "$out/a.1" | tr '\n' ' ')" \
	sh -c "test $(field "$out/a.0" total 2) -gt 1000 && test $(field "$out/a.1" total 2) -gt 1000"
check "(a) and both counted" cpus_counted
check "(a) the backlogs dropped nothing ($drops before, $(softnet_drops) after)" \
	test "$(softnet_drops)" = "$drops"
r1=$(field "$out/swap" returned1 1)
r2=$(field "$out/swap" returned2 1)
live=$(field "$out/count" live 1)
bytes=$(( $(field "$out/swap" returned1 2) + $(field "$out/swap" returned2 2) + $(field "$out/count" live 2) ))
sum=$((r1 + r2 + live))
check "(a) both rulesets counted while in force (A $r1, B $r2, live $live)" \
	sh -c "test $r1 -gt 0 && test $r2 -gt 0"
check "(a) returned + live = sent, exactly ($sum, $(sent a))" test "$sum" = "$(sent a)"
check "(a) bytes: $iplen per packet ($bytes)" test "$bytes" = $((sum * iplen))
check "(a) no other entry counted ($(field "$out/swap" others))" \
	test "$(field "$out/swap" others)" = 0

# (b) -I, -A, -D around the counted rule
printf '%s\n' '*filter' \
	'-A INPUT -p udp -m udp --dport 10 -m comment --comment counted -j ACCEPT' \
	'COMMIT' | ipt_restore bpf "$h"
drops=$(softnet_drops)
hook_delay 500
flood_start 10 600 b
sleep 0.5
i=0
: > "$out/cmds"
while [ $i -lt 12 ]; do
	echo "-I INPUT -p tcp -m tcp --dport $((2000 + i)) -j DROP" >> "$out/cmds"
	echo "-A INPUT -p tcp -m tcp --dport $((3000 + i)) -j DROP" >> "$out/cmds"
	i=$((i + 1))
done
while [ $i -gt 0 ]; do
	i=$((i - 1))
	echo "-D INPUT -p tcp -m tcp --dport $((2000 + i)) -j DROP" >> "$out/cmds"
	echo "-D INPUT -p tcp -m tcp --dport $((3000 + i)) -j DROP" >> "$out/cmds"
done
failed=0
while read -r cmd; do
	# shellcheck disable=SC2086
	ipt bpf "$h" $cmd || failed=$((failed + 1))
done < "$out/cmds"
kill -TERM "$flood0" "$flood1" 2>/dev/null
flood_wait
hook_delay 0
sleep 0.5
ipt_save bpf "$h" > "$out/b.save"
counted=$(sed -n 's/^\[\([0-9]*\):\([0-9]*\)\] -A INPUT .*counted.*/\1 \2/p' "$out/b.save")
check "(b) 48 commands under both floods, none failed ($failed)" test "$failed" = 0
check "(b) both CPUs sent: $(grep -h total "$out/b.0" "$out/b.1" | tr '\n' ' ')" \
	sh -c "test $(field "$out/b.0" total 2) -gt 1000 && test $(field "$out/b.1" total 2) -gt 1000"
check "(b) and both counted" cpus_counted
check "(b) the backlogs dropped nothing ($drops before, $(softnet_drops) after)" \
	test "$(softnet_drops)" = "$drops"
check "(b) the counted rule counted exactly what was sent ($counted; sent $(sent b))" \
	test "$counted" = "$(sent b) $(( $(sent b) * iplen ))"

# (c) -m limit under both floods
printf '%s\n' '*filter' \
	'-A INPUT -p udp -m udp --dport 11 -m limit --limit 100/sec --limit-burst 20 -m comment --comment counted -j ACCEPT' \
	'-A INPUT -p udp -m udp --dport 11 -j DROP' \
	'COMMIT' | ipt_restore bpf "$h"
start=$(dp_now)
flood_start 11 4 c
flood_wait
took=$(dp_elapsed "$start")
ipt_save bpf "$h" > "$out/c.save"
accepted=$(sed -n 's/^\[\([0-9]*\):[0-9]*\] -A INPUT .*limit.*/\1/p' "$out/c.save")
dropped=$(sed -n 's/^\[\([0-9]*\):[0-9]*\] -A INPUT .*-j DROP/\1/p' "$out/c.save")
check "(c) both CPUs sent: $(grep -h total "$out/c.0" "$out/c.1" | tr '\n' ' ')" \
	sh -c "test $(field "$out/c.0" total 2) -gt 1000 && test $(field "$out/c.1" total 2) -gt 1000"
check "(c) every datagram was judged ($accepted + $dropped = $(sent c))" \
	test $((accepted + dropped)) = "$(sent c)"
# xt_limit: at most the burst plus 100/s over the floods' time (measured
# around them, so an upper bound), plus one jiffy's credit; at least the
# rate over the time both floods certainly ran (a second less).
check "(c) the shared bucket let through $accepted in $took s: between 100/s and 20 + 100/s" \
	awk -v a="$accepted" -v t="$took" 'BEGIN { exit !(a <= 20 + 100 * t + 1 && a >= 100 * (t - 1)) }'

dp_recv_stop "$recv"
echo "$backlog" > /proc/sys/net/core/netdev_max_backlog
dp_end
