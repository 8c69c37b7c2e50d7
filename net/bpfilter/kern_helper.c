// SPDX-License-Identifier: GPL-2.0
/*
 * The helper's life and the byte stream to it.
 *
 * All pipe I/O happens on one kernel thread owned by the module: a
 * kernel thread ignores SIGPIPE and is never interrupted by a signal,
 * so a dead helper shows up as EPIPE or EOF instead of killing the
 * caller, and a caller's signal can never leave the stream out of step.
 * Callers queue a request and wait killably for its reply.  The thread
 * also starts the helper when there is none, hands a new helper every
 * committed table (kern_store.c), and replaces a helper that died or
 * stopped answering.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/usermode_blob.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include "kern.h"

static unsigned int timeout_ms = 30000;
module_param(timeout_ms, uint, 0644);
MODULE_PARM_DESC(timeout_ms,
		 "time the helper gets to answer, plus 1 s per 64 KiB moved (at most 300 s more)");

/* Time granted for moving bytes, whatever their number. */
#define BPFILTER_MOVE_TIME_MAX	(300 * HZ)

/* The largest errno user space knows; anything beyond is kernel-internal. */
#define BPFILTER_ERRNO_MAX	EHWPOISON

static struct kthread_worker *io_worker;

/* Guards queueing against module init and unload: calls are accepted
 * only between the I/O thread's start and the start of unloading.
 */
static DEFINE_SPINLOCK(queue_lock);
static bool accepting;

/* The helper's pipes and pid are replaced only on the I/O thread, under
 * helper_lock; the watchdog and module unload take the lock to kill the
 * helper, which unblocks an I/O thread waiting on it.
 */
static DEFINE_MUTEX(helper_lock);
static struct umh_info helper;
static struct task_struct *helper_task;	/* under helper_lock, for its exit status */
static u64 watched_request;	/* under helper_lock; 0: none */

static u64 last_request_id;	/* I/O thread only */
static u64 helper_gen;		/* I/O thread only: helpers started */
static struct delayed_work watchdog;

static int pipe_write_all(struct file *pipe, const void *buf, size_t len)
{
	loff_t pos = 0;
	ssize_t n;

	while (len) {
		n = kernel_write(pipe, buf, len, &pos);
		if (n < 0)
			return n;
		if (n == 0)
			return -EPIPE;
		buf += n;
		len -= n;
	}
	return 0;
}

static int pipe_read_all(struct file *pipe, void *buf, size_t len)
{
	loff_t pos = 0;
	ssize_t n;

	while (len) {
		n = kernel_read(pipe, buf, len, &pos);
		if (n < 0)
			return n;
		if (n == 0)
			return -EPIPE;	/* the helper closed its stdout */
		buf += n;
		len -= n;
	}
	return 0;
}

static void helper_stop_locked(const char *why, int err)
{
	struct pid *tgid = helper.tgid;

	if (!tgid)
		return;
	kill_pid(tgid, SIGKILL, 1);
	wait_event(tgid->wait_pidfd, thread_group_exited(tgid));
	/* The status says how it ended: signal 31 is its seccomp filter. */
	pr_info("helper pid %d stopped: %s (%d), exit status %#x\n",
		helper.pid, why, err,
		helper_task ? READ_ONCE(helper_task->exit_code) : 0);
	if (helper_task)
		put_task_struct(helper_task);
	helper_task = NULL;
	umh_info_release(&helper);
}

static void helper_stop(const char *why, int err)
{
	mutex_lock(&helper_lock);
	helper_stop_locked(why, err);
	mutex_unlock(&helper_lock);
}

static void watchdog_fire(struct work_struct *work)
{
	mutex_lock(&helper_lock);
	if (watched_request && helper.tgid) {
		pr_err_ratelimited("helper pid %d did not answer request %llu in time\n",
				   helper.pid, watched_request);
		kill_pid(helper.tgid, SIGKILL, 1);
	}
	mutex_unlock(&helper_lock);
}

