/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the code generator's parts share: the program's stack layout and
 * registers, the flavour interface, and the calls match emitters use.
 *
 * Register use: r6 holds ctx, r7 the packet's saddr and r8 its daddr (as
 * they lie in the packet, compared with the rule's bytes as x_tables
 * does); r0-r5 are scratch and helper calls clobber them.  Everything
 * else the prologue computes lies in the stack slots below, all written
 * before any rule runs.
 */
#ifndef BPFILTER_CODEGEN_EMIT_H
#define BPFILTER_CODEGEN_EMIT_H

#include <stdbool.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "bpf_insn.h"
#include "bpf_prog.h"
#include "codegen.h"

#define CG_REG_CTX	BPF_REG_6
#define CG_REG_SADDR	BPF_REG_7
#define CG_REG_DADDR	BPF_REG_8

/* Stack slots, offsets from r10. */
#define CG_S_LEN	(-8)	/* u64: skb->len, the IP total length */
#define CG_S_FRAGOFF	(-16)	/* u64: fragment offset, in 8-byte units */
#define CG_S_THOFF	(-24)	/* u64: IHL * 4 */
#define CG_S_L4LEN	(-32)	/* s64: bytes from thoff to the end */
#define CG_S_PROTO	(-40)	/* u64: ip protocol */
#define CG_S_IN		(-56)	/* 16 bytes: input device name, or zeroes */
#define CG_S_OUT	(-72)	/* 16 bytes: output device name, or zeroes */
#define CG_S_KEY	(-80)	/* u64: scratch */
/*
 * u16: the TCP option walk's index.  Not 8-byte aligned on purpose: the
 * verifier keeps a register spilled only to an aligned slot, so it
 * knows no value here and every load is a fresh scalar (match_tcp.c).
 */
#define CG_S_OPT_I	(CG_S_KEY + 2)
#define CG_S_L4		(-104)	/* 24 bytes: the first 20 or 8 L4 bytes */
#define CG_S_OPT	(-152)	/* 48 bytes: TCP options (up to 40) */
/* 24 bytes from the MAC header: the mac match's, scratch like CG_S_OPT */
#define CG_S_MAC	CG_S_OPT
#define CG_S_IPH	(-176)	/* 24 bytes: the IPv4 header's first 20 */
#define CG_S_FLAVOUR	(-192)	/* 16 bytes the flavour keeps */

#define CG_L4_BYTES_MAX	20
#define CG_FRAGOFF_MASK	0x1fff
/* skb->len never reaches 64 KiB at an IPv4 hook, so neither does L4LEN. */
#define CG_L4LEN_MASK	0xffff
#define CG_OPT_BYTES	48

struct codegen;

/* Fields of the skb a match reads, which only the flavour knows how to. */
enum cg_skb_field {
	CG_SKB_MARK,		/* skb->mark */
	CG_SKB_PKT_TYPE,	/* skb->pkt_type, 0..7 */
};

/* The part of code generation that differs between flavours. */
struct codegen_flavour {
	enum bpfilter_flavour id;
	/*
	 * From ctx in r1: set CG_REG_CTX, CG_S_LEN, CG_S_IN, CG_S_OUT, and
	 * whatever load_bytes needs.
	 */
	void (*prologue)(struct bpf_prog_buf *p, unsigned int hook);
	/*
	 * Copy r2 bytes (a bounded scalar, never 0 at run time) from packet
	 * offset r4 (from the IPv4 header) to the stack at @dst; jump to
	 * @fail if they cannot be read.  A variable r2 makes the verifier
	 * check all of @dst up to its bound as read: it must be written
	 * before.  Clobbers r0-r5.
	 */
	void (*load_bytes)(struct bpf_prog_buf *p, __s16 dst, unsigned int fail);
	/*
	 * @dst = the skb's @field, zero-extended; nothing else clobbered.
	 * Return: 0, or -EOPNOTSUPP when this flavour cannot read it.
	 */
	int (*load_skb_field)(struct bpf_prog_buf *p, enum cg_skb_field field,
			      __u8 dst);
	/*
	 * The first 20 bytes from the MAC header to the stack at CG_S_MAC
	 * when the packet has what xt_mac looks at (an Ethernet device's
	 * 14-byte header before the IP header), else a jump to @none.
	 * Clobbers r0-r5.  NULL: this flavour cannot tell.
	 */
	void (*load_mac_header)(struct bpf_prog_buf *p, unsigned int none);
	__s32 verdict_accept;
	__s32 verdict_drop;
	/*
	 * @reg = this CPU's struct bpfilter_meta, which the prologue looked
	 * up; NULL for a flavour without one.  Clobbers nothing else.
	 */
	void (*load_meta_ptr)(struct bpf_prog_buf *p, __u8 reg);
	/* Map BPFILTER_MAP_META as the loader must create it, or NULL. */
	const struct bpfilter_map_desc *meta_map;
	/*
	 * Make @len bytes of the stack at @off plain data to the verifier
	 * again, by a helper's write (no spilled register left in them, so
	 * the next stores there get no Spectre v4 barrier).  Clobbers
	 * r0-r5.  NULL: the flavour's loader has no such hardening.
	 */
	void (*unspill_stack)(struct bpf_prog_buf *p, __s16 off, __u32 len);
};

