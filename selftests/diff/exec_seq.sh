# SPDX-License-Identifier: GPL-2.0
# Runs one command sequence of the corpus and writes what iptables printed,
# the same way on the host (against x_tables, run.sh) and in the VM
# (against bpfilter, selftests/bpfilter/iptables_corpus.sh): both source
# this file, so their outputs can be compared with diff.  POSIX sh.
#
# A sequence directory (made by run.sh from the corpus) holds:
#   commands	one command a line, as in the corpus ("iptables -A ...")
#   stdin.N	the input of command N when it is an iptables-restore
#
# The caller defines ipt_run N PROGRAM ARGS...: runs iptables run number N
# (in its network namespace, with its recorder), stdin/stdout/stderr as
# given.

# run_sequence SEQDIR OUTDIR: writes OUTDIR/log (every command with its
# stdout, stderr and exit status), OUTDIR/save, OUTDIR/rules and
# OUTDIR/list (the final table as iptables-save, -S and -L -n -v -x
# --line-numbers print it) and OUTDIR/runs (a label per iptables run).
run_sequence() {
	_seq=$1 _out=$2 _n=0 _run=0
	: > "$_out/log"
	: > "$_out/runs"
	while IFS= read -r _line; do
		_n=$((_n + 1))
		_in=/dev/null
		[ -f "$_seq/stdin.$_n" ] && _in=$_seq/stdin.$_n
		eval "set -- $_line"
		_seq_command "$_in" "$_out" "$_line" "$@"
		{
			echo "\$ $_line"
			sed 's/^/  out: /' "$_out/.stdout"
			sed 's/^/  err: /' "$_out/.stderr"
			echo "  exit $_rc"
		} >> "$_out/log"
	done < "$_seq/commands"
	_seq_command /dev/null "$_out" "(final) iptables-save" iptables-save
	mv "$_out/.stdout" "$_out/save"
	_seq_command /dev/null "$_out" "(final) iptables -S" iptables -S
	mv "$_out/.stdout" "$_out/rules"
	_seq_command /dev/null "$_out" "(final) iptables -L" \
		iptables -L -n -v -x --line-numbers
	mv "$_out/.stdout" "$_out/list"
	rm -f "$_out/.stdout" "$_out/.stderr"
}

# _seq_command STDIN OUTDIR LABEL PROGRAM ARGS...: one corpus command;
# sets _rc.  iptables-save's comment lines carry dates: left out.
_seq_command() {
	_sin=$1 _sout=$2 _label=$3
	shift 3
	_prog=$1
	shift
	_run=$((_run + 1))
	echo "$_label" >> "$_sout/runs"
	case "$_prog" in
	iptables) set -- iptables-legacy -w "$@" ;;
	iptables-save) set -- iptables-legacy-save "$@" ;;
	iptables-restore) set -- iptables-legacy-restore "$@" ;;
	*) echo "unknown command $_prog" > "$_sout/.stderr"
	   : > "$_sout/.stdout"; _rc=127; return ;;
	esac
	ipt_run "$_run" "$@" < "$_sin" > "$_sout/.stdout" 2> "$_sout/.stderr"
	_rc=$?
	if [ "$_prog" = iptables-save ]; then
		grep -v '^#' "$_sout/.stdout" > "$_sout/.stdout.tmp"
		mv "$_sout/.stdout.tmp" "$_sout/.stdout"
	fi
}
