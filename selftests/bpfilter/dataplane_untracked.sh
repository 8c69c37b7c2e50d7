#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# -m conntrack --ctstate UNTRACKED and -m state --state UNTRACKED on
# packets conntrack was told not to track, against the iptables-nft
# oracle.
#
# Untracked packets need a rule before conntrack: "-t raw -j CT
# --notrack" needs ip_tables, which the guest does not have, so on both
# sides nft itself (package nftables) puts a notrack rule for UDP port
# 9999 in a prerouting chain at priority -300 (raw) of S.  Per side (bpf:
# iptables-legacy, i.e. bpfilter; nft: iptables-nft), C (192.0.2.1, va)
# sends S (192.0.2.2, vb) 5 datagrams to 9999 (untracked) and 3 to 9998
# (tracked: NEW).  S's INPUT counts both kinds with both matches, with
# and without "!", accepts the untracked and drops other UDP.
# x_tables: state UNTRACKED 5, conntrack ! UNTRACKED 3, conntrack NEW
# 3, conntrack UNTRACKED (accept) 5, the DROP 3; S receives 5 on 9999,
# none on 9998.  Every entry's counters equal the oracle's.
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_untracked
rm -rf "$out"
mkdir -p "$out"
p=bpfd-untr

rules='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -m state --state UNTRACKED
-A INPUT -m conntrack ! --ctstate UNTRACKED
-A INPUT -m conntrack --ctstate NEW
-A INPUT -m state --state NEW,ESTABLISHED,RELATED,INVALID
-A INPUT -m conntrack --ctstate UNTRACKED -j ACCEPT
-A INPUT -p udp -j DROP
COMMIT'

expected_packets='INPUT policy ACCEPT 0
INPUT rule 1 5
INPUT rule 2 3
INPUT rule 3 3
INPUT rule 4 3
INPUT rule 5 5
INPUT rule 6 3'
expected='S 9998 0
S 9999 5'

setup_side() {
	local s=$1 c=$p-c-$1 v=$p-s-$1
	printf '%s\n' "netns add $c" "netns add $v" \
		"link add va netns $c address 02:00:00:00:07:01 type veth peer name vb netns $v address 02:00:00:00:07:02" |
		dp_links || return 1
	dp_setup $c 'addr add 192.0.2.1/24 dev va
link set dev va up
neigh replace 192.0.2.2 lladdr 02:00:00:00:07:02 dev va nud permanent' &&
	dp_setup $v 'addr add 192.0.2.2/24 dev vb
link set dev vb up
neigh replace 192.0.2.1 lladdr 02:00:00:00:07:01 dev vb nud permanent' &&
	# Not named "raw": iptables-nft-save would take it for its own.
	dp_in $v nft -f - <<'EOF'
table ip notrack-test {
	chain pre {
		type filter hook prerouting priority -300; policy accept;
		udp dport 9999 counter notrack
	}
}
EOF
}

run_side() {
	local s=$1 c=$p-c-$1 v=$p-s-$1 pr
	printf '%s\n' "$rules" | ipt_restore $s $v || return 1
	dp_recv_start $v 9998,9999 "$out/recv.$s" || return 1
	pr=$dp_recv_pid
	"$dp_tool" -n $c batch > "$out/send.$s" <<EOF || return 1
untracked udp - 5000 192.0.2.2 9999 5 32
tracked udp - 5001 192.0.2.2 9998 3 32
EOF
	dp_recv_stop $pr
}

dp_begin $p
check "nft (package nftables) is installed" command -v nft
printf '%s\n' "$expected" > "$out/expected"
printf '%s\n' "$expected_packets" > "$out/packets.expected"
for s in nft bpf; do
	check "$s: namespaces, links, the notrack rule" setup_side $s
	check "$s: the rules load, the datagrams are sent" run_side $s
	awk '$1 != "total" { print "S", $1, $2 }' "$out/recv.$s" > "$out/observed.$s"
	check "$s: the untracked datagrams are accepted, the tracked dropped" \
		dp_diff "$out/expected" "$out/observed.$s"
	dp_counters $s $p-s-$s > "$out/counters.$s"
	awk '$1 == "INPUT" { print $1, $2, $3, $4 }' "$out/counters.$s" > "$out/packets.$s"
	check "$s: the counters are x_tables' (by hand)" \
		dp_diff "$out/packets.expected" "$out/packets.$s"
done
check "bpf: every entry's packet and byte counters are the oracle's" \
	dp_diff "$out/counters.nft" "$out/counters.bpf"
for s in nft bpf; do
	check "$s: the notrack rule saw the 5 datagrams to 9999" \
		sh -c "nsenter --net=/run/netns/$p-s-$s nft list chain ip notrack-test pre |
			grep -q 'udp dport 9999 counter packets 5 bytes 300 notrack'"
done
dp_end
