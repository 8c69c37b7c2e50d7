#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A helper that stops answering is replaced once its time is up, and the
# request that found it hung is served by the new one.
. "$(dirname "$0")/lib.sh"

unload_bpfilter
check "modprobe bpfilter timeout_ms=1000" modprobe bpfilter timeout_ms=1000
old=$(helper_pid)
check "iptables -L" iptables-legacy -w -L -n
started=$(helpers_started)
check "SIGSTOP to the running helper (pid ${old:-none})" \
	sh -c "test -n '$old' && test -d '/proc/$old' && kill -STOP '$old'"
check "a read that meets a stopped helper is served by a new one" \
	timeout 60 iptables-legacy -w -L -n
check "the stopped helper is gone" wait_for 5 pid_gone "$old"
check "the stopped helper was replaced (old $old, new $(helper_pid))" \
	helper_replaced "$old"
check "exactly one helper was started ($started before, $(helpers_started) now)" \
	test "$(helpers_started)" -eq $((started + 1))
check "the kernel log says why" \
	sh -c "dmesg | grep -q 'helper pid $old did not answer request'"
check_rmmod
