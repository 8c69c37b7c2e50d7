/* SPDX-License-Identifier: GPL-2.0 */
/*
 * bpfilter's private message format between bpfilter.ko and its helper.
 * Not ABI: both ends are built from this tree together.
 */
#ifndef _NET_BPFILTER_MSGFMT_H
#define _NET_BPFILTER_MSGFMT_H

#include <linux/types.h>

/* Wire format between bpfilter.ko and its user-mode helper.
 *
 * The module writes a request (header, then payload_len bytes) to the
 * helper's stdin and reads one reply (header, then payload_len bytes)
 * from its stdout; requests are answered one at a time, in order.  All
 * fields are in host byte order: both ends run on the same machine.
 *
 * The payload carries the caller's bytes, never an address: for a set
 * the bytes of optval that x_tables reads (optlen is then payload_len;
 * x_tables ignores what a longer optval holds beyond them), for a get the
 * first min(optlen, BPFILTER_GET_INPUT_MAX) bytes of the caller's buffer
 * (the part x_tables reads: a name, a size).
 * A reply to a get carries what is to be copied back to the caller's
 * buffer (at most optlen bytes); a successful IPT_SO_SET_REPLACE reply
 * carries the replaced table's counters, which the module copies to the
 * caller's ipt_replace.counters (exactly num_counters of them).
 */
#define BPFILTER_WIRE_MAGIC	0x4c465042U	/* "BPFL" in memory */
#define BPFILTER_WIRE_VERSION	1
#define BPFILTER_GET_INPUT_MAX	128

/* The most bytes of table entries one network namespace may have the
 * helper store, over all its tables.  x_tables charges tables to the
 * caller's memory cgroup; the helper's memory is shared by every
 * namespace, so without a cap one namespace could take it all.  The
 * module refuses a larger IPT_SO_SET_REPLACE before copying it.  An
 * IPT_SO_SET_REPLACE (or RESTORE) that would go over it fails with
 * -ENOMEM, at the point where x_tables allocates the new table: after
 * the header checks, before the entries are checked.
 */
#define BPFILTER_NETNS_TABLE_BYTES_MAX	(64U << 20)

enum bpfilter_cmd {
	BPFILTER_CMD_PING = 1,		/* health check, no payload */
	BPFILTER_CMD_SETSOCKOPT = 2,
	BPFILTER_CMD_GETSOCKOPT = 3,
	BPFILTER_CMD_NETNS_EXIT = 4,	/* net_cookie is gone: free its state */
	BPFILTER_CMD_STATS = 5,		/* reply: struct bpfilter_stats */
	BPFILTER_CMD_RESTORE = 6,	/* reinstall a table, see below */
};

/* The helper's own accounting, for tests and operators: namespaces it
 * holds state for, tables instantiated in them, bytes of table entries.
 */
struct bpfilter_stats {
	__u32 netns;
	__u32 tables;
	__u64 table_bytes;
};

/* BPFILTER_CMD_RESTORE reinstalls a committed table in a new helper after
 * the old one died.  The module keeps, per namespace and table, the
 * payload of the last IPT_SO_SET_REPLACE that succeeded and the sum of
 * the IPT_SO_SET_ADD_COUNTERS that succeeded since.  The payload is:
 *   struct ipt_replace + size bytes of entries, exactly as committed,
 *   then num_entries struct xt_counters (the counters to start from),
 *   or nothing when the counters are all zero.
 * The helper validates it as a SET_REPLACE, except that num_counters is
 * not compared with the current table, and sends no old counters back.
 */

/* Tables a network namespace has instantiated, as reply->tables bits. */
enum bpfilter_table {
	BPFILTER_TABLE_FILTER = 0,
	BPFILTER_TABLE_MAX,
};

struct bpfilter_request {
	__u32 magic;
	__u16 version;
	__u16 cmd;		/* enum bpfilter_cmd */
	__u64 id;		/* echoed in the reply */
	__u64 net_cookie;	/* the caller's network namespace */
	__u32 optname;
	__u32 optlen;		/* get: the caller's optlen; set: payload_len */
	__u32 payload_len;
	__u32 reserved;		/* zero */
};

struct bpfilter_reply {
	__u32 magic;
	__u16 version;
	__u16 tables;		/* bit n: enum bpfilter_table n exists */
	__u64 id;
	__s32 status;		/* 0 or a negative errno */
	__u32 payload_len;
};

#endif /* _NET_BPFILTER_MSGFMT_H */