/* Emulated guests are slow and a big table takes time to move and check:
 * the deadline grows with the bytes being moved (the request's, then the
 * reply's once its header announced them, never what a caller merely
 * asked for), within a bound, so that only a helper that stopped making
 * progress is killed.
 */
static void watch(u64 id, size_t bytes)
{
	unsigned long timeout = msecs_to_jiffies(timeout_ms) +
				min_t(u64, (bytes >> 16) * HZ,
				      BPFILTER_MOVE_TIME_MAX);

	mutex_lock(&helper_lock);
	watched_request = id;
	mutex_unlock(&helper_lock);
	mod_delayed_work(system_wq, &watchdog, timeout);
}

static void unwatch(void)
{
	mutex_lock(&helper_lock);
	watched_request = 0;
	mutex_unlock(&helper_lock);
	cancel_delayed_work_sync(&watchdog);
}

/* Reject anything but a reply to this very request that fits the caller. */
static int reply_check(const struct bpfilter_call *call)
{
	const struct bpfilter_reply *reply = &call->reply;

	if (reply->magic != BPFILTER_WIRE_MAGIC ||
	    reply->version != BPFILTER_WIRE_VERSION ||
	    reply->id != call->req->id)
		return -EBADMSG;
	if (reply->status > 0 || reply->status < -BPFILTER_ERRNO_MAX)
		return -EBADMSG;
	if (reply->status && reply->payload_len)
		return -EBADMSG;
	if (reply->payload_len > call->reply_cap)
		return -EBADMSG;
	if (!reply->status && call->reply_exact &&
	    reply->payload_len != call->reply_cap)
		return -EBADMSG;
	return 0;
}

static int exchange_io(struct bpfilter_call *call)
{
	struct bpfilter_request *req = call->req;
	struct mem_cgroup *old_memcg;
	int err, i;

	watch(req->id, req->payload_len);
	err = pipe_write_all(helper.pipe_to_umh, req, sizeof(*req));
	for (i = 0; !err && i < ARRAY_SIZE(call->out); i++)
		err = pipe_write_all(helper.pipe_to_umh, call->out[i].iov_base,
				     call->out[i].iov_len);
	if (err)
		return err;
	call->sent = true;

	err = pipe_read_all(helper.pipe_from_umh, &call->reply,
			    sizeof(call->reply));
	if (err)
		return err;
	err = reply_check(call);
	if (err || !call->reply.payload_len)
		return err;
	watch(req->id, call->reply.payload_len);

	/* Charged to the caller, as if it had allocated the reply itself. */
	old_memcg = set_active_memcg(call->memcg);
	call->reply_payload = kvmalloc(call->reply.payload_len,
				       GFP_KERNEL_ACCOUNT);
	set_active_memcg(old_memcg);
	if (!call->reply_payload)
		return -ENOMEM;
	return pipe_read_all(helper.pipe_from_umh, call->reply_payload,
			     call->reply.payload_len);
}

/* One request and its reply, under the watchdog. */
static int helper_exchange(struct bpfilter_call *call)
{
	int err;

	call->req->id = ++last_request_id;
	err = exchange_io(call);
	unwatch();
	return err;
}

static bool helper_running(void)
{
	return helper.tgid && !thread_group_exited(helper.tgid);
}

