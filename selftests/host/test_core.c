// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of the helper's core, through bpfilter_core_handle() only:
 * request validation, dispatch, and the answers of each ip_tables
 * socket option (the table-changing ones in test_replace.c).
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter_ipv4/ip_tables.h>

#include "core.h"
#include "tap.h"
#include "test_compile.h"
#include "test_log.h"
#include "test_replace.h"
#include "test_sandbox.h"
#include "wire_request.h"

/* The initial filter table: three 152-byte policy rules, one ERROR. */
#define POLICY_RULE_SIZE	152
#define ERROR_RULE_SIZE		176
#define FILTER_SIZE		(3 * POLICY_RULE_SIZE + ERROR_RULE_SIZE)

static struct bpfilter_core *core;

/* One exchange: the reply header, its payload and the call's result. */
struct exchange {
	int ret;
	struct bpfilter_reply reply;
	void *payload;
};

static void exchange_reset(struct exchange *x)
{
	free(x->payload);
	memset(x, 0, sizeof(*x));
}

static struct bpfilter_request request(__u16 cmd, __u64 cookie,
				       __u32 optname, __u32 optlen,
				       __u32 payload_len)
{
	struct bpfilter_request req = wire_request(cmd, cookie, optname,
						   optlen, payload_len);

	/* Every bit set somewhere: the reply must echo all of them. */
	req.id = 0x1122334455667788ULL;
	return req;
}

static void send_request(struct exchange *x, const struct bpfilter_request *req,
			 const void *payload)
{
	exchange_reset(x);
	/* Poison, so that a field the core forgets to set shows up. */
	memset(&x->reply, 0xa5, sizeof(x->reply));
	x->ret = bpfilter_core_handle(core, req, payload, &x->reply,
				      &x->payload);
	if (x->ret)
		return;
	EXPECT_EQ(x->reply.magic, BPFILTER_WIRE_MAGIC);
	EXPECT_EQ(x->reply.version, BPFILTER_WIRE_VERSION);
	EXPECT_EQ(x->reply.id, req->id);
	EXPECT_EQ(!!x->payload, !!x->reply.payload_len);
}

/* A getsockopt as the module forwards it: the buffer's first bytes. */
static void get(struct exchange *x, __u64 cookie, __u32 optname,
		const void *buf, __u32 optlen)
{
	__u32 len = optlen < BPFILTER_GET_INPUT_MAX ? optlen :
		    BPFILTER_GET_INPUT_MAX;
	struct bpfilter_request req = request(BPFILTER_CMD_GETSOCKOPT, cookie,
					      optname, optlen, len);

	send_request(x, &req, buf);
	EXPECT_EQ(x->ret, 0);
	if (!x->reply.status)
		EXPECT(x->reply.payload_len <= optlen);
}

static int get_info(struct exchange *x, __u64 cookie, const char *name)
{
	struct ipt_getinfo info = { 0 };

	strncpy(info.name, name, sizeof(info.name));
	get(x, cookie, BPFILTER_IPT_SO_GET_INFO, &info, sizeof(info));
	return x->reply.status;
}

/* A GET_ENTRIES header for @name; x_tables reads nothing after it. */
static int get_entries(struct exchange *x, __u64 cookie, const char *name,
		       __u32 size, __u32 optlen)
{
	unsigned char buf[BPFILTER_GET_INPUT_MAX] = { 0 };
	struct ipt_get_entries hdr = { .size = size };

	strncpy(hdr.name, name, sizeof(hdr.name));
	memcpy(buf, &hdr, sizeof(hdr));
	get(x, cookie, BPFILTER_IPT_SO_GET_ENTRIES, buf, optlen);
	return x->reply.status;
}

static void test_ping(void)
{
	struct bpfilter_request req = request(BPFILTER_CMD_PING, 1, 0, 0, 0);
	struct exchange x = { 0 };

	send_request(&x, &req, NULL);
	EXPECT_EQ(x.ret, 0);
	EXPECT_EQ(x.reply.status, 0);
	EXPECT_EQ(x.reply.payload_len, 0);
	EXPECT_EQ(x.reply.tables, 0);
	EXPECT(!x.payload);
	exchange_reset(&x);
}

