#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: what bpfilter's data plane costs, for four ruleset shapes
# (rules.awk: blocklist, ports, services, mixed) at 1 to 10,000 rules,
# each with the packet matching the last rule or none (the policy),
# printed as tables, plotted (plot.sh, gnuplot) and written below the
# marker line of docs/performance.md (report.sh formats them):
# - bench-prog, in a namespace where iptables-legacy-restore loaded the
#   ruleset: helper compile time, instructions, BPF_PROG_LOAD time and
#   verified_insns per flavour, BPF_PROG_TEST_RUN ns per run, the
#   commit's cost without the module, program/map memory;
# - commit latency: wall time of iptables-legacy-restore and
#   iptables-nft-restore of the file, nft -f of the set version, and of
#   one iptables-legacy -A / iptables-nft -A onto the loaded table;
# - real traffic: bench-flood's CPU ns per UDP packet sent over a veth
#   into a receiver namespace with no firewall, the BPF floor (an
#   accept-at-once netfilter program, bench-prog --floor), x_tables
#   (iptables-legacy-restore), nftables (iptables-nft-restore of the
#   same file), an idiomatic nft script with sets (rules.awk fmt=nft)
#   and bpfilter's netfilter-link programs (attached by bench-prog);
#   bench_flood.c says why the sender's CPU time is the measure.  The
#   configurations take turns within each repetition, so that a change
#   in the machine's load hits them alike;
# - the module path (guest.sh): the blocklist and ports shapes through
#   bpfilter.ko in the 6.1 guest beside iptables-nft and the nft set
#   version, with the commit times a user sees there.
# Nothing is asserted about the figures.  Every block cross-checks that
# each packet the receiver delivered past LOCAL_IN was counted by the
# entry it should match (x_tables, iptables-nft: the rule rules.awk
# names; the nft set version: its one counter; bpfilter: every entry it
# counted counted each packet, and they are the entries x_tables
# counted).  A firewall that dropped or skipped would be measuring
# something else; a mismatch is printed and, in the smoke run, fails.
#
# Sizes: the blocklist at 1, 10, 100, 1,000 and 10,000 rules (and 0,
# for the fixed instruction count), the other shapes at 1, 100, 1,000
# and 10,000: all four at the sizes issue 11's goals name, in about 10
# minutes on 2 vCPUs.  BENCH_SHAPES and BENCH_SIZES override (e.g.
# BENCH_SHAPES=ports BENCH_SIZES="1 100"); such a partial run writes
# build/bench/report.md only, not docs/performance.md.
#
# make bench-smoke (--smoke): every shape at 1 and 10 rules (and the
# blocklist at 0), one repetition of 0.1 s, into build/bench/smoke.md;
# TAP lines, "ok" when it ran, every figure is a number and every
# cross-check held.
#
# Environment: BENCH_SECONDS (per configuration and repetition, default
# 0.3), BENCH_REPS (default 5).  Needs root; uses addresses of
# 198.18.0.0/15 (RFC 2544, benchmarking) on veth pairs in namespaces it
# creates and deletes, and 192.0.2.0/24 (TEST-NET-1) in appended rules.
set -u

here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
. "$here/bench_lib.sh"
build=$project/build/bench
smoke=0
[ "${1:-}" = --smoke ] && smoke=1
shapes=${BENCH_SHAPES:-blocklist ports services mixed}
if [ $smoke = 1 ]; then
	shapes="blocklist ports services mixed"
	sizes_blocklist="0 1 10" sizes_other="1 10"
	reps=1 seconds=0.1 report=$build/smoke.md
else
	sizes_blocklist="0 1 10 100 1000 10000" sizes_other="1 100 1000 10000"
	reps=${BENCH_REPS:-5} seconds=${BENCH_SECONDS:-0.3}
	report=$build/report.md
fi
# Each configuration's time per repetition goes in turns of 20 ms.
slices=$(awk -v s="$seconds" 'BEGIN { n = int(s * 50); print n < 1 ? 1 : n }')
variants="last policy"
configs="none floor xt nft set bpf"
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

trap bench_cleanup EXIT

[ "$(id -u)" = 0 ] || fail "needs root (network namespaces, BPF)"
for tool in ip iptables-legacy iptables-legacy-restore iptables-legacy-save \
	    iptables-nft iptables-nft-restore iptables-nft-save nft awk; do
	command -v $tool >/dev/null || fail "$tool not installed"
done
mkdir -p "$build"
make -s -C "$here" O="$build" >&2 || fail "building the tools failed"
: > "$results"
: > "$build/problems.txt"

