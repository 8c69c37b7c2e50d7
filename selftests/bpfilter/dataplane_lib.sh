# SPDX-License-Identifier: GPL-2.0
# Shared by the data-plane selftests (dataplane_*.sh), on top of lib.sh.
#
# Each test builds its topology out of network namespaces and veth pairs
# (nothing is ever sent outside them), most twice: side "bpf", whose
# rules go in with iptables-legacy (bpfilter.ko: the guest kernel has no
# ip_tables), and side "nft", the oracle, whose rules go in with
# iptables-nft (nf_tables with the xt compatibility layer).  The same
# traffic goes through both; x_tables' behaviour is the specification,
# so packets delivered and every entry's packet and byte counters must be
# equal.  Addresses are from the documentation ranges (192.0.2.0/24,
# 198.51.100.0/24, 203.0.113.0/24); neighbours are static, IPv6 is off
# and ICMP errors are not rate limited, so every run sends exactly the
# same IPv4 packets.
#
# Traffic comes from pktflood (pktflood.c), built next to sockopt_probe.
# Under emulation starting a program costs ~0.1 s and "ip netns exec"
# ~0.3 s, so commands enter a namespace with nsenter (network only) and
# work is batched (ip -batch, pktflood batch).
#
# DP_XTABLES=1 checks the tests themselves on a host whose kernel has
# ip_tables and nf_tables: side "bpf" is then x_tables (iptables-legacy
# talks to it), nothing loads or unloads bpfilter, and the steps that
# need bpfilter are skipped.  Every other check must pass there.
. "$(dirname "$0")/lib.sh"

dp_tool=$(dirname "${BPFILTER_PROBE:?}")/pktflood
dp_xtables=${DP_XTABLES:-0}

# The test's namespaces are named "$dp_prefix-..." (dp_begin PREFIX).
dp_prefix=