static void test_bad_magic(void)
{
	struct bpfilter_request req = request(BPFILTER_CMD_PING, 1, 0, 0, 0);
	struct exchange x = { 0 };

	req.magic ^= 1;
	send_request(&x, &req, NULL);
	EXPECT_EQ(x.ret, -EPROTO);
	EXPECT(!x.payload);
}

static void test_bad_version(void)
{
	struct bpfilter_request req = request(BPFILTER_CMD_PING, 1, 0, 0, 0);
	struct exchange x = { 0 };

	req.version = BPFILTER_WIRE_VERSION + 1;
	send_request(&x, &req, NULL);
	EXPECT_EQ(x.ret, -EPROTO);
}

static void expect_payload_max(__u16 cmd, __u32 max)
{
	struct bpfilter_request req = request(cmd, 1, 0, max + 1, max + 1);

	EXPECT_EQ(bpfilter_request_check_framing(&req), -EMSGSIZE);
	req.payload_len = req.optlen = max;
	EXPECT_EQ(bpfilter_request_check_framing(&req), 0);
}

/* Nothing larger than a valid request under the per-netns cap is read. */
static void test_oversized_payload(void)
{
	const __u32 cap = BPFILTER_NETNS_TABLE_BYTES_MAX;
	const __u32 set_max = sizeof(struct ipt_replace) + cap;

	expect_payload_max(BPFILTER_CMD_SETSOCKOPT, set_max);
	/* Every entry has a header and a target: at most cap / 144 of them. */
	expect_payload_max(BPFILTER_CMD_RESTORE, set_max + cap / 144 * 16);
	expect_payload_max(BPFILTER_CMD_GETSOCKOPT, BPFILTER_GET_INPUT_MAX);
	expect_payload_max(BPFILTER_CMD_PING, BPFILTER_GET_INPUT_MAX);
	expect_payload_max(BPFILTER_CMD_COMPILE, set_max);
	expect_payload_max(BPFILTER_CMD_COMPILE + 1, BPFILTER_GET_INPUT_MAX);
}

static void expect_status(const struct bpfilter_request *req,
			  const void *payload, int status)
{
	struct exchange x = { 0 };

	send_request(&x, req, payload);
	EXPECT_EQ(x.ret, 0);
	EXPECT_EQ(x.reply.status, status);
	EXPECT_EQ(x.reply.payload_len, 0);
	exchange_reset(&x);
}

static void test_bad_cmd(void)
{
	struct bpfilter_request req = request(0, 1, 0, 0, 0);

	expect_status(&req, NULL, -EINVAL);
	req.cmd = BPFILTER_CMD_COMPILE + 1;
	expect_status(&req, NULL, -EINVAL);
}

/* bpfilter.ko says HZ in every request; 0 or an absurd one is refused. */
static void test_hz_bounds(void)
{
	struct bpfilter_request req = request(BPFILTER_CMD_PING, 1, 0, 0, 0);

	req.hz = 0;
	expect_status(&req, NULL, -EINVAL);
	req.hz = BPFILTER_HZ_MAX + 1;
	expect_status(&req, NULL, -EINVAL);
	req.hz = BPFILTER_HZ_MAX;
	expect_status(&req, NULL, 0);
	req.hz = wire_hz();
	expect_status(&req, NULL, 0);
}

