// SPDX-License-Identifier: GPL-2.0
#include "table.h"

/*
 * iptable_filter: INPUT, FORWARD and OUTPUT.  Its "forward" module
 * parameter defaults to true, i.e. FORWARD starts with ACCEPT as well,
 * which is the only setting bpfilter mimics.
 */
const struct ipt_table_template bpfilter_filter_template = {
	.name = "filter",
	.id = BPFILTER_TABLE_FILTER,
	.valid_hooks = (1U << NF_INET_LOCAL_IN) | (1U << NF_INET_FORWARD) |
		       (1U << NF_INET_LOCAL_OUT),
};
