# SPDX-License-Identifier: GPL-2.0
# The REJECT scenario, run against x_tables on the host by
# reject-reference.sh and against bpfilter in the VM by
# dataplane_reject.sh: the same namespaces, rules and probes, so that the
# replies (bytes, run-to-run fields zeroed by ctprobe) and the counters
# can be compared byte for byte.
#
# A client C (192.0.2.1, va) and a server S (192.0.2.2, vb), veth with
# fixed MACs; S's INPUT rejects UDP ports 9-16 and TCP ports 9-10 with
# every --reject-with type, and ICMP; port 16 (UDP) and 11 (TCP) have
# no rule, so S's own stack answers them.  ctprobe sends one probe per
# port from a fixed source port and prints the first reply.

# The rules, iptables-save form.
reject_rules='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 9 -j REJECT
-A INPUT -p udp -m udp --dport 10 -j REJECT --reject-with icmp-net-unreachable
-A INPUT -p udp -m udp --dport 11 -j REJECT --reject-with icmp-host-unreachable
-A INPUT -p udp -m udp --dport 12 -j REJECT --reject-with icmp-proto-unreachable
-A INPUT -p udp -m udp --dport 13 -j REJECT --reject-with icmp-net-prohibited
-A INPUT -p udp -m udp --dport 14 -j REJECT --reject-with icmp-host-prohibited
-A INPUT -p udp -m udp --dport 15 -j REJECT --reject-with icmp-admin-prohibited
-A INPUT -p tcp -m tcp --dport 9 -j REJECT --reject-with tcp-reset
-A INPUT -p tcp -m tcp --dport 10 -j REJECT
-A INPUT -p icmp -j REJECT --reject-with icmp-host-prohibited
COMMIT'

# reject_run NS_PREFIX IPTABLES_RESTORE IPTABLES_SAVE CTPROBE OUT:
# build the pair, load the rules with IPTABLES_RESTORE, probe, and write
# "probe KIND PORT: HEX" lines then the normalised counters to OUT.
reject_run() {
	local p=$1 restore=$2 save=$3 probe=$4 out=$5 port
	ip netns del "$p-c" 2>/dev/null || :
	ip netns del "$p-s" 2>/dev/null || :
	ip netns add "$p-c" && ip netns add "$p-s" || return 1
	ip link add va netns "$p-c" address 02:00:00:00:00:01 type veth \
		peer name vb netns "$p-s" address 02:00:00:00:00:02 || return 1
	ip -n "$p-c" -batch - <<-BATCH || return 1
		link set lo up
		addr add 192.0.2.1/24 dev va
		link set va up
		neigh replace 192.0.2.2 lladdr 02:00:00:00:00:02 dev va nud permanent
	BATCH
	ip -n "$p-s" -batch - <<-BATCH || return 1
		link set lo up
		addr add 192.0.2.2/24 dev vb
		link set vb up
		neigh replace 192.0.2.1 lladdr 02:00:00:00:00:01 dev vb nud permanent
	BATCH
	for ns in "$p-c" "$p-s"; do
		ip netns exec "$ns" sh -c '
			echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
			echo 0 > /proc/sys/net/ipv4/icmp_ratelimit' || return 1
	done
	printf '%s\n' "$reject_rules" | ip netns exec "$p-s" $restore || return 1
	: > "$out"
	for port in 9 10 11 12 13 14 15 16; do
		echo "probe udp $port: $("$probe" -n "$p-c" reply -k udp \
			-s 192.0.2.1 -S 4000 -d 192.0.2.2 -p "$port")" >> "$out"
	done
	for port in 9 10 11; do
		echo "probe syn $port: $("$probe" -n "$p-c" reply -k syn \
			-s 192.0.2.1 -S 4001 -d 192.0.2.2 -p "$port")" >> "$out"
	done
	echo "probe ping: $("$probe" -n "$p-c" reply -k ping -s 192.0.2.1 \
		-d 192.0.2.2 -p 0)" >> "$out"
	ip netns exec "$p-s" $save -c | grep -v '^#' >> "$out"
	ip netns del "$p-c"
	ip netns del "$p-s"
}
