#!/bin/bash
# Boot the bpfilter kernel in QEMU (software emulation) and run one
# command in it, or an interactive shell.
#
#   tools/vm-run.sh CACHE_DIR [-t SECONDS] -- COMMAND...   run COMMAND, exit with its status
#   tools/vm-run.sh CACHE_DIR [-t SECONDS] --shell         interactive shell on the console
#
# CACHE_DIR is what tools/build-kernel.sh printed.  The guest sees the
# host's root file system read-only and runs COMMAND with sh -c in this
# project's directory.  A run fails (status 125) if the guest's kernel
# log shows a warning, BUG, Oops, KASAN or kmemleak report, even when the
# command succeeded: "quiet" keeps those off the console.
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

append="console=ttyS0 root=root rootfstype=9p"
append+=" rootflags=trans=virtio,version=9p2000.L,cache=loose ro"
append+=" init=$project/usr/guest-init panic=-1 quiet"
append+=" BPFILTER_MODROOT=$cache/modroot BPFILTER_WORKDIR=$project"
append+=" BPFILTER_MODE=$mode"

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
	# The serial line turns \n into \r\n; give the caller plain lines.
	timeout --kill-after=10 "$timeout_s" "${qemu[@]}" -display none \
		-monitor none -serial stdio </dev/null | stdbuf -oL tr -d '\r' || true
fi

if [ -f "$job/dmesg" ] &&
   grep -E 'WARNING:|BUG:|Oops|KASAN|kmemleak: [0-9]+ new suspected' "$job/dmesg" >&2; then
	echo "vm-run: the guest kernel reported the problems above" >&2
	exit 125
fi
if [ ! -f "$job/status" ]; then
	echo "vm-run: the guest did not finish (timeout ${timeout_s}s or crash)" >&2
	exit 124
fi
exit "$(cat "$job/status")"
