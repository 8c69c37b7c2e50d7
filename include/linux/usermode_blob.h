/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _LINUX_USERMODE_BLOB_H
#define _LINUX_USERMODE_BLOB_H

#include <linux/types.h>

struct file;
struct pid;

/**
 * struct umh_info - a running user-mode helper started from a blob
 * @pipe_to_umh: write end of the pipe that is the helper's stdin
 * @pipe_from_umh: read end of the pipe that is the helper's stdout
 * @pid: the helper's process id, in the initial pid namespace
 * @tgid: reference to the helper's thread group, for killing it and
 *	waiting for it without racing with pid reuse
 */
struct umh_info {
	struct file *pipe_to_umh;
	struct file *pipe_from_umh;
	pid_t pid;
	struct pid *tgid;
};

int fork_usermode_blob(void *data, size_t len, struct umh_info *info);
void umh_info_release(struct umh_info *info);

#endif /* _LINUX_USERMODE_BLOB_H */
