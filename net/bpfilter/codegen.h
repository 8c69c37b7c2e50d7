/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The code generator: a validated filter table in, a program image out.
 * The image is all a loader needs and nothing it must trust the helper
 * for beyond the BPF verifier's checks: one program per hook, the maps
 * the programs use, and where to patch map fds, kernel field offsets and
 * kfunc BTF ids in before BPF_PROG_LOAD.  The helper never loads it.
 */
#ifndef BPFILTER_CODEGEN_H
#define BPFILTER_CODEGEN_H

#include <linux/bpf.h>
#include <linux/netfilter.h>

#include "bpf_prog.h"

struct ipt_table_store;

/*
 * How a program is run, which decides its prologue, how it reads packet
 * bytes and metadata, and its return codes; the rule code is shared.
 */
enum bpfilter_flavour {
	/*
	 * BPF_PROG_TYPE_NETFILTER (32) attached with the BPF netfilter
	 * link (attach type BPF_NETFILTER, 45; kernels 6.4 and later).
	 * ctx is struct bpf_nf_ctx; returns NF_DROP (0) or NF_ACCEPT (1).
	 */
	BPFILTER_FLAVOUR_NF_LINK = 1,
	/*
	 * BPF_PROG_TYPE_SCHED_CLS run with bpf_prog_run() by bpfilter.ko's
	 * own netfilter hooks on 6.1: ctx is struct __sk_buff, data at the
	 * IPv4 header, device names from map BPFILTER_MAP_META, which the
	 * module fills before each run; returns NF_DROP (0) or NF_ACCEPT
	 * (1).  Its only relocations are map fds.
	 */
	BPFILTER_FLAVOUR_SCHED_CLS = 2,
};

#define BPFILTER_PROG_TYPE_NETFILTER	32
#define BPFILTER_ATTACH_NETFILTER	45

/*
 * The most instructions one hook's program may have: the verifier's own
 * limit for privileged loaders (BPF_COMPLEXITY_LIMIT_INSNS).  User chains
 * are inlined at every call site, so a table is refused (-E2BIG) when
 * its expansion for some hook would be larger.
 */
#define BPFILTER_PROG_INSNS_MAX		1000000U
/* The most relocations one program may have (two per classifier run). */
#define BPFILTER_PROG_RELOCS_MAX	4096U

/*
 * Map 0: the per-entry counters, a BPF_MAP_TYPE_PERCPU_ARRAY with u32
 * keys, one struct bpfilter_counter per entry, indexed by the entry's
 * position in the table (the order IPT_SO_GET_ENTRIES returns them).
 * Map 1: what the hook knows that the program cannot read (SCHED_CLS
 * only: a BPF_MAP_TYPE_PERCPU_ARRAY of one struct bpfilter_meta, see
 * msgfmt.h); a flavour that does not use it leaves its description
 * zeroed (type 0, BPF_MAP_TYPE_UNSPEC): the loader creates no map.
 * Map 2: the rules' state between packets, a BPF_MAP_TYPE_ARRAY of
 * struct bpfilter_limit_state (msgfmt.h) shared by all CPUs, one per
 * -m limit in the table, created zeroed; described only when the table
 * has one (otherwise zeroed too).
 * The numbers are the wire format's (BPFILTER_IMAGE_MAP_*).
 */
#define BPFILTER_MAP_COUNTERS		0
#define BPFILTER_MAP_META		1
#define BPFILTER_MAP_STATE		2
#define BPFILTER_MAPS			3

/* One counter as the programs add to it; layout of struct xt_counters. */
struct bpfilter_counter {
	__u64 packets;
	__u64 bytes;
};

struct bpfilter_map_desc {
	__u32 type;		/* enum bpf_map_type */
	__u32 key_size;
	__u32 value_size;
	__u32 max_entries;
};

/*
 * Classifier maps (codegen_classify.c): map BPFILTER_MAPS + i is
 * class_maps[i], a BPF_MAP_TYPE_LPM_TRIE (created with
 * BPF_F_NO_PREALLOC) or BPF_MAP_TYPE_HASH whose contents the image
 * carries; the loader creates it with BPF_F_RDONLY_PROG and fills it
 * before loading the programs.  Keys are struct bpf_lpm_trie_key's
 * layout (a u32 prefix length in bits, then the data) for both types;
 * values are struct bpfilter_class_value.
 */
