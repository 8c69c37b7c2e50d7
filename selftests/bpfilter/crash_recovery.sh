#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The helper is killed again and again while rules are added and deleted:
# every change that reported success survives, every one that reported
# failure is wholly there or wholly absent, nothing else appears, and
# counters survive a restart.
. "$(dirname "$0")/lib.sh"

seconds=${CRASH_SECONDS:-30}
out=/tmp/crash
rm -rf "$out"
mkdir -p "$out"

save_rules() {
	iptables-legacy-save -c | grep -v '^#'
}

unload_bpfilter
check "modprobe bpfilter" modprobe bpfilter

# Counters set by iptables survive a helper restart.
check "a rule with counters 5 packets, 420 bytes is added" \
	iptables-legacy -w -A INPUT -s 192.0.2.200 -j ACCEPT -c 5 420
save_rules > "$out/counters-before"
check "the saved table has it, with its counters" \
	grep -qx -- '\[5:420\] -A INPUT -s 192.0.2.200/32 -j ACCEPT' "$out/counters-before"
old=$(helper_pid)
started=$(helpers_started)
check "kill -9 of the running helper (pid ${old:-none})" \
	sh -c "test -n '$old' && test -d '/proc/$old' && kill -9 '$old'"
check "the killed helper is gone" wait_for 5 pid_gone "$old"
save_rules > "$out/counters-after"
check "a new helper serves (old $old, new $(helper_pid))" helper_replaced "$old"
check "exactly one helper was started ($started before, $(helpers_started) now)" \
	test "$(helpers_started)" -eq $((started + 1))
check "rules and counters survive kill -9 of the helper" \
	diff -u "$out/counters-before" "$out/counters-after"
check "the rule is deleted" \
	iptables-legacy -w -D INPUT -s 192.0.2.200 -j ACCEPT

# Rule i is 198.18.x.y (an address nothing here ever talks to).
addr() { echo "198.18.$(($1 / 250)).$(($1 % 250 + 1))"; }

# The killer notes every pid its kill -9 reached (a helper, running or
# dead and not yet reaped).
rm -f "$out/stop"
: > "$out/killed"
started=$(helpers_started)
(while [ ! -e "$out/stop" ]; do
	pid=$(helper_pid)
	[ -n "$pid" ] && kill -9 "$pid" 2>/dev/null && echo "$pid" >> "$out/killed"
	sleep 0.3
done) &
killer=$!

end=$(( $(date +%s) + seconds ))
i=0
while [ "$(date +%s)" -lt "$end" ]; do
	i=$((i + 1))
	if iptables-legacy -w -A INPUT -s "$(addr $i)" -j ACCEPT 2>/dev/null; then
		echo "$i" >> "$out/added"
	else
		echo "$i" >> "$out/add-failed"
	fi
	# Every third rule is deleted again.
	if [ $((i % 3)) = 0 ]; then
		if iptables-legacy -w -D INPUT -s "$(addr $i)" -j ACCEPT 2>/dev/null; then
			echo "$i" >> "$out/deleted"
		else
			echo "$i" >> "$out/delete-failed"
		fi
	fi
done
touch "$out/stop"
wait "$killer"
killed=$(sort -u "$out/killed" | wc -l)
check "the storm killed helpers ($killed distinct pids, at least 5)" \
	test "$killed" -ge 5
check "a helper was started for each ($started before, $(helpers_started) now)" \
	test "$(helpers_started)" -ge $((started + killed))
check "iptables -S after the storm" sh -c "iptables-legacy -w -S INPUT > '$out/final' 2>&1"
touch "$out/added" "$out/add-failed" "$out/deleted" "$out/delete-failed"

# verdict I: how many times rule I appears in the final table.
count() {
	grep -c -- "-A INPUT -s $(addr $1)/32 -j ACCEPT\$" "$out/final"
}
bad=0
for n in $(seq "$i"); do
	c=$(count "$n")
	if grep -qx "$n" "$out/deleted"; then
		want="0"
	elif grep -qx "$n" "$out/added" && ! grep -qx "$n" "$out/delete-failed"; then
		want="1"
	else
		want="0 1"	# a failed call may or may not have committed
	fi
	case " $want " in
	*" $c "*) ;;
	*) bad=$((bad + 1)); echo "# rule $n ($(addr $n)): $c copies, want $want" ;;
	esac
done
others=$(grep -v -e '^-P INPUT' -e ' -s 198\.18\.' "$out/final" | wc -l)
check "after $i changes under repeated kill -9 ($(wc -l < "$out/added") adds ok, $(wc -l < "$out/add-failed") failed): every rule as its calls reported" \
	test "$bad" -eq 0
check "no rule appeared that no call asked for" test "$others" -eq 0
check "the helper serves after the storm" iptables-legacy -w -L -n
check_rmmod
