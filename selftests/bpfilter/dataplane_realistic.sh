#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Rulesets as real machines carry them (rulesets/*.rules, iptables-save
# form), loaded whole with iptables-restore and judged on real traffic
# against the iptables-nft oracle:
#
#   docker      a Docker host forwarding between an outside network and
#               two container networks (DOCKER, DOCKER-USER,
#               DOCKER-ISOLATION-STAGE-1/2): published ports reachable,
#               the two networks isolated, containers reaching out,
#               replies let back in;
#   kubernetes  a node's kube-proxy table (generate.sh: 300 services
#               without endpoints rejected in KUBE-SERVICES, node ports,
#               KUBE-FIREWALL's 0x8000 mark, KUBE-FORWARD's 0x4000 mark
#               and conntrack states, comments everywhere);
#   fail2ban    the sshd jail after 500 bans (generate.sh): banned
#               sources at the top, middle and end of f2b-sshd rejected,
#               others and other ports let through;
#   laptop      loopback, replies, invalid dropped, 3 new ssh
#               connections a minute (burst 3: exactly 3 of a quick
#               burst pass), rate-limited LOG, final REJECT.
#
# Per ruleset and side (bpf: iptables-legacy-restore, i.e. bpfilter;
# nft: iptables-nft-restore) the same namespaces and the same traffic
# (fixed addresses and ports; flows that do not depend on each other run
# at once).  Asserted: every flow's outcome is x_tables' (worked out by
# hand below) on each side; every entry's packet and byte counters are
# the oracle's; the laptop's LOG lines are the oracle's.
#
# REJECT: the guest has no ip_tables, and iptables-nft's REJECT needs
# ipt_REJECT, so the oracle's rulesets have DROP where the files have
# REJECT.  The rejected flows are therefore sent as single segments or
# datagrams (no retransmission depends on the outcome), their outcomes
# are asserted per side (bpf: ICMP port unreachable back, the client's
# Icmp InDestUnreachs counts them; nft: nothing back), and the counters
# differ by exactly the ICMP errors bpf sends, which pass bpf's OUTPUT
# (listed by hand per ruleset as the expected difference).  For the same
# reason the oracle has no "-m icmp" (part of ip_tables): the rulesets do
# without it.
. "$(dirname "$0")/dataplane_lib.sh"

out=/tmp/dataplane_realistic
rm -rf "$out"
mkdir -p "$out"
p=bpfd-real
ctprobe=$(dirname "$BPFILTER_PROBE")/ctprobe
rulesets=$(cd "$(dirname "$0")" && pwd)/rulesets

# rules SIDE NAME: the ruleset as that side loads it.
rules() {
	case "$1" in
	bpf) cat "$rulesets/$2.rules" ;;
	nft) sed '/^-A .* -j REJECT/s/ -j REJECT.*$/ -j DROP/' "$rulesets/$2.rules" ;;
	esac
}

# serve NS ADDR PORTS NAME: a ctprobe server; its report goes to
# $out/NAME when stop_servers stops it.
servers=
serve() {
	rm -f "$out/$4.ready"
	"$ctprobe" -n "$1" serve -a "$2" -p "$3" -R "$out/$4.ready" > "$out/$4" &
	servers="$servers $!"
	wait_for 10 test -f "$out/$4.ready"
}

stop_servers() {
	sleep 0.3
	kill -TERM $servers
	wait $servers
	servers=
}

# flows TAG < LINES: each line "WHO NS CTPROBE-ARGS..." runs at once in
# the background; then "TAG WHO RESULT" lines, in input order.
flows() {
	local tag=$1 n=0 who ns args pids=
	while read -r who ns args; do
		n=$((n + 1))
		# shellcheck disable=SC2086
		"$ctprobe" -n "$ns" $args > "$out/flow.$tag.$n" 2>&1 &
		pids="$pids $!"
		echo "$who" > "$out/flow.$tag.$n.who"
	done
	wait $pids
	local i=1
	while [ $i -le $n ]; do
		echo "$(cat "$out/flow.$tag.$i.who") $(cat "$out/flow.$tag.$i")"
		i=$((i + 1))
	done
}

