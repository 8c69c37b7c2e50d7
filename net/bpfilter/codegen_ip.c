// SPDX-License-Identifier: GPL-2.0
/*
 * The ipt_ip part of a rule, as 6.1's ip_packet_match() tests it: each
 * test is NF_INVF(ip, flag, differs), i.e. "differs" xor "inverted", and
 * a true result fails the rule.  Tests whose outcome is known from the
 * rule alone emit nothing, or an unconditional jump to @fail.
 */
#include <string.h>

#include "codegen_emit.h"

/*
 * Addresses compare as the packet's bytes do: no byte swapping.  The
 * test is ((addr ^ rule) & mask) != 0 on a scratch register, never a
 * compare of r7/r8 themselves: the verifier would learn their value on
 * one branch and then explore every later rule once per learnt value.
 */
static void emit_addr(struct bpf_prog_buf *p, __u8 reg, __u32 addr,
		      __u32 mask, bool invert, unsigned int fail)
{
	/* addr & 0 == 0 for any packet: only addr and the inversion count. */
	if (!mask) {
		if ((addr != 0) != invert)
			bpf_prog_jump(p, insn_ja(0), fail);
		return;
	}
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_1, reg));
	if (mask != 0xffffffffU)
		bpf_prog_emit(p, insn_alu32_imm(BPF_AND, BPF_REG_1, mask));
	bpf_prog_emit(p, insn_alu32_imm(BPF_XOR, BPF_REG_1, addr));
	bpf_prog_jump(p, insn_jmp32_imm(invert ? BPF_JEQ : BPF_JNE, BPF_REG_1,
					0, 0), fail);
}

/*
 * ifname_compare_aligned(): (name ^ rule) & mask over the 16 bytes, as
 * two native-endian u64 words; the rule's words are built from its bytes
 * exactly as the program loads the device's, so no byte order enters.
 */
static void emit_ifname(struct bpf_prog_buf *p, __s16 slot,
			const char *name, const unsigned char *mask,
			bool invert, unsigned int fail)
{
	unsigned int w, used = 0;
	__u64 want, m;

	for (w = 0; w < 2; w++) {
		memcpy(&m, mask + 8 * w, sizeof(m));
		if (!m)
			continue;
		memcpy(&want, name + 8 * w, sizeof(want));
		bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_1, BPF_REG_10,
					  slot + 8 * w));
		bpf_prog_emit(p, insn_ld_imm64_lo(BPF_REG_2, 0, want));
		bpf_prog_emit(p, insn_ld_imm64_hi(want));
		bpf_prog_emit(p, insn_alu64_reg(BPF_XOR, BPF_REG_1, BPF_REG_2));
		if (m != ~0ULL) {
			bpf_prog_emit(p, insn_ld_imm64_lo(BPF_REG_2, 0, m));
			bpf_prog_emit(p, insn_ld_imm64_hi(m));
			bpf_prog_emit(p, insn_alu64_reg(BPF_AND, BPF_REG_1,
							BPF_REG_2));
		}
		if (!invert) {
			/* Any masked difference fails the rule. */
			bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_1, 0, 0),
				      fail);
			continue;
		}
		/* Inverted: only no difference at all fails; collect in r3. */
		if (used++)
			bpf_prog_emit(p, insn_alu64_reg(BPF_OR, BPF_REG_3,
							BPF_REG_1));
		else
			bpf_prog_emit(p, insn_mov64_reg(BPF_REG_3, BPF_REG_1));
	}
	if (!invert)
		return;
	if (used)
		bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_3, 0, 0), fail);
	else
		bpf_prog_jump(p, insn_ja(0), fail);
}

static void emit_proto(struct bpf_prog_buf *p, __u16 proto, bool invert,
		       unsigned int fail)
{
	if (!proto)
		return;
	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_1, BPF_REG_10, CG_S_PROTO));
	/*
	 * Compared as (proto ^ rule) != 0 (see emit_addr()): the stack slot
	 * keeps no learnt value.  ipt_ip.proto is a u16; a packet's protocol
	 * never exceeds 255, so 256 and above never match, as in x_tables.
	 */
	bpf_prog_emit(p, insn_alu64_imm(BPF_XOR, BPF_REG_1, proto));
	bpf_prog_jump(p, insn_jmp_imm(invert ? BPF_JEQ : BPF_JNE, BPF_REG_1,
				      0, 0), fail);
}

/* NF_INVF(IPT_INV_FRAG, (flags & IPT_F_FRAG) && !fragoff) */
static void emit_frag(struct bpf_prog_buf *p, bool frag, bool invert,
		      unsigned int fail)
{
	if (!frag) {
		if (invert)
			bpf_prog_jump(p, insn_ja(0), fail);
		return;
	}
	cg_load_untracked(p, BPF_REG_1, CG_S_FRAGOFF, CG_FRAGOFF_MASK);
	bpf_prog_jump(p, insn_jmp_imm(invert ? BPF_JNE : BPF_JEQ, BPF_REG_1,
				      0, 0), fail);
}

void cg_emit_ip(struct codegen *cg, const struct ipt_ip *ip, unsigned int fail)
{
	struct bpf_prog_buf *p = cg_prog(cg);

	emit_addr(p, CG_REG_SADDR, ip->src.s_addr, ip->smsk.s_addr,
		  ip->invflags & IPT_INV_SRCIP, fail);
	emit_addr(p, CG_REG_DADDR, ip->dst.s_addr, ip->dmsk.s_addr,
		  ip->invflags & IPT_INV_DSTIP, fail);
	emit_ifname(p, CG_S_IN, ip->iniface, ip->iniface_mask,
		    ip->invflags & IPT_INV_VIA_IN, fail);
	emit_ifname(p, CG_S_OUT, ip->outiface, ip->outiface_mask,
		    ip->invflags & IPT_INV_VIA_OUT, fail);
	emit_proto(p, ip->proto, ip->invflags & IPT_INV_PROTO, fail);
	emit_frag(p, ip->flags & IPT_F_FRAG, ip->invflags & IPT_INV_FRAG, fail);
}
