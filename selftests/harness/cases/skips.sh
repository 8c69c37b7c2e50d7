#!/bin/sh
# Harness case: one skip.
. "$(dirname "$0")/../../bpfilter/lib.sh"
ktap_skip "harness case" "a skipped check"
