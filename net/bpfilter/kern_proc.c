// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/ip_tables_names in every network namespace, listing the
 * tables that namespace has instantiated, as x_tables does.
 * iptables-save reads it to know which tables to dump, and iptables
 * skips its "modprobe ip_tables" when it exists.  The helper decides
 * which tables exist; every reply carries the caller's namespace's set.
 * A namespace's exit also tells the helper to drop its tables.
 */
#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>
#include "kern.h"

struct bpfilter_net {
	u16 tables;	/* bit n: enum bpfilter_table n is instantiated */
};

static unsigned int bpfilter_net_id __read_mostly;

static const char *const bpfilter_table_names[BPFILTER_TABLE_MAX] = {
	[BPFILTER_TABLE_FILTER] = "filter",
};

const char *bpfilter_table_name(enum bpfilter_table table)
{
	return bpfilter_table_names[table];
}

void bpfilter_proc_set_tables(struct net *net, u16 tables)
{
	struct bpfilter_net *bn = net_generic(net, bpfilter_net_id);

	WRITE_ONCE(bn->tables, tables);
}

static int tables_names_show(struct seq_file *seq, void *v)
{
	struct bpfilter_net *bn = net_generic(seq_file_single_net(seq),
					      bpfilter_net_id);
	u16 tables = READ_ONCE(bn->tables);
	int i;

	for (i = 0; i < BPFILTER_TABLE_MAX; i++)
		if (tables & BIT(i))
			seq_printf(seq, "%s\n", bpfilter_table_names[i]);
	return 0;
}

static int __net_init bpfilter_net_init(struct net *net)
{
	struct proc_dir_entry *pde;
	kuid_t root_uid;
	kgid_t root_gid;

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

static void __net_exit bpfilter_net_exit(struct net *net)
{
	remove_proc_entry("ip_tables_names", net->proc_net);
	bpfilter_helper_forget_net(net->net_cookie);
}

static struct pernet_operations bpfilter_net_ops = {
	.init = bpfilter_net_init,
	.exit = bpfilter_net_exit,
	.id = &bpfilter_net_id,
	.size = sizeof(struct bpfilter_net),
};

int bpfilter_proc_init(void)
{
	return register_pernet_subsys(&bpfilter_net_ops);
}

void bpfilter_proc_exit(void)
{
	unregister_pernet_subsys(&bpfilter_net_ops);
}
