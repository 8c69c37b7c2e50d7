// SPDX-License-Identifier: GPL-2.0
/*
 * The tos match, revision 1 (xt_dscp.c's "tos"; 6.1 has no revision 0):
 * the IPv4 TOS byte under a mask equal to a value, or not.  No check:
 * a value with bits outside the mask simply never matches.
 */
#include <linux/netfilter/xt_dscp.h>

#include "codegen_emit.h"
#include "ext.h"

/* tos_mt(): ((tos & tos_mask) == tos_value) ^ !!invert */
static void tos_emit(struct codegen *cg, const void *data, unsigned int fail)
{
	const struct xt_tos_match_info *info = data;
	struct bpf_prog_buf *p = cg_prog(cg);

	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_1, BPF_REG_10, CG_S_IPH + 1));
	bpf_prog_emit(p, insn_alu64_imm(BPF_AND, BPF_REG_1, info->tos_mask));
	bpf_prog_jump(p, insn_jmp_imm(info->invert ? BPF_JEQ : BPF_JNE,
				      BPF_REG_1, info->tos_value, 0), fail);
}

const struct bpfilter_ext bpfilter_match_tos = {
	.name = "tos",
	.revision = 1,
	.size = sizeof(struct xt_tos_match_info),
	.emit = tos_emit,
};
