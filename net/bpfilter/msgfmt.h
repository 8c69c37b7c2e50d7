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
#define BPFILTER_WIRE_VERSION	3
#define BPFILTER_GET_INPUT_MAX	128

/* The helper refuses a request whose hz is 0 or above this. */
#define BPFILTER_HZ_MAX		10000U

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
	BPFILTER_CMD_COMPILE = 7,	/* programs for a table, see below */
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

/* BPFILTER_CMD_COMPILE asks for the programs that enforce a filter table
 * in bpfilter.ko's netfilter hooks (the SCHED_CLS flavour).  Its payload
 * is either empty (the namespace's committed filter table, instantiated
 * if need be) or an IPT_SO_SET_REPLACE payload (optlen = payload_len)
 * to compile without committing it: the module loads the programs first
 * and sends the SET_REPLACE only once the verifier has accepted them.
 * A candidate is checked as SET_REPLACE checks it up to the table
 * lookup; a refusal is the reply's status, and the module then sends the
 * SET_REPLACE anyway, which fails the same way with x_tables' side
 * effects.  With status 0 the reply is a struct bpfilter_image_hdr,
 * whose err is the code generator's verdict (0, or -E2BIG for a table
 * too large to compile), followed when err is 0 by nr_class_maps
 * classifier maps (struct bpfilter_image_class_map, see there), then
 * nr_progs programs,
 * each a struct bpfilter_image_prog, its nr_insns struct bpf_insn, then
 * its nr_relocs struct bpfilter_image_reloc; then nr_logs struct
 * bpfilter_image_log, the LOG targets the programs refer to by index;
 * then nr_owners struct bpfilter_image_owner, the ids -m owner rules
 * test, for the module to check.
 * needs says what the hook must put in struct bpfilter_meta before each
 * run (BPFILTER_NEED_*), and what the module must hold while the
 * programs are in force (conntrack in the namespace, the logger).
 *
 * The programs are BPF_PROG_TYPE_SCHED_CLS, run with the skb's data at
 * the IPv4 header; they return NF_DROP, NF_ACCEPT, or
 * BPFILTER_RET_REJECT + an enum ipt_reject_with value: drop the packet
 * after sending what ipt_REJECT sends for it.  Relocations are listed
 * in increasing insn order, of two kinds:
 * - BPFILTER_IMAGE_RELOC_OWNER_ID: the imm of the BPF_JMP32 | BPF_K
 *   comparison (JLT or JGT) at insn takes a kernel id: field index % 4
 *   (uid_min, uid_max, gid_min, gid_max) of -m owner id set index / 4,
 *   as make_kuid()/make_kgid() map it in the namespace's user namespace;
 *   the program compares it with owner_uid/owner_gid, kernel ids too;
 * - BPFILTER_IMAGE_RELOC_MAP_FD: the BPF_LD_IMM64 at insn (src_reg
 *   BPF_PSEUDO_MAP_FD) takes the fd of map index, which the module
 *   creates:
 *   BPFILTER_IMAGE_MAP_COUNTERS: BPF_MAP_TYPE_PERCPU_ARRAY, u32 key,
 *     struct xt_counters value, nr_entries entries: entry n's counters
 *     (n in IPT_SO_GET_ENTRIES order), added to by the programs;
 *   BPFILTER_IMAGE_MAP_META: BPF_MAP_TYPE_PERCPU_ARRAY, u32 key, struct
 *     bpfilter_meta value, one entry: what the hook knows that the
 *     program cannot read, written by the module before each run;
 *   BPFILTER_IMAGE_MAP_STATE, only when the header's nr_states is not 0:
 *     BPF_MAP_TYPE_ARRAY, u32 key, struct bpfilter_limit_state value,
 *     nr_states entries, created zeroed: the state rules keep between
 *     packets, shared by all CPUs (one per -m limit in the table);
 *   BPFILTER_IMAGE_MAPS + i: the header's class map i, created with
 *     BPF_F_RDONLY_PROG and filled before the programs are loaded.
 */
#define BPFILTER_IMAGE_MAP_COUNTERS	0
#define BPFILTER_IMAGE_MAP_META		1
#define BPFILTER_IMAGE_MAP_STATE	2
#define BPFILTER_IMAGE_MAPS		3
#define BPFILTER_IMAGE_RELOC_MAP_FD	1
#define BPFILTER_IMAGE_RELOC_OWNER_ID	2
/* The verifier's limit; more relocations than any flavour emits. */
#define BPFILTER_IMAGE_INSNS_MAX	1000000U
#define BPFILTER_IMAGE_RELOCS_MAX	4096U
#define BPFILTER_IMAGE_PROGS_MAX	3U
#define BPFILTER_IMAGE_BYTES_MAX \
	(sizeof(struct bpfilter_image_hdr) + BPFILTER_IMAGE_PROGS_MAX * \
	 (sizeof(struct bpfilter_image_prog) + BPFILTER_IMAGE_INSNS_MAX * 8 + \
	  BPFILTER_IMAGE_RELOCS_MAX * sizeof(struct bpfilter_image_reloc)) + \
	 BPFILTER_IMAGE_LOGS_MAX * sizeof(struct bpfilter_image_log) + \
	 BPFILTER_IMAGE_OWNERS_MAX * sizeof(struct bpfilter_image_owner) + \
	 BPFILTER_IMAGE_CLASS_MAPS_MAX * \
	 sizeof(struct bpfilter_image_class_map) + \
	 BPFILTER_IMAGE_CLASS_BYTES_MAX)

