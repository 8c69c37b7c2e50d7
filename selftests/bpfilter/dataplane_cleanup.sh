#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The data plane's BPF programs and maps live exactly as long as what
# they serve: a namespace's go with the namespace, all go with rmmod.
#
# 20 cycles of: modprobe bpfilter; three namespaces each commit rules in
# INPUT, FORWARD and OUTPUT and send themselves datagrams over lo (OUTPUT
# drops port 9: sendto fails with EPERM; port 10 passes); two namespaces
# are deleted; rmmod with the third still holding rules (its helper must
# be gone); the third namespace is deleted.  In the first and the last
# cycle bpftool also lists the module's programs (named
# bpfilter_in/_fwd/_out) and maps (bpfilter_cnt, bpfilter_meta) while
# the rules are there, the same number of programs for each namespace,
# sees two namespaces' programs and some maps go while the module stays,
# and nothing named "bpfilter*" after rmmod.  After the 20 cycles
# bpftool prog show and map show list nothing named "bpfilter*".
#
# bpftool is the host's (/usr/sbin/bpftool), over the shared root.
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_cleanup
rm -rf "$out"
mkdir -p "$out"
p=bpfd-clean
cycles=20

rules='*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p udp -m udp --dport 11 -j DROP
-A FORWARD -s 192.0.2.0/24 -j ACCEPT
-A OUTPUT -p udp -m udp --dport 9 -j DROP
COMMIT'
printf '%s\n' "$rules" > "$out/rules"
printf '%s\n' "drop udp - 0 127.0.0.1 9 3 16" "pass udp - 0 127.0.0.1 10 3 16" \
	> "$out/flows"

# enforced REPORT: the sender's report says the OUTPUT DROP refused each
# datagram to 9 and let each to 10 go (shell builtins only: each program
# started costs ~0.1 s under emulation).
enforced() {
	local l1 l2
	{ read -r l1; read -r l2; } < "$1"
	test "$l1" = "drop sent 0 failed 3 errors 0" &&
		test "$l2" = "pass sent 3 failed 0 errors 0"
}

# ours: "PROGS MAPS": how many BPF programs and maps bpftool lists whose
# name starts with "bpfilter" (one bpftool run: a program's line has a
# tag, a map's none).
ours() {
	printf 'prog show\nmap show\n' | bpftool batch file - 2>/dev/null | awk '
		/^[0-9]+: / {
			for (i = 2; i < NF; i++)
				if ($i == "name" && index($(i + 1), "bpfilter") == 1)
					n[/ tag / ? "p" : "m"]++
		}
		END { print n["p"] + 0, n["m"] + 0 }'
}

none_of_ours() {
	test "$(ours)" = "0 0"
}

# The programs of the remaining namespace only ($1), fewer maps than $2.
only_remaining() {
	local now
	now=$(ours)
	test "${now% *}" -eq "$1" && test "${now#* }" -lt "$2"
}

# load_ns NS: the rules, lo up, the datagrams; the sender's report in
# $out/flows.NS.
load_ns() {
	dp_in "$1" iptables-legacy-restore -w < "$out/rules" &&
		"$dp_tool" -n "$1" -u batch < "$out/flows" > "$out/flows.$1" 2>&1
}

# note KIND CYCLE WHAT: count a failure of KIND; the first of each kind
# is kept for the diagnostics.
note() {
	eval "fail_$1=\$((fail_$1 + 1))"
	[ -s "$out/why.$1" ] || printf 'cycle %s: %s\n' "$2" "$3" > "$out/why.$1"
}

