// SPDX-License-Identifier: GPL-2.0
/*
 * core-dump: dump_main.c's requests, answered by bpfilter's core the
 * way the module forwards them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "dump.h"
#include "wire_request.h"

/* Any cookie: the core is fresh, like the scratch netns it is compared to. */
#define DUMP_NET_COOKIE	1

static struct bpfilter_core *core;
static unsigned int tables;	/* the last reply's */

int transport_open(void)
{
	int null;

	core = bpfilter_core_new();
	if (!core)
		return -ENOMEM;
	/* The core's log lines stand for x_tables' dmesg lines, which
	 * ipt-dump does not print either.
	 */
	null = open("/dev/null", O_WRONLY);
	if (null >= 0) {
		dup2(null, STDERR_FILENO);
		close(null);
	}
	return 0;
}

/*
 * Sends @req with @buf as its payload.  A get's answer is copied back into
 * @buf, at most *@len bytes; a set's (@len NULL: SET_REPLACE's old
 * counters) is dropped.
 */
static int core_call(const struct bpfilter_request *req, void *buf,
		     unsigned int *len)
{
	struct bpfilter_reply reply;
	void *out;
	int ret;

	ret = bpfilter_core_handle(core, req, buf, &reply, &out);
	if (ret)
		return ret;
	tables = reply.tables;
	ret = reply.status;
	/* The module never copies more than the caller's buffer holds. */
	if (!ret && len && reply.payload_len > *len)
		ret = -EMSGSIZE;
	else if (!ret && len && reply.payload_len)
		memcpy(buf, out, reply.payload_len);
	free(out);
	return ret;
}

int transport_getsockopt(int optname, void *buf, unsigned int *len)
{
	struct bpfilter_request req =
		wire_request(BPFILTER_CMD_GETSOCKOPT, DUMP_NET_COOKIE, optname,
			     *len, *len < BPFILTER_GET_INPUT_MAX ? *len :
				   BPFILTER_GET_INPUT_MAX);

	return core_call(&req, buf, len);
}

int transport_setsockopt(int optname, void *buf, unsigned int len)
{
	struct bpfilter_request req =
		wire_request(BPFILTER_CMD_SETSOCKOPT, DUMP_NET_COOKIE, optname,
			     len, len);

	return core_call(&req, buf, NULL);
}

void transport_close(void)
{
	bpfilter_core_free(core);
}

void transport_print_tables(void)
{
	if (tables & (1U << BPFILTER_TABLE_FILTER))
		printf("filter\n");
}
