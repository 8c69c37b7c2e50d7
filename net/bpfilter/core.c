// SPDX-License-Identifier: GPL-2.0
/* Request validation and dispatch: the wire format's rules live here. */
#include <errno.h>
#include <stdlib.h>

#include "core.h"
#include "ext.h"
#include "image.h"
#include "netns.h"
#include "sockopt.h"
#include "table.h"

struct bpfilter_core {
	struct bpfilter_netns_map *nets;
};

struct bpfilter_core *bpfilter_core_new(void)
{
	struct bpfilter_core *core;

	core = calloc(1, sizeof(*core));
	if (!core)
		return NULL;

	core->nets = bpfilter_netns_map_new();
	if (!core->nets) {
		free(core);
		return NULL;
	}

	return core;
}

void bpfilter_core_free(struct bpfilter_core *core)
{
	if (!core)
		return;

	bpfilter_netns_map_free(core->nets);
	free(core);
}

__u32 bpfilter_request_payload_max(__u16 cmd)
{
	switch (cmd) {
	case BPFILTER_CMD_SETSOCKOPT:
	case BPFILTER_CMD_COMPILE:
		return BPFILTER_SET_PAYLOAD_MAX;
	case BPFILTER_CMD_RESTORE:
		return BPFILTER_RESTORE_PAYLOAD_MAX;
	default:
		return BPFILTER_GET_INPUT_MAX;
	}
}

int bpfilter_request_check_framing(const struct bpfilter_request *req)
{
	if (req->magic != BPFILTER_WIRE_MAGIC ||
	    req->version != BPFILTER_WIRE_VERSION)
		return -EPROTO;
	if (req->payload_len > bpfilter_request_payload_max(req->cmd))
		return -EMSGSIZE;
	return 0;
}

static __u32 get_input_len(__u32 optlen)
{
	return optlen < BPFILTER_GET_INPUT_MAX ? optlen : BPFILTER_GET_INPUT_MAX;
}

/* Unknown optnames get do_ipt_get_ctl()'s and do_ipt_set_ctl()'s -EINVAL. */
static int handle_getsockopt(const struct sockopt_call *call, __u32 optname,
			     void **out, __u32 *out_len)
{
	switch (optname) {
	case BPFILTER_IPT_SO_GET_INFO:
		return bpfilter_get_info(call, out, out_len);
	case BPFILTER_IPT_SO_GET_ENTRIES:
		return bpfilter_get_entries(call, out, out_len);
	case BPFILTER_IPT_SO_GET_REVISION_MATCH:
		return bpfilter_get_revision(call, false);
	case BPFILTER_IPT_SO_GET_REVISION_TARGET:
		return bpfilter_get_revision(call, true);
	default:
		return -EINVAL;
	}
}

static int handle_setsockopt(const struct sockopt_call *call, __u32 optname,
			     void **out, __u32 *out_len)
{
	switch (optname) {
	case BPFILTER_IPT_SO_SET_REPLACE:
		return bpfilter_set_replace(call, out, out_len);
	case BPFILTER_IPT_SO_SET_ADD_COUNTERS:
		return bpfilter_set_add_counters(call);
	default:
		return -EINVAL;
	}
}

static int stats(const struct bpfilter_core *core, void **out, __u32 *out_len)
{
	struct bpfilter_stats *st = malloc(sizeof(*st));

	if (!st)
		return -ENOMEM;
	bpfilter_netns_map_stats(core->nets, st);
	*out = st;
	*out_len = sizeof(*st);
	return 0;
}

/*
 * BPFILTER_CMD_COMPILE: the committed filter table (no payload) or a
 * candidate, compiled for bpfilter.ko's hooks.  What the code generator
 * refuses (-E2BIG, ...) is an answer, carried in the image's header: the
 * module then refuses the table.  Only a refused candidate and ENOMEM
 * are the reply's status.
 */
