#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The data plane against x_tables on real packets (nf_diff.c says how).
# Builds two copies of  gen --(g0|r0)-- rtr --(r1|d0)-- dst  in network
# namespaces (nf_diff_lib.sh).  For each ruleset of nf_corpus/,
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

. "$here/nf_diff_lib.sh"
trap nf_cleanup EXIT

nf_prepare

# Each ruleset twice: as the helper compiles it, then with every run of
# two or more classifiable rules a lookup (nf_diff.c), which the corpus's
# small tables otherwise never have.  Every run's results are counted
# (nf_check): four (nf_diff.c), five where the classifier's maps are
# asserted.
nrules=0
for rules in "$here"/nf_corpus/*.rules; do
	[ -f "$rules" ] || continue
	nrules=$((nrules + 1))
	n=$(basename "$rules" .rules)
	if ! out=$(ip netns exec $p-rtr-xt iptables-legacy-restore <"$rules" 2>&1); then
		not_ok "nf-diff $n: iptables-legacy-restore: $out"
		continue
	fi
	nf_check "nf-diff $n" 4 "$build/nf-diff" "$p" "$n"
	# Again from zeroed counters.
	# 11-classifier is there for the lookups: they must be there.
	expect='' want=4
	[ "$n" = 11-classifier ] && expect=1 want=5
	if ! out=$(ip netns exec $p-rtr-xt iptables-legacy-restore <"$rules" 2>&1); then
		not_ok "nf-diff $n+classifier: iptables-legacy-restore: $out"
		continue
	fi
	nf_check "nf-diff $n+classifier" $want env NF_DIFF_CLASSIFY_MIN=2 \
		NF_DIFF_EXPECT_CLASSIFIED=$expect "$build/nf-diff" "$p" "$n+classifier"
done

# The lower bound nf-diff holds x_tables to, itself checked: a run that
# sends nothing (an empty packet list) through an empty table, where
# delivery (none) and counters (zero) are equal on both sides, must
# fail, and with that result.
if ! out=$(ip netns exec $p-rtr-xt iptables-legacy-restore \
		<"$here/nf_corpus/00-empty.rules" 2>&1); then
	not_ok "nf-diff no-packets: iptables-legacy-restore: $out"
else
	out=$("$build/nf-diff" "$p" no-packets --packets /dev/null 2>&1)
	rc=$?
	if [ $rc = 1 ] && grep -q '^not ok - nf-diff no-packets: the packets were judged' <<<"$out"; then
		ok "nf-diff: a run that delivers nothing fails (0 packets, 0 delivered, 0 counted; exit status $rc)"
	else
		not_ok "nf-diff: a run that delivers nothing fails (exit status $rc)"
		printf '%s\n' "$out" | sed 's/^/#   /'
	fi
fi

# -m limit in time: echo requests at 200/s for a second through 10/s with
# a burst of 5 (about 15 pass), delivered counts at most one apart; then
# through 1/hour with a burst of 3, where no credit comes back: exactly.
# Two results each.
flood() {
	local n=$1 rate=$2 tol=$3
	shift 3
	if ! out=$(sed "s|--limit 10/sec --limit-burst 5|$rate|" \
		"$here/limit_flood.rules" |
		ip netns exec $p-rtr-xt iptables-legacy-restore 2>&1); then
		not_ok "nf-diff $n: iptables-legacy-restore: $out"
		return
	fi
	nf_check "nf-diff $n" 2 "$build/nf-diff" "$p" "$n" --flood "$@" "$tol"
}
flood limit-flood "--limit 10/sec --limit-burst 5" 1 200 1000
flood limit-flood-hour "--limit 1/hour --limit-burst 3" 0 200 1000

# Every ruleset ran twice and each flood once, each run with all its
# results: an empty corpus, or a run missing, fails here too.
if [ $nrules -gt 0 ] && [ $nf_runs = $((2 * nrules + 2)) ] && [ $nf_bad = 0 ]; then
	ok "nf-diff: $nrules rulesets of nf_corpus/ ran twice and 2 floods once, every run with all its results"
else
	not_ok "nf-diff: $nrules rulesets of nf_corpus/ ran twice and 2 floods once, every run with all its results ($nf_runs runs of $((2 * nrules + 2)), $nf_bad of them crashed or stopped short)"
fi
