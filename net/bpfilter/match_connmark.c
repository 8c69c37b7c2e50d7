// SPDX-License-Identifier: GPL-2.0
/*
 * The connmark match (xt_connmark, revision 1): the packet's conntrack
 * entry's mark, as bpfilter.ko's hook copied it into struct
 * bpfilter_meta (ct_mark) and CONNMARK rules before this one changed it
 * there.  A packet without an entry never matches.  Its checkentry only
 * makes sure conntrack runs in the namespace (the module does).
 */
#include <stddef.h>

#include <linux/netfilter/xt_connmark.h>

#include "codegen_emit.h"
#include "ext.h"
#include "msgfmt.h"

#define R_META	BPF_REG_5

/* connmark_mt(): ((ct->mark & mask) == mark) ^ invert */
static void connmark_emit(struct codegen *cg, const void *data,
			  unsigned int fail)
{
	const struct xt_connmark_mtinfo1 *info = data;
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int have_ct = bpf_prog_label(p);
	unsigned int equal = bpf_prog_label(p);

	if (!cg_meta_ptr(cg, R_META, BPFILTER_NEED_CT | BPFILTER_NEED_CT_MARK,
			 "-m connmark"))
		return;
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, R_META,
				  offsetof(struct bpfilter_meta, ct_flags)));
	bpf_prog_jump(p, insn_jmp32_imm(BPF_JSET, BPF_REG_1,
					BPFILTER_CT_PRESENT, 0), have_ct);
	bpf_prog_jump(p, insn_ja(0), fail);
	bpf_prog_bind(p, have_ct);
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, R_META,
				  offsetof(struct bpfilter_meta, ct_mark)));
	bpf_prog_emit(p, insn_alu32_imm(BPF_AND, BPF_REG_1, (__s32)info->mask));
	/* bool ^ u8: with invert above 1 both outcomes are true. */
	if (info->invert > 1)
		return;
	if (info->invert) {
		bpf_prog_jump(p, insn_jmp32_imm(BPF_JEQ, BPF_REG_1,
						(__s32)info->mark, 0), fail);
		return;
	}
	bpf_prog_jump(p, insn_jmp32_imm(BPF_JEQ, BPF_REG_1, (__s32)info->mark, 0),
		      equal);
	bpf_prog_jump(p, insn_ja(0), fail);
	bpf_prog_bind(p, equal);
}

const struct bpfilter_ext bpfilter_match_connmark = {
	.name = "connmark",
	.revision = 1,
	.size = sizeof(struct xt_connmark_mtinfo1),
	.emit = connmark_emit,
	.unspec = true,	/* NFPROTO_UNSPEC in 6.1 */
};
