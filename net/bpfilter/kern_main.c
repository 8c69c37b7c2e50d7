// SPDX-License-Identifier: GPL-2.0
/*
 * bpfilter.ko: answers the ip_tables socket options through a user-mode
 * helper embedded in the module.
 *
 * The module copies what x_tables would read from the caller into a
 * request, lets the helper decide, and copies the helper's answer back
 * where x_tables would write it.  The helper never touches the caller's
 * memory.  Size checks that x_tables makes before allocating are made
 * here too, in the same order, so that a hostile length costs nothing,
 * and each header is read from the caller once: the request carries
 * that very copy, so a caller changing its buffer meanwhile cannot make
 * the module and the helper disagree about sizes.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/module.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/mm.h>
#include <linux/sysfs.h>
#include <linux/user_namespace.h>
#include <net/sock.h>
#include "kern.h"

/* x_tables' own limit on a table (net/netfilter/x_tables.c). */
#define BPFILTER_MAX_TABLE_SIZE (512 * 1024 * 1024)

/* What may come back for a request, and where it goes. */
struct bpfilter_reply_dest {
	size_t cap;
	bool exact;
	void __user *counters;	/* NULL: the caller's optval */
};

/* A request whose payload starts with the @hdr_len bytes at @hdr, already
 * copied from the caller, followed by the caller's next @rest bytes.
 */
static struct bpfilter_call *set_call(struct net *net, int optname,
				      sockptr_t optval, const void *hdr,
				      size_t hdr_len, size_t rest)
{
	struct bpfilter_call *call;

	call = bpfilter_call_alloc(BPFILTER_CMD_SETSOCKOPT, net, optname,
				   hdr_len + rest, hdr_len + rest);
	if (!call)
		return ERR_PTR(-ENOMEM);
	memcpy(call->req + 1, hdr, hdr_len);
	if (copy_from_sockptr_offset((void *)(call->req + 1) + hdr_len,
				     optval, hdr_len, rest)) {
		bpfilter_call_put(call);
		return ERR_PTR(-EFAULT);
	}
	return call;
}

/* As do_replace() and xt_alloc_table_info() check, in their order. */
static struct bpfilter_call *replace_call(struct net *net, sockptr_t optval,
					  unsigned int optlen,
					  struct bpfilter_reply_dest *dest)
{
	struct ipt_replace repl;
	int err;

	if (copy_from_sockptr(&repl, optval, sizeof(repl)))
		return ERR_PTR(-EFAULT);
	if (repl.num_counters >= INT_MAX / sizeof(struct xt_counters))
		return ERR_PTR(-ENOMEM);
	if (repl.num_counters == 0)
		return ERR_PTR(-EINVAL);
	if ((u64)optlen < (u64)repl.size + sizeof(repl))
		return ERR_PTR(-EINVAL);
	if ((u64)repl.size + sizeof(struct xt_table_info) >=
	    BPFILTER_MAX_TABLE_SIZE)
		return ERR_PTR(-ENOMEM);
	/* Where x_tables allocates the table: the helper would refuse it. */
	if (repl.size > BPFILTER_NETNS_TABLE_BYTES_MAX) {
		net_warn_ratelimited("a %u byte table is over the %u byte cap per namespace\n",
				     repl.size, BPFILTER_NETNS_TABLE_BYTES_MAX);
		return ERR_PTR(-ENOMEM);
	}
	err = bpfilter_net_prepare(net);
	if (err)
		return ERR_PTR(err);

	/* The replaced table's counters go to the caller's array. */
	dest->cap = repl.num_counters * sizeof(struct xt_counters);
	dest->exact = true;
	dest->counters = repl.counters;
	return set_call(net, BPFILTER_IPT_SO_SET_REPLACE, optval, &repl,
			sizeof(repl), repl.size);
}

/* As xt_copy_counters() checks. */
static struct bpfilter_call *add_counters_call(struct net *net,
					       sockptr_t optval,
					       unsigned int optlen)
{
	struct xt_counters_info info;
	int err;

	if (optlen <= sizeof(info))
		return ERR_PTR(-EINVAL);
	if (copy_from_sockptr(&info, optval, sizeof(info)))
		return ERR_PTR(-EFAULT);
	if ((u64)info.num_counters * sizeof(struct xt_counters) !=
	    optlen - sizeof(info))
		return ERR_PTR(-EINVAL);
	/* No table within the per-namespace cap has this many entries. */
	if (optlen - sizeof(info) > BPFILTER_NETNS_TABLE_BYTES_MAX)
		return ERR_PTR(-EINVAL);
	err = bpfilter_net_prepare(net);
	if (err)
		return ERR_PTR(err);
	return set_call(net, BPFILTER_IPT_SO_SET_ADD_COUNTERS, optval, &info,
			sizeof(info), optlen - sizeof(info));
}

