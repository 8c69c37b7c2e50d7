#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Splits corpus files into one directory per sequence, as exec_seq.sh
# reads them: OUTDIR/NAME/{commands,stdin.N,unsupported}.  Refuses a
# malformed corpus (format: corpus/README.md) with a message per error.
#
# usage: split-corpus.sh OUTDIR CORPUS_FILE...
set -eu
out=${1:?usage: split-corpus.sh OUTDIR CORPUS_FILE...}
shift
exec awk -v out="$out" '
function fail(msg) {
	printf "%s:%d: %s\n", FILENAME, FNR, msg > "/dev/stderr"
	bad = 1
}
function close_seq() {
	if (dir != "" && ncmd == 0)
		fail("sequence " name " has no command")
	if (dir != "") {
		close(dir "/commands")
		if (stdin_file != "")
			close(stdin_file)
	}
	stdin_file = ""
}
/^[ \t]*(#|$)/ { next }
/^== / {
	close_seq()
	name = $2
	if (name !~ /^[A-Za-z0-9._-]+$/)
		fail("bad sequence name \"" name "\"")
	if (name in seen)
		fail("duplicate sequence name " name)
	seen[name] = 1
	dir = out "/" name
	system("mkdir -p \"" dir "\"")
	printf "" > (dir "/commands")
	ncmd = 0
	restore = 0
	for (i = 3; i <= NF; i++) {
		if ($i ~ /^unsupported=[A-Za-z0-9_,]+$/) {
			sub(/^unsupported=/, "", $i)
			print $i > (dir "/unsupported")
			close(dir "/unsupported")
		} else {
			fail("unknown flag " $i)
		}
	}
	next
}
dir == "" { fail("command before the first == line"); next }
/^\|/ {
	if (!restore) {
		fail("input line not after an iptables-restore")
		next
	}
	line = $0
	sub(/^\| ?/, "", line)
	print line > stdin_file
	next
}
$1 == "iptables" || $1 == "iptables-save" || $1 == "iptables-restore" {
	if (stdin_file != "")
		close(stdin_file)
	ncmd++
	print > (dir "/commands")
	restore = $1 == "iptables-restore"
	stdin_file = restore ? dir "/stdin." ncmd : ""
	if (restore)
		printf "" > stdin_file
	next
}
{ fail("not a command: " $0) }
END { close_seq(); exit bad }
' "$@"
