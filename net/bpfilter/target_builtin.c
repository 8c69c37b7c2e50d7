// SPDX-License-Identifier: GPL-2.0
/*
 * ip_tables' built-in targets.  Neither has a checkentry: what their
 * data must hold (a valid verdict, a terminated chain name) is checked
 * with the entry's offsets, before jumps are followed (translate.c).
 */
#include <linux/netfilter_ipv4/ip_tables.h>

#include "ext.h"

/* The verdict: a negative NF_* verdict, XT_RETURN, or a jump offset. */
const struct bpfilter_ext bpfilter_target_standard = {
	.name = XT_STANDARD_TARGET,
	.revision = 0,
	.size = sizeof(int),
};

/* Heads a user chain (its name) or ends the table; drops if reached. */
const struct bpfilter_ext bpfilter_target_error = {
	.name = XT_ERROR_TARGET,
	.revision = 0,
	.size = XT_FUNCTION_MAXNAMELEN,
};
