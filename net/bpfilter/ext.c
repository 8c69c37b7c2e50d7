// SPDX-License-Identifier: GPL-2.0
/* The registry of supported extensions and the lookups x_tables does. */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "ext.h"

static const struct bpfilter_ext *const matches[] = {
	&bpfilter_match_tcp,
	&bpfilter_match_udp,
	&bpfilter_match_icmp,
	&bpfilter_match_comment,
	&bpfilter_match_multiport,
	&bpfilter_match_state,
	&bpfilter_match_conntrack_v1,
	&bpfilter_match_conntrack_v2,
	&bpfilter_match_conntrack_v3,
	&bpfilter_match_connmark,
	&bpfilter_match_owner,
	&bpfilter_match_addrtype_v0,
	&bpfilter_match_addrtype_v1,
	&bpfilter_match_limit,
	&bpfilter_match_length,
	&bpfilter_match_ttl,
	&bpfilter_match_tos,
	&bpfilter_match_dscp,
	&bpfilter_match_iprange,
	&bpfilter_match_mark,
	&bpfilter_match_pkttype,
	&bpfilter_match_mac,
	NULL,
};

static const struct bpfilter_ext *const targets[] = {
	&bpfilter_target_standard,
	&bpfilter_target_error,
	&bpfilter_target_log,
	&bpfilter_target_nflog,
	&bpfilter_target_reject,
	&bpfilter_target_mark,
	&bpfilter_target_connmark_v1,
	&bpfilter_target_connmark_v2,
	NULL,
};

static unsigned int kernel_hz;

void bpfilter_set_hz(unsigned int hz)
{
	kernel_hz = hz;
}

unsigned int bpfilter_hz(void)
{
	return kernel_hz;
}

static const struct bpfilter_ext *ext_find(const struct bpfilter_ext *const *list,
					   const char *name, __u8 revision)
{
	for (; *list; list++) {
		if (!strcmp((*list)->name, name) && (*list)->revision == revision)
			return *list;
	}
	return NULL;
}

const struct bpfilter_ext *bpfilter_match_find(const char *name, __u8 revision)
{
	const struct bpfilter_ext *ext = ext_find(matches, name, revision);

	/* A match the data plane cannot enforce must not be accepted. */
	return ext && ext->emit ? ext : NULL;
}

const struct bpfilter_ext *bpfilter_target_find(const char *name, __u8 revision)
{
	const struct bpfilter_ext *ext = ext_find(targets, name, revision);

	/* The built-in two are codegen.c's; any other needs its emitter. */
	if (ext && ext != &bpfilter_target_standard &&
	    ext != &bpfilter_target_error && !ext->emit_target)
		return NULL;
	return ext;
}

int bpfilter_ext_find_errno(bool target, const char *name)
{
	const struct bpfilter_ext *const *list = target ? targets : matches;

	for (; *list; list++) {
		if ((*list)->unspec && !strcmp((*list)->name, name))
			return -EPROTOTYPE;
	}
	return -ENOENT;
}

int bpfilter_ext_revision(bool target, const char *name, __u8 revision)
{
	const struct bpfilter_ext *const *list = target ? targets : matches;
	int ret = -ENOENT;

	for (; *list; list++) {
		if (strcmp((*list)->name, name))
			continue;
		if ((*list)->revision == revision)
			return 0;
		ret = -EPROTONOSUPPORT;
	}
	return ret;
}
