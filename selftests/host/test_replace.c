// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of IPT_SO_SET_REPLACE, IPT_SO_SET_ADD_COUNTERS and the
 * RESTORE, NETNS_EXIT and STATS commands, through bpfilter_core_handle().
 * Every case of replace_cases.c runs here too, against the errno 6.1
 * gives, on the same table built in C (test_table.c): no root needed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>

#include "core.h"
#include "replace_diff.h"
#include "tap.h"
#include "test_replace.h"
#include "wire_request.h"

static struct bpfilter_core *core;
static struct ipt_getinfo base_info;
static unsigned char *base_entries;
/* Each test gets namespaces of its own. */
static __u64 next_cookie = 1U << 20;

struct answer {
	int status;
	__u16 tables;
	__u32 len;
	void *payload;
};

static struct answer call(__u16 cmd, __u64 cookie, __u32 optname,
			  const void *buf, __u32 optlen, __u32 payload_len)
{
	struct bpfilter_request req = wire_request(cmd, cookie, optname,
						   optlen, payload_len);
	struct bpfilter_reply reply;
	struct answer a = { 0 };

	EXPECT_EQ(bpfilter_core_handle(core, &req, buf, &reply, &a.payload), 0);
	a.status = reply.status;
	a.tables = reply.tables;
	a.len = reply.payload_len;
	return a;
}

static struct answer set(__u64 cookie, __u32 optname, const void *buf,
			 __u32 len)
{
	return call(BPFILTER_CMD_SETSOCKOPT, cookie, optname, buf, len, len);
}

static int replace(__u64 cookie, struct payload *p, struct xt_counters *old)
{
	struct answer a = set(cookie, IPT_SO_SET_REPLACE, p->buf, p->len);

	if (!a.status) {
		EXPECT_EQ(a.len, pl_repl(p)->num_counters * sizeof(*old));
		if (old && a.payload)
			memcpy(old, a.payload, a.len);
	} else {
		EXPECT_EQ(a.len, 0);
	}
	free(a.payload);
	return a.status;
}

/* The table's info and entries as GET_INFO/GET_ENTRIES return them. */
static int read_table(__u64 cookie, struct ipt_getinfo *info,
		      unsigned char **entries)
{
	struct ipt_get_entries get = { .name = "filter" };
	unsigned char hdr[BPFILTER_GET_INPUT_MAX] = { 0 };
	struct answer a;

	memset(info, 0, sizeof(*info));
	strcpy(info->name, "filter");
	a = call(BPFILTER_CMD_GETSOCKOPT, cookie, IPT_SO_GET_INFO, info,
		 sizeof(*info), sizeof(*info));
	if (a.status)
		return a.status;
	memcpy(info, a.payload, sizeof(*info));
	free(a.payload);

	get.size = info->size;
	memcpy(hdr, &get, sizeof(get));
	a = call(BPFILTER_CMD_GETSOCKOPT, cookie, IPT_SO_GET_ENTRIES, hdr,
		 sizeof(get) + info->size, BPFILTER_GET_INPUT_MAX);
	if (a.status)
		return a.status;
	*entries = malloc(info->size + 1);
	memcpy(*entries, (unsigned char *)a.payload + sizeof(get), info->size);
	free(a.payload);
	return 0;
}

static bool same_table(__u64 a, __u64 b)
{
	struct ipt_getinfo ia, ib;
	unsigned char *ea = NULL, *eb = NULL;
	bool same;

	same = !read_table(a, &ia, &ea) && !read_table(b, &ib, &eb) &&
	       !memcmp(&ia, &ib, sizeof(ia)) && !memcmp(ea, eb, ia.size);
	free(ea);
	free(eb);
	return same;
}

/* A namespace holding the test table, its counters all zero. */
static __u64 netns_with_test_table(void)
{
	__u64 cookie = next_cookie++;
	struct payload p;

	pl_build(&p, &base_info, base_entries, 4);
	EXPECT_EQ(replace(cookie, &p, NULL), 0);
	free(p.buf);
	return cookie;
}

