// SPDX-License-Identifier: GPL-2.0
/*
 * replace-diff: IPT_SO_SET_REPLACE and IPT_SO_SET_ADD_COUNTERS against
 * the host's x_tables (in the caller's network namespace, which must
 * hold the table test_xtables_diff.sh builds) and bpfilter's core.
 *
 * 1. The table x_tables returns is replayed into the core: the core must
 *    return it byte for byte (both read into zeroed buffers, so that the
 *    name tails x_tables leaves alone read as the core's zeroes).
 * 2. Counters added to both read back the same; a replace with garbage
 *    where x_tables recomputes or zeroes (comefrom, counters, name tails,
 *    extension padding) returns the same old counters, reads back the same.
 * 3. Every case of replace_cases.c gets the same answer from both, both
 *    tables are unchanged after a refusal and identical after a success.
 *
 * Prints TAP lines; exits 1 if any failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core.h"
#include "replace_diff.h"
#include "tap.h"
#include "wire_request.h"

#define NET_COOKIE	1

static int sock = -1;
static struct bpfilter_core *core;

/* A table as read back: the GET_INFO answer, then the entries. */
struct snapshot {
	struct ipt_getinfo info;
	unsigned char *entries;
};

/* One side of the comparison: the kernel or the core. */
struct side {
	const char *name;
	int (*get)(int optname, void *buf, unsigned int len);
	/* On success of a SET_REPLACE, @old receives the old counters. */
	int (*set)(int optname, const void *buf, unsigned int len,
		   void *old, unsigned int old_len);
};

static int kernel_get(int optname, void *buf, unsigned int len)
{
	socklen_t optlen = len;

	return getsockopt(sock, SOL_IP, optname, buf, &optlen) ? -errno : 0;
}

static int kernel_set(int optname, const void *buf, unsigned int len,
		      void *old, unsigned int old_len)
{
	struct ipt_replace repl;
	unsigned char *copy;
	int ret;

	if (optname != IPT_SO_SET_REPLACE || len < sizeof(repl))
		return setsockopt(sock, SOL_IP, optname, buf, len) ? -errno : 0;
	/* x_tables writes the old counters where the header points. */
	copy = malloc(len);
	memcpy(copy, buf, len);
	memcpy(&repl, copy, sizeof(repl));
	repl.counters = old;
	memcpy(copy, &repl, sizeof(repl));
	memset(old, 0, old_len);
	ret = setsockopt(sock, SOL_IP, optname, copy, len) ? -errno : 0;
	free(copy);
	return ret;
}

static int core_call(__u16 cmd, int optname, const void *buf,
		     unsigned int optlen, unsigned int payload_len,
		     void **out, __u32 *out_len)
{
	struct bpfilter_request req = wire_request(cmd, NET_COOKIE, optname,
						   optlen, payload_len);
	struct bpfilter_reply reply;
	int ret;

	ret = bpfilter_core_handle(core, &req, buf, &reply, out);
	if (ret)
		return ret;
	*out_len = reply.payload_len;
	return reply.status;
}

static int core_get(int optname, void *buf, unsigned int len)
{
	unsigned int in = len < BPFILTER_GET_INPUT_MAX ? len : BPFILTER_GET_INPUT_MAX;
	__u32 out_len;
	void *out;
	int ret;

	ret = core_call(BPFILTER_CMD_GETSOCKOPT, optname, buf, len, in, &out,
			&out_len);
	if (!ret && out && out_len <= len)
		memcpy(buf, out, out_len);
	free(out);
	return ret;
}

static int core_set(int optname, const void *buf, unsigned int len,
		    void *old, unsigned int old_len)
{
	__u32 out_len;
	void *out;
	int ret;

	memset(old, 0, old_len);
	ret = core_call(BPFILTER_CMD_SETSOCKOPT, optname, buf, len, len, &out,
			&out_len);
	if (!ret && out_len > old_len)
		ret = -EMSGSIZE;
	else if (!ret && out)
		memcpy(old, out, out_len);
	free(out);
	return ret;
}

static const struct side kernel = { "x_tables", kernel_get, kernel_set };
static const struct side bpf = { "core", core_get, core_set };

static void snapshot_free(struct snapshot *s)
{
	free(s->entries);
	s->entries = NULL;
}

