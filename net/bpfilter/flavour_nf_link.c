// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter link flavour (BPF_PROG_TYPE_NETFILTER, kernels 6.4+):
 * ctx is struct bpf_nf_ctx { const struct nf_hook_state *state;
 * struct sk_buff *skb; }, both BTF-typed pointers the program may read
 * through.  Packet bytes are read through an skb dynptr (the
 * bpf_dynptr_from_skb kfunc, then the bpf_dynptr_read helper), which
 * handles non-linear skbs; at the IPv4 hooks the skb's data starts at
 * the IP header.  Kernel field offsets and the kfunc's BTF id are
 * relocations the loader resolves from vmlinux BTF.
 */
#include <errno.h>

#include <linux/netfilter.h>

#include "codegen_emit.h"

#define NF_CTX_STATE	0	/* struct bpf_nf_ctx, fixed by its ABI */
#define NF_CTX_SKB	8
#define CG_S_DYNPTR	CG_S_FLAVOUR

/* name[16] of state->in or ->out into @slot, or zeroes (no device). */
static void load_dev_name(struct bpf_prog_buf *p, enum bpfilter_kfield dev,
			  __s16 slot)
{
	unsigned int none = bpf_prog_label(p);
	unsigned int done = bpf_prog_label(p);

	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_1, CG_REG_CTX, NF_CTX_STATE));
	bpf_prog_emit_reloc(p, insn_ldx(BPF_DW, BPF_REG_2, BPF_REG_1, 0),
			    BPFILTER_RELOC_FIELD_OFFSET, dev);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_2, 0, 0), none);
	bpf_prog_emit_reloc(p, insn_ldx(BPF_DW, BPF_REG_3, BPF_REG_2, 0),
			    BPFILTER_RELOC_FIELD_OFFSET,
			    BPFILTER_KFIELD_NET_DEVICE_NAME);
	bpf_prog_emit_reloc(p, insn_ldx(BPF_DW, BPF_REG_4, BPF_REG_2, 8),
			    BPFILTER_RELOC_FIELD_OFFSET,
			    BPFILTER_KFIELD_NET_DEVICE_NAME);
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_3, slot));
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_4, slot + 8));
	bpf_prog_jump(p, insn_ja(0), done);
	bpf_prog_bind(p, none);
	bpf_prog_emit(p, insn_st(BPF_DW, BPF_REG_10, slot, 0));
	bpf_prog_emit(p, insn_st(BPF_DW, BPF_REG_10, slot + 8, 0));
	bpf_prog_bind(p, done);
}

static void nf_prologue(struct bpf_prog_buf *p, unsigned int hook)
{
	(void)hook;	/* x_tables reads in and out whatever the hook */

	bpf_prog_emit(p, insn_mov64_reg(CG_REG_CTX, BPF_REG_1));

	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_1, CG_REG_CTX, NF_CTX_SKB));
	bpf_prog_emit_reloc(p, insn_ldx(BPF_W, BPF_REG_2, BPF_REG_1, 0),
			    BPFILTER_RELOC_FIELD_OFFSET, BPFILTER_KFIELD_SKB_LEN);
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_2, CG_S_LEN));

	/* bpf_dynptr_from_skb(skb, 0, &dynptr) cannot fail with flags 0. */
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_2, 0));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_3, BPF_REG_10));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_3, CG_S_DYNPTR));
	bpf_prog_emit_reloc(p, insn_call_kfunc(), BPFILTER_RELOC_KFUNC,
			    BPFILTER_KFUNC_DYNPTR_FROM_SKB);

	load_dev_name(p, BPFILTER_KFIELD_HOOK_STATE_IN, CG_S_IN);
	load_dev_name(p, BPFILTER_KFIELD_HOOK_STATE_OUT, CG_S_OUT);
}

/* bpf_dynptr_read(dst, r2 bytes, &dynptr, offset r4, 0) */
static void nf_load_bytes(struct bpf_prog_buf *p, __s16 dst, unsigned int fail)
{
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_1, BPF_REG_10));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_1, dst));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_3, BPF_REG_10));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_3, CG_S_DYNPTR));
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_5, 0));
	bpf_prog_emit(p, insn_call_helper(BPF_FUNC_dynptr_read));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_0, 0, 0), fail);
}

/*
 * skb->pkt_type is a 3-bit bitfield; the kernel marks its byte with the
 * empty member __pkt_type_offset and reads it as that byte & 7 on
 * little-endian machines (PKT_TYPE_MAX), as we do.
 */
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "pkt_type's bit position is only known for little-endian kernels"
#endif
#define SKB_PKT_TYPE_MASK	7

/* Through ctx->skb, a BTF pointer; the offsets are relocations. */
static int nf_load_skb_field(struct bpf_prog_buf *p, enum cg_skb_field field,
			     __u8 dst)
{
	bpf_prog_emit(p, insn_ldx(BPF_DW, dst, CG_REG_CTX, NF_CTX_SKB));
	switch (field) {
	case CG_SKB_MARK:
		bpf_prog_emit_reloc(p, insn_ldx(BPF_W, dst, dst, 0),
				    BPFILTER_RELOC_FIELD_OFFSET,
				    BPFILTER_KFIELD_SKB_MARK);
		return 0;
	case CG_SKB_PKT_TYPE:
		bpf_prog_emit_reloc(p, insn_ldx(BPF_B, dst, dst, 0),
				    BPFILTER_RELOC_FIELD_OFFSET,
				    BPFILTER_KFIELD_SKB_PKT_TYPE);
		bpf_prog_emit(p, insn_alu64_imm(BPF_AND, dst, SKB_PKT_TYPE_MASK));
		return 0;
	}
	return -EOPNOTSUPP;
}

/*
 * No load_mac_header: the MAC header lies before skb->data, where an
 * skb dynptr cannot reach, and a BTF read of skb->head gives a number,
 * not a pointer the program may follow.
 */
const struct codegen_flavour codegen_flavour_nf_link = {
	.id = BPFILTER_FLAVOUR_NF_LINK,
	.prologue = nf_prologue,
	.load_bytes = nf_load_bytes,
	.load_skb_field = nf_load_skb_field,
	.verdict_accept = NF_ACCEPT,
	.verdict_drop = NF_DROP,
};
