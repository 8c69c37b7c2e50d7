#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A helper that dies is replaced on the next request, and the new helper
# gets the committed rules back.  Each step first asserts that its event
# happened (the kill hit a live helper, the old pid is gone, a new helper
# was started), then the outcome.
. "$(dirname "$0")/lib.sh"

ref=${BPFILTER_REF:?}
out=/tmp/helper_restart
rm -rf "$out"
mkdir -p "$out"

unload_bpfilter
check "modprobe bpfilter" modprobe bpfilter
check "a rule is committed" iptables-legacy -w -A INPUT -s 192.0.2.7 -j DROP
check "a user chain is committed" iptables-legacy -w -N bpft-chain
iptables-legacy -w -S > "$out/rules" 2>&1
check "the table holds both" \
	sh -c "grep -qx -- '-A INPUT -s 192.0.2.7/32 -j DROP' '$out/rules' &&
	       grep -qx -- '-N bpft-chain' '$out/rules'"

old=$(helper_pid)
started=$(helpers_started)
check "kill -9 of the running helper (pid ${old:-none})" \
	sh -c "test -n '$old' && test -d '/proc/$old' && kill -9 '$old'"
check "the killed helper is gone" wait_for 5 pid_gone "$old"
iptables-legacy -w -S > "$out/after" 2>&1
check "a new helper serves the next request (old $old, new $(helper_pid))" \
	helper_replaced "$old"
check "exactly one helper was started ($started before, $(helpers_started) now)" \
	test "$(helpers_started)" -eq $((started + 1))
check "the new helper has the committed rules back" \
	diff -u "$out/rules" "$out/after"

# Kill and ask at once: the request may meet the dying helper's pipe.
started=$(helpers_started)
kills=0 fails=0
for i in 1 2 3 4 5; do
	pid=$(helper_pid)
	kill -9 "$pid" && kills=$((kills + 1))
	iptables-legacy -w -S > "$out/race.$i" 2>&1 || fails=$((fails + 1))
	cmp -s "$out/rules" "$out/race.$i" || fails=$((fails + 1))
done
check "5 kills hit a helper ($kills did)" test "$kills" -eq 5
check "5 helpers were started for them ($started before, $(helpers_started) now)" \
	test "$(helpers_started)" -eq $((started + 5))
check "requests racing with a dying helper got the rules ($fails failed)" \
	test "$fails" -eq 0
check "only one helper runs" test "$(blob_processes)" -eq 1
check "iptables -F" iptables-legacy -w -F
check "iptables -X" iptables-legacy -w -X
iptables-legacy -w -L -n -v > "$out/list-empty" 2>&1
check "flushed, the table is x_tables' empty one again" \
	diff -u "$ref/list" "$out/list-empty"
check_rmmod
