// SPDX-License-Identifier: GPL-2.0
/*
 * Built-in glue between the IPv4 socket layer and bpfilter.ko: checks
 * the caller's privilege, loads the module on demand and pins it for
 * the length of each call.
 */
#include <linux/capability.h>
#include <linux/compat.h>
#include <linux/bpfilter.h>
#include <linux/kmod.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/net.h>
#include <linux/uaccess.h>
#include <net/sock.h>

static DEFINE_MUTEX(bpfilter_ops_lock);
static const struct bpfilter_sockopt_ops *bpfilter_ops;

/**
 * bpfilter_register_sockopt - start routing ip_tables sockopts to @ops
 * @ops: the handler; @ops->owner must stay loaded until unregistered
 *
 * Return: 0, or -EBUSY if another handler is registered.
 */
int bpfilter_register_sockopt(const struct bpfilter_sockopt_ops *ops)
{
	int err = 0;

	mutex_lock(&bpfilter_ops_lock);
	if (bpfilter_ops)
		err = -EBUSY;
	else
		bpfilter_ops = ops;
	mutex_unlock(&bpfilter_ops_lock);
	return err;
}
EXPORT_SYMBOL_GPL(bpfilter_register_sockopt);

/**
 * bpfilter_unregister_sockopt - stop routing sockopts to @ops
 * @ops: the handler passed to bpfilter_register_sockopt()
 *
 * Calls already running keep their reference on @ops->owner, so the
 * module cannot finish unloading under them.
 */
void bpfilter_unregister_sockopt(const struct bpfilter_sockopt_ops *ops)
{
	mutex_lock(&bpfilter_ops_lock);
	if (bpfilter_ops == ops)
		bpfilter_ops = NULL;
	mutex_unlock(&bpfilter_ops_lock);
}
EXPORT_SYMBOL_GPL(bpfilter_unregister_sockopt);

static const struct bpfilter_sockopt_ops *bpfilter_ops_get(void)
{
	const struct bpfilter_sockopt_ops *ops;

	mutex_lock(&bpfilter_ops_lock);
	ops = bpfilter_ops;
	if (ops && !try_module_get(ops->owner))
		ops = NULL;
	mutex_unlock(&bpfilter_ops_lock);
	return ops;
}

static int bpfilter_sockopt(struct sock *sk, int optname, sockptr_t optval,
			    unsigned int optlen, bool is_set)
{
	const struct bpfilter_sockopt_ops *ops;
	int err;

	/* x_tables refuses before doing anything else; so do we, before
	 * loading a module or starting a helper on anybody's behalf.
	 */
	if (!ns_capable(sock_net(sk)->user_ns, CAP_NET_ADMIN))
		return -EPERM;

	/* A 32-bit caller's structures have another layout (compat_ipt_*,
	 * a 4-byte counters pointer) that bpfilter does not translate.
	 */
	if (in_compat_syscall()) {
		net_warn_ratelimited("bpfilter: 32-bit iptables (compat) is not supported, use a 64-bit one: %s[%d] refused\n",
				     current->comm, task_pid_nr(current));
		return -EOPNOTSUPP;
	}

	ops = bpfilter_ops_get();
	if (!ops) {
		request_module("bpfilter");
		ops = bpfilter_ops_get();
	}
	/* Without bpfilter nobody answers: IP_NF_IPTABLES is not built. */
	if (!ops)
		return -ENOPROTOOPT;

	err = ops->sockopt(sk, optname, optval, optlen, is_set);
	module_put(ops->owner);
	return err;
}

int bpfilter_ip_set_sockopt(struct sock *sk, int optname, sockptr_t optval,
			    unsigned int optlen)
{
	return bpfilter_sockopt(sk, optname, optval, optlen, true);
}

int bpfilter_ip_get_sockopt(struct sock *sk, int optname, char __user *optval,
			    int __user *optlen)
{
	int len;

	/* As nf_getsockopt(): the length is read before the privilege check. */
	if (get_user(len, optlen))
		return -EFAULT;
	return bpfilter_sockopt(sk, optname, USER_SOCKPTR(optval), len, false);
}
