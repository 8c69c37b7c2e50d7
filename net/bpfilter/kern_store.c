// SPDX-License-Identifier: GPL-2.0
/*
 * What the module keeps so that no committed state dies with a helper.
 *
 * For every table a namespace has instantiated, the module keeps the
 * last IPT_SO_SET_REPLACE request the helper accepted and the sum of
 * the IPT_SO_SET_ADD_COUNTERS it accepted since, in the namespace's
 * struct bpfilter_net.  Keeping them allocates nothing: the module
 * takes over the requests themselves, which the callers allocated and
 * were charged for, so a change the helper accepted is always kept.
 * It is recorded on the I/O thread right after the helper's reply and
 * before any other request is served.
 *
 * A new helper gets every kept table back before it serves anything
 * else.  A table it refuses stays kept, and its namespace's requests
 * fail until a later attempt restores it: a namespace never falls back
 * to an empty table behind its users' backs.
 *
 * Only the I/O thread of a namespace's domain (kern_helper.c) touches
 * its kept tables, and only while it holds a reference to it; a
 * namespace's exit frees them once nothing references it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/moduleparam.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/rtnetlink.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uio.h>
#include <net/net_namespace.h>
#include "kern.h"

static unsigned int fail_restores;
module_param(fail_restores, uint, 0600);
MODULE_PARM_DESC(fail_restores,
		 "fault injection for tests: refuse the next N table restores as if the helper had");

static struct xt_counters_info *added_info(const struct bpfilter_kept *k)
{
	return (void *)(k->added + 1);
}

static void kept_replace(struct bpfilter_kept *k, struct bpfilter_call *call)
{
	kvfree(k->replace);
	kvfree(k->added);
	k->added = NULL;
	k->replace = call->req;
	call->req = NULL;
}

static void kept_add_counters(struct bpfilter_kept *k,
			      struct bpfilter_call *call)
{
	const struct xt_counters_info *add = (const void *)(call->req + 1);
	struct xt_counters_info *sum;
	unsigned int i;

	/* The helper checked the count against the table the sum is for. */
	if (k->added && added_info(k)->num_counters == add->num_counters) {
		sum = added_info(k);
		for (i = 0; i < add->num_counters; i++) {
			sum->counters[i].pcnt += add->counters[i].pcnt;
			sum->counters[i].bcnt += add->counters[i].bcnt;
		}
		return;
	}
	kvfree(k->added);
	k->added = call->req;
	call->req = NULL;
}

/**
 * bpfilter_store_commit - keep what the helper accepted
 * @call: a completed call whose reply status is 0
 *
 * Takes over an accepted SET_REPLACE or ADD_COUNTERS request (call->req
 * is then NULL) and notes newly instantiated tables, so that a new
 * helper gets them back.  Cannot fail.
 */
void bpfilter_store_commit(struct bpfilter_call *call)
{
	const struct bpfilter_request *req = call->req;
	unsigned long tables = call->reply.tables;
	struct bpfilter_net *bn;
	const char *name;
	int table;

	if (!call->net)
		return;
	bn = bpfilter_net(call->net);
	for_each_set_bit(table, &tables, BPFILTER_TABLE_MAX)
		bn->kept[table].instantiated = true;

	if (req->cmd != BPFILTER_CMD_SETSOCKOPT)
		return;
	/* Both requests start with the table's name. */
	BUILD_BUG_ON(offsetof(struct ipt_replace, name) != 0 ||
		     offsetof(struct xt_counters_info, name) != 0);
	name = (const char *)(req + 1);
	table = bpfilter_table_by_name(name, XT_TABLE_MAXNAMELEN);
	if (table < 0)
		return;
	if (req->optname == BPFILTER_IPT_SO_SET_REPLACE)
		kept_replace(&bn->kept[table], call);
	else if (req->optname == BPFILTER_IPT_SO_SET_ADD_COUNTERS)
		kept_add_counters(&bn->kept[table], call);
}

static bool kept_any(const struct bpfilter_kept *k)
{
	return k->instantiated || k->replace || k->added;
}

static bool net_kept_any(const struct bpfilter_net *bn)
{
	int i;

	for (i = 0; i < BPFILTER_TABLE_MAX; i++)
		if (kept_any(&bn->kept[i]))
			return true;
	return false;
}

/* Sends one kept table; the payload is sent from where it is kept. */
static int restore_table(struct net *net, enum bpfilter_table table,
			 int (*exchange)(struct bpfilter_call *call))
{
	const struct bpfilter_kept *k = &bpfilter_net(net)->kept[table];
	struct bpfilter_request hdr = {
		.magic = BPFILTER_WIRE_MAGIC,
		.version = BPFILTER_WIRE_VERSION,
		.net_cookie = net->net_cookie,
		.hz = HZ,
	};
	struct bpfilter_call call = { .net = net, .req = &hdr };
	struct ipt_getinfo info = {};
	int err;

	if (k->replace) {
		/* The entries, then the counters to start from. */
		hdr.cmd = BPFILTER_CMD_RESTORE;
		hdr.optname = BPFILTER_IPT_SO_SET_REPLACE;
		call.out[0].iov_base = k->replace + 1;
		call.out[0].iov_len = k->replace->payload_len;
		if (k->added) {
			call.out[1].iov_base = added_info(k)->counters;
			call.out[1].iov_len = added_info(k)->num_counters *
					      sizeof(struct xt_counters);
		}
	} else if (k->added) {
		/* The initial table, with counters added. */
		hdr = *k->added;
		call.out[0].iov_base = k->added + 1;
		call.out[0].iov_len = k->added->payload_len;
	} else {
		/* Instantiated, never changed: reading it instantiates it. */
		hdr.cmd = BPFILTER_CMD_GETSOCKOPT;
		hdr.optname = BPFILTER_IPT_SO_GET_INFO;
		strscpy(info.name, bpfilter_table_name(table),
			sizeof(info.name));
		call.out[0].iov_base = &info;
		call.out[0].iov_len = sizeof(info);
		call.reply_cap = sizeof(info);
	}
	hdr.payload_len = call.out[0].iov_len + call.out[1].iov_len;
	hdr.optlen = hdr.payload_len;

	err = exchange(&call);
	kvfree(call.reply_payload);
	if (err)
		return err;
	if (!call.reply.status && fail_restores) {
		fail_restores--;
		call.reply.status = -ENOMEM;
	}
	if (call.reply.status) {
		pr_err_ratelimited("the helper refused to restore the %s table of netns cookie %llu (%d): kept, its requests fail until it is restored\n",
				   bpfilter_table_name(table), net->net_cookie,
				   call.reply.status);
		return 1;
	}
	return 0;
}

