// SPDX-License-Identifier: GPL-2.0-only
/*
 * Run a blob of the kernel's own bytes as a user-mode helper.
 *
 * Each call writes the blob into a file on a private tmpfs instance of
 * its own (so names never collide and nothing is visible in any mount
 * namespace), executes it with two fresh pipes as stdin and stdout, and
 * then unlinks the file and drops the mount.  The running helper keeps
 * its executable alive through its mm, so /proc/<pid>/exe shows it as
 * deleted and the memory goes away with the helper.
 */
#include <linux/fs.h>
#include <linux/fs_struct.h>
#include <linux/file.h>
#include <linux/mount.h>
#include <linux/namei.h>
#include <linux/pid.h>
#include <linux/pipe_fs_i.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/task_work.h>
#include <linux/umh.h>
#include <linux/usermode_blob.h>

/* What the new task needs to wire itself up before it executes. */
struct blob_exec {
	struct path dir;
	const char *name;
	struct umh_info *info;
};

static struct vfsmount *blob_mount(void)
{
	struct file_system_type *type;
	struct vfsmount *mnt;

	type = get_fs_type("tmpfs");
	if (!type)
		return ERR_PTR(-ENODEV);
	mnt = kern_mount(type);
	put_filesystem(type);
	return mnt;
}

/* Write the blob and close it, so that exec does not see a writer. */
static int blob_write(struct vfsmount *mnt, const char *name,
		      const void *data, size_t len)
{
	struct file *file;
	loff_t pos = 0;
	ssize_t written;

	file = file_open_root_mnt(mnt, name, O_CREAT | O_EXCL | O_WRONLY, 0500);
	if (IS_ERR(file))
		return PTR_ERR(file);

	written = kernel_write(file, data, len, &pos);
	fput(file);
	/*
	 * fput() defers the final close to task work (or, in a kernel
	 * thread, to a workqueue); finish it now or exec fails ETXTBSY.
	 */
	flush_delayed_fput();
	task_work_run();

	if (written < 0)
		return written;
	return written == len ? 0 : -ENOSPC;
}

static void blob_unlink(struct vfsmount *mnt, const char *name)
{
	struct inode *dir = d_inode(mnt->mnt_root);
	struct dentry *dentry;

	inode_lock_nested(dir, I_MUTEX_PARENT);
	dentry = lookup_one_len(name, mnt->mnt_root, strlen(name));
	if (!IS_ERR(dentry)) {
		if (d_is_positive(dentry))
			vfs_unlink(&init_user_ns, dir, dentry, NULL);
		dput(dentry);
	}
	inode_unlock(dir);
}

/* Runs in the new task, before it executes the blob. */
static int blob_exec_setup(struct subprocess_info *sub, struct cred *new)
{
	struct blob_exec *ctx = sub->data;
	struct file *to_umh[2], *from_umh[2];
	int err;

	/* Another program (a static usermode helper) must not get our pipes. */
	if (sub->path != ctx->name)
		return -EPERM;

	err = create_pipe_files(to_umh, 0);
	if (err)
		return err;
	err = create_pipe_files(from_umh, 0);
	if (err)
		goto put_to_umh;

	/*
	 * replace_fd() takes its own reference; on failure the task exits
	 * and closes whatever fds it already has.
	 */
	err = replace_fd(0, to_umh[0], 0);
	if (err < 0)
		goto put_from_umh;
	err = replace_fd(1, from_umh[1], 0);
	if (err < 0)
		goto put_from_umh;
	fput(to_umh[0]);
	fput(from_umh[1]);

	/* The blob is executed by its name, relative to its directory. */
	set_fs_pwd(current->fs, &ctx->dir);

	ctx->info->pipe_to_umh = to_umh[1];
	ctx->info->pipe_from_umh = from_umh[0];
	ctx->info->tgid = get_pid(task_tgid(current));
	return 0;

put_from_umh:
	fput(from_umh[0]);
	fput(from_umh[1]);
put_to_umh:
	fput(to_umh[0]);
	fput(to_umh[1]);
	return err;
}

/* Runs in the caller once the exec is over; undo the setup if it failed. */
static void blob_exec_cleanup(struct subprocess_info *sub)
{
	struct blob_exec *ctx = sub->data;

	if (sub->retval && ctx->info->tgid)
		umh_info_release(ctx->info);
}

static int blob_exec(struct vfsmount *mnt, char *name, struct umh_info *info)
{
	struct blob_exec ctx = {
		.dir = { .mnt = mnt, .dentry = mnt->mnt_root },
		.name = name,
		.info = info,
	};
	struct subprocess_info *sub;
	char *argv[2];
	int err;

	argv[0] = name;
	argv[1] = NULL;
	/* No environment: the blob is expected to be self-contained. */
	sub = call_usermodehelper_setup(name, argv, NULL, GFP_KERNEL,
					blob_exec_setup, blob_exec_cleanup,
					&ctx);
	if (!sub)
		return -ENOMEM;
	err = call_usermodehelper_exec(sub, UMH_WAIT_EXEC);
	/* An empty static usermode helper path "succeeds" without running. */
	if (!err && !info->tgid)
		err = -ENOEXEC;
	return err;
}

/**
 * fork_usermode_blob - execute a blob of bytes as a user-mode helper
 * @data: the executable's bytes (typically a static ELF binary)
 * @len: length of @data in bytes
 * @info: filled in on success
 *
 * The blob is written to a new file on a private tmpfs mount, executed
 * with a fresh pipe as its stdin and another as its stdout (it starts
 * with no other open file descriptor), and unlinked once the exec has
 * happened, so that no name of it remains anywhere.
 *
 * Return: 0 on success, with @info holding both pipes and the helper's
 * pid; the caller owns them and releases them with umh_info_release()
 * after making the helper exit.  On failure a negative errno, and
 * nothing created by the call (file, mount, pipe or process) remains.
 */
int fork_usermode_blob(void *data, size_t len, struct umh_info *info)
{
	static atomic_t blob_seq = ATOMIC_INIT(0);
	struct vfsmount *mnt;
	char name[32];
	int err;

	if (!data || !len || !info)
		return -EINVAL;
	memset(info, 0, sizeof(*info));

	snprintf(name, sizeof(name), "umh-blob-%u",
		 atomic_inc_return(&blob_seq));
	mnt = blob_mount();
	if (IS_ERR(mnt))
		return PTR_ERR(mnt);

	err = blob_write(mnt, name, data, len);
	if (!err)
		err = blob_exec(mnt, name, info);
	if (!err)
		info->pid = pid_nr(info->tgid);

	blob_unlink(mnt, name);
	kern_unmount(mnt);
	return err;
}
EXPORT_SYMBOL_GPL(fork_usermode_blob);

/**
 * umh_info_release - drop what fork_usermode_blob() handed to the caller
 * @info: the helper's pipes and pid reference
 *
 * Closes both pipe ends and drops the pid reference.  It neither kills
 * the helper nor waits for it; a helper whose pipes are closed sees EOF
 * on stdin and EPIPE on stdout.
 */
void umh_info_release(struct umh_info *info)
{
	if (info->pipe_to_umh)
		fput(info->pipe_to_umh);
	if (info->pipe_from_umh)
		fput(info->pipe_from_umh);
	put_pid(info->tgid);
	memset(info, 0, sizeof(*info));
}
EXPORT_SYMBOL_GPL(umh_info_release);
