// SPDX-License-Identifier: GPL-2.0
/*
 * The ttl match, revision 0 (xt_hl's "ttl", NFPROTO_IPV4): the IPv4 TTL
 * equal to, not equal to, below or above a value.
 */
#include <errno.h>

#include <linux/netfilter_ipv4/ipt_ttl.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"

/* ttl_mt_check(): a mode ttl_mt() does not know is refused. */
static int ttl_check(const void *data, const struct ipt_entry *e)
{
	const struct ipt_ttl_info *info = data;

	(void)e;

	if (info->mode > IPT_TTL_GT) {
		bpfilter_log_ratelimited("ttl match: unknown mode %u",
					 info->mode);
		return -EINVAL;
	}
	return 0;
}

/* ttl_mt(): each mode's comparison fails on the opposite one. */
static void ttl_emit(struct codegen *cg, const void *data, unsigned int fail)
{
	static const __u8 mismatch[] = {
		[IPT_TTL_EQ] = BPF_JNE,
		[IPT_TTL_NE] = BPF_JEQ,
		[IPT_TTL_LT] = BPF_JGE,
		[IPT_TTL_GT] = BPF_JLE,
	};
	const struct ipt_ttl_info *info = data;
	struct bpf_prog_buf *p = cg_prog(cg);

	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_1, BPF_REG_10, CG_S_IPH + 8));
	bpf_prog_jump(p, insn_jmp_imm(mismatch[info->mode], BPF_REG_1,
				      info->ttl, 0), fail);
}

const struct bpfilter_ext bpfilter_match_ttl = {
	.name = "ttl",
	.revision = 0,
	.size = sizeof(struct ipt_ttl_info),
	.check = ttl_check,
	.emit = ttl_emit,
};