static void case_run(const struct replace_case *rc)
{
	__u64 cookie = netns_with_test_table();
	__u64 pristine = netns_with_test_table();
	struct payload p;
	int status;

	pl_build(&p, &base_info, base_entries, base_info.num_entries);
	rc->mutate(&p);
	status = replace(cookie, &p, NULL);
	if (status != rc->expect) {
		printf("#   got %d (%s)\n", status, strerror(-status));
		tap_test_failed = true;
	}
	/* Refused: as it was; accepted: what the payload said. */
	if (status && !same_table(cookie, pristine)) {
		printf("#   a refused replace changed the table\n");
		tap_test_failed = true;
	}
	free(p.buf);
}

static void test_cases(void)
{
	unsigned int i;
	char name[200];

	for (i = 0; i < replace_case_count; i++) {
		tap_test_failed = false;
		case_run(&replace_cases[i]);
		snprintf(name, sizeof(name), "core replace: %s: %s",
			 replace_cases[i].name,
			 replace_cases[i].expect ?
			 strerror(-replace_cases[i].expect) : "accepted");
		printf("%s - %s\n", tap_test_failed ? "not ok" : "ok", name);
		tap_failures += tap_test_failed;
	}
}

static const struct ipt_entry *entry_at(const unsigned char *entries,
					unsigned int i)
{
	unsigned int off = 0;

	while (i--)
		off += ((const struct ipt_entry *)(entries + off))->next_offset;
	return (const void *)(entries + off);
}

/* mark_source_chains(): the hooks that reach each rule, 0 for the rest. */
static void test_comefrom(void)
{
	const unsigned int in = 1U << NF_INET_LOCAL_IN,
			   fwd = 1U << NF_INET_FORWARD,
			   out = 1U << NF_INET_LOCAL_OUT;
	static const unsigned int expect[] = {
		in, in, in, in, in, in,		/* INPUT */
		fwd, fwd, fwd,			/* FORWARD */
		out, out, out, out,		/* OUTPUT */
		0, 0, 0,			/* orphan: unreachable */
		0, in | fwd, in | fwd, in | fwd, in | fwd,	/* web */
		0, in | fwd, in | fwd,		/* zlast */
		0,				/* the final ERROR */
	};
	__u64 cookie = netns_with_test_table();
	struct ipt_getinfo info;
	unsigned char *entries = NULL;
	unsigned int i;

	EXPECT_EQ(read_table(cookie, &info, &entries), 0);
	EXPECT_EQ(info.num_entries, sizeof(expect) / sizeof(expect[0]));
	for (i = 0; entries && i < info.num_entries; i++) {
		if (entry_at(entries, i)->comefrom != expect[i]) {
			printf("#   entry %u: comefrom %#x, expected %#x\n", i,
			       entry_at(entries, i)->comefrom, expect[i]);
			tap_test_failed = true;
		}
	}
	free(entries);
}

/* What x_tables does not return reads back as zero. */
static void test_normalized(void)
{
	__u64 cookie = next_cookie++;
	const struct xt_entry_match *m;
	const struct ipt_entry *e;
	unsigned char *entries = NULL;
	struct ipt_getinfo info;
	struct payload p;
	unsigned int i;

	pl_build(&p, &base_info, base_entries, 4);
	m = (const void *)pl_entry(&p, 0)->elems;
	memset((char *)m->u.user.name + 4, 'x', 20);	/* "tcp\0xxx..." */
	memset((unsigned char *)m->data + 12, 0xee, 4);	/* tcp padding */
	pl_entry(&p, 0)->counters.pcnt = 5;
	pl_entry(&p, 0)->comefrom = 0xffff;
	EXPECT_EQ(replace(cookie, &p, NULL), 0);
	EXPECT_EQ(read_table(cookie, &info, &entries), 0);
	if (entries) {
		e = entry_at(entries, 0);
		m = (const void *)e->elems;
		EXPECT(!strcmp(m->u.user.name, "tcp"));
		for (i = 4; i < sizeof(m->u.user.name); i++)
			EXPECT_EQ(m->u.user.name[i], 0);
		for (i = 12; i < 16; i++)
			EXPECT_EQ(m->data[i], 0);
		EXPECT_EQ(e->counters.pcnt, 0);
		EXPECT_EQ(e->comefrom, 1U << NF_INET_LOCAL_IN);
		/* Everything else as given: the same bytes as test_table.c's. */
		for (i = 1; i < info.num_entries; i++)
			EXPECT(!memcmp(entry_at(entries, i), entry_at(base_entries, i),
				       offsetof(struct ipt_entry, comefrom)));
	}
	free(entries);
	free(p.buf);
}