struct bpfilter_image_hdr {
	__s32 err;
	__u32 nr_entries;
	__u32 nr_progs;
	__u32 needs;		/* BPFILTER_NEED_* */
	__u32 nr_logs;
	__u32 nr_states;	/* entries of BPFILTER_IMAGE_MAP_STATE, or 0 */
	__u32 nr_owners;	/* struct bpfilter_image_owner after the logs */
	__u32 nr_class_maps;	/* after this header */
};

/* A classifier map: a run of entries as one lookup (the helper's
 * codegen_classify.c).  type is BPF_MAP_TYPE_LPM_TRIE or
 * BPF_MAP_TYPE_HASH; keys are key_size bytes, a struct
 * bpf_lpm_trie_key (u32 prefix length, then the data; a hash map's
 * prefix length is always that of the whole data); values are struct
 * bpfilter_image_class_value.  Followed by nr_elems keys, then nr_elems
 * values, then zeroes up to a multiple of 8 bytes.  The elements of all
 * class maps together are at most BPFILTER_IMAGE_CLASS_ELEMS_PER_ENTRY
 * per table entry and BPFILTER_IMAGE_CLASS_BYTES_MAX bytes.
 */
struct bpfilter_image_class_map {
	__u32 type;
	__u32 key_size;
	__u32 nr_elems;
	__u32 reserved;		/* zero */
};

/* The first entry of the run that matches, and what it does. */
struct bpfilter_image_class_value {
	__u32 index;		/* the entry, as the counter map's key */
	__u32 verdict;		/* 0: NF_DROP, 1: NF_ACCEPT, 2: RETURN */
};

#define BPFILTER_IMAGE_CLASS_MAPS_MAX		1024U
#define BPFILTER_IMAGE_CLASS_KEY_MIN		8U
#define BPFILTER_IMAGE_CLASS_KEY_MAX		24U
#define BPFILTER_IMAGE_CLASS_ELEMS_PER_ENTRY	2U
#define BPFILTER_IMAGE_CLASS_BYTES_MAX		(32U << 20)

/* The hook fills struct bpfilter_meta's ct_* fields: the programs test
 * the packet's conntrack entry; conntrack runs in the namespace while
 * they are in force (nf_ct_netns_get(), as xt_conntrack's checkentry).
 */
#define BPFILTER_NEED_CT	0x1U
/* The programs read and write the entry's mark (ct_mark): a kernel
 * without CONFIG_NF_CONNTRACK_MARK refuses them as x_tables, which then
 * has no connmark extension, refuses their rules (-ENOENT).
 */
#define BPFILTER_NEED_CT_MARK	0x2U
/* The hook fills owner_*: the sending socket's file's fsuid and fsgid,
 * as kernel ids (-m owner; the rules' ids are relocated to kernel ids).
 */
#define BPFILTER_NEED_OWNER	0x4U
/* Rules test uids or gids: as owner_check(), the module refuses them
 * (-EINVAL) unless the writer's user namespace is the namespace's.
 */
#define BPFILTER_NEED_OWNER_IDS	0x8U
/* The hook fills addrtype[]: inet_dev_addr_type() of the source
 * (BPFILTER_NEED_ADDRTYPE_SRC) and destination (_DST) with no device
 * and, with _IFACE, with the input and the output device.
 */
#define BPFILTER_NEED_ADDRTYPE_SRC	0x10U
#define BPFILTER_NEED_ADDRTYPE_DST	0x20U
#define BPFILTER_NEED_ADDRTYPE_IFACE	0x40U
/* The hook fills dev_ether: whether skb->dev is an ARPHRD_ETHER device
 * with a whole Ethernet header before the data, what xt_mac looks for.
 */
#define BPFILTER_NEED_ETHER	0x80U
/* The hook fills owner_groups: bit i is set when the file's fsgid or one
 * of its supplementary groups lies in owner id set i's gid range
 * (-m owner --gid-owner --suppl-groups; the first 64 id sets).
 */
#define BPFILTER_NEED_OWNER_GROUPS	0x100U
#define BPFILTER_OWNER_GROUPS_MAX	64
#define BPFILTER_NEEDS		0x1ffU

#define BPFILTER_RET_REJECT	0x100U

/* A LOG or NFLOG target's parameters: what log_tg() and nflog_tg()
 * put in their struct nf_loginfo, and the prefix.
 */
struct bpfilter_image_log {
	__u8 type;		/* NF_LOG_TYPE_LOG (LOG), _ULOG (NFLOG) */
	__u8 level;		/* LOG: < 8 */
	__u8 logflags;		/* LOG: XT_LOG_* */
	__u8 pad;
	__u32 copy_len;		/* NFLOG: --nflog-size */
	__u16 group;		/* NFLOG: --nflog-group */
	__u16 qthreshold;	/* NFLOG: --nflog-threshold */
	__u16 flags;		/* NFLOG: XT_NFLOG_F_COPY_LEN */
	__u16 pad2;
	char prefix[64];	/* NUL-terminated */
};