# dp_in NS COMMAND...: COMMAND in namespace NS's network.
dp_in() {
	local ns=$1
	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# dp_del_namespaces: delete the test's namespaces.
dp_del_namespaces() {
	ip netns list | awk -v p="$dp_prefix-" 'index($1, p) == 1 { print "netns del", $1 }' |
		ip -force -batch - 2>/dev/null
	return 0
}

# dp_begin PREFIX: a test's start: no namespace of an earlier run left,
# bpfilter freshly loaded, the traffic tool there.
dp_begin() {
	dp_prefix=${1:?}
	dp_del_namespaces
	check "pktflood is built ($dp_tool)" test -x "$dp_tool"
	[ "$dp_xtables" = 1 ] && return 0
	unload_bpfilter
	check "modprobe bpfilter" modprobe bpfilter
}

# dp_end: delete every namespace the test made; unload bpfilter (one
# check: a leak or a BUG in the exit path shows there or in the log scan).
dp_end() {
	dp_del_namespaces
	[ "$dp_xtables" = 1 ] && return 0
	check_rmmod
}

# dp_skip_xtables DESCRIPTION: in DP_XTABLES mode, report DESCRIPTION as
# skipped (it needs bpfilter) and return 0; else return 1.
dp_skip_xtables() {
	[ "$dp_xtables" = 1 ] || return 1
	ktap_skip "needs bpfilter (DP_XTABLES=1)" "$1"
}

# dp_links < BATCH: ip -batch in the initial namespace: "netns add NS"
# and "link add IF netns NS address MAC type veth peer name IF2 netns
# NS2 address MAC2" lines.
dp_links() {
	ip -batch -
}

# dp_setup NS [BATCH]: in NS: lo up, IPv6 off, no ICMP rate limits, no
# reverse-path filter, then BATCH's ip commands (addresses, links up,
# neighbours: "neigh replace ADDR lladdr MAC dev IF nud permanent").
dp_setup() {
	printf 'link set dev lo up\n%s\n' "${2:-}" | dp_in "$1" sh -c '
		for f in all default; do
			echo 1 > /proc/sys/net/ipv6/conf/$f/disable_ipv6
		done
		echo 0 > /proc/sys/net/ipv4/icmp_ratemask &&
		echo 0 > /proc/sys/net/ipv4/icmp_ratelimit &&
		echo 0 > /proc/sys/net/ipv4/conf/all/rp_filter &&
		echo 0 > /proc/sys/net/ipv4/conf/default/rp_filter &&
		exec ip -batch -'
}

# dp_pair H P [H_BATCH [P_BATCH]]: namespaces H (192.0.2.2 on vh,
# 02:00:00:00:00:02) and P (192.0.2.1 on vp, 02:00:00:00:00:01), joined
# by a veth pair and set up by dp_setup, each /24 with its broadcast
# address and the other's neighbour entry, then each side's extra ip
# commands.
dp_pair() {
	printf '%s\n' "netns add $1" "netns add $2" \
		"link add vh netns $1 address 02:00:00:00:00:02 type veth peer name vp netns $2 address 02:00:00:00:00:01" |
		dp_links || return 1
	dp_setup "$1" "addr add 192.0.2.2/24 brd 192.0.2.255 dev vh
link set dev vh up
neigh replace 192.0.2.1 lladdr 02:00:00:00:00:01 dev vh nud permanent
${3:-}" &&
	dp_setup "$2" "addr add 192.0.2.1/24 brd 192.0.2.255 dev vp
link set dev vp up
neigh replace 192.0.2.2 lladdr 02:00:00:00:00:02 dev vp nud permanent
${4:-}"
}

# dp_router C R S [S_BATCH [R_BATCH]]: a client C (198.51.100.1 on vc),
# a router R (198.51.100.254 on vr0, 203.0.113.254 on vr1, forwarding)
# and a server S (203.0.113.1 on vs), joined by two veth pairs with
# fixed MACs and set up by dp_setup, neighbours static, C's and S's
# default routes via R; then S's and R's extra ip commands.
dp_router() {
	printf '%s\n' "netns add $1" "netns add $2" "netns add $3" \
		"link add vc netns $1 address 02:00:00:00:01:0c type veth peer name vr0 netns $2 address 02:00:00:00:01:00" \
		"link add vs netns $3 address 02:00:00:00:01:0e type veth peer name vr1 netns $2 address 02:00:00:00:01:01" |
		dp_links || return 1
	dp_setup "$1" 'addr add 198.51.100.1/24 dev vc
link set dev vc up
neigh replace 198.51.100.254 lladdr 02:00:00:00:01:00 dev vc nud permanent
route add default via 198.51.100.254' &&
	dp_setup "$3" "addr add 203.0.113.1/24 dev vs
link set dev vs up
neigh replace 203.0.113.254 lladdr 02:00:00:00:01:01 dev vs nud permanent
route add default via 203.0.113.254
${4:-}" &&
	dp_setup "$2" "addr add 198.51.100.254/24 dev vr0
addr add 203.0.113.254/24 dev vr1
link set dev vr0 up
link set dev vr1 up
neigh replace 198.51.100.1 lladdr 02:00:00:00:01:0c dev vr0 nud permanent
neigh replace 203.0.113.1 lladdr 02:00:00:00:01:0e dev vr1 nud permanent
${5:-}" &&
	dp_in "$2" sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
}

# dp_blob_processes: lib.sh's blob_processes with one program (ls)
# instead of a readlink per process.
dp_blob_processes() {
	ls -l /proc/[0-9]*/exe 2>/dev/null | grep -c 'umh-blob-'
}

# dp_ip NS < BATCH: ip -batch in NS.
dp_ip() {
	dp_in "$1" ip -batch -
}

# ipt SIDE NS ARGS...: iptables of that side in namespace NS.
ipt() {
	local side=$1 ns=$2
	shift 2
	case "$side" in
	bpf) dp_in "$ns" iptables-legacy -w "$@" ;;
	nft) dp_in "$ns" iptables-nft -w "$@" ;;
	esac
}

# ipt_restore SIDE NS [ARGS...] < RULES
ipt_restore() {
	local side=$1 ns=$2
	shift 2
	case "$side" in
	bpf) dp_in "$ns" iptables-legacy-restore -w "$@" ;;
	nft) dp_in "$ns" iptables-nft-restore -w "$@" ;;
	esac
}

# ipt_save SIDE NS: iptables-save -c of that side.
ipt_save() {
	case "$1" in
	bpf) dp_in "$2" iptables-legacy-save -c ;;
	nft) dp_in "$2" iptables-nft-save -c ;;
	esac
}

