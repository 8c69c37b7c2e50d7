// SPDX-License-Identifier: GPL-2.0
/*
 * replay: feeds the ip_tables calls that iptables made against the host's
 * x_tables (recorded by sockopt_recorder.c) to the bpfilter core, each as
 * the module would send it, and checks that the core answers as x_tables
 * did: same status, same bytes for the caller (under iptables-abi.md's
 * rules), same old counters from SET_REPLACE.
 *
 *   replay [--emit-seeds SEEDDIR] NAME RUNS DIR
 *
 * RUNS has one label per iptables run, in order; DIR holds N.rec,
 * the transcript of run N (empty when the run made no call; absent if
 * the recorder did not run, which fails the sequence, as does a
 * sequence without any call or a final iptables -S or -L without one).  Prints one
 * TAP line for the sequence, with "# " lines locating the first
 * difference; exits 0 unless the transcript cannot be read (or, with
 * --emit-seeds, a seed cannot be written).
 *
 * --emit-seeds also writes into SEEDDIR what the core was sent, as inputs
 * for selftests/host/fuzz_core.c (a stream of request header + payload):
 *  - the whole sequence, every request in order, from a fresh core;
 *  - each run on its own, after the RESTORE the module would send a new
 *    helper for the table the run started from (the last SET_REPLACE
 *    that succeeded before it, counters left at zero), so that a short
 *    input still reaches the sequence's state and its SET_REPLACE and
 *    ADD_COUNTERS carry the right num_counters.
 * Bytes that vary between iptables runs and that x_tables ignores are
 * zeroed (see normalize()), and files are named by a hash of their
 * contents: equal inputs are written once, however many sequences make
 * them, and two diff runs make the same files.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "core.h"
#include "transcript.h"
#include "../host/wire_request.h"

#define NET_COOKIE 0x5eb0c0de

/* x_tables' own limit on a table, as kern_main.c checks it. */
#define MAX_TABLE_SIZE (512U * 1024 * 1024)

struct call {
	struct transcript_record rec;
	const unsigned char *in, *out, *counters;
};

/* What the module would hand back to the caller. */
struct answer {
	int status;
	unsigned char *buf;		/* gets: the caller's buffer after */
	unsigned char *counters;	/* SET_REPLACE: the old counters */
	size_t counters_len;
};

/* The first difference: which call (where), then what (diag). */
static char where[1536];
static char diag[8192];
static size_t diag_len;

static void note(const char *fmt, ...)
{
	va_list ap;
	int n;

	if (diag_len >= sizeof(diag))
		return;
	va_start(ap, fmt);
	n = vsnprintf(diag + diag_len, sizeof(diag) - diag_len, fmt, ap);
	va_end(ap);
	if (n > 0)
		diag_len += n;
}

static const char *optname_str(unsigned int dir, unsigned int optname)
{
	static const char *const sets[] = { "SET_REPLACE", "SET_ADD_COUNTERS" };
	static const char *const gets[] = { "GET_INFO", "GET_ENTRIES",
					    "GET_REVISION_MATCH",
					    "GET_REVISION_TARGET" };

	if (dir == TRANSCRIPT_SET && optname >= 64 && optname <= 65)
		return sets[optname - 64];
	if (dir == TRANSCRIPT_GET && optname >= 64 && optname <= 67)
		return gets[optname - 64];
	return "?";
}

/* Two calls may share one message: two buffers, used in turn. */
static const char *status_str(int status)
{
	static char bufs[2][96];
	static unsigned int turn;
	char *buf = bufs[turn++ % 2];

	if (!status)
		return "0";
	snprintf(buf, sizeof(bufs[0]), "-%d (%s)", -status, strerror(-status));
	return buf;
}

/* --- fuzz seeds: the requests sent, as fuzz_core.c reads them --- */

struct stream {
	unsigned char *buf;
	size_t len, cap;
	unsigned int requests;
};

static const char *seed_dir;
static struct stream seq_stream;	/* the whole sequence */
static struct stream run_stream;	/* this run, after a RESTORE */
static unsigned int run_restores;	/* requests in run_stream before the run's */
static unsigned char *committed;	/* the last SET_REPLACE that succeeded */
static size_t committed_len;
static unsigned int seeds_written;

