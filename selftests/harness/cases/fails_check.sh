#!/bin/sh
# Harness case: a failing check.
. "$(dirname "$0")/../../bpfilter/lib.sh"
check "false fails" false
