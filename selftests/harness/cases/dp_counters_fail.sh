#!/bin/sh
# Harness case: the counters of two sides compared as the data-plane
# tests compare them (dp_counters into files, dp_diff), but neither
# iptables-save works (their namespaces do not exist) and both print
# nothing.  Two empty files are equal: each dp_counters must be a failed
# check of its own, and the comparison must fail too.
#
# dataplane_lib.sh sources lib.sh from beside the script running ($0):
# this one runs again as a copy in a directory holding both.
bp=$(cd "$(dirname "$0")/../../bpfilter" 2>/dev/null && pwd)
if [ -n "$bp" ]; then
	d=$(mktemp -d) || exit 1
	ln -s "$bp/lib.sh" "$bp/dataplane_lib.sh" "$d/" && cp "$0" "$d/case.sh" &&
		BPFILTER_PROBE=/nonexistent/sockopt_probe sh "$d/case.sh"
	rc=$?
	rm -rf "$d"
	exit $rc
fi
. "$(dirname "$0")/dataplane_lib.sh"
out=$(mktemp -d) || exit 1
dp_counters nft bpfd-harness-none-nft > "$out/nft"
dp_counters bpf bpfd-harness-none-bpf > "$out/bpf"
check "both sides' counters are equal" dp_diff "$out/nft" "$out/bpf"
rm -rf "$out"
