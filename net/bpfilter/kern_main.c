// SPDX-License-Identifier: GPL-2.0
/*
 * bpfilter.ko: answers the ip_tables socket options through a user-mode
 * helper embedded in the module.
 *
 * The module copies what x_tables would read from the caller into a
 * request, lets the helper decide, and copies the helper's answer back
 * where x_tables would write it.  The helper never touches the caller's
 * memory.  Size checks that x_tables makes before allocating are made
 * here too, in the same order, so that a hostile length costs nothing.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/mm.h>
#include <linux/sysfs.h>
#include <net/sock.h>
#include "kern.h"

/* x_tables' own limit on a table (net/netfilter/x_tables.c). */
#define BPFILTER_MAX_TABLE_SIZE (512 * 1024 * 1024)

/* Sizes of a request: what to copy in, what may come back. */
struct bpfilter_sizes {
	size_t payload_len;
	size_t reply_cap;
	bool reply_exact;
	void __user *reply_dest;	/* NULL: the caller's optval */
};

/* As do_replace() and xt_alloc_table_info() check, in their order. */
static int replace_sizes(sockptr_t optval, unsigned int optlen,
			 struct bpfilter_sizes *sizes)
{
	struct ipt_replace repl;

	if (copy_from_sockptr(&repl, optval, sizeof(repl)))
		return -EFAULT;
	if (repl.num_counters >= INT_MAX / sizeof(struct xt_counters))
		return -ENOMEM;
	if (repl.num_counters == 0)
		return -EINVAL;
	if ((u64)optlen < (u64)repl.size + sizeof(repl))
		return -EINVAL;
	if ((u64)repl.size + sizeof(struct xt_table_info) >=
	    BPFILTER_MAX_TABLE_SIZE)
		return -ENOMEM;

	sizes->payload_len = sizeof(repl) + repl.size;
	/* The replaced table's counters go to the caller's array. */
	sizes->reply_cap = repl.num_counters * sizeof(struct xt_counters);
	sizes->reply_exact = true;
	sizes->reply_dest = repl.counters;
	return 0;
}

/* As xt_copy_counters() checks. */
static int add_counters_sizes(sockptr_t optval, unsigned int optlen,
			      struct bpfilter_sizes *sizes)
{
	struct xt_counters_info info;

	if (optlen <= sizeof(info))
		return -EINVAL;
	if (copy_from_sockptr(&info, optval, sizeof(info)))
		return -EFAULT;
	if ((u64)info.num_counters * sizeof(struct xt_counters) !=
	    optlen - sizeof(info))
		return -EINVAL;
	/* No table within x_tables' size limit has this many entries. */
	if (optlen - sizeof(info) > BPFILTER_MAX_TABLE_SIZE)
		return -EINVAL;
	sizes->payload_len = optlen;
	return 0;
}

static int set_sizes(int optname, sockptr_t optval, unsigned int optlen,
		     struct bpfilter_sizes *sizes)
{
	switch (optname) {
	case BPFILTER_IPT_SO_SET_REPLACE:
		return replace_sizes(optval, optlen, sizes);
	case BPFILTER_IPT_SO_SET_ADD_COUNTERS:
		return add_counters_sizes(optval, optlen, sizes);
	default:
		return -EINVAL;
	}
}

/* A get sends the start of the caller's buffer (the name and size that
 * x_tables reads); the answer may fill the whole buffer.
 */
static int get_sizes(unsigned int optlen, struct bpfilter_sizes *sizes)
{
	if ((int)optlen < 0)
		return -EINVAL;
	sizes->payload_len = min_t(size_t, optlen, BPFILTER_GET_INPUT_MAX);
	sizes->reply_cap = optlen;
	return 0;
}

static int copy_reply(const struct bpfilter_call *call, sockptr_t optval,
		      const struct bpfilter_sizes *sizes)
{
	u32 len = call->reply.payload_len;

	if (!len)
		return 0;
	if (sizes->reply_dest)
		return copy_to_user(sizes->reply_dest, call->reply_payload,
				    len) ? -EFAULT : 0;
	return copy_to_sockptr(optval, call->reply_payload, len);
}

