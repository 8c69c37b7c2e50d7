#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The SCHED_CLS flavour (the one bpfilter.ko loads on 6.1) on this
# machine's kernel: each ruleset of nf_corpus/ is loaded with
# iptables-legacy-restore into a fresh network namespace, where
# sched-cls-load reads it back, compiles it through BPFILTER_CMD_COMPILE,
# loads the programs with CAP_BPF and CAP_NET_ADMIN only and runs them
# beside the netfilter-link flavour's (sched_cls_load.c says how).
#
# usage: test_sched_cls.sh BUILD_DIR    (prints TAP lines, needs root)
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=$1

# make check installs what this needs and runs as root: a missing
# prerequisite is a failure, not a skip.
missing() { echo "not ok - SCHED_CLS flavour on this kernel: $*"; exit 0; }

[ "$(id -u)" = 0 ] || missing "needs root"
for tool in unshare iptables-legacy-restore ip; do
	command -v $tool >/dev/null || missing "$tool not installed"
done

# RULES NAME [--devices|--link]: sched-cls-load on RULES in a fresh
# namespace, which has an Ethernet device besides lo (for --link).
run() {
	local ret
	# shellcheck disable=SC2016
	unshare --net sh -c '
		if ! out=$(ip link add bpfl0 type veth peer name bpfl1 2>&1); then
			echo "not ok - sched-cls $3: ip link add: $out"
			exit 0
		fi
		if ! out=$(iptables-legacy-restore <"$1" 2>&1); then
			echo "not ok - sched-cls $3: iptables-legacy-restore: $out"
			exit 0
		fi
		shift
		exec "$@"' sh "$1" "$build/sched-cls-load" "$2" ${3:+"$3"}
	ret=$?
	[ $ret = 0 ] || echo "not ok - sched-cls $2: exit status $ret"
}

for rules in "$here"/nf_corpus/*.rules; do
	run "$rules" "$(basename "$rules" .rules)"
done
run "$here/sched_cls_devices.rules" devices --devices
run "$here/limit_flood.rules" limit --limit
run "$here/sched_cls_link.rules" link --link
