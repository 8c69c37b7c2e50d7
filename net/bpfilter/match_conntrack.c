// SPDX-License-Identifier: GPL-2.0
/*
 * The state match (xt_state, revision 0) and the conntrack match
 * (xt_conntrack, revisions 1, 2 and 3), read from the packet's own
 * conntrack entry: at the filter hooks conntrack has already attached
 * it to the skb, and bpfilter.ko's hook copies what these matches test
 * into struct bpfilter_meta (BPFILTER_NEED_CT) before the program runs.
 * Neither extension checks its data: their checkentry only makes sure
 * conntrack runs in the namespace, which the module does for as long as
 * programs needing it are in force (nf_ct_netns_get()).
 */
#include <stddef.h>
#include <string.h>

#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_state.h>

#include "codegen_emit.h"
#include "ext.h"
#include "msgfmt.h"

#define R_META	BPF_REG_5

#define META(field)	offsetof(struct bpfilter_meta, field)

/*
 * Jump to @fail when the condition that @cond jumps on is @when: the
 * kernel's "if (test ^ !invert) return false" fails exactly when test
 * equals invert, so it is fail_when(test, invert).
 */
static void fail_when(struct bpf_prog_buf *p, struct bpf_insn cond, bool when,
		      unsigned int fail)
{
	unsigned int go_on;

	if (when) {
		bpf_prog_jump(p, cond, fail);
		return;
	}
	go_on = bpf_prog_label(p);
	bpf_prog_jump(p, cond, go_on);
	bpf_prog_jump(p, insn_ja(0), fail);
	bpf_prog_bind(p, go_on);
}

static void load_u32(struct bpf_prog_buf *p, size_t off)
{
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, R_META, off));
}

/* state_mt(): statemask & statebit */
static void state_emit(struct codegen *cg, const void *data, unsigned int fail)
{
	const struct xt_state_info *info = data;
	struct bpf_prog_buf *p = cg_prog(cg);

	if (!cg_meta_ptr(cg, R_META, BPFILTER_NEED_CT, "-m state"))
		return;
	load_u32(p, META(state_bits));
	fail_when(p, insn_jmp32_imm(BPF_JSET, BPF_REG_1,
				    (__s32)info->statemask, 0), false, fail);
}

/* What conntrack_mt() reads, whatever the revision. */
struct ct_args {
	const struct xt_conntrack_mtinfo2 *info;
	const struct xt_conntrack_mtinfo3 *v3;	/* or NULL */
	__u16 invert;
	__u16 state_mask;
	__u16 status_mask;
};

/* conntrack_addrcmp() for IPv4: ((ct ^ addr) & mask) == 0 */
static void emit_addr(struct bpf_prog_buf *p, const struct ct_args *a,
		      __u16 flag, size_t off, const union nf_inet_addr *addr,
		      const union nf_inet_addr *mask, unsigned int fail)
{
	if (!(a->info->match_flags & flag))
		return;
	load_u32(p, off);
	bpf_prog_emit(p, insn_alu32_imm(BPF_XOR, BPF_REG_1, (__s32)addr->ip));
	bpf_prog_emit(p, insn_alu32_imm(BPF_AND, BPF_REG_1, (__s32)mask->ip));
	fail_when(p, insn_jmp32_imm(BPF_JEQ, BPF_REG_1, 0, 0),
		  !!(a->invert & flag), fail);
}

/*
 * A port of a tuple: revisions 1 and 2 compare u.all with the rule's
 * big-endian port (ct_proto_port_check()); revision 3 tests a range of
 * host-order ports (ct_proto_port_check_v3(), port_match()).
 */
static void emit_port(struct bpf_prog_buf *p, const struct ct_args *a,
		      __u16 flag, size_t off, __be16 port, __u16 high,
		      unsigned int fail)
{
	unsigned int out, in;
	__u16 lo;

	if (!(a->info->match_flags & flag))
		return;
	bpf_prog_emit(p, insn_ldx(BPF_H, BPF_REG_1, R_META, off));
	if (!a->v3) {
		fail_when(p, insn_jmp_imm(BPF_JEQ, BPF_REG_1, port, 0),
			  !!(a->invert & flag), fail);
		return;
	}
	/* Revision 3 keeps the low port in host order too. */
	memcpy(&lo, &port, sizeof(lo));
	bpf_prog_emit(p, insn_be(BPF_REG_1, 16));
	out = bpf_prog_label(p);
	in = bpf_prog_label(p);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JLT, BPF_REG_1, lo, 0), out);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JGT, BPF_REG_1, high, 0), out);
	bpf_prog_jump(p, insn_ja(0), in);
	/* port_match() false, i.e. in range == invert: fail. */
	if (a->invert & flag) {
		bpf_prog_bind(p, in);
		bpf_prog_jump(p, insn_ja(0), fail);
		bpf_prog_bind(p, out);
	} else {
		bpf_prog_bind(p, out);
		bpf_prog_jump(p, insn_ja(0), fail);
		bpf_prog_bind(p, in);
	}
}

