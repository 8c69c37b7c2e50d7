/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filter table as the VM tests' C tools read and commit it with raw
 * ip_tables socket options: GET_INFO, GET_ENTRIES, and the ipt_replace
 * that commits the same entries again.  Everything read is checked: it
 * comes from the implementation under test.
 */
#ifndef BPFILTER_IPT_TABLE_H
#define BPFILTER_IPT_TABLE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <linux/netfilter_ipv4/ip_tables.h>

#include "tool_util.h"

static inline void *ipt_xcalloc(size_t len)
{
	void *p = calloc(1, len);

	if (!p)
		die("calloc");
	return p;
}

/* A broken table: the tools' exit status 2. */
static inline void ipt_fail(const char *what, const char *why)
{
	fprintf(stderr, "%s: %s\n", what, why);
	exit(2);
}

static inline struct ipt_getinfo ipt_get_info(int sock)
{
	struct ipt_getinfo info = { .name = "filter" };
	socklen_t len = sizeof(info);

	if (getsockopt(sock, SOL_IP, IPT_SO_GET_INFO, &info, &len))
		die("IPT_SO_GET_INFO");
	return info;
}

static inline struct ipt_get_entries *
ipt_get_entries(int sock, const struct ipt_getinfo *info)
{
	socklen_t len = sizeof(struct ipt_get_entries) + info->size;
	struct ipt_get_entries *e = ipt_xcalloc(len);

	strcpy(e->name, "filter");
	e->size = info->size;
	if (getsockopt(sock, SOL_IP, IPT_SO_GET_ENTRIES, e, &len))
		die("IPT_SO_GET_ENTRIES");
	return e;
}

/* The entry at @off of a table of @size bytes, or NULL at the end. */
static inline struct ipt_entry *ipt_entry_at(void *base, unsigned int size,
					     unsigned int off)
{
	struct ipt_entry *e;

	if (off == size)
		return NULL;
	if (off > size || size - off < sizeof(*e))
		ipt_fail("filter table", "an entry overruns the table");
	e = (struct ipt_entry *)((char *)base + off);
	if (e->next_offset < sizeof(*e) || e->next_offset > size - off)
		ipt_fail("filter table", "an entry's next_offset is out of bounds");
	return e;
}

/* The counters a GET_ENTRIES reply carries are not part of a commit. */
static inline void ipt_zero_counters(void *base, unsigned int size)
{
	unsigned int off = 0;
	struct ipt_entry *e;

	while ((e = ipt_entry_at(base, size, off))) {
		memset(&e->counters, 0, sizeof(e->counters));
		off += e->next_offset;
	}
}

/* The ipt_replace that commits the table @got read, counters zeroed. */
static inline struct ipt_replace *
ipt_to_replace(const struct ipt_getinfo *info,
	       const struct ipt_get_entries *got)
{
	struct ipt_replace *repl = ipt_xcalloc(sizeof(*repl) + info->size);

	memcpy(repl->name, info->name, sizeof(repl->name));
	repl->valid_hooks = info->valid_hooks;
	repl->num_entries = info->num_entries;
	repl->size = info->size;
	memcpy(repl->hook_entry, info->hook_entry, sizeof(repl->hook_entry));
	memcpy(repl->underflow, info->underflow, sizeof(repl->underflow));
	memcpy(repl->entries, got->entrytable, info->size);
	ipt_zero_counters(repl->entries, repl->size);
	return repl;
}

/* The table in force, as the ipt_replace that commits it again. */
static inline struct ipt_replace *ipt_save(int sock)
{
	struct ipt_getinfo info = ipt_get_info(sock);
	struct ipt_get_entries *got = ipt_get_entries(sock, &info);
	struct ipt_replace *repl = ipt_to_replace(&info, got);

	free(got);
	return repl;
}

#endif /* BPFILTER_IPT_TABLE_H */
