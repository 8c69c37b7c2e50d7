#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# -m limit on real traffic: a token bucket per rule, as xt_limit keeps
# it, refilled by every commit (x_tables recreates a rule's state when
# the table is replaced), kept in the module when the helper dies.
#
# Per side (bpf: iptables-legacy, i.e. bpfilter; nft: the iptables-nft
# oracle) a client C (192.0.2.1, va) pings a server S (192.0.2.2, vb)
# whose INPUT accepts ICMP under a limit and drops the rest:
# 1. --limit 10/sec --limit-burst 5: 100 echo requests paced at 100 a
#    second, to both sides at once.  x_tables: the 5 of the burst, then
#    one per 0.1 s of the flood (at least 0.99 s: 9 or 10): answered are
#    13 to 5 + 10 x (the flood's wall time) + 1; bpf within 1 of nft;
#    each side's ACCEPT rule counted exactly its answered requests.
# 2. --limit 1/hour --limit-burst 3 (a new table): 20 requests back to
#    back: exactly 3 answered.
# 3. One more commit, unrelated to the limit (-A INPUT -p udp --dport
#    9): x_tables' bucket is new and full again: 3 of 20 answered on
#    bpf.  nf_tables adds the one rule and keeps the others' state: 0 of
#    20 on nft (asserted as nf_tables' own behaviour).
# 4. 20 more requests, no commit: 0 answered.
# 5. bpf only: kill -9 of the helper, then 20 requests: the programs and
#    their state live in the module, the bucket is not reset: 0
#    answered; the counter read that follows starts a new helper (which
#    gets the tables back) and finds the 20 dropped; 20 more: still 0.
# Every step's ACCEPT and DROP counters add up to the requests sent.
#
# iptables-nft 1.8.9 spells -m limit as nf_tables' own limit expression:
# a kernel without CONFIG_NFT_LIMIT (the guest's, for now) leaves the
# oracle without it, and then only side bpf runs, against the numbers
# above (the oracle's checks are reported as skipped).
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_limit
rm -rf "$out"
mkdir -p "$out"
p=bpfd-limit

rules_rate='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p icmp -m limit --limit 10/sec --limit-burst 5 -j ACCEPT
-A INPUT -p icmp -j DROP
COMMIT'
rules_hour='*filter
:INPUT ACCEPT [0:0]
:FORWARD ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
-A INPUT -p icmp -m limit --limit 1/hour --limit-burst 3 -j ACCEPT
-A INPUT -p icmp -j DROP
COMMIT'

setup_side() {
	local s=$1
	printf '%s\n' "netns add $p-c-$s" "netns add $p-s-$s" \
		"link add va netns $p-c-$s address 02:00:00:00:06:01 type veth peer name vb netns $p-s-$s address 02:00:00:00:06:02" |
		dp_links || return 1
	dp_setup $p-c-$s 'addr add 192.0.2.1/24 dev va
link set dev va up
neigh replace 192.0.2.2 lladdr 02:00:00:00:06:02 dev va nud permanent' &&
	dp_setup $p-s-$s 'addr add 192.0.2.2/24 dev vb
link set dev vb up
neigh replace 192.0.2.1 lladdr 02:00:00:00:06:01 dev vb nud permanent'
}

# replies SIDE: echo replies C got so far.
replies() {
	dp_snmp $p-c-$1 Icmp:InEchoReps | cut -d' ' -f3
}

# ping_side SIDE N [PPS]: N echo requests from C (paced at PPS a second,
# or back to back; the wall time it took goes to $out/time.SIDE); prints "SENT ANSWERED ACCEPTED DROPPED": requests
# sent, replies C got, packets the ACCEPT and the DROP rule counted since
# the last counter read (whose totals $out/last.SIDE keeps).
ping_side() {
	local s=$1 before after sent t0
	before=$(replies $s)
	t0=$(dp_now)
	"$dp_tool" -n $p-c-$s send -p icmp -d 192.0.2.2 -S 0 -D 8 -c "$2" \
		-r "${3:-0}" -l 32 > "$out/send.$s" || return 1
	dp_elapsed "$t0" > "$out/time.$s"
	sleep 0.3
	after=$(replies $s)
	sent=$(awk '$1 == "total" { print $3 }' "$out/send.$s")
	echo "$sent $((after - before)) $(counted $s)"
}

# counted SIDE: "ACCEPTED DROPPED" since the last counter read.
counted() {
	local acc drop
	dp_counters $1 $p-s-$1 > "$out/counters.$1"
	acc=$(dp_counter "$out/counters.$1" INPUT 1 | cut -d' ' -f1)
	drop=$(dp_counter "$out/counters.$1" INPUT 2 | cut -d' ' -f1)
	set -- "$1" $(cat "$out/last.$1")
	echo "$acc $drop" > "$out/last.$1"
	echo "$((acc - $2)) $((drop - $3))"
}

