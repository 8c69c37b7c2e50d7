// SPDX-License-Identifier: GPL-2.0
/* What the tcp, udp and icmp matches share: fragments, header, ports. */
#include "codegen_emit.h"

void cg_l4_require_header(struct codegen *cg, unsigned int need, bool tcp,
			  unsigned int fail)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int first = bpf_prog_label(p);

	cg_load_untracked(p, BPF_REG_1, CG_S_FRAGOFF, CG_FRAGOFF_MASK);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_1, 0, 0), first);
	/* tcp_mt(): "Dropping evil TCP offset=1 frag." */
	if (tcp)
		cg_hotdrop_unless(cg, insn_jmp_imm(BPF_JNE, BPF_REG_1, 1, 0));
	bpf_prog_jump(p, insn_ja(0), fail);
	bpf_prog_bind(p, first);

	cg_load_untracked(p, BPF_REG_1, CG_S_L4LEN, CG_L4LEN_MASK);
	cg_hotdrop_unless(cg, insn_jmp_imm(BPF_JGE, BPF_REG_1, need, 0));
}

/* port_match(): (min <= port && port <= max) ^ invert */
void cg_l4_port_range(struct codegen *cg, __s16 slot, __u16 min, __u16 max,
		      bool invert, unsigned int fail)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int outside;

	if (min == 0 && max == 0xffff) {
		if (invert)
			bpf_prog_jump(p, insn_ja(0), fail);
		return;
	}
	bpf_prog_emit(p, insn_ldx(BPF_H, BPF_REG_1, BPF_REG_10, slot));
	bpf_prog_emit(p, insn_be(BPF_REG_1, 16));
	if (!invert) {
		if (min)
			bpf_prog_jump(p, insn_jmp_imm(BPF_JLT, BPF_REG_1, min, 0),
				      fail);
		if (max != 0xffff)
			bpf_prog_jump(p, insn_jmp_imm(BPF_JGT, BPF_REG_1, max, 0),
				      fail);
		return;
	}
	/* Inverted: fails exactly when the port is in range. */
	outside = bpf_prog_label(p);
	if (min)
		bpf_prog_jump(p, insn_jmp_imm(BPF_JLT, BPF_REG_1, min, 0),
			      outside);
	if (max != 0xffff)
		bpf_prog_jump(p, insn_jmp_imm(BPF_JGT, BPF_REG_1, max, 0),
			      outside);
	bpf_prog_jump(p, insn_ja(0), fail);
	bpf_prog_bind(p, outside);
}
