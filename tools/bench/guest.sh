#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module path's figures, inside the 6.1 guest (QEMU, 2 vCPUs) where
# bpfilter.ko runs the SCHED_CLS programs from its own hooks: what users
# of the 6.1 kernel run, which make bench's host part (6.18's
# netfilter-link programs) does not measure.
#
#   guest.sh BENCH_DIR [--smoke]
#
# BENCH_DIR holds tools/bench's build (bench-flood).  For the blocklist
# and ports shapes (rules.awk, variant "last": the packet matches the
# last rule) at 1, 100, 1,000 and 10,000 rules (--smoke: 1 and 10, one
# short repetition), in one boot:
# - commit: wall time of iptables-legacy-restore (into bpfilter: exec,
#   parse, the sockopt, the pipe to the helper, its compile, the module's
#   checks, load and swap), of iptables-nft-restore of the same file and
#   of nft -f of the idiomatic set version; and of one more rule with
#   iptables-legacy -A and iptables-nft -A;
# - traffic: bench-flood's CPU ns per packet through four receiver
#   namespaces in turns: no firewall, bpfilter, iptables-nft, the nft
#   set version (bench_flood.c says why the sender's CPU time measures
#   the receiver's hook);
# - the kernel's memory for bpfilter's programs and maps is not read
#   here (make bench's host part reports it, with the request the module
#   keeps).
# Emulation makes every figure slower, not every configuration alike
# slower: compare within the run (ratios to no firewall), not with the
# host's figures.
#
# Prints "KEY VALUE" lines (SHAPE/N/last/traffic_CONFIG NS per
# repetition, SHAPE/N/last/commit_CONFIG_ms, SHAPE/N/last/append_CONFIG_ms)
# and "# check: ..." for a packet the matching rule did not count; exit
# status 1 if any check failed or a step could not run.  Needs root,
# bpfilter loaded or loadable, nf_tables; uses 198.18.0.0/30 (RFC 2544)
# on veth pairs in namespaces it creates and deletes.
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/bench_lib.sh"
bench=${1:?usage: guest.sh BENCH_DIR [--smoke]}
smoke=0
[ "${2:-}" = --smoke ] && smoke=1
if [ $smoke = 1 ]; then
	sizes="1 10" reps=1 seconds=0.1
else
	sizes=${GUEST_BENCH_SIZES:-1 100 1000 10000}
	reps=${BENCH_REPS:-3} seconds=${BENCH_SECONDS:-0.5}
fi
shapes=${GUEST_BENCH_SHAPES:-blocklist ports}
slices=$(awk -v s="$seconds" 'BEGIN { n = int(s * 50); print n < 1 ? 1 : n }')
configs="none bpf nft set"
src=198.18.0.1 dst=198.18.0.2
p=bgst$$
failed=0
pids=()

fail() {
	echo "# guest bench: $*"
	failed=1
}

trap bench_cleanup EXIT

[ -x "$bench/bench-flood" ] || { fail "$bench/bench-flood is not built"; exit 1; }
modprobe bpfilter || { fail "modprobe bpfilter"; exit 1; }

run_block() {
	local s=$1 n=$2 key=$1/$2/last rules nftset want c in0 in1 line
	local senders=()
	rules=$(mktemp) nftset=$(mktemp)
	awk -v shape="$s" -v n="$n" -v variant=last -f "$here/rules.awk" > "$rules" &&
	awk -v shape="$s" -v n="$n" -v variant=last -v fmt=nft \
		-f "$here/rules.awk" > "$nftset" || { fail "rules.awk $s $n"; return; }
	want=$(sed -n 's/^# match: //p' "$rules")

	echo "$key/commit_bpf_ms $(wall_ms ip netns exec $p-bpf-rx iptables-legacy-restore "$rules")"
	echo "$key/commit_nft_ms $(wall_ms ip netns exec $p-nft-rx iptables-nft-restore "$rules")"
	ip netns exec $p-set-rx nft flush ruleset
	echo "$key/commit_set_ms $(wall_ms ip netns exec $p-set-rx nft -f "$nftset")"
	rm -f "$rules" "$nftset"

	for c in $configs; do
		eval "in0_$c=\$(delivered $p-$c-rx)"
		senders+=("/run/netns/$p-$c-tx")
	done
	for _ in $(seq "$reps"); do
		"$bench/bench-flood" $dst "$seconds" "$slices" "${senders[@]}" |
			awk -v k="$key/traffic_" -v names="$configs" '
				BEGIN { split(names, name, " ") }
				$1 == "sent" { printf "%s%s %.1f\n", k, name[$2 + 1], $6 / $4 }' ||
			fail "bench-flood ($s, $n rules)"
	done

	for c in $configs; do
		eval "in0=\$in0_$c"
		in1=$(delivered $p-$c-rx)
		case $c in
		none) [ $((in1 - in0)) -gt 0 ] || fail "none, $s, $n rules: no packet delivered"
		      continue ;;
		bpf) line=$(ip netns exec $p-bpf-rx iptables-legacy-save -c | matched_count "$want") ;;
		nft) line=$(ip netns exec $p-nft-rx iptables-nft-save -c | matched_count "$want") ;;
		set) line=$(ip netns exec $p-set-rx nft list ruleset |
			    sed -n 's/.*counter packets \([0-9]*\) .*/\1/p') ;;
		esac
		[ "$line" = $((in1 - in0)) ] && [ "$line" -gt 0 ] ||
			{ echo "# check: $c, $s, $n rules: $((in1 - in0)) packets delivered, the matching rule counted ${line:-nothing}"; failed=1; }
	done

	echo "$key/append_bpf_ms $(append_ms iptables-legacy $p-bpf-rx)"
	echo "$key/append_nft_ms $(append_ms iptables-nft $p-nft-rx)"
}

for c in $configs; do
	setup_pair $c "$bench/bench-flood" /dev/null ||
		{ fail "cannot set up the $c namespaces"; exit 1; }
done
sleep 0.3
echo "guest_kernel $(uname -r)"
echo "guest_cpus $(nproc)"
for s in $shapes; do
	for n in $sizes; do
		run_block "$s" "$n"
	done
done
exit $failed
