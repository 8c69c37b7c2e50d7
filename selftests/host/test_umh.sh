#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The helper binary itself: statically linked, and driven over pipes by
# umh-driver.  As root, it runs in a private mount namespace with a file
# bound over /dev/kmsg, so that its log lines can be checked (and stay
# out of the host's kernel log).
#
# usage: test_umh.sh BUILD_DIR    (prints TAP lines)
set -u

build=$1
helper=$build/bpfilter_umh
log=$(mktemp)
trap 'rm -f "$log"' EXIT

if ! command -v readelf >/dev/null; then
	# binutils comes with build-essential, which make check installs.
	echo "not ok - helper is statically linked: readelf missing"
elif readelf -lW "$helper" | grep -q INTERP ||
     readelf -dW "$helper" | grep -q NEEDED; then
	echo "not ok - helper is statically linked"
else
	echo "ok - helper is statically linked"
fi

# The helper starts as root, as the module starts it, and drops that.
if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null; then
	# make check runs as root and installs util-linux.
	echo "not ok - helper over pipes, and its log lines: needs root and unshare"
	exit 0
fi

unshare --mount --propagation private \
	sh -c 'mount --bind "$0" /dev/kmsg && exec "$1" "$2" /dev/kmsg' \
	"$log" "$build/umh-driver" "$helper"
ret=$?

sed 's/^/# log: /' "$log"
expect_log() {
	if grep -q "^bpfilter_umh: $1" "$log"; then
		echo "ok - helper logs \"$1\""
	else
		echo "not ok - helper logs \"$1\""
	fi
}
expect_log "replace: num_counters is 0: Invalid argument"
expect_log "bad request header"
expect_log "end of input inside a message"
if grep -q "sandbox" "$log"; then
	echo "not ok - helper confined itself without a complaint"
else
	echo "ok - helper confined itself without a complaint"
fi
exit $ret