static void stream_add(struct stream *s, const void *p, size_t len)
{
	if (s->len + len > s->cap) {
		while (s->len + len > s->cap)
			s->cap = s->cap ? s->cap * 2 : 65536;
		s->buf = realloc(s->buf, s->cap);
		if (!s->buf)
			abort();
	}
	if (len)
		memcpy(s->buf + s->len, p, len);
	s->len += len;
}

/* Ids count from 1 in each stream: equal runs make equal files. */
static void stream_request(struct stream *s, const struct bpfilter_request *req,
			   const void *payload)
{
	struct bpfilter_request copy = *req;

	copy.id = ++s->requests;
	stream_add(s, &copy, sizeof(copy));
	stream_add(s, payload, copy.payload_len);
}

static void mask_name_tails(const unsigned char *buf, size_t off, size_t len,
			    bool *mask);

/* Zeroes the bytes of a LEN-byte name field at P after its NUL. */
static void zero_name_tail(unsigned char *p, size_t len)
{
	size_t n = strnlen((const char *)p, len);

	if (n < len)
		memset(p + n, 0, len - n);
}

/*
 * In an ipt_replace of LEN bytes: the address of the caller's counters,
 * and the tails of match and target names, which iptables passes on as
 * a GET_ENTRIES buffer held them.
 */
static void zero_replace_noise(unsigned char *p, size_t len)
{
	bool *mask = calloc(len + 1, 1);
	size_t i;

	if (!mask)
		abort();
	memset(p + offsetof(struct ipt_replace, counters), 0,
	       sizeof(((struct ipt_replace *)0)->counters));
	mask_name_tails(p, sizeof(struct ipt_replace), len, mask);
	for (i = 0; i < len; i++)
		if (mask[i])
			p[i] = 0;
	free(mask);
}

/*
 * Bytes that differ from one iptables run to the next but that x_tables
 * ignores: what the caller's buffer held past the name of a get (stack
 * or heap garbage), and in a SET_REPLACE, see zero_replace_noise().
 * Zeroed in seeds, so that a regenerated corpus has the same files.
 */
static void normalize(const struct bpfilter_request *req, unsigned char *p)
{
	size_t len = req->payload_len, name = XT_TABLE_MAXNAMELEN, from = len;

	if (req->cmd == BPFILTER_CMD_GETSOCKOPT) {
		/* What x_tables reads: the name, and GET_ENTRIES' size. */
		if (req->optname == IPT_SO_GET_INFO)
			from = XT_TABLE_MAXNAMELEN;
		else if (req->optname == IPT_SO_GET_ENTRIES)
			from = offsetof(struct ipt_get_entries, size) +
			       sizeof(((struct ipt_get_entries *)0)->size);
		else	/* a revision: name, then the revision asked for */
			name = XT_EXTENSION_MAXNAMELEN;
		zero_name_tail(p, len < name ? len : name);
		if (from < len)
			memset(p + from, 0, len - from);
	} else if (req->optname == IPT_SO_SET_REPLACE &&
		   len >= sizeof(struct ipt_replace)) {
		zero_replace_noise(p, len);
	}
}

static void emit_request(const struct bpfilter_request *req,
			 const void *payload)
{
	unsigned char *copy;

	if (!seed_dir)
		return;
	copy = malloc(req->payload_len + 1);
	if (!copy)
		abort();
	memcpy(copy, payload, req->payload_len);
	normalize(req, copy);
	stream_request(&seq_stream, req, copy);
	stream_request(&run_stream, req, copy);
	free(copy);
}

