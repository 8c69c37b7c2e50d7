#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Self-tests of the test harness: each feeds a deliberately broken case
# to a piece of the harness and asserts that the piece reports a failure
# (and, for contrast, that it passes a good case).  make check runs them.
#
#   run.sh BUILD_DIR DIFF_BUILD [KERNEL_DIR]
#
# BUILD_DIR is scratch space; DIFF_BUILD is selftests/diff's build (its
# replay and run.sh's tally are tested); KERNEL_DIR, if given, is a
# built kernel (tools/build-kernel.sh's directory) for the cases that
# need a guest: four boots of a few seconds.  The data-plane
# differential's cases need root (network namespaces), as make check
# runs them.  Prints TAP lines.
set -u

here=$(cd "$(dirname "$0")" && pwd)
project=$(cd "$here/../.." && pwd)
build=${1:?usage: run.sh BUILD_DIR DIFF_BUILD [KERNEL_DIR]}
diff_build=${2:?usage: run.sh BUILD_DIR DIFF_BUILD [KERNEL_DIR]}
kernel=${3:-}
rm -rf "$build"
mkdir -p "$build"
failed=0

ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; failed=$((failed + 1)); }

# expect DESCRIPTION COMMAND...: one TAP line for COMMAND's status; a
# failure shows the output the case left in $build/out.
expect() {
	local desc=$1
	shift
	if "$@"; then
		ok "$desc"
	else
		not_ok "$desc"
		sed 's/^/#   /' "$build/out" 2>/dev/null | head -n 30
	fi
}

# --- selftests/bpfilter/run.sh: every failure of a test script counts ---

