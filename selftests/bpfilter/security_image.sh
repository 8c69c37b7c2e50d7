#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A compromised helper's program image is refused before anything is
# made of it.  The module's fault_image switch makes the next image
# hostile as such a helper might (a call of bpf_skb_store_bytes, a store
# to __sk_buff.cb[0], a map fd no relocation names, a kfunc call); the
# instruction scan must refuse each: the commit fails with EIO, one
# kernel log line says why, the helper that sent it is replaced, and the
# rules in force stay in force, on packets too.
. "$(dirname "$0")/dataplane_lib.sh"

p=bpfs-img
out=/tmp/security_image
rm -rf "$out"
mkdir -p "$out"

dp_begin "$p"
dp_pair "$p-h" "$p-p"
ipt bpf "$p-h" -A OUTPUT -p udp -m udp --dport 7001 -j DROP
ipt bpf "$p-h" -S > "$out/rules"

# send PORT: "sent N failed M" of 5 datagrams from H to P's PORT.
send() {
	"$dp_tool" -n "$p-h" send -p udp -d 192.0.2.1 -D "$1" -c 5 |
		awk '$1 == "total" { print "sent", $3, "failed", $5 }'
}

why_1="a call of a helper the code generator does not use"
why_2="a context field the code generator does not use"
why_3="a BPF_LD_IMM64 of an object no relocation names"
why_4="a kfunc call"
for fault in 1 2 3 4; do
	eval why=\$why_$fault
	old=$(helper_pid host)
	lines=$(dmesg | grep -c "the helper sent a malformed program image: $why")
	echo "$fault" > /sys/module/bpfilter/parameters/fault_image
	ipt bpf "$p-h" -A OUTPUT -p udp -m udp --dport 7002 -j DROP > "$out/err" 2>&1
	rc=$?
	check "fault $fault: the hostile image was made (module log)" \
		sh -c "dmesg | grep -q 'fault injection: program image made hostile ($fault)'"
	check "fault $fault: the commit fails (status $rc): $(cat "$out/err")" test "$rc" != 0
	check "fault $fault: with EIO" grep -q "Input/output error" "$out/err"
	check "fault $fault: one log line names the cause: $why" \
		test "$(dmesg | grep -c "the helper sent a malformed program image: $why")" = $((lines + 1))
	check "fault $fault: the helper that sent it (pid $old) was stopped" \
		sh -c "dmesg | grep -q 'helper pid $old stopped: malformed program image'"
	ipt bpf "$p-h" -S > "$out/rules-now" 2>&1
	check "fault $fault: a new helper serves, and has the rules in force (pid $(helper_pid host))" \
		sh -c "test '$(helper_pid host)' != '$old' && diff -u '$out/rules' '$out/rules-now'"
	r=$(send 7001)
	check "fault $fault: the rule in force drops: $r" test "$r" = "sent 0 failed 5"
	r=$(send 7002)
	check "fault $fault: the refused rule does not: $r" test "$r" = "sent 5 failed 0"
done
check "fault_image is spent: a commit works again" \
	ipt bpf "$p-h" -A OUTPUT -p udp -m udp --dport 7002 -j DROP
r=$(send 7002)
check "and is enforced: $r" test "$r" = "sent 0 failed 5"
dp_end
