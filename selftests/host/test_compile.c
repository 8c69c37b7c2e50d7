// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of BPFILTER_CMD_COMPILE through bpfilter_core_handle(): the
 * committed table's image, candidates checked as SET_REPLACE checks them
 * (every case of replace_cases.c) without anything stored or
 * instantiated, and the reply parsed back as the module must read it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "image_parse.h"
#include "replace_diff.h"
#include "tap.h"
#include "test_compile.h"
#include "wire_request.h"

static struct bpfilter_core *core;
static struct ipt_getinfo base_info;
static unsigned char *base_entries;
/* Namespaces of their own, apart from test_replace.c's. */
static __u64 next_cookie = 2U << 20;

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
	EXPECT_EQ(!a.payload, !a.len);
	return a;
}

/* COMPILE of a candidate (@len bytes), or of the committed table (0). */
static struct answer compile(__u64 cookie, const void *buf, __u32 len)
{
	return call(BPFILTER_CMD_COMPILE, cookie, 0, buf, len, len);
}

static int replace(__u64 cookie, const struct payload *p)
{
	struct answer a = call(BPFILTER_CMD_SETSOCKOPT, cookie,
			       IPT_SO_SET_REPLACE, p->buf, p->len, p->len);

	free(a.payload);
	return a.status;
}

/* GET_INFO and GET_ENTRIES, as one malloc()ed buffer (NULL on error). */
static void *read_table(__u64 cookie, size_t *len)
{
	struct ipt_get_entries get = { .name = "filter" };
	unsigned char hdr[BPFILTER_GET_INPUT_MAX] = { 0 };
	struct ipt_getinfo info = { .name = "filter" };
	struct answer a, b;
	void *both;

	a = call(BPFILTER_CMD_GETSOCKOPT, cookie, IPT_SO_GET_INFO, &info,
		 sizeof(info), sizeof(info));
	if (a.status || a.len != sizeof(info))
		return NULL;
	memcpy(&info, a.payload, sizeof(info));
	get.size = info.size;
	memcpy(hdr, &get, sizeof(get));
	b = call(BPFILTER_CMD_GETSOCKOPT, cookie, IPT_SO_GET_ENTRIES, hdr,
		 sizeof(get) + info.size, BPFILTER_GET_INPUT_MAX);
	both = b.status ? NULL : malloc(a.len + b.len);
	if (both) {
		memcpy(both, a.payload, a.len);
		memcpy((unsigned char *)both + a.len, b.payload, b.len);
		*len = a.len + b.len;
	}
	free(a.payload);
	free(b.payload);
	return both;
}

/* The reply of a successful COMPILE, parsed; err must be 0. */
static void expect_image(const struct answer *a, __u32 nr_entries,
			 struct parsed_image *img)
{
	const char *why;
	__u32 i, j, maps;

	EXPECT_EQ(a->status, 0);
	why = image_parse(a->payload, a->len, img);
	if (why) {
		printf("#   image: %s\n", why);
		tap_test_failed = true;
		return;
	}
	EXPECT_EQ(img->hdr.err, 0);
	EXPECT_EQ(img->hdr.nr_entries, nr_entries);
	EXPECT_EQ(img->hdr.nr_progs, 3);
	EXPECT_EQ(img->progs[0].hook, NF_INET_LOCAL_IN);
	EXPECT_EQ(img->progs[1].hook, NF_INET_FORWARD);
	EXPECT_EQ(img->progs[2].hook, NF_INET_LOCAL_OUT);
	/* Each program uses both maps: the counters and the devices. */
	for (i = 0; i < img->hdr.nr_progs; i++) {
		maps = 0;
		for (j = 0; j < img->progs[i].nr_relocs; j++)
			maps |= 1U << img->progs[i].relocs[j].index;
		EXPECT_EQ(maps, (1U << BPFILTER_IMAGE_MAP_COUNTERS) |
			  (1U << BPFILTER_IMAGE_MAP_META));
	}
}

static void test_initial_table(void)
{
	__u64 cookie = next_cookie++;
	struct parsed_image img;
	struct answer a;
	unsigned int i;

	a = compile(cookie, NULL, 0);
	EXPECT_EQ(a.tables, 1U << BPFILTER_TABLE_FILTER);
	expect_image(&a, 4, &img);
	for (i = 0; i < img.hdr.nr_progs; i++)
		printf("# initial table, hook %u: %u instructions, %u relocations\n",
		       img.progs[i].hook, img.progs[i].nr_insns,
		       img.progs[i].nr_relocs);
	printf("# initial table: %u-byte image\n", a.len);
	free(a.payload);
}

/*
 * Every case of replace_cases.c as a candidate: SET_REPLACE's errno, but
 * for num_counters against the current table (-EAGAIN), which COMPILE
 * does not check.  Neither a fresh namespace nor a committed table is
 * touched, whatever the answer.
 */