static void test_payload_len_mismatch(void)
{
	unsigned char buf[256] = { 0 };
	struct bpfilter_request req;

	req = request(BPFILTER_CMD_PING, 1, 0, 0, 1);
	expect_status(&req, buf, -EINVAL);

	/* A get carries min(optlen, BPFILTER_GET_INPUT_MAX) bytes. */
	strcpy((char *)buf, "filter");
	req = request(BPFILTER_CMD_GETSOCKOPT, 1, BPFILTER_IPT_SO_GET_INFO,
		      sizeof(struct ipt_getinfo), sizeof(struct ipt_getinfo) - 1);
	expect_status(&req, buf, -EINVAL);
	req = request(BPFILTER_CMD_GETSOCKOPT, 1, BPFILTER_IPT_SO_GET_ENTRIES,
		      100, BPFILTER_GET_INPUT_MAX);
	expect_status(&req, buf, -EINVAL);
	req = request(BPFILTER_CMD_GETSOCKOPT, 1, BPFILTER_IPT_SO_GET_ENTRIES,
		      200, BPFILTER_GET_INPUT_MAX - 1);
	expect_status(&req, buf, -EINVAL);

	/* A set carries all optlen bytes. */
	req = request(BPFILTER_CMD_SETSOCKOPT, 1, BPFILTER_IPT_SO_SET_REPLACE,
		      200, BPFILTER_GET_INPUT_MAX);
	expect_status(&req, buf, -EINVAL);

	/* None of these may have instantiated anything. */
	req = request(BPFILTER_CMD_PING, 1, 0, 0, 0);
	expect_status(&req, NULL, 0);
}

static void test_unknown_optname(void)
{
	unsigned char buf[BPFILTER_GET_INPUT_MAX] = { 0 };
	struct bpfilter_request req;
	__u32 optname;

	for (optname = 0; optname < 80; optname++) {
		if (optname >= BPFILTER_IPT_SO_GET_INFO &&
		    optname < BPFILTER_IPT_GET_MAX)
			continue;
		req = request(BPFILTER_CMD_GETSOCKOPT, 1, optname,
			      sizeof(struct ipt_getinfo),
			      sizeof(struct ipt_getinfo));
		expect_status(&req, buf, -EINVAL);
	}
	for (optname = 0; optname < 80; optname++) {
		if (optname >= BPFILTER_IPT_SO_SET_REPLACE &&
		    optname < BPFILTER_IPT_SET_MAX)
			continue;
		req = request(BPFILTER_CMD_SETSOCKOPT, 1, optname, 16, 16);
		expect_status(&req, buf, -EINVAL);
	}
}

static int revision(bool target, const char *name, __u8 rev)
{
	struct xt_get_revision r = { .revision = rev };
	struct exchange x = { 0 };
	int status;

	strncpy(r.name, name, sizeof(r.name));
	get(&x, 1, target ? BPFILTER_IPT_SO_GET_REVISION_TARGET :
			    BPFILTER_IPT_SO_GET_REVISION_MATCH, &r, sizeof(r));
	EXPECT_EQ(x.reply.payload_len, 0);
	status = x.reply.status;
	exchange_reset(&x);
	return status;
}

/* xt_find_revision(): known and supported, known only in other revisions, unknown. */
static void test_revisions(void)
{
	char unterminated[sizeof(((struct xt_get_revision *)0)->name)];

	EXPECT_EQ(revision(false, "tcp", 0), 0);
	EXPECT_EQ(revision(false, "udp", 0), 0);
	EXPECT_EQ(revision(false, "icmp", 0), 0);
	EXPECT_EQ(revision(true, "", 0), 0);
	EXPECT_EQ(revision(true, "ERROR", 0), 0);
	EXPECT_EQ(revision(false, "tcp", 1), -EPROTONOSUPPORT);
	EXPECT_EQ(revision(false, "icmp", 255), -EPROTONOSUPPORT);
	EXPECT_EQ(revision(true, "ERROR", 1), -EPROTONOSUPPORT);
	EXPECT_EQ(revision(true, "", 2), -EPROTONOSUPPORT);
	/* Matches and targets are separate name spaces. */
	EXPECT_EQ(revision(true, "tcp", 0), -ENOENT);
	EXPECT_EQ(revision(false, "ERROR", 0), -ENOENT);
	EXPECT_EQ(revision(false, "", 0), -ENOENT);
	/* What bpfilter cannot enforce is unknown to it. */
	EXPECT_EQ(revision(false, "udplite", 0), -ENOENT);
	EXPECT_EQ(revision(false, "recent", 0), -ENOENT);
	EXPECT_EQ(revision(true, "NFQUEUE", 0), -ENOENT);
	/* Revisions as 6.1 registers them. */
	EXPECT_EQ(revision(false, "conntrack", 3), 0);
	EXPECT_EQ(revision(false, "conntrack", 1), 0);
	EXPECT_EQ(revision(false, "conntrack", 0), -EPROTONOSUPPORT);
	EXPECT_EQ(revision(false, "state", 0), 0);
	EXPECT_EQ(revision(true, "REJECT", 0), 0);
	EXPECT_EQ(revision(true, "LOG", 0), 0);
	EXPECT_EQ(revision(true, "MARK", 2), 0);
	EXPECT_EQ(revision(true, "MARK", 1), -EPROTONOSUPPORT);
	EXPECT_EQ(revision(true, "ACCEPT", 0), -ENOENT);
	EXPECT_EQ(revision(true, "standard", 0), -ENOENT);
	/* An unterminated name is cut, not read past. */
	memset(unterminated, 'a', sizeof(unterminated));
	memcpy(unterminated, "tcp", 4);
	EXPECT_EQ(revision(false, unterminated, 0), 0);
	memset(unterminated, 'a', sizeof(unterminated));
	EXPECT_EQ(revision(false, unterminated, 0), -ENOENT);
}

