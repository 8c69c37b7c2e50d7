// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim: records every ip_tables sockopt call (level SOL_IP,
 * optnames 64..67) that a program makes, for replay.c to feed to the
 * bpfilter core.
 *
 * BPFDIFF_TRANSCRIPT	file the records are appended to (one write each);
 *			created empty when the shim loads, so that a run
 *			without a transcript is one the shim never saw
 * BPFDIFF_REFUSE	comma-separated extension names that bpfilter does
 *			not support: in their revision queries and in any
 *			SET_REPLACE using them, x_tables is handed the
 *			name REFUSED_AS instead, which no kernel has, so
 *			that x_tables answers as it does for an extension
 *			it lacks, in its own order of checks (a malformed
 *			table fails as malformed first); the transcript
 *			keeps the caller's bytes, real names included
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "transcript.h"

#define OPT_FIRST 64
#define OPT_LAST 67

/* What x_tables sees for a refused extension: no module is called so. */
#define REFUSED_AS "bpfdiff~absent"

typedef int (*setsockopt_fn)(int, int, int, const void *, socklen_t);
typedef int (*getsockopt_fn)(int, int, int, void *, socklen_t *);

int setsockopt(int fd, int level, int optname, const void *optval,
	       socklen_t optlen);
int getsockopt(int fd, int level, int optname, void *optval,
	       socklen_t *optlen);

static bool recorded(int level, int optname)
{
	return level == SOL_IP && optname >= OPT_FIRST && optname <= OPT_LAST;
}

/* Is NAME (at most XT_EXTENSION_MAXNAMELEN bytes) in BPFDIFF_REFUSE? */
static bool refused_name(const char *name)
{
	const char *list = getenv("BPFDIFF_REFUSE");
	size_t len = strnlen(name, XT_EXTENSION_MAXNAMELEN);

	while (list && *list) {
		const char *end = strchrnul(list, ',');

		if ((size_t)(end - list) == len && !memcmp(list, name, len))
			return true;
		list = *end ? end + 1 : end;
	}
	return false;
}

/* If NAME (an XT_EXTENSION_MAXNAMELEN field) is refused, renames it to
 * REFUSED_AS and returns true.
 */
static bool rename_if_refused(char *name)
{
	if (!refused_name(name))
		return false;
	memset(name, 0, XT_EXTENSION_MAXNAMELEN);
	strcpy(name, REFUSED_AS);
	return true;
}

/* Renames the refused matches and targets of an ipt_replace, entry by
 * entry up to the first malformed one: x_tables checks every entry's
 * offsets and sizes before it looks up any extension, so it refuses a
 * table malformed there before the names matter.  True if any was.
 */
static bool rename_in_replace(void *optval, socklen_t optlen)
{
	struct ipt_replace *repl = optval;
	unsigned char *p;
	size_t off, size;
	bool renamed = false;

	if (optlen < sizeof(*repl) || repl->size > optlen - sizeof(*repl))
		return false;
	p = (unsigned char *)(repl + 1);
	size = repl->size;
	for (off = 0; off + sizeof(struct ipt_entry) <= size;) {
		struct ipt_entry *e = (void *)(p + off);
		size_t m;

		if (e->next_offset < sizeof(*e) || e->next_offset > size - off ||
		    e->target_offset < sizeof(*e) ||
		    e->target_offset + sizeof(struct xt_entry_target) > e->next_offset)
			break;
		for (m = sizeof(*e); m + sizeof(struct xt_entry_match) <= e->target_offset;) {
			struct xt_entry_match *em = (void *)(p + off + m);

			if (em->u.match_size < sizeof(*em))
				return renamed;
			renamed |= rename_if_refused(em->u.user.name);
			m += em->u.match_size;
		}
		renamed |= rename_if_refused(((struct xt_entry_target *)
					      (p + off + e->target_offset))->u.user.name);
		off += e->next_offset;
	}
	return renamed;
}

/* A copy of OPTVAL with the refused extensions renamed, or NULL if it
 * names none (or nothing is refused).
 */
static void *renamed_copy(int optname, const void *optval, socklen_t optlen,
			  bool set)
{
	void *copy;
	bool renamed = false;

	if (!getenv("BPFDIFF_REFUSE") || !optval)
		return NULL;
	if (set && optname != IPT_SO_SET_REPLACE)
		return NULL;
	if (!set && ((optname != IPT_SO_GET_REVISION_MATCH &&
		      optname != IPT_SO_GET_REVISION_TARGET) ||
		     optlen != sizeof(struct xt_get_revision)))
		return NULL;
	copy = malloc(optlen);
	if (!copy)
		abort();
	memcpy(copy, optval, optlen);
	if (set)
		renamed = rename_in_replace(copy, optlen);
	else
		renamed = rename_if_refused(((struct xt_get_revision *)copy)->name);
	if (!renamed) {
		free(copy);
		return NULL;
	}
	return copy;
}