extern const struct codegen_flavour codegen_flavour_nf_link;
extern const struct codegen_flavour codegen_flavour_sched_cls;

struct bpf_prog_buf *cg_prog(struct codegen *cg);

/*
 * @reg = the u64 at @slot & @mask.  Values the prologue spilled are
 * tracked by the verifier: comparing a plain reload would narrow the
 * slot itself on each branch, multiplying the states it explores in
 * every later rule.  The AND (a no-op on the value, which the prologue
 * already bounded by @mask) gives a fresh scalar instead.
 */
static inline void cg_load_untracked(struct bpf_prog_buf *p, __u8 reg,
				     __s16 slot, __s32 mask)
{
	bpf_prog_emit(p, insn_ldx(BPF_DW, reg, BPF_REG_10, slot));
	bpf_prog_emit(p, insn_alu64_imm(BPF_AND, reg, mask));
}
const struct codegen_flavour *cg_flavour(struct codegen *cg);
/* Whether a lookup key was stored at CG_S_OPT before in this program;
 * from now on it was.
 */
bool cg_key_area_reuse(struct codegen *cg);

/*
 * The BPFILTER_MAP_STATE slot of the match whose data (in the table the
 * code generator compiles) is at @data; its extension has state set.
 * Every inlined copy of the rule gets the same slot, as x_tables has one
 * state per rule however many chains jump to it.
 */
unsigned int cg_state_index(struct codegen *cg, const void *data);

#define CG_SUBPROGS_MAX	4
/*
 * Return: the label of a BPF-to-BPF subprogram that @emit writes (once
 * per program, after the main code, only if called), for code too long
 * to repeat at each rule, or with a relocation (a program may have only
 * BPFILTER_IMAGE_RELOCS_MAX).  Call it with bpf_prog_call().
 */
unsigned int cg_subprog(struct codegen *cg, void (*emit)(struct codegen *cg));

/*
 * The table cannot be compiled for this flavour (a match it cannot
 * enforce): bpfilter_codegen() fails with @err.  The caller logs why.
 */
void cg_refuse(struct codegen *cg, int err);

/*
 * Ends a test that jumped to @hit when its condition held and fell
 * through when not, as the kernel's "return cond ^ invert;" with an
 * integer invert: any nonzero result is true, so an invert other than
 * 0 or 1 (iptables never sends one) matches every packet.
 */
static inline void cg_xor_invert(struct bpf_prog_buf *p, unsigned int hit,
				 long long invert, unsigned int fail)
{
	unsigned int done = bpf_prog_label(p);

	bpf_prog_jump(p, insn_ja(0), invert ? done : fail);
	bpf_prog_bind(p, hit);
	if (invert == 1)
		bpf_prog_jump(p, insn_ja(0), fail);
	bpf_prog_bind(p, done);
}

/* return verdict; (NF_DROP or NF_ACCEPT in the flavour's terms) */
void cg_emit_verdict(struct codegen *cg, bool accept);

/*
 * A hotdrop, as x_tables' matches do it: @ok is a jump taken when the
 * packet may be examined; otherwise the packet is dropped at once, no
 * counter touched.
 */
void cg_hotdrop_unless(struct codegen *cg, struct bpf_insn ok);

/*
 * The hook's metadata (struct bpfilter_meta, msgfmt.h), which only the
 * SCHED_CLS flavour has: @need (BPFILTER_NEED_*) is what the hook must
 * fill in.  Return: false, the table refused with -EOPNOTSUPP and a log
 * line naming @what, when the flavour has no metadata; else true with
 * @reg pointing at this CPU's struct bpfilter_meta.
 */
