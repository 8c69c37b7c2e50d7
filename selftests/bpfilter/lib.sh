# SPDX-License-Identifier: GPL-2.0
# Shared helpers of the bpfilter VM selftests: TAP 13 results numbered
# across all scripts of one run (run.sh), and probes of helper state.
#
# Each check is one TAP line; a failing check prints the command's output
# as "# " diagnostics.  KTAP_STATE names a directory run.sh created.

KTAP_STATE=${KTAP_STATE:-/tmp/ktap}
mkdir -p "$KTAP_STATE"

# Results printed so far in this run.
ktap_count() {
	cat "$KTAP_STATE/count" 2>/dev/null || echo 0
}

ktap_next() {
	local n
	n=$(( $(ktap_count) + 1 ))
	echo "$n" > "$KTAP_STATE/count"
	echo "$n"
}

ktap_pass() { echo "ok $(ktap_next) - $*"; }

ktap_fail() {
	echo "not ok $(ktap_next) - $*"
	echo x >> "$KTAP_STATE/failed"
}

ktap_skip() {
	local why=$1; shift
	echo "ok $(ktap_next) - $* # SKIP $why"
}

# check DESCRIPTION COMMAND...: one TAP line for COMMAND's exit status.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ktap_pass "$desc"
	else
		ktap_fail "$desc"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
}

# Value of a /proc/meminfo field, in kB.
meminfo_kb() {
	awk -v f="$1:" '$1 == f { print $2 }' /proc/meminfo
}

# Allocated file handles, system-wide.
open_files() {
	cut -f1 /proc/sys/fs/file-nr
}

# Processes running a blob started by fork_usermode_blob().
blob_processes() {
	local p n=0
	for p in /proc/[0-9]*; do
		case "$(readlink "$p/exe" 2>/dev/null)" in
		*umh-blob-*) n=$((n + 1)) ;;
		esac
	done
	echo "$n"
}

# helper_pid [DOMAIN]: the pid the kernel log gave for the most recently
# started helper of DOMAIN: "host" (the default; namespaces of the
# initial user namespace) or "userns" (every other namespace).
helper_pid() {
	dmesg | sed -n "s/.*bpfilter: started ${1:-host} helper pid \([0-9]*\)\$/\1/p" | tail -n 1
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds.  COMMAND is
# run anew each time: to poll a value, pass a function that reads it
# (wait_for 5 test "$(x)" -eq 0 would compare one reading forever).
wait_for() {
	local tries=$(( $1 * 10 ))
	shift
	while ! "$@"; do
		tries=$((tries - 1))
		[ "$tries" -gt 0 ] || return 1
		sleep 0.1
	done
}

# leak_baseline: remember system-wide file handles and tmpfs memory, so
# that check_no_leak can tell whether a test left any behind.
leak_baseline() {
	leak_files=$(open_files)
	leak_shmem=$(meminfo_kb Shmem)
}

# /proc/sys/fs/file-nr reads a per-CPU counter without summing it: each
# reading may be off by up to its batch (32 below 16 CPUs) per CPU, so a
# difference of two by twice that.  Fewer leaked files than this slack
# only the slab check (or kmemleak, DEBUG=1) can see.
files_slack() {
	echo $(( 2 * $(nproc) * 32 ))
}

files_grew_at_most() {
	test $(( $(open_files) - leak_files )) -le $(( $1 + $(files_slack) ))
}

shmem_grew_less_than() {
	test $(( $(meminfo_kb Shmem) - leak_shmem )) -lt "$1"
}

# check_no_leak MAX_FILES MAX_SHMEM_KB: one check each, allowing a few
# seconds for deferred frees (an exiting helper drops its blob late).
# A leaked blob is hundreds of kB of Shmem; a leaked pipe two files.
check_no_leak() {
	check "no file handle leaked (before $leak_files, now $(open_files), slack $(files_slack))" \
		wait_for 5 files_grew_at_most "$1"
	check "no tmpfs memory leaked (Shmem before $leak_shmem kB, now $(meminfo_kb Shmem) kB)" \
		wait_for 5 shmem_grew_less_than "$2"
}

module_loaded() {
	[ -d "/sys/module/$1" ]
}

# unload_bpfilter: rmmod bpfilter if it is loaded (a test starting
# from a clean state); an rmmod that fails is a failed check.
unload_bpfilter() {
	local out
	if module_loaded bpfilter && ! out=$(rmmod bpfilter 2>&1); then
		ktap_fail "rmmod bpfilter"
		printf '%s\n' "$out" | sed 's/^/# /'
		return 1
	fi
	return 0
}

# check_rmmod: a test's final unload, one check (the module must be
# loaded and rmmod must succeed; a BUG in its exit path is caught by
# the guest's log scan, tools/dmesg-scan.sh).
check_rmmod() {
	check "rmmod bpfilter" rmmod bpfilter
}

# No process of any blob remains.
no_blob_process() {
	test "$(blob_processes)" -eq 0
}

# bpfilter_stat KEY: a value of /sys/module/bpfilter/parameters/stats
# (docs/protocol.md, "Accounting").
bpfilter_stat() {
	awk -v k="$1" '$1 == k { print $2 }' /sys/module/bpfilter/parameters/stats
}

# Helpers the module started since it was loaded (stats; on a module
# without that field, the kernel log's count, all loads together).
helpers_started() {
	local n
	n=$(bpfilter_stat helpers_started)
	[ -n "$n" ] || n=$(dmesg | grep -c 'bpfilter: started helper pid')
	echo "$n"
}

# helper_replaced OLD_PID: the log names a helper started after OLD_PID,
# it runs, and OLD_PID is gone.
helper_replaced() {
	local new
	new=$(helper_pid)
	test -n "$new" && test "$new" != "$1" && test -d "/proc/$new" &&
		test ! -d "/proc/$1"
}

# pid_gone PID: no process PID (a reaped helper).
pid_gone() {
	test ! -d "/proc/$1"
}
