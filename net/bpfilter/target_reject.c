// SPDX-License-Identifier: GPL-2.0
/*
 * The REJECT target (ipt_REJECT, revision 0).  The kernel's own reject
 * code builds the ICMP error or the TCP reset: the program returns
 * BPFILTER_RET_REJECT + the rule's ipt_reject_with and bpfilter.ko's
 * hook calls nf_send_unreach() or nf_send_reset() as reject_tg() does,
 * then drops the packet.
 */
#include <errno.h>
#include <netinet/in.h>

#include <linux/netfilter_ipv4/ipt_REJECT.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"
#include "msgfmt.h"

/* reject_tg_check(): the filter table's three hooks are all REJECT's. */
static int reject_check(const void *data, const struct ipt_entry *e)
{
	const struct ipt_reject_info *info = data;

	if (info->with == IPT_ICMP_ECHOREPLY) {
		bpfilter_log_ratelimited("REJECT target: ECHOREPLY no longer supported.");
		return -EINVAL;
	}
	if (info->with == IPT_TCP_RESET &&
	    (e->ip.proto != IPPROTO_TCP || (e->ip.invflags & IPT_INV_PROTO))) {
		bpfilter_log_ratelimited("REJECT target: TCP_RESET invalid for non-tcp");
		return -EINVAL;
	}
	return 0;
}

static void reject_emit(struct codegen *cg, const void *data)
{
	const struct ipt_reject_info *info = data;
	struct bpf_prog_buf *p = cg_prog(cg);

	if (!cg_hook_actions(cg, "-j REJECT"))
		return;
	/* reject_tg() sends nothing for a value it does not know. */
	if (info->with > IPT_ICMP_ADMIN_PROHIBITED) {
		cg_emit_verdict(cg, false);
		return;
	}
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_0,
					BPFILTER_RET_REJECT + info->with));
	bpf_prog_emit(p, insn_exit());
}

const struct bpfilter_ext bpfilter_target_reject = {
	.name = "REJECT",
	.revision = 0,
	.size = sizeof(struct ipt_reject_info),
	.check = reject_check,
	.emit_target = reject_emit,
	.terminal = true,
};