# served NAME WHO: the server's report as "WHO tcp PORT accepted N" lines.
served() {
	sed "s/^/$2 /" "$out/$1"
}

# counter_delta A B: "CHAIN KIND N PACKETS BYTES" of B minus A for each
# entry whose counters differ.
counter_delta() {
	awk 'NR == FNR { p[$1, $2, $3] = $4; b[$1, $2, $3] = $5; next }
	     { k = $1 SUBSEP $2 SUBSEP $3
	       if ($4 != p[k] || $5 != b[k])
		print $1, $2, ($2 == "policy" ? "-" : $3), $4 - p[k], $5 - b[k] }' \
		"$1" "$2"
}

# ---------------------------------------------------------------- docker
#   E 198.51.100.1, .66 (ve) --- (eth0) 198.51.100.254  H  172.17.0.1 (docker0) --- (eth0) 172.17.0.2 C1
#                                                         172.18.0.1 (br-5f0c1d2e3a4b) --- (eth0) 172.18.0.2 C2
# H forwards.  What x_tables does (who, flow):
# - E: 2 connections to C1's published 80: DOCKER accepts the SYN,
#   FORWARD's "-o docker0 ESTABLISHED" the rest, "-i docker0 ! -o
#   docker0" C1's side (after both isolation stages return): ok.
# - E: 1 to C1's 81, not published: DOCKER returns, FORWARD's policy
#   drops both SYNs: timeout.
# - E: 1 to C2's published 5432: ok.
# - E from .66: to C1's 80: DOCKER-USER drops: timeout.
# - C1 to C2's 5432, C2 to C1's 80: DOCKER-ISOLATION-STAGE-2 drops:
#   timeout.
# - C1 to E's 8080: out through "-i docker0 ! -o docker0", back through
#   "-o docker0 ESTABLISHED": ok.
docker_expected='E tcp 80 ok 2 refused 0 timeout 0
E tcp 81 ok 0 refused 0 timeout 1
E tcp 5432 ok 1 refused 0 timeout 0
E tcp 80 ok 0 refused 0 timeout 1
C1 tcp 5432 ok 0 refused 0 timeout 1
C2 tcp 80 ok 0 refused 0 timeout 1
C1 tcp 8080 ok 1 refused 0 timeout 0
c1 tcp 80 accepted 2
c1 udp 80 echoed 0
c1 tcp 81 accepted 0
c1 udp 81 echoed 0
c2 tcp 5432 accepted 1
c2 udp 5432 echoed 0
e tcp 8080 accepted 1
e udp 8080 echoed 0'
# The isolation drops, by hand: each drops both SYNs of its connection.
docker_packets='DOCKER-ISOLATION-STAGE-2 rule 1 2
DOCKER-ISOLATION-STAGE-2 rule 2 2
DOCKER-USER rule 1 2
FORWARD policy - 2'
# No REJECT: no difference.
docker_delta=

