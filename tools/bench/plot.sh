#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One plot per ruleset shape, OUTDIR/SHAPE.svg: the CPU ns per packet
# each backend adds over no firewall (the median of the per-repetition
# differences, as report.sh's tables), against the number of rules,
# log-log, one line per backend; solid: the packet matches the last
# rule, dashed: it matches none.  A difference at or below zero (within
# the noise, at few rules) cannot be drawn on a log scale and is left
# out.  Needs gnuplot (tools/install-deps.sh installs gnuplot-nox); the
# data files OUTDIR/SHAPE.dat are written either way.
#
# usage: plot.sh RESULTS OUTDIR
set -u

results=$1
out=$2
shapes=$(awk '$1 == "shapes" { $1 = ""; print; exit }' "$results")
backends="floor xt nft set bpf"

for s in $shapes; do
	# rules, then per backend: last, policy.
	awk -v s="$s" -v backends="$backends" '
		function med(a, n,   i, j, t) {
			for (i = 2; i <= n; i++)
				for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
					t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
				}
			return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
		}
		$1 == "sizes_" s { for (i = 2; i <= NF; i++) if ($i != 0) size[++ns] = $i }
		index($1, s "/") == 1 && $1 ~ /\/traffic_/ {
			split($1, f, "/")	# shape, rules, variant, traffic_CONF
			c = substr(f[4], 9)
			k = f[2] SUBSEP f[3] SUBSEP c
			x[k, ++cnt[k]] = $2
		}
		END {
			nb = split(backends, b, " ")
			for (i = 1; i <= ns; i++) {
				line = size[i]
				for (j = 1; j <= nb; j++)
					for (v = 0; v < 2; v++) {
						var = v ? "policy" : "last"
						k = size[i] SUBSEP var SUBSEP b[j]
						kb = size[i] SUBSEP var SUBSEP "none"
						n = cnt[k]
						if (!n || n != cnt[kb]) { line = line " NaN"; continue }
						delete d
						for (r = 1; r <= n; r++)
							d[r] = x[k, r] - x[kb, r]
						m = med(d, n)
						line = line " " (m > 0 ? m : "NaN")
					}
				print line
			}
		}' "$results" > "$out/$s.dat"
done

command -v gnuplot > /dev/null || { echo "plot.sh: gnuplot not installed" >&2; exit 1; }
for s in $shapes; do
	gnuplot <<EOF || exit 1
set terminal svg size 720,480 dynamic font "sans,11"
set output "$out/$s.svg"
set termoption noenhanced
set title "$s: CPU ns per packet added at LOCAL_IN (64-byte UDP over veth)\nsolid: the packet matches the last rule; dashed: no rule (policy)"
set xlabel "rules"
set ylabel "ns per packet over no firewall"
set logscale xy
set grid
set key top left
set datafile missing "NaN"
plot \
  "$out/$s.dat" using 1:2 with linespoints lw 2 lc rgb "#888888" title "floor (BPF accept)", \
  "" using 1:3 with linespoints dt 2 lc rgb "#888888" notitle, \
  "" using 1:4 with linespoints lw 2 lc rgb "#d62728" title "x_tables", \
  "" using 1:5 with linespoints dt 2 lc rgb "#d62728" notitle, \
  "" using 1:6 with linespoints lw 2 lc rgb "#ff7f0e" title "iptables-nft", \
  "" using 1:7 with linespoints dt 2 lc rgb "#ff7f0e" notitle, \
  "" using 1:8 with linespoints lw 2 lc rgb "#2ca02c" title "nft sets", \
  "" using 1:9 with linespoints dt 2 lc rgb "#2ca02c" notitle, \
  "" using 1:10 with linespoints lw 2 lc rgb "#1f77b4" title "bpfilter", \
  "" using 1:11 with linespoints dt 2 lc rgb "#1f77b4" notitle
EOF
done
