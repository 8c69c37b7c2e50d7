// SPDX-License-Identifier: GPL-2.0
/* Reading x_tables' filter table back (GET_INFO, then GET_ENTRIES). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <netinet/in.h>

#include "xt_read.h"

struct ipt_replace *xt_read_filter(void)
{
	struct ipt_getinfo info = { .name = "filter" };
	socklen_t optlen = sizeof(info);
	struct ipt_replace *repl = NULL;
	struct ipt_get_entries *ge = NULL;
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW), err;

	if (fd < 0)
		return NULL;
	if (getsockopt(fd, SOL_IP, IPT_SO_GET_INFO, &info, &optlen))
		goto out;
	optlen = sizeof(*ge) + info.size;
	ge = calloc(1, optlen);
	repl = calloc(1, sizeof(*repl) + info.size);
	if (!ge || !repl)
		goto fail;
	strcpy(ge->name, "filter");
	ge->size = info.size;
	if (getsockopt(fd, SOL_IP, IPT_SO_GET_ENTRIES, ge, &optlen))
		goto fail;
	strcpy(repl->name, "filter");
	repl->valid_hooks = info.valid_hooks;
	repl->num_entries = info.num_entries;
	repl->size = info.size;
	memcpy(repl->hook_entry, info.hook_entry, sizeof(repl->hook_entry));
	memcpy(repl->underflow, info.underflow, sizeof(repl->underflow));
	/* Not checked by ipt_translate(): the core's SET_REPLACE checks it. */
	repl->num_counters = info.num_entries;
	memcpy(repl->entries, ge->entrytable, info.size);
	goto out;
fail:
	err = errno;
	free(repl);
	repl = NULL;
	errno = err;
out:
	err = errno;
	free(ge);
	close(fd);
	errno = err;
	return repl;
}