docker_setup() {
	local s=$1 e=$p-dk-e-$1 h=$p-dk-h-$1 c1=$p-dk-c1-$1 c2=$p-dk-c2-$1
	printf '%s\n' "netns add $e" "netns add $h" "netns add $c1" "netns add $c2" \
		"link add ve netns $e address 02:00:00:00:02:01 type veth peer name eth0 netns $h address 02:00:00:00:02:02" \
		"link add eth0 netns $c1 address 02:00:00:00:02:11 type veth peer name docker0 netns $h address 02:00:00:00:02:12" \
		"link add eth0 netns $c2 address 02:00:00:00:02:21 type veth peer name br-5f0c1d2e3a4b netns $h address 02:00:00:00:02:22" |
		dp_links || return 1
	dp_setup $e 'addr add 198.51.100.1/24 dev ve
addr add 198.51.100.66/24 dev ve
link set dev ve up
neigh replace 198.51.100.254 lladdr 02:00:00:00:02:02 dev ve nud permanent
route add 172.16.0.0/12 via 198.51.100.254' &&
	dp_setup $h 'addr add 198.51.100.254/24 dev eth0
addr add 172.17.0.1/16 dev docker0
addr add 172.18.0.1/16 dev br-5f0c1d2e3a4b
link set dev eth0 up
link set dev docker0 up
link set dev br-5f0c1d2e3a4b up
neigh replace 198.51.100.1 lladdr 02:00:00:00:02:01 dev eth0 nud permanent
neigh replace 198.51.100.66 lladdr 02:00:00:00:02:01 dev eth0 nud permanent
neigh replace 172.17.0.2 lladdr 02:00:00:00:02:11 dev docker0 nud permanent
neigh replace 172.18.0.2 lladdr 02:00:00:00:02:21 dev br-5f0c1d2e3a4b nud permanent' &&
	dp_setup $c1 'addr add 172.17.0.2/16 dev eth0
link set dev eth0 up
neigh replace 172.17.0.1 lladdr 02:00:00:00:02:12 dev eth0 nud permanent
route add default via 172.17.0.1' &&
	dp_setup $c2 'addr add 172.18.0.2/16 dev eth0
link set dev eth0 up
neigh replace 172.18.0.1 lladdr 02:00:00:00:02:22 dev eth0 nud permanent
route add default via 172.18.0.1' &&
	dp_in $h sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
}

docker_run() {
	local s=$1 e=$p-dk-e-$1 h=$p-dk-h-$1 c1=$p-dk-c1-$1 c2=$p-dk-c2-$1
	rules $s docker | ipt_restore $s $h || return 1
	serve $c1 172.17.0.2 80,81 dk.c1.$s &&
	serve $c2 172.18.0.2 5432 dk.c2.$s &&
	serve $e 198.51.100.1 8080 dk.e.$s || return 1
	flows dk.$s > "$out/docker.flows.$s" <<EOF
E $e connect -s 198.51.100.1 -S 40000 -d 172.17.0.2 -p 80 -c 2
E $e connect -s 198.51.100.1 -S 40100 -d 172.17.0.2 -p 81
E $e connect -s 198.51.100.1 -S 40200 -d 172.18.0.2 -p 5432
E $e connect -s 198.51.100.66 -S 40300 -d 172.17.0.2 -p 80
C1 $c1 connect -s 172.17.0.2 -S 41000 -d 172.18.0.2 -p 5432
C2 $c2 connect -s 172.18.0.2 -S 42000 -d 172.17.0.2 -p 80
C1 $c1 connect -s 172.17.0.2 -S 41100 -d 198.51.100.1 -p 8080
EOF
	stop_servers
	{
		cat "$out/docker.flows.$s"
		served dk.c1.$s c1
		served dk.c2.$s c2
		served dk.e.$s e
	} > "$out/docker.observed.$s"
	dp_counters $s $h > "$out/docker.counters.$s"
}

