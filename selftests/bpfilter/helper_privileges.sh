#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The helper gives up every privilege before its first request
# (net/bpfilter/sandbox.c, docs/threat-model.md): a uid and gid of its
# own, no capability in any set, no_new_privs, a seccomp filter, not
# dumpable; and it still serves iptables.  No unprivileged process can
# signal it; killed by root, it is replaced and every rule is kept.
. "$(dirname "$0")/lib.sh"

nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
id=4294967294
zero=0000000000000000

# status_is PID FIELD VALUE: FIELD of /proc/PID/status is VALUE (tabs
# read as spaces, leading blanks dropped).
status_is() {
	test "$(sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" |
		tr '\t' ' ' | sed 's/ *$//')" = "$3"
}

# check_confined PID WHICH: one check per field that shows confinement.
check_confined() {
	check "$2 helper: Uid $id" status_is "$1" Uid "$id $id $id $id"
	check "$2 helper: Gid $id" status_is "$1" Gid "$id $id $id $id"
	check "$2 helper: no supplementary groups" status_is "$1" Groups ""
	for set in CapInh CapPrm CapEff CapBnd CapAmb; do
		check "$2 helper: $set 0" status_is "$1" $set $zero
	done
	check "$2 helper: NoNewPrivs 1" status_is "$1" NoNewPrivs 1
	check "$2 helper: Seccomp 2 (filter)" status_is "$1" Seccomp 2
}

unload_bpfilter
check "modprobe bpfilter" modprobe bpfilter
pid=$(helper_pid)
check "the helper runs (pid ${pid:-none})" test -n "$pid" -a -d "/proc/$pid"
check_confined "$pid" "the"
check "the helper's executable is a deleted file" \
	sh -c "readlink /proc/$pid/exe | grep -q '(deleted)\$'"
check "a nobody process cannot read the helper's environment (not dumpable)" \
	sh -c "! $nobody cat /proc/$pid/environ"

check "iptables-legacy adds a rule" \
	iptables-legacy -w -A INPUT -s 192.0.2.7 -j DROP
check "iptables-legacy lists it" \
	sh -c "iptables-legacy -w -S INPUT | grep -qx -- '-A INPUT -s 192.0.2.7/32 -j DROP'"
check "iptables-legacy-save reads the table" \
	sh -c "iptables-legacy-save | grep -q '^\*filter'"
check "the same confined helper served them (pid $pid)" \
	test "$(helper_pid)" = "$pid" -a -d "/proc/$pid"
check "the helper logged no sandbox failure" \
	sh -c "! dmesg | grep -q 'bpfilter_umh: sandbox'"

check "a nobody process cannot signal the helper" \
	sh -c "! $nobody kill -STOP $pid 2>/dev/null"
check "a nobody process cannot ptrace the helper" \
	sh -c "! $nobody strace -p $pid -e trace=none -o /dev/null 2>/dev/null"
check "root can kill the helper" kill -9 "$pid"
check "the killed helper is gone" wait_for 5 test ! -d "/proc/$pid"
iptables-legacy -w -S INPUT > /dev/null
check "its exit status is logged (SIGKILL: 0x9; SIGSYS from seccomp would be 0x1f)" \
	sh -c "dmesg | grep -q 'helper pid $pid stopped: it exited (0), exit status 0x9\$'"
check "the rule survives the helper's restart" \
	sh -c "iptables-legacy -w -S INPUT | grep -qx -- '-A INPUT -s 192.0.2.7/32 -j DROP'"
new=$(helper_pid)
check "a new helper serves (pid ${new:-none})" \
	test -n "$new" -a "$new" != "$pid" -a -d "/proc/$new"
check_confined "$new" "the new"

check "rmmod bpfilter" rmmod bpfilter
check "no helper remains after rmmod" wait_for 5 test ! -d "/proc/$new"
