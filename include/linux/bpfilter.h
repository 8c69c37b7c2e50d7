/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_BPFILTER_H
#define _LINUX_BPFILTER_H

#include <uapi/linux/bpfilter.h>
#include <linux/sockptr.h>

struct module;
struct sock;

int bpfilter_ip_set_sockopt(struct sock *sk, int optname, sockptr_t optval,
			    unsigned int optlen);
int bpfilter_ip_get_sockopt(struct sock *sk, int optname, char __user *optval,
			    int __user *optlen);

/**
 * struct bpfilter_sockopt_ops - what bpfilter.ko plugs into the socket layer
 * @owner: the module providing @sockopt; pinned for the length of a call
 * @sockopt: answers one ip_tables socket option; for a get, @optlen is
 *	the caller's buffer length and @optval the caller's buffer
 */
struct bpfilter_sockopt_ops {
	struct module *owner;
	int (*sockopt)(struct sock *sk, int optname, sockptr_t optval,
		       unsigned int optlen, bool is_set);
};

int bpfilter_register_sockopt(const struct bpfilter_sockopt_ops *ops);
void bpfilter_unregister_sockopt(const struct bpfilter_sockopt_ops *ops);

#endif /* _LINUX_BPFILTER_H */
