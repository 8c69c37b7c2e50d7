#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A helper that stops answering is replaced once its time is up, and the
# request that found it hung is served by the new one.
. "$(dirname "$0")/lib.sh"

unload_bpfilter
modprobe bpfilter timeout_ms=1000
old=$(helper_pid)
iptables-legacy -w -L -n >/dev/null
kill -STOP "$old"
check "a read that meets a stopped helper is served by a new one" \
	timeout 60 iptables-legacy -w -L -n
new=$(helper_pid)
check "the stopped helper was replaced (old $old, new ${new:-none})" \
	test -n "$new" -a "$new" != "$old" -a -d "/proc/$new"
check "the stopped helper is gone" wait_for 5 test ! -d "/proc/$old"
check "the kernel log says why" \
	sh -c "dmesg | grep -q 'helper pid $old did not answer request'"
unload_bpfilter
