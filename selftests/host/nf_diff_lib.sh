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

# nf_check NAME WANT COMMAND...: runs COMMAND, one nf-diff (or
# sched-cls-load) run whose TAP lines name NAME, and passes its output
# on, a verifier log cut to its last lines (the numbered instructions
# left out: a refused large table's would be thousands).  Then counts
# its results: a run that printed no "not ok" must have exited 0 and
# printed WANT results, else one "not ok" more says how it ended; a run
# killed by a signal fails in any case.  So a crash (a signal, or a
# sanitizer's report, whose status is 1) or a run that stopped short
# fails even after passing results.  A run whose last result is a
# "# SKIP TODO" (--todo: the table does not load yet) owes no other.
# nf_runs and nf_bad count the runs and the runs so failed.
nf_runs=0 nf_bad=0
nf_check() {
	local name=$1 want=$2 out rc results failed what=
	shift 2
	out=$("$@" 2>&1)
	rc=$?
	printf '%s\n' "$out" | grep -v '^#   verifier: [0-9]'
	results=$(grep -cE '^(not )?ok - ' <<<"$out")
	failed=$(grep -c '^not ok - ' <<<"$out")
	# A TODO skip ends a run: the results before it are all it owes.
	case "$(grep -E '^(not )?ok - ' <<<"$out" | tail -n 1)" in
	"ok - "*" # SKIP TODO "*) want=$results ;;
	esac
	nf_runs=$((nf_runs + 1))
	if [ "$rc" -gt 128 ]; then
		what="killed by signal $((rc - 128)) ($(kill -l $((rc - 128)) 2>/dev/null))"
	elif [ "$failed" = 0 ] && [ "$rc" != 0 ]; then
		what="exited with status $rc, having reported no failure"
	elif [ "$failed" = 0 ] && [ "$results" != "$want" ]; then
		what="printed $results results, not $want"
	fi
	[ -z "$what" ] && return 0
	nf_bad=$((nf_bad + 1))
	echo "not ok - $name: $what"
	return 1
}
