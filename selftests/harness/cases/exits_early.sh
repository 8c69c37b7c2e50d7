#!/bin/sh
# Harness case: a passing check, then the script dies (a command that
# set -e or a crash would end it on): it exits 3.
. "$(dirname "$0")/../../bpfilter/lib.sh"
check "true passes" true
exit 3
