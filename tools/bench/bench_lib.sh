# SPDX-License-Identifier: GPL-2.0
#
# What bench.sh (the host) and guest.sh (the 6.1 guest) share: the
# sender and receiver namespaces, the counts the cross-checks compare,
# wall times.  The caller sets p (the namespaces' prefix), src and dst
# (the test packet's addresses), configs (the pairs' names) and the
# array pids (what to kill at the end).

# bench_cleanup: stop what was started, delete every pair (an EXIT trap).
bench_cleanup() {
	local pid c
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	for c in $configs; do
		ip netns del "$p-$c-tx" 2>/dev/null
		ip netns del "$p-$c-rx" 2>/dev/null
	done
}

# setup_pair CONFIG FLOOD SINK_OUT: sender and receiver namespaces
# $p-CONFIG-tx and -rx joined by a veth pair (v0, v1), the receiver's
# socket bound (and never read) by FLOOD (bench-flood) --sink, which
# reports to SINK_OUT.
setup_pair() {
	local tx=$p-$1-tx rx=$p-$1-rx ns
	for ns in $tx $rx; do
		ip netns add $ns || return 1
		ip -n $ns link set lo up
		# No IPv6 chatter (router solicitations, MLD) on the link.
		ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 || return 1
	done
	ip -n $tx link add v0 type veth peer name v1 netns $rx || return 1
	ip -n $tx addr add $src/30 dev v0
	ip -n $rx addr add $dst/30 dev v1
	ip -n $tx link set v0 up
	ip -n $rx link set v1 up
	ip netns exec $rx "$2" --sink $dst > "$3" &
	pids+=($!)
}

# Packets namespace $1 delivered past LOCAL_IN (IpInDelivers; UDP's
# InDatagrams only counts what the never read socket would read).
delivered() {
	ip netns exec "$1" awk '/^Ip:/ && !f { for (i = 2; i <= NF; i++)
						  if ($i == "InDelivers") f = i
					      next }
				/^Ip:/ { print $f }' /proc/net/snmp
}

# The packet counter of the entry rules.awk's "# match:" line ($1) names,
# from iptables-save -c output on stdin.
matched_count() {
	if [ "$1" = policy ]; then
		sed -n 's|^:INPUT ACCEPT \[\([0-9]*\):.*|\1|p'
	else
		awk -v r="$1" '{ i = index($0, "] ") }
			       i && substr($0, i + 2) == r {
				       print substr($0, 2, index($0, ":") - 2) }'
	fi
}

# Wall time of a command in ms (its output discarded), or "?" when it
# failed.
wall_ms() {
	local t0 t1
	t0=$(date +%s%N)
	"$@" > /dev/null || { echo "?"; return 1; }
	t1=$(date +%s%N)
	awk -v d=$((t1 - t0)) 'BEGIN { printf "%.1f\n", d / 1e6 }'
}

# Commit latency of one more rule onto the table just loaded: the median
# of 3 appends (rules of TEST-NET-1 no packet matches).
append_ms() {
	local cmd=$1 ns=$2 i
	for i in 1 2 3; do
		wall_ms ip netns exec "$ns" "$cmd" -w -A INPUT -s 192.0.2.$i/32 -j DROP
	done | sort -n | sed -n 2p
}