/* conntrack_mt() */
static void conntrack_emit_args(struct codegen *cg, const struct ct_args *a,
				unsigned int fail)
{
	const struct xt_conntrack_mtinfo2 *info = a->info;
	const struct xt_conntrack_mtinfo3 *v3 = a->v3;
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int have_ct = bpf_prog_label(p);
	unsigned int done = bpf_prog_label(p);
	__u16 flags = info->match_flags;

	if (!cg_meta_ptr(cg, R_META, BPFILTER_NEED_CT, "-m conntrack"))
		return;

	if (flags & XT_CONNTRACK_STATE) {
		load_u32(p, META(ct_state_bits));
		fail_when(p, insn_jmp32_imm(BPF_JSET, BPF_REG_1, a->state_mask, 0),
			  !!(a->invert & XT_CONNTRACK_STATE), fail);
	}

	/* No entry: the state test decided, or there is nothing to match. */
	load_u32(p, META(ct_flags));
	bpf_prog_jump(p, insn_jmp32_imm(BPF_JSET, BPF_REG_1,
					BPFILTER_CT_PRESENT, 0), have_ct);
	bpf_prog_jump(p, insn_ja(0), flags & XT_CONNTRACK_STATE ? done : fail);
	bpf_prog_bind(p, have_ct);

	/* (dir == ORIGINAL) ^ !invert: fails when (dir == REPLY) != invert */
	if (flags & XT_CONNTRACK_DIRECTION)
		fail_when(p, insn_jmp32_imm(BPF_JSET, BPF_REG_1,
					    BPFILTER_CT_REPLY, 0),
			  !(a->invert & XT_CONNTRACK_DIRECTION), fail);

	emit_addr(p, a, XT_CONNTRACK_ORIGSRC, META(ct_orig_src),
		  &info->origsrc_addr, &info->origsrc_mask, fail);
	emit_addr(p, a, XT_CONNTRACK_ORIGDST, META(ct_orig_dst),
		  &info->origdst_addr, &info->origdst_mask, fail);
	emit_addr(p, a, XT_CONNTRACK_REPLSRC, META(ct_repl_src),
		  &info->replsrc_addr, &info->replsrc_mask, fail);
	emit_addr(p, a, XT_CONNTRACK_REPLDST, META(ct_repl_dst),
		  &info->repldst_addr, &info->repldst_mask, fail);

	if (flags & XT_CONNTRACK_PROTO) {
		load_u32(p, META(ct_l4proto));
		fail_when(p, insn_jmp_imm(BPF_JEQ, BPF_REG_1, info->l4proto, 0),
			  !!(a->invert & XT_CONNTRACK_PROTO), fail);
	}
	emit_port(p, a, XT_CONNTRACK_ORIGSRC_PORT, META(ct_orig_sport),
		  info->origsrc_port, v3 ? v3->origsrc_port_high : 0, fail);
	emit_port(p, a, XT_CONNTRACK_ORIGDST_PORT, META(ct_orig_dport),
		  info->origdst_port, v3 ? v3->origdst_port_high : 0, fail);
	emit_port(p, a, XT_CONNTRACK_REPLSRC_PORT, META(ct_repl_sport),
		  info->replsrc_port, v3 ? v3->replsrc_port_high : 0, fail);
	emit_port(p, a, XT_CONNTRACK_REPLDST_PORT, META(ct_repl_dport),
		  info->repldst_port, v3 ? v3->repldst_port_high : 0, fail);

	if (flags & XT_CONNTRACK_STATUS) {
		load_u32(p, META(ct_status));
		fail_when(p, insn_jmp32_imm(BPF_JSET, BPF_REG_1,
					    a->status_mask, 0),
			  !!(a->invert & XT_CONNTRACK_STATUS), fail);
	}

	if (flags & XT_CONNTRACK_EXPIRES) {
		unsigned int out = bpf_prog_label(p);
		unsigned int in = bpf_prog_label(p);
		bool inv = a->invert & XT_CONNTRACK_EXPIRES;

		load_u32(p, META(ct_expires));
		bpf_prog_jump(p, insn_jmp32_imm(BPF_JLT, BPF_REG_1,
						(__s32)info->expires_min, 0),
			      out);
		bpf_prog_jump(p, insn_jmp32_imm(BPF_JGT, BPF_REG_1,
						(__s32)info->expires_max, 0),
			      out);
		bpf_prog_jump(p, insn_ja(0), in);
		bpf_prog_bind(p, inv ? in : out);
		bpf_prog_jump(p, insn_ja(0), fail);
		bpf_prog_bind(p, inv ? out : in);
	}
	bpf_prog_bind(p, done);
}

