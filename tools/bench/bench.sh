#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: what bpfilter's data plane costs, at 1, 100, 1,000 and
# 10,000 rules (rules.awk: the packet matches the last rule, or none and
# meets the policy), printed as tables and written below the marker
# line of docs/performance.md (report.sh formats them):
# - bench-prog, in a namespace where iptables-legacy-restore loaded the
#   ruleset: helper compile time, instructions, BPF_PROG_LOAD time and
#   verified_insns per flavour, BPF_PROG_TEST_RUN ns per run;
# - real traffic: bench-flood's CPU ns per UDP packet sent over a veth
#   into a receiver namespace with no firewall, x_tables
#   (iptables-legacy-restore), bpfilter's netfilter-link programs
#   (attached by bench-prog) and nftables (iptables-nft-restore of the
#   same file); bench_flood.c says why the sender's CPU time is the
#   measure.  The configurations take turns within each repetition, so
#   that a change in the machine's load hits them alike.
# Nothing is asserted about the figures.  Every block cross-checks that
# each packet the receiver delivered past LOCAL_IN was counted by the
# entry it should match (a firewall that dropped or skipped would be measuring
# something else); a mismatch is printed and, in the smoke run, fails.
#
# make bench-smoke (--smoke): 0, 1 and 100 rules, one repetition of
# 0.2 s, into build/bench/smoke.md; TAP lines, "ok" when it ran and
# every figure is a number.
#
# Environment: BENCH_SECONDS (per traffic run, default 0.5), BENCH_REPS
# (default 5).  Needs root; uses addresses of 198.18.0.0/15 (RFC 2544,
# benchmarking) on veth pairs in namespaces it creates and deletes.
set -u

here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
build=$project/build/bench
smoke=0
[ "${1:-}" = --smoke ] && smoke=1
if [ $smoke = 1 ]; then
	sizes="0 1 100" reps=1 seconds=0.2 report=$build/smoke.md
else
	sizes="0 1 100 1000 10000" reps=${BENCH_REPS:-5}
	seconds=${BENCH_SECONDS:-0.5} report=$build/report.md
fi
# Each configuration's time per repetition goes in turns of 20 ms.
slices=$(awk -v s="$seconds" 'BEGIN { n = int(s * 50); print n < 1 ? 1 : n }')
variants="last policy"
configs="none xt bpf nft"
src=198.18.0.1 dst=198.18.0.2
p=bnch$$
results=$build/results.txt
problems=0
pids=()

# Progress on stderr; as TAP diagnostics in the smoke run (make check).
say() {
	if [ $smoke = 1 ]; then echo "# $*" >&2; else echo "$*" >&2; fi
}
fail() {
	if [ $smoke = 1 ]; then
		echo "not ok - bench smoke: $*"
		exit 0
	fi
	echo "bench: $*" >&2
	exit 1
}
# A check that did not hold: noted in the report, fails the smoke run.
problem() {
	echo "# check: $*" | tee -a "$build/problems.txt" >&2
	problems=$((problems + 1))
}

cleanup() {
	local pid c
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	done
	for c in $configs; do
		ip netns del "$p-$c-tx" 2>/dev/null
		ip netns del "$p-$c-rx" 2>/dev/null
	done
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, BPF)"
for tool in ip iptables-legacy-restore iptables-legacy-save \
	    iptables-nft-restore iptables-nft-save awk; do
	command -v $tool >/dev/null || fail "$tool not installed"
done
mkdir -p "$build"
make -s -C "$here" O="$build" >&2 || fail "building the tools failed"
: > "$results"
: > "$build/problems.txt"

# CONFIG: sender and receiver namespaces joined by a veth pair, the
# receiver's socket bound (and never read) by bench-flood --sink.
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
	ip netns exec $rx "$build/bench-flood" --sink $dst > "$build/sink-$1" &
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

# The packet counter of the entry the test packet matches, from
# iptables-save -c output on stdin (variant $1).
matched_count() {
	if [ "$1" = last ]; then
		sed -n 's|^\[\([0-9]*\):.* -s 198.18.0.1/32 -j ACCEPT$|\1|p'
	else
		sed -n 's|^:INPUT ACCEPT \[\([0-9]*\):.*|\1|p'
	fi
}

