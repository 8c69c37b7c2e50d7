// SPDX-License-Identifier: GPL-2.0
/*
 * The length match, revision 0 (xt_length, registered for NFPROTO_IPV4
 * and IPV6 separately): the IPv4 total length in [min, max], or not.
 */
#include <linux/netfilter/xt_length.h>

#include "codegen_emit.h"
#include "ext.h"

/*
 * length_mt(): skb_ip_totlen() is ntohs(iph->tot_len), but for a GSO TCP
 * skb whose tot_len is 0 (IPv4 BIG TCP, which 6.1 never builds: its
 * ip_rcv_core() drops any other tot_len below the header length).
 * invert is a u8 xor'ed into the bool, as cg_xor_invert() has it.
 */
static void length_emit(struct codegen *cg, const void *data,
			unsigned int fail)
{
	const struct xt_length_info *info = data;
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int hit = bpf_prog_label(p);
	unsigned int outside = bpf_prog_label(p);

	bpf_prog_emit(p, insn_ldx(BPF_H, BPF_REG_1, BPF_REG_10, CG_S_IPH + 2));
	bpf_prog_emit(p, insn_be(BPF_REG_1, 16));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JLT, BPF_REG_1, info->min, 0), outside);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JLE, BPF_REG_1, info->max, 0), hit);
	bpf_prog_bind(p, outside);
	cg_xor_invert(p, hit, info->invert, fail);
}

const struct bpfilter_ext bpfilter_match_length = {
	.name = "length",
	.revision = 0,
	.size = sizeof(struct xt_length_info),
	.emit = length_emit,
};
