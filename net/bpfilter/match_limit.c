// SPDX-License-Identifier: GPL-2.0
/*
 * The limit match, revision 0 (xt_limit): a token bucket per rule, shared
 * by every CPU, in jiffies.  The check and the arithmetic are 6.1's
 * limit_mt_check() and limit_mt(), u32 truncations included; the bucket
 * lives in the program's state map (BPFILTER_MAP_STATE), one zeroed
 * struct bpfilter_limit_state per rule, created with each commit as
 * x_tables creates a new xt_limit_priv with each commit.
 *
 * Where it differs: x_tables starts the clock at checkentry, bpfilter at
 * the first packet (a zero prev means "no time has passed"), so the
 * first packet finds the bucket full in both unless x_tables' u32 sum of
 * credit and elapsed credit wraps.  x_tables retries its compare-and-swap
 * until it wins; the program gives up after LIMIT_ATTEMPTS lost races
 * and does not match (the packet is over the limit).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/netfilter/xt_limit.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"
#include "msgfmt.h"

#define LIMIT_ATTEMPTS	4

/* The subprogram's frame. */
#define S_KEY		(-8)	/* u32: the state map's key */
#define S_PREV		(-16)	/* u64: prev, as the fast path read it */
#define S_INCREASE	(-24)	/* u64: credit_increase, a u32 */

_Static_assert(offsetof(struct bpfilter_limit_state, prev) == 0 &&
	       offsetof(struct bpfilter_limit_state, credit) == 8,
	       "the subprogram's offsets");

/*
 * CREDITS_PER_JIFFY: the power of two at or below 0xFFFFFFFF / (HZ * one
 * day), so that a rate of 1/day still fits a u32 of credits.
 */
static __u32 credits_per_jiffy(__u32 hz)
{
	__u32 v = 0xFFFFFFFFU / (hz * 60 * 60 * 24);

	v |= v >> 1;
	v |= v >> 2;
	v |= v >> 4;
	v |= v >> 8;
	v |= v >> 16;
	return (v >> 1) + 1;
}

/* user2credits(): avg (1/XT_LIMIT_SCALE s units) to credits, in u32. */
static __u32 user2credits(__u32 user, __u32 hz)
{
	__u32 cpj = credits_per_jiffy(hz);

	if (user > 0xFFFFFFFFU / (hz * cpj))
		return (user / XT_LIMIT_SCALE) * hz * cpj;
	return (user * hz * cpj) / XT_LIMIT_SCALE;
}

static int limit_check(const void *data, const struct ipt_entry *e)
{
	__u32 hz = bpfilter_hz();
	struct xt_rateinfo r;

	(void)e;
	memcpy(&r, data, sizeof(r));
	if (!hz)
		return bpfilter_refuse(-EINVAL, "limit: the kernel's HZ is not known");
	if (r.burst == 0 ||
	    user2credits(r.avg * r.burst, hz) < user2credits(r.avg, hz))
		return bpfilter_refuse(-ERANGE, "limit: Overflow, try lower: %u/%u",
				       r.avg, r.burst);
	return 0;
}

/*
 * limit(r1 = state slot, r2 = cost, r3 = credit_cap, r4 = full credit):
 * r0 = 1 if the packet is within the limit, else 0.  limit_mt(), with
 * the credit kept as its difference to the full bucket.
 */
