/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Handlers of the ip_tables socket options, one per optname, each
 * answering as 6.1's do_ipt_get_ctl()/do_ipt_set_ctl() would.
 */
#ifndef BPFILTER_SOCKOPT_H
#define BPFILTER_SOCKOPT_H

#include <stdbool.h>

#include "../../include/uapi/linux/bpfilter.h"
#include "msgfmt.h"

struct bpfilter_netns_map;

/*
 * One forwarded call.  The core has checked that @payload holds what the
 * wire format promises: the caller's first min(optlen,
 * BPFILTER_GET_INPUT_MAX) bytes for a get, all optlen bytes for a set.
 */
struct sockopt_call {
	struct bpfilter_netns_map *nets;
	__u64 net_cookie;
	__u32 optlen;
	const void *payload;
};

/*
 * A get handler's answer: on success, *out is NULL or a malloc()ed
 * buffer of *out_len bytes (at most optlen) for the caller's buffer.
 * Every handler returns 0 or a negative errno.
 */
int bpfilter_get_info(const struct sockopt_call *call, void **out,
		      __u32 *out_len);
int bpfilter_get_entries(const struct sockopt_call *call, void **out,
			 __u32 *out_len);
int bpfilter_get_revision(const struct sockopt_call *call, bool target);

/*
 * A successful IPT_SO_SET_REPLACE answers with the replaced table's
 * counters, num_counters of them, in *out (malloc()ed, *out_len bytes).
 */
int bpfilter_set_replace(const struct sockopt_call *call, void **out,
			 __u32 *out_len);
int bpfilter_set_add_counters(const struct sockopt_call *call);

struct ipt_table_store;

/*
 * A COMPILE's candidate table (@call as for IPT_SO_SET_REPLACE): checked
 * as bpfilter_set_replace() checks it, with the same errno, except for
 * num_counters against the current table; nothing is stored or
 * instantiated.  On success *@table is the translated table, the
 * caller's (ipt_table_store_free()).
 */
int bpfilter_replace_candidate(const struct sockopt_call *call,
			       struct ipt_table_store **table);

/*
 * BPFILTER_CMD_RESTORE (see bpfilter.h): @call->payload holds
 * @call->optlen bytes, a SET_REPLACE payload then, optionally, the
 * counters to start from.
 */
int bpfilter_restore(const struct sockopt_call *call);

#endif /* BPFILTER_SOCKOPT_H */
