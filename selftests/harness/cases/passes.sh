#!/bin/sh
# Harness case: one passing check, exit 0.  run.sh must pass it.
. "$(dirname "$0")/../../bpfilter/lib.sh"
check "true passes" true
