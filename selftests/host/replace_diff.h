/* SPDX-License-Identifier: GPL-2.0 */
/*
 * replace-diff: the same IPT_SO_SET_REPLACE payloads, sent to the host's
 * x_tables and to bpfilter's core, must get the same answers.  The cases
 * (replace_cases.c) mutate a valid table read back from x_tables.
 */
#ifndef BPFILTER_REPLACE_DIFF_H
#define BPFILTER_REPLACE_DIFF_H

#include <stddef.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#define PL_MAX_ENTRIES	1024

/* A SET_REPLACE payload being built: header, then entries. */
struct payload {
	unsigned char *buf;	/* malloc()ed */
	size_t len;		/* optlen */
	unsigned int offsets[PL_MAX_ENTRIES];	/* of each entry, unmutated */
	unsigned int count;
};

/* A payload replacing "filter" with the table @info and @entries. */
void pl_build(struct payload *p, const struct ipt_getinfo *info,
	      const void *entries, unsigned int num_counters);

/*
 * test_table.c: the table test_xtables_diff.sh has iptables-legacy build,
 * built in C with the same layout (for tests that run without root).
 */
void test_table_build(struct ipt_getinfo *info, unsigned char **entries);

static inline struct ipt_replace *pl_repl(struct payload *p)
{
	return (struct ipt_replace *)p->buf;
}

static inline struct ipt_entry *pl_entry(struct payload *p, unsigned int i)
{
	return (struct ipt_entry *)(p->buf + sizeof(struct ipt_replace) +
				    p->offsets[i]);
}

/* Entry indexes in the table test_xtables_diff.sh builds. */
/*
 * The index of rule @n of @chain ("INPUT", a user chain's name: -1 is its
 * ERROR head; "END": the last entry, then @n before it).
 */
unsigned int pl_chain_rule(struct payload *p, const char *chain, int n);

struct xt_entry_match *pl_match(struct payload *p, unsigned int i,
				unsigned int n);
struct xt_entry_target *pl_target(struct payload *p, unsigned int i);
int *pl_verdict(struct payload *p, unsigned int i);

struct replace_case {
	const char *name;
	/* The errno 6.1's x_tables gives, as read from its source. */
	int expect;
	/*
	 * Non-NULL when the host's x_tables (6.18) is known to answer
	 * otherwise: why, citing 6.1's source.  The core must still give
	 * @expect; the host's answer is then only reported.
	 */
	const char *expected_61;
	void (*mutate)(struct payload *p);
};

extern const struct replace_case replace_cases[];
extern const unsigned int replace_case_count;

#endif /* BPFILTER_REPLACE_DIFF_H */