static void *counters_info(const char *table, unsigned int n, __u64 base,
			   __u32 *len)
{
	struct xt_counters_info *info;
	struct xt_counters *c;
	unsigned int i;

	*len = sizeof(*info) + n * sizeof(*c);
	info = calloc(1, *len);
	strcpy(info->name, table);
	info->num_counters = n;
	c = (void *)(info + 1);
	for (i = 0; i < n; i++) {
		c[i].pcnt = base + i;
		c[i].bcnt = (base + i) * 100;
	}
	return info;
}

/* ADD_COUNTERS adds; the next replace returns the sums and starts at 0. */
static void test_counters(void)
{
	__u64 cookie = netns_with_test_table();
	struct xt_counters old[64];
	unsigned int i, n = base_info.num_entries;
	__u32 len;
	void *info = counters_info("filter", n, 10, &len);
	struct payload p;
	struct answer a;

	a = set(cookie, IPT_SO_SET_ADD_COUNTERS, info, len);
	EXPECT_EQ(a.status, 0);
	EXPECT_EQ(a.len, 0);
	a = set(cookie, IPT_SO_SET_ADD_COUNTERS, info, len);
	EXPECT_EQ(a.status, 0);

	pl_build(&p, &base_info, base_entries, n);
	memset(old, 0, sizeof(old));
	EXPECT_EQ(replace(cookie, &p, old), 0);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(old[i].pcnt, 2 * (10 + i));
		EXPECT_EQ(old[i].bcnt, 2 * (10 + i) * 100);
	}
	EXPECT_EQ(replace(cookie, &p, old), 0);
	for (i = 0; i < n; i++)
		EXPECT_EQ(old[i].pcnt, 0);
	free(p.buf);
	free(info);
}

/* xt_copy_counters() and do_add_counters(), in that order. */
static void test_add_counters_errors(void)
{
	__u64 cookie = netns_with_test_table();
	unsigned int n = base_info.num_entries;
	struct xt_counters_info *info;
	__u32 len;

	info = counters_info("filter", n, 1, &len);
	EXPECT_EQ(set(cookie, IPT_SO_SET_ADD_COUNTERS, info,
		      sizeof(*info)).status, -EINVAL);
	EXPECT_EQ(set(cookie, IPT_SO_SET_ADD_COUNTERS, info, len - 1).status,
		  -EINVAL);
	EXPECT_EQ(set(cookie, IPT_SO_SET_ADD_COUNTERS, info, len + 16).status,
		  -EINVAL);
	info->num_counters = n - 1;
	EXPECT_EQ(set(cookie, IPT_SO_SET_ADD_COUNTERS, info, len - 16).status,
		  -EINVAL);
	/* A huge count must not wrap into a plausible length. */
	info->num_counters = 0x10000001;
	EXPECT_EQ(set(cookie, IPT_SO_SET_ADD_COUNTERS, info, len).status,
		  -EINVAL);
	info->num_counters = n;
	strcpy(info->name, "nat");
	EXPECT_EQ(set(cookie, IPT_SO_SET_ADD_COUNTERS, info, len).status,
		  -ENOENT);
	/* The name is cut at 31 bytes, the lookup instantiates. */
	memset(info->name, 'f', sizeof(info->name));
	EXPECT_EQ(set(cookie, IPT_SO_SET_ADD_COUNTERS, info, len).status,
		  -ENOENT);
	free(info);

	info = counters_info("filter", 4, 1, &len);
	cookie = next_cookie++;
	EXPECT_EQ(set(cookie, IPT_SO_SET_ADD_COUNTERS, info, len).tables, 1);
	free(info);
}

