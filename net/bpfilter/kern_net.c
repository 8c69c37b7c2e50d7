// SPDX-License-Identifier: GPL-2.0
/*
 * bpfilter's state of each network namespace, reached from struct net
 * as netfilter reaches its own: the tables it has instantiated (listed
 * in /proc/net/ip_tables_names, as x_tables does: iptables-save reads
 * it to know which tables to dump, and iptables skips its "modprobe
 * ip_tables" when it exists), the tables kept for the next helper, and
 * what its exit needs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "kern.h"

static unsigned int bpfilter_net_id __read_mostly;

static const char *const bpfilter_table_names[BPFILTER_TABLE_MAX] = {
	[BPFILTER_TABLE_FILTER] = "filter",
};

const char *bpfilter_table_name(enum bpfilter_table table)
{
	return bpfilter_table_names[table];
}

/* Return: the table named by the NUL-terminated @name, or -ENOENT. */
int bpfilter_table_by_name(const char *name, size_t len)
{
	int i;

	for (i = 0; i < BPFILTER_TABLE_MAX; i++)
		if (strnlen(name, len) < len &&
		    !strcmp(name, bpfilter_table_names[i]))
			return i;
	return -ENOENT;
}

struct bpfilter_net *bpfilter_net(const struct net *net)
{
	return net_generic(net, bpfilter_net_id);
}

/**
 * bpfilter_net_prepare - make a namespace ready to send requests
 * @net: the caller's namespace
 *
 * The first request of a namespace charges it to its user and allocates
 * the request that its exit will send, both in the caller's context.
 *
 * Return: 0, or -ENOMEM (no memory, or the user's namespaces limit).
 */
int bpfilter_net_prepare(struct net *net)
{
	struct bpfilter_net *bn = bpfilter_net(net);
	struct bpfilter_user *user;
	struct bpfilter_call *call;

	if (READ_ONCE(bn->exit_call))
		return 0;
	user = bpfilter_user_charge(net);
	if (IS_ERR(user))
		return PTR_ERR(user);
	call = bpfilter_call_alloc(BPFILTER_CMD_NETNS_EXIT, net, 0, 0, 0);
	if (!call) {
		bpfilter_user_uncharge(user);
		return -ENOMEM;
	}
	/* Concurrent first requests: one wins, the others undo. */
	if (cmpxchg(&bn->exit_call, NULL, call)) {
		bpfilter_call_put(call);
		bpfilter_user_uncharge(user);
		return 0;
	}
	bn->user = user;
	return 0;
}

void bpfilter_net_set_tables(struct net *net, u16 tables)
{
	WRITE_ONCE(bpfilter_net(net)->tables, tables);
}

static int tables_names_show(struct seq_file *seq, void *v)
{
	struct bpfilter_net *bn = bpfilter_net(seq_file_single_net(seq));
	u16 tables = READ_ONCE(bn->tables);
	int i;

	for (i = 0; i < BPFILTER_TABLE_MAX; i++)
		if (tables & BIT(i))
			seq_printf(seq, "%s\n", bpfilter_table_names[i]);
	return 0;
}

static int __net_init bpfilter_pernet_init(struct net *net)
{
	struct proc_dir_entry *pde;
	kuid_t root_uid;
	kgid_t root_gid;

	bpfilter_dp_init(&bpfilter_net(net)->dp);
	pde = proc_create_net_single("ip_tables_names", 0440, net->proc_net,
				     tables_names_show, NULL);
	if (!pde)
		return -ENOMEM;

	/* Owned by the namespace's root, as x_tables makes its file. */
	root_uid = make_kuid(net->user_ns, 0);
	root_gid = make_kgid(net->user_ns, 0);
	if (uid_valid(root_uid) && gid_valid(root_gid))
		proc_set_user(pde, root_uid, root_gid);
	return 0;
}

/* First, so that the RCU grace period of the exit covers the hooks. */
static void __net_exit bpfilter_pernet_pre_exit(struct net *net)
{
	bpfilter_dp_pre_exit(net);
}

/* Nothing holds a reference to @net any more, so no request of it is in
 * flight and the I/O thread cannot reach its kept tables: free them here
 * and tell the helper without waiting for it.
 */
static void __net_exit bpfilter_pernet_exit(struct net *net)
{
	struct bpfilter_net *bn = bpfilter_net(net);

	remove_proc_entry("ip_tables_names", net->proc_net);
	bpfilter_dp_exit(net);
	bpfilter_store_free(bn);
	if (bn->exit_call) {
		bpfilter_call_queue(bn->exit_call);
		bpfilter_call_put(bn->exit_call);
		bn->exit_call = NULL;
	}
	bpfilter_user_uncharge(bn->user);
	bn->user = NULL;
}

static struct pernet_operations bpfilter_net_ops = {
	.init = bpfilter_pernet_init,
	.pre_exit = bpfilter_pernet_pre_exit,
	.exit = bpfilter_pernet_exit,
	.id = &bpfilter_net_id,
	.size = sizeof(struct bpfilter_net),
};

int bpfilter_net_init(void)
{
	return register_pernet_subsys(&bpfilter_net_ops);
}

void bpfilter_net_exit(void)
{
	unregister_pernet_subsys(&bpfilter_net_ops);
}