/**
 * bpfilter_store_restore_net - give the helper a namespace's kept tables
 * @net: the namespace, referenced by the caller
 * @helper_gen: the running helper's generation
 * @exchange: sends one call to the helper and reads its reply
 *
 * On success the namespace is marked restored in @helper_gen.  A table
 * the helper refuses stays kept and the namespace stays unrestored.
 *
 * Return: 0, or the transport error that broke off the restore.
 */
int bpfilter_store_restore_net(struct net *net, u64 helper_gen,
			       int (*exchange)(struct bpfilter_call *call))
{
	struct bpfilter_net *bn = bpfilter_net(net);
	bool refused = false;
	int table, err;

	for (table = 0; table < BPFILTER_TABLE_MAX; table++) {
		if (!kept_any(&bn->kept[table]))
			continue;
		err = restore_table(net, table, exchange);
		if (err < 0)
			return err;
		refused |= err;
	}
	if (!refused)
		bn->restored_gen = helper_gen;
	return 0;
}

/**
 * bpfilter_store_needs_restore - is @net not yet in step with the helper?
 * @net: a namespace the caller holds a reference to
 * @helper_gen: the running helper's generation
 *
 * A namespace that has nothing kept is put in step by
 * bpfilter_store_restore_net() without a word to the helper.
 */
bool bpfilter_store_needs_restore(const struct net *net, u64 helper_gen)
{
	return bpfilter_net(net)->restored_gen != helper_gen;
}

/**
 * bpfilter_store_restore_all - give a new helper every kept table
 * @domain: the helper's domain: only its namespaces are restored
 * @helper_gen: the new helper's generation
 * @exchange: sends one call to the helper and reads its reply
 *
 * Namespaces that are going away are skipped: their exit tells the
 * helper to forget them anyway.
 *
 * Return: 0, or the transport error that broke off the restore.
 */
int bpfilter_store_restore_all(unsigned int domain, u64 helper_gen,
			       int (*exchange)(struct bpfilter_call *call))
{
	struct net *net, *held = NULL;
	int err = 0;

	down_read(&net_rwsem);
	for_each_net(net) {
		if (bpfilter_domain_of(net) != domain ||
		    !bpfilter_store_needs_restore(net, helper_gen))
			continue;
		if (!net_kept_any(bpfilter_net(net))) {
			bpfilter_net(net)->restored_gen = helper_gen;
			continue;
		}
		if (!maybe_get_net(net))
			continue;
		/* Our reference keeps @net on the list while unlocked. */
		up_read(&net_rwsem);
		if (held)
			put_net(held);
		held = net;
		err = bpfilter_store_restore_net(net, helper_gen, exchange);
		down_read(&net_rwsem);
		if (err)
			break;
	}
	up_read(&net_rwsem);
	if (held)
		put_net(held);
	return err;
}

/**
 * bpfilter_store_stats - the module's accounting of kept tables
 * @stats: filled in
 * @domain: of the namespaces to count
 * @helper_gen: the running helper's generation
 */
void bpfilter_store_stats(struct bpfilter_module_stats *stats,
			  unsigned int domain, u64 helper_gen)
{
	const struct bpfilter_net *bn;
	const struct bpfilter_kept *k;
	struct net *net;
	int i;

	down_read(&net_rwsem);
	for_each_net(net) {
		if (bpfilter_domain_of(net) != domain)
			continue;
		bn = bpfilter_net(net);
		for (i = 0; i < BPFILTER_TABLE_MAX; i++) {
			k = &bn->kept[i];
			if (!kept_any(k))
				continue;
			stats->kept_tables++;
			if (k->replace)
				stats->kept_bytes += sizeof(*k->replace) +
						     k->replace->payload_len;
			if (k->added)
				stats->kept_bytes += sizeof(*k->added) +
						     k->added->payload_len;
		}
		if (bpfilter_store_needs_restore(net, helper_gen) &&
		    net_kept_any(bn))
			stats->unrestored_netns++;
	}
	up_read(&net_rwsem);
}

/**
 * bpfilter_store_free - drop a namespace's kept tables
 * @bn: the namespace's state; nothing may reference the namespace
 */
void bpfilter_store_free(struct bpfilter_net *bn)
{
	int i;

	for (i = 0; i < BPFILTER_TABLE_MAX; i++) {
		kvfree(bn->kept[i].replace);
		kvfree(bn->kept[i].added);
		memset(&bn->kept[i], 0, sizeof(bn->kept[i]));
	}
}