# One ruleset: commits, static figures from bench-prog, the traffic runs,
# the cross-checks.
run_block() {
	local s=$1 n=$2 v=$3 key=$1/$2/$3
	local rules=$build/rules-$1-$2-$3 nftset=$build/nft-$1-$2-$3
	local out=$build/prog-$1-$2-$3.txt c line prog opt in0 in1 ms
	local senders names attached=0 want

	awk -v shape="$s" -v n="$n" -v variant="$v" -f "$here/rules.awk" \
		> "$rules" || fail "rules.awk $s $n $v"
	want=$(sed -n 's/^# match: //p' "$rules")
	ms=$(wall_ms ip netns exec $p-xt-rx iptables-legacy-restore "$rules") ||
		fail "iptables-legacy-restore of $s, $n rules"
	echo "$key/commit_xt_ms $ms" >> "$results"
	if [ "$n" = 0 ]; then
		# Only the fixed cost of a program, for instructions per rule.
		ip netns exec $p-xt-rx "$build/bench-prog" $src $dst > "$out" 2>&1 ||
			fail "bench-prog on the empty table: $(grep '^#' "$out")"
		sed -n "s|^\([a-z_]*\) \(.*\)|$key/\1 \2|p" "$out" >> "$results"
		return
	fi
	awk -v shape="$s" -v n="$n" -v variant="$v" -v fmt=nft \
		-f "$here/rules.awk" > "$nftset" || fail "rules.awk $s $n $v nft"
	ms=$(wall_ms ip netns exec $p-nft-rx iptables-nft-restore "$rules") ||
		fail "iptables-nft-restore of $s, $n rules"
	echo "$key/commit_nft_ms $ms" >> "$results"
	ip netns exec $p-set-rx nft flush ruleset
	ms=$(wall_ms ip netns exec $p-set-rx nft -f "$nftset") ||
		fail "nft -f of the set version of $s, $n rules"
	echo "$key/commit_set_ms $ms" >> "$results"
	: > "$out"
	# The load figures are reported for "last" only.  A program the
	# verifier refused for "last" is refused for "policy" too (the same
	# rules but one), after as many seconds: not tried again.
	opt=
	[ $v = policy ] && opt=--run-only
	prog=
	if [ $v = policy ] && grep -q '^load_nf_err' "$build/prog-$s-$n-last.txt"; then
		echo "# not loaded: the verifier refused the \"last\" ruleset" > "$out"
	else
		ip netns exec $p-xt-rx "$build/bench-prog" $src $dst \
			--attach /run/netns/$p-bpf-rx $opt > "$out" 2>&1 &
		prog=$!
		pids+=("$prog")
		while kill -0 $prog 2>/dev/null && ! grep -q '^attached' "$out"; do
			sleep 0.1
		done
	fi
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
			> "$build/flood.txt" || fail "bench-flood ($s, $n rules, $v)"
		awk -v k="$key/traffic_" -v names="${names[*]}" '
			BEGIN { split(names, name, " ") }
			$1 == "sent" { printf "%s%s %.1f\n", k, name[$2 + 1], $6 / $4
				       cpu += $6 }
			$1 == "ksoftirqd_ns" { printf "%sksoftirqd %.4f\n", k, $2 / cpu }
			' "$build/flood.txt" >> "$results"
	done

	if [ -n "$prog" ]; then
		kill -TERM $prog 2>/dev/null
		wait $prog || [ $attached = 0 ] ||
			problem "bench-prog ($s, $n rules, $v) failed"
	fi
	sed -n "s|^\([a-z_]*\) \(.*\)|$key/\1 \2|p" "$out" >> "$results"

	# Every packet delivered past LOCAL_IN was counted by the entry it
	# matches.
	for c in $configs; do
		eval "in0=\$in0_$c"
		in1=$(delivered $p-$c-rx)
		case $c in
		none|floor)
			[ $((in1 - in0)) -gt 0 ] ||
				problem "$c, $s, $n rules, $v: no packet delivered"
			continue ;;
		xt) line=$(ip netns exec $p-xt-rx iptables-legacy-save -c |
			   matched_count "$want") ;;
		nft) line=$(ip netns exec $p-nft-rx iptables-nft-save -c |
			    matched_count "$want") ;;
		set) line=$(ip netns exec $p-set-rx nft list ruleset |
			    sed -n 's/.*counter packets \([0-9]*\) .*/\1/p') ;;
		bpf) [ $attached = 1 ] || continue
		     # Each entry bpfilter counted, counted each packet; they
		     # are the entries x_tables counted.
		     line=$(awk '/^counted_nf_min / { a = $2 }
				 /^counted_nf_max / { b = $2 }
				 /^path_nf / { p = $2 } /^path_xt / { x = $2 }
				 /^path_differs / { d++ }
				 END { r = "min " a ", max " b ", " p " entries (x_tables " x "), " d + 0 " differ"
				       if (a == b && p == x && p > 0 && !d) r = a
				       print r }' "$out") ;;
		esac
		[ "$line" = $((in1 - in0)) ] ||
			problem "$c, $s, $n rules, $v: $((in1 - in0)) packets delivered, the matching entry counted ${line:-nothing}"
	done

	# One rule more onto the loaded table (after the checks: it changes
	# the table bench-prog compared against).
	if [ $v = last ]; then
		echo "$key/append_xt_ms $(append_ms iptables-legacy $p-xt-rx)" >> "$results"
		echo "$key/append_nft_ms $(append_ms iptables-nft $p-nft-rx)" >> "$results"
	fi
}