static int compile(const struct sockopt_call *call, void **out,
		   __u32 *out_len)
{
	struct ipt_table_store *table = NULL, *candidate = NULL;
	struct bpfilter_image *image = NULL;
	int ret;

	if (call->optlen) {
		ret = bpfilter_replace_candidate(call, &candidate);
		table = candidate;
	} else {
		ret = bpfilter_table_get(call->nets, call->net_cookie, "filter",
					 &table);
	}
	if (ret)
		return ret;

	ret = bpfilter_codegen(table, BPFILTER_FLAVOUR_SCHED_CLS, &image);
	if (ret != -ENOMEM)
		ret = bpfilter_image_serialize(ret ? NULL : image, ret,
					       table->num_entries, out, out_len);
	bpfilter_image_free(image);
	ipt_table_store_free(candidate);
	return ret;
}

/*
 * The payload must be exactly what the wire format promises for the
 * command, so that handlers can read their fixed-size inputs unchecked.
 */
static int dispatch(struct bpfilter_core *core,
		    const struct bpfilter_request *req, const void *payload,
		    void **out, __u32 *out_len)
{
	const struct sockopt_call call = {
		.nets = core->nets,
		.net_cookie = req->net_cookie,
		.optlen = req->optlen,
		.payload = payload,
	};

	if (!req->hz || req->hz > BPFILTER_HZ_MAX)
		return -EINVAL;
	bpfilter_set_hz(req->hz);

	switch (req->cmd) {
	case BPFILTER_CMD_PING:
		return req->payload_len ? -EINVAL : 0;
	case BPFILTER_CMD_GETSOCKOPT:
		if (req->payload_len != get_input_len(req->optlen))
			return -EINVAL;
		return handle_getsockopt(&call, req->optname, out, out_len);
	case BPFILTER_CMD_SETSOCKOPT:
		if (req->payload_len != req->optlen)
			return -EINVAL;
		return handle_setsockopt(&call, req->optname, out, out_len);
	case BPFILTER_CMD_RESTORE: {
		/* As a set whose optlen is the payload's length. */
		const struct sockopt_call restore = {
			.nets = core->nets,
			.net_cookie = req->net_cookie,
			.optlen = req->payload_len,
			.payload = payload,
		};

		return bpfilter_restore(&restore);
	}
	case BPFILTER_CMD_COMPILE:
		if (req->payload_len != req->optlen)
			return -EINVAL;
		return compile(&call, out, out_len);
	case BPFILTER_CMD_NETNS_EXIT:
		if (req->payload_len)
			return -EINVAL;
		bpfilter_netns_remove(core->nets, req->net_cookie);
		return 0;
	case BPFILTER_CMD_STATS:
		return req->payload_len ? -EINVAL : stats(core, out, out_len);
	default:
		return -EINVAL;
	}
}

int bpfilter_core_handle(struct bpfilter_core *core,
			 const struct bpfilter_request *req,
			 const void *payload, struct bpfilter_reply *reply,
			 void **reply_payload)
{
	void *out = NULL;
	__u32 out_len = 0;
	int ret;

	*reply_payload = NULL;

	ret = bpfilter_request_check_framing(req);
	if (ret)
		return ret;

	ret = dispatch(core, req, payload, &out, &out_len);
	if (ret) {
		free(out);
		out = NULL;
		out_len = 0;
	}

	reply->magic = BPFILTER_WIRE_MAGIC;
	reply->version = BPFILTER_WIRE_VERSION;
	/* After dispatch: the request may have instantiated a table. */
	reply->tables = bpfilter_netns_tables_mask(core->nets, req->net_cookie);
	reply->id = req->id;
	reply->status = ret;
	reply->payload_len = out_len;
	*reply_payload = out;

	return 0;
}

int bpfilter_core_compile(struct bpfilter_core *core, __u64 net_cookie,
			  enum bpfilter_flavour flavour,
			  struct bpfilter_image **image)
{
	struct ipt_table_store *table;
	int ret;

	ret = bpfilter_table_get(core->nets, net_cookie, "filter", &table);
	if (ret)
		return ret;
	return bpfilter_codegen(table, flavour, image);
}