/* bpfilter serves filter only: the others do not exist (yet). */
static void test_other_tables(void)
{
	static const char *const names[] = { "nat", "mangle", "raw", "security" };
	__u64 cookie = next_cookie++;
	struct payload p;
	struct answer a;
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		pl_build(&p, &base_info, base_entries, base_info.num_entries);
		strcpy(pl_repl(&p)->name, names[i]);
		a = set(cookie, IPT_SO_SET_REPLACE, p.buf, p.len);
		EXPECT_EQ(a.status, -ENOENT);
		EXPECT_EQ(a.tables, 0);
		free(p.buf);
	}
}

/* A refused table instantiates nothing: x_tables looks up last. */
static void test_refused_instantiates_nothing(void)
{
	__u64 cookie = next_cookie++;
	struct payload p;
	struct answer a;

	pl_build(&p, &base_info, base_entries, 4);
	pl_repl(&p)->num_entries++;
	a = set(cookie, IPT_SO_SET_REPLACE, p.buf, p.len);
	EXPECT_EQ(a.status, -EINVAL);
	EXPECT_EQ(a.tables, 0);
	/* Looked up, then refused: the table now exists. */
	pl_repl(&p)->num_entries--;
	pl_repl(&p)->num_counters = 5;
	a = set(cookie, IPT_SO_SET_REPLACE, p.buf, p.len);
	EXPECT_EQ(a.status, -EAGAIN);
	EXPECT_EQ(a.tables, 1);
	free(p.buf);
}

static struct answer restore(__u64 cookie, const void *buf, __u32 len)
{
	return call(BPFILTER_CMD_RESTORE, cookie, 0, buf, 0, len);
}

static void test_restore(void)
{
	__u64 cookie = next_cookie++, reference = netns_with_test_table();
	unsigned int i, n = base_info.num_entries;
	struct xt_counters old[64];
	struct xt_counters *c;
	struct payload p;
	unsigned char *buf;
	struct answer a;
	__u32 len;

	/* Any num_counters: the fresh table is not compared. */
	pl_build(&p, &base_info, base_entries, 1234);
	a = restore(cookie, p.buf, p.len);
	EXPECT_EQ(a.status, 0);
	EXPECT_EQ(a.len, 0);
	EXPECT_EQ(a.tables, 1);
	EXPECT(same_table(cookie, reference));
	free(p.buf);

	/* With counters: they read back, and a replace returns them. */
	pl_build(&p, &base_info, base_entries, 7);
	len = p.len + n * sizeof(*c);
	buf = calloc(1, len);
	memcpy(buf, p.buf, p.len);
	c = (void *)(buf + p.len);
	for (i = 0; i < n; i++)
		c[i] = (struct xt_counters) { .pcnt = i + 1, .bcnt = 3 * i };
	EXPECT_EQ(restore(cookie, buf, len).status, 0);
	EXPECT_EQ(restore(cookie, buf, len - 8).status, -EINVAL);
	EXPECT_EQ(restore(cookie, buf, len + 16).status, -EINVAL);
	pl_repl(&p)->num_counters = n;
	memset(old, 0, sizeof(old));
	EXPECT_EQ(replace(cookie, &p, old), 0);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(old[i].pcnt, i + 1);
		EXPECT_EQ(old[i].bcnt, 3 * i);
	}

	/* Checked as a replace, the table unchanged on refusal. */
	pl_repl((struct payload *)&p)->num_counters = 0;
	EXPECT_EQ(restore(cookie, p.buf, p.len).status, -EINVAL);
	pl_repl(&p)->num_counters = 1;
	strcpy(pl_repl(&p)->name, "raw");
	EXPECT_EQ(restore(cookie, p.buf, p.len).status, -ENOENT);
	strcpy(pl_repl(&p)->name, "filter");
	*(int *)((unsigned char *)pl_entry(&p, 0) + pl_entry(&p, 0)->target_offset +
		 sizeof(struct xt_entry_target)) = 1;
	EXPECT_EQ(restore(cookie, p.buf, p.len).status, -ELOOP);
	EXPECT(same_table(cookie, reference));
	free(buf);
	free(p.buf);
}

