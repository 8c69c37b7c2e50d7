# SPDX-License-Identifier: GPL-2.0
#
# The benchmark's ruleset, in iptables-restore format, for
#   awk -v n=RULES -v variant=last|policy -f rules.awk
# n rules "-A INPUT -s NET -j DROP" the test packet (from 198.18.0.1)
# never matches, each in its own /24 of 10.0.0.0/8 with prefix lengths
# 32, 30, 28, 24 in turn (a mix, as real lists have; the compare costs
# the same for every mask in both x_tables and bpfilter), then:
#   last:   "-A INPUT -s 198.18.0.1/32 -j ACCEPT", policy DROP: the
#           packet matches the last rule;
#   policy: nothing more, policy ACCEPT: the packet matches no rule.
BEGIN {
	split("32 30 28 24", len, " ")
	split("1 4 16 0", host, " ")
	print "*filter"
	printf ":INPUT %s [0:0]\n", variant == "last" ? "DROP" : "ACCEPT"
	print ":FORWARD ACCEPT [0:0]"
	print ":OUTPUT ACCEPT [0:0]"
	for (i = 0; i < n; i++) {
		k = i % 4 + 1
		printf "-A INPUT -s 10.%d.%d.%d/%d -j DROP\n", int(i / 256),
		       i % 256, host[k], len[k]
	}
	if (variant == "last")
		print "-A INPUT -s 198.18.0.1/32 -j ACCEPT"
	print "COMMIT"
}