static int bpfilter_sockopt(struct sock *sk, int optname, sockptr_t optval,
			    unsigned int optlen, bool is_set)
{
	struct bpfilter_sizes sizes = {};
	struct net *net = sock_net(sk);
	struct bpfilter_call *call;
	int err;

	err = is_set ? set_sizes(optname, optval, optlen, &sizes) :
		       get_sizes(optlen, &sizes);
	if (err)
		return err;

	/* A set sends exactly the bytes x_tables reads, whatever optlen. */
	call = bpfilter_call_alloc(is_set ? BPFILTER_CMD_SETSOCKOPT :
					    BPFILTER_CMD_GETSOCKOPT,
				   net->net_cookie, optname,
				   is_set ? sizes.payload_len : optlen,
				   sizes.payload_len);
	if (!call)
		return -ENOMEM;
	call->reply_cap = sizes.reply_cap;
	call->reply_exact = sizes.reply_exact;

	if (copy_from_sockptr(call->req + 1, optval, sizes.payload_len)) {
		err = -EFAULT;
		goto out;
	}
	err = bpfilter_call_run(call);
	if (err)
		goto out;
	bpfilter_proc_set_tables(net, call->reply.tables);
	err = call->reply.status;
	if (!err)
		err = copy_reply(call, optval, &sizes);
out:
	bpfilter_call_put(call);
	return err;
}

static const struct bpfilter_sockopt_ops bpfilter_ops = {
	.owner = THIS_MODULE,
	.sockopt = bpfilter_sockopt,
};

/* Reading /sys/module/bpfilter/parameters/stats asks the helper for its
 * accounting; tests use it to see a namespace's tables freed.
 */
static int stats_get(char *buffer, const struct kernel_param *kp)
{
	struct bpfilter_stats stats;
	struct bpfilter_call *call;
	int err;

	call = bpfilter_call_alloc(BPFILTER_CMD_STATS, 0, 0, 0, 0);
	if (!call)
		return -ENOMEM;
	call->reply_cap = sizeof(stats);
	call->reply_exact = true;
	err = bpfilter_call_run(call);
	if (!err)
		err = call->reply.status;
	if (!err) {
		memcpy(&stats, call->reply_payload, sizeof(stats));
		err = sysfs_emit(buffer,
				 "helper_netns %u\nhelper_tables %u\nhelper_table_bytes %llu\nkept_tables %u\nkept_bytes %zu\n",
				 stats.netns, stats.tables, stats.table_bytes,
				 call->store_tables, call->store_bytes);
	}
	bpfilter_call_put(call);
	return err;
}

static const struct kernel_param_ops stats_ops = {
	.get = stats_get,
};
module_param_cb(stats, &stats_ops, NULL, 0400);
MODULE_PARM_DESC(stats, "the helper's and the module's table accounting");

/* Start the helper now and make sure it answers before taking requests. */
static int bpfilter_ping(void)
{
	struct bpfilter_call *call;
	int err;

	call = bpfilter_call_alloc(BPFILTER_CMD_PING, 0, 0, 0, 0);
	if (!call)
		return -ENOMEM;
	err = bpfilter_call_run(call);
	if (!err)
		err = call->reply.status;
	bpfilter_call_put(call);
	return err;
}

static int __init bpfilter_init(void)
{
	int err;

	err = bpfilter_helper_init();
	if (err)
		return err;
	err = bpfilter_proc_init();
	if (err)
		goto helper_exit;
	err = bpfilter_ping();
	if (err) {
		pr_err("the helper does not answer: %d\n", err);
		goto proc_exit;
	}
	err = bpfilter_register_sockopt(&bpfilter_ops);
	if (err)
		goto proc_exit;
	return 0;

proc_exit:
	bpfilter_proc_exit();
helper_exit:
	bpfilter_helper_exit();
	return err;
}

static void __exit bpfilter_exit(void)
{
	bpfilter_unregister_sockopt(&bpfilter_ops);
	bpfilter_helper_exit();
	bpfilter_proc_exit();
}

module_init(bpfilter_init);
module_exit(bpfilter_exit);
MODULE_DESCRIPTION("iptables over BPF: ip_tables sockopts answered by a user-mode helper");
MODULE_LICENSE("GPL");
