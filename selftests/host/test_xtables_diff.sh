#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Differential test: the host kernel's x_tables against bpfilter's core.
# ipt-dump asks the kernel (in a scratch netns), core-dump asks the core;
# both build their requests with the same code (dump_main.c), so their
# outputs must be identical: same bytes for the initial filter table,
# same errno for each malformed request.
#
# The host runs 6.18, the target 6.1.  test_core asserts the same
# values independently, as read from 6.1's ip_tables.c and x_tables.c
# (hook offsets, 0xFFFFFFFF for absent hooks, comefrom, sizes, errnos),
# so this test passing means the two kernels agree on all of it.
#
# Then iptables-legacy builds a table with every kind of rule the core
# supports, and replace-diff replays it into the core, adds counters to
# both, and sends both the corrupted SET_REPLACE payloads of
# replace_cases.c (each with the errno 6.1's source gives): same errno,
# tables unchanged after a refusal, identical after a success.
#
# usage: test_xtables_diff.sh BUILD_DIR    (prints TAP lines, needs root)
set -u

build=$1
ns=bpft-host-$$
tmp=$(mktemp -d)
trap 'ip netns del "$ns" 2>/dev/null; rm -rf "$tmp"' EXIT

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; }
# make check installs what this needs and runs as root: a missing
# prerequisite is a failure, not a skip.
skip() { echo "not ok - x_tables differential tests: $*"; exit 0; }

[ "$(id -u)" = 0 ] || skip "needs root"
for tool in ip iptables-legacy cmp; do
	command -v $tool >/dev/null || skip "$tool not installed"
done
ip netns add "$ns" 2>/dev/null || skip "cannot create a network namespace"

in_ns() { ip netns exec "$ns" "$@"; }
tables() { in_ns cat /proc/net/ip_tables_names 2>/dev/null | tr '\n' ' '; }

# x_tables instantiates a table on first use, except when the request
# fails its length check; bpfilter's unit tests assert the same.
if [ -z "$(tables)" ]; then
	ok "fresh netns has no ip_tables table"
else
	not_ok "fresh netns has no ip_tables table (has: $(tables))"
fi
in_ns "$build/ipt-dump" -i 83 filter >/dev/null
if [ -z "$(tables)" ]; then
	ok "x_tables: GET_INFO with a bad optlen instantiates nothing"
else
	not_ok "x_tables: GET_INFO with a bad optlen instantiates nothing (has: $(tables))"
fi

in_ns iptables-legacy -w -L -n >/dev/null
if [ "$(tables)" = "filter " ]; then
	ok "iptables-legacy -L instantiates filter"
else
	not_ok "iptables-legacy -L instantiates filter (has: $(tables))"
fi

# Compares outputs and exit codes of both tools for the same arguments.
compare() {
	local what=$1; shift
	local kret cret

	in_ns "$build/ipt-dump" "$@" >"$tmp/kernel" 2>&1; kret=$?
	"$build/core-dump" "$@" >"$tmp/core" 2>&1; cret=$?
	if [ $kret = $cret ] && cmp -s "$tmp/kernel" "$tmp/core"; then
		if [ $kret = 0 ]; then
			ok "x_tables and core agree: $what ($(wc -c <"$tmp/kernel") bytes)"
		else
			ok "x_tables and core agree: $what ($(head -n 1 "$tmp/kernel"))"
		fi
		return 0
	fi
	not_ok "x_tables and core agree: $what"
	echo "#   exit codes: x_tables $kret, core $cret"
	cmp -l "$tmp/kernel" "$tmp/core" | head -20 | sed 's/^/#   /'
	return 1
}

# Byte for byte, into a zeroed buffer: x_tables writes every byte but
# the name tails of matches and targets, which the core zeroes.
compare "GET_INFO + GET_ENTRIES of the initial filter table" filter

# With the buffer prefilled, exactly the name tails differ: x_tables
# leaves the caller's bytes there, the core's reply zeroes them (the
# module copies the whole reply).  iptables-abi.md: mask those bytes.
in_ns "$build/ipt-dump" -f 0xa5 filter >"$tmp/kernel"
"$build/core-dump" -f 0xa5 filter >"$tmp/core"
"$build/core-dump" -t filter >"$tmp/tails"
cmp -l "$tmp/kernel" "$tmp/core" >"$tmp/diff"
if awk '$2 != 245 || $3 != 0 { exit 1 }' "$tmp/diff" &&
   awk '{ print $1 }' "$tmp/diff" | cmp -s - "$tmp/tails"; then
	ok "prefilled buffer: only the $(wc -l <"$tmp/tails") name-tail bytes differ"
else
	not_ok "prefilled buffer: only the name-tail bytes differ"
	head -20 "$tmp/diff" | sed 's/^/#   /'
fi

