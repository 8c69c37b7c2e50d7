// SPDX-License-Identifier: GPL-2.0
/*
 * A classifier map's contents.  The prefixes stored in an LPM trie that
 * contain a packet's key are the longest match and its ancestors, so a
 * lookup returns x_tables' first match when every key stores the first
 * entry, in table order, among itself and its ancestors.  Keys of equal
 * length (a hash map) have no ancestors: each stores its first entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "classify.h"

struct class_key {
	__u32 plen;
	__u32 data[CLASS_KEY_WORDS];
};

struct node {
	struct class_key key;
	struct bpfilter_class_value own;	/* the entry's */
	struct bpfilter_class_value first;	/* over it and its ancestors */
};

static __u32 field_of(const struct class_rule *r, enum class_field f)
{
	unsigned char ports[4];
	__u32 word;

	switch (f) {
	case CLASS_PROTO:
		return r->proto;
	case CLASS_PORTS:
		/* As the packet's first 4 L4 bytes are laid out. */
		memcpy(ports, &r->sport_be, 2);
		memcpy(ports + 2, &r->dport_be, 2);
		memcpy(&word, ports, sizeof(word));
		return word;
	case CLASS_SADDR:
		return r->addr[0];
	case CLASS_DADDR:
		return r->addr[1];
	case CLASS_IN:
	case CLASS_OUT:
		break;		/* codegen_dispatch.c's keys */
	}
	return 0;
}

static void key_of(const struct class_layout *l, const struct class_rule *r,
		   struct class_key *key)
{
	enum class_field last;
	unsigned int w;

	memset(key, 0, sizeof(*key));
	for (w = 0; w < l->words; w++)
		key->data[w] = field_of(r, l->word[w].field) & l->word[w].mask;
	key->plen = 32 * l->words;
	if (l->lpm) {
		last = l->word[l->words - 1].field;
		key->plen -= 32 - r->plen[last == CLASS_DADDR];
	}
}

/* Clears the bits of @key's data after its first @plen. */
static void key_truncate(struct class_key *key, unsigned int plen)
{
	unsigned char *b = (unsigned char *)key->data;
	unsigned int i;

	key->plen = plen;
	for (i = 0; i < sizeof(key->data); i++) {
		if (plen >= 8 * (i + 1))
			continue;
		b[i] &= plen > 8 * i ? (unsigned char)(0xff00 >> (plen - 8 * i)) : 0;
	}
}

static int node_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct node *)a)->key,
		      &((const struct node *)b)->key, sizeof(struct class_key));
}

/*
 * Sorts @n nodes by key, equal keys in table order (stable).  Not
 * qsort(): for large arrays glibc's asks sysinfo() how much memory the
 * machine has, a system call the helper's seccomp filter kills it for.
 * Return: 0 or -ENOMEM.
 */
static int sort_nodes(struct node *nodes, size_t n)
{
	struct node *tmp = malloc(n * sizeof(*tmp)), *src = nodes, *dst = tmp;
	size_t width, lo, mid, hi, i, j, k;

	if (!tmp)
		return -ENOMEM;
	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = lo + 2 * width < n ? lo + 2 * width : n;
			for (i = lo, j = mid, k = lo; k < hi; k++)
				dst[k] = j >= hi || (i < mid &&
					 node_cmp(&src[i], &src[j]) <= 0) ?
					 src[i++] : src[j++];
		}
		dst = src;
		src = src == nodes ? tmp : nodes;
	}
	if (src != nodes)
		memcpy(nodes, src, n * sizeof(*nodes));
	free(tmp);
	return 0;
}

/* Each node's first entry over its ancestors: one probe per length. */
static void resolve_ancestors(struct node *nodes, unsigned int n,
			      unsigned int base)
{
	bool lengths[33] = { false };
	struct node probe, *hit;
	unsigned int i, p;

	for (i = 0; i < n; i++)
		lengths[nodes[i].key.plen - base] = true;
	for (i = 0; i < n; i++) {
		for (p = base; p < nodes[i].key.plen; p++) {
			if (!lengths[p - base])
				continue;
			probe.key = nodes[i].key;
			key_truncate(&probe.key, p);
			hit = bsearch(&probe, nodes, n, sizeof(*nodes), node_cmp);
			if (hit && hit->own.index < nodes[i].first.index)
				nodes[i].first = hit->own;
		}
	}
}

int class_map_build(const struct class_layout *l,
		    const struct class_rule *rules, const unsigned int *index,
		    unsigned int n, struct bpfilter_class_map *m)
{
	struct node *nodes = calloc(n, sizeof(*nodes));
	unsigned int i, kept = 0;

	memset(m, 0, sizeof(*m));
	if (!nodes)
		goto nomem;
	for (i = 0; i < n; i++) {
		key_of(l, &rules[i], &nodes[i].key);
		nodes[i].own.index = index[i];
		nodes[i].own.verdict = rules[i].verdict;
		nodes[i].first = nodes[i].own;
	}
	if (sort_nodes(nodes, n))
		goto nomem;
	/* A duplicate key never matches: its first copy does. */
	for (i = 0; i < n; i++)
		if (!kept || memcmp(&nodes[kept - 1].key, &nodes[i].key,
				    sizeof(nodes[i].key)))
			nodes[kept++] = nodes[i];
	if (l->lpm)
		resolve_ancestors(nodes, kept, 32 * (l->words - 1));

	m->type = l->lpm ? BPF_MAP_TYPE_LPM_TRIE : BPF_MAP_TYPE_HASH;
	m->key_size = 4 + 4 * l->words;
	m->nr_elems = kept;
	m->keys = malloc((size_t)kept * m->key_size);
	m->values = malloc((size_t)kept * sizeof(*m->values));
	if (!m->keys || !m->values)
		goto nomem;
	for (i = 0; i < kept; i++) {
		memcpy(m->keys + (size_t)i * m->key_size, &nodes[i].key,
		       m->key_size);
		m->values[i] = nodes[i].first;
	}
	free(nodes);
	return 0;
nomem:
	free(nodes);
	free(m->keys);
	free(m->values);
	memset(m, 0, sizeof(*m));
	return -ENOMEM;
}
