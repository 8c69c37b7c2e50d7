#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The data plane against x_tables on large generated tables (issue 11's
# acceptance for the classifier of docs/classifier.md): nf-gen writes
# thousands of rules in the shapes a classifier run takes and the rules
# that cut runs, with packets aimed at every rule's boundaries (nf_gen.c
# says which); nf-diff --packets sends them through both routers of
# nf_diff_lib.sh's topology and compares delivery and every counter;
# sched-cls-load --packets then runs the same packets through the
# SCHED_CLS flavour beside the netfilter-link one (BPF_PROG_TEST_RUN,
# every hook's program, verdicts and counters), since the classifier
# will be emitted in both.  Seeds are fixed: the same tables and packets
# every run.
#
# Besides nf_diff_lib.sh's topology, each router holds 198.18.0.0/16 on
# lo (local: INPUT targets) and routes 198.19.0.0/16 to the sink
# (FORWARD and OUTPUT targets); nothing routes to the generated sources,
# so the router's replies to them go nowhere.
#
# large-tcpports, 5,000 -p tcp --dport rules in FORWARD, is what 6.18's
# verifier refused as straight-line code ("The sequence of 8193 jumps is
# too complex"); the classifier makes it two lookups.  A list entry with
# a fifth word (a reason) is a TAP skip with "# SKIP TODO reason" when
# it does not load (nf-diff --todo), for sizes not loadable yet.
#
# Every table has runs the helper classifies, and nf-diff asserts that
# its image has classifier maps before comparing
# (NF_DIFF_EXPECT_CLASSIFIED).  Each table is compared twice: as the
# helper compiles it, then with
# every run of two or more classifiable rules a lookup
# (NF_DIFF_CLASSIFY_MIN, nf_diff.c), which also classifies the short runs
# that cut the long ones.
#
# usage: test_nf_diff_large.sh BUILD_DIR    (prints TAP lines, needs root)
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=$1
p=bpnfl$$
sides="xt bpf"
gen=$(mktemp -d) || exit 1

missing() { echo "not ok - large differential test: $*"; exit 0; }

. "$here/nf_diff_lib.sh"
trap 'nf_cleanup; rm -rf "$gen"' EXIT

nf_prepare
for s in $sides; do
	ip -n $p-rtr-$s addr add 198.18.0.1/16 dev lo || missing "198.18.0.1/16 on lo"
	ip -n $p-rtr-$s route add 198.19.0.0/16 via 198.51.100.2 dev r1 ||
		missing "route to 198.19.0.0/16"
done

# name shape seed size (- for the shape's) [todo reason]; NF_LARGE_LIST
# replaces the list (to try other seeds and sizes).
tables="large-src src 1 -
large-dport dport 2 -
large-ports ports 3 -
large-mixed mixed 5 -
large-tcpports tcpports 4 5000"
# Every run's results are counted (nf_check, nf_diff.c,
# sched_cls_load.c): nf-diff's five with the classifier's maps asserted,
# four without (a --todo table: it may load without them), and
# sched-cls-load's four; a --todo run's up to its skip.
ntables=0
while read -r n shape seed size todo; do
	[ -n "$n" ] || continue
	ntables=$((ntables + 1))
	[ "$size" = - ] && size=
	out=$("$build/nf-gen" "$shape" "$seed" "$gen/$n" $size) ||
		{ echo "not ok - nf-diff $n: nf-gen $shape $seed failed"; continue; }
	echo "$out"
	if ! out=$(ip netns exec $p-rtr-xt iptables-legacy-restore <"$gen/$n.rules" 2>&1); then
		echo "not ok - nf-diff $n: iptables-legacy-restore: $out"
		continue
	fi
	# The same table and packets through the SCHED_CLS flavour
	# (BPF_PROG_TEST_RUN beside the netfilter-link flavour), read from
	# the xt router's x_tables.  A refusal's verifier log is cut to its
	# last lines (nf_check).
	if [ -n "$todo" ]; then
		nf_check "nf-diff $n" 4 "$build/nf-diff" "$p" "$n" \
			--packets "$gen/$n.pkts" --todo "$todo"
		nf_check "sched-cls $n" 4 ip netns exec $p-rtr-xt \
			"$build/sched-cls-load" "$n" --packets "$gen/$n.pkts" --todo "$todo"
	else
		nf_check "nf-diff $n" 5 env NF_DIFF_EXPECT_CLASSIFIED=1 \
			"$build/nf-diff" "$p" "$n" --packets "$gen/$n.pkts"
		nf_check "sched-cls $n" 4 ip netns exec $p-rtr-xt \
			"$build/sched-cls-load" "$n" --packets "$gen/$n.pkts"
	fi
	# Again from zeroed counters, with the short runs classified too.
	if ! out=$(ip netns exec $p-rtr-xt iptables-legacy-restore <"$gen/$n.rules" 2>&1); then
		echo "not ok - nf-diff $n+classifier: iptables-legacy-restore: $out"
		continue
	fi
	nf_check "nf-diff $n+classifier" 5 env NF_DIFF_CLASSIFY_MIN=2 \
		NF_DIFF_EXPECT_CLASSIFIED=1 "$build/nf-diff" "$p" "$n+classifier" \
		--packets "$gen/$n.pkts"
done <<<"${NF_LARGE_LIST:-$tables}"

# Every table ran three times, each run with all its results.
if [ $ntables -gt 0 ] && [ $nf_runs = $((3 * ntables)) ] && [ $nf_bad = 0 ]; then
	echo "ok - large differential test: $ntables tables ran three times (nf-diff twice, sched-cls once), every run with all its results"
else
	echo "not ok - large differential test: $ntables tables ran three times (nf-diff twice, sched-cls once), every run with all its results ($nf_runs runs of $((3 * ntables)), $nf_bad of them crashed or stopped short)"
fi
