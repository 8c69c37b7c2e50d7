// SPDX-License-Identifier: GPL-2.0
/*
 * IPT_SO_GET_REVISION_MATCH/TARGET: which extensions bpfilter can
 * compile.  iptables asks before it uses a match or target, and picks
 * the highest revision both sides know.
 */
#include <errno.h>
#include <string.h>

#include <linux/netfilter/x_tables.h>

#include "sockopt.h"

/* One supported revision of a match or target. */
struct ext_revision {
	const char *name;
	__u8 revision;
};

/* Lists end with a NULL name.  Nothing is compiled yet. */
static const struct ext_revision match_revisions[] = {
	{ .name = NULL },
};

static const struct ext_revision target_revisions[] = {
	{ .name = NULL },
};

/*
 * As xt_find_revision(): -ENOENT for an unknown name, -EPROTONOSUPPORT
 * for a known name without that revision.  iptables takes both as "not
 * supported".
 */
static int ext_revision_find(const struct ext_revision *list,
			     const char *name, __u8 revision)
{
	int ret = -ENOENT;

	for (; list->name; list++) {
		if (strcmp(list->name, name))
			continue;
		if (list->revision == revision)
			return 0;
		ret = -EPROTONOSUPPORT;
	}

	return ret;
}

int bpfilter_get_revision(const struct sockopt_call *call, bool target)
{
	struct xt_get_revision rev;

	if (call->optlen != sizeof(rev))
		return -EINVAL;

	memcpy(&rev, call->payload, sizeof(rev));
	rev.name[sizeof(rev.name) - 1] = '\0';

	return ext_revision_find(target ? target_revisions : match_revisions,
				 rev.name, rev.revision);
}
