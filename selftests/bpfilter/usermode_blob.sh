#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fork_usermode_blob() failure paths (kernel/test_usermode_blob.c): each
# failing call returns its errno and leaves no file, memory or process.
. "$(dirname "$0")/lib.sh"

rounds=20
files_before=$(open_files)
shmem_before=$(meminfo_kb Shmem)
procs_before=$(blob_processes)
check "failing blobs return the expected errno ($rounds rounds, 1 MiB blobs)" \
	modprobe test_usermode_blob rounds=$rounds blob_kib=1024
check "the test module reports every round passed" \
	sh -c "dmesg | grep -q 'test_usermode_blob: $rounds rounds of [0-9]* cases passed'"
rmmod test_usermode_blob 2>/dev/null
check "no blob process was left" test "$(blob_processes)" -eq "$procs_before"
files_growth() {
	test $(( $(open_files) - files_before )) -le 2
}
check "no file handle leaked (before $files_before, now $(open_files))" \
	wait_for 5 files_growth
shmem_growth() {
	test $(( $(meminfo_kb Shmem) - shmem_before )) -lt 1024
}
check "no blob stayed in tmpfs (Shmem before ${shmem_before} kB, now $(meminfo_kb Shmem) kB)" \
	wait_for 5 shmem_growth
