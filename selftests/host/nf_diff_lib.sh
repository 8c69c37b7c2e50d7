# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash disable=SC2154  # p and sides: set by the caller
#
# The two-router topology of the data-plane differential tests, sourced
# by test_nf_diff.sh and test_nf_diff_large.sh (nf-diff enters these
# namespaces by name): per side S (xt, bpf), gen --(g0|r0)-- rtr
# --(r1|d0)-- dst in namespaces $p-gen-S, $p-rtr-S, $p-dst-S, addresses
# only from the documentation ranges, the peers without addresses (so
# they never answer), static neighbours (so no ARP timing enters), no
# ICMP rate limits.  The caller sets p and sides, and missing() (which
# reports a prerequisite missing and exits).

nf_cleanup() {
	local s r
	for s in $sides; do
		for r in gen rtr dst; do
			ip netns del "$p-$r-$s" 2>/dev/null
		done
	done
}

nf_setup_side() {
	local s=$1 gen=$p-gen-$1 rtr=$p-rtr-$1 dst=$p-dst-$1 ns
	for ns in $gen $rtr $dst; do
		ip netns add $ns || return 1
		ip -n $ns link set lo up
		ip netns exec $ns sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
			net.ipv6.conf.default.disable_ipv6=1 \
			net.ipv4.icmp_ratemask=0 net.ipv4.icmp_ratelimit=0 \
			net.ipv4.conf.all.rp_filter=0 \
			net.ipv4.conf.default.rp_filter=0 || return 1
	done
	ip netns exec $rtr sysctl -qw net.ipv4.ip_forward=1 || return 1
	ip -n $gen link add g0 address 02:00:00:00:00:01 type veth \
		peer name r0 netns $rtr address 02:00:00:00:00:10 || return 1
	ip -n $rtr link add r1 address 02:00:00:00:00:20 type veth \
		peer name d0 netns $dst address 02:00:00:00:00:02 || return 1
	ip -n $gen link set g0 up
	ip -n $dst link set d0 up
	ip -n $rtr link set r0 up
	ip -n $rtr link set r1 up
	ip -n $rtr addr add 192.0.2.2/24 dev r0
	ip -n $rtr addr add 198.51.100.1/24 dev r1
	for a in 192.0.2.1 192.0.2.9 192.0.2.130; do
		ip -n $rtr neigh replace $a lladdr 02:00:00:00:00:01 dev r0 nud permanent
	done
	for a in 198.51.100.2 198.51.100.3; do
		ip -n $rtr neigh replace $a lladdr 02:00:00:00:00:02 dev r1 nud permanent
	done
}

# nf_prepare: root and the tools, then both sides; missing() otherwise.
nf_prepare() {
	local s tool
	[ "$(id -u)" = 0 ] || missing "needs root"
	for tool in ip iptables-legacy-restore sysctl; do
		command -v $tool >/dev/null || missing "$tool not installed"
	done
	for s in $sides; do
		nf_setup_side $s || missing "cannot set up the $s namespaces"
	done
}
