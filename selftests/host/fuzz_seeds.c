// SPDX-License-Identifier: GPL-2.0
/*
 * fuzz-seeds DIR: writes a few valid request streams into DIR as the
 * fuzzer's starting corpus, so that it begins past the magic and length
 * checks rather than having to guess them, and with valid tables (the
 * one of replace_cases.c) to mutate.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "../../include/uapi/linux/bpfilter.h"
#include "../../net/bpfilter/msgfmt.h"
#include "replace_diff.h"
#include "wire_request.h"

static FILE *seed;

static void add_request(__u16 cmd, __u64 cookie, __u32 optname,
			__u32 optlen, const void *payload, __u32 payload_len)
{
	struct bpfilter_request req = wire_request(cmd, cookie, optname,
						   optlen, payload_len);

	req.id = cookie * 100 + optname;
	fwrite(&req, sizeof(req), 1, seed);
	fwrite(payload, 1, payload_len, seed);
}

static void add_get_info(__u64 cookie, const char *table)
{
	struct ipt_getinfo info = { 0 };

	strncpy(info.name, table, sizeof(info.name));
	add_request(BPFILTER_CMD_GETSOCKOPT, cookie, IPT_SO_GET_INFO,
		    sizeof(info), &info, sizeof(info));
}

static void add_get_entries(__u64 cookie, const char *table, __u32 size)
{
	unsigned char buf[BPFILTER_GET_INPUT_MAX] = { 0 };
	struct ipt_get_entries get = { .size = size };
	__u32 optlen = sizeof(get) + size;

	strncpy(get.name, table, sizeof(get.name));
	memcpy(buf, &get, sizeof(get));
	add_request(BPFILTER_CMD_GETSOCKOPT, cookie, IPT_SO_GET_ENTRIES, optlen,
		    buf, optlen < sizeof(buf) ? optlen : sizeof(buf));
}

static void add_get_revision(__u32 optname, const char *name)
{
	struct xt_get_revision rev = { 0 };

	strncpy(rev.name, name, sizeof(rev.name) - 1);
	add_request(BPFILTER_CMD_GETSOCKOPT, 1, optname, sizeof(rev), &rev,
		    sizeof(rev));
}

static void add_set(__u32 optname, __u32 len)
{
	void *buf = calloc(1, len);

	add_request(BPFILTER_CMD_SETSOCKOPT, 1, optname, len, buf, len);
	free(buf);
}

/* The test table as a SET_REPLACE (or RESTORE) payload. */
static void add_replace(__u16 cmd, __u64 cookie, unsigned int num_counters,
			bool with_counters)
{
	struct ipt_getinfo info;
	unsigned char *entries, *buf;
	struct payload p;
	size_t len;

	test_table_build(&info, &entries);
	pl_build(&p, &info, entries, num_counters);
	len = p.len + (with_counters ? info.num_entries * sizeof(struct xt_counters) : 0);
	buf = calloc(1, len);
	memcpy(buf, p.buf, p.len);
	if (with_counters)
		memset(buf + p.len, 1, len - p.len);
	add_request(cmd, cookie, IPT_SO_SET_REPLACE, len, buf, len);
	free(buf);
	free(p.buf);
	free(entries);
}

static void add_counters(__u64 cookie, unsigned int n)
{
	__u32 len = sizeof(struct xt_counters_info) + n * sizeof(struct xt_counters);
	struct xt_counters_info *info = calloc(1, len);

	strcpy(info->name, "filter");
	info->num_counters = n;
	memset(info + 1, 2, len - sizeof(*info));
	add_request(BPFILTER_CMD_SETSOCKOPT, cookie, IPT_SO_SET_ADD_COUNTERS,
		    len, info, len);
	free(info);
}

static void open_seed(const char *dir, const char *name)
{
	char path[4096];

	if (seed)
		fclose(seed);
	snprintf(path, sizeof(path), "%s/seed-%s", dir, name);
	seed = fopen(path, "wb");
	if (!seed) {
		perror(path);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}

	open_seed(argv[1], "ping");
	add_request(BPFILTER_CMD_PING, 1, 0, 0, NULL, 0);

	open_seed(argv[1], "read-filter");
	add_get_info(1, "filter");
	add_get_entries(1, "filter", 632);

	open_seed(argv[1], "two-netns");
	add_get_entries(1, "filter", 632);
	add_get_info(2, "filter");
	add_get_info(2, "nat");
	add_request(BPFILTER_CMD_PING, 2, 0, 0, NULL, 0);

	open_seed(argv[1], "revisions");
	add_get_revision(IPT_SO_GET_REVISION_MATCH, "tcp");
	add_get_revision(IPT_SO_GET_REVISION_TARGET, "REJECT");

	open_seed(argv[1], "set");
	add_set(IPT_SO_SET_REPLACE, sizeof(struct ipt_replace) + 632);
	add_set(IPT_SO_SET_ADD_COUNTERS, sizeof(struct xt_counters_info) + 64);

	open_seed(argv[1], "replace");
	add_replace(BPFILTER_CMD_SETSOCKOPT, 1, 4, false);
	add_counters(1, 25);
	add_replace(BPFILTER_CMD_SETSOCKOPT, 1, 25, false);
	add_get_entries(1, "filter", 3928);

	open_seed(argv[1], "restore");
	add_replace(BPFILTER_CMD_RESTORE, 3, 1, true);
	add_request(BPFILTER_CMD_STATS, 0, 0, 0, NULL, 0);
	add_request(BPFILTER_CMD_NETNS_EXIT, 3, 0, 0, NULL, 0);
	add_request(BPFILTER_CMD_STATS, 0, 0, 0, NULL, 0);

	open_seed(argv[1], "compile");
	add_request(BPFILTER_CMD_COMPILE, 4, 0, 0, NULL, 0);
	add_replace(BPFILTER_CMD_COMPILE, 4, 25, false);
	add_replace(BPFILTER_CMD_SETSOCKOPT, 4, 4, false);
	add_request(BPFILTER_CMD_COMPILE, 4, 0, 0, NULL, 0);

	fclose(seed);
	return 0;
}
