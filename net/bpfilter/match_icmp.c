// SPDX-License-Identifier: GPL-2.0
/* The icmp match, revision 0 (ip_tables' built-in "icmp"). */
#include <errno.h>
#include <netinet/in.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"

#define ICMP_HDR_LEN	8
#define ICMP_TYPE_ANY	0xFF

/* Unknown invflags bits could mean a test we would not perform. */
static int icmp_check(const void *data, const struct ipt_entry *e)
{
	const struct ipt_icmp *icmp = data;

	(void)e;	/* the generic check tested the protocol */

	if (icmp->invflags & ~IPT_ICMP_INV) {
		bpfilter_log_ratelimited("icmp match: unknown invflags %#x",
					 icmp->invflags);
		return -EINVAL;
	}
	return 0;
}

/*
 * icmp_match(): (type == 0xFF || (type matches && code in range)) xor
 * the inversion.
 */
static void icmp_emit(struct codegen *cg, const void *data, unsigned int fail)
{
	const struct ipt_icmp *icmp = data;
	bool invert = icmp->invflags & IPT_ICMP_INV;
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int differs;

	cg_l4_require_header(cg, ICMP_HDR_LEN, false, fail);
	if (icmp->type == ICMP_TYPE_ANY) {
		if (invert)
			bpf_prog_jump(p, insn_ja(0), fail);
		return;
	}
	differs = invert ? bpf_prog_label(p) : fail;
	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_1, BPF_REG_10, CG_S_L4));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_1, icmp->type, 0),
		      differs);
	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_1, BPF_REG_10, CG_S_L4 + 1));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JLT, BPF_REG_1, icmp->code[0], 0),
		      differs);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JGT, BPF_REG_1, icmp->code[1], 0),
		      differs);
	if (invert) {
		bpf_prog_jump(p, insn_ja(0), fail);
		bpf_prog_bind(p, differs);
	}
}

const struct bpfilter_ext bpfilter_match_icmp = {
	.name = "icmp",
	.revision = 0,
	.size = sizeof(struct ipt_icmp),
	.proto = IPPROTO_ICMP,
	.check = icmp_check,
	.emit = icmp_emit,
};
