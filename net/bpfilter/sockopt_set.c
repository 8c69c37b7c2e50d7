// SPDX-License-Identifier: GPL-2.0
/*
 * IPT_SO_SET_REPLACE and IPT_SO_SET_ADD_COUNTERS.  Rules cannot be
 * changed yet: refuse with -EOPNOTSUPP, which iptables reports as such.
 * Never -ENOPROTOOPT: the kernel would then hand the call to x_tables,
 * and the rules would silently live in a table bpfilter does not serve.
 */
#include <errno.h>

#include "log.h"
#include "sockopt.h"

static int set_refuse(const char *optname, const struct sockopt_call *call)
{
	bpfilter_log_ratelimited("%s of %u bytes refused: changing rules is not supported yet",
				 optname, call->optlen);
	return -EOPNOTSUPP;
}

int bpfilter_set_replace(const struct sockopt_call *call)
{
	return set_refuse("IPT_SO_SET_REPLACE", call);
}

int bpfilter_set_add_counters(const struct sockopt_call *call)
{
	return set_refuse("IPT_SO_SET_ADD_COUNTERS", call);
}
