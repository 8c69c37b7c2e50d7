/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The bpfilter helper's core: everything between a decoded request and
 * its reply, with no I/O, so that the helper's request loop, the host
 * tests and the fuzzers all drive the same code.
 */
#ifndef BPFILTER_CORE_H
#define BPFILTER_CORE_H

#include <linux/netfilter_ipv4/ip_tables.h>

#include "codegen.h"
#include "entry.h"
#include "msgfmt.h"

/*
 * The largest payload the helper reads, per command: a larger one breaks
 * the stream (bpfilter_request_check_framing()) before anything is
 * allocated for it.  No valid request is larger, because the module
 * refuses an IPT_SO_SET_REPLACE of more than BPFILTER_NETNS_TABLE_BYTES_MAX
 * with -ENOMEM and never sends it:
 * - SETSOCKOPT, COMPILE: an ipt_replace and at most the whole cap of
 *   entries (an IPT_SO_SET_ADD_COUNTERS, a 40-byte header and 16 bytes
 *   per entry, is smaller);
 * - RESTORE: a SET_REPLACE the helper accepted, then one xt_counters per
 *   entry, and no entry is smaller than IPT_ENTRY_MIN_SIZE;
 * - any other command: the first BPFILTER_GET_INPUT_MAX bytes of a get's
 *   buffer, or nothing.
 */
#define BPFILTER_SET_PAYLOAD_MAX \
	(sizeof(struct ipt_replace) + BPFILTER_NETNS_TABLE_BYTES_MAX)
#define BPFILTER_RESTORE_PAYLOAD_MAX \
	(BPFILTER_SET_PAYLOAD_MAX + BPFILTER_NETNS_TABLE_BYTES_MAX / \
	 IPT_ENTRY_MIN_SIZE * sizeof(struct xt_counters))

struct bpfilter_core;

/**
 * bpfilter_core_new() - create the state of one helper instance
 *
 * Return: the new core, owned by the caller (release it with
 * bpfilter_core_free()), or NULL if out of memory.
 */
struct bpfilter_core *bpfilter_core_new(void);

/**
 * bpfilter_core_free() - release a core and every table it holds
 * @core: the core, or NULL
 */
void bpfilter_core_free(struct bpfilter_core *core);

/**
 * bpfilter_request_payload_max() - the largest payload of a command
 * @cmd: enum bpfilter_cmd, or any other value
 *
 * Return: BPFILTER_SET_PAYLOAD_MAX, BPFILTER_RESTORE_PAYLOAD_MAX or
 * BPFILTER_GET_INPUT_MAX, as described above.
 */
__u32 bpfilter_request_payload_max(__u16 cmd);

/**
 * bpfilter_request_check_framing() - can the byte stream be trusted?
 * @req: a request header as read from the stream
 *
 * Checks what a reader needs before it allocates and reads the payload:
 * the magic, the version and a payload size within
 * bpfilter_request_payload_max() of the command.
 *
 * Return: 0, -EPROTO for a wrong magic or version, -EMSGSIZE for an
 * oversized payload.
 */
int bpfilter_request_check_framing(const struct bpfilter_request *req);

/**
 * bpfilter_core_handle() - answer one request
 * @core: the helper's state
 * @req: the request header
 * @payload: req->payload_len bytes (may be NULL when that is 0)
 * @reply: filled in with the reply header whenever 0 is returned
 * @reply_payload: set to a malloc()ed buffer of reply->payload_len bytes
 *	that the caller owns, or to NULL when reply->payload_len is 0
 *
 * Errors of the request itself (unknown command or option, bad lengths,
 * missing table, ...) are answered: the reply carries them as a negative
 * errno in reply->status.  Every request carries the kernel's HZ: 0 or
 * above BPFILTER_HZ_MAX is -EINVAL; otherwise it becomes the HZ the
 * checks and the code generator use (bpfilter_set_hz()).
 *
 * Commands and their payloads (anything else is -EINVAL):
 *   PING, NETNS_EXIT, STATS: none; STATS replies struct bpfilter_stats.
 *     NETNS_EXIT frees the namespace's state, known to us or not.
 *   GETSOCKOPT: min(optlen, BPFILTER_GET_INPUT_MAX) bytes; replies at
 *     most optlen bytes for the caller's buffer.
 *   SETSOCKOPT: optlen bytes; a successful IPT_SO_SET_REPLACE replies
 *     num_counters struct xt_counters, the replaced table's.
 *   RESTORE: any length (optname and optlen are not used); no reply
 *     payload.
 *   COMPILE: optlen bytes (optname is not used): none for the
 *     namespace's committed filter table (instantiated on first use, as
 *     by any request naming it), or an IPT_SO_SET_REPLACE payload, the
 *     candidate.  A candidate gets SET_REPLACE's checks up to its
 *     num_counters check against the current table, with the same
 *     errno in reply->status, and is neither stored nor instantiates
 *     anything.  Otherwise status 0 (or -ENOMEM) and the payload is
 *     the SCHED_CLS program image (image.h, msgfmt.h): a header whose
 *     err is 0 or the code generator's refusal (-E2BIG), with no
 *     program in the latter case.
 *
 * Return: 0 when @reply was produced; the negative errno of
 * bpfilter_request_check_framing() when the stream is out of step and
 * the reader must stop.
 */
int bpfilter_core_handle(struct bpfilter_core *core,
			 const struct bpfilter_request *req,
			 const void *payload, struct bpfilter_reply *reply,
			 void **reply_payload);

/**
 * bpfilter_core_compile() - compile a namespace's filter table
 * @core: the helper's state
 * @net_cookie: the namespace
 * @flavour: how the programs will be run
 * @image: set to the program image, owned by the caller
 *
 * Compiles the table as committed (instantiating the initial one on
 * first use, as any request naming it does).
 *
 * Return: 0 or a negative errno of bpfilter_codegen().
 */
int bpfilter_core_compile(struct bpfilter_core *core, __u64 net_cookie,
			  enum bpfilter_flavour flavour,
			  struct bpfilter_image **image);

#endif /* BPFILTER_CORE_H */