# load SIDE RULES: a new table in S; the counters start again.
load() {
	echo "0 0" > "$out/last.$1"
	printf '%s\n' "$2" | ipt_restore $1 $p-s-$1
}

# consistent "SENT ANSWERED ACCEPTED DROPPED": all sent, the ACCEPT
# rule counted the answered, the DROP rule the rest.
consistent() {
	echo "$1" | awk '{ exit !($2 == $3 && $3 + $4 == $1) }' || {
		echo "sent, answered, accepted, dropped: $1"
		return 1
	}
}

dp_begin $p
nft_limit=yes
printf '%s\n' "netns add $p-probe" | dp_links &&
	dp_in $p-probe iptables-nft -w -A INPUT -m limit --limit 1/sec 2>/dev/null ||
	nft_limit=
printf '%s\n' "netns del $p-probe" | dp_links
sides="nft bpf"
if [ -z "$nft_limit" ]; then
	sides=bpf
	ktap_skip "this kernel's nf_tables has no limit expression (CONFIG_NFT_LIMIT)" \
		"nft: the oracle's limit"
fi
for s in $sides; do
	check "$s: namespaces and links" setup_side $s
done

# 1. 10/sec, burst 5, 100 requests at 100 a second, both sides at once.
for s in $sides; do
	check "$s: 10/sec burst 5 loads" load $s "$rules_rate"
done
for s in $sides; do
	ping_side $s 100 100 > "$out/rate.$s" &
done
wait
for s in $sides; do
	r=$(cat "$out/rate.$s")
	t=$(cat "$out/time.$s")
	n=${r#* }
	n=${n%% *}
	check "$s: 10/sec burst 5: every request counted once, the ACCEPT rule's are the answered ($r)" \
		consistent "$r"
	check "$s: 10/sec burst 5: $n of 100 answered in $t s (x_tables: 13 to 5 + 10 x $t + 1)" \
		awk -v n="$n" -v t="$t" 'BEGIN { exit !(n >= 13 && n <= 5 + 10 * t + 1) }'
done
if [ -n "$nft_limit" ]; then
	a=$(cut -d' ' -f2 "$out/rate.bpf")
	b=$(cut -d' ' -f2 "$out/rate.nft")
	check "bpf: answered within 1 of the oracle's (bpf $a, nft $b)" \
		test $((a - b)) -le 1 -a $((b - a)) -le 1
fi

# 2.-5. 1/hour, burst 3.
for s in $sides; do
	check "$s: 1/hour burst 3 loads" load $s "$rules_hour"
	r=$(ping_side $s 20)
	check "$s: 1/hour burst 3, a new table: 3 of 20 answered ($r)" \
		test "$r" = "20 3 3 17"
	ipt $s $p-s-$s -A INPUT -p udp -m udp --dport 9 -j ACCEPT
	r=$(ping_side $s 20)
	if [ $s = bpf ]; then
		check "bpf: a commit (an unrelated -A) refills the bucket, as x_tables: 3 of 20 answered ($r)" \
			test "$r" = "20 3 3 17"
	else
		check "nft: an -A keeps the other rules' state (nf_tables): 0 of 20 answered ($r)" \
			test "$r" = "20 0 0 20"
	fi
done
for s in $sides; do
	r=$(ping_side $s 20)
	check "$s: no commit, the bucket stays empty: 0 of 20 answered ($r)" \
		test "$r" = "20 0 0 20"
	[ $s = nft ] && continue
	dp_skip_xtables "kill -9 of the helper" && continue
	old=$(helper_pid)
	check "bpf: kill -9 of the helper (pid ${old:-none})" \
		sh -c "test -n '$old' && test -d '/proc/$old' && kill -9 '$old'"
	check "bpf: the killed helper is gone" wait_for 5 pid_gone "$old"
	check "bpf: no helper runs while the requests are sent" \
		test "$(dp_blob_processes)" -eq 0
	before=$(replies bpf)
	"$dp_tool" -n $p-c-bpf send -p icmp -d 192.0.2.2 -S 0 -D 8 -c 20 \
		-l 32 > "$out/send.bpf"
	sleep 0.3
	check "bpf: the bucket lives in the module, not reset by the helper's death: 0 of 20 answered" \
		test "$(replies bpf)" = "$before"
	r=$(counted bpf)
	check "bpf: a new helper (for the counter read) has the counters: the 20 dropped ($r)" \
		test "$r" = "0 20"
	r=$(ping_side bpf 20)
	check "bpf: and the bucket: still 0 of 20 answered ($r)" \
		test "$r" = "20 0 0 20"
	check "bpf: a new helper started ($(helper_pid), the killed one $old)" \
		helper_replaced "$old"
done
dp_end
