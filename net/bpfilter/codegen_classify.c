// SPDX-License-Identifier: GPL-2.0
/*
 * The classifier: a run of consecutive entries of one chain that test
 * only addresses, the protocol and exact ports (class_rule_of()), each
 * ending in ACCEPT or DROP, becomes a few map lookups instead of one
 * test per entry (docs/classifier.md).
 *
 * Tuple space search: the run's entries are grouped by what they test
 * (a tuple: protocol or not, which ports, the prefix length of one
 * address field), each tuple one map whose key is those fields, with
 * the other address field last, of any prefix length (class_map.c: an
 * LPM trie whose values make a lookup return the tuple's first match).
 * The packet's first match in the run is the smallest entry index the
 * tuples' lookups return; r9 keeps it across them, with its verdict, as
 * index << 2 | kind (0 drop, 1 accept, 2 RETURN, 3 dropped unseen: a
 * hotdrop).
 *
 * The value is the entry's counter index; the shared count-and-verdict
 * blocks count it and return, so counters and GET_ENTRIES do not change.
 * Entries before and after a run, and everything not classifiable, are
 * emitted as before, so first-match order holds across runs too.
 *
 * Tuples with port matches keep xt_tcpudp's corner cases: a non-first
 * fragment matches none of their entries, but a TCP fragment at offset 1
 * is dropped at the first entry whose IP part matches, as is a packet
 * too short for the L4 header: for those packets each such tuple is
 * looked up in a second map of its entries' IP parts, whose hit is a
 * hotdrop candidate ordered with the other tuples' matches.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "classify.h"
#include "codegen_emit.h"
#include "entry.h"

/* Shorter runs stay straight-line code: a lookup costs about 16 tests. */
unsigned int bpfilter_classify_min_run = 16;

/* Lookups per run at most; a run ends where another tuple would start. */
#define TUPLES_MAX	8

#define KIND_DROP	BPFILTER_CLASS_DROP
#define KIND_ACCEPT	BPFILTER_CLASS_ACCEPT
#define KIND_RETURN	BPFILTER_CLASS_RETURN
#define KIND_HOTDROP	3

/* The entries of a run that share one key layout. */
struct tuple {
	bool proto, l4, sport, dport;
	int lpm;		/* address field of any length: 0 src, 1 dst */
	__u8 fixed_plen;	/* the other one's prefix length */
	__u8 plen_min, plen_max;	/* of the lpm field */
	unsigned int nr;
	unsigned int first;	/* of its entries, in table order */
};

struct run {
	unsigned int first, len;
	struct class_rule *rules;	/* len of them */
	unsigned char *tuple_of;	/* per rule */
	struct tuple tuples[TUPLES_MAX];
	unsigned int nr_tuples;
};

static bool full_or_none(__u8 plen)
{
	return plen == 0 || plen == 32;
}

static void tuple_of_rule(const struct class_rule *r, struct tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->proto = r->proto != 0;
	t->l4 = r->l4;
	t->sport = r->sport;
	t->dport = r->dport;
	/* The source varies, unless only the destination has to. */
	t->lpm = full_or_none(r->plen[0]) && !full_or_none(r->plen[1]);
	t->fixed_plen = r->plen[!t->lpm];
}

static bool same_tuple(const struct tuple *a, const struct tuple *b)
{
	return a->proto == b->proto && a->l4 == b->l4 &&
	       a->sport == b->sport && a->dport == b->dport &&
	       a->lpm == b->lpm && a->fixed_plen == b->fixed_plen;
}

/* The rule goes into a tuple of @run; false when it would be one too many. */
static bool run_add(struct run *run, const struct class_rule *r,
		    unsigned int index)
{
	struct tuple sig, *t;
	unsigned int i;
	__u8 plen;

	tuple_of_rule(r, &sig);
	for (i = 0; i < run->nr_tuples; i++)
		if (same_tuple(&run->tuples[i], &sig))
			break;
	if (i == TUPLES_MAX)
		return false;
	t = &run->tuples[i];
	plen = r->plen[sig.lpm];
	if (i == run->nr_tuples) {
		*t = sig;
		t->plen_min = t->plen_max = plen;
		t->first = index;
		run->nr_tuples++;
	}
	if (plen < t->plen_min)
		t->plen_min = plen;
	if (plen > t->plen_max)
		t->plen_max = plen;
	t->nr++;
	run->rules[run->len] = *r;
	run->tuple_of[run->len++] = i;
	return true;
}

/*
 * The longest run from @first: classifiable entries in at most
 * TUPLES_MAX tuples, ending after an unconditional one (traversal never
 * goes past it).  Return: 0, or -ENOMEM.
 */
