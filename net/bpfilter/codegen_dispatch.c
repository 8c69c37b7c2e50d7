// SPDX-License-Identifier: GPL-2.0
/*
 * Interface dispatch: a run of rules that each test only the input (or
 * only the output) device by an exact name, all names different, each
 * jumping to a chain (or going to one, or ACCEPT/DROP): "-i veth0 -j
 * IF0", "-i veth1 -j IF1", ...  A packet's device has one name, so at
 * most one entry of the run can match it: one hash lookup of the name
 * finds it, a binary search on its index branches to that entry's
 * action (counted, its chain inlined as before), and traversal then
 * continues after the run, where it would have gone after that entry
 * too, since no later entry of the run can match.
 *
 * A name is exact when its mask covers it and its NUL (iptables writes
 * "veth0" so); a "+" wildcard or a repeated name ends the run.  Names
 * of one length share a map (the key is the device name masked to that
 * length and its NUL); at most DISPATCH_LENGTHS lengths per run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <net/if.h>

#include "classify.h"
#include "codegen_emit.h"
#include "entry.h"

#define DISPATCH_LENGTHS	4
/* Map numbers of the dispatch maps: after the classifier's parts. */
#define DISPATCH_PART		(1U << 16)
#define NAME_WORDS		(IFNAMSIZ / 4)

struct dispatch_rule {
	bool out;			/* -o, else -i */
	unsigned int len;		/* strlen of the name */
	unsigned char name[IFNAMSIZ];	/* zero after the name */
};

static bool dispatch_name(const char *name, const unsigned char *mask,
			  struct dispatch_rule *r)
{
	unsigned int i;

	r->len = strnlen(name, IFNAMSIZ);
	for (i = 0; i < IFNAMSIZ; i++) {
		/* The name and its NUL under the mask, nothing else. */
		if (mask[i] != (i <= r->len ? 0xff : 0) ||
		    (i >= r->len && name[i]))
			return false;
	}
	memcpy(r->name, name, IFNAMSIZ);
	return r->len < IFNAMSIZ;
}

/* Return: whether @e is a dispatch rule, what it tests in @r. */
static bool dispatch_rule_of(const struct ipt_entry *e,
			     struct dispatch_rule *r)
{
	static const unsigned char none[IFNAMSIZ];
	const unsigned char *base = (const unsigned char *)e;
	struct xt_ext_head head;
	unsigned int pos;
	int v;

	memset(r, 0, sizeof(*r));
	if (e->ip.src.s_addr || e->ip.smsk.s_addr || e->ip.dst.s_addr ||
	    e->ip.dmsk.s_addr || e->ip.proto || e->ip.invflags ||
	    (e->ip.flags & ~IPT_F_GOTO))
		return false;
	for (pos = sizeof(*e); pos < e->target_offset; pos += head.size) {
		xt_ext_head_read(base + pos, &head);
		if (strcmp(head.name, "comment") || head.revision)
			return false;
	}
	ipt_target_head(e, &head);
	if (!xt_is_standard_target(&head))
		return false;
	v = ipt_standard_verdict(e);
	if (v < 0 && v != -NF_ACCEPT - 1 && v != -NF_DROP - 1)
		return false;
	if (!memcmp(e->ip.outiface_mask, none, IFNAMSIZ))
		return dispatch_name(e->ip.iniface, e->ip.iniface_mask, r);
	r->out = true;
	return !memcmp(e->ip.iniface_mask, none, IFNAMSIZ) &&
	       dispatch_name(e->ip.outiface, e->ip.outiface_mask, r);
}

struct dispatch_run {
	unsigned int first, len;
	bool out;
	struct dispatch_rule *rules;
	unsigned int lengths[DISPATCH_LENGTHS], nr_lengths;
};

static bool run_has_name(const struct dispatch_run *run,
			 const struct dispatch_rule *r)
{
	unsigned int i;

	for (i = 0; i < run->len; i++)
		if (!memcmp(run->rules[i].name, r->name, IFNAMSIZ))
			return true;
	return false;
}

static bool run_add_length(struct dispatch_run *run, unsigned int len)
{
	unsigned int i;

	for (i = 0; i < run->nr_lengths; i++)
		if (run->lengths[i] == len)
			return true;
	if (run->nr_lengths == DISPATCH_LENGTHS)
		return false;
	run->lengths[run->nr_lengths++] = len;
	return true;
}

/* The longest dispatch run from @first.  Return: 0 or -ENOMEM. */
static int run_find(struct codegen *cg, unsigned int first,
		    struct dispatch_run *run)
{
	unsigned int i, count = cg_entry_count(cg), room = 0;
	struct dispatch_rule r;
	void *grown;

