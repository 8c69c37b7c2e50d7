#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# modprobe starts the helper from the module's blob; rmmod leaves nothing
# of it; an iptables call afterwards loads bpfilter afresh.
. "$(dirname "$0")/lib.sh"

unload_bpfilter
leak_baseline

check "modprobe bpfilter" modprobe bpfilter
pid=$(helper_pid)
check "kernel log names a running helper (pid ${pid:-none})" \
	test -n "$pid" -a -d "/proc/$pid"
check "helper's executable is a deleted file" \
	sh -c "readlink /proc/$pid/exe | grep -q '(deleted)\$'"
check "helper's stdin and stdout are pipes" \
	sh -c "readlink /proc/$pid/fd/0 | grep -q '^pipe:' &&
	       readlink /proc/$pid/fd/1 | grep -q '^pipe:'"
check "helper's stderr is /dev/kmsg, opened by itself" \
	test "$(readlink "/proc/$pid/fd/2")" = /dev/kmsg
check "helper has no other open file" \
	test "$(ls "/proc/$pid/fd" | wc -l)" -eq 3
check "helper left the blob's directory for /" \
	test "$(readlink "/proc/$pid/cwd")" = /
check "no mount of the blob is visible" \
	sh -c "! grep -q umh-blob /proc/self/mountinfo"

check "ip_tables_names exists and is empty before the first access" \
	sh -c "test -f /proc/net/ip_tables_names &&
	       test ! -s /proc/net/ip_tables_names"
iptables-legacy -w -L -n >/dev/null 2>&1
check "ip_tables_names lists filter once it was accessed" \
	test "$(cat /proc/net/ip_tables_names)" = filter
check "a new network namespace starts with no table" \
	unshare -n sh -c "test -f /proc/net/ip_tables_names &&
			  test ! -s /proc/net/ip_tables_names"

check "rmmod bpfilter" rmmod bpfilter
check "the helper is gone after rmmod" \
	wait_for 5 test ! -d "/proc/$pid"
check "no process of any blob remains" wait_for 5 no_blob_process
check "ip_tables_names is gone with the module" \
	test ! -e /proc/net/ip_tables_names
check "the blob's tmpfs memory is freed" wait_for 5 shmem_grew_less_than 256

iptables-legacy -w -L -n >/dev/null 2>&1
check "an iptables call loads bpfilter again" module_loaded bpfilter
check "the reloaded module started a new helper" \
	test "$(helper_pid)" != "$pid" -a -d "/proc/$(helper_pid)"
check_rmmod
