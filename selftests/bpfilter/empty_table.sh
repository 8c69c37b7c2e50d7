#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The empty filter table, as iptables prints it, matches x_tables' own
# initial table (reference made on the host by make-reference.sh); a rule
# with an extension bpfilter does not enforce is refused without touching
# it.
. "$(dirname "$0")/lib.sh"

ref=${BPFILTER_REF:?BPFILTER_REF: directory of x_tables reference outputs}
out=/tmp/empty_table
mkdir -p "$out"

# save_rules: iptables-save output without its dated comment lines.
save_rules() {
	iptables-legacy-save "$@" | grep -v '^#'
}

same_as_ref() {
	diff -u "$ref/$1" "$out/$1"
}

unload_bpfilter
modprobe bpfilter
iptables-legacy -w -L -n -v > "$out/list" 2>&1
check "iptables -L -n -v prints x_tables' empty table" same_as_ref list
iptables-legacy -w -L -n -v -x --line-numbers > "$out/list-x" 2>&1
check "iptables -L -n -v -x --line-numbers as x_tables" same_as_ref list-x
iptables-legacy -w -S > "$out/rules" 2>&1
check "iptables -S as x_tables" same_as_ref rules
save_rules > "$out/save" 2>&1
check "iptables-save as x_tables" same_as_ref save
save_rules -c > "$out/save-c" 2>&1
check "iptables-save -c as x_tables" same_as_ref save-c

# The reference: x_tables with quota hidden from it.
rc=0
iptables-legacy -w -A INPUT -p tcp -m quota --quota 1000 -j ACCEPT \
	> "$out/unsupported" 2>&1 || rc=$?
echo "exit $rc" >> "$out/unsupported"
check "an unsupported match: iptables prints and exits as with x_tables lacking it" \
	same_as_ref unsupported
save_rules > "$out/save" 2>&1
check "the table is unchanged after the refused commit" same_as_ref save
check_rmmod