# ------------------------------------------------------------ kubernetes
#   C 198.51.100.1, .77 (vc) --- (eth0) 198.51.100.2  N  10.244.0.1 (cni0) --- (eth0) 10.244.0.2 P
# N forwards; C routes 10.96.0.0/12 (services) and 10.244.0.0/16 (pods)
# through N, N routes 10.96.0.0/12 to P.  What x_tables does:
# - C: single SYNs (raw) to the first (svc-000 10.96.0.10:80), the
#   middle (svc-150 10.96.0.160:9090) and the last (svc-299
#   10.96.1.109:5432) service: REJECT in KUBE-SERVICES (FORWARD);
#   to 10.96.0.160:80 (a service's address, another port) and to
#   10.96.5.5:80 (no service): FORWARD's policy drops them; to the node
#   port 31080 without endpoints: REJECT in KUBE-EXTERNAL-SERVICES
#   (INPUT).  bpf answers the 4 REJECTs with port unreachables.
# - C: to the health check node port 30254 and to ssh on N: ok.
# - C from .77 to ssh on N: marked 0x8000, KUBE-FIREWALL drops: timeout.
# - C: 2 connections to P's 8080 (marked 0x4000: KUBE-FORWARD accepts)
#   and 1 to P's 9090 (the CNI's "-d 10.244.0.0/16" accepts): ok, the
#   replies ESTABLISHED in KUBE-FORWARD.
# - C: 2 SYN+FIN segments to P's 9090: INVALID, dropped in KUBE-FORWARD.
kubernetes_flows='C raw 80 sent 1
C raw 9090 sent 1
C raw 5432 sent 1
C raw 80 sent 1
C raw 80 sent 1
C raw 31080 sent 1
C tcp 30254 ok 1 refused 0 timeout 0
C tcp 22 ok 1 refused 0 timeout 0
C tcp 22 ok 0 refused 0 timeout 1
C tcp 8080 ok 2 refused 0 timeout 0
C tcp 9090 ok 1 refused 0 timeout 0
C raw 9090 sent 2
n tcp 22 accepted 1
n udp 22 echoed 0
n tcp 30254 accepted 1
n udp 30254 echoed 0
n tcp 31080 accepted 0
n udp 31080 echoed 0
p tcp 8080 accepted 2
p udp 8080 echoed 0
p tcp 9090 accepted 1
p udp 9090 echoed 0'
kubernetes_expected_bpf="$kubernetes_flows
C Icmp InDestUnreachs 4
P Tcp InSegs 9"
kubernetes_expected_nft="$kubernetes_flows
C Icmp InDestUnreachs 0
P Tcp InSegs 9"
# By hand: KUBE-SERVICES' first, middle and last rule 1 each; the
# masquerade stand-in 2 SYNs (its mark accepted in KUBE-FORWARD with the
# rest of those connections: 3 + 3 packets each way, the replies by
# conntrack); KUBE-FIREWALL's mark rule the 2 SYNs from .77.
kubernetes_packets='KUBE-SERVICES rule 1 1
KUBE-SERVICES rule 151 1
KUBE-SERVICES rule 300 1
KUBE-EXTERNAL-SERVICES rule 1 1
KUBE-FIREWALL rule 2 2
KUBE-FORWARD rule 1 2
FORWARD rule 1 6
FORWARD policy - 2'
# bpf's 4 port unreachables (68 bytes: they quote the 40-byte SYN) leave
# through OUTPUT: not NEW (conntrack relates them to the SYN), so
# only KUBE-FIREWALL's jump and the policy see them.
kubernetes_delta='OUTPUT rule 3 4 272
OUTPUT policy - 4 272'

kubernetes_setup() {
	local s=$1 c=$p-k8-c-$1 n=$p-k8-n-$1 pd=$p-k8-p-$1
	printf '%s\n' "netns add $c" "netns add $n" "netns add $pd" \
		"link add vc netns $c address 02:00:00:00:03:01 type veth peer name eth0 netns $n address 02:00:00:00:03:02" \
		"link add eth0 netns $pd address 02:00:00:00:03:11 type veth peer name cni0 netns $n address 02:00:00:00:03:12" |
		dp_links || return 1
	dp_setup $c 'addr add 198.51.100.1/24 dev vc
addr add 198.51.100.77/24 dev vc
link set dev vc up
neigh replace 198.51.100.2 lladdr 02:00:00:00:03:02 dev vc nud permanent
route add 10.96.0.0/12 via 198.51.100.2
route add 10.244.0.0/16 via 198.51.100.2' &&
	dp_setup $n 'addr add 198.51.100.2/24 dev eth0
addr add 10.244.0.1/24 dev cni0
link set dev eth0 up
link set dev cni0 up
neigh replace 198.51.100.1 lladdr 02:00:00:00:03:01 dev eth0 nud permanent
neigh replace 198.51.100.77 lladdr 02:00:00:00:03:01 dev eth0 nud permanent
neigh replace 10.244.0.2 lladdr 02:00:00:00:03:11 dev cni0 nud permanent
route add 10.96.0.0/12 via 10.244.0.2' &&
	dp_setup $pd 'addr add 10.244.0.2/24 dev eth0
link set dev eth0 up
neigh replace 10.244.0.1 lladdr 02:00:00:00:03:12 dev eth0 nud permanent
route add default via 10.244.0.1' &&
	dp_in $n sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward'
}

