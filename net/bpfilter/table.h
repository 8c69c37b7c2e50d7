/* SPDX-License-Identifier: GPL-2.0 */
/*
 * An ip_tables table as bpfilter stores it, and the tables it knows how
 * to instantiate.
 */
#ifndef BPFILTER_TABLE_H
#define BPFILTER_TABLE_H

#include <linux/netfilter.h>

#include "msgfmt.h"

struct bpfilter_netns_map;

/*
 * What IPT_SO_GET_INFO reports and IPT_SO_GET_ENTRIES copies out.
 * @entries holds the ipt_entry blob exactly as x_tables would return it
 * (recomputed comefrom, zeroed padding and name tails), so reading the
 * table is a copy.
 */
struct ipt_table_store {
	unsigned int valid_hooks;
	/* Offsets into @entries; 0xFFFFFFFF for hooks not in valid_hooks. */
	unsigned int hook_entry[NF_INET_NUMHOOKS];
	unsigned int underflow[NF_INET_NUMHOOKS];
	unsigned int num_entries;
	unsigned int size;
	void *entries;
};

/*
 * A table a namespace gets on first use, as x_tables' templates: every
 * valid hook has an empty chain whose policy is ACCEPT.
 */
struct ipt_table_template {
	const char *name;
	enum bpfilter_table id;
	unsigned int valid_hooks;
};

extern const struct ipt_table_template bpfilter_filter_template;

/* Return: the template of the table named @name, or NULL. */
const struct ipt_table_template *ipt_table_template_find(const char *name);

/* Return: a new table as @tmpl describes it, or NULL on ENOMEM. */
struct ipt_table_store *
ipt_table_store_new_initial(const struct ipt_table_template *tmpl);

void ipt_table_store_free(struct ipt_table_store *table);

/**
 * bpfilter_table_get() - find a table, instantiating it on first use
 * @map: per-namespace state
 * @cookie: the namespace
 * @name: the table's name, NUL-terminated
 * @table: set to the table on success
 *
 * As x_tables, a namespace gets a table the first time any request
 * names it.
 *
 * Return: 0, -ENOENT for a name bpfilter has no table for, -ENOMEM.
 */
int bpfilter_table_get(struct bpfilter_netns_map *map, __u64 cookie,
		       const char *name, struct ipt_table_store **table);

/**
 * bpfilter_table_bytes_besides() - what a namespace holds in other tables
 * @map: per-namespace state
 * @cookie: the namespace
 * @name: a table's name, NUL-terminated
 *
 * Return: the bytes of entries in the namespace's tables other than
 * @name (all of them when bpfilter has no table of that name).
 */
__u64 bpfilter_table_bytes_besides(const struct bpfilter_netns_map *map,
				   __u64 cookie, const char *name);

#endif /* BPFILTER_TABLE_H */
