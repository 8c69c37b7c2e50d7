/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the parts of bpfilter.ko. */
#ifndef _NET_BPFILTER_KERN_H
#define _NET_BPFILTER_KERN_H

#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/kthread.h>
#include <linux/mutex.h>
#include <linux/netfilter.h>
#include <linux/spinlock.h>
#include <linux/uio.h>
#include <linux/workqueue.h>
#include <linux/bpfilter.h>
#include <net/netfilter/nf_log.h>
#include "msgfmt.h"

struct mem_cgroup;
struct net;
struct bpfilter_user;
struct bpf_map;
struct bpf_prog;
struct xt_counters;
struct user_namespace;
union bpf_attr;

/* The helper's executable, embedded by umh_blob.S. */
extern char bpfilter_umh_start[];
extern char bpfilter_umh_end[];

/**
 * struct bpfilter_kept - a committed table, kept for the next helper
 * @replace: the accepted SET_REPLACE request; NULL: the initial table
 * @added: the first accepted ADD_COUNTERS request since, whose counters
 *	hold the sum of all accepted since; NULL: none
 * @instantiated: the helper has instantiated this table
 *
 * Both requests were allocated, and charged, in the caller's context;
 * keeping them needs no allocation once the helper has answered.
 */
struct bpfilter_kept {
	struct bpfilter_request *replace;
	struct bpfilter_request *added;
	bool instantiated;
};

/**
 * struct bpfilter_progs - a namespace's loaded programs and their maps
 * @prog: per netfilter hook, or NULL
 * @maps: the image's maps by number (BPFILTER_IMAGE_MAP_*, then the
 *	classifier maps); the state map is NULL when the image has none
 * @nr_maps: BPFILTER_IMAGE_MAPS + the image's classifier maps
 * @counters: @maps' per-CPU struct xt_counters of each entry
 * @meta_value: the per-CPU struct bpfilter_meta of @maps' meta map,
 *	written before each run
 * @nr_entries: the table's entries, @counters' size
 * @nr_insns: instructions over all programs
 * @needs: BPFILTER_NEED_* of the image
 * @net: the namespace conntrack is held in (BPFILTER_NEED_CT), or NULL;
 *	the programs never outlive it
 * @logs: the image's LOG and NFLOG targets, @nr_logs of them
 * @loggers: bit n: the IPv4 logger of enum nf_log_type n is held
 * @owners: the image's -m owner id sets, @nr_owners of them, their ids
 *	kernel ids (for --suppl-groups, BPFILTER_NEED_OWNER_GROUPS)
 * @release: everything above is released after an RCU grace period
 */
struct bpfilter_progs {
	struct bpf_prog *prog[NF_INET_NUMHOOKS];
	struct bpf_map **maps;
	u32 nr_maps;
	struct bpf_map *counters;
	void __percpu *meta_value;
	u32 nr_entries;
	u32 nr_insns;
	u32 needs;
	struct net *net;
	struct bpfilter_image_log *logs;
	u32 nr_logs;
	u32 loggers;
	struct bpfilter_image_owner *owners;
	u32 nr_owners;
	struct rcu_work release;
};

/**
 * struct bpfilter_dp - a namespace's data plane
 * @lock: serialises the namespace's sockopt calls, as x_tables' mutex
 *	does, so that programs and the helper's table change together
 * @progs: in force; readers: the hooks, under RCU
 * @swap_lock: writers of @progs: callers and the I/O thread
 * @hooked: @ops are registered; under @lock
 * @ops: LOCAL_IN, FORWARD and LOCAL_OUT at NF_IP_PRI_FILTER
 */
struct bpfilter_dp {
	struct mutex lock;	/* see above */
	struct bpfilter_progs __rcu *progs;
	spinlock_t swap_lock;	/* see above */
	bool hooked;
	struct nf_hook_ops ops[3];
};

/**
 * struct bpfilter_net - bpfilter's state of one network namespace
 * @tables: bit n: enum bpfilter_table n is instantiated (for /proc)
 * @exit_call: NETNS_EXIT for the helper, allocated with the first request
 *	so that the namespace's exit cannot fail to send it
 * @user: the user charged for this namespace, or NULL
 * @kept: committed tables; I/O thread only
 * @restored_gen: the helper generation that holds @kept; I/O thread only
 * @dp: the data plane
 */
struct bpfilter_net {
	u16 tables;
	struct bpfilter_call *exit_call;
	struct bpfilter_user *user;
	struct bpfilter_kept kept[BPFILTER_TABLE_MAX];
	u64 restored_gen;
	struct bpfilter_dp dp;
};

/**
 * struct bpfilter_call - one request to the helper and its reply
 * @work: queued on the module's I/O thread, which alone touches the pipes
 * @ref: held by the caller and, while queued, by the I/O thread; a caller
 *	killed while waiting just drops its reference
 * @done: completed once @err, @reply and @reply_payload are final
 * @net: the caller's namespace, referenced, or NULL
 * @req: request header; a call from bpfilter_call_alloc() has its
 *	req->payload_len bytes of payload right after it
 * @out: where the payload is sent from: after @req, or where it is kept
 * @reply_cap: largest reply payload the caller can take
 * @reply_exact: a successful reply must carry exactly @reply_cap bytes
 * @sent: the helper has received the whole request
 * @err: transport result: 0 when @reply is valid
 * @reply: the helper's reply header, validated
 * @reply_payload: reply.payload_len bytes, or NULL
 * @memcg: the caller's memory cgroup, charged for the reply
 * @stats: for BPFILTER_CMD_STATS, the module's own accounting
 * @payload_owner: the call whose payload @out sends, referenced, or NULL
 * @domain: enum bpfilter_domain_id: whose helper and I/O thread serve it
 * @writer: for a COMPILE, the caller's user namespace, referenced
 * @loaded: for a COMPILE, the programs the I/O thread loaded, or NULL
 * @load_err: for a COMPILE, why none were loaded: the code generator's,
 *	the verifier's or an extension's errno, or -EIO for a malformed
 *	image (the helper was replaced)
 * @install: programs the I/O thread puts in force once the helper has
 *	accepted the request, in the same step as it keeps the commit
 * @replaced: what @install replaced, for the caller to read the counters
 *	of and free
 */
