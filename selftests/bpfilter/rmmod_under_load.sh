#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# rmmod while requests are in flight is refused ("in use") or completes
# cleanly; 20 cycles leave nothing behind.  Asserted: rmmod is refused
# while a request is certainly in flight (its helper stopped), requests
# were served in every cycle and none failed, every cycle ended
# unloaded.
. "$(dirname "$0")/lib.sh"

out=/tmp/rmmod_under_load
rm -rf "$out"
mkdir -p "$out"

unload_bpfilter
check "a warm-up cycle" sh -c \
	"modprobe bpfilter && iptables-legacy -w -L -n >/dev/null && rmmod bpfilter"
leak_baseline

# A request held in flight (the helper stopped, well within timeout_ms):
# rmmod must be refused until it is answered.
check "modprobe bpfilter" modprobe bpfilter
pid=$(helper_pid)
check "SIGSTOP to the helper (pid ${pid:-none})" \
	sh -c "test -n '$pid' && kill -STOP '$pid'"
iptables-legacy -w -L -n > "$out/held" 2>&1 &
held=$!
# getsockopt is system call 55 on x86-64.
in_getsockopt() {
	test "$(cut -d' ' -f1 "/proc/$held/syscall" 2>/dev/null)" = 55
}
check "the request waits in getsockopt" wait_for 10 in_getsockopt
check "rmmod is refused while it is in flight" \
	sh -c "! rmmod bpfilter && test -d /sys/module/bpfilter"
check "SIGCONT to the helper" kill -CONT "$pid"
wait "$held"
check "the held request is answered (status $?)" grep -q '^Chain INPUT' "$out/held"
check "rmmod once it was answered" rmmod bpfilter

# The loader logs "ok" or the error of each request.  Between rmmod and
# the next modprobe a request loads the module itself (request_module).
: > "$out/results"
(while [ ! -e "$out/stop" ]; do
	if err=$(iptables-legacy -w -L -n 2>&1 >/dev/null); then
		echo ok >> "$out/results"
	else
		printf 'fail %s\n' "$err" | head -n 1 >> "$out/results"
	fi
done) &
loader=$!

served() { grep -c '^ok$' "$out/results"; }
served_more_than() { test "$(served)" -gt "$1"; }

unloaded=0 busy=0 unserved=0
for i in $(seq 20); do
	n=$(served)
	modprobe bpfilter 2>/dev/null
	# A request is served by this module before it goes.
	wait_for 20 served_more_than "$n" || unserved=$((unserved + 1))
	tries=0
	until err=$(rmmod bpfilter 2>&1); do
		case "$err" in
		*"in use"*|*"temporarily unavailable"*) busy=$((busy + 1)) ;;
		*"is not currently loaded"*) break ;;	# raced: loads again below
		*) echo "# rmmod: $err" ;;
		esac
		tries=$((tries + 1))
		[ "$tries" -lt 500 ] || break
		sleep 0.02
	done
	[ "$tries" -lt 500 ] && unloaded=$((unloaded + 1))
done
touch "$out/stop"
wait "$loader"
unload_bpfilter

check "every cycle served requests ($unserved did not)" test "$unserved" -eq 0
check "20 rmmods under load completed ($unloaded did; $busy tries refused as in use)" \
	test "$unloaded" -eq 20
grep -v '^ok$' "$out/results" | sort | uniq -c | sed 's/^/# /'
check "$(served) requests served, every failure an expected one" \
	sh -c "! grep -v '^ok$' '$out/results'"
check "modprobe afterwards starts clean" \
	sh -c "modprobe bpfilter && iptables-legacy -w -L -n >/dev/null &&
	       rmmod bpfilter"
check "no helper process remains" wait_for 5 no_blob_process
check_no_leak 4 512
