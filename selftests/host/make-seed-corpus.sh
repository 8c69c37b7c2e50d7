#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Regenerates corpus/, the committed seed corpus of the libFuzzer target
# (fuzz_core.c), from the differential test's transcripts: what
# iptables-legacy sent x_tables for every sequence of
# selftests/diff/corpus, as the request streams the module would send the
# core.  Run by hand (as root) when the diff corpus or the wire format
# changes, then commit corpus/; make check only reads it.
#
#   make-seed-corpus.sh [DIFF_BUILD [FUZZ_BUILD]]
#
# DIFF_BUILD: the build directory of a finished `make -C selftests/diff
# O=DIFF_BUILD run` (its transcripts/ and ref/); without transcripts
# there, the script runs that first.  FUZZ_BUILD: where fuzz_core is
# built (make -C selftests/host O=FUZZ_BUILD).  Both default to
# directories under /tmp.
#
# Steps:
#  1. replay --emit-seeds writes, for every sequence, the whole request
#     stream from a fresh core, and each iptables run alone after the
#     RESTORE of the table it started from (see selftests/diff/replay.c);
#     files are named by content, so duplicates collapse;
#  2. fuzz_core -merge=1 into a fresh directory keeps the smallest inputs
#     that together reach every coverage feature of the lot;
#  3. corpus/ is replaced by the result (libFuzzer names the files by
#     their SHA-1), and its size and coverage are printed.
# The merge must leave corpus/ under MAX_BYTES (2 MB), or nothing is
# replaced.  The seeds leave out what varies between iptables runs, so two
# diff runs of the same tree give the same corpus/: a regeneration only
# shows in git when the corpus or the core changed.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
diff_dir=$(cd "$here/../diff" && pwd)
diff_build=$(realpath -m "${1:-/tmp/bpfilter-seed-diff}")
fuzz_build=$(realpath -m "${2:-/tmp/bpfilter-seed-fuzz}")
corpus=$here/corpus
MAX_BYTES=$((2 * 1024 * 1024))

if [ ! -d "$diff_build/transcripts" ]; then
	echo "# no transcripts in $diff_build: running the differential test"
	make -s -C "$diff_dir" O="$diff_build" run > "$diff_build.log" 2>&1 || {
		echo "make -C selftests/diff run failed: see $diff_build.log" >&2
		exit 1
	}
	[ -d "$diff_build/transcripts" ] || {
		echo "no transcripts after the run (needs root and iptables-legacy)" >&2
		exit 1
	}
fi
make -s -C "$diff_dir" O="$diff_build" "$diff_build/replay"
make -s -C "$here" O="$fuzz_build" "$fuzz_build/fuzz_core"

seeds=$fuzz_build/diff-seeds
merged=$fuzz_build/diff-merged
rm -rf "$seeds" "$merged" "$fuzz_build/diff-seeds.log"
mkdir -p "$seeds" "$merged"

sequences=0
for tr in "$diff_build"/transcripts/*/; do
	name=$(basename "$tr")
	runs=$diff_build/ref/$name/runs
	[ -f "$runs" ] || continue
	# The TAP line does not matter here, only that the seeds were written.
	"$diff_build/replay" --emit-seeds "$seeds" "$name" "$runs" "$tr" \
		> /dev/null 2>> "$fuzz_build/diff-seeds.log" || {
		echo "replay --emit-seeds failed on $name: see $fuzz_build/diff-seeds.log" >&2
		exit 1
	}
	sequences=$((sequences + 1))
done
echo "# $sequences sequences: $(ls "$seeds" | wc -l) distinct request streams," \
	"$(du -sb "$seeds" | cut -f1) bytes"

ASAN_OPTIONS=quarantine_size_mb=16 "$fuzz_build/fuzz_core" -merge=1 \
	-rss_limit_mb=1024 "$merged" "$seeds" > "$fuzz_build/merge.log" 2>&1 || {
	echo "fuzz_core -merge=1 failed: see $fuzz_build/merge.log" >&2
	exit 1
}
bytes=$(du -sb "$merged" | cut -f1)
if [ "$bytes" -ge "$MAX_BYTES" ]; then
	echo "the merged corpus has $bytes bytes, over $MAX_BYTES: corpus/ left as it was" >&2
	exit 1
fi

rm -rf "$corpus"
mkdir -p "$corpus"
cp "$merged"/* "$corpus"/
files=$(ls "$corpus" | wc -l)
echo "# corpus/: $files files, $(du -cb "$corpus"/* | tail -1 | cut -f1) bytes"
# An empty first directory: libFuzzer writes into that one, if any.
rm -rf "$fuzz_build/diff-empty"
mkdir -p "$fuzz_build/diff-empty"
ASAN_OPTIONS=quarantine_size_mb=16 "$fuzz_build/fuzz_core" -runs=0 \
	"$fuzz_build/diff-empty" "$corpus" 2>&1 |
	grep -E 'INITED' | sed 's/^/# coverage at start: /'