# dp_normalise: iptables-save -c output (either flavour) as one line per
# counter, independent of how each flavour spells a rule and orders its
# chains: "CHAIN policy POLICY PACKETS BYTES" for a built-in chain,
# "CHAIN rule N PACKETS BYTES" for the Nth rule of CHAIN, sorted.
dp_normalise() {
	awk '
	/^:/ {
		c = $3; gsub(/[][]/, "", c); split(c, x, ":")
		if ($2 != "-")
			print substr($1, 2), "policy", $2, x[1], x[2]
		next
	}
	/^\[/ {
		c = $1; gsub(/[][]/, "", c); split(c, x, ":")
		n[$3]++
		print $3, "rule", n[$3], x[1], x[2]
	}' | sort
}

# The script's own standard output (TAP), for failures found by
# functions whose output the caller redirects (dp_counters).
exec 3>&1

# dp_counters SIDE NS: that namespace's counters, normalised.  Callers
# write them to a file and compare files, so an iptables-save that fails
# (or a namespace without a filter table: iptables-legacy-save then
# prints nothing and succeeds) would make two empty files that compare
# equal.  That is a failed check of its own, on the TAP output whatever
# the caller does with this output and status, and the output is then a
# line naming SIDE and NS, equal to no other.
dp_counters() {
	local save chain rc
	save=$(ipt_save "$1" "$2")
	rc=$?
	if [ $rc != 0 ]; then
		dp_counters_fail "$1" "$2" "iptables-save -c exited with status $rc" "$save"
		return 1
	fi
	save=$(printf '%s\n' "$save" | dp_normalise)
	for chain in INPUT FORWARD OUTPUT; do
		printf '%s\n' "$save" | grep -q "^$chain policy " && continue
		dp_counters_fail "$1" "$2" "no $chain policy in iptables-save -c" "$save"
		return 1
	done
	printf '%s\n' "$save"
}

# dp_counters_fail SIDE NS WHAT OUTPUT: dp_counters' failure.
dp_counters_fail() {
	ktap_fail "$1: the counters of $2 ($3)" >&3
	[ -z "$4" ] || printf '%s\n' "$4" | head -n 20 | sed 's/^/# /' >&3
	echo "dp_counters: $1 $2: $3"
}

# dp_counter FILE CHAIN N: "PACKETS BYTES" of rule N of CHAIN in a
# normalised FILE, or of its policy when N is "policy".
dp_counter() {
	awk -v c="$2" -v n="$3" '
		$1 == c && n == "policy" && $2 == "policy" { print $4, $5 }
		$1 == c && $2 == "rule" && $3 == n { print $4, $5 }' "$1"
}

# dp_snmp NS PROTO:FIELD...: "PROTO FIELD VALUE" lines from NS's
# /proc/net/snmp.
dp_snmp() {
	local ns=$1
	shift
	dp_in "$ns" awk -v want="$*" '
		BEGIN { n = split(want, w, " ") }
		{ p = $1; sub(/:$/, "", p) }
		seen[p]++ == 0 { for (i = 2; i <= NF; i++) col[p, $i] = i; next }
		{ for (i = 2; i <= NF; i++) val[p, i] = $i }
		END {
			for (k = 1; k <= n; k++) {
				split(w[k], pf, ":")
				print pf[1], pf[2], val[pf[1], col[pf[1], pf[2]]]
			}
		}' /proc/net/snmp
}

# dp_recv_start NS PORTS OUT: a pktflood receiver counting datagrams on
# PORTS (comma-separated) in NS; its report goes to OUT when
# dp_recv_stop stops it.  Sets dp_recv_pid.
dp_recv_start() {
	rm -f "$3.ready"
	"$dp_tool" -n "$1" recv -D "$2" -R "$3.ready" > "$3" 2>&1 &
	dp_recv_pid=$!
	wait_for 10 test -f "$3.ready"
}

# dp_recv_stop PID: let anything still in flight land, then stop the
# receiver and wait for its report.
dp_recv_stop() {
	sleep 0.5
	kill -TERM "$1" 2>/dev/null
	wait "$1"
}

# dp_got FILE PORT: what a receiver's report says PORT got ("total":
# all ports).
dp_got() {
	awk -v p="$2" '$1 == p { print $2 }' "$1"
}

# dp_diff A B: diff of two files, for check (its output becomes the
# failure's diagnostics: the first 60 lines of it).
dp_diff() {
	local d
	d=$(diff -u "$1" "$2") && return 0
	printf '%s\n' "$d" | head -n 60
	return 1
}

# dp_log_lines MARK PREFIX [volatile]: the LOG lines whose prefix
# matches PREFIX (a grep regex, e.g. "ct-[a-z]*") that the kernel wrote
# after the last line containing MARK (a line count would not do: a
# full log buffer drops its oldest lines), without timestamps; with
# "volatile", without the fields that differ between runs (IP id, TCP
# sequence numbers) either.
dp_log_lines() {
	local strip=
	[ "${3:-}" = volatile ] && strip='s/ ID=[0-9]*//; s/ SEQ=[0-9]*//; s/ ACK=[0-9]*//'
	dmesg | awk -v m="$1" 'index($0, m) { n = NR } { l[NR] = $0 }
		END { for (i = n + 1; n && i <= NR; i++) print l[i] }' |
		grep " $2: " | sed -e 's/^\[[^]]*\] //' -e "$strip"
}

# dp_now: seconds since the epoch, with fractions.
dp_now() {
	date +%s.%N
}

# dp_elapsed START: seconds since START (from dp_now), to 0.01 s.
dp_elapsed() {
	awk -v a="$1" -v b="$(dp_now)" 'BEGIN { printf "%.2f", b - a }'
}