#define BPFILTER_CLASS_KEY_MAX		24U
/* Runs per image; and elements over all its maps, per table entry. */
#define BPFILTER_CLASS_MAPS_MAX		1024U
#define BPFILTER_CLASS_ELEMS_PER_ENTRY	2U
/*
 * Classifier maps one program may use: the verifier takes at most 64
 * maps per program (MAX_USED_MAPS), three are the fixed ones.
 */
#define BPFILTER_PROG_CLASS_MAPS_MAX	60U
/* Bytes of keys and values over all of an image's classifier maps. */
#define BPFILTER_CLASS_BYTES_MAX	(32U << 20)

#define BPFILTER_CLASS_DROP		0U
#define BPFILTER_CLASS_ACCEPT		1U
#define BPFILTER_CLASS_RETURN		2U

/* The first entry of a run that a packet matches, and its verdict. */
struct bpfilter_class_value {
	__u32 index;	/* the entry's counter index */
	__u32 verdict;	/* BPFILTER_CLASS_DROP, _ACCEPT or _RETURN */
};

struct bpfilter_class_map {
	__u32 type;		/* BPF_MAP_TYPE_LPM_TRIE or _HASH */
	__u32 key_size;		/* 4 + data bytes, at most CLASS_KEY_MAX */
	__u32 nr_elems;
	/* nr_elems keys of key_size bytes, then nr_elems values. */
	unsigned char *keys;
	struct bpfilter_class_value *values;
};

struct bpfilter_hook_prog {
	__u32 hook;		/* NF_INET_LOCAL_IN, NF_INET_FORWARD, ... */
	__u32 nr_insns;
	__u32 nr_relocs;
	struct bpf_insn *insns;
	struct bpfilter_reloc *relocs;
};

/* The most different LOG targets one table may have. */
#define BPFILTER_LOGS_MAX		4096U

/* An -m owner rule's ids (struct bpfilter_image_owner's layout). */
struct bpfilter_owner_desc {
	__u32 uid_min;
	__u32 uid_max;
	__u32 gid_min;
	__u32 gid_max;
	__u32 match;
};

#define BPFILTER_OWNERS_MAX		4096U

/* A LOG or NFLOG target's parameters (struct bpfilter_image_log's). */
struct bpfilter_log_desc {
	__u8 type;
	__u8 level;
	__u8 logflags;
	__u8 pad;
	__u32 copy_len;
	__u16 group;
	__u16 qthreshold;
	__u16 flags;
	__u16 pad2;
	char prefix[64];
};

struct bpfilter_image {
	__u32 flavour;		/* enum bpfilter_flavour */
	__u32 nr_progs;
	struct bpfilter_hook_prog progs[NF_INET_NUMHOOKS];
	struct bpfilter_map_desc maps[BPFILTER_MAPS];
	/* What the hook must provide (SCHED_CLS: BPFILTER_NEED_*). */
	__u32 needs;
	/* The LOG targets the programs record by index (SCHED_CLS). */
	__u32 nr_logs;
	struct bpfilter_log_desc *logs;
	/* The ids of the -m owner rules (SCHED_CLS), for the module. */
	__u32 nr_owners;
	struct bpfilter_owner_desc *owners;
	/* Map BPFILTER_MAPS + i: class_maps[i]. */
	__u32 nr_class_maps;
	struct bpfilter_class_map *class_maps;
};

/**
 * bpfilter_codegen() - compile a table for every hook it has
 * @table: a table ipt_translate() accepted
 * @flavour: how the programs will be run
 * @image: set to the new image, owned by the caller
 *
 * Return: 0; -E2BIG (logged) when a hook's program would exceed
 * BPFILTER_PROG_INSNS_MAX; -ENOENT (logged) for a match without an
 * emitter; -EOPNOTSUPP for an unknown flavour, or (logged) for a rule
 * the flavour cannot enforce (LOG, REJECT, conntrack on the netfilter
 * link); -ENOMEM.
 */
int bpfilter_codegen(const struct ipt_table_store *table,
		     enum bpfilter_flavour flavour,
		     struct bpfilter_image **image);

void bpfilter_image_free(struct bpfilter_image *image);

#endif /* BPFILTER_CODEGEN_H */
