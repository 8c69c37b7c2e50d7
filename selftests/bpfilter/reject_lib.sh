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
#
# Then REJECT where the packet is not for the host: a router R between
# C2 (198.51.100.1) and S2 (203.0.113.1) rejects in FORWARD what C2
# sends through it and in OUTPUT what it sends itself.  Its ICMP errors
# come from its own address, its resets from the destination's; both
# leave through R's OUTPUT, whose counters are compared too.

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

reject_router_rules='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A FORWARD -p udp -m udp --dport 9 -j REJECT
-A FORWARD -p udp -m udp --dport 10 -j REJECT --reject-with icmp-host-prohibited
-A FORWARD -p tcp -m tcp --dport 9 -j REJECT --reject-with tcp-reset
-A FORWARD -p icmp -m icmp --icmp-type echo-request -j REJECT --reject-with icmp-net-unreachable
-A OUTPUT -p udp -m udp --dport 11 -j REJECT
-A OUTPUT -p udp -m udp --dport 12 -j REJECT --reject-with icmp-admin-prohibited
-A OUTPUT -p tcp -m tcp --dport 11 -j REJECT --reject-with tcp-reset
COMMIT'

# reject_run NS_PREFIX IPTABLES_RESTORE IPTABLES_SAVE CTPROBE OUT:
# build the pair, load the rules with IPTABLES_RESTORE, probe, and write
# "probe KIND PORT: HEX" lines then the normalised counters to OUT; then
# the same for the router (reject_router_run), appended.
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
	reject_router_run "$p" "$restore" "$save" "$probe" "$out"
}

# reject_router_run NS_PREFIX IPTABLES_RESTORE IPTABLES_SAVE CTPROBE OUT:
# the router scenario, appended to OUT.
reject_router_run() {
	local p=$1 restore=$2 save=$3 probe=$4 out=$5 ns port
	for ns in "$p-c2" "$p-r" "$p-s2"; do
		ip netns del "$ns" 2>/dev/null || :
		ip netns add "$ns" || return 1
	done
	ip link add vc netns "$p-c2" address 02:00:00:00:01:0c type veth \
		peer name vr0 netns "$p-r" address 02:00:00:00:01:00 || return 1
	ip link add vs netns "$p-s2" address 02:00:00:00:01:0e type veth \
		peer name vr1 netns "$p-r" address 02:00:00:00:01:01 || return 1
	ip -n "$p-c2" -batch - <<-BATCH || return 1
		link set lo up
		addr add 198.51.100.1/24 dev vc
		link set vc up
		neigh replace 198.51.100.254 lladdr 02:00:00:00:01:00 dev vc nud permanent
		route add default via 198.51.100.254
	BATCH
	ip -n "$p-s2" -batch - <<-BATCH || return 1
		link set lo up
		addr add 203.0.113.1/24 dev vs
		link set vs up
		neigh replace 203.0.113.254 lladdr 02:00:00:00:01:01 dev vs nud permanent
		route add default via 203.0.113.254
	BATCH
	ip -n "$p-r" -batch - <<-BATCH || return 1
		link set lo up
		addr add 198.51.100.254/24 dev vr0
		addr add 203.0.113.254/24 dev vr1
		link set vr0 up
		link set vr1 up
		neigh replace 198.51.100.1 lladdr 02:00:00:00:01:0c dev vr0 nud permanent
		neigh replace 203.0.113.1 lladdr 02:00:00:00:01:0e dev vr1 nud permanent
	BATCH
	for ns in "$p-c2" "$p-r" "$p-s2"; do
		ip netns exec "$ns" sh -c '
			echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6
			echo 0 > /proc/sys/net/ipv4/icmp_ratelimit
			echo 1 > /proc/sys/net/ipv4/ip_forward' || return 1
	done
	printf '%s\n' "$reject_router_rules" | ip netns exec "$p-r" $restore || return 1
	for port in 9 10; do
		echo "probe forward udp $port: $("$probe" -n "$p-c2" reply -k udp \
			-s 198.51.100.1 -S 4000 -d 203.0.113.1 -p "$port" \
			-a 198.51.100.254)" >> "$out"
	done
	echo "probe forward syn 9: $("$probe" -n "$p-c2" reply -k syn \
		-s 198.51.100.1 -S 4001 -d 203.0.113.1 -p 9)" >> "$out"
	echo "probe forward ping: $("$probe" -n "$p-c2" reply -k ping \
		-s 198.51.100.1 -d 203.0.113.1 -p 0 -a 198.51.100.254)" >> "$out"
	for port in 11 12; do
		echo "probe output udp $port: $("$probe" -n "$p-r" reply -k udp \
			-s 203.0.113.254 -S 4000 -d 203.0.113.1 -p "$port" \
			-a 203.0.113.254)" >> "$out"
	done
	echo "probe output syn 11: $("$probe" -n "$p-r" reply -k syn \
		-s 203.0.113.254 -S 4001 -d 203.0.113.1 -p 11)" >> "$out"
	ip netns exec "$p-r" $save -c | grep -v '^#' >> "$out"
	for ns in "$p-c2" "$p-r" "$p-s2"; do
		ip netns del "$ns"
	done
}
