// SPDX-License-Identifier: GPL-2.0
/*
 * The helper's sandbox (sandbox.c), applied in forked children: what it
 * leaves is enough to serve, everything else kills the process with
 * SIGSYS, and /proc shows no privilege left.  Needs root, as the helper
 * starts as root.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc_status.h"
#include "sandbox.h"
#include "tap.h"
#include "test_sandbox.h"

/* x32 system calls: the x86_64 arch, numbers with this bit set. */
#define X32_SYSCALL_BIT	0x40000000L

/* The child's log goes nowhere: its refusals are expected. */
static pid_t fork_quiet(void)
{
	pid_t pid = fork();

	if (!pid) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	return pid;
}

/*
 * Only raw system calls once confined: no library code that might use
 * others.  Not declared noreturn: ASan precedes calls to noreturn
 * functions with a sigaltstack(2) check, which the sandbox refuses.
 */
static void child_exit(int code)
{
	syscall(SYS_exit_group, code);
}

static int wait_status(pid_t pid)
{
	int status = -1;

	if (pid < 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return status;
}

/* Runs @attempt confined in a child; it must die of SIGSYS. */
static void expect_sigsys(const char *what, long (*attempt)(void))
{
	pid_t pid = fork_quiet();
	int status;

	if (!pid) {
		if (bpfilter_sandbox_enter())
			child_exit(2);
		attempt();
		child_exit(0);
	}
	status = wait_status(pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS) {
		printf("#   %s: wait status %#x, not killed by SIGSYS\n", what,
		       status);
		tap_test_failed = true;
	}
}

static long try_execve(void)
{
	static char *const argv[] = { "true", NULL };

	return syscall(SYS_execve, "/bin/true", argv, argv + 1);
}

static long try_open(void)
{
	return syscall(SYS_openat, AT_FDCWD, "/etc/passwd", O_RDONLY);
}

static long try_socket(void)
{
	return syscall(SYS_socket, AF_INET, SOCK_DGRAM, 0);
}

static long try_mmap_exec(void)
{
	return syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_EXEC,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static long try_mprotect_exec(void)
{
	void *p = (void *)syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	return syscall(SYS_mprotect, p, 4096, PROT_READ | PROT_EXEC);
}

static long try_kill(void)
{
	return syscall(SYS_kill, 1, 0);
}

static long try_setuid_root(void)
{
	return syscall(SYS_setresuid, 0, 0, 0);
}

/* x32's read: the same arch as x86_64, a number the filter must refuse. */
static long try_x32_read(void)
{
	char c;

	return syscall(X32_SYSCALL_BIT | SYS_read, STDIN_FILENO, &c, 1);
}

static void test_forbidden(void)
{
	expect_sigsys("execve", try_execve);
	expect_sigsys("openat", try_open);
	expect_sigsys("socket", try_socket);
	expect_sigsys("mmap(PROT_EXEC)", try_mmap_exec);
	expect_sigsys("mprotect(PROT_EXEC)", try_mprotect_exec);
	expect_sigsys("kill", try_kill);
	expect_sigsys("setresuid(0)", try_setuid_root);
	expect_sigsys("x32 read", try_x32_read);
}

/*
 * What serving needs still works: memory (brk, mmap and mremap, as
 * malloc gets and grows it), the clock, reading and writing pipes,
 * exiting.
 */
static void test_allowed(void)
{
	struct timespec ts;
	int fds[2], status;
	char c = 0;
	pid_t pid;

	if (pipe(fds)) {
		tap_test_failed = true;
		return;
	}
	pid = fork_quiet();
	if (!pid) {
		void *p;

		if (bpfilter_sandbox_enter())
			child_exit(2);
		p = (void *)syscall(SYS_mmap, NULL, 1 << 20,
				    PROT_READ | PROT_WRITE,
				    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p != MAP_FAILED)
			p = (void *)syscall(SYS_mremap, p, 1 << 20, 2 << 20,
					    MREMAP_MAYMOVE);
		if (p == MAP_FAILED || syscall(SYS_munmap, p, 2 << 20) ||
		    syscall(SYS_brk, 0) <= 0 ||
		    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts) ||
		    syscall(SYS_write, fds[1], "y", 1) != 1)
			child_exit(3);
		child_exit(0);
	}
	close(fds[1]);
	EXPECT_EQ(read(fds[0], &c, 1), 1);
	EXPECT_EQ(c, 'y');
	close(fds[0]);
	status = wait_status(pid);
	EXPECT(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

/* Seen from outside, while the confined child waits on a pipe. */
static void test_proc_status(void)
{
	int ready[2], go[2], status;
	char c = 0;
	pid_t pid;

	if (pipe(ready) || pipe(go)) {
		tap_test_failed = true;
		return;
	}
	pid = fork_quiet();
	if (!pid) {
		close(ready[0]);
		close(go[1]);
		if (bpfilter_sandbox_enter())
			child_exit(2);
		syscall(SYS_write, ready[1], "r", 1);
		syscall(SYS_read, go[0], &c, 1);
		child_exit(0);
	}
	close(ready[1]);
	close(go[0]);
	EXPECT_EQ(read(ready[0], &c, 1), 1);
	EXPECT_EQ(proc_status_check_confined(pid), 0);
	close(go[1]);
	close(ready[0]);
	status = wait_status(pid);
	EXPECT(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

/* Without the privilege to drop, it fails rather than run half-confined. */
static void test_unprivileged_fails(void)
{
	pid_t pid = fork_quiet();
	int status;

	if (!pid) {
		if (setresuid(1000, 1000, 1000))
			_exit(3);
		_exit(bpfilter_sandbox_enter() < 0 ? 0 : 1);
	}
	status = wait_status(pid);
	EXPECT(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

static void run(const char *name, void (*test)(void))
{
	if (geteuid()) {
		printf("ok - %s # SKIP needs root\n", name);
		return;
	}
	tap_run(name, test);
}

unsigned int test_sandbox_all(void)
{
	fflush(stdout);
	run("sandbox: execve, open, socket, exec memory, kill, setuid, x32 die of SIGSYS",
	    test_forbidden);
	run("sandbox: memory (mremap too), clock, pipes and exit still work",
	    test_allowed);
	run("sandbox: /proc status shows uid/gid 4294967294, no capabilities, no_new_privs, seccomp filter",
	    test_proc_status);
	run("sandbox: without root it fails instead of running unconfined",
	    test_unprivileged_fails);
	return tap_failures;
}