/* A get sends the start of the caller's buffer (the name and size that
 * x_tables reads); the answer may fill the whole buffer.
 */
static struct bpfilter_call *get_call(struct net *net, int optname,
				      sockptr_t optval, unsigned int optlen,
				      struct bpfilter_reply_dest *dest)
{
	size_t len = min_t(size_t, optlen, BPFILTER_GET_INPUT_MAX);
	struct bpfilter_call *call;
	int err;

	if ((int)optlen < 0)
		return ERR_PTR(-EINVAL);
	err = bpfilter_net_prepare(net);
	if (err)
		return ERR_PTR(err);
	call = bpfilter_call_alloc(BPFILTER_CMD_GETSOCKOPT, net, optname,
				   optlen, len);
	if (!call)
		return ERR_PTR(-ENOMEM);
	if (copy_from_sockptr(call->req + 1, optval, len)) {
		bpfilter_call_put(call);
		return ERR_PTR(-EFAULT);
	}
	dest->cap = optlen;
	return call;
}

static struct bpfilter_call *sockopt_call(struct net *net, int optname,
					  sockptr_t optval,
					  unsigned int optlen, bool is_set,
					  struct bpfilter_reply_dest *dest)
{
	if (!is_set)
		return get_call(net, optname, optval, optlen, dest);
	switch (optname) {
	case BPFILTER_IPT_SO_SET_REPLACE:
		return replace_call(net, optval, optlen, dest);
	case BPFILTER_IPT_SO_SET_ADD_COUNTERS:
		return add_counters_call(net, optval, optlen);
	default:
		return ERR_PTR(-EINVAL);
	}
}

static int copy_reply(const struct bpfilter_call *call, sockptr_t optval,
		      const struct bpfilter_reply_dest *dest)
{
	u32 len = call->reply.payload_len;

	if (!len)
		return 0;
	if (!dest->counters)
		return copy_to_sockptr(optval, call->reply_payload, len);
	/* As x_tables: the new table is in force, so this cannot fail. */
	if (copy_to_user(dest->counters, call->reply_payload, len))
		net_warn_ratelimited("counters copy to user failed while replacing table\n");
	return 0;
}

/**
 * compile - load the programs of a table
 * @net: the caller's namespace
 * @replace: a SET_REPLACE call whose payload is the candidate table, or
 *	NULL for the namespace's committed filter table
 *
 * The helper compiles, and the I/O thread loads what it sent, checked.
 *
 * Return: the loaded programs; NULL when the helper refused the
 * candidate (the SET_REPLACE itself then fails, as x_tables fails it);
 * or an ERR_PTR(): the code generator's or verifier's errno, a
 * transport error, -EIO for a malformed image.
 */
static struct bpfilter_progs *compile(struct net *net,
				      struct bpfilter_call *replace)
{
	u32 len = replace ? replace->req->payload_len : 0;
	struct bpfilter_progs *p;
	struct bpfilter_call *call;
	int err;

	call = bpfilter_call_alloc(BPFILTER_CMD_COMPILE, net,
				   replace ? BPFILTER_IPT_SO_SET_REPLACE : 0,
				   len, 0);
	if (!call)
		return ERR_PTR(-ENOMEM);
	if (replace) {
		/* Sent from the SET_REPLACE's payload, which stays alive. */
		kref_get(&replace->ref);
		call->payload_owner = replace;
		call->out[0] = replace->out[0];
		call->req->payload_len = len;
	}
	call->net = get_net(net);
	call->writer = get_user_ns(current_user_ns());
	call->reply_cap = BPFILTER_IMAGE_BYTES_MAX;

	err = bpfilter_call_run(call);
	if (err) {
		p = ERR_PTR(err);
	} else {
		bpfilter_net_set_tables(net, call->reply.tables);
		if (call->reply.status)
			p = replace ? NULL : ERR_PTR(call->reply.status);
		else if (call->load_err)
			p = ERR_PTR(call->load_err);
		else
			p = call->loaded;
		call->loaded = NULL;
	}
	bpfilter_call_put(call);
	return p;
}

