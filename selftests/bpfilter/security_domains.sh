#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The host's firewall never waits for what an unprivileged user makes
# bpfilter do.  Namespaces of the initial user namespace are served by a
# helper and an I/O thread of their own; every user namespace's by
# another pair.  A user's commit of a table at the per-namespace cap (60
# MiB, which the module and its helper take seconds to move and check
# under emulation) and a one-rule commit on the host run at once: the
# host's must be done while the user's is still under way, from a
# helper of another pid.
. "$(dirname "$0")/dataplane_lib.sh"

p=bpfs-dom
out=/tmp/security_domains
rm -rf "$out"
mkdir -p "$out"
probe=$(dirname "$BPFILTER_PROBE")/hardening_probe

rss_kb() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status" 2>/dev/null
}

# rss_over PID KB: PID's resident memory is over KB.
rss_over() {
	test "$(rss_kb "$1")" -gt "$2" 2>/dev/null
}

dp_begin "$p"
check "the commits run on two CPUs or more ($(nproc) online)" test "$(nproc)" -ge 2
host=$(helper_pid host)
check "the host's helper started with the module (pid $host)" test -n "$host"
# The log may name helpers of an earlier module load.
before=$(helper_pid userns)
check "no user namespace's helper runs yet" \
	sh -c "test -z '$before' || ! test -d '/proc/$before'"
unshare -Urn iptables-legacy -w -S > "$out/first" 2>&1
userns=$(helper_pid userns)
check "a user namespace's first request started its own helper (pid $userns, host's $host)" \
	sh -c "test -n '$userns' && test '$userns' != '$before' && test '$userns' != '$host' && test -d '/proc/$userns'"
check "and was served ($(head -n 1 "$out/first"))" grep -q '^-P INPUT ACCEPT' "$out/first"

ip netns add "$p"
dp_in "$p" iptables-legacy -w -S > /dev/null
# 400,000 DROP rules: 60.8 MB of entries, under the 64 MiB cap.
unshare -Urn sh -c "'$probe' grow 400000; echo done" > "$out/big" 2>&1 &
big=$!
check "the user's table is on its way into its helper (RSS over 32 MiB)" \
	wait_for 120 rss_over "$userns" 32768
# under_way: the user's commit has not answered yet (its caller prints
# the result, then "done"; a reaped or zombie pid would tell nothing).
under_way() {
	! test -s "$out/big"
}
check "the user's commit is still under way" under_way
start=$(dp_now)
dp_in "$p" iptables-legacy -w -A INPUT -s 192.0.2.9 -j DROP > "$out/host" 2>&1
rc=$?
took=$(dp_elapsed "$start")
check "the host's commit succeeded in $took s ($(cat "$out/host"))" test "$rc" = 0
check "while the user's commit was still under way" under_way
check "by the host's helper, which the user's never was (pid $(helper_pid host))" \
	test "$(helper_pid host)" = "$host"
dp_in "$p" iptables-legacy -w -S INPUT > "$out/host-rules" 2>&1
check "the host's rule is in force" grep -q -- '-A INPUT -s 192.0.2.9/32 -j DROP' "$out/host-rules"
wait "$big"
check "the user's commit then succeeded as well ($(tr '\n' ' ' < "$out/big"))" \
	test "$(cat "$out/big")" = "0
done"
dp_end
