// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "netns.h"
#include "table.h"

#define NETNS_MAP_MIN_BITS	4

_Static_assert(BPFILTER_TABLE_MAX <= 16,
	       "reply->tables has a bit per table");

/* Chained hash table; doubles when it holds more entries than buckets. */
struct bpfilter_netns_map {
	struct bpfilter_netns **buckets;
	unsigned int bits;
	size_t count;
};

/*
 * Cookies are handed out sequentially, so spread them with a Fibonacci
 * multiplier and keep the top bits.
 */
static size_t netns_bucket(__u64 cookie, unsigned int bits)
{
	return (size_t)((cookie * 0x9e3779b97f4a7c15ULL) >> (64 - bits));
}

struct bpfilter_netns_map *bpfilter_netns_map_new(void)
{
	struct bpfilter_netns_map *map;

	map = calloc(1, sizeof(*map));
	if (!map)
		return NULL;

	map->bits = NETNS_MAP_MIN_BITS;
	map->buckets = calloc((size_t)1 << map->bits, sizeof(*map->buckets));
	if (!map->buckets) {
		free(map);
		return NULL;
	}

	return map;
}

static void netns_free(struct bpfilter_netns *ns)
{
	unsigned int i;

	for (i = 0; i < BPFILTER_TABLE_MAX; i++)
		ipt_table_store_free(ns->tables[i]);
	free(ns);
}

void bpfilter_netns_map_free(struct bpfilter_netns_map *map)
{
	struct bpfilter_netns *ns, *next;
	size_t i;

	if (!map)
		return;

	for (i = 0; i < (size_t)1 << map->bits; i++) {
		for (ns = map->buckets[i]; ns; ns = next) {
			next = ns->next;
			netns_free(ns);
		}
	}
	free(map->buckets);
	free(map);
}

struct bpfilter_netns *bpfilter_netns_find(const struct bpfilter_netns_map *map,
					   __u64 cookie)
{
	struct bpfilter_netns *ns;

	for (ns = map->buckets[netns_bucket(cookie, map->bits)]; ns;
	     ns = ns->next) {
		if (ns->cookie == cookie)
			return ns;
	}

	return NULL;
}

/*
 * Failing to grow only makes the chains longer, so it is not an error
 * worth failing a request for.
 */
static void netns_map_grow(struct bpfilter_netns_map *map)
{
	unsigned int bits = map->bits + 1;
	struct bpfilter_netns **buckets;
	struct bpfilter_netns *ns, *next;
	size_t i, b;

	buckets = calloc((size_t)1 << bits, sizeof(*buckets));
	if (!buckets)
		return;

	for (i = 0; i < (size_t)1 << map->bits; i++) {
		for (ns = map->buckets[i]; ns; ns = next) {
			next = ns->next;
			b = netns_bucket(ns->cookie, bits);
			ns->next = buckets[b];
			buckets[b] = ns;
		}
	}
	free(map->buckets);
	map->buckets = buckets;
	map->bits = bits;
}

struct bpfilter_netns *bpfilter_netns_get(struct bpfilter_netns_map *map,
					  __u64 cookie)
{
	struct bpfilter_netns *ns;
	size_t b;

	ns = bpfilter_netns_find(map, cookie);
	if (ns)
		return ns;

	ns = calloc(1, sizeof(*ns));
	if (!ns)
		return NULL;
	ns->cookie = cookie;

	if (map->count >= (size_t)1 << map->bits)
		netns_map_grow(map);

	b = netns_bucket(cookie, map->bits);
	ns->next = map->buckets[b];
	map->buckets[b] = ns;
	map->count++;

	return ns;
}

void bpfilter_netns_remove(struct bpfilter_netns_map *map, __u64 cookie)
{
	struct bpfilter_netns **link, *ns;

	link = &map->buckets[netns_bucket(cookie, map->bits)];
	for (ns = *link; ns; link = &ns->next, ns = ns->next) {
		if (ns->cookie == cookie) {
			*link = ns->next;
			map->count--;
			netns_free(ns);
			return;
		}
	}
}

__u64 bpfilter_netns_table_bytes(const struct bpfilter_netns *ns)
{
	__u64 bytes = 0;
	unsigned int i;

	for (i = 0; i < BPFILTER_TABLE_MAX; i++) {
		if (ns->tables[i])
			bytes += ns->tables[i]->size;
	}
	return bytes;
}

void bpfilter_netns_map_stats(const struct bpfilter_netns_map *map,
			      struct bpfilter_stats *stats)
{
	const struct bpfilter_netns *ns;
	unsigned int i;
	size_t b;

	memset(stats, 0, sizeof(*stats));
	for (b = 0; b < (size_t)1 << map->bits; b++) {
		for (ns = map->buckets[b]; ns; ns = ns->next) {
			stats->netns++;
			stats->table_bytes += bpfilter_netns_table_bytes(ns);
			for (i = 0; i < BPFILTER_TABLE_MAX; i++)
				stats->tables += !!ns->tables[i];
		}
	}
}

__u16 bpfilter_netns_tables_mask(const struct bpfilter_netns_map *map,
				 __u64 cookie)
{
	const struct bpfilter_netns *ns = bpfilter_netns_find(map, cookie);
	__u16 mask = 0;
	unsigned int i;

	if (!ns)
		return 0;

	for (i = 0; i < BPFILTER_TABLE_MAX; i++) {
		if (ns->tables[i])
			mask |= 1U << i;
	}

	return mask;
}