static void test_revision_bad_len(void)
{
	unsigned char buf[64] = "tcp";
	struct exchange x = { 0 };

	get(&x, 1, BPFILTER_IPT_SO_GET_REVISION_MATCH, buf,
	    sizeof(struct xt_get_revision) - 1);
	EXPECT_EQ(x.reply.status, -EINVAL);
	get(&x, 1, BPFILTER_IPT_SO_GET_REVISION_TARGET, buf,
	    sizeof(struct xt_get_revision) + 1);
	EXPECT_EQ(x.reply.status, -EINVAL);
	get(&x, 1, BPFILTER_IPT_SO_GET_REVISION_TARGET, NULL, 0);
	EXPECT_EQ(x.reply.status, -EINVAL);
	exchange_reset(&x);
}

static void test_get_info_bad_len(void)
{
	unsigned char buf[BPFILTER_GET_INPUT_MAX] = "filter";
	struct exchange x = { 0 };
	__u32 optlen;

	for (optlen = 0; optlen < 300; optlen++) {
		if (optlen == sizeof(struct ipt_getinfo))
			continue;
		get(&x, 2, BPFILTER_IPT_SO_GET_INFO, buf, optlen);
		EXPECT_EQ(x.reply.status, -EINVAL);
		/* x_tables checks the length before it looks the table up. */
		EXPECT_EQ(x.reply.tables, 0);
	}
	exchange_reset(&x);
}

static void test_get_info_filter(void)
{
	const struct ipt_getinfo *info;
	struct exchange x = { 0 };
	unsigned int i;

	EXPECT_EQ(get_info(&x, 3, "filter"), 0);
	EXPECT_EQ(x.reply.tables, 1U << BPFILTER_TABLE_FILTER);
	EXPECT_EQ(x.reply.payload_len, sizeof(*info));
	if (x.reply.payload_len != sizeof(*info)) {
		exchange_reset(&x);
		return;
	}

	info = x.payload;
	EXPECT(!memcmp(info->name, "filter", sizeof("filter")));
	for (i = sizeof("filter"); i < sizeof(info->name); i++)
		EXPECT_EQ(info->name[i], 0);
	EXPECT_EQ(info->valid_hooks, (1 << NF_INET_LOCAL_IN) |
		  (1 << NF_INET_FORWARD) | (1 << NF_INET_LOCAL_OUT));
	EXPECT_EQ(info->hook_entry[NF_INET_PRE_ROUTING], 0xFFFFFFFFU);
	EXPECT_EQ(info->hook_entry[NF_INET_LOCAL_IN], 0);
	EXPECT_EQ(info->hook_entry[NF_INET_FORWARD], POLICY_RULE_SIZE);
	EXPECT_EQ(info->hook_entry[NF_INET_LOCAL_OUT], 2 * POLICY_RULE_SIZE);
	EXPECT_EQ(info->hook_entry[NF_INET_POST_ROUTING], 0xFFFFFFFFU);
	EXPECT(!memcmp(info->hook_entry, info->underflow,
		       sizeof(info->hook_entry)));
	EXPECT_EQ(info->num_entries, 4);
	EXPECT_EQ(info->size, FILTER_SIZE);
	exchange_reset(&x);
}

