#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs every bpfilter selftest in this VM boot as one TAP 13 stream.
# BPFILTER_REF: directory of reference outputs made from x_tables on the
# host by make-reference.sh; BPFILTER_PROBE: the built sockopt_probe;
# BPFILTER_DIFF_REF: the corpus references made by selftests/diff.
dir=$(cd "$(dirname "$0")" && pwd)
export KTAP_STATE=/tmp/ktap
rm -rf "$KTAP_STATE"
mkdir -p "$KTAP_STATE"

# Arguments, if any, name the tests to run instead of all of them.
tests="helper_lifecycle.sh empty_table.sh helper_restart.sh
modprobe_cycles.sh usermode_blob.sh permissions.sh hostile_sockopts.sh
hung_helper.sh rmmod_under_load.sh netns_tables.sh crash_recovery.sh
iptables_corpus.sh kmemleak.sh"

[ $# -gt 0 ] && tests="$*"

echo "TAP version 13"
for t in $tests; do
	echo "# $t"
	sh "$dir/$t" || echo "# $t exited $?"
done
total=$(cat "$KTAP_STATE/count" 2>/dev/null || echo 0)
echo "1..$total"
[ ! -s "$KTAP_STATE/failed" ]