kubernetes_run() {
	local s=$1 c=$p-k8-c-$1 n=$p-k8-n-$1 pd=$p-k8-p-$1
	rules $s kubernetes | ipt_restore $s $n || return 1
	serve $n 198.51.100.2 22,30254,31080 k8.n.$s &&
	serve $pd 10.244.0.2 8080,9090 k8.p.$s || return 1
	flows k8.$s > "$out/kubernetes.flows.$s" <<EOF
C $c raw -s 198.51.100.1 -S 43000 -d 10.96.0.10 -p 80 -f S
C $c raw -s 198.51.100.1 -S 43001 -d 10.96.0.160 -p 9090 -f S
C $c raw -s 198.51.100.1 -S 43002 -d 10.96.1.109 -p 5432 -f S
C $c raw -s 198.51.100.1 -S 43003 -d 10.96.0.160 -p 80 -f S
C $c raw -s 198.51.100.1 -S 43004 -d 10.96.5.5 -p 80 -f S
C $c raw -s 198.51.100.1 -S 43005 -d 198.51.100.2 -p 31080 -f S
C $c connect -s 198.51.100.1 -S 44000 -d 198.51.100.2 -p 30254
C $c connect -s 198.51.100.1 -S 44100 -d 198.51.100.2 -p 22
C $c connect -s 198.51.100.77 -S 44200 -d 198.51.100.2 -p 22
C $c connect -s 198.51.100.1 -S 44300 -d 10.244.0.2 -p 8080 -c 2
C $c connect -s 198.51.100.1 -S 44400 -d 10.244.0.2 -p 9090
C $c raw -s 198.51.100.1 -S 44500 -d 10.244.0.2 -p 9090 -f SF -c 2
EOF
	stop_servers
	{
		cat "$out/kubernetes.flows.$s"
		served k8.n.$s n
		served k8.p.$s p
		dp_snmp $c Icmp:InDestUnreachs | sed 's/^/C /'
		dp_snmp $pd Tcp:InSegs | sed 's/^/P /'
	} > "$out/kubernetes.observed.$s"
	dp_counters $s $n > "$out/kubernetes.counters.$s"
}

# -------------------------------------------------------------- fail2ban
#   C 198.51.100.1, 100.64.x.y (va) --- (vb) 198.51.100.2 S
# S routes 100.64.0.0/10 through C.  Bans: 100.64.2.100 (f2b-sshd's rule
# 1, the newest), 100.64.1.50 (rule 251), 100.64.0.1 (rule 500, the
# oldest).  What x_tables does:
# - C from each banned address: one SYN (raw) to ssh: REJECT, a port
#   unreachable from bpf.
# - C from 198.51.100.1, 100.64.0.250 and 100.64.2.150 (never banned):
#   to ssh: f2b-sshd returns: ok.
# - C from 100.64.2.100 (banned) to 80: not ssh, no jump: ok.
fail2ban_flows='C raw 22 sent 1
C raw 22 sent 1
C raw 22 sent 1
C tcp 22 ok 1 refused 0 timeout 0
C tcp 22 ok 1 refused 0 timeout 0
C tcp 22 ok 1 refused 0 timeout 0
C tcp 80 ok 1 refused 0 timeout 0
s tcp 22 accepted 3
s udp 22 echoed 0
s tcp 80 accepted 1
s udp 80 echoed 0'
fail2ban_expected_bpf="$fail2ban_flows
C Icmp InDestUnreachs 3"
fail2ban_expected_nft="$fail2ban_flows
C Icmp InDestUnreachs 0"
# By hand: the jump sees 3 SYNs and 3 x 3 segments of the ssh
# connections (S's segments are OUTPUT's); each ban hit once; RETURN the
# connections' 9.
fail2ban_packets='INPUT rule 1 12
f2b-sshd rule 1 1
f2b-sshd rule 251 1
f2b-sshd rule 500 1
f2b-sshd rule 501 9'
fail2ban_delta='OUTPUT policy - 3 204'

