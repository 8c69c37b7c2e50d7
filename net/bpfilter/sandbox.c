// SPDX-License-Identifier: GPL-2.0
/*
 * Confining the helper: no uid 0, no capability, no way to gain one, and
 * a seccomp filter that leaves only the system calls serving requests
 * needs.  Written against the raw kernel interfaces (no libcap, no
 * libseccomp): the helper is a static binary with no other dependency.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#include "log.h"
#include "sandbox.h"

#if !defined(__x86_64__)
#error "the seccomp filter knows x86_64 system call numbers only"
#endif

/* x32 calls share AUDIT_ARCH_X86_64; their numbers have this bit set. */
#define X32_SYSCALL_BIT		0x40000000U

/* The low half of a 64-bit argument (little-endian). */
#define ARG_LO(n)	(offsetof(struct seccomp_data, args[n]))

#define ALLOW(name)							\
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_##name, 0, 1),		\
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)

/*
 * What the static helper calls once it serves requests (strace of the
 * host tests and of large request streams): read and write on its pipes
 * and log, writev for the C library's own fatal messages (malloc's
 * consistency checks print through it before aborting), malloc's brk,
 * mmap, munmap and mremap (realloc() of a block malloc mmap()ed, as the
 * code generator's instruction buffer is for large tables; mremap cannot
 * change protections), clock_gettime for the log's rate limit (the vDSO
 * falls back to the system call when the clock source has no vDSO
 * support), and exit.  No signal handler is installed, so no rt_sigreturn; one
 * thread, so no futex; nothing is opened, so no close or fstat.
 * Anything else kills the whole process: the module sees it die and
 * starts a new helper.
 */
static struct sock_filter filter[] = {
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, X32_SYSCALL_BIT, 0, 1),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
	ALLOW(read),
	ALLOW(write),
	ALLOW(writev),
	ALLOW(brk),
	ALLOW(munmap),
	ALLOW(mremap),
	ALLOW(clock_gettime),
	ALLOW(exit),
	ALLOW(exit_group),
	/* mmap, but never of executable memory. */
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_mmap, 0, 3),
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, ARG_LO(2)),
	BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, PROT_EXEC, 1, 0),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
};

static int fail(const char *what)
{
	int err = errno ? errno : EPERM;

	bpfilter_log("sandbox: %s failed: errno %d", what, err);
	return -err;
}

/* Needs CAP_SETPCAP, so before the uid changes. */
static int drop_bounding_set(void)
{
	int cap;

	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0))
			return fail("dropping the capability bounding set");
	return 0;
}

static int capabilities(struct __user_cap_data_struct data[2])
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};

	return syscall(SYS_capget, &hdr, data);
}

static int clear_capabilities(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct none[2] = { 0 };

	if (syscall(SYS_capset, &hdr, none))
		return fail("capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0))
		return fail("clearing the ambient capabilities");
	return 0;
}

static int drop_ids(void)
{
	if (setgroups(0, NULL))
		return fail("setgroups");
	if (setresgid(BPFILTER_SANDBOX_GID, BPFILTER_SANDBOX_GID,
		      BPFILTER_SANDBOX_GID))
		return fail("setresgid");
	if (setresuid(BPFILTER_SANDBOX_UID, BPFILTER_SANDBOX_UID,
		      BPFILTER_SANDBOX_UID))
		return fail("setresuid");
	return 0;
}

/* Trust but verify: each step above must have taken effect. */
static int check_confined(void)
{
	struct __user_cap_data_struct data[2];
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;
	int cap;

	errno = EPERM;
	if (getresuid(&ruid, &euid, &suid) || getresgid(&rgid, &egid, &sgid) ||
	    ruid != BPFILTER_SANDBOX_UID || euid != ruid || suid != ruid ||
	    rgid != BPFILTER_SANDBOX_GID || egid != rgid || sgid != rgid)
		return fail("checking the ids");
	if (getgroups(0, NULL) != 0)
		return fail("checking the groups");
	if (capabilities(data) || data[0].effective || data[1].effective ||
	    data[0].permitted || data[1].permitted ||
	    data[0].inheritable || data[1].inheritable)
		return fail("checking the capabilities");
	for (cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_READ, cap, 0, 0, 0) > 0)
			return fail("checking the bounding set");
	if (prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 ||
	    prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
		return fail("checking no_new_privs and dumpable");
	/* It would make every readable mapping executable, unseen by mmap's check. */
	if (personality(0xffffffff) & READ_IMPLIES_EXEC)
		return fail("checking the personality");
	return 0;
}

static int install_filter(void)
{
	struct sock_fprog prog = {
		.len = sizeof(filter) / sizeof(filter[0]),
		.filter = filter,
	};

	/*
	 * malloc sets itself up on first use (glibc asks getrandom(2) for
	 * its tcache key): have that happen while it is still allowed.
	 */
	free(malloc(1));
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0))
		return fail("installing the seccomp filter");
	return 0;
}

int bpfilter_sandbox_enter(void)
{
	int ret;

	ret = drop_bounding_set();
	if (!ret)
		ret = drop_ids();
	if (!ret)
		ret = clear_capabilities();
	if (ret)
		return ret;
	/* suid_dumpable could leave it dumpable, i.e. open to ptrace by nobody. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0))
		return fail("clearing dumpable");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return fail("setting no_new_privs");
	ret = check_confined();
	if (ret)
		return ret;
	return install_filter();
}
