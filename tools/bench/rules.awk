# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's rulesets, for
#   awk -v shape=SHAPE -v n=RULES -v variant=last|policy [-v fmt=nft] \
#       -f rules.awk
# fmt unset: iptables-restore format (x_tables, iptables-nft and
# bpfilter all load this one file); fmt=nft: an idiomatic nft script of
# the same filter with sets and verdict maps (what an nftables user would
# write; the reference the issue asks for, loaded with nft -f).
#
# The test packet is UDP 198.18.0.1 -> 198.18.0.2 port 9 arriving on
# the receiver's veth "v1" (bench_flood.c; bench-prog's test runs use the
# same addresses and ports).  n rules that it never matches come first,
# in a shape real rulesets have:
#   blocklist  "-A INPUT -s NET -j DROP", each NET in its own /24 of
#              10.0.0.0/8, prefix lengths 32, 30, 28, 24 in turn;
#   ports      "-p tcp|udp --dport P -j DROP", tcp and udp in turn, P
#              from 1024 on (never 9);
#   services   Kubernetes-like "-d 10.96.X.Y/32 -p tcp|udp --dport P
#              -j ACCEPT|DROP" (one service address each);
#   mixed      per-interface dispatch "-i vethK -j IFK" into user chains
#              of 9 rules (-s/-p/--dport, a RETURN last), one tenth of n
#              in all, then "-j HOST", a user chain of 5-tuple rules
#              (-s/-d/-p/--dport ACCEPT and DROP, -s ... -j RETURN); the
#              packet matches no -i (the test runs' input device is lo,
#              the traffic's v1: neither is vethK, so both take the same
#              path).  Issue 11 puts a conntrack ESTABLISHED rule first;
#              the netfilter-link flavour refuses conntrack (EOPNOTSUPP),
#              so it is left out here.
# then either
#   last:   a rule ACCEPTing exactly the test packet, policy DROP: the
#           packet matches the last rule (of HOST, for mixed);
#   policy: nothing more, policy ACCEPT: the packet matches no rule.
# The iptables file's "# match: RULE" line (a comment to restore) is the rule in
# iptables-save's form whose counter must count every delivered packet
# ("# match: policy": INPUT's policy counter); bench.sh cross-checks it.
# In the nft script the matching rule, or a last rule with no verdict in
# the policy variant, has the only counter.
function rule(chain, spec)
{
	if (fmt != "nft")
		printf "-A %s %s\n", chain, spec
}

function blocklist(   i, k, len, host)
{
	split("32 30 28 24", len, " ")
	split("1 4 16 0", host, " ")
	for (i = 0; i < n; i++) {
		k = i % 4 + 1
		el[++nel] = sprintf("10.%d.%d.%d/%d", int(i / 256), i % 256,
				    host[k], len[k])
		rule("INPUT", "-s " el[nel] " -j DROP")
	}
	match_ipt = "-A INPUT -s 198.18.0.1/32 -j ACCEPT"
	if (fmt == "nft") {
		print "\tset blocklist { type ipv4_addr; flags interval;"
		print_elements()
		print "\t}"
		print "\tchain input {"
		chain_head()
		if (nel)
			print "\t\tip saddr @blocklist drop"
		chain_tail("ip saddr 198.18.0.1")
	}
}

function ports(   i, proto)
{
	for (i = 0; i < n; i++) {
		proto = i % 2 ? "udp" : "tcp"
		el[++nel] = proto " . " 1024 + i
		rule("INPUT", sprintf("-p %s -m %s --dport %d -j DROP", proto,
				      proto, 1024 + i))
	}
	match_ipt = "-A INPUT -p udp -m udp --dport 9 -j ACCEPT"
	if (fmt == "nft") {
		print "\tset ports { type inet_proto . inet_service;"
		print_elements()
		print "\t}"
		print "\tchain input {"
		chain_head()
		if (nel)
			print "\t\tmeta l4proto . th dport @ports drop"
		chain_tail("udp dport 9")
	}
}

function services(   i, proto, port, verdict, addr, nport)
{
	nport = split("80 443 8080 53 9090 6443", port, " ")
	for (i = 0; i < n; i++) {
		proto = i % 3 == 2 ? "udp" : "tcp"
		verdict = i % 4 == 3 ? "DROP" : "ACCEPT"
		addr = sprintf("10.96.%d.%d", int(i / 256), i % 256)
		el[++nel] = sprintf("%s . %s . %s : %s", addr, proto,
				    port[i % nport + 1], tolower(verdict))
		rule("INPUT", sprintf("-d %s/32 -p %s -m %s --dport %s -j %s",
				      addr, proto, proto, port[i % nport + 1],
				      verdict))
	}
	match_ipt = "-A INPUT -d 198.18.0.2/32 -p udp -m udp --dport 9 -j ACCEPT"
	if (fmt == "nft") {
		print "\tmap services { type ipv4_addr . inet_proto . inet_service : verdict;"
		print_elements()
		print "\t}"
		print "\tchain input {"
		chain_head()
		if (nel)
			print "\t\tip daddr . meta l4proto . th dport vmap @services"
		chain_tail("ip daddr 198.18.0.2 udp dport 9")
	}
}

# Element lists of the mixed shape's nft maps, by kind of HOST rule.
function add(kind, e)
{
	elk[kind] = elk[kind] (elk[kind] == "" ? "" : ",\n\t\t\t") e
}

