#!/bin/bash
# Scan a guest kernel log for reports of kernel bugs.
#
#   tools/dmesg-scan.sh FILE [SENTINEL]
#
# Prints every line of FILE that reports a problem and exits 1 if there
# is one, 2 if FILE is missing or empty (a log that was never written
# hides every report), 3 if SENTINEL (a line the guest wrote to the log
# at boot) is not in FILE: the ring buffer wrapped, and the reports it
# overwrote are lost; 0 otherwise.  vm-run.sh runs it on the dmesg dump
# of every guest run; selftests/harness/ feeds it canned logs.
#
# What it matches, and what prints it:
#   WARNING:                 WARN(), WARN_ON()
#   BUG:                     sleeping in atomic, bad page state, KASAN,
#                            soft lockups ("watchdog: BUG: soft lockup")
#   kernel BUG at            BUG(), BUG_ON() (then "invalid opcode")
#   invalid opcode           the trap BUG() raises
#   general protection fault a non-KASAN GPF
#   Oops, Kernel panic       oopses and panics
#   Call Trace:              any stack dump (a splat whose headline is
#                            none of the above)
#   detected stall(s)        RCU stalls ("rcu_sched detected stalls",
#                            "self-detected stall")
#   blocked for more than    the hung task detector ("hung_task")
#   refcount_t:              refcount saturation/underflow
#   KASAN, UBSAN             sanitizer reports (debug kernel)
#   kmemleak: N new suspected memory leaks
set -u
file=${1:?usage: dmesg-scan.sh FILE [SENTINEL]}
sentinel=${2:-}
if [ ! -s "$file" ]; then
	echo "dmesg-scan: $file: no kernel log (missing or empty)"
	exit 2
fi
if [ -n "$sentinel" ] && ! grep -qF -- "$sentinel" "$file"; then
	echo "dmesg-scan: $file: the log lost its start (no \"$sentinel\"): it wrapped, reports may be lost"
	exit 3
fi
pattern='WARNING:|BUG:|kernel BUG at|invalid opcode|general protection fault'
pattern+='|Oops|Kernel panic|Call Trace:|detected stall|blocked for more than'
pattern+='|hung_task|refcount_t:|KASAN|UBSAN|kmemleak: [0-9]+ new suspected'
if grep -E "$pattern" "$file"; then
	exit 1
fi
exit 0
