// SPDX-License-Identifier: GPL-2.0
/*
 * The pkttype match, revision 0 (xt_pkttype, NFPROTO_UNSPEC): the link
 * layer's packet class (unicast to this host, broadcast, multicast...)
 * equal to a value, or not.  No check: a value no class has never
 * matches.  The flavour reads skb->pkt_type.
 */
#include <linux/if_packet.h>
#include <linux/netfilter/xt_pkttype.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"

/*
 * pkttype_mt(): a looped-back packet (PACKET_LOOPBACK: a local multicast
 * or broadcast's copy) is multicast when its destination is a multicast
 * address (ipv4_is_multicast(): 224.0.0.0/4) and broadcast otherwise.
 * Then (type == pkttype) ^ invert, invert an int.
 */
static void pkttype_emit(struct codegen *cg, const void *data,
			 unsigned int fail)
{
	const struct xt_pkttype_info *info = data;
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int typed = bpf_prog_label(p);
	unsigned int hit = bpf_prog_label(p);
	int err;

	err = cg_flavour(cg)->load_skb_field(p, CG_SKB_PKT_TYPE, BPF_REG_1);
	if (err) {
		bpfilter_log_ratelimited("codegen: this flavour cannot read the packet type");
		cg_refuse(cg, err);
		return;
	}
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_1, PACKET_LOOPBACK, 0),
		      typed);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_1, PACKET_BROADCAST));
	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_2, BPF_REG_10, CG_S_IPH + 16));
	bpf_prog_emit(p, insn_alu64_imm(BPF_AND, BPF_REG_2, 0xf0));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_2, 0xe0, 0), typed);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_1, PACKET_MULTICAST));
	bpf_prog_bind(p, typed);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_1, info->pkttype, 0), hit);
	cg_xor_invert(p, hit, info->invert, fail);
}

const struct bpfilter_ext bpfilter_match_pkttype = {
	.name = "pkttype",
	.revision = 0,
	.size = sizeof(struct xt_pkttype_info),
	.unspec = true,
	.emit = pkttype_emit,
};