static int snapshot_read(const struct side *side, struct snapshot *s)
{
	struct ipt_get_entries *get;
	int ret;

	memset(&s->info, 0, sizeof(s->info));
	strcpy(s->info.name, "filter");
	ret = side->get(IPT_SO_GET_INFO, &s->info, sizeof(s->info));
	if (ret)
		return ret;
	get = calloc(1, sizeof(*get) + s->info.size);
	strcpy(get->name, "filter");
	get->size = s->info.size;
	ret = side->get(IPT_SO_GET_ENTRIES, get, sizeof(*get) + s->info.size);
	s->entries = malloc(s->info.size + 1);
	memcpy(s->entries, get->entrytable, s->info.size);
	free(get);
	return ret;
}

static bool snapshot_equal(const struct snapshot *a, const struct snapshot *b)
{
	return !memcmp(&a->info, &b->info, sizeof(a->info)) &&
	       !memcmp(a->entries, b->entries, a->info.size);
}

static void snapshot_diff(const struct snapshot *a, const struct snapshot *b)
{
	unsigned int i, shown = 0;

	if (memcmp(&a->info, &b->info, sizeof(a->info))) {
		printf("#   info differs: size %u/%u, entries %u/%u\n",
		       a->info.size, b->info.size, a->info.num_entries,
		       b->info.num_entries);
		return;
	}
	for (i = 0; i < a->info.size && shown < 10; i++) {
		if (a->entries[i] != b->entries[i]) {
			printf("#   byte %u: %#x != %#x\n", i, a->entries[i],
			       b->entries[i]);
			shown++;
		}
	}
}

static void payload_build(struct payload *p, const struct snapshot *s,
			  unsigned int num_counters)
{
	pl_build(p, &s->info, s->entries, num_counters);
}

static void fill_tail(char *name, size_t len, int byte)
{
	size_t n = strnlen(name, len);

	if (n + 1 < len)
		memset(name + n + 1, byte, len - n - 1);
}

/* Data sizes x_tables declares for the extensions in the test table. */
static unsigned int ext_size(const char *name)
{
	if (!strcmp(name, "tcp"))
		return 12;
	if (!strcmp(name, "udp"))
		return 10;
	if (!strcmp(name, "icmp"))
		return 4;
	if (!strcmp(name, "ERROR"))
		return 30;
	return 4;
}

/* Garbage wherever x_tables recomputes, zeroes or does not copy back. */
static void payload_poison(struct payload *p)
{
	struct xt_entry_target *t;
	struct xt_entry_match *m;
	struct ipt_entry *e;
	unsigned int i, pos, size;

	for (i = 0; i < p->count; i++) {
		e = pl_entry(p, i);
		e->comefrom = 0xa5a5a5a5;
		e->counters.pcnt = 1000 + i;
		e->counters.bcnt = 2000 + i;
		for (pos = sizeof(*e); pos < e->target_offset; pos += m->u.match_size) {
			m = (void *)((unsigned char *)e + pos);
			fill_tail(m->u.user.name, sizeof(m->u.user.name), 0xa5);
			size = ext_size(m->u.user.name);
			memset(m->data + size, 0xa5, XT_ALIGN(size) - size);
		}
		t = pl_target(p, i);
		fill_tail(t->u.user.name, sizeof(t->u.user.name), 0xa5);
		size = ext_size(t->u.user.name);
		memset(t->data + size, 0xa5, XT_ALIGN(size) - size);
	}
}

/* Counters for ADD_COUNTERS: distinct per entry. */
static void *counters_info(unsigned int n, unsigned int *len)
{
	struct xt_counters_info *info;
	struct xt_counters *c;
	unsigned int i;

	*len = sizeof(*info) + n * sizeof(*c);
	info = calloc(1, *len);
	strcpy(info->name, "filter");
	info->num_counters = n;
	c = (void *)(info + 1);
	for (i = 0; i < n; i++) {
		c[i].pcnt = 7 * i + 1;
		c[i].bcnt = 1500 * i + 60;
	}
	return info;
}

static struct snapshot base;		/* the table as x_tables built it */
static struct xt_counters old_kernel[1024], old_core[1024];

/* Both sides back to @base: a replace sized by what each holds now. */
static void reset_both(void)
{
	const struct side *sides[] = { &kernel, &bpf };
	struct snapshot cur = { 0 };
	struct payload p;
	unsigned int i;
	int ret;

	for (i = 0; i < 2; i++) {
		snapshot_read(sides[i], &cur);
		if (!snapshot_equal(&cur, &base)) {
			payload_build(&p, &base, cur.info.num_entries);
			ret = sides[i]->set(IPT_SO_SET_REPLACE, p.buf, p.len,
					    old_kernel, sizeof(old_kernel));
			if (ret)
				printf("# reset of %s failed: %s\n",
				       sides[i]->name, strerror(-ret));
			free(p.buf);
		}
		snapshot_free(&cur);
	}
}