static void append(const struct transcript_record *rec, const void *in,
		   const void *out, const void *counters)
{
	const char *path = getenv("BPFDIFF_TRANSCRIPT");
	size_t len = sizeof(*rec) + rec->in_len + rec->out_len + rec->counters_len;
	char *buf, *p;
	int fd, saved = errno;

	if (!path)
		return;
	buf = malloc(len);
	if (!buf)
		abort();
	p = buf;
	memcpy(p, rec, sizeof(*rec));
	p += sizeof(*rec);
	memcpy(p, in, rec->in_len);
	p += rec->in_len;
	memcpy(p, out, rec->out_len);
	p += rec->out_len;
	memcpy(p, counters, rec->counters_len);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	/* A transcript with a missing record would replay as a lie. */
	if (fd < 0 || write(fd, buf, len) != (ssize_t)len)
		abort();
	close(fd);
	free(buf);
	errno = saved;
}

/* The transcript exists from the moment the shim is loaded: a run that
 * made no call leaves an empty one, a run the shim missed none.
 */
__attribute__((constructor)) static void create_transcript(void)
{
	const char *path = getenv("BPFDIFF_TRANSCRIPT");
	int fd, saved = errno;

	if (!path)
		return;
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		abort();
	close(fd);
	errno = saved;
}

int setsockopt(int fd, int level, int optname, const void *optval,
	       socklen_t optlen)
{
	static setsockopt_fn real;
	struct transcript_record rec = {
		.magic = TRANSCRIPT_MAGIC,
		.dir = TRANSCRIPT_SET,
		.optname = optname,
		.optlen = optlen,
		.optlen_after = optlen,
		.in_len = optlen,
	};
	const void *counters = NULL;
	void *copy;

	if (!real)
		real = (setsockopt_fn)dlsym(RTLD_NEXT, "setsockopt");
	if (!recorded(level, optname))
		return real(fd, level, optname, optval, optlen);

	copy = renamed_copy(optname, optval, optlen, true);
	if (copy)
		rec.flags = TRANSCRIPT_RENAMED;
	rec.ret = real(fd, level, optname, copy ? copy : optval, optlen);
	rec.err = rec.ret < 0 ? errno : 0;
	free(copy);
	if (rec.ret == 0 && optname == IPT_SO_SET_REPLACE &&
	    optlen >= sizeof(struct ipt_replace)) {
		const struct ipt_replace *repl = optval;

		counters = repl->counters;
		rec.counters_len = repl->num_counters * sizeof(struct xt_counters);
	}
	append(&rec, optval, NULL, counters);
	errno = rec.err;
	return rec.ret;
}

int getsockopt(int fd, int level, int optname, void *optval,
	       socklen_t *optlen)
{
	static getsockopt_fn real;
	struct transcript_record rec = {
		.magic = TRANSCRIPT_MAGIC,
		.dir = TRANSCRIPT_GET,
		.optname = optname,
	};
	void *before, *copy;

	if (!real)
		real = (getsockopt_fn)dlsym(RTLD_NEXT, "getsockopt");
	if (!recorded(level, optname) || !optlen)
		return real(fd, level, optname, optval, optlen);

	rec.optlen = *optlen;
	rec.in_len = rec.out_len = *optlen;
	before = malloc(rec.in_len ? rec.in_len : 1);
	if (!before)
		abort();
	memcpy(before, optval, rec.in_len);

	copy = renamed_copy(optname, optval, *optlen, false);
	if (copy) {
		/* The caller sees what x_tables wrote, under its own name. */
		rec.flags = TRANSCRIPT_RENAMED;
		rec.ret = real(fd, level, optname, copy, optlen);
		rec.err = rec.ret < 0 ? errno : 0;
		memcpy(optval, copy, rec.in_len);
		memcpy(((struct xt_get_revision *)optval)->name,
		       ((const struct xt_get_revision *)before)->name,
		       XT_EXTENSION_MAXNAMELEN);
		free(copy);
	} else {
		rec.ret = real(fd, level, optname, optval, optlen);
		rec.err = rec.ret < 0 ? errno : 0;
	}
	rec.optlen_after = *optlen;
	append(&rec, before, optval, NULL);
	free(before);
	errno = rec.err;
	return rec.ret;
}
