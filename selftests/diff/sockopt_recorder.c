// SPDX-License-Identifier: GPL-2.0
/*
 * LD_PRELOAD shim: records every ip_tables sockopt call (level SOL_IP,
 * optnames 64..67) that a program makes, for replay.c to feed to the
 * bpfilter core.
 *
 * BPFDIFF_TRANSCRIPT	file the records are appended to (one write each)
 * BPFDIFF_REFUSE	comma-separated extension names that bpfilter does
 *			not support: their revision queries and any
 *			SET_REPLACE using them fail with ENOENT without
 *			reaching the kernel, as bpfilter answers them, so
 *			that iptables' reaction can be recorded on the host
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

/* Does a well-formed table use a refused match or target?  Malformed
 * entries are left to the kernel to reject.
 */
static bool replace_uses_refused(const void *optval, socklen_t optlen)
{
	const struct ipt_replace *repl = optval;
	const unsigned char *p;
	size_t off, size;

	if (optlen < sizeof(*repl) || repl->size > optlen - sizeof(*repl))
		return false;
	p = (const unsigned char *)(repl + 1);
	size = repl->size;
	for (off = 0; off + sizeof(struct ipt_entry) <= size;) {
		const struct ipt_entry *e = (const void *)(p + off);
		size_t m;

		if (e->next_offset < sizeof(*e) || e->next_offset > size - off ||
		    e->target_offset < sizeof(*e) ||
		    e->target_offset + sizeof(struct xt_entry_target) > e->next_offset)
			return false;
		for (m = sizeof(*e); m + sizeof(struct xt_entry_match) <= e->target_offset;) {
			const struct xt_entry_match *em = (const void *)(p + off + m);

			if (em->u.match_size < sizeof(*em))
				return false;
			if (refused_name(em->u.user.name))
				return true;
			m += em->u.match_size;
		}
		if (refused_name(((const struct xt_entry_target *)
				  (p + off + e->target_offset))->u.user.name))
			return true;
		off += e->next_offset;
	}
	return false;
}

static bool emulate_refusal(int optname, const void *optval, socklen_t optlen,
			    bool set)
{
	if (!getenv("BPFDIFF_REFUSE"))
		return false;
	if (set)
		return optname == IPT_SO_SET_REPLACE &&
		       replace_uses_refused(optval, optlen);
	if ((optname == IPT_SO_GET_REVISION_MATCH ||
	     optname == IPT_SO_GET_REVISION_TARGET) &&
	    optlen == sizeof(struct xt_get_revision))
		return refused_name(((const struct xt_get_revision *)optval)->name);
	return false;
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

	if (!real)
		real = (setsockopt_fn)dlsym(RTLD_NEXT, "setsockopt");
	if (!recorded(level, optname))
		return real(fd, level, optname, optval, optlen);

	if (emulate_refusal(optname, optval, optlen, true)) {
		rec.flags = TRANSCRIPT_EMULATED;
		rec.ret = -1;
		errno = ENOENT;
	} else {
		rec.ret = real(fd, level, optname, optval, optlen);
	}
	rec.err = rec.ret < 0 ? errno : 0;
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
	void *before;

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

	if (emulate_refusal(optname, optval, *optlen, false)) {
		rec.flags = TRANSCRIPT_EMULATED;
		rec.ret = -1;
		errno = ENOENT;
	} else {
		rec.ret = real(fd, level, optname, optval, optlen);
	}
	rec.err = rec.ret < 0 ? errno : 0;
	rec.optlen_after = *optlen;
	append(&rec, before, optval, NULL);
	free(before);
	errno = rec.err;
	return rec.ret;
}
