#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# fork_usermode_blob() failure paths (kernel/test_usermode_blob.c): each
# failing call returns its errno and leaves no file, memory or process.
. "$(dirname "$0")/lib.sh"

rounds=20
leak_baseline
procs_before=$(blob_processes)
check "failing blobs return the expected errno ($rounds rounds, 1 MiB blobs)" \
	modprobe test_usermode_blob rounds=$rounds blob_kib=1024
check "the test module reports every round passed" \
	sh -c "dmesg | grep -q 'test_usermode_blob: $rounds rounds of [1-9][0-9]* cases passed'"
check "rmmod test_usermode_blob" rmmod test_usermode_blob
check "no blob process was left" test "$(blob_processes)" -eq "$procs_before"
check_no_leak 2 1024
