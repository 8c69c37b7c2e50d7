#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Reference outputs for the VM selftests, made by iptables-legacy against
# the host kernel's real x_tables in a scratch network namespace.
#   make-reference.sh OUTDIR PROBE RECORDER
# PROBE is the built sockopt_probe, RECORDER selftests/diff's
# sockopt_recorder.so (it hides an extension from x_tables, so that
# x_tables answers for it as bpfilter does for one it does not support).
set -euo pipefail
usage="usage: make-reference.sh OUTDIR PROBE RECORDER"
out=${1:?$usage}
probe=${2:?$usage}
recorder=${3:?$usage}
[ -f "$recorder" ] || { echo "make-reference: no $recorder" >&2; exit 1; }
ns=bpfilter-ref-$$
mkdir -p "$out"
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
ipt() { ip netns exec "$ns" "$@"; }

ipt iptables-legacy -w -L -n -v > "$out/list" 2>&1
ipt iptables-legacy -w -L -n -v -x --line-numbers > "$out/list-x" 2>&1
ipt iptables-legacy -w -S > "$out/rules" 2>&1
ipt iptables-legacy-save | grep -v '^#' > "$out/save"
ipt iptables-legacy-save -c | grep -v '^#' > "$out/save-c"

# A rule with an extension x_tables does not have (quota, hidden by
# the recorder): what iptables prints and its exit status.
rc=0
ipt env LD_PRELOAD="$recorder" BPFDIFF_REFUSE=quota \
	iptables-legacy -w -A INPUT -p tcp -m quota --quota 1000 -j ACCEPT \
	> "$out/unsupported" 2>&1 || rc=$?
echo "exit $rc" >> "$out/unsupported"
ipt iptables-legacy-save | grep -v '^#' > "$out/save-after-unsupported"
cmp -s "$out/save" "$out/save-after-unsupported" || {
	echo "make-reference: the refused quota rule changed x_tables' table" >&2
	exit 1
}
grep -q '^exit [1-9]' "$out/unsupported" || {
	echo "make-reference: x_tables accepted the hidden quota match" >&2
	exit 1
}

# The probe's errnos: unprivileged callers, then hostile arguments.
nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
ipt $nobody "$probe" perm > "$out/perm-nobody"
ipt setpriv --bounding-set=-net_admin "$probe" perm > "$out/perm-nocap"
ipt iptables-legacy -w -A INPUT -s 192.0.2.1 -j DROP
ipt "$probe" hostile > "$out/hostile"

# A table that holds nothing would make the comparisons vacuous.
grep -q '^:INPUT ACCEPT' "$out/save" || {
	echo "make-reference: x_tables gave no filter table" >&2
	exit 1
}
