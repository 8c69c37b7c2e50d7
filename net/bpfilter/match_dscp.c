// SPDX-License-Identifier: GPL-2.0
/*
 * The dscp match, revision 0 (xt_dscp, NFPROTO_IPV4): the six DSCP bits
 * of the IPv4 TOS byte equal to a value, or not.
 */
#include <errno.h>

#include <linux/netfilter/xt_dscp.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"

/* dscp_mt_check(): a value the six bits cannot hold is -EDOM. */
static int dscp_check(const void *data, const struct ipt_entry *e)
{
	const struct xt_dscp_info *info = data;

	(void)e;

	if (info->dscp > XT_DSCP_MAX) {
		bpfilter_log_ratelimited("dscp match: %#x is above %#x",
					 info->dscp, XT_DSCP_MAX);
		return -EDOM;
	}
	return 0;
}

/* dscp_mt(): ((tos >> XT_DSCP_SHIFT) == dscp) ^ !!invert */
static void dscp_emit(struct codegen *cg, const void *data, unsigned int fail)
{
	const struct xt_dscp_info *info = data;
	struct bpf_prog_buf *p = cg_prog(cg);

	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_1, BPF_REG_10, CG_S_IPH + 1));
	bpf_prog_emit(p, insn_alu64_imm(BPF_RSH, BPF_REG_1, XT_DSCP_SHIFT));
	bpf_prog_jump(p, insn_jmp_imm(info->invert ? BPF_JEQ : BPF_JNE,
				      BPF_REG_1, info->dscp, 0), fail);
}

const struct bpfilter_ext bpfilter_match_dscp = {
	.name = "dscp",
	.revision = 0,
	.size = sizeof(struct xt_dscp_info),
	.check = dscp_check,
	.emit = dscp_emit,
};
