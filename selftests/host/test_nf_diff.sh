#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The data plane against x_tables on real packets (nf_diff.c says how).
# Builds two copies of  gen --(g0|r0)-- rtr --(r1|d0)-- dst  in network
# namespaces, addresses only from the documentation ranges, the peers
# without addresses (so they never answer), static neighbours (so no ARP
# timing enters), no ICMP rate limits.  For each ruleset of nf_corpus/,
# iptables-legacy-restore loads it into the xt router and nf-diff
# compares that router with bpfilter's programs in the bpf router.
#
# usage: test_nf_diff.sh BUILD_DIR    (prints TAP lines, needs root)
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=$1
p=bpnf$$
sides="xt bpf"

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
# make check installs what this needs and runs as root: a missing
# prerequisite is a failure, not a skip.
missing() { echo "not ok - data-plane differential test: $*"; exit 0; }

cleanup() {
	local s r
	for s in $sides; do
		for r in gen rtr dst; do
			ip netns del "$p-$r-$s" 2>/dev/null
		done
	done
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || missing "needs root"
for tool in ip iptables-legacy-restore sysctl; do
	command -v $tool >/dev/null || missing "$tool not installed"
done

setup_side() {
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

for s in $sides; do
	setup_side $s || missing "cannot set up the $s namespaces"
done

# Each ruleset twice: as the helper compiles it, then with every run of
# two or more classifiable rules a lookup (nf_diff.c), which the corpus's
# small tables otherwise never have.
for rules in "$here"/nf_corpus/*.rules; do
	n=$(basename "$rules" .rules)
	if ! out=$(ip netns exec $p-rtr-xt iptables-legacy-restore <"$rules" 2>&1); then
		not_ok "nf-diff $n: iptables-legacy-restore: $out"
		continue
	fi
	"$build/nf-diff" "$p" "$n"
	# Again from zeroed counters.
	ip netns exec $p-rtr-xt iptables-legacy-restore <"$rules" &&
		NF_DIFF_CLASSIFY_MIN=2 "$build/nf-diff" "$p" "$n+classifier"
done

# -m limit in time: echo requests at 200/s for a second through 10/s with
# a burst of 5 (about 15 pass), delivered counts at most one apart; then
# through 1/hour with a burst of 3, where no credit comes back: exactly.
flood() {
	local n=$1 rate=$2 tol=$3
	shift 3
	if ! out=$(sed "s|--limit 10/sec --limit-burst 5|$rate|" \
		"$here/limit_flood.rules" |
		ip netns exec $p-rtr-xt iptables-legacy-restore 2>&1); then
		not_ok "nf-diff $n: iptables-legacy-restore: $out"
		return
	fi
	"$build/nf-diff" "$p" "$n" --flood "$@" "$tol"
}
flood limit-flood "--limit 10/sec --limit-burst 5" 1 200 1000
flood limit-flood-hour "--limit 1/hour --limit-burst 3" 0 200 1000
