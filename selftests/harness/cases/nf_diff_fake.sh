#!/bin/bash
# Harness case: stand-ins for the host tests' nf-diff, sched-cls-load and
# nf-gen (selftests/host/), copied into a build directory under those
# names for test_nf_diff.sh and test_nf_diff_large.sh.  nf-diff and
# sched-cls-load print the results the real ones print for their
# arguments (nf_diff.c, sched_cls_load.c), all passing, except for the
# runs NF_DIFF_FAKE names, as "PROGRAM:NAME=HOW" words:
#   crash   the first result, then death by SIGSEGV (the compiler
#           crashing on that ruleset);
#   short   the first result, then exit 0;
#   status  every result, passing, then exit 1 (a sanitizer's report
#           after the comparison).
# The scripts must fail those runs, and no other.  nf-gen writes an empty
# table and a packet list of one line; nf-diff --packets with an empty
# list fails as the real one does (nothing delivered).
prog=${0##*/}

if [ "$prog" = nf-gen ]; then
	printf '%s\n' '*filter' ':INPUT ACCEPT [0:0]' ':FORWARD ACCEPT [0:0]' \
		':OUTPUT ACCEPT [0:0]' 'COMMIT' > "$3.rules"
	echo "# stand-in" > "$3.pkts"
	echo "# $3: stand-in table and packets"
	exit 0
fi

case "$prog" in
nf-diff) name=$2 ;;
sched-cls-load) name=$1 ;;
*) echo "nf_diff_fake.sh: run as $prog?" >&2; exit 2 ;;
esac
how=
for f in ${NF_DIFF_FAKE:-}; do
	[ "${f%%=*}" = "$prog:$name" ] && how=${f#*=}
done

results=()
if [ "$prog" = sched-cls-load ]; then
	results=("the COMPILE reply parses" "programs load as BPF_PROG_TYPE_SCHED_CLS"
		"same verdicts" "same packet and byte counters")
	tag="sched-cls $name"
elif [ "${3:-}" = --flood ]; then
	results=("compile, verify and attach" "ICMP echo requests: delivered")
	tag="nf-diff $name"
else
	results=("compile, verify and attach")
	[ "${NF_DIFF_EXPECT_CLASSIFIED:-}" = 1 ] && results+=("the classifier made maps")
	results+=("same ones delivered" "same packet and byte counters")
	tag="nf-diff $name"
	if [ "${3:-}" = --packets ] && [ ! -s "$4" ]; then
		printf "ok - $tag: %s\n" "${results[@]}"
		echo "not ok - $tag: the packets were judged: x_tables delivered 0 of 0"
		exit 1
	fi
	results+=("the packets were judged")
fi

case "$how" in
crash)
	echo "ok - $tag: ${results[0]}"
	ulimit -c 0
	kill -SEGV $$
	;;
short)
	echo "ok - $tag: ${results[0]}"
	exit 0
	;;
esac
printf "ok - $tag: %s\n" "${results[@]}"
[ "$how" = status ] && exit 1
exit 0