/* x_tables cuts the name at 31 bytes and returns it zero-padded. */
static void test_get_info_name_handling(void)
{
	struct ipt_getinfo in = { 0 };
	const struct ipt_getinfo *info;
	struct exchange x = { 0 };

	memset(in.name, 'x', sizeof(in.name));
	memcpy(in.name, "filter", sizeof("filter"));
	get(&x, 4, BPFILTER_IPT_SO_GET_INFO, &in, sizeof(in));
	EXPECT_EQ(x.reply.status, 0);
	if (x.reply.payload_len == sizeof(*info)) {
		info = x.payload;
		EXPECT_EQ(info->name[sizeof("filter")], 0);
		EXPECT_EQ(info->name[sizeof(info->name) - 1], 0);
	}

	/* 31 bytes that are not a table name, then one that is cut. */
	memset(in.name, 'a', sizeof(in.name));
	get(&x, 4, BPFILTER_IPT_SO_GET_INFO, &in, sizeof(in));
	EXPECT_EQ(x.reply.status, -ENOENT);
	exchange_reset(&x);
}

static void test_unknown_table(void)
{
	static const char *const names[] = {
		"nat", "mangle", "raw", "security", "nosuchtable", "",
		"FILTER", "filter ",
	};
	struct exchange x = { 0 };
	unsigned int i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		EXPECT_EQ(get_info(&x, 5, names[i]), -ENOENT);
		EXPECT_EQ(x.reply.tables, 0);
		EXPECT_EQ(get_entries(&x, 5, names[i], 0,
				      sizeof(struct ipt_get_entries)), -ENOENT);
		EXPECT_EQ(x.reply.tables, 0);
	}
	exchange_reset(&x);
}

static void test_get_entries_bad_len(void)
{
	struct exchange x = { 0 };
	__u32 optlen;

	for (optlen = 0; optlen < sizeof(struct ipt_get_entries); optlen++) {
		EXPECT_EQ(get_entries(&x, 6, "filter", 0, optlen), -EINVAL);
		EXPECT_EQ(x.reply.tables, 0);
	}
	/* optlen must be exactly the header plus the size it names. */
	EXPECT_EQ(get_entries(&x, 6, "filter", FILTER_SIZE,
			      sizeof(struct ipt_get_entries) + FILTER_SIZE - 1),
		  -EINVAL);
	EXPECT_EQ(get_entries(&x, 6, "filter", FILTER_SIZE,
			      sizeof(struct ipt_get_entries) + FILTER_SIZE + 1),
		  -EINVAL);
	EXPECT_EQ(get_entries(&x, 6, "filter", 0xFFFFFFFFU,
			      sizeof(struct ipt_get_entries) - 1), -EINVAL);
	EXPECT_EQ(get_entries(&x, 6, "filter", 0xFFFFFFFFU, 0xFFFFFFFFU),
		  -EINVAL);
	EXPECT_EQ(x.reply.tables, 0);
	exchange_reset(&x);
}

static void test_get_entries_stale_size(void)
{
	struct exchange x = { 0 };

	EXPECT_EQ(get_entries(&x, 7, "filter", FILTER_SIZE + 8,
			      sizeof(struct ipt_get_entries) + FILTER_SIZE + 8),
		  -EAGAIN);
	/* As x_tables, the lookup instantiated the table all the same. */
	EXPECT_EQ(x.reply.tables, 1U << BPFILTER_TABLE_FILTER);
	EXPECT_EQ(get_entries(&x, 7, "filter", 0,
			      sizeof(struct ipt_get_entries)), -EAGAIN);
	exchange_reset(&x);
}