static int run_find(struct codegen *cg, unsigned int first, struct run *run)
{
	unsigned int i, count = cg_entry_count(cg), room = 0;
	struct class_rule r;
	void *grown;

	memset(run, 0, sizeof(*run));
	run->first = first;
	for (i = first; i < count; i++) {
		if (!class_rule_of(cg_entry(cg, i), &r))
			break;
		if (run->len == room) {
			room = room ? 2 * room : 64;
			grown = realloc(run->rules, room * sizeof(*run->rules));
			if (!grown)
				return -ENOMEM;
			run->rules = grown;
			grown = realloc(run->tuple_of, room);
			if (!grown)
				return -ENOMEM;
			run->tuple_of = grown;
		}
		if (!run_add(run, &r, i))
			break;
		if (ipt_entry_unconditional(cg_entry(cg, i)))
			break;
	}
	return 0;
}

static __u32 prefix_mask(unsigned int plen)
{
	return htonl(plen ? ~0U << (32 - plen) : 0);
}

static void layout_add(struct class_layout *l, enum class_field f, __u32 mask)
{
	l->word[l->words].field = f;
	l->word[l->words++].mask = mask;
}

/* The key of tuple @t, @ports: with its ports (else its IP part). */
static void layout_of(const struct tuple *t, bool ports,
		      struct class_layout *l)
{
	static const enum class_field addr[2] = { CLASS_SADDR, CLASS_DADDR };
	unsigned char mask[4] = { 0 };
	__u32 m;

	memset(l, 0, sizeof(*l));
	if (t->proto)
		layout_add(l, CLASS_PROTO, ~0U);
	if (ports && (t->sport || t->dport)) {
		if (t->sport)
			mask[0] = mask[1] = 0xff;
		if (t->dport)
			mask[2] = mask[3] = 0xff;
		memcpy(&m, mask, sizeof(m));
		layout_add(l, CLASS_PORTS, m);
	}
	if (t->fixed_plen)
		layout_add(l, addr[!t->lpm], prefix_mask(t->fixed_plen));
	/* Last: LPM compares leading bits. */
	if (t->plen_min != t->plen_max) {
		layout_add(l, addr[t->lpm], ~0U);
		l->lpm = true;
	} else if (t->plen_max) {
		layout_add(l, addr[t->lpm], prefix_mask(t->plen_max));
	}
}

/* Return: the map number of tuple @ti's map (@ports as layout_of()), or -1. */
static int tuple_map(struct codegen *cg, const struct run *run,
		     unsigned int ti, bool ports)
{
	unsigned int part = 2 * ti + ports, i, n = 0;
	struct bpfilter_class_map m;
	struct class_layout l;
	struct class_rule *rules;
	unsigned int *index;
	int nr, err;

	nr = cg_class_map_find(cg, run->first, run->len, part);
	if (nr >= 0)
		return nr;
	layout_of(&run->tuples[ti], ports, &l);
	rules = malloc(run->tuples[ti].nr * sizeof(*rules));
	index = malloc(run->tuples[ti].nr * sizeof(*index));
	err = rules && index ? 0 : -ENOMEM;
	for (i = 0; !err && i < run->len; i++) {
		if (run->tuple_of[i] != ti)
			continue;
		rules[n] = run->rules[i];
		index[n++] = run->first + i;
	}
	if (!err)
		err = class_map_build(&l, rules, index, n, &m);
	free(rules);
	free(index);
	if (err) {
		cg_refuse(cg, err);
		return -1;
	}
	return cg_class_map_add(cg, run->first, run->len, part, &m);
}

/* @reg = key word @w (0: the prefix length) of the packet's key. */
static void emit_key_word(struct bpf_prog_buf *p, const struct class_layout *l,
			  unsigned int w, __u8 reg)
{
	if (w == 0) {
		bpf_prog_emit(p, insn_mov32_imm(reg, 32 * l->words));
		return;
	}
	if (w > l->words) {
		bpf_prog_emit(p, insn_mov64_imm(reg, 0));
		return;
	}
	switch (l->word[w - 1].field) {
	case CLASS_PROTO:
		bpf_prog_emit(p, insn_ldx(BPF_DW, reg, BPF_REG_10, CG_S_PROTO));
		break;
	case CLASS_PORTS:
		bpf_prog_emit(p, insn_ldx(BPF_W, reg, BPF_REG_10, CG_S_L4));
		break;
	case CLASS_SADDR:
		bpf_prog_emit(p, insn_alu32_reg(BPF_MOV, reg, CG_REG_SADDR));
		break;
	case CLASS_DADDR:
		bpf_prog_emit(p, insn_alu32_reg(BPF_MOV, reg, CG_REG_DADDR));
		break;
	case CLASS_IN:
	case CLASS_OUT:
		bpf_prog_emit(p, insn_ldx(BPF_W, reg, BPF_REG_10,
					  (l->word[w - 1].field == CLASS_IN ?
					   CG_S_IN : CG_S_OUT) +
					  4 * l->word[w - 1].part));
		break;
	}
	if (l->word[w - 1].mask != ~0U)
		bpf_prog_emit(p, insn_alu32_imm(BPF_AND, reg,
						(__s32)l->word[w - 1].mask));
}

