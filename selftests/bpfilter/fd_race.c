// SPDX-License-Identifier: GPL-2.0
/*
 * The module must make and take back its BPF objects where no thread of
 * the caller can reach them.  Were they made in the caller's file
 * table, a sibling thread could dup() the fd of one commit's map and
 * dup2() it over the fd of a later commit's map before the module takes
 * that back, making the programs use an object of the wrong type.
 *
 *   fd_race [-n NETNS] race SECONDS
 *       One thread, on CPU 0, commits the filter table in force again
 *       and again (each commit compiles and loads it anew) for SECONDS;
 *       another, on CPU 1, scans this process's file table in a tight
 *       loop, keeps a dup() of every BPF map or program fd that appears
 *       and dup2()s an earlier one over each new one.  Prints "commits
 *       N", "failed F" (with the first errno), "scans S", "captured C"
 *       (BPF fds seen) and "swapped W".  Exit status 0 when N > 0, F = 0
 *       and C = 0; 1 otherwise.
 *   fd_race [-n NETNS] emfile
 *       Lowers RLIMIT_NOFILE to the fds already open, so that no new one
 *       can be opened, and commits the table in force: x_tables never
 *       fails a commit with EMFILE.  Prints "commit 0" or "commit ERRNO";
 *       exit status 0 on success.
 *
 * Exit status 2 on a setup error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "ipt_table.h"

/* File descriptors the racer looks at: more than one commit's objects. */
#define FDS	256

static int sock;
static atomic_bool done;
static struct ipt_replace *table;

struct race {
	unsigned long commits, failed, scans, captured, swapped;
	int first_errno;
	bool mine[FDS];		/* open before the race, or dup()s of ours */
};

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

static int commit(void)
{
	struct xt_counters *old;
	int err = 0;

	old = ipt_xcalloc(table->num_entries * sizeof(*old));
	table->num_counters = table->num_entries;
	table->counters = old;
	if (setsockopt(sock, SOL_IP, IPT_SO_SET_REPLACE, table,
		       sizeof(*table) + table->size))
		err = errno;
	free(old);
	return err;
}

static void *committer(void *arg)
{
	struct race *r = arg;
	int err;

	pin(0);
	while (!atomic_load(&done)) {
		err = commit();
		r->commits++;
		if (err && !r->failed++)
			r->first_errno = err;
	}
	return NULL;
}

/* A BPF map or program: what kern_sys_bpf() would put in our table. */
static bool is_bpf(int fd)
{
	char path[64], target[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = 0;
	return !strncmp(target, "anon_inode:bpf-", 15);
}

static void *racer(void *arg)
{
	struct race *r = arg;
	int fd, kept, last = -1;

	pin(1);
	while (!atomic_load(&done)) {
		r->scans++;
		for (fd = 3; fd < FDS; fd++) {
			if (r->mine[fd] || fcntl(fd, F_GETFD) < 0 || !is_bpf(fd))
				continue;
			r->captured++;
			kept = dup(fd);
			if (kept >= 0 && kept < FDS)
				r->mine[kept] = true;
			/* An earlier commit's object in place of this one. */
			if (last >= 0 && dup2(last, fd) == fd)
				r->swapped++;
			if (kept >= 0)
				last = kept;
		}
	}
	return NULL;
}

static int do_race(double seconds)
{
	static struct race r;
	pthread_t threads[2];
	struct timespec ts = {
		.tv_sec = (time_t)seconds,
		.tv_nsec = (long)((seconds - (time_t)seconds) * 1e9),
	};
	int fd;

	for (fd = 0; fd < FDS; fd++)
		r.mine[fd] = fcntl(fd, F_GETFD) >= 0;
	if (pthread_create(&threads[0], NULL, committer, &r) ||
	    pthread_create(&threads[1], NULL, racer, &r))
		die("pthread_create");
	nanosleep(&ts, NULL);
	atomic_store(&done, true);
	pthread_join(threads[0], NULL);
	pthread_join(threads[1], NULL);
	printf("commits %lu\nfailed %lu %s\nscans %lu\ncaptured %lu\nswapped %lu\n",
	       r.commits, r.failed, r.failed ? strerror(r.first_errno) : "-",
	       r.scans, r.captured, r.swapped);
	return r.commits && !r.failed && !r.captured ? 0 : 1;
}

static int do_emfile(void)
{
	struct rlimit lim;
	int fd, top = 0, err;

	for (fd = 0; fd < FDS; fd++)
		if (fcntl(fd, F_GETFD) >= 0)
			top = fd;
	if (getrlimit(RLIMIT_NOFILE, &lim))
		die("getrlimit");
	lim.rlim_cur = top + 1;
	if (setrlimit(RLIMIT_NOFILE, &lim))
		die("setrlimit");
	if (dup(0) >= 0) {
		fprintf(stderr, "fd_race: a new fd opens below the limit\n");
		return 2;
	}
	err = commit();
	printf("commit %s\n", err ? strerror(err) : "0");
	return err ? 1 : 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: fd_race [-n NETNS] race SECONDS\n"
			"       fd_race [-n NETNS] emfile\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "-n")) {
		enter_netns(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		usage();
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock < 0)
		die("socket");
	table = ipt_save(sock);
	if (!strcmp(argv[1], "race") && argc == 3)
		return do_race(strtod(argv[2], NULL));
	if (!strcmp(argv[1], "emfile") && argc == 2)
		return do_emfile();
	usage();
	return 2;
}