/* A table read or refused may have been instantiated all the same, as
 * x_tables instantiates a table on lookup: its hooks then run.
 */
static int dp_instantiate(struct net *net, u16 tables)
{
	struct bpfilter_progs *p;
	int err;

	if (!(tables & BIT(BPFILTER_TABLE_FILTER)) || bpfilter_dp_active(net))
		return 0;
	p = compile(net, NULL);
	if (IS_ERR_OR_NULL(p))
		return p ? PTR_ERR(p) : -EBADMSG;
	err = bpfilter_dp_hook(net);
	if (err) {
		bpfilter_progs_destroy(p);
		return err;
	}
	bpfilter_progs_free(bpfilter_dp_swap(net, p));
	return 0;
}

/* Which table a set or get names: all begin with the name. */
static bool names_filter(const struct bpfilter_call *call)
{
	BUILD_BUG_ON(offsetof(struct ipt_replace, name) != 0 ||
		     offsetof(struct ipt_get_entries, name) != 0);
	return call->req->payload_len >= XT_TABLE_MAXNAMELEN &&
	       bpfilter_table_by_name((const char *)(call->req + 1),
				      XT_TABLE_MAXNAMELEN) ==
	       BPFILTER_TABLE_FILTER;
}

/* A SET_REPLACE of the filter table is compiled and loaded first: the
 * helper commits only a table whose programs the verifier accepted, and
 * the I/O thread swaps them in as it keeps the commit.  The replaced
 * programs' counters are read once no CPU can run them any more.
 */
static int serve(struct net *net, struct bpfilter_call *call,
		 sockptr_t optval, const struct bpfilter_reply_dest *dest)
{
	const struct bpfilter_request *req = call->req;
	bool replace = req->cmd == BPFILTER_CMD_SETSOCKOPT &&
		       req->optname == BPFILTER_IPT_SO_SET_REPLACE &&
		       names_filter(call);
	bool entries = req->cmd == BPFILTER_CMD_GETSOCKOPT &&
		       req->optname == BPFILTER_IPT_SO_GET_ENTRIES &&
		       names_filter(call);
	struct bpfilter_progs *p = NULL;
	int err;

	if (replace) {
		p = compile(net, call);
		if (IS_ERR(p))
			return PTR_ERR(p);
		err = p ? bpfilter_dp_hook(net) : 0;
		if (err) {
			bpfilter_progs_destroy(p);
			return err;
		}
		call->install = p;
	}

	err = bpfilter_call_run(call);
	if (err)
		return err;
	bpfilter_net_set_tables(net, call->reply.tables);
	err = call->reply.status;
	if (!err && call->replaced) {
		synchronize_rcu();
		bpfilter_progs_add_counters(call->replaced, call->reply_payload,
					    call->reply.payload_len /
					    sizeof(struct xt_counters));
		bpfilter_progs_free(call->replaced);
		call->replaced = NULL;
	}
	/* The helper accepted what it refused to compile: recompile. */
	if (!err && replace && !p) {
		p = compile(net, NULL);
		if (!IS_ERR(p) && !bpfilter_dp_hook(net))
			p = bpfilter_dp_swap(net, p);
		if (IS_ERR(p))
			pr_err_ratelimited("netns cookie %llu: the committed table is not enforced: %ld\n",
					   net->net_cookie, PTR_ERR(p));
		else
			bpfilter_progs_free(p);
	}
	if (!err && entries)
		err = bpfilter_progs_add_entries(bpfilter_dp_active(net),
						 call->reply_payload,
						 call->reply.payload_len);
	if (!err)
		err = copy_reply(call, optval, dest);
	if (err != -EINTR) {
		int inst = dp_instantiate(net, call->reply.tables);

		if (inst)
			net_warn_ratelimited("the filter table's initial programs: %d\n",
					     inst);
		if (!err)
			err = inst;
	}
	return err;
}

static int bpfilter_sockopt(struct sock *sk, int optname, sockptr_t optval,
			    unsigned int optlen, bool is_set)
{
	struct bpfilter_reply_dest dest = {};
	struct net *net = sock_net(sk);
	struct bpfilter_call *call;
	struct bpfilter_dp *dp;
	int err;

	call = sockopt_call(net, optname, optval, optlen, is_set, &dest);
	if (IS_ERR(call))
		return PTR_ERR(call);
	call->net = get_net(net);
	call->reply_cap = dest.cap;
	call->reply_exact = dest.exact;

	/* As x_tables' mutex: one call of a namespace at a time. */
	dp = &bpfilter_net(net)->dp;
	err = mutex_lock_killable(&dp->lock);
	if (!err) {
		err = serve(net, call, optval, &dest);
		mutex_unlock(&dp->lock);
	}
	bpfilter_call_put(call);
	return err;
}

