#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# -m owner in a namespace whose user namespace maps its ids in several
# extents.  x_tables maps a rule's id range to kernel ids once
# (make_kuid() of each end) and compares the socket's kernel ids with
# that range, so a range whose ends lie in different extents holds
# kernel ids the namespace does not map at all; a range whose ends map
# the wrong way round is refused.
#
# User namespace U maps uid and gid 0-999 to 100000, 1000-1999 to 200000
# and 2000-2999 to 50000; network namespace N belongs to U.  N's OUTPUT,
# written by U's root: UDP to 7001 from uid 500-1500 dropped (kernel ids
# 100500-200500), to 7002 from gid 500-1500 dropped, to 7003 from any uid
# but 500-1500 dropped.  Datagrams to N's lo, from sockets of kernel
# uid/gid 100000 (U's 0), 100600 (U's 600), 150000 (unmapped, inside the
# range), 200400 (U's 1400), 250000 (unmapped, above) and 0: what was
# dropped is what x_tables drops (by hand below; DP_XTABLES=1 checks the
# hand on x_tables).  --uid-owner 1500-2500 (kernel 200500-50500) is
# refused with EINVAL, as x_tables refuses it.
. "$(dirname "$0")/dataplane_lib.sh"

p=bpfd-ownu
out=/tmp/dataplane_owner_userns
rm -rf "$out"
mkdir -p "$out"

dp_begin "$p"
map='0 100000 1000
1000 200000 1000
2000 50000 1000'
unshare -U sleep 600 &
userns=$!
# other_ns PID TYPE: PID has left this process's namespace of TYPE.
other_ns() {
	test "$(readlink "/proc/$1/ns/$2")" != "$(readlink "/proc/self/ns/$2")"
}
wait_for 5 other_ns "$userns" user
printf '%s\n' "$map" > "/proc/$userns/uid_map"
printf '%s\n' "$map" > "/proc/$userns/gid_map"
check "U maps three extents" \
	test "$(grep -c . "/proc/$userns/uid_map")" = 3
nsenter -t "$userns" -U unshare -n sleep 600 &
netns=$!
wait_for 5 other_ns "$netns" net
nsenter --net="/proc/$netns/ns/net" ip link set lo up

# As U's root: the writer's user namespace is N's, as x_tables requires.
# U's root is no root outside: a lock file it may open.
install -m 666 /dev/null "$out/xtables.lock"
ipt_u() {
	XTABLES_LOCKFILE="$out/xtables.lock" \
		nsenter -t "$netns" -U -n iptables-legacy -w "$@"
}
check "U's root adds the uid rule" \
	ipt_u -A OUTPUT -p udp -m udp --dport 7001 -m owner --uid-owner 500-1500 -j DROP
check "U's root adds the gid rule" \
	ipt_u -A OUTPUT -p udp -m udp --dport 7002 -m owner --gid-owner 500-1500 -j DROP
check "U's root adds the inverted uid rule" \
	ipt_u -A OUTPUT -p udp -m udp --dport 7003 -m owner ! --uid-owner 500-1500 -j DROP
ipt_u -A OUTPUT -p udp -m owner --uid-owner 1500-2500 -j DROP > "$out/reversed" 2>&1
rc=$?
check "a range whose ends map the wrong way round is refused ($(head -n 1 "$out/reversed"))" \
	sh -c "test $rc != 0 && grep -q 'Invalid argument' '$out/reversed'"

# kuid:kgid port -> "sent N failed M" of 3 datagrams.
send() {
	nsenter --net="/proc/$netns/ns/net" \
		setpriv --reuid="${1%:*}" --regid="${1#*:}" --clear-groups \
		"$dp_tool" send -p udp -d 127.0.0.1 -D "$2" -c 3 |
		awk '$1 == "total" { print "sent", $3, "failed", $5 }'
}

# x_tables: kernel id in [100500, 200500] for 7001 and 7002, outside it
# for 7003.
for case in 100000:0 100600:1 150000:1 200400:1 250000:0 0:0; do
	id=${case%:*}
	inside=${case#*:}
	for port in 7001 7002 7003; do
		want="sent 3 failed 0"
		if [ "$port" = 7003 ]; then
			[ "$inside" = 0 ] && want="sent 0 failed 3"
		else
			[ "$inside" = 1 ] && want="sent 0 failed 3"
		fi
		got=$(send "$id:$id" "$port")
		check "kernel uid/gid $id to $port: $want (got: $got)" test "$got" = "$want"
	done
done

kill "$netns" "$userns" 2>/dev/null
wait "$netns" "$userns" 2>/dev/null
dp_end