static void expect_policy_rule(const unsigned char *p, unsigned int hook)
{
	const struct ipt_entry *e = (const void *)p;
	const struct xt_standard_target *t = (const void *)e->elems;
	struct ipt_entry zero_entry = { 0 };
	unsigned int i;

	EXPECT(!memcmp(&e->ip, &zero_entry.ip, sizeof(e->ip)));
	EXPECT_EQ(e->nfcache, 0);
	EXPECT_EQ(e->target_offset, sizeof(*e));
	EXPECT_EQ(e->next_offset, POLICY_RULE_SIZE);
	EXPECT_EQ(e->comefrom, 1U << hook);
	EXPECT_EQ(e->counters.pcnt, 0);
	EXPECT_EQ(e->counters.bcnt, 0);
	EXPECT_EQ(t->target.u.user.target_size, 40);
	for (i = 0; i < sizeof(t->target.u.user.name); i++)
		EXPECT_EQ(t->target.u.user.name[i], 0);
	EXPECT_EQ(t->target.u.user.revision, 0);
	EXPECT_EQ(t->verdict, -NF_ACCEPT - 1);
	for (i = sizeof(*e) + sizeof(*t); i < POLICY_RULE_SIZE; i++)
		EXPECT_EQ(p[i], 0);
}

static void expect_error_rule(const unsigned char *p)
{
	const struct ipt_entry *e = (const void *)p;
	const struct xt_error_target *t = (const void *)e->elems;
	unsigned int i;

	EXPECT_EQ(e->target_offset, sizeof(*e));
	EXPECT_EQ(e->next_offset, ERROR_RULE_SIZE);
	EXPECT_EQ(e->comefrom, 0);
	EXPECT_EQ(t->target.u.user.target_size, 64);
	EXPECT(!memcmp(t->target.u.user.name, "ERROR", sizeof("ERROR")));
	EXPECT(!memcmp(t->errorname, "ERROR", sizeof("ERROR")));
	for (i = sizeof(*e) + 32 + sizeof("ERROR"); i < ERROR_RULE_SIZE; i++)
		EXPECT_EQ(p[i], 0);
	for (i = sizeof(*e) + 2 + sizeof("ERROR"); i < sizeof(*e) + 31; i++)
		EXPECT_EQ(p[i], 0);
}

static void test_get_entries_filter(void)
{
	const size_t hdr = sizeof(struct ipt_get_entries);
	unsigned char buf[BPFILTER_GET_INPUT_MAX];
	struct ipt_get_entries in = { .size = FILTER_SIZE };
	struct bpfilter_request req;
	struct exchange x = { 0 };
	const unsigned char *p;

	/* Bytes after the name's NUL are the caller's, and come back. */
	memset(in.name, 'z', sizeof(in.name));
	memcpy(in.name, "filter", sizeof("filter"));
	memset(buf, 0x5a, sizeof(buf));
	memcpy(buf, &in, hdr);
	req = request(BPFILTER_CMD_GETSOCKOPT, 8, BPFILTER_IPT_SO_GET_ENTRIES,
		      hdr + FILTER_SIZE, BPFILTER_GET_INPUT_MAX);
	send_request(&x, &req, buf);
	EXPECT_EQ(x.ret, 0);
	EXPECT_EQ(x.reply.status, 0);
	EXPECT_EQ(x.reply.tables, 1U << BPFILTER_TABLE_FILTER);
	EXPECT_EQ(x.reply.payload_len, hdr + FILTER_SIZE);
	if (x.reply.payload_len != hdr + FILTER_SIZE) {
		exchange_reset(&x);
		return;
	}

	p = x.payload;
	EXPECT(!memcmp(p, &in, hdr));
	expect_policy_rule(p + hdr, NF_INET_LOCAL_IN);
	expect_policy_rule(p + hdr + POLICY_RULE_SIZE, NF_INET_FORWARD);
	expect_policy_rule(p + hdr + 2 * POLICY_RULE_SIZE, NF_INET_LOCAL_OUT);
	expect_error_rule(p + hdr + 3 * POLICY_RULE_SIZE);
	exchange_reset(&x);
}