fail2ban_setup() {
	local s=$1 c=$p-fb-c-$1 v=$p-fb-s-$1
	printf '%s\n' "netns add $c" "netns add $v" \
		"link add va netns $c address 02:00:00:00:04:01 type veth peer name vb netns $v address 02:00:00:00:04:02" |
		dp_links || return 1
	dp_setup $c 'addr add 198.51.100.1/24 dev va
addr add 100.64.2.100/32 dev va
addr add 100.64.1.50/32 dev va
addr add 100.64.0.1/32 dev va
addr add 100.64.0.250/32 dev va
addr add 100.64.2.150/32 dev va
link set dev va up
neigh replace 198.51.100.2 lladdr 02:00:00:00:04:02 dev va nud permanent' &&
	dp_setup $v 'addr add 198.51.100.2/24 dev vb
link set dev vb up
neigh replace 198.51.100.1 lladdr 02:00:00:00:04:01 dev vb nud permanent
route add 100.64.0.0/10 via 198.51.100.1'
}

fail2ban_run() {
	local s=$1 c=$p-fb-c-$1 v=$p-fb-s-$1
	rules $s fail2ban | ipt_restore $s $v || return 1
	serve $v 198.51.100.2 22,80 fb.s.$s || return 1
	flows fb.$s > "$out/fail2ban.flows.$s" <<EOF
C $c raw -s 100.64.2.100 -S 45000 -d 198.51.100.2 -p 22 -f S
C $c raw -s 100.64.1.50 -S 45000 -d 198.51.100.2 -p 22 -f S
C $c raw -s 100.64.0.1 -S 45000 -d 198.51.100.2 -p 22 -f S
C $c connect -s 198.51.100.1 -S 45100 -d 198.51.100.2 -p 22
C $c connect -s 100.64.0.250 -S 45100 -d 198.51.100.2 -p 22
C $c connect -s 100.64.2.150 -S 45100 -d 198.51.100.2 -p 22
C $c connect -s 100.64.2.100 -S 45200 -d 198.51.100.2 -p 80
EOF
	stop_servers
	{
		cat "$out/fail2ban.flows.$s"
		served fb.s.$s s
		dp_snmp $c Icmp:InDestUnreachs | sed 's/^/C /'
	} > "$out/fail2ban.observed.$s"
	dp_counters $s $v > "$out/fail2ban.counters.$s"
}

# ---------------------------------------------------------------- laptop
#   C 192.0.2.1 (va) --- (vb) 192.0.2.2 L
# In this order (the limits depend on it):
# - C: 3 ssh connections in a row: within the burst of 3: ok.
# - C: 2 SYNs (raw, one tuple) to ssh: NEW, the bucket empty: logged,
#   rejected.
# - C: 1 datagram to 5353: logged, rejected (bpf: refused; nft, whose
#   REJECT is a DROP: timeout).
# - C: 1 SYN to 80, 2 SYNs to 443: rejected, logged but the last (the
#   LOG's own limit, a burst of 5, is used up by then).
# - C: 2 SYN+FIN segments to ssh: INVALID, dropped.
# - C: 2 echo requests: NEW then ESTABLISHED: answered.
# - L: 2 echo requests to 127.0.0.1: loopback, answered.
laptop_flows1='C tcp 22 ok 3 refused 0 timeout 0
C raw 22 sent 2'
laptop_flows2='C raw 80 sent 1
C raw 443 sent 2
C raw 22 sent 2
l tcp 22 accepted 3
l udp 22 echoed 0
C Icmp InEchoReps 2
L Icmp InEchoReps 2'
laptop_expected_bpf="$laptop_flows1
C udp 5353 ok 0 refused 1 unreachable 0 timeout 0
$laptop_flows2
C Icmp InDestUnreachs 6"
laptop_expected_nft="$laptop_flows1
C udp 5353 ok 0 refused 0 unreachable 0 timeout 1
$laptop_flows2
C Icmp InDestUnreachs 0"
laptop_packets='INPUT rule 1 4
INPUT rule 2 7
INPUT rule 3 2
INPUT rule 4 1
INPUT rule 5 3
INPUT rule 6 5
INPUT rule 7 6'
# bpf's 6 port unreachables: 5 quote a 40-byte SYN (68 bytes), 1 a
# 60-byte datagram (88).
laptop_delta='OUTPUT policy - 6 428'
laptop_logs='laptop-reject: 5'

