#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Differential test of the bpfilter core against the host's x_tables.
# For every sequence of corpus/*.txt (format: corpus/README.md):
#  1. runs it with iptables-legacy in a scratch network namespace, the
#     recorder shim logging every ip_tables sockopt call, and keeps what
#     iptables printed in BUILD/ref/SEQ/ (the VM selftest's reference);
#  2. replays the recorded calls into the core (BUILD/replay), which must
#     answer as x_tables did.
# Sequences marked unsupported= run with those extensions renamed by the
# shim, before x_tables sees them, to a name no kernel has: x_tables then
# answers as for an extension it lacks, which is how bpfilter must
# answer.  They run once more against the real x_tables, which must
# accept the rules: the extensions end up in its table, and in the
# reference's table none does.
#
# Every sequence must produce exactly one result; a run of iptables the
# recorder did not see fails its sequence (replay.c).
#
# usage: run.sh BUILD_DIR       (prints TAP, needs root; BUILD_DIR is what
#                                make built: replay, sockopt_recorder.so)
set -u

here=$(cd "$(dirname "$0")" && pwd)
. "$here/exec_seq.sh"

# One sequence, in a child: run.sh --one BUILD NAME INDEX
if [ "${1:-}" = --one ]; then
	build=$2 name=$3 idx=$4
	ns=bpfdiff-$BPFDIFF_ID-$idx
	ref=$build/ref/$name
	tr=$build/transcripts/$name
	refuse=$(cat "$ref/unsupported" 2>/dev/null)
	trap 'ip netns del "$ns" 2>/dev/null' EXIT
	trap 'exit 130' INT TERM

	ipt_run() {
		local n=$1
		shift
		ip netns exec "$ns" env LD_PRELOAD="$build/sockopt_recorder.so" \
			BPFDIFF_TRANSCRIPT="$tr/$n.rec" \
			${refuse:+BPFDIFF_REFUSE="$refuse"} "$@"
	}
	# run_in_fresh_ns OUTDIR
	run_in_fresh_ns() {
		rm -rf "$tr"
		mkdir -p "$tr" "$1"
		ip netns del "$ns" 2>/dev/null
		ip netns add "$ns" || { echo "not ok - seq $name"; echo "#   ip netns add $ns failed"; exit 0; }
		run_sequence "$ref" "$1"
	}

	if [ -n "$refuse" ]; then
		# Against the real x_tables first: it must accept the rules.
		real=$build/xtables-real/$name
		saved=$refuse
		refuse=
		run_in_fresh_ns "$real"
		refuse=$saved
	fi
	run_in_fresh_ns "$ref"
	if [ -x "$build/replay" ]; then
		result=$(ASAN_OPTIONS=exitcode=66 UBSAN_OPTIONS=exitcode=66 \
			"$build/replay" "$name" "$ref/runs" "$tr" 2>"$tr/replay.log")
		rc=$?
		if [ $rc -gt 1 ] || [ -z "$result" ]; then
			result="not ok - seq $name
#   replay exited with status $rc (a sanitizer report or a crash)"
		fi
		# A failure comes with the core's own log (and sanitizer reports).
		case "$result" in
		"not ok"*) result+=$(grep -v '^$' "$tr/replay.log" | head -n 20 |
				     sed 's/^/\n#   core: /') ;;
		esac
	else
		result="not ok - seq $name
#   no replayer: the core did not build"
	fi
	# x_tables must have accepted what the recorder renamed: the real
	# table uses one of the extensions (iptables may name one through
	# another: -m state is conntrack's), the reference's none.
	if [ -n "$refuse" ]; then
		exts="(-m|-j) (${refuse//,/|})( |\$)"
		if ! grep -qE -- "$exts" "$real/save"; then
			result="not ok - seq $name
#   unsupported=$refuse: x_tables' own table uses none of them"
		elif grep -qE -- "$exts" "$ref/save" "$ref/rules"; then
			result="not ok - seq $name
#   unsupported=$refuse: the reference table uses one of them"
		fi
	fi
	printf '%s\n' "$result"
	exit 0
fi

# tally RESULTS NAMES: one TAP line per sequence of the file NAMES (one
# name a line, in order) from RESULTS/INDEX (the line of the name in
# NAMES), which must hold exactly one result line, with its diagnostics.
if [ "${1:-}" = --tally ]; then
	results=$2 names=$3 idx=0
	while IFS= read -r name; do
		idx=$((idx + 1))
		file=$results/$idx
		lines=$(grep -cE '^(not )?ok - ' "$file" 2>/dev/null)
		if [ "${lines:-0}" != 1 ]; then
			echo "not ok - seq $name"
			echo "#   ${lines:-0} results (want 1) in $file"
			sed 's/^/#   /' "$file" 2>/dev/null | head -n 20
			continue
		fi
		while IFS= read -r line; do
			case "$line" in
			"ok - "*|"not ok - "*|"#"*) echo "$line" ;;
			*) echo "#   $line" ;;
			esac
		done < "$file"
	done < "$names"
	exit 0
