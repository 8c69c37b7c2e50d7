/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A BPF program being generated: a growable instruction buffer, labels
 * for forward jumps, and the relocations a loader applies before
 * BPF_PROG_LOAD (map fds, kernel struct field offsets, kfunc BTF ids).
 *
 * Code that cannot be reached is never emitted: after an exit or an
 * unconditional jump, appends do nothing until a label that something
 * jumps to is bound (the verifier refuses unreachable instructions, and
 * emitters need not know which tests are constant).
 *
 * Errors are sticky: the first failure (no memory, too many
 * instructions, a jump that cannot be encoded) is kept in @err and every
 * later call does nothing, so emitters need not check each append.
 */
#ifndef BPFILTER_BPF_PROG_H
#define BPFILTER_BPF_PROG_H

#include <stdbool.h>

#include <linux/bpf.h>

/* What a relocation patches, and with what. */
enum bpfilter_reloc_kind {
	/* imm of a BPF_LD_IMM64 (src BPF_PSEUDO_MAP_FD) := fd of map[index] */
	BPFILTER_RELOC_MAP_FD = 1,
	/* off of a load += offset of kernel field enum bpfilter_kfield */
	BPFILTER_RELOC_FIELD_OFFSET = 2,
	/* imm of a kfunc call := BTF id of enum bpfilter_kfunc */
	BPFILTER_RELOC_KFUNC = 3,
	/*
	 * imm of a BPF_JMP32 | BPF_K comparison := the kernel id of field
	 * index % 4 (uid_min, uid_max, gid_min, gid_max) of -m owner id set
	 * index / 4, mapped in the namespace's user namespace
	 */
	BPFILTER_RELOC_OWNER_ID = 4,
};

/*
 * Kernel struct fields a program reads through BTF-typed pointers; the
 * loader looks their offsets up (vmlinux BTF, or offsetof() in a module).
 */
enum bpfilter_kfield {
	BPFILTER_KFIELD_SKB_LEN,		/* struct sk_buff, len */
	BPFILTER_KFIELD_HOOK_STATE_IN,		/* struct nf_hook_state, in */
	BPFILTER_KFIELD_HOOK_STATE_OUT,		/* struct nf_hook_state, out */
	BPFILTER_KFIELD_NET_DEVICE_NAME,	/* struct net_device, name */
	BPFILTER_KFIELD_SKB_MARK,		/* struct sk_buff, mark */
	/* struct sk_buff, __pkt_type_offset: the byte holding pkt_type */
	BPFILTER_KFIELD_SKB_PKT_TYPE,
	BPFILTER_KFIELD_COUNT,
};

/* Kernel functions a program calls, by name. */
enum bpfilter_kfunc {
	BPFILTER_KFUNC_DYNPTR_FROM_SKB,		/* bpf_dynptr_from_skb */
	BPFILTER_KFUNC_COUNT,
};

struct bpfilter_reloc {
	__u32 insn;
	__u16 kind;	/* enum bpfilter_reloc_kind */
	__u16 index;	/* map, enum bpfilter_kfield or _kfunc, owner id field */
};

struct bpf_prog_fixup {
	unsigned int insn;
	unsigned int label;
};

struct bpf_prog_buf {
	struct bpf_insn *insns;
	unsigned int len, cap;
	unsigned int max_insns;
	struct bpfilter_reloc *relocs;
	unsigned int nr_relocs, cap_relocs;
	/* Per label: its instruction index, or BPF_PROG_UNBOUND. */
	unsigned int *labels;
	unsigned int nr_labels, cap_labels;
	/* Per label: whether a call targets it. */
	bool *called;
	/* Jumps to labels not bound yet. */
	struct bpf_prog_fixup *pending;
	unsigned int nr_pending, cap_pending;
	/* BPF-to-BPF calls, patched by bpf_prog_finish(): 32-bit reach. */
	struct bpf_prog_fixup *calls;
	unsigned int nr_calls, cap_calls;
	bool live;
	int err;
};

#define BPF_PROG_UNBOUND	0xFFFFFFFFU

void bpf_prog_init(struct bpf_prog_buf *p, unsigned int max_insns);
void bpf_prog_release(struct bpf_prog_buf *p);

void bpf_prog_emit(struct bpf_prog_buf *p, struct bpf_insn insn);

/* Return: a new, unbound label (0 once an error is pending). */
unsigned int bpf_prog_label(struct bpf_prog_buf *p);

/* Binds @label to the next instruction and patches the jumps to it. */
void bpf_prog_bind(struct bpf_prog_buf *p, unsigned int label);

/* Emits the jump @insn (its off is ignored) to the unbound @label. */
void bpf_prog_jump(struct bpf_prog_buf *p, struct bpf_insn insn,
		   unsigned int label);

/* Emits a BPF-to-BPF call of the subprogram that will start at @label. */
void bpf_prog_call(struct bpf_prog_buf *p, unsigned int label);

/* Emits @insn and records that a loader must patch it. */
void bpf_prog_emit_reloc(struct bpf_prog_buf *p, struct bpf_insn insn,
			 enum bpfilter_reloc_kind kind, unsigned int index);

/* bpf_prog_jump() of an @insn a loader must patch (its imm). */
void bpf_prog_jump_reloc(struct bpf_prog_buf *p, struct bpf_insn insn,
			 unsigned int label, enum bpfilter_reloc_kind kind,
			 unsigned int index);

/*
 * BPF jumps reach 32767 instructions forward (after the verifier's
 * rewriting, which lengthens code).  Called between rules: when a
 * pending jump could soon be out of reach, emits an island (a
 * jump over it, then one "ja" per pending label) that pending jumps are
 * redirected to, so that code of any size keeps forward-only jumps.
 */
void bpf_prog_islands(struct bpf_prog_buf *p);

/*
 * Checks every label that was jumped to got bound.
 * Return: 0 or the sticky error.
 */
int bpf_prog_finish(struct bpf_prog_buf *p);

#endif /* BPFILTER_BPF_PROG_H */
