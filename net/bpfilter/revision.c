// SPDX-License-Identifier: GPL-2.0
/*
 * IPT_SO_GET_REVISION_MATCH/TARGET: which extensions bpfilter can
 * compile.  iptables asks before it uses a match or target, and picks
 * the highest revision both sides know.  x_tables answers with the best
 * revision it has, which reaches the caller as 0: with one revision of
 * each extension, that is 0 exactly when the revision asked for exists.
 */
#include <errno.h>
#include <string.h>

#include <linux/netfilter/x_tables.h>

#include "ext.h"
#include "sockopt.h"

int bpfilter_get_revision(const struct sockopt_call *call, bool target)
{
	struct xt_get_revision rev;

	if (call->optlen != sizeof(rev))
		return -EINVAL;

	memcpy(&rev, call->payload, sizeof(rev));
	rev.name[sizeof(rev.name) - 1] = '\0';

	return bpfilter_ext_revision(target, rev.name, rev.revision);
}
