// SPDX-License-Identifier: GPL-2.0
/* The tcp match, revision 0 (xt_tcpudp's "tcp"). */
#include <errno.h>
#include <netinet/in.h>

#include <linux/netfilter/xt_tcpudp.h>

#include "ext.h"
#include "log.h"

/* Unknown invflags bits could mean a test we would not perform. */
static int tcp_check(const void *data)
{
	const struct xt_tcp *tcp = data;

	if (tcp->invflags & ~XT_TCP_INV_MASK) {
		bpfilter_log_ratelimited("tcp match: unknown invflags %#x",
					 tcp->invflags);
		return -EINVAL;
	}
	return 0;
}

const struct bpfilter_ext bpfilter_match_tcp = {
	.name = "tcp",
	.revision = 0,
	.size = sizeof(struct xt_tcp),
	.proto = IPPROTO_TCP,
	.check = tcp_check,
};
