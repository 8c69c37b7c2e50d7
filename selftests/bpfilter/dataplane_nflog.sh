#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# NFLOG sends what xt_NFLOG sends, through the kernel's nfnetlink_log,
# against the iptables-nft oracle (bpf: iptables-legacy; nft:
# iptables-nft).  Per side P (192.0.2.1, vp) sends datagrams to H
# (192.0.2.2, vh), whose INPUT logs them to netlink group 5 (with a
# prefix; then, after a MARK, with --nflog-size 20) and to group 6,
# which nobody listens to; nflog_listen in H prints each message of
# group 5: prefix, hook, the packet bytes it carries, the mark.
# Datagrams to 7003 go to group 7 with --nflog-threshold 3, whose
# listener holds up to 100 messages for 10 s: the rule's threshold,
# lower, makes nfnetlink_log send them in batches of 3 at once.
# Asserted: the messages, in order, as x_tables sends them (by hand:
# the second record of a packet carries the mark set between the two),
# on both sides; group 7's in two batches of 3 within half a second;
# every counter equal to the oracle's.
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_nflog
rm -rf "$out"
mkdir -p "$out"
p=bpfd-nfl
ctprobe=$(dirname "$BPFILTER_PROBE")/ctprobe
listen=$(dirname "$BPFILTER_PROBE")/nflog_listen

rules_h='*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 7003 -j NFLOG --nflog-prefix batched --nflog-group 7 --nflog-threshold 3
-A INPUT -p udp -m udp --dport 7003 -j ACCEPT
-A INPUT -p udp -m udp --dport 7001 -j NFLOG --nflog-prefix u7001 --nflog-group 5
-A INPUT -p udp -m udp --dport 7001 -j MARK --set-xmark 0x9/0xffffffff
-A INPUT -p udp -j NFLOG --nflog-prefix short --nflog-group 5 --nflog-size 20
-A INPUT -p udp -m udp --dport 7002 -j NFLOG --nflog-prefix "other group" --nflog-group 6
-A INPUT -p udp -j ACCEPT
COMMIT'

# 3 datagrams to 7001, 2 to 7002 (60-byte packets).
expected='prefix "u7001" hook 1 len 60 mark 0
prefix "short" hook 1 len 20 mark 0x9
prefix "u7001" hook 1 len 60 mark 0
prefix "short" hook 1 len 20 mark 0x9
prefix "u7001" hook 1 len 60 mark 0
prefix "short" hook 1 len 20 mark 0x9
prefix "short" hook 1 len 20 mark 0
prefix "short" hook 1 len 20 mark 0'

# 6 datagrams to 7003.
batched='prefix "batched" hook 1 len 60 mark 0'
expected_batched="$batched
$batched
$batched
batch 3
$batched
$batched
$batched
batch 3"

setup_side() {
	dp_pair $p-h-$1 $p-p-$1
}

run_side() {
	local s=$1 h=$p-h-$1 v=$p-p-$1 l b
	printf '%s\n' "$rules_h" | ipt_restore "$s" "$h" || return 1
	rm -f "$out/ready.$s" "$out/ready.b.$s"
	"$listen" -n "$h" -g 5 -R "$out/ready.$s" > "$out/nflog.$s" &
	l=$!
	"$listen" -n "$h" -g 7 -q 100 -T 1000 -R "$out/ready.b.$s" \
		> "$out/nflog.b.$s" &
	b=$!
	wait_for 10 test -f "$out/ready.$s" -a -f "$out/ready.b.$s" || return 1
	"$ctprobe" -n "$v" dgram -s 192.0.2.1 -S 5000 -d 192.0.2.2 -p 7001 -c 3 &&
	"$ctprobe" -n "$v" dgram -s 192.0.2.1 -S 5001 -d 192.0.2.2 -p 7002 -c 2 &&
	"$ctprobe" -n "$v" dgram -s 192.0.2.1 -S 5002 -d 192.0.2.2 -p 7003 -c 6 ||
		return 1
	sleep 0.5
	kill -TERM "$l" "$b"
	wait "$l" "$b"
}

dp_begin $p
for s in nft bpf; do
	check "$s: namespaces and links" setup_side $s
done
printf '%s\n' "$expected" > "$out/expected"
printf '%s\n' "$expected_batched" > "$out/expected.b"
for s in nft bpf; do
	check "$s: rules load, datagrams sent, messages received" run_side $s
	check "$s: group 5's messages are x_tables'" \
		dp_diff "$out/expected" "$out/nflog.$s"
	check "$s: group 7's come in batches of --nflog-threshold 3" \
		dp_diff "$out/expected.b" "$out/nflog.b.$s"
done
dp_counters nft $p-h-nft > "$out/counters.nft"
dp_counters bpf $p-h-bpf > "$out/counters.bpf"
check "bpf: every entry's packet and byte counters are the oracle's" \
	dp_diff "$out/counters.nft" "$out/counters.bpf"
dp_end
