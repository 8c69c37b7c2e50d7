// SPDX-License-Identifier: GPL-2.0
/*
 * The structural checks of a replacement table (6.1's translate_table(),
 * check_entry_size_and_hooks(), xt_check_entry_offsets(),
 * xt_check_entry_match(), xt_check_table_hooks()), then the jump walk and
 * the per-extension checks, in x_tables' order.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "entry.h"
#include "log.h"
#include "table.h"
#include "translate.h"

#define HOOK_NONE	0xFFFFFFFFU

/* One translation in progress. */
struct xlate {
	const struct ipt_replace *repl;
	unsigned char *base;		/* our aligned copy of the entries */
	unsigned int *offsets;		/* of each entry seen so far */
	unsigned int count;
	unsigned int hook_entry[NF_INET_NUMHOOKS];
	unsigned int underflow[NF_INET_NUMHOOKS];
};

#define refuse_entry(err, off, fmt, ...) \
	bpfilter_refuse(err, "replacement table: entry at %u: " fmt, off, \
			##__VA_ARGS__)

/* Negative verdicts a rule may hold; positive ones are jumps. */
static bool verdict_ok(int verdict)
{
	if (verdict > 0)
		return true;

	switch (verdict) {
	case -NF_DROP - 1:
	case -NF_ACCEPT - 1:
	case -NF_QUEUE - 1:
	case XT_RETURN:
		return true;
	default:
		return false;
	}
}

/* Matches must be aligned and add up to exactly where the target starts. */
static int check_match_layout(const struct ipt_entry *e, unsigned int off)
{
	const unsigned int end = e->target_offset;
	const struct xt_entry_match *m;
	unsigned int pos;

	for (pos = sizeof(*e); pos < end; pos += m->u.match_size) {
		if (pos % __alignof__(struct xt_entry_match))
			return refuse_entry(-EINVAL, off, "match at +%u is misaligned", pos);
		if (end - pos < sizeof(*m))
			return refuse_entry(-EINVAL, off, "match at +%u: header crosses the target", pos);
		m = (const void *)((const unsigned char *)e + pos);
		if (m->u.match_size < sizeof(*m))
			return refuse_entry(-EINVAL, off, "match at +%u: match_size %u below its header",
					    pos, m->u.match_size);
		if (m->u.match_size > end - pos)
			return refuse_entry(-EINVAL, off, "match at +%u: match_size %u crosses the target",
					    pos, m->u.match_size);
	}
	return 0;
}

/* xt_check_entry_offsets(): the target's place, and the matches'. */
static int check_entry_offsets(const struct ipt_entry *e, unsigned int off)
{
	const char *errorname;
	struct xt_ext_head t;

	if (e->target_offset < sizeof(*e))
		return refuse_entry(-EINVAL, off, "target_offset %u inside the entry header",
				    e->target_offset);
	if (e->target_offset + sizeof(struct xt_entry_target) > e->next_offset)
		return refuse_entry(-EINVAL, off, "target_offset %u leaves no room for a target before next_offset %u",
				    e->target_offset, e->next_offset);

	ipt_target_head(e, &t);
	if (t.size < sizeof(struct xt_entry_target))
		return refuse_entry(-EINVAL, off, "target_size %u below its header", t.size);
	if (e->target_offset + t.size > e->next_offset)
		return refuse_entry(-EINVAL, off, "target_size %u crosses next_offset", t.size);

	if (xt_is_standard_target(&t)) {
		if (XT_ALIGN(e->target_offset + sizeof(struct xt_standard_target)) !=
		    e->next_offset)
			return refuse_entry(-EINVAL, off, "standard target: next_offset %u is not right after the verdict",
					    e->next_offset);
		if (!verdict_ok(ipt_standard_verdict(e)))
			return refuse_entry(-EINVAL, off, "invalid verdict %d",
					    ipt_standard_verdict(e));
	} else if (xt_is_error_target(&t)) {
		errorname = (const char *)e + e->target_offset +
			    sizeof(struct xt_entry_target);
		if (t.size != sizeof(struct xt_error_target) ||
		    strnlen(errorname, XT_FUNCTION_MAXNAMELEN) == XT_FUNCTION_MAXNAMELEN)
			return refuse_entry(-EINVAL, off, "ERROR target: bad size %u or unterminated chain name",
					    t.size);
	}

	return check_match_layout(e, off);
}

/* A hook's policy rule: unconditional, and ACCEPT or DROP. */
static bool underflow_ok(const struct ipt_entry *e)
{
	struct xt_ext_head t;
	int verdict;

	if (!ipt_entry_unconditional(e))
		return false;
	ipt_target_head(e, &t);
	if (!xt_is_standard_target(&t))
		return false;
	verdict = ipt_standard_verdict(e);
	return verdict == -NF_ACCEPT - 1 || verdict == -NF_DROP - 1;
}

/* check_entry_size_and_hooks() for the entry at @off (< size). */
static int check_entry(struct xlate *x, unsigned int off)
{
	const struct ipt_replace *repl = x->repl;
	struct ipt_entry *e;
	unsigned int h;
	int ret;

	if (off % __alignof__(struct ipt_entry))
		return refuse_entry(-EINVAL, off, "not 8-byte aligned");
	if (repl->size - off <= sizeof(*e))
		return refuse_entry(-EINVAL, off, "header reaches the end of the table");
	e = ipt_entry_at(x->base, off);
	if (e->next_offset > repl->size - off)
		return refuse_entry(-EINVAL, off, "next_offset %u runs past the end of the table",
				    e->next_offset);
	if (e->next_offset < IPT_ENTRY_MIN_SIZE)
		return refuse_entry(-EINVAL, off, "next_offset %u below the minimum %zu",
				    e->next_offset, IPT_ENTRY_MIN_SIZE);
	if (e->ip.flags & ~IPT_F_MASK || e->ip.invflags & ~IPT_INV_MASK)
		return refuse_entry(-EINVAL, off, "unknown ip flags %#x or invflags %#x",
				    e->ip.flags, e->ip.invflags);

	ret = check_entry_offsets(e, off);
	if (ret)
		return ret;

	for (h = 0; h < NF_INET_NUMHOOKS; h++) {
		if (!(repl->valid_hooks & (1U << h)))
			continue;
		if (off == repl->hook_entry[h])
			x->hook_entry[h] = off;
		if (off == repl->underflow[h]) {
			if (!underflow_ok(e))
				return refuse_entry(-EINVAL, off, "underflow of hook %u is not an unconditional ACCEPT or DROP",
						    h);
			x->underflow[h] = off;
		}
	}

	/* x_tables starts every rule from zero; comefrom is ours to compute. */
	memset(&e->counters, 0, sizeof(e->counters));
	e->comefrom = 0;
	return 0;
}

/* xt_check_table_hooks(): every valid hook entered, in hook order. */
static int check_hooks(const struct xlate *x)
{
	unsigned int h, prev_entry = 0, prev_underflow = 0;
	bool first = true;

	for (h = 0; h < NF_INET_NUMHOOKS; h++) {
		if (!(x->repl->valid_hooks & (1U << h)))
			continue;
		if (x->hook_entry[h] == HOOK_NONE || x->underflow[h] == HOOK_NONE)
			return bpfilter_refuse(-EINVAL, "replacement table: hook %u has no entry point or underflow at an entry",
					       h);
		if (!first && (x->underflow[h] <= prev_underflow ||
			       x->hook_entry[h] <= prev_entry))
			return bpfilter_refuse(-EINVAL, "replacement table: hook %u's entry point or underflow is not after the previous hook's",
					       h);
		prev_entry = x->hook_entry[h];
		prev_underflow = x->underflow[h];
		first = false;
	}
	return 0;
}

static int walk_entries(struct xlate *x)
{
	unsigned int off;
	int ret;

	for (off = 0; off < x->repl->size;
	     off += ipt_entry_at(x->base, off)->next_offset) {
		ret = check_entry(x, off);
		if (ret)
			return ret;
		x->offsets[x->count++] = off;
	}
	if (x->count != x->repl->num_entries)
		return bpfilter_refuse(-EINVAL, "replacement table: %u entries, num_entries says %u",
				       x->count, x->repl->num_entries);
	return check_hooks(x);
}

static int check_extensions(struct xlate *x)
{
	unsigned int i;
	int ret;

	for (i = 0; i < x->count; i++) {
		ret = ipt_entry_check_extensions(ipt_entry_at(x->base,
							      x->offsets[i]));
		if (ret)
			return ret;
	}
	return 0;
}

static struct ipt_table_store *xlate_to_table(struct xlate *x)
{
	struct ipt_table_store *table = calloc(1, sizeof(*table));

	if (!table)
		return NULL;
	table->valid_hooks = x->repl->valid_hooks;
	memcpy(table->hook_entry, x->hook_entry, sizeof(table->hook_entry));
	memcpy(table->underflow, x->underflow, sizeof(table->underflow));
	table->num_entries = x->count;
	table->size = x->repl->size;
	table->entries = x->base;
	x->base = NULL;
	return table;
}

int ipt_translate(const struct ipt_replace *repl, const void *entries,
		  struct ipt_table_store **table)
{
	struct xlate x = { .repl = repl };
	unsigned int h;
	int ret;

	/* xt_alloc_entry_offsets() refuses what could not fit in a table. */
	if (repl->num_entries > XT_TABLE_BYTES_MAX / sizeof(unsigned int))
		return bpfilter_refuse(-ENOMEM, "replacement table: num_entries %u",
				       repl->num_entries);

	for (h = 0; h < NF_INET_NUMHOOKS; h++) {
		x.hook_entry[h] = HOOK_NONE;
		x.underflow[h] = HOOK_NONE;
	}

	/* One more byte so that an empty table still gets a buffer. */
	x.base = malloc(repl->size + 1);
	x.offsets = malloc((repl->size / IPT_ENTRY_MIN_SIZE + 1) *
			   sizeof(*x.offsets));
	if (!x.base || !x.offsets) {
		ret = bpfilter_refuse(-ENOMEM, "replacement table: %u bytes",
				      repl->size);
		goto out;
	}
	memcpy(x.base, entries, repl->size);

	ret = walk_entries(&x);
	if (ret)
		goto out;

	ret = ipt_mark_chains(x.base, x.offsets, x.count, repl->valid_hooks,
			      x.hook_entry);
	if (ret == -ELOOP)
		bpfilter_refuse(ret, "replacement table: a chain loops, jumps inside an entry or runs off the end");
	if (ret)
		goto out;

	ret = check_extensions(&x);
	if (ret)
		goto out;

	*table = xlate_to_table(&x);
	if (!*table)
		ret = -ENOMEM;
out:
	free(x.offsets);
	free(x.base);
	return ret;
}
