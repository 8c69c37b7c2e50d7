#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make bench's guest part (tools/bench/guest.sh) as a smoke run, so that
# it cannot rot: the blocklist and ports shapes at 1 and 10 rules through
# bpfilter.ko, iptables-nft and the nft set version, one short
# repetition.  Asserted: it ran, every figure was measured, and every
# packet delivered was counted by the rule it matches.  No timing is
# asserted (make bench measures).
#
# BPFILTER_BENCH: tools/bench's build (make check's bench smoke builds
# it before the VM boots).
. "$(dirname "$0")/lib.sh"

out=/tmp/bench_guest
rm -rf "$out"
mkdir -p "$out"
bench=${BPFILTER_BENCH:-}
tools=$(cd "$(dirname "$0")/../../tools/bench" && pwd)

unload_bpfilter
check "the benchmark's tools are built ($bench)" test -x "$bench/bench-flood"
check "guest.sh --smoke: both shapes at 1 and 10 rules, every packet counted by its rule" \
	sh -c "'$tools/guest.sh' '$bench' --smoke > '$out/results' 2>&1 || { cat '$out/results'; exit 1; }"
"$tools/guest-report.sh" "$out/results" > "$out/report.md" 2>&1
sed 's/^/# /' "$out/report.md"
check "every figure measured: 4 rows, no \"?\"" \
	sh -c "test \$(grep -c '^| [a-z]* | [0-9]' '$out/report.md') = 4 && ! grep -q '?' '$out/report.md'"
check_rmmod