/* Start a helper if there is none; a new one first gets the store back. */
static int helper_ensure(void)
{
	bool started = false;
	int err = 0;

	mutex_lock(&helper_lock);
	if (helper.tgid && !helper_running())
		helper_stop_locked("it exited", 0);
	if (!helper.tgid && !READ_ONCE(accepting)) {
		err = -ENODEV;
	} else if (!helper.tgid) {
		err = fork_usermode_blob(bpfilter_umh_start,
					 bpfilter_umh_end - bpfilter_umh_start,
					 &helper);
		if (err) {
			pr_err_ratelimited("cannot start the helper: %d\n",
					   err);
		} else {
			pr_info("started helper pid %d\n", helper.pid);
			helper_task = get_pid_task(helper.tgid, PIDTYPE_TGID);
		}
		started = !err;
	}
	mutex_unlock(&helper_lock);
	if (!started)
		return err;

	helper_gen++;
	err = bpfilter_store_restore_all(helper_gen, helper_exchange);
	if (err) {
		helper_stop("restoring the tables failed", err);
		return -EIO;
	}
	return 0;
}

/* A namespace whose tables the helper refused to restore is served only
 * once they are back: another try now, else the request fails.
 */
static int helper_restore_net(struct net *net)
{
	int err;

	if (!net || !bpfilter_store_needs_restore(net, helper_gen))
		return 0;
	err = bpfilter_store_restore_net(net, helper_gen, helper_exchange);
	if (err) {
		helper_stop("restoring the tables failed", err);
		return -EIO;
	}
	if (bpfilter_store_needs_restore(net, helper_gen))
		return -EIO;
	return 0;
}

/* A helper that failed us is replaced, and the request is tried once
 * more if the old helper cannot have acted on it: a get changes nothing,
 * and a set it never fully received was never applied.
 */
static int helper_serve(struct bpfilter_call *call)
{
	bool retried = false;
	int err;

	for (;;) {
		err = helper_ensure();
		if (err)
			return err;
		err = helper_restore_net(call->net);
		if (err)
			return err;
		err = helper_exchange(call);
		if (!err)
			return 0;

		helper_stop(err == -EBADMSG ? "malformed reply" :
			    "no reply", err);
		kvfree(call->reply_payload);
		call->reply_payload = NULL;

		if (retried || (call->sent &&
				call->req->cmd != BPFILTER_CMD_GETSOCKOPT &&
				call->req->cmd != BPFILTER_CMD_COMPILE))
			return -EIO;
		retried = true;
		call->sent = false;
	}
}

/* A vanished namespace concerns a running helper only; one that does
 * not answer is replaced, as the stream may be out of step.
 */
static int helper_forget_net(struct bpfilter_call *call)
{
	int err;

	if (!helper_running())
		return 0;
	err = helper_exchange(call);
	if (err)
		helper_stop("no reply to a namespace exit", err);
	return err;
}

static void bpfilter_call_free(struct kref *ref)
{
	struct bpfilter_call *call = container_of(ref, struct bpfilter_call,
						  ref);

	kvfree(call->reply_payload);
	kvfree(call->req);
	mem_cgroup_put(call->memcg);
	if (call->payload_owner)
		bpfilter_call_put(call->payload_owner);
	/* Not put in force, or the caller did not stay for the counters. */
	bpfilter_progs_free(call->install);
	bpfilter_progs_free(call->replaced);
	if (call->net)
		put_net(call->net);
	kfree(call);
}

static void bpfilter_call_work(struct kthread_work *work)
{
	struct bpfilter_call *call = container_of(work, struct bpfilter_call,
						  work);

	if (call->req->cmd == BPFILTER_CMD_NETNS_EXIT)
		call->err = helper_forget_net(call);
	else
		call->err = helper_serve(call);
	if (call->req->cmd == BPFILTER_CMD_STATS) {
		bpfilter_store_stats(&call->stats, helper_gen);
		bpfilter_dp_stats(&call->stats);
		call->stats.helpers_started = helper_gen;
	}
	/* Before anything else is served: see kern_store.c. */
	if (!call->err && !call->reply.status) {
		bpfilter_store_commit(call);
		if (call->install) {
			call->replaced = bpfilter_dp_swap(call->net,
							  call->install);
			call->install = NULL;
		}
	}
	complete(&call->done);
	kref_put(&call->ref, bpfilter_call_free);
}

