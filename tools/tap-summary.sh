#!/bin/bash
# Count the results of a TAP log: "N passed, N failed, N skipped".
#
#   tools/tap-summary.sh LOG
#
# A line "ok ... # SKIP ..." is a skip, not a pass; "not ok" (skip or
# not) is a failure; a plan line "1..0 # SKIP" counts as one skip.  Exits
# 0 only if nothing failed and something passed.  check.sh prints its
# summary with it; selftests/harness/ feeds it canned logs.
set -u
log=${1:?usage: tap-summary.sh LOG}
awk '
	/^not ok([ \t]|$)/ { failed++; next }
	/^ok([ \t]|$)/ {
		if ($0 ~ /#[ \t]*[Ss][Kk][Ii][Pp]/) skipped++; else passed++
		next
	}
	/^1\.\.0[ \t]*#[ \t]*[Ss][Kk][Ii][Pp]/ { skipped++ }
	END {
		printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped
		exit !(failed == 0 && passed > 0)
	}' "$log"
