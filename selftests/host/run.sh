#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Runs every host test program and merges their "ok - ..." / "not ok -
# ..." lines into one numbered TAP stream.  A program that exits non-zero
# counts as a failure even if it printed no "not ok" (a sanitizer report,
# a crash), and so does one that printed no result at all.
#
# usage: run.sh BUILD_DIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
build=$1
n=0 passed=0 failed=0 skipped=0

result() {
	n=$((n + 1))
	echo "$1 $n - $2"
	case "$1 $2" in
	"not ok"*) failed=$((failed + 1)) ;;
	*"# SKIP"*) skipped=$((skipped + 1)) ;;
	*) passed=$((passed + 1)) ;;
	esac
}

run_program() {
	local name=$1 line ret before=$n
	shift
	echo "# $name"
	while IFS= read -r line; do
		case "$line" in
		"ok - "*) result "ok" "${line#ok - }" ;;
		"not ok - "*) result "not ok" "${line#not ok - }" ;;
		"#"*) echo "$line" ;;
		*) echo "# $line" ;;
		esac
	done < <("$@" 2>&1)
	wait $! 2>/dev/null
	ret=$?
	if [ $ret != 0 ]; then
		result "not ok" "$name exited with status $ret"
	fi
	if [ $n = "$before" ]; then
		result "not ok" "$name printed no result"
	fi
}

echo "TAP version 13"
run_program test_core "$build/test_core"
run_program test_umh "$here/test_umh.sh" "$build"
run_program test_xtables_diff "$here/test_xtables_diff.sh" "$build"
run_program test_codegen "$build/test-codegen"
run_program test_image_check "$build/test-image-check"
run_program test_nf_diff "$here/test_nf_diff.sh" "$build"
run_program test_nf_diff_large "$here/test_nf_diff_large.sh" "$build"
run_program test_sched_cls "$here/test_sched_cls.sh" "$build"
echo "1..$n"
echo "# host: $passed passed, $failed failed, $skipped skipped"
[ $failed = 0 ]
