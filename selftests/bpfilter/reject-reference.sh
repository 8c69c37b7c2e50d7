#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The REJECT scenario (reject_lib.sh) against the host's x_tables: the
# reference dataplane_reject.sh compares bpfilter's replies with.
#   reject-reference.sh OUTFILE CTPROBE
set -euo pipefail
out=${1:?usage: reject-reference.sh OUTFILE CTPROBE}
probe=${2:?usage: reject-reference.sh OUTFILE CTPROBE}
. "$(dirname "$0")/reject_lib.sh"
reject_run "bpfilter-rejref-$$" "iptables-legacy-restore -w" \
	"iptables-legacy-save" "$probe" "$out"
# Replies that never came would make the comparison vacuous.
if grep -q ': none$' "$out"; then
	echo "reject-reference: x_tables sent no reply to some probe" >&2
	exit 1
fi