/*
 * The packet's key at CG_S_OPT (scratch), 8 bytes at a time: 6.1's
 * verifier takes a 4-byte immediate store as a spilled register and
 * then refuses, without CAP_PERFMON, any partial write next to it.
 */
static void emit_key(struct bpf_prog_buf *p, const struct class_layout *l)
{
	unsigned int w;

	for (w = 0; w < 1 + l->words; w += 2) {
		emit_key_word(p, l, w + 1, BPF_REG_1);
		bpf_prog_emit(p, insn_alu64_imm(BPF_LSH, BPF_REG_1, 32));
		emit_key_word(p, l, w, BPF_REG_2);
		bpf_prog_emit(p, insn_alu64_reg(BPF_OR, BPF_REG_1, BPF_REG_2));
		bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_1,
					  CG_S_OPT + 4 * w));
	}
}

void cg_emit_class_lookup(struct codegen *cg, const struct class_layout *l,
			  int nr, unsigned int miss)
{
	const struct codegen_flavour *fl = cg_flavour(cg);
	struct bpf_prog_buf *p = cg_prog(cg);

	cg_class_map_use(cg, nr);
	/*
	 * A key word of few bits (a masked name, a prefix length) is a
	 * bounded scalar, so its 8-byte store is a spilled register to the
	 * verifier, and under Spectre v4 hardening any later store to a
	 * slot holding a spill gets a barrier: three per lookup after the
	 * first.  One helper write over the key's slots costs less.
	 */
	if (cg_key_area_reuse(cg) && fl->unspill_stack)
		fl->unspill_stack(p, CG_S_OPT, 8 * ((2 + l->words) / 2));
	emit_key(p, l);
	bpf_prog_emit_reloc(p, insn_ld_imm64_lo(BPF_REG_1, BPF_PSEUDO_MAP_FD, 0),
			    BPFILTER_RELOC_MAP_FD, nr);
	bpf_prog_emit(p, insn_ld_imm64_hi(0));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_2, BPF_REG_10));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_2, CG_S_OPT));
	bpf_prog_emit(p, insn_call_helper(BPF_FUNC_map_lookup_elem));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_0, 0, 0), miss);
}

/* r9 = min(r9, r1): the earlier entry wins. */
static void emit_keep_first(struct bpf_prog_buf *p)
{
	unsigned int later = bpf_prog_label(p);

	bpf_prog_jump(p, insn_jmp_reg(BPF_JGE, BPF_REG_1, BPF_REG_9, 0), later);
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_9, BPF_REG_1));
	bpf_prog_bind(p, later);
}

/* Tuple @ti's lookup (@ports as layout_of()), its hit a candidate in r9. */
static void emit_tuple(struct codegen *cg, const struct run *run,
		       unsigned int ti, bool ports)
{
	const struct tuple *t = &run->tuples[ti];
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int miss = bpf_prog_label(p);
	struct class_layout l;
	int map;

	layout_of(t, ports, &l);
	if (!l.words) {
		/* Tests nothing: its first entry matches every packet. */
		bpf_prog_emit(p, insn_mov32_imm(BPF_REG_1, t->first << 2 |
				run->rules[t->first - run->first].verdict));
		emit_keep_first(p);
		return;
	}
	map = tuple_map(cg, run, ti, ports);
	if (map < 0)
		return;
	cg_emit_class_lookup(cg, &l, map, miss);
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, BPF_REG_0, 0));
	bpf_prog_emit(p, insn_alu64_imm(BPF_LSH, BPF_REG_1, 2));
	if (t->l4 && !ports) {
		bpf_prog_emit(p, insn_alu64_imm(BPF_OR, BPF_REG_1, KIND_HOTDROP));
	} else {
		bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_2, BPF_REG_0, 4));
		bpf_prog_emit(p, insn_alu64_imm(BPF_AND, BPF_REG_2, 3));
		bpf_prog_emit(p, insn_alu64_reg(BPF_OR, BPF_REG_1, BPF_REG_2));
	}
	emit_keep_first(p);
	bpf_prog_bind(p, miss);
}

/*
 * Which lookups the tuples with port matches get: other protocols match
 * none of their entries (each tests tcp or udp), nor does a non-first
 * fragment, except that TCP at offset 1 is dropped, as a header too
 * short for the match is, when some entry's IP part matches (@short_l4).
 * Falls through for a packet whose ports the entries may test.
 */