static void emit_limit_subprog(struct codegen *cg)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	__u32 cpj = credits_per_jiffy(bpfilter_hz());
	unsigned int over = bpf_prog_label(p);
	unsigned int slow = bpf_prog_label(p);
	unsigned int won = bpf_prog_label(p);
	unsigned int attempt;

	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_6, BPF_REG_2));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_7, BPF_REG_3));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_8, BPF_REG_4));
	bpf_prog_emit(p, insn_stx(BPF_W, BPF_REG_10, BPF_REG_1, S_KEY));
	bpf_prog_emit_reloc(p, insn_ld_imm64_lo(BPF_REG_1, BPF_PSEUDO_MAP_FD, 0),
			    BPFILTER_RELOC_MAP_FD, BPFILTER_MAP_STATE);
	bpf_prog_emit(p, insn_ld_imm64_hi(0));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_2, BPF_REG_10));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_2, S_KEY));
	bpf_prog_emit(p, insn_call_helper(BPF_FUNC_map_lookup_elem));
	/* Cannot fail: the slot is below max_entries. */
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_0, 0, 0), over);
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_9, BPF_REG_0));

	/*
	 * limit_mt()'s fast path: short of credit, and no jiffy since.
	 * jiffies is read after prev, as limit_mt() does: read before
	 * it, a tick (the timer interrupt on this very CPU) could let
	 * another CPU store the new jiffy in prev first, and the slow
	 * path below would then see time run backwards.
	 */
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, BPF_REG_9, 8));
	bpf_prog_emit(p, insn_alu32_reg(BPF_ADD, BPF_REG_1, BPF_REG_8));
	bpf_prog_jump(p, insn_jmp_reg(BPF_JGE, BPF_REG_1, BPF_REG_6, 0), slow);
	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_1, BPF_REG_9, 0));
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_1, S_PREV));
	bpf_prog_emit(p, insn_call_helper(BPF_FUNC_jiffies64));
	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_1, BPF_REG_10, S_PREV));
	bpf_prog_jump(p, insn_jmp_reg(BPF_JEQ, BPF_REG_1, BPF_REG_0, 0), over);
	bpf_prog_bind(p, slow);

	/*
	 * credit_increase, a u32 summed over the attempts as limit_mt's,
	 * lives on the stack: each attempt's jiffies call clobbers r1-r5.
	 * Only the compare-and-swap branches: a branch here is a state the
	 * verifier keeps pending while it walks every later rule, and it
	 * allows 8,192 pending states per program (BPF_COMPLEXITY_LIMIT_
	 * JMP_SEQ).  The rest is branch-free (values are u32s in 64-bit
	 * registers, so a 64-bit difference's sign bit compares them).
	 */
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_1, 0));
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_1, S_INCREASE));
	for (attempt = 0; attempt < LIMIT_ATTEMPTS; attempt++) {
		/*
		 * credit_increase += (now - xchg(&prev, now)) *
		 * CREDITS_PER_JIFFY, with now read just before the
		 * exchange, as limit_mt() reads it ...
		 */
		bpf_prog_emit(p, insn_call_helper(BPF_FUNC_jiffies64));
		bpf_prog_emit(p, insn_mov64_reg(BPF_REG_1, BPF_REG_0));
		bpf_prog_emit(p, insn_atomic(BPF_DW, BPF_REG_9, BPF_REG_1, 0,
					     BPF_XCHG));
		bpf_prog_emit(p, insn_alu64_reg(BPF_SUB, BPF_REG_0, BPF_REG_1));
		/* ... times 0 for a prev of 0: the first packet, as if
		 * checkentry had just run.  r2 = (prev | -prev) >> 63.
		 */
		bpf_prog_emit(p, insn_mov64_reg(BPF_REG_2, BPF_REG_1));
		bpf_prog_emit(p, insn_alu64_imm(BPF_NEG, BPF_REG_2, 0));
		bpf_prog_emit(p, insn_alu64_reg(BPF_OR, BPF_REG_2, BPF_REG_1));
		bpf_prog_emit(p, insn_alu64_imm(BPF_RSH, BPF_REG_2, 63));
		bpf_prog_emit(p, insn_alu64_reg(BPF_MUL, BPF_REG_0, BPF_REG_2));
		bpf_prog_emit(p, insn_alu64_imm(BPF_MUL, BPF_REG_0, cpj));
		bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_4, BPF_REG_10, S_INCREASE));
		bpf_prog_emit(p, insn_alu32_reg(BPF_ADD, BPF_REG_4, BPF_REG_0));
		bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_4, S_INCREASE));

		/* r3 = credit + r4, in u32 */
		bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_2, BPF_REG_9, 8));
		bpf_prog_emit(p, insn_mov64_reg(BPF_REG_3, BPF_REG_2));
		bpf_prog_emit(p, insn_alu32_reg(BPF_ADD, BPF_REG_3, BPF_REG_8));
		bpf_prog_emit(p, insn_alu32_reg(BPF_ADD, BPF_REG_3, BPF_REG_4));
		/* r3 = min(r3, credit_cap): cap + ((r3 - cap) & sign mask) */
		bpf_prog_emit(p, insn_mov64_reg(BPF_REG_0, BPF_REG_3));
		bpf_prog_emit(p, insn_alu64_reg(BPF_SUB, BPF_REG_0, BPF_REG_7));
		bpf_prog_emit(p, insn_mov64_reg(BPF_REG_1, BPF_REG_0));
		bpf_prog_emit(p, insn_alu64_imm(BPF_ARSH, BPF_REG_1, 63));
		bpf_prog_emit(p, insn_alu64_reg(BPF_AND, BPF_REG_0, BPF_REG_1));
		bpf_prog_emit(p, insn_mov64_reg(BPF_REG_3, BPF_REG_7));
		bpf_prog_emit(p, insn_alu64_reg(BPF_ADD, BPF_REG_3, BPF_REG_0));
		/*
		 * r0 = -1 if r3 < cost, else 0; r5, the verdict, = r0 + 1;
		 * r3 -= cost unless r3 < cost.
		 */
		bpf_prog_emit(p, insn_mov64_reg(BPF_REG_0, BPF_REG_3));
		bpf_prog_emit(p, insn_alu64_reg(BPF_SUB, BPF_REG_0, BPF_REG_6));
		bpf_prog_emit(p, insn_alu64_imm(BPF_ARSH, BPF_REG_0, 63));
		bpf_prog_emit(p, insn_mov64_reg(BPF_REG_5, BPF_REG_0));
		bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_5, 1));
		bpf_prog_emit(p, insn_alu64_imm(BPF_XOR, BPF_REG_0, -1));
		bpf_prog_emit(p, insn_alu64_reg(BPF_AND, BPF_REG_0, BPF_REG_6));
		bpf_prog_emit(p, insn_alu64_reg(BPF_SUB, BPF_REG_3, BPF_REG_0));

		/* cmpxchg(&credit, old, new), stored relative to full. */
		bpf_prog_emit(p, insn_alu32_reg(BPF_SUB, BPF_REG_3, BPF_REG_8));
		bpf_prog_emit(p, insn_mov64_reg(BPF_REG_0, BPF_REG_2));
		bpf_prog_emit(p, insn_atomic(BPF_W, BPF_REG_9, BPF_REG_3, 8,
					     BPF_CMPXCHG));
		bpf_prog_jump(p, insn_jmp_reg(BPF_JEQ, BPF_REG_0, BPF_REG_2, 0),
			      won);
	}

	bpf_prog_bind(p, over);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_0, 0));
	bpf_prog_emit(p, insn_exit());
	bpf_prog_bind(p, won);
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_0, BPF_REG_5));
	bpf_prog_emit(p, insn_exit());
}

