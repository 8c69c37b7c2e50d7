// SPDX-License-Identifier: GPL-2.0
/*
 * The helpers' lives and the byte streams to them.
 *
 * Requests are served in two domains, each with a helper and a kernel
 * thread of its own: the host's (namespaces of the initial user
 * namespace) and everybody else's (namespaces any user can create in a
 * user namespace of their own).  So a user who sends the largest tables
 * the limits allow, or whose table compromises a helper, delays or
 * controls only the helper that serves user namespaces: the host's
 * firewall never waits for it, and is never compiled by it.
 *
 * All pipe I/O of a domain happens on its kernel thread: a kernel
 * thread ignores SIGPIPE and is never interrupted by a signal, so a
 * dead helper shows up as EPIPE or EOF instead of killing the caller,
 * and a caller's signal can never leave the stream out of step.
 * Callers queue a request and wait killably for its reply.  The thread
 * also starts the helper when there is none, hands a new helper every
 * committed table of its domain (kern_store.c), replaces a helper that
 * died or stopped answering, and loads the programs a COMPILE returns
 * (kern_load.c): it has a file table of its own, which no process
 * shares, for the file descriptors kern_sys_bpf() hands out.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fdtable.h>
#include <linux/fs.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/resource.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/user_namespace.h>
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

/* File descriptors the I/O thread may hold at once: every map of an
 * image and one program.
 */
#define BPFILTER_IO_FDS	(BPFILTER_IMAGE_MAPS + BPFILTER_IMAGE_CLASS_MAPS_MAX + 1)

/**
 * struct bpfilter_domain - a helper and the kernel thread that feeds it
 * @name: in log lines: "host" or "userns"
 * @io_worker: the I/O thread; alone touches the pipes and the domain's
 *	kept tables
 * @helper_lock: held to replace or kill the helper; the watchdog and
 *	module unload take it to kill the helper, which unblocks an I/O
 *	thread waiting on it
 * @helper: the helper's pipes and pid; under @helper_lock
 * @helper_task: under @helper_lock, for its exit status
 * @watched_request: under @helper_lock; 0: none
 * @watchdog: kills a helper that does not answer @watched_request
 * @last_request_id: I/O thread only
 * @helper_gen: I/O thread only: helpers started
 */
struct bpfilter_domain {
	const char *name;
	struct kthread_worker *io_worker;
	struct mutex helper_lock;	/* see above */
	struct umh_info helper;
	struct task_struct *helper_task;
	u64 watched_request;
	struct delayed_work watchdog;
	u64 last_request_id;
	u64 helper_gen;
};

static struct bpfilter_domain domains[BPFILTER_DOMAINS] = {
	[BPFILTER_DOMAIN_HOST] = { .name = "host" },
	[BPFILTER_DOMAIN_USERNS] = { .name = "userns" },
};

/* Guards queueing against module init and unload: calls are accepted
 * only between the I/O threads' start and the start of unloading.
 */
static DEFINE_SPINLOCK(queue_lock);
static bool accepting;

/**
 * bpfilter_domain_of - the domain that serves a namespace
 * @net: the namespace, or NULL for the module's own requests
 */
unsigned int bpfilter_domain_of(const struct net *net)
{
	return net && net->user_ns != &init_user_ns ? BPFILTER_DOMAIN_USERNS :
						       BPFILTER_DOMAIN_HOST;
}

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

static void helper_stop_locked(struct bpfilter_domain *d, const char *why,
			       int err)
{
	struct pid *tgid = d->helper.tgid;

	if (!tgid)
		return;
	kill_pid(tgid, SIGKILL, 1);
	wait_event(tgid->wait_pidfd, thread_group_exited(tgid));
	/* The status says how it ended: signal 31 is its seccomp filter. */
	pr_info("helper pid %d stopped: %s (%d), exit status %#x\n",
		d->helper.pid, why, err,
		d->helper_task ? READ_ONCE(d->helper_task->exit_code) : 0);
	if (d->helper_task)
		put_task_struct(d->helper_task);
	d->helper_task = NULL;
	umh_info_release(&d->helper);
}

static void helper_stop(struct bpfilter_domain *d, const char *why, int err)
{
	mutex_lock(&d->helper_lock);
	helper_stop_locked(d, why, err);
	mutex_unlock(&d->helper_lock);
}

static void watchdog_fire(struct work_struct *work)
{
	struct bpfilter_domain *d = container_of(to_delayed_work(work),
						 struct bpfilter_domain,
						 watchdog);

	mutex_lock(&d->helper_lock);
	if (d->watched_request && d->helper.tgid) {
		pr_err_ratelimited("helper pid %d did not answer request %llu in time\n",
				   d->helper.pid, d->watched_request);
		kill_pid(d->helper.tgid, SIGKILL, 1);
	}
	mutex_unlock(&d->helper_lock);
}