/*
 * conntrack_mt_v1() reads the rule as a struct xt_conntrack_mtinfo2,
 * whose u16 invert_flags overlays revision 1's u8 invert_flags and
 * state_mask: the kernel's own quirk, kept.
 */
static void conntrack_v1_emit(struct codegen *cg, const void *data,
			      unsigned int fail)
{
	const struct xt_conntrack_mtinfo1 *v1 = data;
	struct ct_args a = {
		.info = data,
		.state_mask = v1->state_mask,
		.status_mask = v1->status_mask,
	};

	memcpy(&a.invert, (const char *)data +
	       offsetof(struct xt_conntrack_mtinfo2, invert_flags),
	       sizeof(a.invert));
	conntrack_emit_args(cg, &a, fail);
}

static void conntrack_v2_emit(struct codegen *cg, const void *data,
			      unsigned int fail)
{
	const struct xt_conntrack_mtinfo2 *v2 = data;
	struct ct_args a = {
		.info = v2,
		.invert = v2->invert_flags,
		.state_mask = v2->state_mask,
		.status_mask = v2->status_mask,
	};

	conntrack_emit_args(cg, &a, fail);
}

static void conntrack_v3_emit(struct codegen *cg, const void *data,
			      unsigned int fail)
{
	const struct xt_conntrack_mtinfo3 *v3 = data;
	struct ct_args a = {
		.info = data,
		.v3 = v3,
		.invert = v3->invert_flags,
		.state_mask = v3->state_mask,
		.status_mask = v3->status_mask,
	};

	conntrack_emit_args(cg, &a, fail);
}

_Static_assert(offsetof(struct xt_conntrack_mtinfo1, match_flags) ==
	       offsetof(struct xt_conntrack_mtinfo2, match_flags) &&
	       offsetof(struct xt_conntrack_mtinfo2, invert_flags) + 2 <=
	       sizeof(struct xt_conntrack_mtinfo1) &&
	       offsetof(struct xt_conntrack_mtinfo3, state_mask) ==
	       offsetof(struct xt_conntrack_mtinfo2, state_mask),
	       "revisions share their leading fields");

const struct bpfilter_ext bpfilter_match_state = {
	.name = "state",
	.revision = 0,
	.size = sizeof(struct xt_state_info),
	.emit = state_emit,
	.unspec = true,	/* NFPROTO_UNSPEC in 6.1 */
};

const struct bpfilter_ext bpfilter_match_conntrack_v1 = {
	.name = "conntrack",
	.revision = 1,
	.size = sizeof(struct xt_conntrack_mtinfo1),
	.emit = conntrack_v1_emit,
	.unspec = true,	/* NFPROTO_UNSPEC in 6.1 */
};

const struct bpfilter_ext bpfilter_match_conntrack_v2 = {
	.name = "conntrack",
	.revision = 2,
	.size = sizeof(struct xt_conntrack_mtinfo2),
	.emit = conntrack_v2_emit,
	.unspec = true,	/* NFPROTO_UNSPEC in 6.1 */
};

const struct bpfilter_ext bpfilter_match_conntrack_v3 = {
	.name = "conntrack",
	.revision = 3,
	.size = sizeof(struct xt_conntrack_mtinfo3),
	.emit = conntrack_v3_emit,
	.unspec = true,	/* NFPROTO_UNSPEC in 6.1 */
};
