// SPDX-License-Identifier: GPL-2.0
/* The icmp match, revision 0 (ip_tables' built-in "icmp"). */
#include <errno.h>
#include <netinet/in.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "ext.h"
#include "log.h"

/* Unknown invflags bits could mean a test we would not perform. */
static int icmp_check(const void *data)
{
	const struct ipt_icmp *icmp = data;

	if (icmp->invflags & ~IPT_ICMP_INV) {
		bpfilter_log_ratelimited("icmp match: unknown invflags %#x",
					 icmp->invflags);
		return -EINVAL;
	}
	return 0;
}

const struct bpfilter_ext bpfilter_match_icmp = {
	.name = "icmp",
	.revision = 0,
	.size = sizeof(struct ipt_icmp),
	.proto = IPPROTO_ICMP,
	.check = icmp_check,
};
