// SPDX-License-Identifier: GPL-2.0
/* The tcp match, revision 0 (xt_tcpudp's "tcp"). */
#include <errno.h>
#include <netinet/in.h>

#include <linux/netfilter/xt_tcpudp.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"

/* Offsets in struct tcphdr, as tcp_mt() reads them. */
#define TCP_OFF_SPORT	0
#define TCP_OFF_DPORT	2
#define TCP_OFF_DOFF	12
#define TCP_OFF_FLAGS	13
#define TCP_HDR_LEN	20
#define TCP_OPT_MAX	40
#define TCP_OPT_GROUP	8	/* positions behind one test of the walk */

/* Unknown invflags bits could mean a test we would not perform. */
static int tcp_check(const void *data, const struct ipt_entry *e)
{
	const struct xt_tcp *tcp = data;

	(void)e;	/* the generic check tested the protocol */

	if (tcp->invflags & ~XT_TCP_INV_MASK) {
		bpfilter_log_ratelimited("tcp match: unknown invflags %#x",
					 tcp->invflags);
		return -EINVAL;
	}
	return 0;
}

/* (th[13] & flg_mask) == flg_cmp, xor the inversion */
static void emit_flags(struct bpf_prog_buf *p, const struct xt_tcp *tcp,
		       unsigned int fail)
{
	bool invert = tcp->invflags & XT_TCP_INV_FLAGS;

	/*
	 * No flag tested (every "-p tcp" rule without --tcp-flags or --syn)
	 * or flg_cmp outside flg_mask: the outcome is known, then only
	 * flg_cmp == 0 compares equal.  Compiled as a test, its outcome
	 * would be known to the verifier too, and without CAP_PERFMON it
	 * would walk the other branch as speculative execution, once per
	 * rule.
	 */
	if (!tcp->flg_mask || (tcp->flg_cmp & ~tcp->flg_mask)) {
		if (!tcp->flg_cmp == invert)
			bpf_prog_jump(p, insn_ja(0), fail);
		return;
	}
	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_1, BPF_REG_10,
				  CG_S_L4 + TCP_OFF_FLAGS));
	bpf_prog_emit(p, insn_alu64_imm(BPF_AND, BPF_REG_1, tcp->flg_mask));
	bpf_prog_jump(p, insn_jmp_imm(invert ? BPF_JEQ : BPF_JNE, BPF_REG_1,
				      tcp->flg_cmp, 0), fail);
}

/*
 * One step of tcp_find_option()'s walk, for the option byte at @pos,
 * with the walk's index i in r1 as earlier steps left it (step 0 tests
 * nothing: i starts there).  The steps are laid out for every position
 * in order and i only grows, so each runs at most once and every offset
 * is a constant (no variable stack access, which a loader without
 * CAP_PERFMON may not use).
 *
 * No step reads optlen: the options were read into zeroes, so every
 * byte from optlen on is 0 (EOL), which is never the option looked for
 * (0 is never emitted: tcp_mt() skips the walk then) and moves i by one
 * until the steps end, as "i < optlen" ending the loop would; op[i + 1]
 * at i == optlen - 1 reads 0, which "?: 1" turns into the kernel's step
 * of one.  The last position reads no op[i + 1] (op[40] is past the
 * options: i ends past them either way).
 *
 * The new i goes through CG_S_OPT_I, where the verifier keeps no value,
 * so each step's test sees i unknown.  With i tracked, as it was, every
 * test of a known i has a known outcome, which without CAP_PERFMON makes
 * the verifier also walk the other branch as speculative execution, and
 * the states of different known values of i never prune one another:
 * 75,000 processed instructions for a program of one such rule on 6.1
 * (25,600 on 6.18), against 2,100 (1,200) now.
 */
static void emit_option_step(struct bpf_prog_buf *p, unsigned int pos,
			     __u8 option, unsigned int found)
{
	unsigned int next_step = bpf_prog_label(p);
	unsigned int by_one = bpf_prog_label(p);
	unsigned int by_len = bpf_prog_label(p);
	bool last = pos == TCP_OPT_MAX - 1;

	if (pos)
		bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_1, pos, 0),
			      next_step);
	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_4, BPF_REG_10, CG_S_OPT + pos));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_4, option, 0), found);
	if (last) {
		bpf_prog_bind(p, next_step);
		return;
	}
	bpf_prog_jump(p, insn_jmp_imm(BPF_JLT, BPF_REG_4, 2, 0), by_one);
	/* i += op[i + 1] ?: 1 */
	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_4, BPF_REG_10,
				  CG_S_OPT + pos + 1));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_4, 0, 0), by_len);
	bpf_prog_bind(p, by_one);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_4, 1));
	bpf_prog_bind(p, by_len);
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_4, pos));
	bpf_prog_emit(p, insn_stx(BPF_H, BPF_REG_10, BPF_REG_4, CG_S_OPT_I));
	bpf_prog_emit(p, insn_ldx(BPF_H, BPF_REG_1, BPF_REG_10, CG_S_OPT_I));
	bpf_prog_bind(p, next_step);
}