compare "GET_INFO of an unknown table" nosuchtable
compare "GET_INFO of a 31-byte name" filterAAAAAAAAAAAAAAAAAAAAAAAAA
compare "GET_INFO of an unterminated 32-byte name" filterAAAAAAAAAAAAAAAAAAAAAAAAAA
compare "GET_INFO optlen 0" -i 0 filter
compare "GET_INFO optlen 83" -i 83 filter
compare "GET_INFO optlen 85" -i 85 filter
compare "GET_ENTRIES size too big" -s 8 filter
compare "GET_ENTRIES size too small" -s -8 filter
compare "GET_ENTRIES optlen one byte long" -l 1 filter
compare "GET_ENTRIES optlen one byte short" -l -1 filter
compare "GET_ENTRIES optlen shorter than its header" -s -632 -l -1 filter
compare "REVISION_MATCH of an unknown match" -m bpft_nosuch
compare "REVISION_TARGET of an unknown target" -T bpft_nosuch
compare "REVISION_MATCH of an unterminated name" -m AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
compare "REVISION_MATCH tcp 0" -m tcp
compare "REVISION_MATCH tcp 1" -m tcp -v 1
compare "REVISION_MATCH udp 0" -m udp
compare "REVISION_MATCH icmp 0" -m icmp
compare "REVISION_MATCH icmp 1" -m icmp -v 1
compare "REVISION_TARGET standard 0" -T ""
compare "REVISION_TARGET ERROR 0" -T ERROR
compare "REVISION_TARGET ERROR 1" -T ERROR -v 1

# Which calls instantiate the table, as x_tables decides it: each request
# in a namespace of its own, then the tables it left (ipt-dump -n reads
# /proc/net/ip_tables_names; core-dump -n the core's reply).  test_core
# and test_replace assert the same cases; these runs are where their
# expectations come from.
compare_fresh() {
	local what=$1 ns=bpft-fresh-$$
	shift
	if ! ip netns add "$ns"; then
		not_ok "x_tables and core agree: $what (ip netns add failed)"
		return 1
	fi
	compare "$what, and the tables it leaves" -n "$@"
	ip netns del "$ns"
}
compare_fresh "GET_INFO + GET_ENTRIES in a fresh netns" filter
compare_fresh "GET_INFO of an unknown table in a fresh netns" nosuchtable
compare_fresh "GET_INFO optlen 83 in a fresh netns" -i 83 filter
compare_fresh "GET_INFO optlen 85 in a fresh netns" -i 85 filter
compare_fresh "GET_ENTRIES size too big in a fresh netns" -s 8 filter
compare_fresh "GET_ENTRIES size too small in a fresh netns" -s -8 filter
compare_fresh "GET_ENTRIES optlen one byte long in a fresh netns" -l 1 filter
compare_fresh "REVISION_MATCH tcp in a fresh netns" -m tcp
compare_fresh "REVISION_TARGET of an unknown target in a fresh netns" -T bpft_nosuch
compare_fresh "SET_REPLACE of a valid table in a fresh netns" -R valid filter
compare_fresh "SET_REPLACE of an invalid table in a fresh netns" -R bad-entries filter
compare_fresh "SET_REPLACE with a stale num_counters in a fresh netns" -R bad-counters filter
compare_fresh "ADD_COUNTERS in a fresh netns" -A 4 filter
compare_fresh "SET_REPLACE with -m limit's private fields set, read back" -R limit filter
compare_fresh "SET_REPLACE with -m limit --limit-burst 0" -R limit-overflow filter
compare_fresh "ADD_COUNTERS with a wrong count in a fresh netns" -A 5 filter
compare_fresh "ADD_COUNTERS to a 32-byte table name in a fresh netns" -A 4 ffffffffffffffffffffffffffffffff

# The table replace_cases.c describes and mutates: every kind of rule
# the core supports (addresses and masks, interfaces, fragments, '!',
# tcp/udp/icmp options, user chains, jumps, a goto, RETURN, policies).
ipt() { in_ns iptables-legacy -w "$@" || not_ok "iptables-legacy $*"; }
ipt -N web
ipt -N orphan
ipt -N zlast
ipt -A INPUT -s 10.0.0.0/8 -d 192.168.1.1 -p tcp --dport 22 -j ACCEPT
ipt -A INPUT -i eth+ ! -s 1.2.3.4 -p udp --sport 53 -j DROP
ipt -A INPUT -p icmp --icmp-type echo-request -j ACCEPT
ipt -A INPUT -p tcp --syn -m tcp ! --dport 80:90 -j web
ipt -A INPUT -f -j DROP
ipt -A FORWARD -i eth0 -o eth1 -p tcp --tcp-flags SYN,ACK SYN --tcp-option 2 -j zlast
ipt -A FORWARD ! -i lo -g web
ipt -P FORWARD DROP
ipt -A OUTPUT -o lo ! -p udp -j ACCEPT
ipt -A OUTPUT ! -f -d 8.8.8.8/255.255.0.0 -p udp ! --dport 53 -j DROP
ipt -A OUTPUT -p udp -m udp --sport 1:2 -j RETURN
ipt -A web -p tcp --sport 1024:65535 -j RETURN
ipt -A web -p icmp ! --icmp-type 8/0 -j DROP
ipt -A web -j zlast
ipt -A zlast -s 172.16.0.0/12 -j DROP
ipt -A orphan -p tcp -j ACCEPT

# SET_REPLACE and ADD_COUNTERS, valid and corrupted, against both.
in_ns "$build/replace-diff" 2>"$tmp/replace.log"
ret=$?
sed 's/^/# log: /' "$tmp/replace.log" | tail -5
[ $ret = 0 ] || not_ok "replace-diff exited with status $ret"
exit 0
