#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# guest-report.sh RESULTS: guest.sh's "KEY VALUE" lines as the markdown
# section make bench writes into docs/performance.md (and the smoke run
# into build/bench/guest-smoke.md).  Per shape and size: each
# configuration's CPU ns per packet (median of the repetitions) and its
# ratio to no firewall; what each firewall adds over no firewall, per
# repetition (median, and the range: where the ranges of two firewalls
# overlap, the difference between them is not measured); bpfilter's
# added cost over iptables-nft's and the nft set's; the commit times.
# A missing figure prints as "?".
set -u
results=${1:?usage: guest-report.sh RESULTS}

awk '
function median(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	if (n == 0) return "?"
	for (i = 1; i <= n; i++)
		for (j = i + 1; j <= n; j++)
			if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function range(list,   n, a, i, lo, hi) {
	n = split(list, a, " ")
	if (n == 0) return "?"
	lo = hi = a[1]
	for (i = 2; i <= n; i++) {
		if (a[i] + 0 < lo + 0) lo = a[i]
		if (a[i] + 0 > hi + 0) hi = a[i]
	}
	return sprintf("%.0f–%.0f", lo, hi)
}
function num(x, fmt) { return x == "?" || x == "" ? "?" : sprintf(fmt, x) }
function div(a, b) { return a == "?" || b == "?" || b + 0 == 0 ? "?" : sprintf("%.2f", a / b) }
$1 == "guest_kernel" { kernel = $2; next }
$1 == "guest_cpus" { cpus = $2; next }
/^#/ || $1 !~ /\// { next }
{
	split($1, k, "/")
	block = k[1] "/" k[2]
	if (!(block in seen)) { seen[block] = 1; order[++nblocks] = block }
	f = k[4]
	if (f ~ /^traffic_/) {
		c = substr(f, 9)
		rep = ++reps[block, c]
		t[block, c, rep] = $2
		all[block, c] = all[block, c] " " $2
	} else {
		v[block, f] = $2
	}
}
END {
	printf "Kernel %s, %s vCPUs (QEMU TCG).  CPU ns per packet, median of the\n", kernel, cpus
	printf "repetitions, and its ratio to no firewall; \"added\": over no firewall in\n"
	printf "the same repetition, median [range].  Commits: wall ms.\n\n"
	printf "| shape | rules | none | bpfilter | iptables-nft | nft set | bpfilter added | iptables-nft added | nft set added | bpfilter ÷ iptables-nft (added) | bpfilter ÷ nft set (added) | commit bpfilter | commit iptables-nft | commit nft set | -A bpfilter | -A iptables-nft |\n"
	printf "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
	for (b = 1; b <= nblocks; b++) {
		bl = order[b]
		split(bl, k, "/")
		none = median(all[bl, "none"])
		line = sprintf("| %s | %s | %s", k[1], k[2], num(none, "%.0f"))
		for (ci = 1; ci <= 3; ci++) {
			c = ci == 1 ? "bpf" : ci == 2 ? "nft" : "set"
			m = median(all[bl, c])
			line = line sprintf(" | %s (%s)", num(m, "%.0f"), div(m, none))
			added[c] = ""
			for (r = 1; r <= reps[bl, c]; r++)
				added[c] = added[c] " " (t[bl, c, r] - t[bl, "none", r])
		}
		for (ci = 1; ci <= 3; ci++) {
			c = ci == 1 ? "bpf" : ci == 2 ? "nft" : "set"
			am[c] = median(added[c])
			line = line sprintf(" | %s [%s]", num(am[c], "%.0f"), range(added[c]))
		}
		line = line sprintf(" | %s | %s", div(am["bpf"], am["nft"]), div(am["bpf"], am["set"]))
		line = line sprintf(" | %s | %s | %s | %s | %s |",
				    num(v[bl, "commit_bpf_ms"], "%.0f"), num(v[bl, "commit_nft_ms"], "%.0f"),
				    num(v[bl, "commit_set_ms"], "%.0f"), num(v[bl, "append_bpf_ms"], "%.0f"),
				    num(v[bl, "append_nft_ms"], "%.0f"))
		print line
	}
}' "$results"
problems=$(grep -c '^# check:' "$results")
echo
if [ "$problems" = 0 ]; then
	echo "Checks: every packet delivered past LOCAL_IN was counted by the rule it"
	echo "matches (bpfilter and iptables-nft: that rule; the nft set: its counter)."
else
	echo "Checks: $problems did not hold:"
	sed -n 's/^# check: /- /p' "$results"
fi
