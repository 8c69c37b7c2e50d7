#!/bin/bash
# Install the Debian packages the build and the tests need, if missing.
# As root this runs apt-get; otherwise it lists what to install.
set -euo pipefail

packages=(
	linux-source-6.1 build-essential flex bison bc libelf-dev libssl-dev
	dwarves cpio kmod rsync patch python3 qemu-system-x86
	iptables iproute2 iputils-ping util-linux bpftool libbpf-dev zlib1g-dev
	clang libclang-rt-14-dev gcc-multilib strace nftables gnuplot-nox
)

missing=()
for p in "${packages[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing Debian packages (run as root, or install):" >&2
	echo "  apt-get install ${missing[*]}" >&2
	exit 1
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >&2
apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