# One ruleset: static figures from bench-prog, then the traffic runs.
run_block() {
	local n=$1 v=$2 rules=$build/rules-$1-$2 out=$build/prog-$1-$2.txt
	local c line prog opt in0 in1 senders names attached=0 key=$1/$2

	awk -v n="$n" -v variant="$v" -f "$here/rules.awk" > "$rules"
	ip netns exec $p-xt-rx iptables-legacy-restore < "$rules" ||
		fail "iptables-legacy-restore of $n rules"
	if [ "$n" = 0 ]; then
		# Only the fixed cost of a program, for instructions per rule.
		ip netns exec $p-xt-rx "$build/bench-prog" $src $dst > "$out" 2>&1 ||
			fail "bench-prog on the empty table: $(grep '^#' "$out")"
		sed -n "s|^\([a-z_]*\) \(.*\)|$key/\1 \2|p" "$out" >> "$results"
		return
	fi
	ip netns exec $p-nft-rx iptables-nft-restore < "$rules" ||
		fail "iptables-nft-restore of $n rules"
	: > "$out"
	# The load figures are reported for "last" only.
	opt=
	[ $v = policy ] && opt=--run-only
	ip netns exec $p-xt-rx "$build/bench-prog" $src $dst \
		--attach /run/netns/$p-bpf-rx $opt > "$out" 2>&1 &
	prog=$!
	pids+=("$prog")
	while kill -0 $prog 2>/dev/null && ! grep -q '^attached' "$out"; do
		sleep 0.1
	done
	grep -q '^attached' "$out" && attached=1
	grep '^#' "$out" >&2	# bench-prog's diagnostics, e.g. a refusal's reason

	for c in $configs; do
		eval "in0_$c=\$(delivered $p-$c-rx)"
	done
	senders=() names=()
	for c in $configs; do
		[ $c = bpf ] && [ $attached = 0 ] && continue
		senders+=("/run/netns/$p-$c-tx")
		names+=("$c")
	done
	for _ in $(seq "$reps"); do
		"$build/bench-flood" $dst "$seconds" "$slices" "${senders[@]}" \
			> "$build/flood.txt" || fail "bench-flood ($n rules, $v)"
		awk -v k="$key/traffic_" -v names="${names[*]}" '
			BEGIN { split(names, name, " ") }
			$1 == "sent" { printf "%s%s %.1f\n", k, name[$2 + 1], $6 / $4
				       cpu += $6 }
			$1 == "ksoftirqd_ns" { printf "%sksoftirqd %.4f\n", k, $2 / cpu }
			' "$build/flood.txt" >> "$results"
	done

	kill -TERM $prog 2>/dev/null
	wait $prog || [ $attached = 0 ] || problem "bench-prog ($n rules, $v) failed"
	sed -n "s|^\([a-z_]*\) \(.*\)|$key/\1 \2|p" "$out" >> "$results"

	# Every packet delivered past LOCAL_IN was counted by the entry it
	# matches.
	for c in $configs; do
		eval "in0=\$in0_$c"
		in1=$(delivered $p-$c-rx)
		case $c in
		none) continue ;;
		xt) line=$(ip netns exec $p-xt-rx iptables-legacy-save -c | matched_count $v) ;;
		nft) line=$(ip netns exec $p-nft-rx iptables-nft-save -c | matched_count $v) ;;
		# Less what the test runs counted before the attach.
		bpf) [ $attached = 1 ] || continue
		     line=$(awk '/^attached / { a = $2 }
				 /^counted_nf / { print $2 - a }' "$out") ;;
		esac
		[ "$line" = $((in1 - in0)) ] ||
			problem "$c, $n rules, $v: $((in1 - in0)) packets delivered, the matching entry counted ${line:-nothing}"
	done
}

say "bench: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
for c in $configs; do
	setup_pair $c || fail "cannot set up the $c namespaces"
done
# No packet before every receiver's socket is bound (ICMP errors else).
for _ in $(seq 50); do
	[ "$(cat "$build"/sink-* | grep -c bound)" = 4 ] && break
	sleep 0.1
done
[ "$(cat "$build"/sink-* | grep -c bound)" = 4 ] || fail "receivers not bound"
for n in $sizes; do
	for v in $variants; do
		[ "$n" = 0 ] && [ $v = policy ] && continue
		say "bench: $n rules, $v"
		run_block "$n" $v
	done
done

{
	echo "sizes $sizes"
	echo "reps $reps"
	echo "seconds $seconds"
	echo "duration_s $(($(date +%s) - start))"
	echo "load_before $load_before"
	echo "load_after $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "problems $problems"
} >> "$results"
"$here/report.sh" "$results" "$build/problems.txt" > "$report" ||
	fail "report.sh failed"

if [ $smoke = 1 ]; then
	sed 's/^/# /' "$report"
	# Every cell a figure: no "?" (missing) and no refusal.
	if grep -q '?\|refused\|not attached' "$report" || [ $problems != 0 ]; then
		echo "not ok - bench smoke: figures missing or checks failed ($report)"
	else
		echo "ok - bench smoke: 1 and 100 rules measured ($report)"
	fi
	exit 0
fi
cat "$report"
doc=$project/docs/performance.md
marker='<!-- make bench writes everything below this line -->'
grep -qxF "$marker" "$doc" || fail "$doc has no marker line: $marker"
{
	sed "/^$marker\$/q" "$doc"
	echo
	cat "$report"
} > "$doc.new" && mv "$doc.new" "$doc"
say "bench: written to $doc"
