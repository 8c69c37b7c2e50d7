#!/bin/sh
# Harness case: a script aborting on a missing variable before any check,
# as the tests do on ${BPFILTER_REF:?}.
. "$(dirname "$0")/../../bpfilter/lib.sh"
ref=${BPFILTER_HARNESS_UNSET_VARIABLE:?not set}
check "never reached" test -n "$ref"
