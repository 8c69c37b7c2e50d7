// SPDX-License-Identifier: GPL-2.0
/*
 * IPT_SO_SET_REPLACE, IPT_SO_SET_ADD_COUNTERS and the module's RESTORE
 * of a committed table, answered as 6.1's do_replace(), __do_replace()
 * and do_add_counters(): the same checks in the same order, so the same
 * errno.  A refused request leaves every table as it was.
 */
#include <errno.h>
#include <stddef.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "core.h"
#include "log.h"
#include "sockopt.h"
#include "table.h"
#include "translate.h"

/* ipt_replace's header, then the entries: both at these offsets. */
_Static_assert(offsetof(struct ipt_replace, entries) ==
	       sizeof(struct ipt_replace), "no tail padding in ipt_replace");
_Static_assert(offsetof(struct xt_counters_info, counters) ==
	       sizeof(struct xt_counters_info), "no tail padding");

/* do_replace()'s checks of the header and of optlen. */
static int replace_header(const struct sockopt_call *call,
			  struct ipt_replace *repl)
{
	if (call->optlen < sizeof(*repl))
		return bpfilter_refuse(-EINVAL, "replace: optlen %u below the header",
				       call->optlen);
	memcpy(repl, call->payload, sizeof(*repl));
	if (repl->num_counters >= INT_MAX / sizeof(struct xt_counters))
		return bpfilter_refuse(-ENOMEM, "replace: num_counters %u",
				       repl->num_counters);
	if (!repl->num_counters)
		return bpfilter_refuse(-EINVAL, "replace: num_counters is 0");
	if ((__u64)call->optlen < (__u64)repl->size + sizeof(*repl))
		return bpfilter_refuse(-EINVAL, "replace: optlen %u too short for size %u",
				       call->optlen, repl->size);
	repl->name[sizeof(repl->name) - 1] = '\0';
	return 0;
}

/*
 * Where x_tables allocates the new table (xt_alloc_table_info(), charged
 * to the caller's memory cgroup): its size limit, and bpfilter's own
 * per-namespace limit on what it stores.
 */
static int replace_reserve(const struct sockopt_call *call,
			   const struct ipt_replace *repl)
{
	__u64 others;

	if ((__u64)repl->size + XT_TABLE_INFO_SIZE >= XT_TABLE_BYTES_MAX)
		return bpfilter_refuse(-ENOMEM, "replace: table size %u", repl->size);
	others = bpfilter_table_bytes_besides(call->nets, call->net_cookie,
					      repl->name);
	if (others + repl->size > BPFILTER_NETNS_TABLE_BYTES_MAX)
		return bpfilter_refuse(-ENOMEM, "replace: %u bytes for table %s would take the namespace's tables over %u bytes",
				       repl->size, repl->name,
				       BPFILTER_NETNS_TABLE_BYTES_MAX);
	return 0;
}

/* __do_replace()'s lookup: the table must exist, with the same hooks. */
static int replace_lookup(const struct sockopt_call *call,
			  const struct ipt_replace *repl,
			  struct ipt_table_store **cur)
{
	int ret;

	ret = bpfilter_table_get(call->nets, call->net_cookie, repl->name, cur);
	if (ret)
		return bpfilter_refuse(ret, "replace: table \"%s\"", repl->name);
	if (repl->valid_hooks != (*cur)->valid_hooks)
		return bpfilter_refuse(-EINVAL, "replace: valid_hooks %#x, table %s has %#x",
				       repl->valid_hooks, repl->name,
				       (*cur)->valid_hooks);
	return 0;
}

/* @cur takes @next's contents; the old contents are freed with @next. */
static void replace_install(struct ipt_table_store *cur,
			    struct ipt_table_store *next)
{
	struct ipt_table_store old = *cur;

	*cur = *next;
	*next = old;
	ipt_table_store_free(next);
}

/* Return: each entry's counters, in order, as a malloc()ed array. */
static struct xt_counters *table_counters(const struct ipt_table_store *t)
{
	struct xt_counters *counters;
	const struct ipt_entry *e;
	unsigned int off, i = 0;

	counters = malloc((size_t)t->num_entries * sizeof(*counters) + 1);
	if (!counters)
		return NULL;
	for (off = 0; off < t->size; off += e->next_offset) {
		e = (const void *)((const unsigned char *)t->entries + off);
		counters[i++] = e->counters;
	}
	return counters;
}

/* Adds @counters (t->num_entries of them) to the entries' counters. */
static void table_add_counters(struct ipt_table_store *t,
			       const unsigned char *counters)
{
	struct xt_counters add;
	struct ipt_entry *e;
	unsigned int off;

	for (off = 0; off < t->size; off += e->next_offset) {
		e = (void *)((unsigned char *)t->entries + off);
		memcpy(&add, counters, sizeof(add));
		counters += sizeof(add);
		e->counters.pcnt += add.pcnt;
		e->counters.bcnt += add.bcnt;
	}
}

/* Header checks, allocation and translation: nothing is looked up yet. */
static int replace_translate(const struct sockopt_call *call,
			     const struct ipt_replace *repl,
			     struct ipt_table_store **next)
{
	int ret;

	ret = replace_reserve(call, repl);
	if (ret)
		return ret;
	return ipt_translate(repl, (const unsigned char *)call->payload +
			     sizeof(*repl), next);
}

