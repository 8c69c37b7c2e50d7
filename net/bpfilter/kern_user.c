// SPDX-License-Identifier: GPL-2.0
/*
 * How many network namespaces each user has the helper hold state for.
 *
 * The helper's memory is shared by every namespace and charged to no
 * caller, and any user may create user and network namespaces: without
 * a bound, one user could make the helper hold max_netns_per_user times
 * the per-namespace table cap for everybody.  A namespace is charged to
 * the owner of the outermost user namespace it belongs to below the
 * initial one, i.e. the real user who created that hierarchy, however
 * deeply nested; namespaces of the initial user namespace are the
 * host's own and are not counted.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/err.h>
#include <linux/hashtable.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/user_namespace.h>
#include <net/net_namespace.h>
#include "kern.h"

static unsigned int max_netns_per_user = 1024;
module_param(max_netns_per_user, uint, 0644);
MODULE_PARM_DESC(max_netns_per_user,
		 "network namespaces one user may have bpfilter hold tables for");

struct bpfilter_user {
	struct hlist_node node;
	kuid_t uid;
	unsigned int netns;
};

static DEFINE_HASHTABLE(bpfilter_users, 6);
static DEFINE_SPINLOCK(bpfilter_users_lock);

static struct bpfilter_user *user_find(kuid_t uid)
{
	struct bpfilter_user *user;

	hash_for_each_possible(bpfilter_users, user, node, __kuid_val(uid))
		if (uid_eq(user->uid, uid))
			return user;
	return NULL;
}

/**
 * bpfilter_user_charge - count @net against its user's limit
 * @net: a namespace that is about to send its first request
 *
 * Return: the user to uncharge at the namespace's exit, NULL when the
 * namespace belongs to the initial user namespace, or ERR_PTR(-ENOMEM)
 * when out of memory or past max_netns_per_user.
 */
struct bpfilter_user *bpfilter_user_charge(const struct net *net)
{
	const struct user_namespace *ns = net->user_ns;
	struct bpfilter_user *user, *fresh;
	unsigned int limit = READ_ONCE(max_netns_per_user);

	if (ns == &init_user_ns)
		return NULL;
	while (ns->parent != &init_user_ns)
		ns = ns->parent;

	fresh = kzalloc(sizeof(*fresh), GFP_KERNEL_ACCOUNT);
	if (!fresh)
		return ERR_PTR(-ENOMEM);

	spin_lock(&bpfilter_users_lock);
	user = user_find(ns->owner);
	if ((user ? user->netns : 0) >= limit) {
		spin_unlock(&bpfilter_users_lock);
		kfree(fresh);
		pr_warn_ratelimited("user %u already has %u network namespaces with tables (max_netns_per_user): refusing another\n",
				    from_kuid(&init_user_ns, ns->owner), limit);
		return ERR_PTR(-ENOMEM);
	}
	if (!user) {
		user = fresh;
		fresh = NULL;
		user->uid = ns->owner;
		hash_add(bpfilter_users, &user->node, __kuid_val(user->uid));
	}
	user->netns++;
	spin_unlock(&bpfilter_users_lock);
	kfree(fresh);
	return user;
}

/**
 * bpfilter_user_uncharge - a namespace charged by bpfilter_user_charge()
 *	is gone
 * @user: what bpfilter_user_charge() returned, or NULL
 */
void bpfilter_user_uncharge(struct bpfilter_user *user)
{
	if (!user)
		return;
	spin_lock(&bpfilter_users_lock);
	if (!--user->netns) {
		hash_del(&user->node);
		kfree(user);
	}
	spin_unlock(&bpfilter_users_lock);
}
