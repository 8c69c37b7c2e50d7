// SPDX-License-Identifier: GPL-2.0
/* IPT_SO_GET_INFO and IPT_SO_GET_ENTRIES: reading a table. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "sockopt.h"
#include "table.h"
#include "translate.h"

/* x_tables sizes the request by the header and copies to entrytable. */
_Static_assert(offsetof(struct ipt_get_entries, entrytable) ==
	       sizeof(struct ipt_get_entries), "no tail padding in header");

int bpfilter_get_info(const struct sockopt_call *call, void **out,
		      __u32 *out_len)
{
	char name[XT_TABLE_MAXNAMELEN];
	struct ipt_table_store *table;
	struct ipt_getinfo *info;
	int ret;

	if (call->optlen != sizeof(*info))
		return -EINVAL;

	/* The caller need not terminate the name; x_tables cuts it. */
	memcpy(name, call->payload, sizeof(name));
	name[sizeof(name) - 1] = '\0';

	ret = bpfilter_table_get(call->nets, call->net_cookie, name, &table);
	if (ret)
		return ret;

	/* Zeroed: the name's tail reads back as x_tables' zeroes. */
	info = calloc(1, sizeof(*info));
	if (!info)
		return -ENOMEM;

	strcpy(info->name, name);
	info->valid_hooks = table->valid_hooks;
	memcpy(info->hook_entry, table->hook_entry, sizeof(info->hook_entry));
	memcpy(info->underflow, table->underflow, sizeof(info->underflow));
	info->num_entries = table->num_entries;
	info->size = table->size;

	*out = info;
	*out_len = sizeof(*info);
	return 0;
}

int bpfilter_get_entries(const struct sockopt_call *call, void **out,
			 __u32 *out_len)
{
	struct ipt_table_store *table;
	struct ipt_get_entries get;
	unsigned char *reply;
	int ret;

	if (call->optlen < sizeof(get))
		return -EINVAL;

	memcpy(&get, call->payload, sizeof(get));
	/* In 64 bits, as the kernel's size_t sum: a huge size cannot wrap. */
	if ((uint64_t)call->optlen != sizeof(get) + (uint64_t)get.size)
		return -EINVAL;
	get.name[sizeof(get.name) - 1] = '\0';

	/* Looking the table up instantiates it, even if the size is stale. */
	ret = bpfilter_table_get(call->nets, call->net_cookie, get.name,
				 &table);
	if (ret)
		return ret;
	if (get.size != table->size)
		return -EAGAIN;

	reply = malloc(call->optlen);
	if (!reply)
		return -ENOMEM;

	/*
	 * x_tables writes only the entries: the header stays as the caller
	 * wrote it, unterminated name included, so echo the caller's bytes.
	 */
	memcpy(reply, call->payload, sizeof(get));
	memcpy(reply + sizeof(get), table->entries, table->size);
	ipt_entries_hide_private(reply + sizeof(get), table->size);

	*out = reply;
	*out_len = call->optlen;
	return 0;
}