/*
 * Everything do_replace() checks before it looks the table up, in its
 * order: the header, the allocation, translate_table(), then
 * xt_counters_alloc() (same size limit).  On success *@next is the
 * translated table, the caller's.
 */
static int replace_prepare(const struct sockopt_call *call,
			   struct ipt_replace *repl,
			   struct ipt_table_store **next)
{
	int ret;

	ret = replace_header(call, repl);
	if (ret)
		return ret;
	ret = replace_translate(call, repl, next);
	if (ret)
		return ret;
	if (repl->num_counters > XT_TABLE_BYTES_MAX / sizeof(struct xt_counters)) {
		ipt_table_store_free(*next);
		*next = NULL;
		return bpfilter_refuse(-ENOMEM, "replace: num_counters %u",
				       repl->num_counters);
	}
	return 0;
}

int bpfilter_set_replace(const struct sockopt_call *call, void **out,
			 __u32 *out_len)
{
	struct ipt_table_store *cur, *next = NULL;
	struct xt_counters *old;
	struct ipt_replace repl;
	int ret;

	ret = replace_prepare(call, &repl, &next);
	if (ret)
		return ret;
	ret = replace_lookup(call, &repl, &cur);
	if (ret)
		goto out;
	/* xt_replace_table(): the caller read a table that has changed. */
	if (repl.num_counters != cur->num_entries) {
		ret = bpfilter_refuse(-EAGAIN, "replace: num_counters %u, table %s has %u entries",
				      repl.num_counters, repl.name,
				      cur->num_entries);
		goto out;
	}

	old = table_counters(cur);
	if (!old) {
		ret = -ENOMEM;
		goto out;
	}
	replace_install(cur, next);
	next = NULL;
	*out = old;
	*out_len = repl.num_counters * sizeof(*old);
out:
	ipt_table_store_free(next);
	return ret;
}

/*
 * The candidate of a COMPILE: replace_prepare(), then replace_lookup()'s
 * two checks made against the table's template instead of the table,
 * so that nothing is instantiated (a committed table always has its
 * template's valid_hooks).  Only the num_counters check (-EAGAIN),
 * which depends on the table at commit time, is left to SET_REPLACE.
 */
int bpfilter_replace_candidate(const struct sockopt_call *call,
			       struct ipt_table_store **table)
{
	const struct ipt_table_template *tmpl;
	struct ipt_replace repl;
	int ret;

	*table = NULL;
	ret = replace_prepare(call, &repl, table);
	if (ret)
		return ret;
	tmpl = ipt_table_template_find(repl.name);
	if (!tmpl)
		ret = bpfilter_refuse(-ENOENT, "replace: table \"%s\"", repl.name);
	else if (repl.valid_hooks != tmpl->valid_hooks)
		ret = bpfilter_refuse(-EINVAL, "replace: valid_hooks %#x, table %s has %#x",
				      repl.valid_hooks, repl.name,
				      tmpl->valid_hooks);
	if (ret) {
		ipt_table_store_free(*table);
		*table = NULL;
	}
	return ret;
}

int bpfilter_restore(const struct sockopt_call *call)
{
	struct ipt_table_store *cur, *next = NULL;
	struct ipt_replace repl;
	__u64 tail;
	int ret;

	ret = replace_header(call, &repl);
	if (ret)
		return ret;
	tail = call->optlen - sizeof(repl) - (__u64)repl.size;
	if (tail && tail != (__u64)repl.num_entries * sizeof(struct xt_counters))
		return bpfilter_refuse(-EINVAL, "restore: %llu bytes after the entries, not num_entries counters",
				       (unsigned long long)tail);
	ret = replace_translate(call, &repl, &next);
	if (ret)
		return ret;
	ret = replace_lookup(call, &repl, &cur);
	if (ret)
		goto out;

	if (tail)
		table_add_counters(next, (const unsigned char *)call->payload +
				   sizeof(repl) + repl.size);
	replace_install(cur, next);
	next = NULL;
out:
	ipt_table_store_free(next);
	return ret;
}

int bpfilter_set_add_counters(const struct sockopt_call *call)
{
	struct xt_counters_info info;
	struct ipt_table_store *table;
	int ret;

	/* xt_copy_counters(): a header and exactly num_counters counters. */
	if (call->optlen <= sizeof(info))
		return bpfilter_refuse(-EINVAL, "add counters: optlen %u",
				       call->optlen);
	memcpy(&info, call->payload, sizeof(info));
	info.name[sizeof(info.name) - 1] = '\0';
	if ((__u64)info.num_counters * sizeof(struct xt_counters) !=
	    call->optlen - sizeof(info))
		return bpfilter_refuse(-EINVAL, "add counters: %u counters in %u bytes",
				       info.num_counters, call->optlen);

	ret = bpfilter_table_get(call->nets, call->net_cookie, info.name,
				 &table);
	if (ret)
		return bpfilter_refuse(ret, "add counters: table \"%s\"",
				       info.name);
	if (info.num_counters != table->num_entries)
		return bpfilter_refuse(-EINVAL, "add counters: %u counters, table %s has %u entries",
				       info.num_counters, info.name,
				       table->num_entries);

	table_add_counters(table, (const unsigned char *)call->payload +
			   sizeof(info));
	return 0;
}
