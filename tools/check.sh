#!/bin/bash
# make check: install, build, run the host tests, the harness's own
# tests and the VM selftests, print TAP and end with "N passed, N failed,
# N skipped" (tools/tap-summary.sh: a skip is not a pass).
#
# Environment: BPFILTER_CACHE (kernel build cache, see build-kernel.sh),
# FUZZ_SECONDS (libFuzzer time budget, default 60), VM_TESTS (names of
# the VM selftests to run, default all; see selftests/bpfilter/run.sh).
set -uo pipefail

project=$(cd "$(dirname "$0")/.." && pwd)
build="$project/build"
log="$build/check.log"
mkdir -p "$build"
: > "$log"

say() { printf '%s\n' "$*" | tee -a "$log"; }
# run_tap NAME COMMAND...: runs COMMAND, copying its TAP output to the
# log; a COMMAND that fails without a failing TAP line gets one.
run_tap() {
	local name=$1 rc fails_before fails_after
	shift
	fails_before=$(grep -c '^not ok' "$log")
	"$@" 2>&1 | tee -a "$log"
	rc=${PIPESTATUS[0]}
	fails_after=$(grep -c '^not ok' "$log")
	if [ "$rc" != 0 ] && [ "$fails_after" = "$fails_before" ]; then
		say "not ok - $name (exit status $rc)"
	fi
}

kernel_files() {
	cd "$project" && ls kernel/*.c include/linux/*.h include/uapi/linux/*.h \
		net/bpfilter/kern*.[ch] net/bpfilter/msgfmt.h net/ipv4/bpfilter/*.c
}

# checkpatch and W=1 on the project's kernel C files.
kernel_style() {
	local src=$1/src obj=$1/obj f out targets=()
	for f in $(kernel_files); do
		if out=$("$src/scripts/checkpatch.pl" --no-tree --quiet -f \
				"$project/$f" 2>&1); then
			echo "ok - checkpatch clean: $f"
		else
			echo "not ok - checkpatch clean: $f"
			printf '%s\n' "$out" | sed 's/^/# /'
		fi
		case "$f" in *.c) targets+=("${f%.c}.s") ;; esac
	done
	# .s targets compile with every warning without touching the .o files.
	out=$(make -s -C "$src" O="$obj" W=1 "${targets[@]}" 2>&1)
	if [ -z "$out" ]; then
		echo "ok - kernel files build without warnings at W=1"
	else
		echo "not ok - kernel files build without warnings at W=1"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
}

say "TAP version 13"
"$project/tools/install-deps.sh" || { say "not ok - install Debian packages"; }

cache=$("$project/tools/build-kernel.sh" 2> >(tee -a "$log" >&2) | tail -n 1)
if [ -z "$cache" ] || [ ! -f "$cache/release" ]; then
	say "not ok - build the bpfilter kernel"
else
	say "ok - build the bpfilter kernel ($(cat "$cache/release"))"
	run_tap "kernel style" kernel_style "$cache"
	run_tap "kconfig: no bpfilter with a static usermode helper" \
		"$project/selftests/kconfig/static_usermodehelper.sh" "$cache"
fi

run_tap "host tests" make -s -C "$project/selftests/host" O="$build/host" run
# The benchmark's tools, briefly, so that they cannot rot (no timing is
# asserted; make bench measures).
run_tap "bench smoke" make -s -C "$project" bench-smoke
run_tap "fuzz" make -s -C "$project/selftests/host" O="$build/host" fuzz \
	FUZZ_SECONDS="${FUZZ_SECONDS:-60}"

run_tap "x_tables differential corpus" \
	make -s -C "$project/selftests/diff" O="$build/diff" run
run_tap "VM test programs" make -s -C "$project/selftests/bpfilter" O="$build/vm"
run_tap "x_tables reference outputs" \
	"$project/selftests/bpfilter/make-reference.sh" "$build/ref" \
	"$build/vm/sockopt_probe" "$build/diff/sockopt_recorder.so"
run_tap "x_tables REJECT reference" \
	"$project/selftests/bpfilter/reject-reference.sh" "$build/ref/reject" \
	"$build/vm/ctprobe"
# What the data-plane tests expect by hand, checked against x_tables
# itself: every dataplane_*.sh on this host with DP_XTABLES=1, their
# bpfilter side being the host's ip_tables (about 100 s; the checks that
# need bpfilter are skips here and run in the VM below).
run_tap "data-plane tests against x_tables (DP_XTABLES=1)" \
	"$project/selftests/bpfilter/xtables_host.sh" "$build/vm" "$build/ref"

# The harness fails what it must fail (deliberately broken cases; four
# short boots when a kernel was built).
harness_kernel=
[ -n "$cache" ] && [ -f "$cache/release" ] && harness_kernel=$cache
run_tap "harness self-tests" "$project/selftests/harness/run.sh" \
	"$build/harness" "$build/diff" $harness_kernel

# One boot runs every VM test: about 26 minutes on the development
# machine (the command corpus ~12, the data-plane tests ~10); the limit
# leaves room for a slower one.
if [ -n "$cache" ] && [ -f "$cache/release" ]; then
	run_tap "VM selftests" "$project/tools/vm-run.sh" "$cache" -t 3600 -- \
		"BPFILTER_REF=$build/ref BPFILTER_PROBE=$build/vm/sockopt_probe BPFILTER_DIFF_REF=$build/diff/ref BPFILTER_BENCH=$build/bench selftests/bpfilter/run.sh ${VM_TESTS:-}"
fi

# Each failure again, with the diagnostics under it (up to 20 lines),
# just above the summary: a CI log shown only by its head and tail still
# tells why.  Comment lines, so that they count for nothing.
awk '/^not ok/ { n = 20; print "# FAILED: " $0; next }
	n && /^#/ { print "#   " $0; n--; next }
	{ n = 0 }' "$log" | head -n 400

"$project/tools/tap-summary.sh" "$log"
