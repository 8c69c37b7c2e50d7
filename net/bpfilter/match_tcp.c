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

/* Unknown invflags bits could mean a test we would not perform. */
static int tcp_check(const void *data)
{
	const struct xt_tcp *tcp = data;

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

	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_1, BPF_REG_10,
				  CG_S_L4 + TCP_OFF_FLAGS));
	bpf_prog_emit(p, insn_alu64_imm(BPF_AND, BPF_REG_1, tcp->flg_mask));
	bpf_prog_jump(p, insn_jmp_imm(invert ? BPF_JEQ : BPF_JNE, BPF_REG_1,
				      tcp->flg_cmp, 0), fail);
}

/*
 * One step of tcp_find_option()'s walk, for the option byte at @pos;
 * r1 is the walk's index i, r3 optlen, r5 optlen - 1.  The steps are laid
 * out for every position in order and i only grows, so each runs at most
 * once and every offset is a constant (no variable stack access, which a
 * loader without CAP_PERFMON may not use).
 */
static void emit_option_step(struct bpf_prog_buf *p, unsigned int pos,
			     __u8 option, unsigned int found,
			     unsigned int absent)
{
	unsigned int next_step = bpf_prog_label(p);
	unsigned int by_one = bpf_prog_label(p);
	unsigned int by_len = bpf_prog_label(p);

	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_1, pos, 0), next_step);
	bpf_prog_jump(p, insn_jmp_reg(BPF_JGE, BPF_REG_1, BPF_REG_3, 0), absent);
	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_4, BPF_REG_10, CG_S_OPT + pos));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_4, option, 0), found);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JLT, BPF_REG_4, 2, 0), by_one);
	bpf_prog_jump(p, insn_jmp_reg(BPF_JEQ, BPF_REG_1, BPF_REG_5, 0), by_one);
	/* i += op[i + 1] ?: 1 */
	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_4, BPF_REG_10,
				  CG_S_OPT + pos + 1));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_4, 0, 0), by_len);
	bpf_prog_bind(p, by_one);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_4, 1));
	bpf_prog_bind(p, by_len);
	bpf_prog_emit(p, insn_alu64_reg(BPF_ADD, BPF_REG_1, BPF_REG_4));
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
	unsigned int pos;

	/* th->doff * 4 below the header's size is hot-dropped. */
	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_2, BPF_REG_10,
				  CG_S_L4 + TCP_OFF_DOFF));
	bpf_prog_emit(p, insn_alu64_imm(BPF_RSH, BPF_REG_2, 4));
	bpf_prog_emit(p, insn_alu64_imm(BPF_LSH, BPF_REG_2, 2));
	cg_hotdrop_unless(cg, insn_jmp_imm(BPF_JGE, BPF_REG_2, TCP_HDR_LEN, 0));
	bpf_prog_emit(p, insn_alu64_imm(BPF_SUB, BPF_REG_2, TCP_HDR_LEN));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_2, 0, 0), absent);

	for (pos = 0; pos < CG_OPT_BYTES; pos += 8)
		bpf_prog_emit(p, insn_st(BPF_DW, BPF_REG_10, CG_S_OPT + pos, 0));
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_2, CG_S_KEY));
	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_4, BPF_REG_10, CG_S_THOFF));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_4, TCP_HDR_LEN));
	cg_flavour(cg)->load_bytes(p, CG_S_OPT, unreadable);

	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_3, BPF_REG_10, CG_S_KEY));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_5, BPF_REG_3));
	bpf_prog_emit(p, insn_alu64_imm(BPF_SUB, BPF_REG_5, 1));
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_1, 0));
	for (pos = 0; pos < TCP_OPT_MAX; pos++)
		emit_option_step(p, pos, tcp->option, found, absent);
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
