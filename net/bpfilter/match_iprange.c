// SPDX-License-Identifier: GPL-2.0
/*
 * The iprange match, revision 1 (xt_iprange; 6.1 has no revision 0):
 * the source and/or the destination address inside an inclusive range
 * of addresses, or outside it.  No check: flags without IPRANGE_SRC or
 * IPRANGE_DST test nothing, and a reversed range holds no address.
 */
#include <arpa/inet.h>

#include <linux/netfilter/xt_iprange.h>

#include "codegen_emit.h"
#include "ext.h"

/*
 * One side of iprange_mt4(): m = addr < min || addr > max, m ^= inv, a
 * true m fails (with inv, a packet outside the range passes).  @addr is
 * the register holding the address as it lies in the packet; the
 * comparisons are on its host-order value, unsigned 32-bit, so that the
 * range's ends need no sign-extension.
 */
static void emit_range(struct bpf_prog_buf *p, __u8 addr, __be32 min,
		       __be32 max, bool inv, unsigned int fail)
{
	unsigned int pass = bpf_prog_label(p);

	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_1, addr));
	bpf_prog_emit(p, insn_be(BPF_REG_1, 32));
	bpf_prog_jump(p, insn_jmp32_imm(BPF_JLT, BPF_REG_1, ntohl(min), 0),
		      inv ? pass : fail);
	bpf_prog_jump(p, insn_jmp32_imm(BPF_JGT, BPF_REG_1, ntohl(max), 0),
		      inv ? pass : fail);
	if (inv)
		bpf_prog_jump(p, insn_ja(0), fail);
	bpf_prog_bind(p, pass);
}

static void iprange_emit(struct codegen *cg, const void *data,
			 unsigned int fail)
{
	const struct xt_iprange_mtinfo *info = data;
	struct bpf_prog_buf *p = cg_prog(cg);

	if (info->flags & IPRANGE_SRC)
		emit_range(p, CG_REG_SADDR, info->src_min.ip, info->src_max.ip,
			   info->flags & IPRANGE_SRC_INV, fail);
	if (info->flags & IPRANGE_DST)
		emit_range(p, CG_REG_DADDR, info->dst_min.ip, info->dst_max.ip,
			   info->flags & IPRANGE_DST_INV, fail);
}

const struct bpfilter_ext bpfilter_match_iprange = {
	.name = "iprange",
	.revision = 1,
	.size = sizeof(struct xt_iprange_mtinfo),
	.emit = iprange_emit,
};