/* limit_mt_check()'s credit_cap and cost, unless the rule brought its own. */
static void limit_emit(struct codegen *cg, const void *data,
		       unsigned int fail)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	__u32 hz = bpfilter_hz();
	__u32 full, cap, cost;
	struct xt_rateinfo r;

	memcpy(&r, data, sizeof(r));
	full = user2credits(r.avg * r.burst, hz);
	cap = r.cost ? r.credit_cap : full;
	cost = r.cost ? r.cost : user2credits(r.avg, hz);

	bpf_prog_emit(p, insn_mov32_imm(BPF_REG_1, cg_state_index(cg, data)));
	bpf_prog_emit(p, insn_mov32_imm(BPF_REG_2, cost));
	bpf_prog_emit(p, insn_mov32_imm(BPF_REG_3, cap));
	bpf_prog_emit(p, insn_mov32_imm(BPF_REG_4, full));
	bpf_prog_call(p, cg_subprog(cg, emit_limit_subprog));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_0, 0, 0), fail);
}

const struct bpfilter_ext bpfilter_match_limit = {
	.name = "limit",
	.revision = 0,
	.size = sizeof(struct xt_rateinfo),
	.usersize = offsetof(struct xt_rateinfo, prev),
	.state = true,
	.check = limit_check,
	.emit = limit_emit,
	.unspec = true,	/* NFPROTO_UNSPEC in 6.1 */
};
