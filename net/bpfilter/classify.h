/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The classifier's data (codegen_classify.c emits the code): what a
 * classifiable entry tests, how a lookup key is laid out, and the map
 * contents that make one lookup return x_tables' first match.
 */
#ifndef BPFILTER_CLASSIFY_H
#define BPFILTER_CLASSIFY_H

#include <stdbool.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "codegen.h"

/* What one classifiable entry tests (class_rule_of()). */
struct class_rule {
	__u32 proto;		/* 0: any */
	bool l4;		/* a tcp or udp match */
	bool sport, dport;	/* it tests exact ports */
	__u16 sport_be, dport_be;	/* network order */
	__u32 addr[2];		/* source, destination: network order, */
	__u8 plen[2];		/* zero past their prefix length */
	__u32 verdict;		/* BPFILTER_CLASS_* */
};

/*
 * Return: whether @e is classifiable, with what it tests in @r: only a
 * source and destination address with contiguous masks (no bits outside
 * them), a protocol, comments and one tcp or udp match with exact or no
 * ports, nothing inverted, no interface, no -f; ACCEPT, DROP or RETURN.
 */
bool class_rule_of(const struct ipt_entry *e, struct class_rule *r);

/* What a key word holds: a field of the packet, masked. */
enum class_field {
	CLASS_PROTO,		/* the protocol, as a u32 */
	CLASS_PORTS,		/* the first 4 L4 bytes: both ports, as sent */
	CLASS_SADDR,
	CLASS_DADDR,
	CLASS_IN,		/* a word (part) of the input device's name */
	CLASS_OUT,		/* of the output device's */
};

#define CLASS_KEY_WORDS	((BPFILTER_CLASS_KEY_MAX - 4) / 4)

/*
 * A key: struct bpf_lpm_trie_key's layout, a u32 prefix length then
 * words of data, each the packet's field & mask in memory order.  At
 * most one field has rules of different prefix lengths: it is the last
 * word (LPM matches leading bits) and the map an LPM trie; without one,
 * every key has the whole data's length and the map is a hash.
 */
struct class_layout {
	unsigned int words;
	struct {
		enum class_field field;
		unsigned int part;	/* CLASS_IN, CLASS_OUT: which word */
		__u32 mask;
	} word[CLASS_KEY_WORDS];
	bool lpm;		/* the last word's prefix lengths vary */
};

/*
 * Fills @m (its arrays malloc()ed) with the keys of @n rules, entries
 * @index[i] of the table, under @l; each value is the first entry in
 * table order among those whose key is a prefix of (or equal to) its
 * own: what the longest-prefix lookup of a packet must return.
 * Return: 0 or -ENOMEM.
 */
int class_map_build(const struct class_layout *l,
		    const struct class_rule *rules, const unsigned int *index,
		    unsigned int n, struct bpfilter_class_map *m);

struct codegen;

/*
 * The packet's key under @l at CG_S_OPT, then its lookup in map @nr (a
 * cg_class_map_*() number, counted among the program's): r0 = the
 * value, or a jump to @miss.
 */
void cg_emit_class_lookup(struct codegen *cg, const struct class_layout *l,
			  int nr, unsigned int miss);

#endif /* BPFILTER_CLASSIFY_H */