laptop_setup() {
	local s=$1 c=$p-lt-c-$1 l=$p-lt-l-$1
	printf '%s\n' "netns add $c" "netns add $l" \
		"link add va netns $c address 02:00:00:00:05:01 type veth peer name vb netns $l address 02:00:00:00:05:02" |
		dp_links || return 1
	dp_setup $c 'addr add 192.0.2.1/24 dev va
link set dev va up
neigh replace 192.0.2.2 lladdr 02:00:00:00:05:02 dev va nud permanent' &&
	dp_setup $l 'addr add 192.0.2.2/24 dev vb
link set dev vb up
neigh replace 192.0.2.1 lladdr 02:00:00:00:05:01 dev vb nud permanent'
}

laptop_run() {
	local s=$1 c=$p-lt-c-$1 l=$p-lt-l-$1
	rules $s laptop | ipt_restore $s $l || return 1
	serve $l 192.0.2.2 22 lt.l.$s || return 1
	{
		"$ctprobe" -n $c connect -s 192.0.2.1 -S 46100 -d 192.0.2.2 -p 22 -c 3 &&
		"$ctprobe" -n $c raw -s 192.0.2.1 -S 46200 -d 192.0.2.2 -p 22 -f S -c 2 &&
		"$ctprobe" -n $c udp -s 192.0.2.1 -S 46000 -d 192.0.2.2 -p 5353 &&
		"$ctprobe" -n $c raw -s 192.0.2.1 -S 46300 -d 192.0.2.2 -p 80 -f S &&
		"$ctprobe" -n $c raw -s 192.0.2.1 -S 46400 -d 192.0.2.2 -p 443 -f S -c 2 &&
		"$ctprobe" -n $c raw -s 192.0.2.1 -S 46500 -d 192.0.2.2 -p 22 -f SF -c 2
	} | sed 's/^/C /' > "$out/laptop.flows.$s" || return 1
	echo "ping icmp 192.0.2.1 0 192.0.2.2 8 2 32" |
		"$dp_tool" -n $c batch > /dev/null &&
	echo "ping icmp - 0 127.0.0.1 8 2 32" |
		"$dp_tool" -n $l batch > /dev/null || return 1
	stop_servers
	{
		cat "$out/laptop.flows.$s"
		served lt.l.$s l
		dp_snmp $c Icmp:InEchoReps | sed 's/^/C /'
		dp_snmp $l Icmp:InEchoReps | sed 's/^/L /'
		dp_snmp $c Icmp:InDestUnreachs | sed 's/^/C /'
	} > "$out/laptop.observed.$s"
	dp_counters $s $l > "$out/laptop.counters.$s"
}

# packets_of FILE: the packet counters of FILE's entries that $want
# lists (by-hand expectations, "CHAIN rule N PACKETS" or "CHAIN policy -
# PACKETS"), in $want's form, sorted.
packets_of() {
	printf '%s\n' "$want" | awk 'NR == FNR { w[$1, $2, $3] = 1; next }
		{ k = $2 == "policy" ? "-" : $3
		  if (w[$1, $2, k]) print $1, $2, k, $4 }' - "$1" | sort
}

dp_begin $p
test_start=$(dp_now)
all_netns=$(cat /proc/sys/net/netfilter/nf_log_all_netns 2>/dev/null || echo 0)
check "LOG lines from every namespace (nf_log_all_netns)" \
	sh -c 'echo 1 > /proc/sys/net/netfilter/nf_log_all_netns'
check "the generated rulesets are generate.sh's output" \
	sh -c "'$rulesets/generate.sh' kubernetes | cmp - '$rulesets/kubernetes.rules' &&
		'$rulesets/generate.sh' fail2ban | cmp - '$rulesets/fail2ban.rules'"

