// SPDX-License-Identifier: GPL-2.0
/*
 * The mark match, revision 1 (xt_mark, NFPROTO_UNSPEC; 6.1 has no
 * revision 0): the packet's mark under a mask equal to a value, or not.
 * No check.  The flavour reads skb->mark.
 */
#include <linux/netfilter/xt_mark.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"

/* mark_mt(): ((skb->mark & mask) == mark) ^ invert, in 32 bits. */
static void mark_emit(struct codegen *cg, const void *data, unsigned int fail)
{
	const struct xt_mark_mtinfo1 *info = data;
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int hit = bpf_prog_label(p);
	int err;

	err = cg_flavour(cg)->load_skb_field(p, CG_SKB_MARK, BPF_REG_1);
	if (err) {
		bpfilter_log_ratelimited("codegen: this flavour cannot read the mark");
		cg_refuse(cg, err);
		return;
	}
	bpf_prog_emit(p, insn_alu32_imm(BPF_AND, BPF_REG_1, info->mask));
	bpf_prog_jump(p, insn_jmp32_imm(BPF_JEQ, BPF_REG_1, info->mark, 0), hit);
	cg_xor_invert(p, hit, info->invert, fail);
}

const struct bpfilter_ext bpfilter_match_mark = {
	.name = "mark",
	.revision = 1,
	.size = sizeof(struct xt_mark_mtinfo1),
	.unspec = true,
	.emit = mark_emit,
};