static void test_candidate_cases(void)
{
	__u64 fresh, held = next_cookie++;
	const struct replace_case *rc;
	void *before, *after;
	size_t len_before = 0, len_after = 0;
	struct payload p;
	struct answer a;
	unsigned int i;
	int expect;

	pl_build(&p, &base_info, base_entries, 4);
	EXPECT_EQ(replace(held, &p), 0);
	free(p.buf);
	before = read_table(held, &len_before);
	EXPECT(before);

	for (i = 0; i < replace_case_count; i++) {
		rc = &replace_cases[i];
		expect = rc->expect == -EAGAIN ? 0 : rc->expect;
		pl_build(&p, &base_info, base_entries, base_info.num_entries);
		rc->mutate(&p);
		fresh = next_cookie++;
		a = compile(fresh, p.buf, p.len);
		if (a.status != expect || a.tables) {
			printf("#   %s: status %d, tables %#x; expected %d, none\n",
			       rc->name, a.status, a.tables, expect);
			tap_test_failed = true;
		}
		if (a.status)
			EXPECT_EQ(a.len, 0);
		free(a.payload);
		a = compile(held, p.buf, p.len);
		EXPECT_EQ(a.status, expect);
		free(a.payload);
		free(p.buf);
	}

	after = read_table(held, &len_after);
	EXPECT(after && len_after == len_before &&
	       !memcmp(before, after, len_before));
	free(before);
	free(after);
}

/*
 * A candidate compiles without being committed, and to the same bytes
 * as the same table once committed.
 */
static void test_candidate_not_committed(void)
{
	__u64 cookie = next_cookie++;
	void *before, *after;
	size_t len_before = 0, len_after = 0;
	struct parsed_image img;
	struct payload p;
	struct answer a, b;

	before = read_table(cookie, &len_before);
	pl_build(&p, &base_info, base_entries, 4);
	a = compile(cookie, p.buf, p.len);
	expect_image(&a, base_info.num_entries, &img);
	after = read_table(cookie, &len_after);
	EXPECT(before && after && len_after == len_before &&
	       !memcmp(before, after, len_before));

	EXPECT_EQ(replace(cookie, &p), 0);
	b = compile(cookie, NULL, 0);
	EXPECT_EQ(b.status, 0);
	EXPECT(a.len == b.len && a.payload && b.payload &&
	       !memcmp(a.payload, b.payload, a.len));
	printf("# test table (%u entries): %u, %u, %u instructions\n",
	       base_info.num_entries, img.progs[0].nr_insns,
	       img.progs[1].nr_insns, img.progs[2].nr_insns);
	free(a.payload);
	free(b.payload);
	free(before);
	free(after);
	free(p.buf);
}

static void test_bad_requests(void)
{
	__u64 cookie = next_cookie++;
	unsigned char byte = 0;
	struct ipt_replace *repl;
	struct answer a;

	/* optlen is the payload's length, both ways. */
	a = call(BPFILTER_CMD_COMPILE, cookie, 0, NULL, 1, 0);
	EXPECT_EQ(a.status, -EINVAL);
	a = call(BPFILTER_CMD_COMPILE, cookie, 0, &byte, 0, 1);
	EXPECT_EQ(a.status, -EINVAL);
	/* A header cut short, as SET_REPLACE refuses it. */
	a = compile(cookie, &byte, 1);
	EXPECT_EQ(a.status, -EINVAL);
	EXPECT_EQ(a.tables, 0);

	/* The cap on a namespace's tables is passed; the entries are not. */
	repl = calloc(1, sizeof(*repl) + BPFILTER_NETNS_TABLE_BYTES_MAX);
	if (!repl) {
		tap_test_failed = true;
		return;
	}
	strcpy(repl->name, "filter");
	repl->num_counters = 4;
	repl->size = BPFILTER_NETNS_TABLE_BYTES_MAX;
	a = compile(cookie, repl, sizeof(*repl) + repl->size);
	EXPECT_EQ(a.status, -EINVAL);
	EXPECT_EQ(a.tables, 0);
	EXPECT_EQ(a.len, 0);
	free(repl);
}

unsigned int test_compile_all(struct bpfilter_core *c)
{
	core = c;
	test_table_build(&base_info, &base_entries);

	tap_run("compile: the initial table, 3 SCHED_CLS programs over 4 entries, parses back",
		test_initial_table);
	tap_run("compile: candidates get SET_REPLACE's errno (but EAGAIN), change and instantiate nothing",
		test_candidate_cases);
	tap_run("compile: a candidate is not committed, and compiles as once committed",
		test_candidate_not_committed);
	tap_run("compile: optlen other than the payload's, a short header, the netns cap",
		test_bad_requests);

	free(base_entries);
	return tap_failures;
}