fi

build=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
n=0 passed=0 failed=0

result() {
	n=$((n + 1))
	echo "$1 $n - $2"
	case "$1" in
	ok) passed=$((passed + 1)) ;;
	*) failed=$((failed + 1)) ;;
	esac
}

echo "TAP version 13"
# make check installs iptables and runs as root: nothing to skip.
if [ "$(id -u)" != 0 ] || ! command -v iptables-legacy >/dev/null; then
	echo "not ok 1 - the differential test runs (needs root and iptables-legacy)"
	echo "1..1"
	exit 1
fi

# The generated part of the corpus must be what the generator makes.
if "$here/gen-corpus.sh" | cmp -s - "$here/corpus/generated.txt"; then
	result ok "corpus/generated.txt is gen-corpus.sh's output"
else
	result "not ok" "corpus/generated.txt is gen-corpus.sh's output (run make -C selftests/diff corpus)"
fi

if [ -x "$build/replay" ]; then
	result ok "the replayer builds with the core"
else
	result "not ok" "the replayer builds with the core"
	sed 's/^/#   /' "$build/replay-build.log" 2>/dev/null | head -20
fi

# COVERAGE.md's claims: every option its tables list occurs in a command
# of the corpus (an iptables line or restore input, not a comment).
missing=
grep -hE '^(iptables|\|)' "$here"/corpus/*.txt > "$build/corpus-commands"
for opt in $(sed -n 's/^| `\([^`]*\)` |.*/\1/p' "$here/COVERAGE.md"); do
	grep -qwF -e "$opt" "$build/corpus-commands" || missing+=" $opt"
done
if [ -z "$missing" ]; then
	result ok "every option COVERAGE.md lists occurs in the corpus"
else
	result "not ok" "every option COVERAGE.md lists occurs in the corpus (missing:$missing)"
fi

rm -rf "$build/ref" "$build/transcripts" "$build/xtables-real" "$build/results"
mkdir -p "$build/ref" "$build/results"
if err=$("$here/split-corpus.sh" "$build/ref" "$here"/corpus/*.txt 2>&1); then
	count=$(ls "$build/ref" | wc -l)
	if [ "$count" -ge 300 ]; then
		result ok "corpus parses: $count sequences"
	else
		result "not ok" "corpus has at least 300 sequences (has $count)"
	fi
else
	result "not ok" "corpus parses"
	printf '%s\n' "$err" | sed 's/^/#   /'
	echo "1..$n"
	exit 1
fi

# Corpus order, two sequences at a time.  Namespaces a killed child left
# behind go with the driver.
export BPFDIFF_ID=$$
trap 'for ns in $(ip netns list | grep -o "^bpfdiff-$$-[0-9]*"); do ip netns del "$ns"; done' EXIT
trap 'exit 130' INT TERM
awk '/^== / { print $2 }' "$here"/corpus/*.txt > "$build/names"
awk '{ print NR, $1 }' "$build/names" |
	xargs -P 2 -n 2 sh -c \
		'"$0" --one "$1" "$3" "$2" > "$1/results/$2"' "$here/run.sh" "$build"
xargs_rc=$?
[ "$xargs_rc" = 0 ] ||
	result "not ok" "every sequence ran (xargs exited with status $xargs_rc)"

before=$n
while IFS= read -r line; do
	case "$line" in
	"ok - "*) result ok "${line#ok - }" ;;
	"not ok - "*) result "not ok" "${line#not ok - }" ;;
	*) echo "$line" ;;
	esac
done < <("$here/run.sh" --tally "$build/results" "$build/names")
[ $((n - before)) = "$(wc -l < "$build/names")" ] ||
	result "not ok" "one result per sequence ($((n - before)) for $(wc -l < "$build/names"))"

echo "1..$n"
if [ "$failed" != 0 ]; then
	echo "# first differences of the failing sequences, by kind:"
	cat "$build"/results/* | grep -E '^#   (status|field|match|target|old counters|x_tables changed|unsupported|in the|past)' |
		sed -E 's/byte [0-9]+( of it)?/byte N/; s/entry [0-9]+ \(table offset.*/entry/' |
		sort | uniq -c | sort -rn | head -20 | sed 's/^/#  /'
fi
echo "# diff: $passed passed, $failed failed"
[ "$failed" = 0 ]
