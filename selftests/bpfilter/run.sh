#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs every bpfilter selftest in this VM boot as one TAP 13 stream.
# BPFILTER_REF: directory of reference outputs made from x_tables on the
# host by make-reference.sh; BPFILTER_PROBE: the built sockopt_probe;
# BPFILTER_DIFF_REF: the corpus references made by selftests/diff.
#
# Each test script prints TAP lines through lib.sh.  A script that exits
# with a non-zero status (a shell error, a missing variable, a crash) or
# prints no result at all is a "not ok", and so is a name that is no
# test.  Exits non-zero if any check failed.
dir=$(cd "$(dirname "$0")" && pwd)
export KTAP_STATE=${KTAP_STATE:-/tmp/ktap}
rm -rf "$KTAP_STATE"
mkdir -p "$KTAP_STATE"
. "$dir/lib.sh"

# Arguments, if any, name the tests to run instead of all of them (a
# name with a slash is a path: selftests/harness/ runs its cases so).
tests="guest_cpus.sh helper_lifecycle.sh empty_table.sh helper_restart.sh
helper_restore.sh modprobe_cycles.sh usermode_blob.sh permissions.sh
hostile_sockopts.sh hung_helper.sh rmmod_under_load.sh netns_tables.sh
crash_recovery.sh helper_privileges.sh hardening_race.sh hardening_limits.sh
hardening_durability.sh hardening_abi.sh hardening_memcg.sh
security_fds.sh security_image.sh security_release.sh security_domains.sh
iptables_corpus.sh
dataplane_basic.sh dataplane_router.sh dataplane_commits.sh dataplane_swaps.sh
dataplane_smp.sh
dataplane_durability.sh dataplane_cleanup.sh dataplane_scale.sh
dataplane_reject.sh dataplane_stateful.sh dataplane_owner.sh
dataplane_owner_userns.sh dataplane_matches.sh dataplane_options.sh
dataplane_realistic.sh dataplane_limit.sh dataplane_untracked.sh
dataplane_nflog.sh dataplane_dispatch.sh bench_guest.sh
kmemleak.sh"

[ $# -gt 0 ] && tests="$*"

echo "TAP version 13"
for t in $tests; do
	echo "# $t"
	case "$t" in
	*/*) path=$t ;;
	*) path=$dir/$t ;;
	esac
	if [ ! -f "$path" ]; then
		ktap_fail "$t: no such test"
		continue
	fi
	before=$(ktap_count)
	sh "$path"
	rc=$?
	[ "$rc" = 0 ] || ktap_fail "$t exited with status $rc"
	[ "$(ktap_count)" -gt "$before" ] || ktap_fail "$t printed no result"
done
total=$(ktap_count)
echo "1..$total"
[ ! -s "$KTAP_STATE/failed" ]
