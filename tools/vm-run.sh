#!/bin/bash
# Boot the bpfilter kernel in QEMU (software emulation) and run one
# command in it, or an interactive shell.
#
#   tools/vm-run.sh CACHE_DIR [-t SECONDS] -- COMMAND...   run COMMAND, exit with its status
#   tools/vm-run.sh CACHE_DIR [-t SECONDS] --shell         interactive shell on the console
#
# CACHE_DIR is what tools/build-kernel.sh printed.  The guest sees the
# host's root file system read-only and runs COMMAND with sh -c in this
# project's directory; COMMAND's output (stdout and stderr) is this
# script's stdout and nothing else: the kernel's console goes to a file,
# shown on stderr when the guest does not finish.
#
# A run fails with status 125, even when the command succeeded, if the
# guest's kernel log (dumped by the guest at the end) shows a problem
# tools/dmesg-scan.sh matches (warnings, BUG()s, oopses, GPFs, stack
# dumps, RCU stalls, hung tasks, refcount errors, sanitizer and kmemleak
# reports), if there is no such dump, or if the dump lost the line the
# guest logged first (the ring buffer wrapped); with 124 if the guest did not
# finish ("quiet" keeps those reports off the console).
set -euo pipefail

project=$(cd "$(dirname "$0")/.." && pwd)
cache=${1:?usage: vm-run.sh CACHE_DIR [-t SECONDS] (--shell | -- COMMAND...)}
shift
timeout_s=600
mode=cmd
while [ $# -gt 0 ]; do
	case "$1" in
	-t) timeout_s=$2; shift 2 ;;
	--shell) mode=shell; shift ;;
	--) shift; break ;;
	*) break ;;
	esac
done
[ "$mode" = shell ] || [ $# -gt 0 ] || { echo "vm-run: no command" >&2; exit 2; }

kernel="$cache/obj/arch/x86/boot/bzImage"
[ -f "$kernel" ] || { echo "vm-run: $kernel missing: build first" >&2; exit 2; }
release=$(cat "$cache/release")

job=$(mktemp -d "${TMPDIR:-/tmp}/bpfilter-vm.XXXXXX")
trap 'rm -rf "$job"' EXIT
printf '%s\n' "$*" > "$job/cmd"

# ACPI is there to bring up every CPU (MADT); pci=noacpi keeps its AML
# interpreter off PCI interrupt routing, which under KASAN and emulation
# times out (AE_AML_LOOP_TIMEOUT) and leaves virtio without interrupts.
# BPFILTER_KERNEL_ARGS adds more.
append="console=ttyS0 root=root rootfstype=9p pci=noacpi"
append+=" rootflags=trans=virtio,version=9p2000.L,cache=loose ro"
append+=" init=$project/usr/guest-init panic=-1 quiet${BPFILTER_KERNEL_ARGS:+ $BPFILTER_KERNEL_ARGS}"
append+=" BPFILTER_MODROOT=$cache/modroot BPFILTER_WORKDIR=$project"
append+=" BPFILTER_MODE=$mode"
# The guest writes this to the kernel log first; a dump without it has
# wrapped (dmesg-scan.sh).
sentinel="bpfilter-vm-log-start-$$-$RANDOM$RANDOM"
append+=" BPFILTER_SENTINEL=$sentinel"

qemu=(qemu-system-x86_64 -m 1024 -smp 2 -no-reboot -nic none -kernel "$kernel"
	-fsdev local,id=root,path=/,security_model=none,readonly=on,multidevs=remap
	-device virtio-9p-pci,fsdev=root,mount_tag=root
	-fsdev "local,id=job,path=$job,security_model=none,multidevs=remap"
	-device virtio-9p-pci,fsdev=job,mount_tag=job
	-append "$append")

if [ "$mode" = shell ]; then
	echo "vm-run: booting $release; Ctrl-A X leaves QEMU" >&2
	"${qemu[@]}" -nographic || true
else
	# The kernel's console is the first serial port, into a file; the
	# command's output comes on the second.  The serial line turns \n
	# into \r\n: give the caller plain lines.
	timeout --kill-after=10 "$timeout_s" "${qemu[@]}" -display none \
		-monitor none -serial "file:$job/console" -serial stdio \
		</dev/null | stdbuf -oL tr -d '\r' || true
fi

if [ ! -f "$job/status" ]; then
	echo "vm-run: the guest did not finish (timeout ${timeout_s}s or crash)" >&2
	if [ -s "$job/console" ]; then
		echo "vm-run: the end of the guest's console:" >&2
		tail -n 40 "$job/console" | tr -d '\r' >&2
	fi
	exit 124
fi
if ! "$project/tools/dmesg-scan.sh" "$job/dmesg" "bpfilter-vm: $sentinel" >&2; then
	echo "vm-run: the guest kernel reported the problems above" >&2
	exit 125
fi
exit "$(cat "$job/status")"