static void emit_l4_guard(struct bpf_prog_buf *p, unsigned int none,
			  unsigned int short_l4)
{
	unsigned int have_need = bpf_prog_label(p);
	unsigned int first_frag = bpf_prog_label(p);

	cg_load_untracked(p, BPF_REG_1, CG_S_PROTO, 0xff);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_3, 20));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_1, IPPROTO_TCP, 0),
		      have_need);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_3, 8));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_1, IPPROTO_UDP, 0), none);
	bpf_prog_bind(p, have_need);
	cg_load_untracked(p, BPF_REG_2, CG_S_FRAGOFF, CG_FRAGOFF_MASK);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_2, 0, 0), first_frag);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_1, IPPROTO_TCP, 0), none);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_2, 1, 0), none);
	bpf_prog_jump(p, insn_ja(0), short_l4);
	bpf_prog_bind(p, first_frag);
	cg_load_untracked(p, BPF_REG_2, CG_S_L4LEN, CG_L4LEN_MASK);
	bpf_prog_jump(p, insn_jmp_reg(BPF_JLT, BPF_REG_2, BPF_REG_3, 0),
		      short_l4);
}

/*
 * After the lookups: count r9's entry and return its verdict or RETURN
 * to @ret, drop unseen, or go on at @none.
 */
static void emit_winner(struct codegen *cg, unsigned int none,
			  unsigned int ret)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int hotdrop = bpf_prog_label(p);

	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_9, -1, 0), none);
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_1, BPF_REG_9));
	bpf_prog_emit(p, insn_alu64_imm(BPF_RSH, BPF_REG_1, 2));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_2, BPF_REG_9));
	bpf_prog_emit(p, insn_alu64_imm(BPF_AND, BPF_REG_2, 3));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_2, KIND_ACCEPT, 0),
		      cg_count_verdict_label(cg, true));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_2, KIND_DROP, 0),
		      cg_count_verdict_label(cg, false));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_2, KIND_RETURN, 0),
		      hotdrop);
	cg_emit_count_r1(cg);
	bpf_prog_jump(p, insn_ja(0), ret);
	bpf_prog_bind(p, hotdrop);
	cg_emit_verdict(cg, false);
}

static void emit_run(struct codegen *cg, const struct run *run,
		     unsigned int ret)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int none = bpf_prog_label(p);
	unsigned int lookups = bpf_prog_label(p);
	unsigned int short_l4 = bpf_prog_label(p);
	unsigned int ti;
	bool l4 = false;

	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_9, -1));
	for (ti = 0; ti < run->nr_tuples; ti++) {
		if (run->tuples[ti].l4)
			l4 = true;
		else
			emit_tuple(cg, run, ti, true);
	}
	if (l4) {
		emit_l4_guard(p, lookups, short_l4);
		for (ti = 0; ti < run->nr_tuples; ti++)
			if (run->tuples[ti].l4)
				emit_tuple(cg, run, ti, true);
		bpf_prog_jump(p, insn_ja(0), lookups);
		bpf_prog_bind(p, short_l4);
		for (ti = 0; ti < run->nr_tuples; ti++)
			if (run->tuples[ti].l4)
				emit_tuple(cg, run, ti, false);
	}
	bpf_prog_bind(p, lookups);
	emit_winner(cg, none, ret);
	bpf_prog_bind(p, none);
}

/* Whether the run is worth its lookups, and fits the image's limits. */
static bool run_worth(struct codegen *cg, const struct run *run)
{
	unsigned int lookups = 0, maps = 0, elems = 0, refs = 0, ti;
	struct class_layout l;

	for (ti = 0; ti < run->nr_tuples; ti++) {
		layout_of(&run->tuples[ti], true, &l);
		if (!l.words)
			continue;
		/* A packet meets one of a port tuple's two maps. */
		lookups++;
		/* References to maps this program may not use yet. */
		refs += 1 + run->tuples[ti].l4;
		/* Made for another hook's copy already: no more memory. */
		if (cg_class_map_find(cg, run->first, run->len, 2 * ti + 1) >= 0)
			continue;
		maps += 1 + run->tuples[ti].l4;
		elems += run->tuples[ti].nr * (1 + run->tuples[ti].l4);
	}
	return run->len >= 2 && lookups &&
	       run->len >= bpfilter_classify_min_run * lookups &&
	       cg_class_budget(cg, maps, elems, refs);
}

unsigned int cg_classify(struct codegen *cg, unsigned int first,
			 unsigned int ret)
{
	unsigned int len = 0;
	struct run run;

	if (run_find(cg, first, &run))
		cg_refuse(cg, -ENOMEM);
	else if (run_worth(cg, &run))
		len = run.len;
	if (len)
		emit_run(cg, &run, ret);
	free(run.rules);
	free(run.tuple_of);
	return len;
}