	memset(run, 0, sizeof(*run));
	run->first = first;
	for (i = first; i < count; i++) {
		if (!dispatch_rule_of(cg_entry(cg, i), &r) ||
		    (run->len && r.out != run->out) || run_has_name(run, &r) ||
		    !run_add_length(run, r.len))
			break;
		if (run->len == room) {
			room = room ? 2 * room : 64;
			grown = realloc(run->rules, room * sizeof(*run->rules));
			if (!grown)
				return -ENOMEM;
			run->rules = grown;
		}
		run->out = r.out;
		run->rules[run->len++] = r;
	}
	return 0;
}

/* The mask of a name of @len bytes and its NUL, as key words. */
static void name_mask(unsigned int len, __u32 mask[NAME_WORDS])
{
	unsigned char bytes[IFNAMSIZ] = { 0 };

	memset(bytes, 0xff, len + 1);
	memcpy(mask, bytes, IFNAMSIZ);
}

/* The hash map of the run's names of length @len. Return: its number. */
static int length_map(struct codegen *cg, const struct dispatch_run *run,
		      unsigned int li)
{
	unsigned int part = DISPATCH_PART + li, i, n = 0;
	const unsigned int key_size = 4 + IFNAMSIZ;
	struct bpfilter_class_map m = { 0 };
	__u32 plen = 8 * IFNAMSIZ;
	int nr;

	nr = cg_class_map_find(cg, run->first, run->len, part);
	if (nr >= 0)
		return nr;
	for (i = 0; i < run->len; i++)
		n += run->rules[i].len == run->lengths[li];
	m.type = BPF_MAP_TYPE_HASH;
	m.key_size = key_size;
	m.nr_elems = n;
	m.keys = malloc((size_t)n * key_size);
	m.values = malloc((size_t)n * sizeof(*m.values));
	for (i = 0, n = 0; m.keys && m.values && i < run->len; i++) {
		if (run->rules[i].len != run->lengths[li])
			continue;
		memcpy(m.keys + (size_t)n * key_size, &plen, 4);
		memcpy(m.keys + (size_t)n * key_size + 4, run->rules[i].name,
		       IFNAMSIZ);
		m.values[n].index = run->first + i;
		m.values[n++].verdict = 0;
	}
	return cg_class_map_add(cg, run->first, run->len, part, &m);
}

/*
 * The lookup of length @li's names: the device name, masked to the
 * length and its NUL, as codegen_classify.c's keys are built; a hit
 * jumps to @found with the entry's index in r9.
 */
static void emit_length_lookup(struct codegen *cg,
			       const struct dispatch_run *run,
			       unsigned int li, unsigned int found)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	struct class_layout l = { .words = NAME_WORDS };
	__u32 mask[NAME_WORDS];
	unsigned int miss, w;
	int map;

	map = length_map(cg, run, li);
	if (map < 0)
		return;
	name_mask(run->lengths[li], mask);
	for (w = 0; w < NAME_WORDS; w++) {
		l.word[w].field = run->out ? CLASS_OUT : CLASS_IN;
		l.word[w].part = w;
		l.word[w].mask = mask[w];
	}
	miss = bpf_prog_label(p);
	cg_emit_class_lookup(cg, &l, map, miss);
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_9, BPF_REG_0, 0));
	bpf_prog_jump(p, insn_ja(0), found);
	bpf_prog_bind(p, miss);
}

/* Entries [lo, hi) by the index in r9; each goes on at @done. */
static void emit_search(struct codegen *cg, unsigned int lo, unsigned int hi,
			unsigned int ret, unsigned int done)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int mid, upper;

	if (hi - lo == 1) {
		cg_emit_action(cg, lo, ret);
		bpf_prog_jump(p, insn_ja(0), done);
		return;
	}
	mid = lo + (hi - lo) / 2;
	upper = bpf_prog_label(p);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JGE, BPF_REG_9, mid, 0), upper);
	emit_search(cg, lo, mid, ret, done);
	bpf_prog_islands(p);
	bpf_prog_bind(p, upper);
	emit_search(cg, mid, hi, ret, done);
}

unsigned int cg_dispatch(struct codegen *cg, unsigned int first,
			 unsigned int ret)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int found, done, li, len = 0;
	struct dispatch_run run;

	if (run_find(cg, first, &run)) {
		cg_refuse(cg, -ENOMEM);
	} else if (run.len >= 2 &&
		   run.len >= bpfilter_classify_min_run * run.nr_lengths &&
		   cg_class_budget(cg, run.nr_lengths, run.len,
				   run.nr_lengths)) {
		len = run.len;
		found = bpf_prog_label(p);
		done = bpf_prog_label(p);
		for (li = 0; li < run.nr_lengths; li++)
			emit_length_lookup(cg, &run, li, found);
		bpf_prog_jump(p, insn_ja(0), done);
		bpf_prog_bind(p, found);
		emit_search(cg, first, first + len, ret, done);
		bpf_prog_bind(p, done);
	}
	free(run.rules);
	return len;
}
