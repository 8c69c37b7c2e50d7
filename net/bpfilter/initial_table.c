// SPDX-License-Identifier: GPL-2.0
/*
 * The table a namespace starts with, built the way x_tables builds it
 * (ipt_alloc_initial_table() followed by translate_table()): one policy
 * rule per valid hook, in hook order, then an ERROR rule that ends the
 * table.  The result is what IPT_SO_GET_ENTRIES returns for it.
 */
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "table.h"

/*
 * The kernel's struct ipt_standard and struct ipt_error: an entry and
 * its target, which fills the rest of the rule.  (Not in the uapi, and
 * a struct embedding ipt_entry would embed a flexible array.)
 */
#define POLICY_RULE_SIZE \
	(sizeof(struct ipt_entry) + XT_ALIGN(sizeof(struct xt_standard_target)))
#define ERROR_RULE_SIZE \
	(sizeof(struct ipt_entry) + XT_ALIGN(sizeof(struct xt_error_target)))

/* Hooks that are not in the table: translate_table()'s marker. */
#define HOOK_NONE	0xFFFFFFFFU

static void init_policy_rule(struct ipt_entry *e, unsigned int hook)
{
	struct xt_standard_target *t = (void *)e->elems;

	e->target_offset = sizeof(*e);
	e->next_offset = POLICY_RULE_SIZE;
	/*
	 * mark_source_chains() records which hooks reach a rule; a policy
	 * rule of an empty chain is reached from its own hook only.
	 */
	e->comefrom = 1U << hook;
	t->target.u.user.target_size = XT_ALIGN(sizeof(*t));
	/* The standard target's name is "", already there. */
	t->verdict = -NF_ACCEPT - 1;
}

static void init_error_rule(struct ipt_entry *e)
{
	struct xt_error_target *t = (void *)e->elems;

	e->target_offset = sizeof(*e);
	e->next_offset = ERROR_RULE_SIZE;
	t->target.u.user.target_size = XT_ALIGN(sizeof(*t));
	strcpy(t->target.u.user.name, XT_ERROR_TARGET);
	strcpy(t->errorname, "ERROR");
}

struct ipt_table_store *
ipt_table_store_new_initial(const struct ipt_table_template *tmpl)
{
	unsigned int nhooks = __builtin_popcount(tmpl->valid_hooks);
	struct ipt_table_store *table;
	unsigned int hook, off = 0;

	table = calloc(1, sizeof(*table));
	if (!table)
		return NULL;

	table->valid_hooks = tmpl->valid_hooks;
	table->num_entries = nhooks + 1;
	table->size = nhooks * POLICY_RULE_SIZE + ERROR_RULE_SIZE;
	/* Zeroed: padding and name tails read back as x_tables' zeroes. */
	table->entries = calloc(1, table->size);
	if (!table->entries) {
		free(table);
		return NULL;
	}

	for (hook = 0; hook < NF_INET_NUMHOOKS; hook++) {
		if (!(tmpl->valid_hooks & (1U << hook))) {
			table->hook_entry[hook] = HOOK_NONE;
			table->underflow[hook] = HOOK_NONE;
			continue;
		}
		table->hook_entry[hook] = off;
		table->underflow[hook] = off;
		init_policy_rule((void *)((char *)table->entries + off), hook);
		off += POLICY_RULE_SIZE;
	}
	init_error_rule((void *)((char *)table->entries + off));

	return table;
}
