// SPDX-License-Identifier: GPL-2.0
/*
 * The MARK target (xt_mark, revision 2, the only one 6.1 has):
 * skb->mark = (skb->mark & ~mask) ^ mark, then the next rule.  A
 * SCHED_CLS program may write __sk_buff.mark; one attached with the BPF
 * netfilter link may not, so that flavour refuses the rule.
 */
#include <stddef.h>

#include <linux/bpf.h>
#include <linux/netfilter/xt_mark.h>

#include "codegen_emit.h"
#include "ext.h"

static void mark_emit(struct codegen *cg, const void *data)
{
	const struct xt_mark_tginfo2 *info = data;
	struct bpf_prog_buf *p = cg_prog(cg);
	const __s16 mark = offsetof(struct __sk_buff, mark);

	if (!cg_hook_actions(cg, "-j MARK"))
		return;
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, CG_REG_CTX, mark));
	bpf_prog_emit(p, insn_alu32_imm(BPF_AND, BPF_REG_1, (__s32)~info->mask));
	bpf_prog_emit(p, insn_alu32_imm(BPF_XOR, BPF_REG_1, (__s32)info->mark));
	bpf_prog_emit(p, insn_stx(BPF_W, CG_REG_CTX, BPF_REG_1, mark));
}

const struct bpfilter_ext bpfilter_target_mark = {
	.name = "MARK",
	.revision = 2,
	.size = sizeof(struct xt_mark_tginfo2),
	.emit_target = mark_emit,
};