function mixed(   k, j, q, m, a, kinds, spec, verdict, body)
{
	k = int(n / 20)
	m = n - 10 * k - 1		# the rest in HOST, "-j HOST" one rule
	for (j = 0; j < k; j++)
		rule("INPUT", sprintf("-i veth%d -j IF%d", j, j))
	for (j = 0; j < k; j++) {
		body = ""
		for (q = 0; q < 8; q++) {
			a = 9 * j + q
			spec = sprintf("-s 10.%d.%d.0/24 -p tcp -m tcp --dport %d -j ACCEPT",
				       200 + int(a / 256), a % 256, 1024 + q)
			rule("IF" j, spec)
			body = body sprintf("\t\tip saddr 10.%d.%d.0/24 tcp dport %d accept\n",
					    200 + int(a / 256), a % 256, 1024 + q)
		}
		a = 9 * j + 8
		rule("IF" j, sprintf("-d 10.%d.%d.0/24 -j RETURN",
				     200 + int(a / 256), a % 256))
		body = body sprintf("\t\tip daddr 10.%d.%d.0/24 return\n",
				    200 + int(a / 256), a % 256)
		ifbody[j] = body
	}
	if (n > 0)
		rule("INPUT", "-j HOST")
	for (j = 0; j < m; j++) {
		a = sprintf("10.%d.%d", 100 + int(j / 256), j % 256)
		q = 1024 + j % 1000
		if (j % 4 == 0) {
			rule("HOST", sprintf("-s %s.0/24 -p tcp -m tcp --dport %d -j ACCEPT", a, q))
			add(0, sprintf("%s.0/24 . tcp . %d : accept", a, q))
		} else if (j % 4 == 1) {
			rule("HOST", sprintf("-d %s.1/32 -p udp -m udp --dport %d -j DROP", a, q))
			add(1, sprintf("%s.1 . udp . %d : drop", a, q))
		} else if (j % 4 == 2) {
			rule("HOST", sprintf("-s %s.16/28 -d %s.2/32 -j DROP", a, a))
			add(2, sprintf("%s.16/28 . %s.2 : drop", a, a))
		} else {
			rule("HOST", sprintf("-s %s.0/24 -j RETURN", a))
			add(3, sprintf("%s.0/24", a))
		}
	}
	match_ipt = "-A HOST -s 198.18.0.1/32 -d 198.18.0.2/32 -p udp -m udp --dport 9 -j ACCEPT"
	if (fmt != "nft")
		return
	# One lookup per kind of rule: they never overlap, so their order
	# does not change what matches.
	kinds[0] = "map saddr_port { type ipv4_addr . inet_proto . inet_service : verdict; flags interval;"
	kinds[1] = "map daddr_port { type ipv4_addr . inet_proto . inet_service : verdict;"
	kinds[2] = "map saddr_daddr { type ipv4_addr . ipv4_addr : verdict; flags interval;"
	kinds[3] = "set saddr_return { type ipv4_addr; flags interval;"
	for (j = 0; j < 4; j++) {
		if (elk[j] == "")
			continue
		print "\t" kinds[j]
		print "\t\telements = { " elk[j] " }"
		print "\t}"
	}
	for (j = 0; j < k; j++)
		printf "\tchain if%d {\n%s\t}\n", j, ifbody[j]
	print "\tchain host {"
	if (elk[3] != "")
		print "\t\tip saddr @saddr_return return"
	if (elk[0] != "")
		print "\t\tip saddr . meta l4proto . th dport vmap @saddr_port"
	if (elk[1] != "")
		print "\t\tip daddr . meta l4proto . th dport vmap @daddr_port"
	if (elk[2] != "")
		print "\t\tip saddr . ip daddr vmap @saddr_daddr"
	if (variant == "last")
		print "\t\tip saddr 198.18.0.1 ip daddr 198.18.0.2 udp dport 9 counter accept"
	print "\t}"
	print "\tchain input {"
	chain_head()
	if (k) {
		printf "\t\tiifname vmap {"
		for (j = 0; j < k; j++)
			printf "%s \"veth%d\" : jump if%d", j ? "," : "", j, j
		print " }"
	}
	if (n > 0)
		print "\t\tjump host"
	chain_tail("")
}

function print_elements(   i)
{
	if (!nel)
		return
	printf "\t\telements = { "
	for (i = 1; i <= nel; i++)
		printf "%s%s", (i > 1 ? (i % 4 == 1 ? ",\n\t\t\t" : ", ") : ""), el[i]
	print " }"
}

function chain_head()
{
	printf "\t\ttype filter hook input priority 0; policy %s;\n",
	       variant == "last" ? "drop" : "accept"
}

# The matching rule (@last_match; none: it is elsewhere) or the counter.
function chain_tail(last_match)
{
	if (variant != "last")
		print "\t\tcounter"
	else if (last_match != "")
		print "\t\t" last_match " counter accept"
	print "\t}"
}

BEGIN {
	if (shape == "")
		shape = "blocklist"
	if (fmt == "nft") {
		print "table ip bench {"
	} else {
		print "*filter"
		printf ":INPUT %s [0:0]\n", variant == "last" ? "DROP" : "ACCEPT"
		print ":FORWARD ACCEPT [0:0]"
		print ":OUTPUT ACCEPT [0:0]"
		if (shape == "mixed") {
			for (j = 0; j < int(n / 20); j++)
				printf ":IF%d - [0:0]\n", j
			print ":HOST - [0:0]"
		}
	}
	if (shape == "blocklist")
		blocklist()
	else if (shape == "ports")
		ports()
	else if (shape == "services")
		services()
	else if (shape == "mixed")
		mixed()
	else {
		print "rules.awk: unknown shape " shape > "/dev/stderr"
		exit 1
	}
	if (fmt == "nft") {
		print "}"
	} else {
		if (variant == "last") {
			print match_ipt
			print "# match: " match_ipt
		} else {
			print "# match: policy"
		}
		print "COMMIT"
	}
}