static void test_replay(void)
{
	struct snapshot c = { 0 };
	struct payload p;
	int ret;

	/* The core starts from its initial table: 4 entries. */
	payload_build(&p, &base, 4);
	ret = bpf.set(IPT_SO_SET_REPLACE, p.buf, p.len, old_core,
		      sizeof(old_core));
	EXPECT_EQ(ret, 0);
	EXPECT_EQ(snapshot_read(&bpf, &c), 0);
	EXPECT(snapshot_equal(&base, &c));
	if (!snapshot_equal(&base, &c))
		snapshot_diff(&base, &c);
	snapshot_free(&c);
	free(p.buf);
}

/* test_core runs the cases on test_table.c's table: it must be this one,
 * its header and every byte of its entries but those x_tables fills in
 * itself (comefrom, counters), which a caller's table leaves at zero.
 */
static void test_same_layout(void)
{
	struct ipt_getinfo info;
	unsigned char *entries;
	unsigned int i, off;

	test_table_build(&info, &entries);
	EXPECT(!memcmp(&info, &base.info, sizeof(info)));
	if (info.size == base.info.size) {
		for (off = 0; off + sizeof(struct ipt_entry) <= info.size;) {
			struct ipt_entry *e = (void *)(entries + off);
			const struct ipt_entry *k = (const void *)(base.entries + off);

			EXPECT(!e->comefrom && !e->counters.pcnt && !e->counters.bcnt);
			e->comefrom = k->comefrom;
			e->counters = k->counters;
			if (k->next_offset < sizeof(*k))
				break;
			off += k->next_offset;
		}
		for (i = 0; i < info.size && entries[i] == base.entries[i]; i++)
			;
		if (i < info.size) {
			unsigned int at = 0, n = 0;

			for (off = 0; off < i; n++) {
				at = off;
				off += ((const struct ipt_entry *)(base.entries + off))->next_offset;
			}
			if (off == i)
				at = off;
			else
				n--;
			printf("#   test_table.c and x_tables differ at byte %u (entry %u, byte %u of it): 0x%02x, x_tables 0x%02x\n",
			       i, n, i - at, entries[i], base.entries[i]);
		}
		EXPECT(i == info.size);
	}
	free(entries);
}

static void test_add_counters(void)
{
	struct snapshot k = { 0 }, c = { 0 };
	unsigned int len;
	void *info = counters_info(base.info.num_entries, &len);

	EXPECT_EQ(kernel.set(IPT_SO_SET_ADD_COUNTERS, info, len, NULL, 0), 0);
	EXPECT_EQ(bpf.set(IPT_SO_SET_ADD_COUNTERS, info, len, old_core,
			  sizeof(old_core)), 0);
	/* The errors: counters and optlen disagree; a count not the table's. */
	EXPECT_EQ(kernel.set(IPT_SO_SET_ADD_COUNTERS, info, len - 16, NULL, 0),
		  -EINVAL);
	EXPECT_EQ(bpf.set(IPT_SO_SET_ADD_COUNTERS, info, len - 16, old_core,
			  sizeof(old_core)), -EINVAL);
	((struct xt_counters_info *)info)->num_counters--;
	EXPECT_EQ(kernel.set(IPT_SO_SET_ADD_COUNTERS, info, len - 16, NULL, 0),
		  -EINVAL);
	EXPECT_EQ(bpf.set(IPT_SO_SET_ADD_COUNTERS, info, len - 16, old_core,
			  sizeof(old_core)), -EINVAL);
	strcpy(((struct xt_counters_info *)info)->name, "bpft_nosuch");
	EXPECT_EQ(kernel.set(IPT_SO_SET_ADD_COUNTERS, info, len - 16, NULL, 0),
		  -ENOENT);
	EXPECT_EQ(bpf.set(IPT_SO_SET_ADD_COUNTERS, info, len - 16, old_core,
			  sizeof(old_core)), -ENOENT);
	EXPECT_EQ(snapshot_read(&kernel, &k), 0);
	EXPECT_EQ(snapshot_read(&bpf, &c), 0);
	EXPECT(snapshot_equal(&k, &c));
	if (!snapshot_equal(&k, &c))
		snapshot_diff(&k, &c);
	snapshot_free(&k);
	snapshot_free(&c);
	free(info);
}