/* tcp_find_option() on the options after the 20-byte header. */
static void emit_option(struct codegen *cg, const struct xt_tcp *tcp,
			unsigned int fail)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	bool invert = tcp->invflags & XT_TCP_INV_OPTION;
	unsigned int found = bpf_prog_label(p);
	unsigned int absent = bpf_prog_label(p);
	unsigned int unreadable = bpf_prog_label(p);
	unsigned int done = bpf_prog_label(p);
	unsigned int pos, start, end;

	/* th->doff * 4 below the header's size is hot-dropped. */
	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_2, BPF_REG_10,
				  CG_S_L4 + TCP_OFF_DOFF));
	bpf_prog_emit(p, insn_alu64_imm(BPF_RSH, BPF_REG_2, 4));
	bpf_prog_emit(p, insn_alu64_imm(BPF_LSH, BPF_REG_2, 2));
	cg_hotdrop_unless(cg, insn_jmp_imm(BPF_JGE, BPF_REG_2, TCP_HDR_LEN, 0));
	bpf_prog_emit(p, insn_alu64_imm(BPF_SUB, BPF_REG_2, TCP_HDR_LEN));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_2, 0, 0), absent);
	/*
	 * Never taken (doff * 4 - 20 <= 40), but the read's size must be
	 * bounded after the last test of it, not only by the ALU ops
	 * before.  On paths the verifier thinks possible where CG_S_L4
	 * still holds the prologue's zeroes (no L4 bytes were read; it
	 * cannot tie that to CG_S_L4LEN) it knows doff, so the tests above
	 * have a known outcome, and without CAP_PERFMON it also walks the
	 * other branch as speculative execution with r2 made unknown.  6.1
	 * refused the read there: "R4 min value is negative, either use
	 * unsigned or 'var &= const'" (EACCES).  6.18 stops that path at
	 * the barrier after the first store below, before the read.
	 */
	bpf_prog_jump(p, insn_jmp_imm(BPF_JGT, BPF_REG_2, TCP_OPT_MAX, 0),
		      unreadable);

	/* Zeroes after the options: emit_option_step() relies on them. */
	for (pos = 0; pos < CG_OPT_BYTES; pos += 8)
		bpf_prog_emit(p, insn_st(BPF_DW, BPF_REG_10, CG_S_OPT + pos, 0));
	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_4, BPF_REG_10, CG_S_THOFF));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_4, TCP_HDR_LEN));
	cg_flavour(cg)->load_bytes(p, CG_S_OPT, unreadable);

	/*
	 * Positions 1 to 39 in groups of up to TCP_OPT_GROUP, each behind
	 * one test "i < the group's end" (i is at least its start there)
	 * whose fall-through jumps past the group.  The verifier keeps the
	 * other side of every branch it follows pending, at most 8,192
	 * ("The sequence of 8193 jumps is too complex", EFAULT), and
	 * follows fall-throughs first: its first path through a walk now
	 * passes 5 group tests instead of every step's 4 tests.  About 30
	 * rules with --tcp-option in one program were the most that
	 * loaded, now 300.
	 */
	emit_option_step(p, 0, tcp->option, found);
	for (start = 1; start < TCP_OPT_MAX; start = end) {
		unsigned int body = bpf_prog_label(p);
		unsigned int next_group = bpf_prog_label(p);

		end = (start / TCP_OPT_GROUP + 1) * TCP_OPT_GROUP;
		if (end > TCP_OPT_MAX)
			end = TCP_OPT_MAX;
		bpf_prog_jump(p, insn_jmp_imm(BPF_JLT, BPF_REG_1, end, 0), body);
		bpf_prog_jump(p, insn_ja(0), next_group);
		bpf_prog_bind(p, body);
		for (pos = start; pos < end; pos++)
			emit_option_step(p, pos, tcp->option, found);
		bpf_prog_bind(p, next_group);
	}
	bpf_prog_jump(p, insn_ja(0), absent);

	bpf_prog_bind(p, unreadable);
	cg_emit_verdict(cg, false);

	bpf_prog_bind(p, found);
	bpf_prog_jump(p, insn_ja(0), invert ? fail : done);
	bpf_prog_bind(p, absent);
	bpf_prog_jump(p, insn_ja(0), invert ? done : fail);
	bpf_prog_bind(p, done);
}

/* tcp_mt() */
static void tcp_emit(struct codegen *cg, const void *data, unsigned int fail)
{
	const struct xt_tcp *tcp = data;

	cg_l4_require_header(cg, TCP_HDR_LEN, true, fail);
	cg_l4_port_range(cg, CG_S_L4 + TCP_OFF_SPORT, tcp->spts[0], tcp->spts[1],
			 tcp->invflags & XT_TCP_INV_SRCPT, fail);
	cg_l4_port_range(cg, CG_S_L4 + TCP_OFF_DPORT, tcp->dpts[0], tcp->dpts[1],
			 tcp->invflags & XT_TCP_INV_DSTPT, fail);
	emit_flags(cg_prog(cg), tcp, fail);
	if (tcp->option)
		emit_option(cg, tcp, fail);
}

const struct bpfilter_ext bpfilter_match_tcp = {
	.name = "tcp",
	.revision = 0,
	.size = sizeof(struct xt_tcp),
	.proto = IPPROTO_TCP,
	.check = tcp_check,
	.emit = tcp_emit,
};
