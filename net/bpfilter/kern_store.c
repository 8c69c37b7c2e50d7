// SPDX-License-Identifier: GPL-2.0
/*
 * What the module keeps so that no committed state dies with a helper.
 *
 * For every table a namespace has instantiated, the module remembers the
 * request of the last IPT_SO_SET_REPLACE the helper accepted and the sum
 * of the IPT_SO_SET_ADD_COUNTERS it accepted since.  A new helper gets
 * all of it back before it serves anything else.  The module owns commit
 * durability: a set is recorded here on the I/O thread, right after the
 * helper's reply and before any other request, so a SET_REPLACE that
 * returned success to its caller is never lost.
 *
 * Only the I/O thread and module unload (after the thread is gone) touch
 * the store, so it needs no lock.
 */
#include <linux/list.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "kern.h"

struct bpfilter_committed {
	struct list_head node;
	u64 net_cookie;
	enum bpfilter_table table;
	/* The accepted SET_REPLACE request; NULL: the initial table. */
	struct bpfilter_request *replace;
	/* Sum of accepted ADD_COUNTERS since; NULL: all zero. */
	struct xt_counters *counters;
	unsigned int num_counters;
};

static LIST_HEAD(committed_tables);

static struct bpfilter_committed *store_find(u64 net_cookie,
					     enum bpfilter_table table)
{
	struct bpfilter_committed *c;

	list_for_each_entry(c, &committed_tables, node)
		if (c->net_cookie == net_cookie && c->table == table)
			return c;
	return NULL;
}

static struct bpfilter_committed *store_get(u64 net_cookie,
					    enum bpfilter_table table)
{
	struct bpfilter_committed *c = store_find(net_cookie, table);

	if (c)
		return c;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return NULL;
	c->net_cookie = net_cookie;
	c->table = table;
	list_add_tail(&c->node, &committed_tables);
	return c;
}

static void store_free(struct bpfilter_committed *c)
{
	list_del(&c->node);
	kvfree(c->replace);
	kvfree(c->counters);
	kfree(c);
}

static int table_by_name(const char *name, size_t len)
{
	int i;

	for (i = 0; i < BPFILTER_TABLE_MAX; i++)
		if (strnlen(name, len) < len &&
		    !strcmp(name, bpfilter_table_name(i)))
			return i;
	return -ENOENT;
}

static int store_add_counters(struct bpfilter_committed *c,
			      const struct xt_counters_info *info)
{
	const struct xt_counters *add = info->counters;
	unsigned int i;

	if (c->counters && c->num_counters != info->num_counters) {
		kvfree(c->counters);
		c->counters = NULL;
	}
	if (!c->counters) {
		c->counters = kvcalloc(info->num_counters, sizeof(*add),
				       GFP_KERNEL);
		if (!c->counters)
			return -ENOMEM;
		c->num_counters = info->num_counters;
	}
	for (i = 0; i < info->num_counters; i++) {
		c->counters[i].pcnt += add[i].pcnt;
		c->counters[i].bcnt += add[i].bcnt;
	}
	return 0;
}

/**
 * bpfilter_store_commit - record a request the helper accepted
 * @call: a completed call whose reply status is 0
 *
 * Takes ownership of an accepted SET_REPLACE's request (call->req is
 * then NULL), adds accepted counters, and notes newly instantiated
 * tables so that a new helper instantiates them too.
 */
void bpfilter_store_commit(struct bpfilter_call *call)
{
	const struct bpfilter_request *req = call->req;
	unsigned long tables = call->reply.tables;
	struct bpfilter_committed *c;
	int table, err = 0;

	for_each_set_bit(table, &tables, BPFILTER_TABLE_MAX)
		if (!store_get(req->net_cookie, table))
			err = -ENOMEM;

	if (req->cmd == BPFILTER_CMD_SETSOCKOPT &&
	    req->optname == BPFILTER_IPT_SO_SET_REPLACE) {
		const struct ipt_replace *repl = (const void *)(req + 1);

		table = table_by_name(repl->name, sizeof(repl->name));
		c = table < 0 ? NULL : store_get(req->net_cookie, table);
		if (c) {
			kvfree(c->replace);
			kvfree(c->counters);
			c->counters = NULL;
			c->replace = call->req;
			call->req = NULL;
		} else {
			err = -ENOMEM;
		}
	} else if (req->cmd == BPFILTER_CMD_SETSOCKOPT &&
		   req->optname == BPFILTER_IPT_SO_SET_ADD_COUNTERS) {
		const struct xt_counters_info *info = (const void *)(req + 1);

		table = table_by_name(info->name, sizeof(info->name));
		c = table < 0 ? NULL : store_get(req->net_cookie, table);
		err = c ? store_add_counters(c, info) : -ENOMEM;
	}
	if (err)
		pr_err_ratelimited("bpfilter: cannot keep a committed change (%d): a helper restart would lose it\n",
				   err);
}