# iptables-nft spells "-m limit" as nf_tables' own limit expression:
# a kernel without CONFIG_NFT_LIMIT gives the oracle no limit.  The
# laptop then runs on side bpf alone, checked against the numbers by
# hand only (the oracle's checks are skipped, and say why).
nft_limit=yes
printf '%s\n' "netns add $p-probe" | dp_links &&
	dp_in $p-probe iptables-nft -w -A INPUT -m limit --limit 1/sec 2>/dev/null ||
	nft_limit=
printf '%s\n' "netns del $p-probe" | dp_links

for r in docker kubernetes fail2ban laptop; do
	start=$(dp_now)
	sides="nft bpf"
	oracle=nft
	if [ $r = laptop ] && [ -z "$nft_limit" ]; then
		sides=bpf
		oracle=
		ktap_skip "this kernel's nf_tables has no limit expression (CONFIG_NFT_LIMIT)" \
			"laptop, nft: the oracle runs the ruleset"
	fi
	for s in $sides; do
		check "$r, $s: namespaces and links" ${r}_setup $s
		mark="dataplane_realistic: $r side $s begins ($$)"
		echo "$mark" > /dev/kmsg
		check "$r, $s: the ruleset loads, the traffic runs" ${r}_run $s
		[ $r = laptop ] && dp_log_lines "$mark" laptop-reject volatile > "$out/log.$s"
	done
	for s in $sides; do
		eval "e=\${${r}_expected_$s:-\$${r}_expected}"
		printf '%s\n' "$e" > "$out/$r.expected.$s"
		check "$r, $s: every flow ends as with x_tables" \
			dp_diff "$out/$r.expected.$s" "$out/$r.observed.$s"
	done
	eval "want=\$${r}_packets"
	printf '%s\n' "$want" | sort > "$out/$r.packets.expected"
	# By hand: checked on the oracle, or on bpf when there is none.
	h=${oracle:-bpf}
	packets_of "$out/$r.counters.$h" > "$out/$r.packets.$h"
	check "$r, $h${oracle:+ (oracle)}: the counters checked by hand are x_tables'" \
		dp_diff "$out/$r.packets.expected" "$out/$r.packets.$h"
	eval "d=\$${r}_delta"
	if [ -n "$oracle" ]; then
		if [ -n "$d" ]; then printf '%s\n' "$d"; fi |
			sort > "$out/$r.delta.expected"
		counter_delta "$out/$r.counters.nft" "$out/$r.counters.bpf" |
			sort > "$out/$r.delta"
		check "$r, bpf: every entry's packet and byte counters are the oracle's${d:+ (but for the replies to its REJECTs)}" \
			dp_diff "$out/$r.delta.expected" "$out/$r.delta"
	fi
	check "$r: the counters are not all zero ($(wc -l < "$out/$r.counters.bpf") entries)" \
		awk '$4 > 0 { n++ } END { exit n < 3 }' "$out/$r.counters.bpf"
	echo "# $r: $(dp_elapsed "$start") s"
done
echo "$all_netns" > /proc/sys/net/netfilter/nf_log_all_netns

printf '%s\n' "$laptop_logs" > "$out/logs.expected"
for s in $sides; do
	awk '{ n[$1]++ } END { for (k in n) print k, n[k] }' "$out/log.$s" |
		sort > "$out/logs.$s"
	check "laptop, $s: as many LOG lines as x_tables writes" \
		dp_diff "$out/logs.expected" "$out/logs.$s"
done
if [ -n "$oracle" ]; then
	check "laptop, bpf: the LOG lines are the oracle's, field for field" \
		dp_diff "$out/log.nft" "$out/log.bpf"
else
	ktap_skip "this kernel's nf_tables has no limit expression (CONFIG_NFT_LIMIT)" \
		"laptop: counters and LOG lines compared with the oracle's"
fi
echo "# dataplane_realistic: $(dp_elapsed "$test_start") s"
dp_end
