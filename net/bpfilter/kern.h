/* SPDX-License-Identifier: GPL-2.0 */
/* Internal interfaces between the parts of bpfilter.ko. */
#ifndef _NET_BPFILTER_KERN_H
#define _NET_BPFILTER_KERN_H

#include <linux/completion.h>
#include <linux/kref.h>
#include <linux/kthread.h>
#include <linux/bpfilter.h>
#include "msgfmt.h"

struct mem_cgroup;
struct net;

/* The helper's executable, embedded by umh_blob.S. */
extern char bpfilter_umh_start[];
extern char bpfilter_umh_end[];

/**
 * struct bpfilter_call - one request to the helper and its reply
 * @work: queued on the module's I/O thread, which alone touches the pipes
 * @ref: held by the caller and, while queued, by the I/O thread; a caller
 *	killed while waiting just drops its reference
 * @done: completed once @err, @reply and @reply_payload are final
 * @req: request header, followed by req->payload_len bytes of payload
 * @reply_cap: largest reply payload the caller can take
 * @reply_exact: a successful reply must carry exactly @reply_cap bytes
 * @sent: the helper has received the whole request
 * @err: transport result: 0 when @reply is valid
 * @reply: the helper's reply header, validated
 * @reply_payload: reply.payload_len bytes, or NULL
 * @memcg: the caller's memory cgroup, charged for the reply
 * @store_tables: for BPFILTER_CMD_STATS, tables the module keeps
 * @store_bytes: for BPFILTER_CMD_STATS, bytes the module keeps for them
 */
struct bpfilter_call {
	struct kthread_work work;
	struct kref ref;
	struct completion done;
	struct bpfilter_request *req;
	size_t reply_cap;
	bool reply_exact;
	bool sent;
	int err;
	struct bpfilter_reply reply;
	void *reply_payload;
	struct mem_cgroup *memcg;
	unsigned int store_tables;
	size_t store_bytes;
};

struct bpfilter_call *bpfilter_call_alloc(u16 cmd, u64 net_cookie,
					  u32 optname, u32 optlen,
					  size_t payload_len);
int bpfilter_call_run(struct bpfilter_call *call);
void bpfilter_call_put(struct bpfilter_call *call);

int bpfilter_helper_init(void);
void bpfilter_helper_exit(void);
void bpfilter_helper_forget_net(u64 net_cookie);

void bpfilter_store_commit(struct bpfilter_call *call);
void bpfilter_store_forget_net(u64 net_cookie);
int bpfilter_store_restore(int (*exchange)(struct bpfilter_call *call));
void bpfilter_store_stats(unsigned int *tables, size_t *bytes);
void bpfilter_store_exit(void);

int bpfilter_proc_init(void);
void bpfilter_proc_exit(void);
void bpfilter_proc_set_tables(struct net *net, u16 tables);
const char *bpfilter_table_name(enum bpfilter_table table);

#endif /* _NET_BPFILTER_KERN_H */
