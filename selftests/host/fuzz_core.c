// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the helper's core.  An input is a stream of
 * requests, as the helper reads it: a header, then payload_len bytes
 * (cut short to what the input has left).  Each reply is checked
 * against the wire format's promises.  A fresh core per input keeps
 * memory bounded and exercises teardown too.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "core.h"
#include "image_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "invariant failed: %s\n", #cond); \
			abort();					\
		}							\
	} while (0)

static void check_reply(const struct bpfilter_request *req, const void *payload,
			int ret, const struct bpfilter_reply *reply,
			const void *out)
{
	const volatile unsigned char *p = out;
	struct parsed_image img;
	unsigned int sum = 0;
	__u32 i;

	if (ret) {
		/* Only a broken stream may go unanswered. */
		CHECK(ret == -EPROTO || ret == -EMSGSIZE);
		CHECK(req->magic != BPFILTER_WIRE_MAGIC ||
		      req->version != BPFILTER_WIRE_VERSION ||
		      req->payload_len > bpfilter_request_payload_max(req->cmd));
		CHECK(!out);
		return;
	}

	CHECK(reply->magic == BPFILTER_WIRE_MAGIC);
	CHECK(reply->version == BPFILTER_WIRE_VERSION);
	CHECK(reply->id == req->id);
	CHECK(reply->status <= 0 && reply->status >= -4095);
	CHECK(reply->tables < 1U << BPFILTER_TABLE_MAX);
	CHECK(!out == !reply->payload_len);
	if (reply->status)
		CHECK(!reply->payload_len);
	/*
	 * A get returns at most its buffer; a replace, the old counters it
	 * promised the caller; STATS, its struct; COMPILE, an image the
	 * module can read; nothing else returns bytes.
	 */
	if (req->cmd == BPFILTER_CMD_GETSOCKOPT)
		CHECK(reply->payload_len <= req->optlen);
	else if (req->cmd == BPFILTER_CMD_SETSOCKOPT &&
		 req->optname == IPT_SO_SET_REPLACE && !reply->status)
		CHECK(reply->payload_len ==
		      ((const struct ipt_replace *)payload)->num_counters *
		      sizeof(struct xt_counters));
	else if (req->cmd == BPFILTER_CMD_STATS && !reply->status)
		CHECK(reply->payload_len == sizeof(struct bpfilter_stats));
	else if (req->cmd == BPFILTER_CMD_COMPILE && !reply->status)
		CHECK(!image_parse(out, reply->payload_len, &img));
	else
		CHECK(!reply->payload_len);

	/* Read it all: ASan catches a payload shorter than announced. */
	for (i = 0; i < reply->payload_len; i++)
		sum += p[i];
	(void)sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bpfilter_core *core = bpfilter_core_new();
	struct bpfilter_request req;
	struct bpfilter_reply reply;
	void *payload, *out;
	int ret;

	if (!core)
		return 0;

	while (size >= sizeof(req)) {
		memcpy(&req, data, sizeof(req));
		data += sizeof(req);
		size -= sizeof(req);
		/* Beyond the cap the core must refuse without reading. */
		if (req.payload_len > size &&
		    req.payload_len <= bpfilter_request_payload_max(req.cmd))
			req.payload_len = size;

		/* Exactly sized, so that ASan sees any read past the end. */
		payload = NULL;
		if (req.payload_len <= size && req.payload_len) {
			payload = malloc(req.payload_len);
			if (!payload)
				break;
			memcpy(payload, data, req.payload_len);
			data += req.payload_len;
			size -= req.payload_len;
		}

		ret = bpfilter_core_handle(core, &req, payload, &reply, &out);
		check_reply(&req, payload, ret, &reply, out);
		free(out);
		free(payload);
		if (ret)
			break;
	}

	bpfilter_core_free(core);
	return 0;
}