/* FNV-1a, twice with different offsets: 128 bits to name a file by. */
static unsigned long long fnv1a(const unsigned char *p, size_t len,
				unsigned long long h)
{
	while (len--) {
		h ^= *p++;
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* Writes S as SEED_DIR/HASH (once: same name, same bytes); 0 or -1. */
static int stream_write(const struct stream *s)
{
	char path[PATH_MAX], tmp[PATH_MAX + 32];
	FILE *f;
	int ok;

	if (!s->requests)
		return 0;
	snprintf(path, sizeof(path), "%s/diff-%016llx%016llx", seed_dir,
		 fnv1a(s->buf, s->len, 0xcbf29ce484222325ULL),
		 fnv1a(s->buf, s->len, 0x84222325cbf29ce4ULL));
	if (!access(path, F_OK))
		return 0;
	/* Two replays may make the same seed at once: write, then rename. */
	snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid());
	f = fopen(tmp, "wb");
	if (!f) {
		fprintf(stderr, "replay: %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	ok = fwrite(s->buf, 1, s->len, f) == s->len;
	ok = !fclose(f) && ok;
	if (!ok || rename(tmp, path)) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	seeds_written++;
	return 0;
}

/* A run begins: from a fresh core, the table it starts from comes first. */
static void run_begin(void)
{
	struct bpfilter_request req = {
		.magic = BPFILTER_WIRE_MAGIC,
		.version = BPFILTER_WIRE_VERSION,
		.cmd = BPFILTER_CMD_RESTORE,
		.id = 1,
		.net_cookie = NET_COOKIE,
		.hz = wire_hz(),
	};

	if (!seed_dir)
		return;
	run_stream.len = 0;
	run_stream.requests = 0;
	if (committed) {
		req.payload_len = committed_len;
		stream_request(&run_stream, &req, committed);
	}
	run_restores = run_stream.requests;
}

/* A run ends: its seed, unless it sent the core nothing. */
static int run_end(void)
{
	if (run_stream.requests == run_restores)
		return 0;
	return stream_write(&run_stream);
}

/* What the module would keep of a SET_REPLACE the core accepted. */
static void note_committed(const void *payload, size_t len)
{
	if (!seed_dir)
		return;
	free(committed);
	committed = malloc(len);
	if (!committed)
		abort();
	memcpy(committed, payload, len);
	committed_len = len;
	zero_replace_noise(committed, len);
}

/* --- the module's side: request sizes, as kern_main.c computes them --- */

static int replace_payload(const struct call *c, size_t *len)
{
	struct ipt_replace repl;

	if (c->rec.optlen < sizeof(repl))
		return -EFAULT;
	memcpy(&repl, c->in, sizeof(repl));
	if (repl.num_counters >= INT_MAX / sizeof(struct xt_counters))
		return -ENOMEM;
	if (repl.num_counters == 0)
		return -EINVAL;
	if ((unsigned long long)c->rec.optlen <
	    (unsigned long long)repl.size + sizeof(repl))
		return -EINVAL;
	if ((unsigned long long)repl.size + 64 >= MAX_TABLE_SIZE)
		return -ENOMEM;
	*len = sizeof(repl) + repl.size;
	return 0;
}

static int add_counters_payload(const struct call *c, size_t *len)
{
	struct xt_counters_info info;

	if (c->rec.optlen <= sizeof(info))
		return -EINVAL;
	memcpy(&info, c->in, sizeof(info));
	if ((unsigned long long)info.num_counters * sizeof(struct xt_counters) !=
	    c->rec.optlen - sizeof(info))
		return -EINVAL;
	if (c->rec.optlen - sizeof(info) > MAX_TABLE_SIZE)
		return -EINVAL;
	*len = c->rec.optlen;
	return 0;
}

static void ask_core(struct bpfilter_core *core, const struct call *c,
		     struct answer *a)
{
	static unsigned long long id;
	struct bpfilter_request req = {
		.magic = BPFILTER_WIRE_MAGIC,
		.version = BPFILTER_WIRE_VERSION,
		.id = ++id,
		.net_cookie = NET_COOKIE,
		.optname = c->rec.optname,
		.hz = wire_hz(),
	};
	struct bpfilter_reply reply;
	void *payload = NULL;
	size_t len = 0;
	int err = 0;

	memset(a, 0, sizeof(*a));
	if (c->rec.dir == TRANSCRIPT_SET) {
		req.cmd = BPFILTER_CMD_SETSOCKOPT;
		if (c->rec.optname == IPT_SO_SET_REPLACE)
			err = replace_payload(c, &len);
		else if (c->rec.optname == IPT_SO_SET_ADD_COUNTERS)
			err = add_counters_payload(c, &len);
		else
			err = -EINVAL;
		req.optlen = len;
	} else {
		req.cmd = BPFILTER_CMD_GETSOCKOPT;
		if ((int)c->rec.optlen < 0)
			err = -EINVAL;
		len = c->rec.optlen < BPFILTER_GET_INPUT_MAX ?
		      c->rec.optlen : BPFILTER_GET_INPUT_MAX;
		req.optlen = c->rec.optlen;
	}
	if (err) {
		a->status = err;
		return;
	}
	req.payload_len = len;
	emit_request(&req, c->in);

	err = bpfilter_core_handle(core, &req, c->in, &reply, &payload);
	if (err) {
		a->status = err;
		note("#   bpfilter_core_handle() itself failed: %s\n",
		     status_str(err));
		return;
	}
	a->status = reply.status;
	if (reply.id != req.id || reply.magic != BPFILTER_WIRE_MAGIC)
		note("#   malformed reply header (id %llu for %llu)\n",
		     (unsigned long long)reply.id, (unsigned long long)req.id);
	if (c->rec.dir == TRANSCRIPT_GET && !a->status) {
		a->buf = malloc(c->rec.optlen + 1);
		memcpy(a->buf, c->in, c->rec.optlen);
		if (reply.payload_len > c->rec.optlen) {
			note("#   reply of %u bytes for a buffer of %u\n",
			     reply.payload_len, c->rec.optlen);
			a->status = -EFAULT;
		} else if (reply.payload_len) {
			memcpy(a->buf, payload, reply.payload_len);
		}
	} else if (c->rec.optname == IPT_SO_SET_REPLACE && !a->status) {
		note_committed(c->in, len);
		a->counters = payload;
		a->counters_len = reply.payload_len;
		payload = NULL;
	}
	free(payload);
}

/* --- where a byte of GET_ENTRIES output lies, for masks and messages --- */

static const struct {
	size_t off, len;
	const char *name;
} entry_fields[] = {
	{ offsetof(struct ipt_entry, ip.src), 4, "ip.src" },
	{ offsetof(struct ipt_entry, ip.dst), 4, "ip.dst" },
	{ offsetof(struct ipt_entry, ip.smsk), 4, "ip.smsk" },
	{ offsetof(struct ipt_entry, ip.dmsk), 4, "ip.dmsk" },
	{ offsetof(struct ipt_entry, ip.iniface), IFNAMSIZ, "ip.iniface" },
	{ offsetof(struct ipt_entry, ip.outiface), IFNAMSIZ, "ip.outiface" },
	{ offsetof(struct ipt_entry, ip.iniface_mask), IFNAMSIZ, "ip.iniface_mask" },
	{ offsetof(struct ipt_entry, ip.outiface_mask), IFNAMSIZ, "ip.outiface_mask" },
	{ offsetof(struct ipt_entry, ip.proto), 2, "ip.proto" },
	{ offsetof(struct ipt_entry, ip.flags), 1, "ip.flags" },
	{ offsetof(struct ipt_entry, ip.invflags), 1, "ip.invflags" },
	{ offsetof(struct ipt_entry, nfcache), 4, "nfcache" },
	{ offsetof(struct ipt_entry, target_offset), 2, "target_offset" },
	{ offsetof(struct ipt_entry, next_offset), 2, "next_offset" },
	{ offsetof(struct ipt_entry, comefrom), 4, "comefrom" },
	{ offsetof(struct ipt_entry, counters.pcnt), 8, "counters.pcnt" },
	{ offsetof(struct ipt_entry, counters.bcnt), 8, "counters.bcnt" },
};

static const struct {
	size_t off, len;
	const char *name;
} info_fields[] = {
	{ offsetof(struct ipt_getinfo, name), XT_TABLE_MAXNAMELEN, "name" },
	{ offsetof(struct ipt_getinfo, valid_hooks), 4, "valid_hooks" },
	{ offsetof(struct ipt_getinfo, hook_entry), 4 * NF_INET_NUMHOOKS, "hook_entry[]" },
	{ offsetof(struct ipt_getinfo, underflow), 4 * NF_INET_NUMHOOKS, "underflow[]" },
	{ offsetof(struct ipt_getinfo, num_entries), 4, "num_entries" },
	{ offsetof(struct ipt_getinfo, size), 4, "size" },
};

#define ENTRIES_HDR offsetof(struct ipt_get_entries, entrytable)

/* Marks in MASK the bytes x_tables leaves as the caller had them: the
 * tails of match and target names after their NUL, in the entries from
 * BUF + OFF to BUF + LEN.  BUF is x_tables' output; a malformed one is
 * compared byte for byte.
 */
static void mask_name_tails(const unsigned char *buf, size_t off, size_t len,
			    bool *mask)
{
	while (off + sizeof(struct ipt_entry) <= len) {
		const struct ipt_entry *e = (const void *)(buf + off);
		size_t m = sizeof(*e), end = e->target_offset, n;

		if (e->next_offset < sizeof(*e) || e->next_offset > len - off ||
		    end + sizeof(struct xt_entry_target) > e->next_offset)
			return;
		for (;;) {
			const char *name;
			size_t at = off + m;

			if (m == end) {
				name = ((const struct xt_entry_target *)(buf + at))->u.user.name;
			} else if (m + sizeof(struct xt_entry_match) <= end) {
				name = ((const struct xt_entry_match *)(buf + at))->u.user.name;
			} else {
				break;
			}
			n = strnlen(name, XT_EXTENSION_MAXNAMELEN);
			if (n < XT_EXTENSION_MAXNAMELEN)
				memset(mask + (name - (const char *)buf) + n + 1, 1,
				       XT_EXTENSION_MAXNAMELEN - n - 1);
			if (m == end)
				break;
			n = ((const struct xt_entry_match *)(buf + at))->u.match_size;
			if (n < sizeof(struct xt_entry_match))
				break;
			m += n;
		}
		off += e->next_offset;
	}
}

static void describe_entries_offset(const unsigned char *buf, size_t len,
				    size_t at)
{
	size_t off = ENTRIES_HDR, i;
	unsigned int index = 0;

	if (at < ENTRIES_HDR) {
		note("#   in the ipt_get_entries header, byte %zu (%s)\n", at,
		     at < XT_TABLE_MAXNAMELEN ? "name" : "size");
		return;
	}
	while (off + sizeof(struct ipt_entry) <= len) {
		const struct ipt_entry *e = (const void *)(buf + off);
		size_t rel = at - off, m, end = e->target_offset;

		if (e->next_offset < sizeof(*e) || e->next_offset > len - off)
			break;
		if (at >= off + e->next_offset) {
			off += e->next_offset;
			index++;
			continue;
		}
		note("#   in entry %u (table offset %zu, comefrom 0x%x, target at +%u, next at +%u)\n",
		     index, off - ENTRIES_HDR, e->comefrom, e->target_offset,
		     e->next_offset);
		if (rel < sizeof(*e)) {
			for (i = 0; i < sizeof(entry_fields) / sizeof(entry_fields[0]); i++)
				if (rel >= entry_fields[i].off &&
				    rel < entry_fields[i].off + entry_fields[i].len)
					note("#   field %s, byte %zu\n", entry_fields[i].name,
					     rel - entry_fields[i].off);
			return;
		}
		for (m = sizeof(*e); m < end && m + sizeof(struct xt_entry_match) <= end;) {
			const struct xt_entry_match *em = (const void *)(buf + off + m);

			if (rel < m + em->u.match_size || em->u.match_size < sizeof(*em)) {
				note("#   match \"%.*s\" rev %u (size %u), byte %zu of it%s\n",
				     XT_EXTENSION_MAXNAMELEN, em->u.user.name,
				     em->u.user.revision, em->u.match_size, rel - m,
				     rel - m >= sizeof(*em) ? " (data)" : " (header)");
				return;
			}
			m += em->u.match_size;
		}
		if (end + sizeof(struct xt_entry_target) <= e->next_offset) {
			const struct xt_entry_target *t = (const void *)(buf + off + end);

			note("#   target \"%.*s\" rev %u (size %u), byte %zu of it%s\n",
			     XT_EXTENSION_MAXNAMELEN, t->u.user.name, t->u.user.revision,
			     t->u.target_size, rel - end,
			     rel - end >= sizeof(*t) ? " (data: verdict/parameters)" : " (header)");
		}
		return;
	}
	note("#   past the last well-formed entry (x_tables' size %zu)\n", len);
}

static void describe_info_offset(size_t at)
{
	size_t i;

	for (i = 0; i < sizeof(info_fields) / sizeof(info_fields[0]); i++)
		if (at >= info_fields[i].off &&
		    at < info_fields[i].off + info_fields[i].len)
			note("#   field %s, byte %zu\n", info_fields[i].name,
			     at - info_fields[i].off);
}

static void hex_around(const char *who, const unsigned char *buf, size_t len,
		       size_t at)
{
	size_t from = at & ~(size_t)15, i;

	note("#   %-8s +%zu:", who, from);
	for (i = from; i < from + 16 && i < len; i++)
		note(" %02x", buf[i]);
	note("\n");
}

/* Compares a get's buffer after the call; 0 if the same. */
static int compare_get(const struct call *c, const unsigned char *core_buf)
{
	size_t len = c->rec.optlen, i;
	bool *mask = calloc(len + 1, 1);
	int ret = 0;

	if (c->rec.optname == IPT_SO_GET_ENTRIES)
		mask_name_tails(c->out, ENTRIES_HDR, len, mask);
	for (i = 0; i < len; i++) {
		if (mask[i] || c->out[i] == core_buf[i])
			continue;
		note("#   first differing byte: %zu of %zu\n", i, len);
		if (c->rec.optname == IPT_SO_GET_ENTRIES)
			describe_entries_offset(c->out, len, i);
		else if (c->rec.optname == IPT_SO_GET_INFO)
			describe_info_offset(i);
		hex_around("x_tables", c->out, len, i);
		hex_around("core", core_buf, len, i);
		ret = -1;
		break;
	}
	free(mask);
	return ret;
}

/* Compares one call; 0 if the core answered as x_tables did. */
static int compare_call(const struct call *c, const struct answer *a)
{
	int want = c->rec.ret < 0 ? -c->rec.err : 0;

	if (a->status != want) {
		note("#   status: x_tables %s, core %s%s\n", status_str(want),
		     status_str(a->status),
		     c->rec.flags & TRANSCRIPT_RENAMED ?
		     " (x_tables saw the unsupported extension under a name it lacks)" : "");
		return -1;
	}
	if (want)
		return 0;
	if (c->rec.dir == TRANSCRIPT_GET) {
		/* The module leaves optlen as the caller set it. */
		if (c->rec.optlen_after != c->rec.optlen) {
			note("#   x_tables changed optlen %u -> %u\n",
			     c->rec.optlen, c->rec.optlen_after);
			return -1;
		}
		return compare_get(c, a->buf);
	}
	if (c->rec.optname == IPT_SO_SET_REPLACE) {
		if (a->counters_len != c->rec.counters_len) {
			note("#   old counters: x_tables %u bytes, core %zu\n",
			     c->rec.counters_len, a->counters_len);
			return -1;
		}
		if (memcmp(a->counters, c->counters, a->counters_len)) {
			size_t i;

			for (i = 0; i < a->counters_len; i++)
				if (a->counters[i] != c->counters[i])
					break;
			note("#   old counters differ at entry %zu (%s)\n", i / 16,
			     i % 16 < 8 ? "pcnt" : "bcnt");
			return -1;
		}
	}
	return 0;
}

static unsigned char *memdup(const unsigned char *p, size_t len)
{
	unsigned char *copy = malloc(len + 1);

	if (!copy)
		abort();
	memcpy(copy, p, len);
	return copy;
}

static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		if (*len == cap) {
			cap = cap ? cap * 2 : 65536;
			buf = realloc(buf, cap);
			if (!buf)
				abort();
		}
		n = fread(buf + *len, 1, cap - *len, f);
		if (!n)
			break;
		*len += n;
	}
	fclose(f);
	return buf;
}

/* Replays one transcript; returns 1 on a difference, -1 if unreadable. */
static int replay_run(struct bpfilter_core *core, const char *path,
		      const char *label, unsigned int run, unsigned int *calls,
		      unsigned int *emulated)
{
	size_t len, off = 0;
	unsigned char *data = read_file(path, &len);
	unsigned int index = 0;
	int ret = 0;

	/* The recorder creates the file as it loads, calls or none. */
	if (!data) {
		snprintf(where, sizeof(where), "#   run %u: %s\n", run, label);
		note("#   no transcript %s (%s): the recorder did not run\n",
		     path, strerror(errno));
		return 1;
	}
	while (off < len) {
		struct call c;
		struct answer a;

		if (len - off < sizeof(c.rec))
			goto truncated;
		memcpy(&c.rec, data + off, sizeof(c.rec));
		off += sizeof(c.rec);
		if (c.rec.magic != TRANSCRIPT_MAGIC ||
		    (unsigned long long)c.rec.in_len + c.rec.out_len +
		    c.rec.counters_len > len - off ||
		    (c.rec.dir == TRANSCRIPT_GET && c.rec.in_len != c.rec.optlen))
			goto truncated;
		/* Copies, so that entries are as aligned as the caller's. */
		c.in = memdup(data + off, c.rec.in_len);
		off += c.rec.in_len;
		c.out = memdup(data + off, c.rec.out_len);
		off += c.rec.out_len;
		c.counters = memdup(data + off, c.rec.counters_len);
		off += c.rec.counters_len;

		ask_core(core, &c, &a);
		(*calls)++;
		if (c.rec.flags & TRANSCRIPT_RENAMED)
			(*emulated)++;
		if (compare_call(&c, &a)) {
			snprintf(where, sizeof(where),
				 "#   run %u: %s\n#   call %u: %s, optlen %u\n",
				 run, label, index,
				 optname_str(c.rec.dir, c.rec.optname), c.rec.optlen);
			ret = 1;
		}
		free(a.buf);
		free(a.counters);
		free((void *)c.in);
		free((void *)c.out);
		free((void *)c.counters);
		if (ret)
			break;
		index++;
	}
	free(data);
	/* The final iptables -S and -L each ask x_tables something (the
	 * final iptables-save asks nothing when no table exists).
	 */
	if (!ret && !index && !strncmp(label, "(final) iptables -", 18)) {
		snprintf(where, sizeof(where), "#   run %u: %s\n", run, label);
		note("#   no call recorded: the recorder saw nothing\n");
		ret = 1;
	}
	return ret;
truncated:
	note("#   %s: malformed transcript at byte %zu\n", path, off);
	free(data);
	return -1;
}

int main(int argc, char **argv)
{
	unsigned int run = 0, calls = 0, emulated = 0;
	struct bpfilter_core *core;
	char path[PATH_MAX], label[1024];
	const char *name, *dir;
	int ret = 0, seed_err = 0;
	FILE *cmds;

	if (argc == 6 && !strcmp(argv[1], "--emit-seeds")) {
		seed_dir = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc != 4) {
		fprintf(stderr, "usage: replay [--emit-seeds SEEDDIR] NAME RUNS DIR\n");
		return 2;
	}
	name = argv[1];
	dir = argv[3];
	cmds = fopen(argv[2], "r");
	if (!cmds) {
		printf("not ok - seq %s\n#   %s: %s\n", name, argv[2], strerror(errno));
		return 1;
	}
	core = bpfilter_core_new();
	if (!core)
		abort();
	while (!ret && fgets(label, sizeof(label), cmds)) {
		label[strcspn(label, "\n")] = '\0';
		run++;
		snprintf(path, sizeof(path), "%s/%u.rec", dir, run);
		run_begin();
		ret = replay_run(core, path, label, run, &calls, &emulated);
		/* Up to a difference, what was sent is a seed all the same. */
		if (seed_dir && run_end())
			seed_err = 1;
	}
	fclose(cmds);
	bpfilter_core_free(core);
	if (seed_dir && stream_write(&seq_stream))
		seed_err = 1;
	free(seq_stream.buf);
	free(run_stream.buf);
	free(committed);

	if (!ret && !calls) {
		snprintf(where, sizeof(where), "#   %u runs\n", run);
		note("#   no call recorded in the whole sequence\n");
		ret = 1;
	}
	if (ret) {
		printf("not ok - seq %s\n%s%s", name, where, diag);
		return ret < 0 || seed_err;
	}
	if (emulated)
		printf("ok - seq %s (%u runs, %u calls, %u with an unsupported extension)\n",
		       name, run, calls, emulated);
	else
		printf("ok - seq %s (%u runs, %u calls)\n", name, run, calls);
	if (seed_dir)
		printf("# %u new fuzz seeds in %s\n", seeds_written, seed_dir);
	return seed_err;
}
