#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A helper that dies is replaced on the next request.
. "$(dirname "$0")/lib.sh"

ref=${BPFILTER_REF:?}
unload_bpfilter
modprobe bpfilter
old=$(helper_pid)
kill -9 "$old"
wait_for 5 test ! -d "/proc/$old"
check "iptables works after kill -9 of the helper" \
	sh -c "iptables-legacy -w -L -n -v | diff -u '$ref/list' -"
new=$(helper_pid)
check "a new helper serves (old $old, new ${new:-none})" \
	test -n "$new" -a "$new" != "$old" -a -d "/proc/$new"

# Kill and ask at once: the request may meet the dying helper's pipe.
fails=0
for i in 1 2 3 4 5; do
	kill -9 "$(helper_pid)"
	iptables-legacy -w -L -n >/dev/null 2>&1 || fails=$((fails + 1))
done
check "requests racing with a dying helper succeed ($fails failed)" \
	test "$fails" -eq 0
check "only one helper runs" test "$(blob_processes)" -eq 1
unload_bpfilter