bool cg_meta_ptr(struct codegen *cg, __u8 reg, __u32 need, const char *what);

/*
 * For the targets only bpfilter.ko's hook can carry out (REJECT) and the
 * SCHED_CLS flavour's ctx writes (MARK): false, the table refused as
 * cg_meta_ptr() refuses it, on any other flavour.  With true, ctx in
 * CG_REG_CTX is a struct __sk_buff.
 */
bool cg_hook_actions(struct codegen *cg, const char *what);

/* The index of the LOG target @log in the image's table, or -1 (ENOMEM). */
int cg_log_index(struct codegen *cg, const struct bpfilter_log_desc *log);

/*
 * Adds an -m owner rule's ids to the image, for the module to check.
 * Return: their index in the image's id sets, or -1 (the table refused).
 */
int cg_owner_ids(struct codegen *cg, const struct bpfilter_owner_desc *ids);

/* ipt_ip: addresses, interfaces, protocol, fragments (codegen_ip.c). */
void cg_emit_ip(struct codegen *cg, const struct ipt_ip *ip,
		unsigned int fail);

/*
 * For L4 matches (codegen_l4.c): a non-first fragment never matches,
 * (@tcp: offset 1 is hot-dropped); an L4 header shorter than @need
 * bytes is hot-dropped.
 */
void cg_l4_require_header(struct codegen *cg, unsigned int need, bool tcp,
			  unsigned int fail);

/* port in [min, max], xor @invert, of the big-endian u16 at @slot. */
void cg_l4_port_range(struct codegen *cg, __s16 slot, __u16 min, __u16 max,
		      bool invert, unsigned int fail);

/*
 * The classifier (codegen_classify.c): when the entries from @first on
 * form a run it compiles, emits its lookup and returns how many entries
 * it covers (a RETURN among them goes to @ret); else emits nothing and
 * returns 0.
 */
unsigned int cg_classify(struct codegen *cg, unsigned int first,
			 unsigned int ret);

/* Counts entry r1 (a packet and its bytes); clobbers r0-r5. */
void cg_emit_count_r1(struct codegen *cg);

/*
 * Interface dispatch (codegen_dispatch.c): when the entries from @first
 * on are a run of -i NAME (or -o NAME) rules with distinct exact names,
 * emits one lookup of the device's name and a branch to the one entry
 * that can match; returns how many entries it covers, else 0.
 */
unsigned int cg_dispatch(struct codegen *cg, unsigned int first,
			 unsigned int ret);

/*
 * What entry @i does once it matched: counted, then its target (a
 * verdict, a jump to its chain inlined, a goto, RETURN to @ret, ...).
 */
void cg_emit_action(struct codegen *cg, unsigned int i, unsigned int ret);

/* Runs shorter than this stay straight-line code (tests lower it). */
extern unsigned int bpfilter_classify_min_run;

/* Entry @i of the table, in table order; how many there are. */
const struct ipt_entry *cg_entry(const struct codegen *cg, unsigned int i);
unsigned int cg_entry_count(const struct codegen *cg);

/* The shared block that counts entry r1 and returns the verdict. */
unsigned int cg_count_verdict_label(struct codegen *cg, bool accept);

/*
 * Whether @maps more classifier maps holding @elems more elements, and
 * @refs more map references in this program (each a relocation, and at
 * most a map it does not use yet), fit the image's and the program's
 * limits (else the run stays linear).
 */
bool cg_class_budget(struct codegen *cg, unsigned int maps,
		     unsigned int elems, unsigned int refs);

/* Counts map @nr (a cg_class_map_*() number) among this program's. */
void cg_class_map_use(struct codegen *cg, int nr);

/*
 * The map made for part @part (the classifier's numbering) of the run
 * of @len entries at @first, if an earlier inlined copy of the chain
 * made it: its map number, else -1.
 */
int cg_class_map_find(struct codegen *cg, unsigned int first,
		      unsigned int len, unsigned int part);

/*
 * Adds @m (its arrays become the image's, or are freed) as that map.
 * Return: its map number, or -1 with the table refused (-ENOMEM when an
 * array of @m is NULL).
 */
int cg_class_map_add(struct codegen *cg, unsigned int first,
		     unsigned int len, unsigned int part,
		     struct bpfilter_class_map *m);

#endif /* BPFILTER_CODEGEN_EMIT_H */