/**
 * bpfilter_call_alloc - prepare a request with room for its payload
 * @cmd: enum bpfilter_cmd
 * @net_cookie: the caller's network namespace
 * @optname: the socket option
 * @optlen: the request's optlen field
 * @payload_len: bytes of payload to follow the header
 *
 * Allocated in the caller's context and charged to its memory cgroup,
 * as is the reply the I/O thread reads for it.
 *
 * Return: the call, with its payload at (call->req + 1), or NULL.
 */
struct bpfilter_call *bpfilter_call_alloc(u16 cmd, u64 net_cookie,
					  u32 optname, u32 optlen,
					  size_t payload_len)
{
	struct bpfilter_call *call;

	call = kzalloc(sizeof(*call), GFP_KERNEL_ACCOUNT);
	if (!call)
		return NULL;
	call->req = kvzalloc(sizeof(*call->req) + payload_len,
			     GFP_KERNEL_ACCOUNT);
	if (!call->req) {
		kfree(call);
		return NULL;
	}
	call->memcg = get_mem_cgroup_from_mm(current->mm);
	kthread_init_work(&call->work, bpfilter_call_work);
	kref_init(&call->ref);
	init_completion(&call->done);
	call->req->magic = BPFILTER_WIRE_MAGIC;
	call->req->version = BPFILTER_WIRE_VERSION;
	call->req->cmd = cmd;
	call->req->net_cookie = net_cookie;
	call->req->optname = optname;
	call->req->optlen = optlen;
	call->req->payload_len = payload_len;
	call->req->hz = HZ;
	call->out[0].iov_base = call->req + 1;
	call->out[0].iov_len = payload_len;
	return call;
}

/**
 * bpfilter_call_queue - hand @call to the I/O thread
 * @call: from bpfilter_call_alloc(); the I/O thread takes a reference
 *
 * Return: 0, or -ENODEV while the module is not serving.
 */
int bpfilter_call_queue(struct bpfilter_call *call)
{
	int err = 0;

	spin_lock(&queue_lock);
	if (!accepting) {
		err = -ENODEV;
	} else {
		kref_get(&call->ref);
		kthread_queue_work(io_worker, &call->work);
	}
	spin_unlock(&queue_lock);
	return err;
}

/**
 * bpfilter_call_run - send @call to the helper and wait for the reply
 * @call: from bpfilter_call_alloc()
 *
 * Return: 0 with call->reply valid, a negative errno if the helper could
 * not be reached or failed, or -EINTR if the caller was killed (the
 * reply is then discarded when it arrives).
 */
int bpfilter_call_run(struct bpfilter_call *call)
{
	int err;

	err = bpfilter_call_queue(call);
	if (err)
		return err;
	if (wait_for_completion_killable(&call->done))
		return -EINTR;
	return call->err;
}

void bpfilter_call_put(struct bpfilter_call *call)
{
	kref_put(&call->ref, bpfilter_call_free);
}

int bpfilter_helper_init(void)
{
	INIT_DELAYED_WORK(&watchdog, watchdog_fire);
	io_worker = kthread_create_worker(0, "bpfilter_io");
	if (IS_ERR(io_worker))
		return PTR_ERR(io_worker);
	spin_lock(&queue_lock);
	accepting = true;
	spin_unlock(&queue_lock);
	return 0;
}

/* Called once no new sockopt call can start; a killed caller's call and
 * namespace exits may still be queued.
 */
void bpfilter_helper_exit(void)
{
	spin_lock(&queue_lock);
	accepting = false;
	spin_unlock(&queue_lock);

	mutex_lock(&helper_lock);
	if (helper.tgid)
		kill_pid(helper.tgid, SIGKILL, 1);
	mutex_unlock(&helper_lock);

	/* Runs what is queued: with the helper dead, that is quick. */
	kthread_destroy_worker(io_worker);
	cancel_delayed_work_sync(&watchdog);

	helper_stop("module unloaded", 0);
}
