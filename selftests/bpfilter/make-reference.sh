#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Reference outputs for the VM selftests, made by iptables-legacy against
# the host kernel's real x_tables in a scratch network namespace.
#   make-reference.sh OUTDIR PROBE
# PROBE is the built sockopt_probe.
set -euo pipefail
out=${1:?usage: make-reference.sh OUTDIR PROBE}
probe=${2:?usage: make-reference.sh OUTDIR PROBE}
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