/* Emulated guests are slow and a big table takes time to move and check:
 * the deadline grows with the bytes being moved (the request's, then the
 * reply's once its header announced them, never what a caller merely
 * asked for), within a bound, so that only a helper that stopped making
 * progress is killed.
 */
static void watch(struct bpfilter_domain *d, u64 id, size_t bytes)
{
	unsigned long timeout = msecs_to_jiffies(timeout_ms) +
				min_t(u64, (bytes >> 16) * HZ,
				      BPFILTER_MOVE_TIME_MAX);

	mutex_lock(&d->helper_lock);
	d->watched_request = id;
	mutex_unlock(&d->helper_lock);
	mod_delayed_work(system_wq, &d->watchdog, timeout);
}

static void unwatch(struct bpfilter_domain *d)
{
	mutex_lock(&d->helper_lock);
	d->watched_request = 0;
	mutex_unlock(&d->helper_lock);
	cancel_delayed_work_sync(&d->watchdog);
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

static int exchange_io(struct bpfilter_domain *d, struct bpfilter_call *call)
{
	struct bpfilter_request *req = call->req;
	struct mem_cgroup *old_memcg;
	int err, i;

	watch(d, req->id, req->payload_len);
	err = pipe_write_all(d->helper.pipe_to_umh, req, sizeof(*req));
	for (i = 0; !err && i < ARRAY_SIZE(call->out); i++)
		err = pipe_write_all(d->helper.pipe_to_umh,
				     call->out[i].iov_base,
				     call->out[i].iov_len);
	if (err)
		return err;
	call->sent = true;

	err = pipe_read_all(d->helper.pipe_from_umh, &call->reply,
			    sizeof(call->reply));
	if (err)
		return err;
	err = reply_check(call);
	if (err || !call->reply.payload_len)
		return err;
	watch(d, req->id, call->reply.payload_len);

	/* Charged to the caller, as if it had allocated the reply itself. */
	old_memcg = set_active_memcg(call->memcg);
	call->reply_payload = kvmalloc(call->reply.payload_len,
				       GFP_KERNEL_ACCOUNT);
	set_active_memcg(old_memcg);
	if (!call->reply_payload)
		return -ENOMEM;
	return pipe_read_all(d->helper.pipe_from_umh, call->reply_payload,
			     call->reply.payload_len);
}

/* One request and its reply, under the watchdog. */
static int helper_exchange(struct bpfilter_domain *d,
			   struct bpfilter_call *call)
{
	int err;

	call->req->id = ++d->last_request_id;
	err = exchange_io(d, call);
	unwatch(d);
	return err;
}

/* The store's way to reach this thread's helper. */
static int exchange_host(struct bpfilter_call *call)
{
	return helper_exchange(&domains[BPFILTER_DOMAIN_HOST], call);
}

static int exchange_userns(struct bpfilter_call *call)
{
	return helper_exchange(&domains[BPFILTER_DOMAIN_USERNS], call);
}

static int (*const exchanges[BPFILTER_DOMAINS])(struct bpfilter_call *call) = {
	[BPFILTER_DOMAIN_HOST] = exchange_host,
	[BPFILTER_DOMAIN_USERNS] = exchange_userns,
};

static bool helper_running(const struct bpfilter_domain *d)
{
	return d->helper.tgid && !thread_group_exited(d->helper.tgid);
}

static unsigned int domain_id(const struct bpfilter_domain *d)
{
	return d - domains;
}

/* Start a helper if there is none; a new one first gets the store back. */
static int helper_ensure(struct bpfilter_domain *d)
{
	bool started = false;
	int err = 0;

	mutex_lock(&d->helper_lock);
	if (d->helper.tgid && !helper_running(d))
		helper_stop_locked(d, "it exited", 0);
	if (!d->helper.tgid && !READ_ONCE(accepting)) {
		err = -ENODEV;
	} else if (!d->helper.tgid) {
		err = fork_usermode_blob(bpfilter_umh_start,
					 bpfilter_umh_end - bpfilter_umh_start,
					 &d->helper);
		if (err) {
			pr_err_ratelimited("cannot start the %s helper: %d\n",
					   d->name, err);
		} else {
			pr_info("started %s helper pid %d\n", d->name,
				d->helper.pid);
			d->helper_task = get_pid_task(d->helper.tgid,
						      PIDTYPE_TGID);
		}
		started = !err;
	}
	mutex_unlock(&d->helper_lock);
	if (!started)
		return err;

	d->helper_gen++;
	err = bpfilter_store_restore_all(domain_id(d), d->helper_gen,
					 exchanges[domain_id(d)]);
	if (err) {
		helper_stop(d, "restoring the tables failed", err);
		return -EIO;
	}
	return 0;
}

/* A namespace whose tables the helper refused to restore is served only
 * once they are back: another try now, else the request fails.
 */
static int helper_restore_net(struct bpfilter_domain *d, struct net *net)
{
	int err;

	if (!net || !bpfilter_store_needs_restore(net, d->helper_gen))
		return 0;
	err = bpfilter_store_restore_net(net, d->helper_gen,
					 exchanges[domain_id(d)]);
	if (err) {
		helper_stop(d, "restoring the tables failed", err);
		return -EIO;
	}
	if (bpfilter_store_needs_restore(net, d->helper_gen))
		return -EIO;
	return 0;
}

/* A helper that failed us is replaced, and the request is tried once
 * more if the old helper cannot have acted on it: a get changes nothing,
 * and a set it never fully received was never applied.
 */
static int helper_serve(struct bpfilter_domain *d, struct bpfilter_call *call)
{
	bool retried = false;
	int err;

	for (;;) {
		err = helper_ensure(d);
		if (err)
			return err;
		err = helper_restore_net(d, call->net);
		if (err)
			return err;
		err = helper_exchange(d, call);
		if (!err)
			return 0;

		helper_stop(d, err == -EBADMSG ? "malformed reply" :
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
static int helper_forget_net(struct bpfilter_domain *d,
			     struct bpfilter_call *call)
{
	int err;

	if (!helper_running(d))
		return 0;
	err = helper_exchange(d, call);
	if (err)
		helper_stop(d, "no reply to a namespace exit", err);
	return err;
}

/* The accounting of a domain whose helper never ran is all zeroes: a
 * read of the statistics starts no helper there.
 */
static int helper_stats(struct bpfilter_domain *d, struct bpfilter_call *call)
{
	int err = 0;

	if (d->helper_gen || domain_id(d) == BPFILTER_DOMAIN_HOST) {
		err = helper_serve(d, call);
	} else {
		call->reply_payload = kvzalloc(call->reply_cap, GFP_KERNEL);
		if (!call->reply_payload)
			return -ENOMEM;
		call->reply.payload_len = call->reply_cap;
	}
	bpfilter_store_stats(&call->stats, domain_id(d), d->helper_gen);
	call->stats.helpers_started = d->helper_gen;
	return err;
}

/* The programs of a COMPILE reply, loaded on this thread: its file
 * table is its own, and the caller's memory cgroup is charged.  A
 * malformed image means a helper that does not behave: it is replaced,
 * and the request fails as a malformed reply does.
 */
static void helper_load(struct bpfilter_domain *d, struct bpfilter_call *call)
{
	struct mem_cgroup *old_memcg;
	struct bpfilter_progs *p;

	bpfilter_fault_image(call->reply_payload, call->reply.payload_len);
	old_memcg = set_active_memcg(call->memcg);
	p = bpfilter_progs_load(call->net, call->writer, call->reply_payload,
				call->reply.payload_len);
	set_active_memcg(old_memcg);
	kvfree(call->reply_payload);
	call->reply_payload = NULL;
	call->reply.payload_len = 0;
	if (PTR_ERR_OR_ZERO(p) == -EBADMSG) {
		helper_stop(d, "malformed program image", -EBADMSG);
		p = ERR_PTR(-EIO);
	}
	if (IS_ERR(p))
		call->load_err = PTR_ERR(p);
	else
		call->loaded = p;
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
	/* Never put in force. */
	bpfilter_progs_destroy(call->loaded);
	bpfilter_progs_destroy(call->install);
	/* Out of force, but the caller did not stay to read its counters:
	 * CPUs may still run it.
	 */
	bpfilter_progs_free(call->replaced);
	if (call->writer)
		put_user_ns(call->writer);
	if (call->net)
		put_net(call->net);
	kfree(call);
}

static void bpfilter_call_work(struct kthread_work *work)
{
	struct bpfilter_call *call = container_of(work, struct bpfilter_call,
						  work);
	struct bpfilter_domain *d = &domains[call->domain];
	/* The store may take the request over (kern_store.c). */
	u16 cmd = call->req->cmd;

	switch (cmd) {
	case BPFILTER_CMD_NETNS_EXIT:
		call->err = helper_forget_net(d, call);
		break;
	case BPFILTER_CMD_STATS:
		call->err = helper_stats(d, call);
		break;
	default:
		call->err = helper_serve(d, call);
		break;
	}
	/* Before anything else is served: see kern_store.c. */
	if (!call->err && !call->reply.status) {
		bpfilter_store_commit(call);
		if (cmd == BPFILTER_CMD_COMPILE)
			helper_load(d, call);
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
 * @net: the caller's network namespace, or NULL for the module's own
 *	requests (served by the host's helper); not referenced here
 * @optname: the socket option
 * @optlen: the request's optlen field
 * @payload_len: bytes of payload to follow the header
 *
 * Allocated in the caller's context and charged to its memory cgroup,
 * as is the reply the I/O thread reads for it.
 *
 * Return: the call, with its payload at (call->req + 1), or NULL.
 */
struct bpfilter_call *bpfilter_call_alloc(u16 cmd, const struct net *net,
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
	call->domain = bpfilter_domain_of(net);
	call->memcg = get_mem_cgroup_from_mm(current->mm);
	kthread_init_work(&call->work, bpfilter_call_work);
	kref_init(&call->ref);
	init_completion(&call->done);
	call->req->magic = BPFILTER_WIRE_MAGIC;
	call->req->version = BPFILTER_WIRE_VERSION;
	call->req->cmd = cmd;
	call->req->net_cookie = net ? net->net_cookie : 0;
	call->req->optname = optname;
	call->req->optlen = optlen;
	call->req->payload_len = payload_len;
	call->req->hz = HZ;
	call->out[0].iov_base = call->req + 1;
	call->out[0].iov_len = payload_len;
	return call;
}

/**
 * bpfilter_call_queue - hand @call to its domain's I/O thread
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
		kthread_queue_work(domains[call->domain].io_worker,
				   &call->work);
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

/* An I/O thread's file table is its own, no process's, and holds every
 * fd of a load.
 */
struct io_setup {
	struct kthread_work work;
	int err;
};

static void io_setup(struct kthread_work *work)
{
	struct io_setup *s = container_of(work, struct io_setup, work);
	struct rlimit *nofile;

	s->err = unshare_files();
	if (s->err)
		return;
	task_lock(current->group_leader);
	nofile = &current->signal->rlim[RLIMIT_NOFILE];
	nofile->rlim_max = max_t(unsigned long, nofile->rlim_max,
				 BPFILTER_IO_FDS);
	nofile->rlim_cur = nofile->rlim_max;
	task_unlock(current->group_leader);
}

static int domain_start(struct bpfilter_domain *d)
{
	struct io_setup setup = { .err = 0 };

	mutex_init(&d->helper_lock);
	INIT_DELAYED_WORK(&d->watchdog, watchdog_fire);
	d->io_worker = kthread_create_worker(0, "bpfilter_io_%s", d->name);
	if (IS_ERR(d->io_worker)) {
		int err = PTR_ERR(d->io_worker);

		d->io_worker = NULL;
		return err;
	}
	kthread_init_work(&setup.work, io_setup);
	kthread_queue_work(d->io_worker, &setup.work);
	kthread_flush_work(&setup.work);
	if (setup.err) {
		pr_err("the %s I/O thread cannot have files of its own: %d\n",
		       d->name, setup.err);
		kthread_destroy_worker(d->io_worker);
		d->io_worker = NULL;
	}
	return setup.err;
}

int bpfilter_helper_init(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < BPFILTER_DOMAINS; i++) {
		err = domain_start(&domains[i]);
		if (err)
			goto stop;
	}
	spin_lock(&queue_lock);
	accepting = true;
	spin_unlock(&queue_lock);
	return 0;
stop:
	while (i--)
		kthread_destroy_worker(domains[i].io_worker);
	return err;
}

/* Called once no new sockopt call can start; a killed caller's call and
 * namespace exits may still be queued.
 */
void bpfilter_helper_exit(void)
{
	struct bpfilter_domain *d;
	unsigned int i;

	spin_lock(&queue_lock);
	accepting = false;
	spin_unlock(&queue_lock);

	for (i = 0; i < BPFILTER_DOMAINS; i++) {
		d = &domains[i];
		mutex_lock(&d->helper_lock);
		if (d->helper.tgid)
			kill_pid(d->helper.tgid, SIGKILL, 1);
		mutex_unlock(&d->helper_lock);
	}
	for (i = 0; i < BPFILTER_DOMAINS; i++) {
		d = &domains[i];
		/* Runs what is queued: with the helper dead, that is quick. */
		kthread_destroy_worker(d->io_worker);
		cancel_delayed_work_sync(&d->watchdog);
		helper_stop(d, "module unloaded", 0);
	}
}