static const struct bpfilter_sockopt_ops bpfilter_ops = {
	.owner = THIS_MODULE,
	.sockopt = bpfilter_sockopt,
};

/* Reading /sys/module/bpfilter/parameters/stats asks the helpers for
 * their accounting; tests use it to see a namespace's tables freed.
 * helpers_started counts the host's helpers, userns_helpers_started
 * the other domain's; the rest is summed over both.
 */
static int stats_get(char *buffer, const struct kernel_param *kp)
{
	struct bpfilter_module_stats sum = {};
	struct bpfilter_stats stats, total = {};
	struct bpfilter_call *call;
	u64 started[BPFILTER_DOMAINS] = {};
	unsigned int d;
	int err = 0;

	for (d = 0; !err && d < BPFILTER_DOMAINS; d++) {
		call = bpfilter_call_alloc(BPFILTER_CMD_STATS, NULL, 0, 0, 0);
		if (!call)
			return -ENOMEM;
		call->domain = d;
		call->reply_cap = sizeof(stats);
		call->reply_exact = true;
		err = bpfilter_call_run(call);
		if (!err)
			err = call->reply.status;
		if (!err) {
			memcpy(&stats, call->reply_payload, sizeof(stats));
			total.netns += stats.netns;
			total.tables += stats.tables;
			total.table_bytes += stats.table_bytes;
			sum.kept_tables += call->stats.kept_tables;
			sum.kept_bytes += call->stats.kept_bytes;
			sum.unrestored_netns += call->stats.unrestored_netns;
			started[d] = call->stats.helpers_started;
		}
		bpfilter_call_put(call);
	}
	if (err)
		return err;
	bpfilter_dp_stats(&sum);
	return sysfs_emit(buffer,
			  "helper_netns %u\nhelper_tables %u\nhelper_table_bytes %llu\nkept_tables %u\nkept_bytes %zu\nunrestored_netns %u\nhelpers_started %llu\nuserns_helpers_started %llu\ndp_netns %u\ndp_insns %llu\ndp_entries %llu\n",
			  total.netns, total.tables, total.table_bytes,
			  sum.kept_tables, sum.kept_bytes, sum.unrestored_netns,
			  started[BPFILTER_DOMAIN_HOST],
			  started[BPFILTER_DOMAIN_USERNS], sum.dp_netns,
			  sum.dp_insns, sum.dp_entries);
}

static const struct kernel_param_ops stats_ops = {
	.get = stats_get,
};
module_param_cb(stats, &stats_ops, NULL, 0400);
MODULE_PARM_DESC(stats, "the helper's and the module's table accounting");

/* Start the host's helper now and make sure it answers before taking
 * requests; the other domain's starts with its first request.
 */
static int bpfilter_ping(void)
{
	struct bpfilter_call *call;
	int err;

	call = bpfilter_call_alloc(BPFILTER_CMD_PING, NULL, 0, 0, 0);
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

	err = bpfilter_loader_init();
	if (err)
		return err;
	err = bpfilter_helper_init();
	if (err)
		goto loader_exit;
	err = bpfilter_net_init();
	if (err)
		goto helper_exit;
	err = bpfilter_ping();
	if (err) {
		pr_err("the helper does not answer: %d\n", err);
		goto net_exit;
	}
	err = bpfilter_register_sockopt(&bpfilter_ops);
	if (err)
		goto net_exit;
	return 0;

net_exit:
	bpfilter_net_exit();
helper_exit:
	bpfilter_helper_exit();
loader_exit:
	bpfilter_loader_exit();
	return err;
}

static void __exit bpfilter_exit(void)
{
	bpfilter_unregister_sockopt(&bpfilter_ops);
	bpfilter_helper_exit();
	bpfilter_net_exit();
	bpfilter_loader_exit();
}

module_init(bpfilter_init);
module_exit(bpfilter_exit);
MODULE_DESCRIPTION("iptables over BPF: ip_tables sockopts answered by a user-mode helper");
MODULE_LICENSE("GPL");
