/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the VM tests' C tools share: exiting with a setup error, entering
 * a network namespace without "ip netns exec" (whose mount namespace
 * costs ~0.3 s under emulation), stopping on SIGTERM/SIGINT.
 */
#ifndef BPFILTER_TOOL_UTIL_H
#define BPFILTER_TOOL_UTIL_H

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop;

static inline void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* A setup error: the tools' exit status 2. */
static inline void die(const char *what)
{
	perror(what);
	exit(2);
}

/* /run/netns/NAME, or NAME itself when it holds a slash. */
static inline void enter_netns(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), strchr(name, '/') ? "%s" : "/run/netns/%s",
		 name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die(path);
	if (setns(fd, CLONE_NEWNET))
		die("setns");
	close(fd);
}

#endif /* BPFILTER_TOOL_UTIL_H */
