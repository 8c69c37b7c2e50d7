#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Reference outputs for the VM selftests, made by iptables-legacy against
# the host kernel's real x_tables in a scratch network namespace.
#   make-reference.sh OUTDIR
set -euo pipefail
out=${1:?usage: make-reference.sh OUTDIR}
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
# A table that holds nothing would make the comparisons vacuous.
grep -q '^:INPUT ACCEPT' "$out/save" || {
	echo "make-reference: x_tables gave no filter table" >&2
	exit 1
}