# vm_suite CASE...: runs the VM suite's runner on the host on CASEs
# (files of cases/ or plain names); output in $build/out, status in $rc.
vm_suite() {
	local args=() c
	for c in "$@"; do
		case "$c" in
		*/*) args+=("$c") ;;
		*.sh) args+=("$here/cases/$c") ;;
		*) args+=("$c") ;;
		esac
	done
	KTAP_STATE=$build/ktap sh "$project/selftests/bpfilter/run.sh" \
		"${args[@]}" > "$build/out" 2>&1
	rc=$?
}
# suite_fails PATTERN: run.sh exited non-zero and printed a "not ok"
# line matching PATTERN.
suite_fails() {
	[ "$rc" != 0 ] && grep -qE "^not ok [0-9]+ - .*$1" "$build/out"
}
suite_passes() {
	[ "$rc" = 0 ] && ! grep -q '^not ok' "$build/out" &&
		grep -q '^ok 1 - ' "$build/out" && grep -qx '1\.\.1' "$build/out"
}

vm_suite passes.sh
expect "VM runner: a passing script passes" suite_passes
vm_suite fails_check.sh
expect "VM runner: a failing check fails the run" suite_fails "false fails"
vm_suite exits_early.sh
expect "VM runner: a script exiting 3 after a passing check is a failure" \
	suite_fails "exits_early.sh exited with status 3"
vm_suite missing_variable.sh
expect "VM runner: a script aborting on \${VAR:?} is a failure" \
	suite_fails "missing_variable.sh exited with status"
vm_suite no_result.sh
expect "VM runner: a script printing no TAP line is a failure" \
	suite_fails "no_result.sh printed no result"
vm_suite passes.sh helper_lifecyle.sh
expect "VM runner: a misspelt test name (VM_TESTS) is a failure" \
	suite_fails "helper_lifecyle.sh: no such test"
vm_suite skips.sh
expect "VM runner: a skip is reported as a skip" \
	grep -q '^ok 1 - .* # SKIP' "$build/out"
vm_suite dp_counters_fail.sh
expect "data-plane tests: a failing iptables-save is a failure of its own" \
	suite_fails "bpf: the counters of bpfd-harness-none-bpf"
expect "data-plane tests: two failing iptables-saves do not compare equal" \
	suite_fails "both sides' counters are equal"
BPFILTER_DIFF_REF= vm_suite "$project/selftests/bpfilter/iptables_corpus.sh"
expect "VM runner: the corpus without its references fails, not skips" \
	suite_fails "iptables command corpus: BPFILTER_DIFF_REF"

# --- tools/tap-summary.sh: skips are counted apart from passes ---

summary() {
	printf '%b' "$1" > "$build/tap"
	"$project/tools/tap-summary.sh" "$build/tap" > "$build/out" 2>&1
	rc=$?
}
summary 'ok 1 - a\nnot ok 2 - b\nok 3 - c # SKIP why\n# ok 4 - a comment\n'
expect "summary: a pass, a failure and a skip are counted apart, and fail" \
	eval '[ "$rc" != 0 ] && [ "$(cat "$build/out")" = "1 passed, 1 failed, 1 skipped" ]'
summary 'ok 1 - a # SKIP why\n1..0 # SKIP no root\n'
expect "summary: only skips is not a pass" \
	eval '[ "$rc" != 0 ] && [ "$(cat "$build/out")" = "0 passed, 0 failed, 2 skipped" ]'
summary 'ok 1 - a\nok - b # skip why\n'
expect "summary: passes and a skip pass" \
	eval '[ "$rc" = 0 ] && [ "$(cat "$build/out")" = "1 passed, 0 failed, 1 skipped" ]'

# --- tools/dmesg-scan.sh: every kind of kernel report fails a run ---

clean=$here/dmesg-clean.txt
scan() {
	"$project/tools/dmesg-scan.sh" "$1" > "$build/out" 2>&1
	rc=$?
}
scan "$clean"
expect "dmesg scan: a real guest boot's log is clean" eval '[ "$rc" = 0 ]'
: > "$build/empty"
scan "$build/empty"
expect "dmesg scan: an empty log is a failure" eval '[ "$rc" = 2 ]'
scan "$build/no-such-dmesg"
expect "dmesg scan: a missing log is a failure" eval '[ "$rc" = 2 ]'
# The guest's first line (vm-run.sh's token) must have survived: a log
# without it wrapped and may have lost reports.
{ echo "[    2.000000] bpfilter-vm: bpfilter-vm-log-start-1-2"; cat "$clean"; } > "$build/dmesg"
"$project/tools/dmesg-scan.sh" "$build/dmesg" "bpfilter-vm: bpfilter-vm-log-start-1-2" > "$build/out" 2>&1
rc=$?
expect "dmesg scan: a log that kept its first line passes" eval '[ "$rc" = 0 ]'
"$project/tools/dmesg-scan.sh" "$clean" "bpfilter-vm: bpfilter-vm-log-start-1-2" > "$build/out" 2>&1
rc=$?
expect "dmesg scan: a log that lost its first line (it wrapped) is a failure" eval '[ "$rc" = 3 ]'
while IFS='|' read -r what line; do
	{ cat "$clean"; printf '%s\n' "$line"; } > "$build/dmesg"
	scan "$build/dmesg"
	expect "dmesg scan: fails on $what" eval '[ "$rc" = 1 ]'
done <<'EOF_REPORTS'
BUG()|[   12.345678] kernel BUG at net/bpfilter/kern_main.c:42!
its invalid opcode trap|[   12.345679] invalid opcode: 0000 [#1] PREEMPT SMP NOPTI
a general protection fault|[   12.345678] general protection fault, probably for non-canonical address 0xdead000000000100: 0000 [#1] SMP
an oops|[   12.345678] Oops: 0002 [#1] SMP
a stack dump alone|[   12.345678] Call Trace:
a WARN|[   12.345678] WARNING: CPU: 1 PID: 77 at net/bpfilter/kern_helper.c:100 helper_stop+0x1/0x2 [bpfilter]
a BUG: report|[   12.345678] BUG: sleeping function called from invalid context at mm/slab.h:742
an RCU stall|[   33.000000] rcu: INFO: rcu_sched detected stalls on CPUs/tasks:
an RCU self-detected stall|[   33.000000] rcu: INFO: rcu_sched self-detected stall on CPU
a hung task|[  123.000000] INFO: task rmmod:123 blocked for more than 61 seconds.
a refcount error|[   12.345678] refcount_t: underflow; use-after-free.
a KASAN report|[   12.345678] BUG: KASAN: slab-use-after-free in helper_stop+0x1/0x2
a kmemleak report|[   99.000000] kmemleak: 2 new suspected memory leaks (see /sys/kernel/debug/kmemleak)
a panic|[   12.345678] Kernel panic - not syncing: Fatal exception
EOF_REPORTS

# --- selftests/diff: a sequence that compared nothing fails ---

replay=$diff_build/replay
if [ -x "$replay" ]; then
	seq=$build/seq
	mkdir -p "$seq/tr"
	printf '%s\n' 'iptables -A INPUT -j ACCEPT' '(final) iptables-save' \
		'(final) iptables -S' > "$seq/runs"
	"$replay" zero-calls "$seq/runs" "$seq/tr" > "$build/out" 2>&1
	expect "replay: runs the recorder never saw (no transcript) fail" \
		grep -q '^not ok - seq zero-calls' "$build/out"
	: > "$seq/tr/1.rec"; : > "$seq/tr/2.rec"; : > "$seq/tr/3.rec"
	"$replay" zero-calls "$seq/runs" "$seq/tr" > "$build/out" 2>&1
	expect "replay: a sequence with zero recorded calls fails" \
		grep -q '^not ok - seq zero-calls' "$build/out"
else
	not_ok "replay: $replay was built"
fi

# A prerequisite make check installs, missing: a failure, not a skip.
setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$project/selftests/diff/run.sh" "$diff_build" > "$build/out" 2>&1
rc=$?
expect "diff run.sh: without root it fails, not skips" \
	eval '[ "$rc" != 0 ] && grep -q "^not ok 1 - the differential test runs" "$build/out"'
PATH=/nonexistent "$BASH" "$project/selftests/host/test_xtables_diff.sh" "$build" \
	> "$build/out" 2>&1
expect "host differential: without its tools it fails, not skips" \
	eval '! grep -q SKIP "$build/out" && grep -q "^not ok - x_tables differential tests" "$build/out"'

# --- selftests/host: a crashing nf-diff fails its run ---

# The data-plane differentials with stand-ins for nf-diff,
# sched-cls-load and nf-gen (cases/nf_diff_fake.sh) that pass every run
# but those NF_DIFF_FAKE names: killed by SIGSEGV after a passing
# result, stopped short with status 0, or status 1 after passing
# results.  Those runs fail, and each script's tally of runs, and
# nothing else: a case the scripts could not run at all (no root, no
# namespaces) fails here too.  About 4 s (the real x_tables loads the
# corpus's rulesets).
fake=$build/nf-fake
mkdir -p "$fake"
for f in nf-diff sched-cls-load nf-gen; do
	cp "$here/cases/nf_diff_fake.sh" "$fake/$f" && chmod +x "$fake/$f"
done
# nf_diff_fails NAME HOW: the run named NAME failed as HOW says.
nf_diff_fails() {
	case "$2" in
	crash) grep -qx "not ok - $1: killed by signal 11 (SEGV)" "$build/out" ;;
	short) grep -qx "not ok - $1: printed 1 results, not [0-9][0-9]*" "$build/out" ;;
	status) grep -qx "not ok - $1: exited with status 1, having reported no failure" "$build/out" ;;
	esac
}
# nf_diff_others_pass N TALLY: exactly N "not ok" lines, one of them
# the tally line starting TALLY.
nf_diff_others_pass() {
	[ "$(grep -c '^not ok' "$build/out")" = "$1" ] &&
		grep -qE "^not ok - $2" "$build/out"
}
NF_DIFF_FAKE="nf-diff:03-tcp=crash nf-diff:05-chains+classifier=short nf-diff:limit-flood=status" \
	"$project/selftests/host/test_nf_diff.sh" "$fake" > "$build/out" 2>&1
expect "nf-diff: a run killed by SIGSEGV after a passing result fails" \
	nf_diff_fails "nf-diff 03-tcp" crash
expect "nf-diff: a run that stops short with status 0 fails" \
	nf_diff_fails "nf-diff 05-chains+classifier" short
expect "nf-diff: a run that passes every result and exits 1 fails" \
	nf_diff_fails "nf-diff limit-flood" status
expect "nf-diff: so does the tally of runs, and no other run" \
	nf_diff_others_pass 4 "nf-diff: [0-9]+ rulesets"
NF_LARGE_LIST="large-a src 1 -
large-b dport 2 -" \
NF_DIFF_FAKE="sched-cls-load:large-a=crash nf-diff:large-b+classifier=short nf-diff:large-b=status" \
	"$project/selftests/host/test_nf_diff_large.sh" "$fake" > "$build/out" 2>&1
expect "large nf-diff: a sched-cls-load killed by SIGSEGV fails" \
	nf_diff_fails "sched-cls large-a" crash
expect "large nf-diff: a run that stops short with status 0 fails" \
	nf_diff_fails "nf-diff large-b+classifier" short
expect "large nf-diff: a run that passes every result and exits 1 fails" \
	nf_diff_fails "nf-diff large-b" status
expect "large nf-diff: so does the tally of runs, and no other run" \
	nf_diff_others_pass 4 "large differential test: 2 tables"

# run.sh --tally: exactly one result per sequence.
tally=$build/tally
mkdir -p "$tally/results"
printf '%s\n' one two three four > "$tally/names"
printf 'ok - seq one\n' > "$tally/results/1"
: > "$tally/results/2"
printf 'ok - seq three\nok - seq three\n' > "$tally/results/3"
"$project/selftests/diff/run.sh" --tally "$tally/results" "$tally/names" \
	> "$build/out" 2>&1
expect "diff tally: one result for one sequence passes" grep -qx 'ok - seq one' "$build/out"
expect "diff tally: an empty result file fails its sequence" grep -qx 'not ok - seq two' "$build/out"
expect "diff tally: two results for one sequence fail it" grep -qx 'not ok - seq three' "$build/out"
expect "diff tally: a missing result file fails its sequence" grep -qx 'not ok - seq four' "$build/out"

# --- tools/vm-run.sh and make run, in a guest ---

if [ -n "$kernel" ]; then
	# A command that succeeds while the kernel logs a BUG: status 125.
	"$project/tools/vm-run.sh" "$kernel" -t 120 -- \
		'echo "<2>kernel BUG at harness/fake.c:1!" > /dev/kmsg; echo logged' \
		> "$build/out" 2>&1
	rc=$?
	expect "vm-run: a guest logging 'kernel BUG at' fails the run (status $rc)" \
		eval '[ "$rc" = 125 ] && grep -q "kernel BUG at harness/fake.c:1!" "$build/out"'

	# A guest that reports success but leaves no kernel log dump.
	"$project/tools/vm-run.sh" "$kernel" -t 120 -- \
		'echo 0 > /mnt/job/status; sync; echo b > /proc/sysrq-trigger; sleep 10' \
		> "$build/out" 2>&1
	rc=$?
	expect "vm-run: a missing kernel log dump fails the run (status $rc)" \
		eval '[ "$rc" != 0 ] && grep -q "no kernel log" "$build/out"'

	# A guest that logs more than the kernel's log holds: the dump lost
	# its first line, and reports with it.
	"$project/tools/vm-run.sh" "$kernel" -t 120 -- \
		'echo on > /proc/sys/kernel/printk_devkmsg
		line=$(printf "%0900d" 0)
		i=0; while [ $i -lt 3000 ]; do echo "$line" > /dev/kmsg; i=$((i + 1)); done
		echo logged' > "$build/out" 2>&1
	rc=$?
	expect "vm-run: a guest whose kernel log wrapped fails the run (status $rc)" \
		eval '[ "$rc" = 125 ] && grep -q "the log lost its start" "$build/out"'

	# make run CMD=: several lines, quotes, $ signs, as sh -c takes them;
	# stdout is the command's output alone, the status its own.
	cmd=$(printf '%s\n' 'echo "one' 'two" '\''$HOME'\'' "$(echo x)" $((1 + 1))' \
		'for i in 1 2; do echo "line $i"; done' 'exit 3')
	printf '%s\n' 'one' "two \$HOME x 2" 'line 1' 'line 2' > "$build/want"
	make -s -C "$project" run BPFILTER_KERNEL="$kernel" CMD="$cmd" \
		> "$build/got" 2> "$build/out"
	rc=$?
	cat "$build/got" >> "$build/out"
	expect "make run CMD: a multi-line script runs as sh -c runs it" \
		cmp -s "$build/want" "$build/got"
	expect "make run CMD: its status is the command's (make fails on exit 3)" \
		eval '[ "$rc" != 0 ] && grep -q "Error 3" "$build/out"'
else
	echo "# no kernel given: the guest cases are not run"
fi

exit $((failed != 0))
