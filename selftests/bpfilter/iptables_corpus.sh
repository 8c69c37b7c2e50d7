#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# iptables-legacy over bpfilter prints what it prints over x_tables, for
# every command sequence of selftests/diff/corpus: each command's output,
# errors and exit status, then the final table as iptables-save, -S and
# -L -n -v -x --line-numbers show it.  The references were made on the
# host from x_tables by selftests/diff/run.sh (make -C selftests/diff
# O=DIR run leaves them in DIR/ref), which also holds each sequence's
# commands; sequences marked unsupported= were recorded there with those
# extensions hidden from x_tables (renamed to one it lacks), so that
# x_tables answered as bpfilter must.  One network namespace per
# sequence, one TAP line per sequence.
#
# BPFILTER_DIFF_REF	the reference directory (DIR/ref)
# BPFILTER_SELFTEST_HOST=1	run against the host's x_tables instead
#			(no modprobe; unsupported= sequences skipped, since
#			x_tables supports those extensions)
dir=$(cd "$(dirname "$0")" && pwd)
. "$dir/lib.sh"

ref=${BPFILTER_DIFF_REF:-}
host=${BPFILTER_SELFTEST_HOST:-0}

# make check makes the references: without them this is a failure.
if [ -z "$ref" ] || [ ! -d "$ref" ]; then
	ktap_fail "iptables command corpus: BPFILTER_DIFF_REF (${ref:-unset}) is no directory (make -C selftests/diff O=DIR run)"
	exit 0
fi

# same_as_ref NAME: every output of the sequence as in the reference.
same_as_ref() {
	for f in log save rules list; do
		diff -u "$ref/$1/$f" "$out/$1/$f" || return 1
	done
}

out=$(mktemp -d /tmp/iptables_corpus.XXXXXX)
if [ "$host" != 1 ]; then
	unload_bpfilter
	check "modprobe bpfilter" modprobe bpfilter
fi

for seq in "$ref"/*/; do
	name=$(basename "$seq")
	if [ "$host" = 1 ] && [ -f "$seq/unsupported" ]; then
		ktap_skip "x_tables supports $(cat "$seq/unsupported")" "corpus $name"
		continue
	fi
	mkdir -p "$out/$name"
	# A fresh network namespace, so a fresh filter table, per sequence.
	unshare -n sh -c '. "$1/../diff/exec_seq.sh"
		ipt_run() { shift; "$@"; }
		run_sequence "$2" "$3"' sh "$dir" "$seq" "$out/$name"
	check "corpus $name" same_as_ref "$name"
done

# A failing check printed its diff already.
rm -rf "$out"
if [ "$host" != 1 ]; then
	check_rmmod
fi
