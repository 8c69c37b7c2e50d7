/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Per network namespace state, keyed by the namespace's net_cookie (a
 * 64-bit id the kernel never reuses, so a stale entry can never be
 * mistaken for a new namespace's).
 */
#ifndef BPFILTER_NETNS_H
#define BPFILTER_NETNS_H

#include "msgfmt.h"

struct ipt_table_store;

struct bpfilter_netns {
	__u64 cookie;
	/* Indexed by enum bpfilter_table; NULL until instantiated. */
	struct ipt_table_store *tables[BPFILTER_TABLE_MAX];
	struct bpfilter_netns *next;	/* hash chain */
};

struct bpfilter_netns_map;

struct bpfilter_netns_map *bpfilter_netns_map_new(void);

/* Frees every namespace in @map (and their tables), then @map. */
void bpfilter_netns_map_free(struct bpfilter_netns_map *map);

/* Return: the namespace's state, or NULL if it has none yet. */
struct bpfilter_netns *bpfilter_netns_find(const struct bpfilter_netns_map *map,
					   __u64 cookie);

/* Return: the namespace's state, created empty if needed; NULL on ENOMEM. */
struct bpfilter_netns *bpfilter_netns_get(struct bpfilter_netns_map *map,
					  __u64 cookie);

/* Frees the state of the namespace @cookie, if it has any. */
void bpfilter_netns_remove(struct bpfilter_netns_map *map, __u64 cookie);

/* Return: the bytes of table entries @ns holds. */
__u64 bpfilter_netns_table_bytes(const struct bpfilter_netns *ns);

/* Fills @stats with the totals over every namespace in @map. */
void bpfilter_netns_map_stats(const struct bpfilter_netns_map *map,
			      struct bpfilter_stats *stats);

/* Return: the reply's tables bitmask for the namespace @cookie. */
__u16 bpfilter_netns_tables_mask(const struct bpfilter_netns_map *map,
				 __u64 cookie);

#endif /* BPFILTER_NETNS_H */
