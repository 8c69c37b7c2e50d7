#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Malformed and hostile sockopt arguments get the errno x_tables gives
# (reference: the same probe on the host), and change nothing.
. "$(dirname "$0")/lib.sh"

ref=${BPFILTER_REF:?}
probe=${BPFILTER_PROBE:?}
out=/tmp/hostile
mkdir -p "$out"

save_rules() {
	iptables-legacy-save -c | grep -v '^#'
}

unload_bpfilter
check "modprobe bpfilter" modprobe bpfilter
check "a rule is committed" iptables-legacy -w -A INPUT -s 192.0.2.1 -j DROP
save_rules > "$out/before"
"$probe" hostile > "$out/errnos" 2>&1
check "hostile sockopts get x_tables' errnos" \
	diff -u "$ref/hostile" "$out/errnos"
save_rules > "$out/after"
check "the ruleset is unchanged by them" \
	diff -u "$out/before" "$out/after"
check "the helper still serves" iptables-legacy -w -L -n
check_rmmod
