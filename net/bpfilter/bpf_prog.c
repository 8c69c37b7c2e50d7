// SPDX-License-Identifier: GPL-2.0
/* The instruction buffer, its forward-jump labels and its relocations. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_insn.h"
#include "bpf_prog.h"

/* The farthest a jump's 16-bit offset reaches. */
#define JUMP_REACH		32767U
/*
 * How far a pending jump may get before an island is placed.  Well
 * below JUMP_REACH because the verifier rewrites instructions and must
 * still encode every jump afterwards: an inlined map lookup (per-CPU
 * array) turns one call into about eight instructions, so a counter
 * block grows from 11 to about 18 ("insn N cannot be patched due to
 * 16-bit range" otherwise).  Even code made only of counter blocks then
 * stays within reach.  Islands are placed between rules, and no rule's
 * own code (the unrolled TCP option scan is the largest, about 700
 * instructions) comes near the slack left.
 */
#define ISLAND_SPAN		12000U

void bpf_prog_init(struct bpf_prog_buf *p, unsigned int max_insns)
{
	memset(p, 0, sizeof(*p));
	p->max_insns = max_insns;
	p->live = true;
}

void bpf_prog_release(struct bpf_prog_buf *p)
{
	free(p->insns);
	free(p->relocs);
	free(p->labels);
	free(p->called);
	free(p->pending);
	free(p->calls);
	memset(p, 0, sizeof(*p));
}

