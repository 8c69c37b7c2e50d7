#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The guest has the two CPUs QEMU gives it (-smp 2) online: races between
# callers, the I/O thread and the helper need real parallelism (ACPI
# tells the kernel about the second CPU).
. "$(dirname "$0")/lib.sh"

online=$(cat /sys/devices/system/cpu/online)
check "at least two CPUs are online (nproc $(nproc), online $online)" \
	test "$(nproc)" -ge 2