struct bpfilter_call {
	struct kthread_work work;
	struct kref ref;
	struct completion done;
	struct net *net;
	struct bpfilter_request *req;
	struct kvec out[2];
	size_t reply_cap;
	bool reply_exact;
	bool sent;
	int err;
	struct bpfilter_reply reply;
	void *reply_payload;
	struct mem_cgroup *memcg;
	struct bpfilter_module_stats {
		unsigned int kept_tables;
		size_t kept_bytes;
		unsigned int unrestored_netns;
		u64 helpers_started;
		unsigned int dp_netns;
		u64 dp_insns;
		u64 dp_entries;
	} stats;
	struct bpfilter_call *payload_owner;
	unsigned int domain;
	struct user_namespace *writer;
	struct bpfilter_progs *loaded;
	int load_err;
	struct bpfilter_progs *install;
	struct bpfilter_progs *replaced;
};

/* Who serves a namespace's requests (kern_helper.c). */
enum bpfilter_domain_id {
	BPFILTER_DOMAIN_HOST,	/* namespaces of the initial user namespace */
	BPFILTER_DOMAIN_USERNS,	/* every other namespace */
	BPFILTER_DOMAINS,
};

unsigned int bpfilter_domain_of(const struct net *net);
struct bpfilter_call *bpfilter_call_alloc(u16 cmd, const struct net *net,
					  u32 optname, u32 optlen,
					  size_t payload_len);
int bpfilter_call_run(struct bpfilter_call *call);
void bpfilter_call_put(struct bpfilter_call *call);
int bpfilter_call_queue(struct bpfilter_call *call);

int bpfilter_helper_init(void);
void bpfilter_helper_exit(void);

/* kern_store.c: commit durability (I/O thread, except kept_free). */
void bpfilter_store_commit(struct bpfilter_call *call);
int bpfilter_store_restore_net(struct net *net, u64 helper_gen,
			       int (*exchange)(struct bpfilter_call *call));
bool bpfilter_store_needs_restore(const struct net *net, u64 helper_gen);
int bpfilter_store_restore_all(unsigned int domain, u64 helper_gen,
			       int (*exchange)(struct bpfilter_call *call));
void bpfilter_store_stats(struct bpfilter_module_stats *stats,
			  unsigned int domain, u64 gen);
void bpfilter_store_free(struct bpfilter_net *bn);

/* kern_net.c: per-namespace state. */
int bpfilter_net_init(void);
void bpfilter_net_exit(void);
struct bpfilter_net *bpfilter_net(const struct net *net);
int bpfilter_net_prepare(struct net *net);
void bpfilter_net_set_tables(struct net *net, u16 tables);
const char *bpfilter_table_name(enum bpfilter_table table);
int bpfilter_table_by_name(const char *name, size_t len);

/* Exported by kernel/bpf/syscall.c for in-kernel loaders, declared in
 * no header of 6.1: BPF commands with kernel pointers in @attr.
 */
int kern_sys_bpf(int cmd, union bpf_attr *attr, unsigned int size);

/* kern_load.c: programs and maps from a COMPILE reply. */
int bpfilter_loader_init(void);
void bpfilter_loader_exit(void);
/* The logger a checked LOG (BPFILTER_LOG_TYPE_LOG) or NFLOG record needs. */
static inline enum nf_log_type
bpfilter_log_type(const struct bpfilter_image_log *log)
{
	return log->type == BPFILTER_LOG_TYPE_LOG ? NF_LOG_TYPE_LOG :
						    NF_LOG_TYPE_ULOG;
}

struct bpfilter_progs *bpfilter_progs_load(struct net *net,
					   struct user_namespace *writer,
					   void *image, size_t len);
void bpfilter_progs_free(struct bpfilter_progs *p);
void bpfilter_progs_destroy(struct bpfilter_progs *p);
void bpfilter_fault_image(void *image, size_t len);
void bpfilter_progs_counter(const struct bpfilter_progs *p, u32 i,
			    struct xt_counters *sum);

/* kern_dataplane.c: hooks, commits, live counters. */
void bpfilter_dp_init(struct bpfilter_dp *dp);
int bpfilter_dp_hook(struct net *net);
struct bpfilter_progs *bpfilter_dp_swap(struct net *net,
					struct bpfilter_progs *p);
struct bpfilter_progs *bpfilter_dp_active(struct net *net);
void bpfilter_progs_add_counters(const struct bpfilter_progs *p,
				 struct xt_counters *c, unsigned int n);
int bpfilter_progs_add_entries(const struct bpfilter_progs *p, void *reply,
			       size_t len);
void bpfilter_dp_stats(struct bpfilter_module_stats *stats);
void bpfilter_dp_pre_exit(struct net *net);
void bpfilter_dp_exit(struct net *net);

/* kern_user.c: how many namespaces each user has the helper hold. */
struct bpfilter_user *bpfilter_user_charge(const struct net *net);
void bpfilter_user_uncharge(struct bpfilter_user *user);

#endif /* _NET_BPFILTER_KERN_H */