/**
 * bpfilter_store_forget_net - drop what a vanished namespace committed
 * @net_cookie: the namespace
 */
void bpfilter_store_forget_net(u64 net_cookie)
{
	struct bpfilter_committed *c, *tmp;

	list_for_each_entry_safe(c, tmp, &committed_tables, node)
		if (c->net_cookie == net_cookie)
			store_free(c);
}

/* A request that brings one committed table back into a new helper. */
static struct bpfilter_call *restore_call(const struct bpfilter_committed *c)
{
	size_t counters_len = c->counters ?
		c->num_counters * sizeof(*c->counters) : 0;
	struct bpfilter_call *call;
	struct ipt_getinfo *info;
	void *payload;

	if (c->replace) {
		call = bpfilter_call_alloc(BPFILTER_CMD_RESTORE, c->net_cookie,
					   BPFILTER_IPT_SO_SET_REPLACE, 0,
					   c->replace->payload_len +
					   counters_len);
		if (!call)
			return NULL;
		payload = call->req + 1;
		memcpy(payload, c->replace + 1, c->replace->payload_len);
		if (counters_len)
			memcpy(payload + c->replace->payload_len, c->counters,
			       counters_len);
		call->req->optlen = call->req->payload_len;
		return call;
	}
	if (c->counters) {
		struct xt_counters_info *add;

		call = bpfilter_call_alloc(BPFILTER_CMD_SETSOCKOPT,
					   c->net_cookie,
					   BPFILTER_IPT_SO_SET_ADD_COUNTERS,
					   sizeof(*add) + counters_len,
					   sizeof(*add) + counters_len);
		if (!call)
			return NULL;
		add = (void *)(call->req + 1);
		strscpy(add->name, bpfilter_table_name(c->table),
			sizeof(add->name));
		add->num_counters = c->num_counters;
		memcpy(add->counters, c->counters, counters_len);
		return call;
	}
	/* Instantiated, never changed: reading it instantiates it again. */
	call = bpfilter_call_alloc(BPFILTER_CMD_GETSOCKOPT, c->net_cookie,
				   BPFILTER_IPT_SO_GET_INFO, sizeof(*info),
				   sizeof(*info));
	if (!call)
		return NULL;
	info = (void *)(call->req + 1);
	strscpy(info->name, bpfilter_table_name(c->table), sizeof(info->name));
	call->reply_cap = sizeof(*info);
	return call;
}

/**
 * bpfilter_store_restore - give a new helper every committed table
 * @exchange: sends one call to the helper and reads its reply
 *
 * Return: 0, or the transport error that broke off the restore.  A table
 * the helper refuses (it accepted it before, so this means a bug) is
 * logged and dropped; the rest are still restored.
 */
int bpfilter_store_restore(int (*exchange)(struct bpfilter_call *call))
{
	struct bpfilter_committed *c, *tmp;
	struct bpfilter_call *call;
	int err;

	list_for_each_entry_safe(c, tmp, &committed_tables, node) {
		call = restore_call(c);
		if (!call)
			return -ENOMEM;
		err = exchange(call);
		if (!err && call->reply.status) {
			pr_err("bpfilter: the new helper refused a committed %s table (%d); it is lost\n",
			       bpfilter_table_name(c->table),
			       call->reply.status);
			store_free(c);
		}
		bpfilter_call_put(call);
		if (err)
			return err;
	}
	return 0;
}

/**
 * bpfilter_store_stats - what the store holds
 * @tables: set to the number of tables kept
 * @bytes: set to the bytes of requests and counters kept
 */
void bpfilter_store_stats(unsigned int *tables, size_t *bytes)
{
	struct bpfilter_committed *c;

	*tables = 0;
	*bytes = 0;
	list_for_each_entry(c, &committed_tables, node) {
		*tables += 1;
		if (c->replace)
			*bytes += sizeof(*c->replace) + c->replace->payload_len;
		if (c->counters)
			*bytes += c->num_counters * sizeof(*c->counters);
	}
}

void bpfilter_store_exit(void)
{
	struct bpfilter_committed *c, *tmp;

	list_for_each_entry_safe(c, tmp, &committed_tables, node)
		store_free(c);
}
