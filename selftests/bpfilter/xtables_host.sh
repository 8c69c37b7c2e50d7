#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The data-plane tests checked against x_tables itself, on the host
# (make check's step "data-plane tests against x_tables"): every
# dataplane_*.sh runs with DP_XTABLES=1 (dataplane_lib.sh), its side
# "bpf" being the host kernel's x_tables (iptables-legacy) and its side
# "nft" nf_tables.  The numbers the tests work out by hand (delivered,
# refused, counted) are then x_tables' own or the test fails, without a
# VM and at native speed.  The checks that need bpfilter itself are
# TAP skips saying so; the VM runs them.
#
#   xtables_host.sh TOOLS_DIR REF_DIR [TEST...]
#
# TOOLS_DIR: make -C selftests/bpfilter O=TOOLS_DIR (pktflood,
# sockopt_probe, ctprobe, nflog_listen, swap_probe); REF_DIR:
# make-reference.sh's output with reject-reference.sh's in REF_DIR/reject.
# TESTs, if given, replace the list (names as run.sh takes them).
#
# One TAP stream from run.sh (a script exiting non-zero or printing no
# result fails).  Needs root and a kernel with ip_tables and nf_tables;
# make check installs the rest, so anything missing is a failure, not a
# skip.  Traffic stays in the namespaces the tests create.  Three tests
# set the host-wide nf_log_all_netns for their LOG lines and put it
# back; so does this script, should one of them die first.  Namespace
# names and /tmp/dataplane_* are fixed (as in the guest, which runs one
# suite at a time), so two runs on one host wait for each other.
dir=$(cd "$(dirname "$0")" && pwd)
usage="usage: xtables_host.sh TOOLS_DIR REF_DIR [TEST...]"
tools=${1:?$usage}
ref=${2:?$usage}
shift 2
# The tests run from elsewhere: absolute paths.
case "$tools" in /*) ;; *) tools=$PWD/$tools ;; esac
case "$ref" in /*) ;; *) ref=$PWD/$ref ;; esac

missing() {
	echo "not ok - DP_XTABLES=1 on the host: $*"
	exit 1
}

[ "$(id -u)" = 0 ] || missing "needs root"
for t in ip nsenter unshare setpriv flock bpftool nft python3 iptables-legacy \
	iptables-legacy-restore iptables-legacy-save iptables-nft \
	iptables-nft-restore iptables-nft-save; do
	command -v $t > /dev/null || missing "$t is not installed"
done
for t in sockopt_probe pktflood ctprobe nflog_listen swap_probe; do
	[ -x "$tools/$t" ] || missing "$tools/$t is not built"
done
[ -s "$ref/reject" ] || missing "no REJECT reference $ref/reject"

# Both oracles answer in a scratch namespace: iptables-legacy must reach
# x_tables (ip_tables), iptables-nft nf_tables.
probe=bpfd-xthost-probe-$$
ip netns add $probe || missing "cannot add a network namespace"
out=$(nsenter --net=/run/netns/$probe sh -c '
	iptables-legacy -w -A INPUT -j ACCEPT &&
	grep -qx filter /proc/net/ip_tables_names &&
	iptables-nft -w -A INPUT -j ACCEPT' 2>&1)
rc=$?
ip netns del $probe
[ $rc = 0 ] || missing "this kernel's ip_tables or nf_tables does not answer: $out"

if [ $# = 0 ]; then
	set --
	for t in "$dir"/dataplane_*.sh; do
		case "$t" in */dataplane_lib.sh) continue ;; esac
		set -- "$@" "${t##*/}"
	done
fi
[ $# -gt 0 ] || missing "no dataplane_*.sh in $dir"

state=$(mktemp -d) || missing "mktemp"
log_all=/proc/sys/net/netfilter/nf_log_all_netns
log_all_was=$(cat $log_all 2>/dev/null)
restore() {
	[ -n "$log_all_was" ] && echo "$log_all_was" > "$log_all"
	rm -rf "$state"
}
trap restore EXIT
trap 'exit 130' INT TERM

# flock -o: the lock is not inherited by what the tests leave running.
start=$(date +%s)
DP_XTABLES=1 KTAP_STATE=$state/ktap BPFILTER_PROBE=$tools/sockopt_probe \
	BPFILTER_REF=$ref flock -o -E 75 -w 1800 /tmp/bpfilter-dp-xtables.lock \
	sh "$dir/run.sh" "$@"
rc=$?
[ $rc = 75 ] && missing "another run held /tmp/bpfilter-dp-xtables.lock for 30 minutes"
echo "# DP_XTABLES=1 on the host: $# tests in $(( $(date +%s) - start )) s"
exit $rc
