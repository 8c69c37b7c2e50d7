// SPDX-License-Identifier: GPL-2.0
/*
 * The helper's life and the byte stream to it.
 *
 * All pipe I/O happens on one kernel thread owned by the module: a
 * kernel thread ignores SIGPIPE and is never interrupted by a signal,
 * so a dead helper shows up as EPIPE or EOF instead of killing the
 * caller, and a caller's signal can never leave the stream out of step.
 * Callers queue a request and wait killably for its reply.  The thread
 * also starts the helper when there is none and replaces one that died.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/pid.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/usermode_blob.h>
#include "kern.h"

static struct kthread_worker *io_worker;

/* The helper's pipes and pid are replaced only on the I/O thread, under
 * helper_lock; module unload takes the lock to kill the helper, which
 * unblocks an I/O thread waiting on a helper that stopped answering.
 */
static DEFINE_MUTEX(helper_lock);
static struct umh_info helper;
static bool unloading;
static u64 last_request_id;

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
	pr_info("helper pid %d stopped: %s (%d)\n", helper.pid, why, err);
	umh_info_release(&helper);
}

static int helper_start_locked(void)
{
	int err;

	if (unloading)
		return -ENODEV;
	err = fork_usermode_blob(bpfilter_umh_start,
				 bpfilter_umh_end - bpfilter_umh_start,
				 &helper);
	if (err) {
		pr_err_ratelimited("cannot start the helper: %d\n", err);
		return err;
	}
	pr_info("started helper pid %d\n", helper.pid);
	return 0;
}

/* Reject anything but a reply to this very request that fits the caller. */
static int reply_check(const struct bpfilter_call *call)
{
	const struct bpfilter_reply *reply = &call->reply;

	if (reply->magic != BPFILTER_WIRE_MAGIC ||
	    reply->version != BPFILTER_WIRE_VERSION ||
	    reply->id != call->req->id)
		return -EBADMSG;
	if (reply->status > 0 || reply->status < -MAX_ERRNO)
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

static int helper_exchange(struct bpfilter_call *call)
{
	struct bpfilter_request *req = call->req;
	int err;

	req->id = ++last_request_id;
	err = pipe_write_all(helper.pipe_to_umh, req,
			     sizeof(*req) + req->payload_len);
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

	call->reply_payload = kvmalloc(call->reply.payload_len, GFP_KERNEL);
	if (!call->reply_payload)
		return -ENOMEM;
	return pipe_read_all(helper.pipe_from_umh, call->reply_payload,
			     call->reply.payload_len);
}

static bool helper_running(void)
{
	return helper.tgid && !thread_group_exited(helper.tgid);
}

static int helper_ensure(void)
{
	int err = 0;

	mutex_lock(&helper_lock);
	if (helper.tgid && !helper_running())
		helper_stop_locked("it exited", 0);
	if (!helper.tgid)
		err = helper_start_locked();
	mutex_unlock(&helper_lock);
	return err;
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
		err = helper_exchange(call);
		if (!err)
			return 0;

		mutex_lock(&helper_lock);
		helper_stop_locked(err == -EBADMSG ? "malformed reply" :
				   "broken pipe", err);
		mutex_unlock(&helper_lock);
		kvfree(call->reply_payload);
		call->reply_payload = NULL;

		if (retried || (call->sent &&
				call->req->cmd == BPFILTER_CMD_SETSOCKOPT))
			return -EIO;
		retried = true;
		call->sent = false;
	}
}

static void bpfilter_call_free(struct kref *ref)
{
	struct bpfilter_call *call = container_of(ref, struct bpfilter_call,
						  ref);

	kvfree(call->reply_payload);
	kvfree(call->req);
	kfree(call);
}

static void bpfilter_call_work(struct kthread_work *work)
{
	struct bpfilter_call *call = container_of(work, struct bpfilter_call,
						  work);

	call->err = helper_serve(call);
	complete(&call->done);
	kref_put(&call->ref, bpfilter_call_free);
}

/**
 * bpfilter_call_alloc - prepare a request with room for its payload
 * @cmd: enum bpfilter_cmd
 * @net_cookie: the caller's network namespace
 * @optname: the socket option
 * @optlen: the caller's optlen
 * @payload_len: bytes of payload to follow the header
 *
 * Allocated in the caller's context and charged to its memory cgroup.
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
	return call;
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
	kref_get(&call->ref);
	kthread_queue_work(io_worker, &call->work);
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
	io_worker = kthread_create_worker(0, "bpfilter_io");
	if (IS_ERR(io_worker))
		return PTR_ERR(io_worker);
	unloading = false;
	return 0;
}

/* Called once no new call can start; a killed caller's may be queued. */
void bpfilter_helper_exit(void)
{
	mutex_lock(&helper_lock);
	unloading = true;
	if (helper.tgid)
		kill_pid(helper.tgid, SIGKILL, 1);
	mutex_unlock(&helper_lock);

	kthread_destroy_worker(io_worker);

	mutex_lock(&helper_lock);
	helper_stop_locked("module unloaded", 0);
	mutex_unlock(&helper_lock);
}
