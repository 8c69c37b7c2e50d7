#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What a new helper gets back (docs/protocol.md, "Durability"): every
# table a namespace instantiated, whether it committed rules to it or
# only read it (an untouched table is re-instantiated).
. "$(dirname "$0")/lib.sh"

ref=${BPFILTER_REF:?}
out=/tmp/helper_restore
rm -rf "$out"
mkdir -p "$out"

unload_bpfilter
check "modprobe bpfilter" modprobe bpfilter
check "ip netns add bpft-untouched" ip netns add bpft-untouched
check "ip netns add bpft-committed" ip netns add bpft-committed
check "a namespace reads its table, untouched" \
	ip netns exec bpft-untouched iptables-legacy -w -L -n
check "a namespace commits a rule" \
	ip netns exec bpft-committed iptables-legacy -w -A INPUT -s 192.0.2.3 -j DROP
for ns in bpft-untouched bpft-committed; do
	ip netns exec "$ns" iptables-legacy-save -c | grep -v '^#' > "$out/$ns.before"
done
tables=$(bpfilter_stat helper_tables)
kept=$(bpfilter_stat kept_tables)
check "the helper holds the two tables ($tables), the module keeps both ($kept)" \
	test "$tables" -eq 2 -a "$kept" -eq 2

old=$(helper_pid)
check "kill -9 of the running helper (pid ${old:-none})" \
	sh -c "test -n '$old' && test -d '/proc/$old' && kill -9 '$old'"
check "the killed helper is gone" wait_for 5 pid_gone "$old"
# Reading stats is a request: it starts the new helper, which gets every
# table back before it answers.
tables_after=$(bpfilter_stat helper_tables)
check "a new helper was started (old $old, new $(helper_pid))" helper_replaced "$old"
check "the new helper holds the two tables again ($tables_after)" \
	test "$tables_after" -eq "$tables"
for ns in bpft-untouched bpft-committed; do
	ip netns exec "$ns" iptables-legacy-save -c | grep -v '^#' > "$out/$ns.after"
	check "$ns: the table is as before the kill" \
		diff -u "$out/$ns.before" "$out/$ns.after"
done
check "the untouched table is still x_tables' empty one" \
	sh -c "ip netns exec bpft-untouched iptables-legacy -w -L -n -v | diff -u '$ref/list' -"
check "the untouched namespace still lists filter" \
	test "$(ip netns exec bpft-untouched cat /proc/net/ip_tables_names)" = filter
for ns in bpft-untouched bpft-committed; do
	check "ip netns del $ns" ip netns del "$ns"
done
check_rmmod