# cycle N FULL: one cycle.  With FULL=1 (the first and the last) bpftool
# is asked after each step; the others only do the steps (each bpftool
# run costs ~0.2 s under emulation), and what they leave behind
# accumulates for the final listing.
cycle() {
	local i=$1 full=$2 ns pids n loaded k helper
	if [ "$dp_xtables" != 1 ]; then
		modprobe bpfilter || { note load "$i" "modprobe failed"; return; }
	fi
	printf 'netns add %s\n' $p-1 $p-2 $p-3 | dp_links ||
		{ note load "$i" "cannot add the namespaces"; return; }
	pids=
	for ns in $p-1 $p-2 $p-3; do
		load_ns $ns &
		pids="$pids $!"
	done
	for n in $pids; do
		wait $n || note load "$i" "loading rules or sending failed"
	done
	for ns in $p-1 $p-2 $p-3; do
		enforced "$out/flows.$ns" ||
			note enforce "$i" "$ns sent: $(tr '\n' ';' < "$out/flows.$ns")"
	done
	[ "$full" = 1 ] && [ "$dp_xtables" != 1 ] && loaded=$(ours)
	printf 'netns del %s\n' $p-1 $p-2 | dp_links
	if [ "$full" = 1 ] && [ "$dp_xtables" != 1 ]; then
		k=$(( ${loaded% *} / 3 ))
		if [ "${loaded% *}" -gt 0 ] && [ $(( ${loaded% *} % 3 )) = 0 ] &&
		   [ "${loaded#* }" -gt 0 ]; then
			wait_for 10 only_remaining "$k" "${loaded#* }" ||
				note netns "$i" "with 3 namespaces: $loaded (programs, maps); two deleted: $(ours)"
		else
			note progs "$i" "bpftool lists $loaded (programs, maps) named bpfilter* with 3 namespaces holding rules"
			note netns "$i" "nothing was listed to be freed"
		fi
	fi
	if [ "$dp_xtables" != 1 ]; then
		helper=$(helper_pid)
		rmmod bpfilter || { note unload "$i" "rmmod failed"; return; }
		pid_gone "$helper" || note unload "$i" "helper pid $helper still runs after rmmod"
		if [ "$full" = 1 ]; then
			wait_for 5 none_of_ours ||
				note unload "$i" "after rmmod bpftool lists $(ours) (programs, maps) named bpfilter*"
		fi
	fi
	ip netns del $p-3
}

why() {
	cat "$out/why.$1" 2>/dev/null
}

dp_begin $p
check "bpftool is there ($(command -v bpftool || echo missing))" \
	sh -c 'command -v bpftool && bpftool prog show > /dev/null'
if [ "$dp_xtables" != 1 ]; then
	rmmod bpfilter
	check "before: bpftool lists nothing named bpfilter* ($(ours))" none_of_ours
fi
fail_load=0 fail_enforce=0 fail_progs=0 fail_netns=0 fail_unload=0
t0=$(dp_now)
i=1
while [ $i -le $cycles ]; do
	cycle $i $([ $i = 1 ] || [ $i = $cycles ] && echo 1)
	i=$((i + 1))
done
echo "# $cycles cycles in $(dp_elapsed "$t0") s"
check "$cycles cycles: modprobe, rules in 3 namespaces, traffic ($fail_load failed) $(why load)" \
	test $fail_load = 0
check "the rules were enforced in every namespace of every cycle: EPERM on the dropped port ($fail_enforce failed) $(why enforce)" \
	test $fail_enforce = 0
if ! dp_skip_xtables "bpftool checks"; then
	check "cycles 1 and $cycles: bpftool lists the programs and maps of each namespace with rules, the same number of programs for each ($fail_progs failed) $(why progs)" \
		test $fail_progs = 0
	check "cycles 1 and $cycles: deleting two namespaces freed their programs and maps, the module loaded ($fail_netns failed) $(why netns)" \
		test $fail_netns = 0
	check "every cycle: rmmod with a namespace holding rules succeeded, its helper gone; cycles 1 and $cycles: bpftool lists no bpfilter* program or map after it ($fail_unload failed) $(why unload)" \
		test $fail_unload = 0
	check "after $cycles cycles, bpftool prog show lists no program named bpfilter*" \
		sh -c '! bpftool prog show | grep " name bpfilter"'
	check "after $cycles cycles, bpftool map show lists no map named bpfilter*" \
		sh -c '! bpftool map show | grep " name bpfilter"'
	modprobe bpfilter
fi
dp_end
