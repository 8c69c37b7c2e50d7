#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Privilege checks as x_tables makes them: CAP_NET_ADMIN in the user
# namespace owning the socket's netns, before a module is loaded or a
# helper started.  References: the same probe against x_tables on the host.
. "$(dirname "$0")/lib.sh"

ref=${BPFILTER_REF:?}
probe=${BPFILTER_PROBE:?BPFILTER_PROBE: path of sockopt_probe}
out=/tmp/permissions
mkdir -p "$out"
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"

unload_bpfilter
$nobody "$probe" perm > "$out/perm-nobody" 2>&1
check "a user without privilege gets x_tables' errno for every sockopt" \
	diff -u "$ref/perm-nobody" "$out/perm-nobody"
setpriv --bounding-set=-net_admin "$probe" perm > "$out/perm-nocap" 2>&1
check "root without CAP_NET_ADMIN gets x_tables' errno for every sockopt" \
	diff -u "$ref/perm-nocap" "$out/perm-nocap"
check "refused callers loaded no module" sh -c "! test -d /sys/module/bpfilter"
check "refused callers started no helper" test "$(blob_processes)" -eq 0

# Root of a user namespace that an unprivileged user created owns its
# new netns: x_tables serves it, and so must bpfilter.
$nobody unshare -Urn sh -c \
	'iptables-legacy -w -L -n -v && cat /proc/net/ip_tables_names' \
	> "$out/userns" 2>&1
{ cat "$ref/list"; echo filter; } > "$out/userns-expected"
check "root of an unprivileged user namespace is served its own table" \
	diff -u "$out/userns-expected" "$out/userns"
check_rmmod
