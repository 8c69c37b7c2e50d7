/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The helper's confinement.  It parses what callers in any user
 * namespace send, so a bug in it must not be worth more than the helper
 * itself: it only compiles, the module loads what it produces, and so it
 * needs no privilege at all (docs/threat-model.md).
 */
#ifndef BPFILTER_SANDBOX_H
#define BPFILTER_SANDBOX_H

/*
 * An id of the helper's own: (uid_t)-2, the highest valid one ((uid_t)-1
 * means "unchanged" to setresuid).  No account, file or other process has
 * it, so no unprivileged process can signal the helper, as one sharing
 * its uid could (nobody, 65534, is shared by many daemons and containers).
 */
#define BPFILTER_SANDBOX_UID	4294967294U
#define BPFILTER_SANDBOX_GID	4294967294U

/**
 * bpfilter_sandbox_enter() - give up every privilege, for good
 *
 * Must run as root, single-threaded, with every file the helper will use
 * already open.  Drops the capability bounding set, the supplementary
 * groups, the gid and uid (to BPFILTER_SANDBOX_UID/GID), all capabilities
 * and the ambient set; makes the process non-dumpable; sets no_new_privs;
 * checks that all of it holds; then installs a seccomp filter that allows
 * only reading, writing, memory that is never executable, the clock and
 * exit, and kills the process on any other system call.
 *
 * Return: 0, or a negative errno (logged).  On failure the process may be
 * partly confined: the caller must exit, never carry on.
 */
int bpfilter_sandbox_enter(void);

#endif /* BPFILTER_SANDBOX_H */