static void ping_tables(__u64 cookie, __u16 tables)
{
	struct bpfilter_request req = request(BPFILTER_CMD_PING, cookie, 0, 0, 0);
	struct exchange x = { 0 };

	send_request(&x, &req, NULL);
	EXPECT_EQ(x.reply.status, 0);
	EXPECT_EQ(x.reply.tables, tables);
	exchange_reset(&x);
}

static void test_per_netns(void)
{
	struct exchange x = { 0 };

	ping_tables(100, 0);
	ping_tables(101, 0);
	EXPECT_EQ(get_info(&x, 100, "filter"), 0);
	ping_tables(100, 1U << BPFILTER_TABLE_FILTER);
	ping_tables(101, 0);
	/* A second instantiation attempt changes nothing. */
	EXPECT_EQ(get_info(&x, 100, "filter"), 0);
	EXPECT_EQ(x.reply.tables, 1U << BPFILTER_TABLE_FILTER);
	EXPECT_EQ(get_entries(&x, 101, "filter", FILTER_SIZE,
			      sizeof(struct ipt_get_entries) + FILTER_SIZE), 0);
	ping_tables(101, 1U << BPFILTER_TABLE_FILTER);
	ping_tables(~0ULL, 0);
	ping_tables(0, 0);
	exchange_reset(&x);
}

/* Enough namespaces to make the cookie map grow several times. */
static void test_many_netns(void)
{
	struct exchange x = { 0 };
	__u64 cookie;

	for (cookie = 1000; cookie < 6000; cookie++)
		EXPECT_EQ(get_info(&x, cookie, "filter"), 0);
	for (cookie = 1000; cookie < 6000; cookie += 7)
		ping_tables(cookie, 1U << BPFILTER_TABLE_FILTER);
	ping_tables(6000, 0);
	ping_tables(999, 0);
	exchange_reset(&x);
}

int main(void)
{
	core = bpfilter_core_new();
	if (!core) {
		printf("Bail out! bpfilter_core_new() failed\n");
		return 1;
	}

	/* First: refusals elsewhere would use up the log's rate limit. */
	tap_failures += test_log_all(core);
	tap_run("ping answers status 0, no payload, no tables", test_ping);
	tap_run("bad magic stops the stream (-EPROTO)", test_bad_magic);
	tap_run("bad version stops the stream (-EPROTO)", test_bad_version);
	tap_run("payload above its command's maximum is refused (-EMSGSIZE)",
		test_oversized_payload);
	tap_run("unknown command is -EINVAL", test_bad_cmd);
	tap_run("a request without HZ or with HZ above BPFILTER_HZ_MAX is -EINVAL", test_hz_bounds);
	tap_run("payload_len inconsistent with cmd/optlen is -EINVAL",
		test_payload_len_mismatch);
	tap_run("unknown get/set optname is -EINVAL", test_unknown_optname);
	tap_run("revision queries: 0, -EPROTONOSUPPORT or -ENOENT as xt_find_revision()",
		test_revisions);
	tap_run("revision query with wrong optlen is -EINVAL",
		test_revision_bad_len);
	tap_run("GET_INFO optlen other than 84 is -EINVAL, instantiates nothing",
		test_get_info_bad_len);
	tap_run("GET_INFO filter returns the initial table's info",
		test_get_info_filter);
	tap_run("GET_INFO cuts the name at 31 bytes and zero-pads it",
		test_get_info_name_handling);
	tap_run("unknown table names are -ENOENT and leave no table",
		test_unknown_table);
	tap_run("GET_ENTRIES length errors are -EINVAL",
		test_get_entries_bad_len);
	tap_run("GET_ENTRIES with a stale size is -EAGAIN, still instantiates",
		test_get_entries_stale_size);
	tap_run("GET_ENTRIES filter returns the initial rules",
		test_get_entries_filter);
	tap_run("tables are instantiated per network namespace",
		test_per_netns);
	tap_run("5000 namespaces keep their tables", test_many_netns);

	tap_failures += test_replace_all(core);
	tap_failures += test_compile_all(core);
	tap_failures += test_sandbox_all();

	bpfilter_core_free(core);
	return tap_exit_code();
}