static struct bpfilter_stats stats(void)
{
	struct bpfilter_stats st = { 0 };
	struct answer a = call(BPFILTER_CMD_STATS, 0, 0, NULL, 0, 0);

	EXPECT_EQ(a.status, 0);
	EXPECT_EQ(a.len, sizeof(st));
	if (a.payload && a.len == sizeof(st))
		memcpy(&st, a.payload, sizeof(st));
	free(a.payload);
	return st;
}

static void test_netns_exit_and_stats(void)
{
	struct bpfilter_stats before = stats(), after;
	__u64 cookie = netns_with_test_table();
	unsigned char byte = 0;

	after = stats();
	EXPECT_EQ(after.netns, before.netns + 1);
	EXPECT_EQ(after.tables, before.tables + 1);
	EXPECT_EQ(after.table_bytes, before.table_bytes + base_info.size);

	EXPECT_EQ(call(BPFILTER_CMD_NETNS_EXIT, cookie, 0, NULL, 0, 0).status, 0);
	after = stats();
	EXPECT_EQ(after.netns, before.netns);
	EXPECT_EQ(after.tables, before.tables);
	EXPECT_EQ(after.table_bytes, before.table_bytes);
	/* Gone: the next request sees a fresh namespace. */
	EXPECT_EQ(call(BPFILTER_CMD_PING, cookie, 0, NULL, 0, 0).tables, 0);
	/* Unknown namespaces are fine; payloads are not. */
	EXPECT_EQ(call(BPFILTER_CMD_NETNS_EXIT, cookie, 0, NULL, 0, 0).status, 0);
	EXPECT_EQ(call(BPFILTER_CMD_NETNS_EXIT, cookie, 0, &byte, 0, 1).status,
		  -EINVAL);
	EXPECT_EQ(call(BPFILTER_CMD_STATS, cookie, 0, &byte, 0, 1).status,
		  -EINVAL);
}

/* BPFILTER_NETNS_TABLE_BYTES_MAX, checked before the entries are. */
static void test_netns_cap(void)
{
	const __u32 size = BPFILTER_NETNS_TABLE_BYTES_MAX + 8;
	__u64 cookie = next_cookie++;
	struct ipt_replace *repl;
	struct answer a;

	repl = calloc(1, sizeof(*repl) + size);
	if (!repl) {
		tap_test_failed = true;
		return;
	}
	strcpy(repl->name, "filter");
	repl->num_counters = 4;
	repl->size = size;
	/* The module refuses such a set; a RESTORE still gets this far. */
	a = call(BPFILTER_CMD_RESTORE, cookie, 0, repl, 0,
		 sizeof(*repl) + size);
	EXPECT_EQ(a.status, -ENOMEM);
	EXPECT_EQ(a.tables, 0);
	/* Exactly the cap passes it, and fails on its (empty) entries. */
	repl->size = BPFILTER_NETNS_TABLE_BYTES_MAX;
	EXPECT_EQ(set(cookie, IPT_SO_SET_REPLACE, repl,
		      sizeof(*repl) + repl->size).status, -EINVAL);
	free(repl);
}

unsigned int test_replace_all(struct bpfilter_core *c)
{
	core = c;
	test_table_build(&base_info, &base_entries);

	test_cases();
	tap_run("replace: comefrom is the hooks reaching each rule", test_comefrom);
	tap_run("replace: name tails, padding, counters, comefrom read back as x_tables'",
		test_normalized);
	tap_run("add counters add up; replace returns them, restarts at 0",
		test_counters);
	tap_run("add counters: length, count and table errors",
		test_add_counters_errors);
	tap_run("replace of nat/mangle/raw/security is -ENOENT",
		test_other_tables);
	tap_run("replace instantiates the table only once it is valid",
		test_refused_instantiates_nothing);
	tap_run("RESTORE installs a table with its counters, checked as a replace",
		test_restore);
	tap_run("NETNS_EXIT frees a namespace; STATS counts it",
		test_netns_exit_and_stats);
	tap_run("a table over the per-namespace cap is -ENOMEM",
		test_netns_cap);

	free(base_entries);
	return tap_failures;
}