#define BPFILTER_LOG_TYPE_LOG	0	/* NF_LOG_TYPE_LOG */
#define BPFILTER_LOG_TYPE_ULOG	1	/* NF_LOG_TYPE_ULOG */

#define BPFILTER_IMAGE_LOGS_MAX	4096U

/* An -m owner rule's ids, for the module to check as owner_check() does
 * against the namespace's user namespace (which the helper cannot see).
 */
struct bpfilter_image_owner {
	__u32 uid_min;
	__u32 uid_max;
	__u32 gid_min;
	__u32 gid_max;
	__u32 match;		/* XT_OWNER_* */
};

#define BPFILTER_IMAGE_OWNERS_MAX	4096U

struct bpfilter_image_prog {
	__u32 hook;		/* NF_INET_LOCAL_IN, NF_INET_FORWARD, ... */
	__u32 nr_insns;
	__u32 nr_relocs;
	__u32 reserved;
};

struct bpfilter_image_reloc {
	__u32 insn;
	__u16 kind;
	__u16 index;
};

/* The most LOG targets one packet's traversal records; the hook logs
 * them in order once the program has returned.
 */
#define BPFILTER_META_LOGS	16

/* ct_flags */
#define BPFILTER_CT_PRESENT	0x1U	/* nf_ct_get() found an entry */
#define BPFILTER_CT_REPLY	0x2U	/* CTINFO2DIR() is the reply */

/* owner_flags */
#define BPFILTER_OWNER_SOCKET	0x1U	/* a full socket of this netns */
#define BPFILTER_OWNER_FILE	0x2U	/* with a file: owner_uid/gid set */

/* addrtype[] index: source (0) or destination (1), plus device */
#define BPFILTER_ADDRTYPE_ANY	0	/* no device */
#define BPFILTER_ADDRTYPE_IN	2	/* the input device */
#define BPFILTER_ADDRTYPE_OUT	4	/* the output device */

/* actions: what the program asks the hook to do after the run */
#define BPFILTER_ACT_LOGS_LOST	0x1U	/* more than META_LOGS LOGs */
#define BPFILTER_ACT_CT_MARK	0x2U	/* ct_mark is the entry's new mark */

/* What a SCHED_CLS program cannot read for itself, written by the hook
 * before each run (in, out; ct_* with BPFILTER_NEED_CT), and what the
 * program asks of the hook (nr_logs, log, actions; zeroed before).
 */
struct bpfilter_meta {
	/* The in and out device names, zeroes for none (as x_tables
	 * compares them: nulldevname).
	 */
	char in[16];
	char out[16];
	/* xt_state's statebit, and xt_conntrack's (with SNAT and DNAT). */
	__u32 state_bits;
	__u32 ct_state_bits;
	__u32 ct_flags;		/* BPFILTER_CT_* */
	__u32 ct_status;	/* ct->status */
	__u32 ct_expires;	/* nf_ct_expires() / HZ */
	__u32 ct_l4proto;	/* nf_ct_protonum() */
	__u32 ct_mark;		/* ct->mark; CONNMARK rules change it here */
	__u32 owner_flags;	/* BPFILTER_OWNER_* */
	__u32 owner_uid;	/* __kuid_val(fsuid) */
	__u32 owner_gid;	/* __kgid_val(fsgid) */
	/* RTN_* of source [0] / destination [1], + BPFILTER_ADDRTYPE_* */
	__u8 addrtype[6];
	__u8 dev_ether;		/* BPFILTER_NEED_ETHER: 1 or 0 */
	__u8 pad;		/* per-CPU values are 8-byte strided */
	/* The tuples' addresses and ports (u.all), as the entry holds them. */
	__be32 ct_orig_src;
	__be32 ct_orig_dst;
	__be32 ct_repl_src;
	__be32 ct_repl_dst;
	__be16 ct_orig_sport;
	__be16 ct_orig_dport;
	__be16 ct_repl_sport;
	__be16 ct_repl_dport;
	__u64 owner_groups;	/* BPFILTER_NEED_OWNER_GROUPS */
	__u32 actions;		/* BPFILTER_ACT_* */
	__u32 nr_logs;
	/* LOG target index, and skb->mark when the LOG rule was reached. */
	struct {
		__u32 index;
		__u32 mark;
	} log[BPFILTER_META_LOGS];
};

/* One -m limit's token bucket (xt_limit's struct xt_limit_priv), read
 * and written by the programs only, with atomic operations.  All zeroes
 * is the state limit_mt_check() leaves: a full bucket.
 */
struct bpfilter_limit_state {
	__u64 prev;	/* jiffies of the last update; 0: none yet */
	__u32 credit;	/* the credit minus the full bucket's, mod 2^32 */
	__u32 pad;
};

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
	/* The kernel's HZ: -m limit counts in jiffies (1..BPFILTER_HZ_MAX) */
	__u32 hz;
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
