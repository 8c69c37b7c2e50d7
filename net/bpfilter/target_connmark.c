// SPDX-License-Identifier: GPL-2.0
/*
 * The CONNMARK target (xt_connmark, revisions 1 and 2): --set-xmark,
 * --save-mark and --restore-mark, with masks and (revision 2) shifts.
 * The entry's mark is struct bpfilter_meta's ct_mark, which later rules
 * read; a changed one is flagged (BPFILTER_ACT_CT_MARK) and bpfilter.ko's
 * hook writes it to the entry after the run, with the IPCT_MARK event,
 * as connmark_tg_shift() does.  --restore-mark writes the skb's mark,
 * which only the SCHED_CLS flavour may (and only it has metadata).
 * Without an entry the target does nothing.
 */
#include <errno.h>
#include <stddef.h>

#include <linux/bpf.h>
#include <linux/netfilter/xt_connmark.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"
#include "msgfmt.h"

#define R_META	BPF_REG_5
#define META(field)	((__s16)offsetof(struct bpfilter_meta, field))
#define SKB_MARK	((__s16)offsetof(struct __sk_buff, mark))

/* connmark_tg_check_v2() */
static int connmark_check_v2(const void *data, const struct ipt_entry *e)
{
	const struct xt_connmark_tginfo2 *info = data;

	(void)e;
	if (info->shift_dir > D_SHIFT_RIGHT || info->shift_bits >= 32) {
		bpfilter_log_ratelimited("CONNMARK target: shift %u by %u bits",
					 info->shift_dir, info->shift_bits);
		return -EINVAL;
	}
	return 0;
}

static void emit_shift(struct bpf_prog_buf *p, __u8 reg,
		       const struct xt_connmark_tginfo2 *info)
{
	if (info->shift_bits)
		bpf_prog_emit(p, insn_alu32_imm(info->shift_dir == D_SHIFT_RIGHT ?
						BPF_RSH : BPF_LSH,
						reg, info->shift_bits));
}

/* connmark_tg_shift() */
static void connmark_emit_info(struct codegen *cg,
			       const struct xt_connmark_tginfo2 *info)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int have_ct = bpf_prog_label(p);
	unsigned int done = bpf_prog_label(p);

	if (!cg_meta_ptr(cg, R_META, BPFILTER_NEED_CT | BPFILTER_NEED_CT_MARK,
			 "-j CONNMARK"))
		return;
	if (info->mode > XT_CONNMARK_RESTORE)
		return;		/* the kernel's switch has no case for it */
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, R_META, META(ct_flags)));
	bpf_prog_jump(p, insn_jmp32_imm(BPF_JSET, BPF_REG_1,
					BPFILTER_CT_PRESENT, 0), have_ct);
	bpf_prog_jump(p, insn_ja(0), done);
	bpf_prog_bind(p, have_ct);

	if (info->mode == XT_CONNMARK_RESTORE) {
		bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, R_META, META(ct_mark)));
		bpf_prog_emit(p, insn_alu32_imm(BPF_AND, BPF_REG_1,
						(__s32)info->ctmask));
		emit_shift(p, BPF_REG_1, info);
		bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_2, CG_REG_CTX, SKB_MARK));
		bpf_prog_emit(p, insn_alu32_imm(BPF_AND, BPF_REG_2,
						(__s32)~info->nfmask));
		bpf_prog_emit(p, insn_alu32_reg(BPF_XOR, BPF_REG_2, BPF_REG_1));
		bpf_prog_emit(p, insn_stx(BPF_W, CG_REG_CTX, BPF_REG_2, SKB_MARK));
		bpf_prog_bind(p, done);
		return;
	}

	/* r1 = the new mark. */
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, R_META, META(ct_mark)));
	bpf_prog_emit(p, insn_alu32_imm(BPF_AND, BPF_REG_1, (__s32)~info->ctmask));
	if (info->mode == XT_CONNMARK_SET) {
		bpf_prog_emit(p, insn_alu32_imm(BPF_XOR, BPF_REG_1,
						(__s32)info->ctmark));
		emit_shift(p, BPF_REG_1, info);
	} else {
		bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_2, CG_REG_CTX, SKB_MARK));
		bpf_prog_emit(p, insn_alu32_imm(BPF_AND, BPF_REG_2,
						(__s32)info->nfmask));
		emit_shift(p, BPF_REG_2, info);
		bpf_prog_emit(p, insn_alu32_reg(BPF_XOR, BPF_REG_1, BPF_REG_2));
	}
	/* Only a change is written (and makes an event). */
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_2, R_META, META(ct_mark)));
	bpf_prog_jump(p, insn_jmp_reg(BPF_JEQ, BPF_REG_1, BPF_REG_2, 0), done);
	bpf_prog_emit(p, insn_stx(BPF_W, R_META, BPF_REG_1, META(ct_mark)));
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_2, R_META, META(actions)));
	bpf_prog_emit(p, insn_alu32_imm(BPF_OR, BPF_REG_2, BPFILTER_ACT_CT_MARK));
	bpf_prog_emit(p, insn_stx(BPF_W, R_META, BPF_REG_2, META(actions)));
	bpf_prog_bind(p, done);
}

/* connmark_tg(): revision 1 is revision 2 without shifts. */
static void connmark_emit_v1(struct codegen *cg, const void *data)
{
	const struct xt_connmark_tginfo1 *v1 = data;
	const struct xt_connmark_tginfo2 info = {
		.ctmark = v1->ctmark,
		.ctmask = v1->ctmask,
		.nfmask = v1->nfmask,
		.mode = v1->mode,
	};

	connmark_emit_info(cg, &info);
}

static void connmark_emit_v2(struct codegen *cg, const void *data)
{
	connmark_emit_info(cg, data);
}

const struct bpfilter_ext bpfilter_target_connmark_v1 = {
	.name = "CONNMARK",
	.revision = 1,
	.size = sizeof(struct xt_connmark_tginfo1),
	.emit_target = connmark_emit_v1,
};

const struct bpfilter_ext bpfilter_target_connmark_v2 = {
	.name = "CONNMARK",
	.revision = 2,
	.size = sizeof(struct xt_connmark_tginfo2),
	.check = connmark_check_v2,
	.emit_target = connmark_emit_v2,
};
