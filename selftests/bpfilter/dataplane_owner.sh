#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# -m owner, -m addrtype and -m mac as x_tables evaluates them, against the
# iptables-nft oracle (bpf: iptables-legacy, i.e. bpfilter; nft:
# iptables-nft), on one link per side: H (192.0.2.2, vh) and P
# (192.0.2.1, vp), fixed MACs, multicast routed on the link.
#
# H's OUTPUT accepts UDP by the sending socket's uid (one, a range, an
# inverted one with a gid), by gid, by supplementary group (a range and
# an inverted one), and counts what the kernel's own
# TCP control socket sends (a socket without a file: a reset) with
# --socket-exists and its inversion; the rest of UDP is dropped.  H's
# INPUT counts by address type (local with --limit-iface-in, multicast,
# not-unicast sources) and by MAC source, plain and inverted (neither
# matches on lo, which is no Ethernet device), and H's OUTPUT by local
# source and unicast destination.  Datagrams go from H as several users (setpriv inside
# H's namespace), and from P to H and to 224.0.0.1; P connects to a
# closed port of H (H resets).
# Asserted: what H could send (EPERM for a drop) as x_tables decides it
# (by hand, below), on both sides; every counter equal to the oracle's.
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_owner
rm -rf "$out"
mkdir -p "$out"
p=bpfd-own
ctprobe=$(dirname "$BPFILTER_PROBE")/ctprobe

rules_h='*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m mac --mac-source 02:00:00:00:00:01
-A INPUT -m mac ! --mac-source 02:00:00:00:00:01
-A INPUT -p udp -m addrtype --dst-type LOCAL --limit-iface-in
-A INPUT -p udp -m addrtype --dst-type MULTICAST
-A INPUT -p udp -m addrtype ! --src-type UNICAST
-A INPUT -p udp -m addrtype --src-type UNICAST --dst-type LOCAL -m udp --dport 7100 -j ACCEPT
-A OUTPUT -o lo -j ACCEPT
-A OUTPUT -m addrtype --src-type LOCAL --dst-type UNICAST
-A OUTPUT -p tcp -m owner --socket-exists
-A OUTPUT -p tcp -m owner ! --socket-exists
-A OUTPUT -p tcp -m owner --uid-owner 0
-A OUTPUT -p udp -m owner --uid-owner 0 -m udp --dport 7001 -j ACCEPT
-A OUTPUT -p udp -m owner --uid-owner 1000-1999 -j ACCEPT
-A OUTPUT -p udp -m owner ! --uid-owner 1500 --gid-owner 100 -m udp --dport 7003 -j ACCEPT
-A OUTPUT -p udp -m owner --gid-owner 2000 -j ACCEPT
-A OUTPUT -p udp -m owner --gid-owner 3000-3099 --suppl-groups -m udp --dport 7007 -j ACCEPT
-A OUTPUT -p udp -m owner ! --gid-owner 3050 --suppl-groups -m udp --dport 7008 -j ACCEPT
-A OUTPUT -p udp -j DROP
COMMIT'

# name uid gid groups port count: what H sends, and what x_tables does:
# root to 7001 accepted; 1000 (in 1000-1999) accepted; 2500/100 to 7003
# accepted by "! uid 1500, gid 100"; 3000/200 to 7004 dropped (EPERM);
# 4000/2000 accepted by gid; root to 7006 dropped; 3000/200 to 7007
# accepted by its supplementary group 3050 (--suppl-groups), and
# dropped with supplementary groups 10,20 only; to 7008 "! 3050
# --suppl-groups" drops 3000/200 in group 3050, accepts it in 3051.
sends='s1 0 0 - 7001 3
s2 1000 100 - 7002 2
s3 2500 100 - 7003 4
s4 3000 200 - 7004 2
s5 4000 2000 - 7005 3
s6 0 0 - 7006 1
s7 3000 200 10,3050 7007 2
s8 3000 200 10,20 7007 1
s9 3000 200 3050 7008 1
s10 3000 200 3051 7008 2'
expected='s1 sent 3 failed 0
s2 sent 2 failed 0
s3 sent 4 failed 0
s4 sent 0 failed 2
s5 sent 3 failed 0
s6 sent 0 failed 1
s7 sent 2 failed 0
s8 sent 0 failed 1
s9 sent 0 failed 1
s10 sent 2 failed 0
tcp 9 ok 0 refused 1 timeout 0'

setup_side() {
	dp_pair $p-h-$1 $p-p-$1 '' 'route add 224.0.0.0/4 dev vp'
}

run_side() {
	local s=$1 h=$p-h-$1 peer=$p-p-$1 name uid gid port count
	printf '%s\n' "$rules_h" | ipt_restore "$s" "$h" || return 1
	printf '%s\n' "$sends" | while read -r name uid gid groups port count; do
		if [ "$groups" = - ]; then
			groups=--clear-groups
		else
			groups=--groups=$groups
		fi
		echo "$name udp 192.0.2.2 5000 192.0.2.1 $port $count 32" |
			dp_in "$h" setpriv --reuid="$uid" --regid="$gid" \
			"$groups" "$dp_tool" batch
	done > "$out/send.$s" || return 1
	echo 'l1 udp 127.0.0.1 5002 127.0.0.1 7200 2 32' |
		"$dp_tool" -n "$h" batch > "$out/lo.$s" || return 1
	printf '%s\n' 'm1 udp 192.0.2.1 5001 192.0.2.2 7100 2 32' \
		'm2 udp 192.0.2.1 5001 224.0.0.1 7100 3 32' |
		"$dp_tool" -n "$peer" batch > "$out/peer.$s" || return 1
	"$ctprobe" -n "$peer" connect -s 192.0.2.1 -S 40000 -d 192.0.2.2 -p 9 \
		>> "$out/send.$s"
}

dp_begin $p
for s in nft bpf; do
	check "$s: namespaces and links" setup_side $s
done
printf '%s\n' "$expected" > "$out/expected"
for s in nft bpf; do
	check "$s: rules load, traffic runs" run_side $s
	sed 's/ errors [0-9]*$//' "$out/send.$s" > "$out/observed.$s"
done
check "nft (oracle): what H may send is what x_tables lets out" \
	dp_diff "$out/expected" "$out/observed.nft"
check "bpf: what H may send is what x_tables lets out" \
	dp_diff "$out/expected" "$out/observed.bpf"
dp_counters nft $p-h-nft > "$out/counters.nft"
dp_counters bpf $p-h-bpf > "$out/counters.bpf"
check "bpf: every entry's packet and byte counters are the oracle's" \
	dp_diff "$out/counters.nft" "$out/counters.bpf"
check "the address-type and socket counters are not all zero" \
	awk '$2 == "rule" && $3 <= 8 && $4 > 0 { n++ } END { exit n < 7 }' \
	"$out/counters.bpf"
dp_end