say "bench: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
start=$(date +%s)
for c in $configs; do
	setup_pair $c "$build/bench-flood" "$build/sink-$c" ||
		fail "cannot set up the $c namespaces"
done
# No packet before every receiver's socket is bound (ICMP errors else).
nconf=$(echo $configs | wc -w)
for _ in $(seq 50); do
	[ "$(cat "$build"/sink-* | grep -c bound)" = $nconf ] && break
	sleep 0.1
done
[ "$(cat "$build"/sink-* | grep -c bound)" = $nconf ] || fail "receivers not bound"
# The floor stays attached for the whole run.
"$build/bench-prog" --floor /run/netns/$p-floor-rx > "$build/floor.txt" 2>&1 &
pids+=($!)
for _ in $(seq 50); do
	grep -q '^attached' "$build/floor.txt" && break
	sleep 0.1
done
grep -q '^attached' "$build/floor.txt" ||
	fail "the floor program: $(grep '^#' "$build/floor.txt")"
sed -n "s|^\(run_[a-z_]*\) \(.*\)|floor/\1 \2|p" "$build/floor.txt" >> "$results"

for s in $shapes; do
	if [ -n "${BENCH_SIZES:-}" ] && [ $smoke = 0 ]; then
		sizes=$BENCH_SIZES
	elif [ $s = blocklist ]; then
		sizes=$sizes_blocklist
	else
		sizes=$sizes_other
	fi
	echo "sizes_$s $sizes" >> "$results"
	for n in $sizes; do
		for v in $variants; do
			[ "$n" = 0 ] && [ $v = policy ] && continue
			say "bench: $s, $n rules, $v"
			run_block $s "$n" $v
		done
	done
done

{
	echo "shapes $shapes"
	echo "reps $reps"
	echo "seconds $seconds"
	echo "duration_s $(($(date +%s) - start))"
	echo "load_before $load_before"
	echo "load_after $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "problems $problems"
} >> "$results"
"$here/report.sh" "$results" "$build/problems.txt" > "$report" ||
	fail "report.sh failed"
# The plots: a missing gnuplot costs the pictures, not the figures.
"$here/plot.sh" "$results" "$build" >&2 || say "bench: no plot (plot.sh failed)"

if [ $smoke = 1 ]; then
	sed 's/^/# /' "$report"
	# Every cell a figure: no "?" (missing) and no refusal.
	if grep -q '?\|refused\|not attached' "$report" || [ $problems != 0 ]; then
		echo "not ok - bench smoke: figures missing or checks failed ($report)"
	else
		echo "ok - bench smoke: every shape at 1 and 10 rules measured ($report)"
	fi
	exit 0
fi
# The module path: bpfilter.ko's SCHED_CLS programs at its own hooks in
# the 6.1 guest, beside iptables-nft and the nft set version in the same
# boot (guest.sh; the kernel is built first if it is not).  BENCH_GUEST=0
# leaves it out.
if [ "${BENCH_GUEST:-1}" = 1 ]; then
	say "bench: the module path in the 6.1 guest"
	cache=$("$project/tools/build-kernel.sh" | tail -n 1)
	[ -n "$cache" ] && [ -f "$cache/release" ] || fail "the guest kernel does not build"
	"$project/tools/vm-run.sh" "$cache" -t 7200 -- \
		"tools/bench/guest.sh $build" > "$build/guest.txt" ||
		say "bench: the guest bench failed (status $?; $build/guest.txt)"
	grep '^# check:' "$build/guest.txt" >> "$build/problems.txt"
	{
		echo
		echo "## The module path in the 6.1 guest"
		echo
		echo "Generated by \`tools/bench/guest.sh\` on $(date -u +%F) (make bench's guest part)."
		echo
		"$here/guest-report.sh" "$build/guest.txt"
	} >> "$report"
fi
cat "$report"
# A partial run (shapes or sizes chosen) is for development: its tables
# stay in build/bench/, the page keeps the last full run.
if [ -n "${BENCH_SHAPES:-}${BENCH_SIZES:-}" ]; then
	say "bench: partial run (BENCH_SHAPES/BENCH_SIZES): $report, docs unchanged"
	exit 0
fi
doc=$project/docs/performance.md
marker='<!-- make bench writes everything below this line -->'
grep -qxF "$marker" "$doc" || fail "$doc has no marker line: $marker"
{
	sed "/^$marker\$/q" "$doc"
	echo
	cat "$report"
} > "$doc.new" && mv "$doc.new" "$doc"
# The blocklist's plot (every size, about 30 KB) goes with the page; the
# others stay in build/bench/.
[ -f "$build/blocklist.svg" ] && cp "$build/blocklist.svg" "$project/docs/performance-blocklist.svg"
say "bench: written to $doc"
