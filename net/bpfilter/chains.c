// SPDX-License-Identifier: GPL-2.0
/*
 * mark_source_chains(): walk the rules as packets would, from each hook,
 * to learn which hooks reach each rule (comefrom, which x_tables returns
 * and checks extensions' hook masks against) and to refuse tables whose
 * walk would never end.
 *
 * The walk is x_tables', step for step, so that the same tables pass:
 * a rule is left at an unconditional standard rule with a negative
 * verdict (a policy, RETURN) or at a rule this hook reached before, and
 * then the walk unwinds to the last rule that jumped and goes on after
 * it.  Unlike x_tables, which keeps the walk's state in the rules'
 * counters and a spare comefrom bit, it is kept here in side arrays
 * indexed by rule number.
 */
#include <errno.h>
#include <stdlib.h>

#include "entry.h"
#include "translate.h"

struct chain_walk {
	unsigned char *base;
	const unsigned int *offsets;
	unsigned int count;
	/* The rule the walk came from; a hook's first rule: itself. */
	unsigned int *from;
	/* On the current path from the hook: meeting one again is a loop. */
	bool *on_path;
};

/* Return: the index of the rule starting at @off, or -1. */
static long rule_at(const struct chain_walk *w, unsigned int off)
{
	unsigned long lo = 0, hi = w->count, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (w->offsets[mid] == off)
			return mid;
		if (w->offsets[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static struct ipt_entry *rule(const struct chain_walk *w, unsigned int i)
{
	return ipt_entry_at(w->base, w->offsets[i]);
}

/* A rule where the walk leaves the current chain. */
static bool ends_chain(const struct ipt_entry *e)
{
	struct xt_ext_head t;

	ipt_target_head(e, &t);
	return xt_is_standard_target(&t) && ipt_entry_unconditional(e) &&
	       ipt_standard_verdict(e) < 0;
}

/* Return: the rule after @cur's jump or fall-through, or -1 if none. */
static long rule_after(const struct chain_walk *w, unsigned int cur)
{
	const struct ipt_entry *e = rule(w, cur);
	struct xt_ext_head t;

	ipt_target_head(e, &t);
	if (xt_is_standard_target(&t) && ipt_standard_verdict(e) >= 0)
		return rule_at(w, ipt_standard_verdict(e));
	return cur + 1 < w->count ? (long)cur + 1 : -1;
}

/*
 * Unwinds the path from @cur back to the last rule that jumped, i.e. the
 * first one on the way back that does not fall through to its successor.
 * Return: that rule, or -1 when the path is back at the hook's first rule.
 */
static long unwind(struct chain_walk *w, unsigned int cur)
{
	unsigned int back;

	for (;;) {
		w->on_path[cur] = false;
		back = w->from[cur];
		if (back == cur)
			return -1;
		if (cur != back + 1)
			return back;
		cur = back;
	}
}

static int walk_hook(struct chain_walk *w, unsigned int hook,
		     unsigned int start)
{
	const unsigned int bit = 1U << hook;
	unsigned int cur = start;
	struct ipt_entry *e;
	long next, jumper;
	bool seen;

	w->from[start] = start;
	for (;;) {
		e = rule(w, cur);
		if (w->on_path[cur])
			return -ELOOP;
		seen = e->comefrom & bit;
		e->comefrom |= bit;
		w->on_path[cur] = true;

		if (seen || ends_chain(e)) {
			jumper = unwind(w, cur);
			if (jumper < 0)
				return 0;
			/* Resume after the jump, as if it had not matched. */
			if ((unsigned long)jumper + 1 >= w->count)
				return -ELOOP;
			next = jumper + 1;
			w->from[next] = jumper;
		} else {
			next = rule_after(w, cur);
			if (next < 0)
				return -ELOOP;
			w->from[next] = cur;
		}
		cur = next;
	}
}

int ipt_mark_chains(void *base, const unsigned int *offsets,
		    unsigned int count, unsigned int valid_hooks,
		    const unsigned int *hook_entry)
{
	struct chain_walk w = {
		.base = base,
		.offsets = offsets,
		.count = count,
	};
	unsigned int hook;
	int ret = 0;

	/* No rules: the hook checks already ensured no hook needs one. */
	if (!count)
		return 0;

	w.from = malloc(count * sizeof(*w.from));
	w.on_path = calloc(count, sizeof(*w.on_path));
	if (!w.from || !w.on_path) {
		ret = -ENOMEM;
		goto out;
	}

	for (hook = 0; hook < NF_INET_NUMHOOKS && !ret; hook++) {
		if (valid_hooks & (1U << hook))
			ret = walk_hook(&w, hook, rule_at(&w, hook_entry[hook]));
	}
out:
	free(w.on_path);
	free(w.from);
	return ret;
}
