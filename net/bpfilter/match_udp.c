// SPDX-License-Identifier: GPL-2.0
/* The udp match, revision 0 (xt_tcpudp's "udp"). */
#include <errno.h>
#include <netinet/in.h>

#include <linux/netfilter/xt_tcpudp.h>

#include "ext.h"
#include "log.h"

/* Unknown invflags bits could mean a test we would not perform. */
static int udp_check(const void *data)
{
	const struct xt_udp *udp = data;

	if (udp->invflags & ~XT_UDP_INV_MASK) {
		bpfilter_log_ratelimited("udp match: unknown invflags %#x",
					 udp->invflags);
		return -EINVAL;
	}
	return 0;
}

const struct bpfilter_ext bpfilter_match_udp = {
	.name = "udp",
	.revision = 0,
	.size = sizeof(struct xt_udp),
	.proto = IPPROTO_UDP,
	.check = udp_check,
};