static void test_poisoned_replace(void)
{
	struct snapshot k = { 0 }, c = { 0 };
	struct payload p;

	payload_build(&p, &base, base.info.num_entries);
	payload_poison(&p);
	EXPECT_EQ(kernel.set(IPT_SO_SET_REPLACE, p.buf, p.len, old_kernel,
			     sizeof(old_kernel)), 0);
	EXPECT_EQ(bpf.set(IPT_SO_SET_REPLACE, p.buf, p.len, old_core,
			  sizeof(old_core)), 0);
	EXPECT(!memcmp(old_kernel, old_core, sizeof(old_core)));
	EXPECT(old_core[1].pcnt == 8);
	EXPECT_EQ(snapshot_read(&kernel, &k), 0);
	EXPECT_EQ(snapshot_read(&bpf, &c), 0);
	EXPECT(snapshot_equal(&k, &c));
	if (!snapshot_equal(&k, &c))
		snapshot_diff(&k, &c);
	/* Counters were zeroed, the rest is what x_tables built. */
	EXPECT(snapshot_equal(&k, &base));
	snapshot_free(&k);
	snapshot_free(&c);
	free(p.buf);
}

static const char *errname(int err)
{
	return err ? strerror(-err) : "accepted";
}

static void run_case(const struct replace_case *rc)
{
	struct snapshot k0 = { 0 }, c0 = { 0 }, k1 = { 0 }, c1 = { 0 };
	int kret, cret;
	bool ok = true, host_differs;
	struct payload p;

	reset_both();
	snapshot_read(&kernel, &k0);
	snapshot_read(&bpf, &c0);
	payload_build(&p, &base, base.info.num_entries);
	rc->mutate(&p);
	kret = kernel.set(IPT_SO_SET_REPLACE, p.buf, p.len, old_kernel,
			  sizeof(old_kernel));
	cret = bpf.set(IPT_SO_SET_REPLACE, p.buf, p.len, old_core,
		       sizeof(old_core));
	snapshot_read(&kernel, &k1);
	snapshot_read(&bpf, &c1);

	host_differs = kret != cret;
	if (cret != rc->expect) {
		printf("#   core: %s, 6.1 expected: %s\n", errname(cret),
		       errname(rc->expect));
		ok = false;
	}
	if (host_differs && !rc->expected_61) {
		printf("#   x_tables: %s, core: %s\n", errname(kret), errname(cret));
		ok = false;
	}
	if (cret && !snapshot_equal(&c0, &c1)) {
		printf("#   the core's table changed\n");
		ok = false;
	}
	if (kret && !snapshot_equal(&k0, &k1)) {
		printf("#   x_tables' table changed\n");
		ok = false;
	}
	if (!kret && !cret) {
		if (!snapshot_equal(&k1, &c1)) {
			printf("#   tables differ after the replace\n");
			snapshot_diff(&k1, &c1);
			ok = false;
		}
		if (memcmp(old_kernel, old_core, sizeof(old_core))) {
			printf("#   old counters differ\n");
			ok = false;
		}
	}
	printf("%s - replace: %s: %s", ok ? "ok" : "not ok", rc->name,
	       errname(cret));
	if (host_differs && rc->expected_61)
		printf(" # expected-6.1: host x_tables answers %s; %s",
		       errname(kret), rc->expected_61);
	printf("\n");
	if (!ok)
		tap_failures++;

	snapshot_free(&k0);
	snapshot_free(&c0);
	snapshot_free(&k1);
	snapshot_free(&c1);
	free(p.buf);
}

int main(void)
{
	unsigned int i;

	sock = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	core = bpfilter_core_new();
	if (sock < 0 || !core) {
		printf("Bail out! no raw socket or no core\n");
		return 1;
	}
	if (snapshot_read(&kernel, &base) || base.info.num_entries < 20) {
		printf("Bail out! x_tables has no test table here\n");
		return 1;
	}

	tap_run("replace: x_tables' table replayed into the core reads back identical",
		test_replay);
	tap_run("test_table.c builds the layout iptables-legacy built",
		test_same_layout);
	tap_run("add counters: same counters read back, same errors",
		test_add_counters);
	tap_run("replace with garbage comefrom/counters/tails/padding: same old counters, same table",
		test_poisoned_replace);
	for (i = 0; i < replace_case_count; i++)
		run_case(&replace_cases[i]);

	snapshot_free(&base);
	bpfilter_core_free(core);
	close(sock);
	return tap_exit_code();
}