/* Makes room for one more element of @size bytes in *@arr. */
static int grow(void **arr, unsigned int *cap, unsigned int len, size_t size)
{
	unsigned int ncap;
	void *n;

	if (len < *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	n = realloc(*arr, (size_t)ncap * size);
	if (!n)
		return -ENOMEM;
	*arr = n;
	*cap = ncap;
	return 0;
}

static void fail(struct bpf_prog_buf *p, int err)
{
	if (!p->err)
		p->err = err;
}

static bool ends_flow(struct bpf_insn insn)
{
	return insn.code == (BPF_JMP | BPF_JA) ||
	       insn.code == (BPF_JMP | BPF_EXIT);
}

void bpf_prog_emit(struct bpf_prog_buf *p, struct bpf_insn insn)
{
	if (p->err || !p->live)
		return;
	if (p->len >= p->max_insns) {
		fail(p, -E2BIG);
		return;
	}
	if (grow((void **)&p->insns, &p->cap, p->len, sizeof(insn))) {
		fail(p, -ENOMEM);
		return;
	}
	p->insns[p->len++] = insn;
	if (ends_flow(insn))
		p->live = false;
}

unsigned int bpf_prog_label(struct bpf_prog_buf *p)
{
	if (p->err)
		return 0;
	if (p->nr_labels >= p->cap_labels) {
		unsigned int cap = p->cap_labels;
		bool *called;

		if (grow((void **)&p->labels, &p->cap_labels, p->nr_labels,
			 sizeof(*p->labels))) {
			fail(p, -ENOMEM);
			return 0;
		}
		called = realloc(p->called, p->cap_labels * sizeof(*called));
		if (!called) {
			p->cap_labels = cap;
			fail(p, -ENOMEM);
			return 0;
		}
		p->called = called;
	}
	p->labels[p->nr_labels] = BPF_PROG_UNBOUND;
	p->called[p->nr_labels] = false;
	return p->nr_labels++;
}

static void patch_jump(struct bpf_prog_buf *p, unsigned int insn,
		       unsigned int target)
{
	unsigned int dist = target - insn - 1;

	if (dist > JUMP_REACH) {
		fail(p, -E2BIG);
		return;
	}
	p->insns[insn].off = (__s16)dist;
}

void bpf_prog_bind(struct bpf_prog_buf *p, unsigned int label)
{
	unsigned int i = 0;

	if (p->err)
		return;
	p->labels[label] = p->len;
	if (p->called[label])
		p->live = true;
	while (i < p->nr_pending) {
		if (p->pending[i].label != label) {
			i++;
			continue;
		}
		patch_jump(p, p->pending[i].insn, p->len);
		p->pending[i] = p->pending[--p->nr_pending];
		p->live = true;
	}
}

void bpf_prog_jump(struct bpf_prog_buf *p, struct bpf_insn insn,
		   unsigned int label)
{
	if (p->err)
		return;
	/* Only forward jumps: the code stays a DAG the verifier walks once. */
	if (p->labels[label] != BPF_PROG_UNBOUND) {
		fail(p, -EINVAL);
		return;
	}
	if (!p->live)
		return;
	if (grow((void **)&p->pending, &p->cap_pending, p->nr_pending,
		 sizeof(*p->pending))) {
		fail(p, -ENOMEM);
		return;
	}
	bpf_prog_emit(p, insn);
	if (p->err)
		return;
	p->pending[p->nr_pending++] = (struct bpf_prog_fixup) {
		.insn = p->len - 1, .label = label,
	};
}

void bpf_prog_call(struct bpf_prog_buf *p, unsigned int label)
{
	if (p->err || !p->live)
		return;
	if (grow((void **)&p->calls, &p->cap_calls, p->nr_calls,
		 sizeof(*p->calls))) {
		fail(p, -ENOMEM);
		return;
	}
	/* A call returns: the code after it stays reachable. */
	bpf_prog_emit(p, insn_make(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 0));
	if (p->err)
		return;
	p->called[label] = true;
	p->calls[p->nr_calls++] = (struct bpf_prog_fixup) {
		.insn = p->len - 1, .label = label,
	};
}

/* Records that a loader must patch the instruction just emitted. */
static void add_reloc(struct bpf_prog_buf *p, enum bpfilter_reloc_kind kind,
		      unsigned int index)
{
	if (grow((void **)&p->relocs, &p->cap_relocs, p->nr_relocs,
		 sizeof(*p->relocs))) {
		fail(p, -ENOMEM);
		return;
	}
	p->relocs[p->nr_relocs++] = (struct bpfilter_reloc) {
		.insn = p->len - 1, .kind = kind, .index = index,
	};
}

void bpf_prog_emit_reloc(struct bpf_prog_buf *p, struct bpf_insn insn,
			 enum bpfilter_reloc_kind kind, unsigned int index)
{
	if (p->err || !p->live)
		return;
	bpf_prog_emit(p, insn);
	if (!p->err)
		add_reloc(p, kind, index);
}

void bpf_prog_jump_reloc(struct bpf_prog_buf *p, struct bpf_insn insn,
			 unsigned int label, enum bpfilter_reloc_kind kind,
			 unsigned int index)
{
	unsigned int len = p->len;

	bpf_prog_jump(p, insn, label);
	if (!p->err && p->len > len)
		add_reloc(p, kind, index);
}

static bool island_needed(const struct bpf_prog_buf *p)
{
	unsigned int i;

	for (i = 0; i < p->nr_pending; i++) {
		if (p->len - p->pending[i].insn > ISLAND_SPAN)
			return true;
	}
	return false;
}

/*
 * Every label with pending jumps gets one "ja" in the island: its
 * pending jumps land on that "ja", which is the label's only pending
 * jump afterwards.
 */
void bpf_prog_islands(struct bpf_prog_buf *p)
{
	unsigned int over, i, j, n = 0, *open;

	if (p->err || !island_needed(p))
		return;

	open = malloc(p->nr_pending * sizeof(*open));
	if (!open) {
		fail(p, -ENOMEM);
		return;
	}
	for (i = 0; i < p->nr_pending; i++) {
		for (j = 0; j < n && open[j] != p->pending[i].label; j++)
			;
		if (j == n)
			open[n++] = p->pending[i].label;
	}

	over = bpf_prog_label(p);
	bpf_prog_jump(p, insn_ja(0), over);
	for (i = 0; i < n && !p->err; i++) {
		bpf_prog_bind(p, open[i]);
		p->labels[open[i]] = BPF_PROG_UNBOUND;
		bpf_prog_jump(p, insn_ja(0), open[i]);
	}
	bpf_prog_bind(p, over);
	free(open);
}

int bpf_prog_finish(struct bpf_prog_buf *p)
{
	unsigned int i, target;

	if (!p->err && p->nr_pending)
		fail(p, -EINVAL);
	for (i = 0; i < p->nr_calls && !p->err; i++) {
		target = p->labels[p->calls[i].label];
		if (target == BPF_PROG_UNBOUND)
			fail(p, -EINVAL);
		else
			p->insns[p->calls[i].insn].imm =
				(__s32)(target - p->calls[i].insn - 1);
	}
	return p->err;
}
