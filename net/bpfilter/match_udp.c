// SPDX-License-Identifier: GPL-2.0
/* The udp match, revision 0 (xt_tcpudp's "udp"). */
#include <errno.h>
#include <netinet/in.h>

#include <linux/netfilter/xt_tcpudp.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"

#define UDP_HDR_LEN	8

/* Unknown invflags bits could mean a test we would not perform. */
static int udp_check(const void *data, const struct ipt_entry *e)
{
	const struct xt_udp *udp = data;

	(void)e;	/* the generic check tested the protocol */

	if (udp->invflags & ~XT_UDP_INV_MASK) {
		bpfilter_log_ratelimited("udp match: unknown invflags %#x",
					 udp->invflags);
		return -EINVAL;
	}
	return 0;
}

/* udp_mt() */
static void udp_emit(struct codegen *cg, const void *data, unsigned int fail)
{
	const struct xt_udp *udp = data;

	cg_l4_require_header(cg, UDP_HDR_LEN, false, fail);
	cg_l4_port_range(cg, CG_S_L4, udp->spts[0], udp->spts[1],
			 udp->invflags & XT_UDP_INV_SRCPT, fail);
	cg_l4_port_range(cg, CG_S_L4 + 2, udp->dpts[0], udp->dpts[1],
			 udp->invflags & XT_UDP_INV_DSTPT, fail);
}

const struct bpfilter_ext bpfilter_match_udp = {
	.name = "udp",
	.revision = 0,
	.size = sizeof(struct xt_udp),
	.proto = IPPROTO_UDP,
	.check = udp_check,
	.emit = udp_emit,
};
