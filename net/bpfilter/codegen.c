// SPDX-License-Identifier: GPL-2.0
/*
 * A table to one program per hook, with ipt_do_table()'s semantics
 * (6.1's net/ipv4/netfilter/ip_tables.c):
 * - entries are tried in order, the first that matches wins; its counter
 *   (packets += 1, bytes += skb->len) is bumped before its target runs;
 * - ACCEPT and DROP end the traversal (QUEUE too: with no queue handler
 *   netfilter drops the packet, and a netfilter program can only return
 *   NF_ACCEPT or NF_DROP);
 * - a jump runs the chain it names and, when that returns, the entry
 *   after the jump; a goto (IPT_F_GOTO) does not come back, so a RETURN
 *   in it returns to where the chain holding the goto would have;
 * - RETURN in a built-in chain goes to the hook's policy (underflow)
 *   entry, which counts; an ERROR entry reached by a packet counts and
 *   drops (ipt_error()).
 *
 * There is no call stack: every jump is inlined at its call site with a
 * continuation label (where RETURN goes), so nesting depth is bounded by
 * nothing but the instruction limit, and all jumps go forward.  The same
 * entry inlined several times keeps one counter index.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "codegen_emit.h"
#include "entry.h"
#include "ext.h"
#include "log.h"
#include "msgfmt.h"
#include "table.h"

struct codegen {
	struct bpf_prog_buf prog;
	const struct codegen_flavour *flavour;
	const struct ipt_table_store *table;
	unsigned int *offsets;		/* of each entry, ascending */
	unsigned int count;
	unsigned int hook;
	/* Where a RETURN from the hook's own chain goes: the underflow. */
	unsigned int underflow_label;
	/* The counting subprogram. */
	unsigned int count_label;
	/* Count entry r1, then drop [0] or accept [1]: shared blocks. */
	unsigned int count_verdict_label[2];
	/* BPFILTER_NEED_* the rules emitted so far need. */
	__u32 needs;
	/* A classifier key was stored at CG_S_OPT (cg_key_area_reuse()). */
	bool key_area_used;
	/* The LOG targets met, each once: the image's table. */
	struct bpfilter_log_desc *logs;
	__u32 nr_logs;
	/* The ids of the -m owner rules met. */
	struct bpfilter_owner_desc *owners;
	__u32 nr_owners;
	/* Offsets in the table of the data of matches with state, ascending. */
	unsigned int *states;
	unsigned int nr_states;
	/* Subprograms the matches asked for in this hook's program. */
	struct {
		void (*emit)(struct codegen *cg);
		unsigned int label;
	} subprogs[CG_SUBPROGS_MAX];
	unsigned int nr_subprogs;
	/* The classifier's maps, image-wide, and the run each was made for. */
	struct bpfilter_class_map *class_maps;
	struct class_run {
		unsigned int first, len, part;
		unsigned int used_by;	/* the last program (prog_seq) */
	} *class_runs;
	unsigned int nr_class_maps;
	/* Programs compiled so far; classifier maps the current one uses. */
	unsigned int prog_seq, prog_class_maps;
	unsigned long class_elems;
	int err;
};

static void set_error(struct codegen *cg, int err)
{
	if (!cg->err)
		cg->err = err;
}

struct bpf_prog_buf *cg_prog(struct codegen *cg)
{
	return &cg->prog;
}

const struct codegen_flavour *cg_flavour(struct codegen *cg)
{
	return cg->flavour;
}

bool cg_key_area_reuse(struct codegen *cg)
{
	bool used = cg->key_area_used;

	cg->key_area_used = true;
	return used;
}

void cg_emit_verdict(struct codegen *cg, bool accept)
{
	bpf_prog_emit(&cg->prog, insn_mov64_imm(BPF_REG_0, accept ?
				cg->flavour->verdict_accept :
				cg->flavour->verdict_drop));
	bpf_prog_emit(&cg->prog, insn_exit());
}

unsigned int cg_state_index(struct codegen *cg, const void *data)
{
	unsigned int off = (const unsigned char *)data -
			   (const unsigned char *)cg->table->entries;
	unsigned int lo = 0, hi = cg->nr_states, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cg->states[mid] == off)
			return mid;
		if (cg->states[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	set_error(cg, -EINVAL);
	return 0;
}

unsigned int cg_subprog(struct codegen *cg, void (*emit)(struct codegen *cg))
{
	unsigned int i;

	for (i = 0; i < cg->nr_subprogs; i++)
		if (cg->subprogs[i].emit == emit)
			return cg->subprogs[i].label;
	if (i == CG_SUBPROGS_MAX) {
		set_error(cg, -EINVAL);
		return 0;
	}
	cg->subprogs[i].emit = emit;
	cg->subprogs[i].label = bpf_prog_label(&cg->prog);
	cg->nr_subprogs++;
	return cg->subprogs[i].label;
}

void cg_hotdrop_unless(struct codegen *cg, struct bpf_insn ok)
{
	unsigned int go_on = bpf_prog_label(&cg->prog);

	bpf_prog_jump(&cg->prog, ok, go_on);
	cg_emit_verdict(cg, false);
	bpf_prog_bind(&cg->prog, go_on);
}

static const struct ipt_entry *entry(const struct codegen *cg, unsigned int i)
{
	return ipt_entry_at(cg->table->entries, cg->offsets[i]);
}

const struct ipt_entry *cg_entry(const struct codegen *cg, unsigned int i)
{
	return entry(cg, i);
}

unsigned int cg_entry_count(const struct codegen *cg)
{
	return cg->count;
}

unsigned int cg_count_verdict_label(struct codegen *cg, bool accept)
{
	return cg->count_verdict_label[accept];
}

/* Relocations a program keeps free for the rest of its code. */
#define RELOCS_SPARE	16U

bool cg_class_budget(struct codegen *cg, unsigned int maps,
		     unsigned int elems, unsigned int refs)
{
	return cg->nr_class_maps + maps <= BPFILTER_CLASS_MAPS_MAX &&
	       cg->prog_class_maps + refs <= BPFILTER_PROG_CLASS_MAPS_MAX &&
	       cg->class_elems + elems <= (unsigned long)cg->count *
	       BPFILTER_CLASS_ELEMS_PER_ENTRY &&
	       (cg->class_elems + elems) * (BPFILTER_CLASS_KEY_MAX + 8) <=
	       BPFILTER_CLASS_BYTES_MAX &&
	       cg->prog.nr_relocs + refs + RELOCS_SPARE <=
	       BPFILTER_PROG_RELOCS_MAX;
}

int cg_class_map_find(struct codegen *cg, unsigned int first,
		      unsigned int len, unsigned int part)
{
	unsigned int i;

	for (i = 0; i < cg->nr_class_maps; i++)
		if (cg->class_runs[i].first == first &&
		    cg->class_runs[i].len == len &&
		    cg->class_runs[i].part == part)
			return BPFILTER_MAPS + i;
	return -1;
}

void cg_class_map_use(struct codegen *cg, int nr)
{
	struct class_run *run = &cg->class_runs[nr - BPFILTER_MAPS];

	if (run->used_by == cg->prog_seq)
		return;
	run->used_by = cg->prog_seq;
	cg->prog_class_maps++;
}

int cg_class_map_add(struct codegen *cg, unsigned int first,
		     unsigned int len, unsigned int part,
		     struct bpfilter_class_map *m)
{
	unsigned int n = cg->nr_class_maps + 1;
	struct bpfilter_class_map *maps;
	struct class_run *runs;

	if (!m->keys || !m->values)
		goto nomem;
	maps = realloc(cg->class_maps, n * sizeof(*maps));
	if (!maps)
		goto nomem;
	cg->class_maps = maps;
	runs = realloc(cg->class_runs, n * sizeof(*runs));
	if (!runs)
		goto nomem;
	cg->class_runs = runs;
	maps[n - 1] = *m;
	runs[n - 1] = (struct class_run) { first, len, part, 0 };
	cg->class_elems += m->nr_elems;
	cg->nr_class_maps = n;
	return BPFILTER_MAPS + n - 1;
nomem:
	free(m->keys);
	free(m->values);
	set_error(cg, -ENOMEM);
	return -1;
}

/* Return: the index of the entry at @off, or -1. */
static long entry_at(const struct codegen *cg, unsigned int off)
{
	unsigned long lo = 0, hi = cg->count, mid;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (cg->offsets[mid] == off)
			return mid;
		if (cg->offsets[mid] < off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

bool cg_hook_actions(struct codegen *cg, const char *what)
{
	if (!cg->flavour->load_meta_ptr) {
		bpfilter_log_ratelimited("codegen: %s is enforced only by bpfilter.ko's own hooks, not through the BPF netfilter link",
					 what);
		set_error(cg, -EOPNOTSUPP);
		return false;
	}
	return true;
}

bool cg_meta_ptr(struct codegen *cg, __u8 reg, __u32 need, const char *what)
{
	if (!cg_hook_actions(cg, what))
		return false;
	cg->needs |= need;
	cg->flavour->load_meta_ptr(&cg->prog, reg);
	return true;
}

int cg_owner_ids(struct codegen *cg, const struct bpfilter_owner_desc *ids)
{
	struct bpfilter_owner_desc *owners;
	__u32 i;

	for (i = 0; i < cg->nr_owners; i++)
		if (!memcmp(&cg->owners[i], ids, sizeof(*ids)))
			return i;
	if (cg->nr_owners >= BPFILTER_OWNERS_MAX) {
		bpfilter_log_ratelimited("codegen: more than %u different -m owner rules",
					 BPFILTER_OWNERS_MAX);
		set_error(cg, -E2BIG);
		return -1;
	}
	owners = realloc(cg->owners, (cg->nr_owners + 1) * sizeof(*owners));
	if (!owners) {
		set_error(cg, -ENOMEM);
		return -1;
	}
	cg->owners = owners;
	owners[cg->nr_owners] = *ids;
	return cg->nr_owners++;
}

int cg_log_index(struct codegen *cg, const struct bpfilter_log_desc *log)
{
	struct bpfilter_log_desc *logs;
	__u32 i;

	for (i = 0; i < cg->nr_logs; i++)
		if (!memcmp(&cg->logs[i], log, sizeof(*log)))
			return i;
	if (cg->nr_logs >= BPFILTER_LOGS_MAX) {
		bpfilter_log_ratelimited("codegen: more than %u different LOG targets",
					 BPFILTER_LOGS_MAX);
		set_error(cg, -E2BIG);
		return -1;
	}
	logs = realloc(cg->logs, (cg->nr_logs + 1) * sizeof(*logs));
	if (!logs) {
		set_error(cg, -ENOMEM);
		return -1;
	}
	cg->logs = logs;
	logs[cg->nr_logs] = *log;
	return cg->nr_logs++;
}

void cg_refuse(struct codegen *cg, int err)
{
	set_error(cg, err);
}

/*
 * The prologue shared by all flavours, after the flavour's own: the IP
 * header's fields, and the first L4 bytes when they exist.  The L4 read
 * is done once here (x_tables' matches each call skb_header_pointer()):
 * 20 bytes when there are, else 8, else 4, else none, and CG_S_L4LEN
 * tells the matches how many they may use.
 */
static void emit_prologue(struct codegen *cg)
{
	struct bpf_prog_buf *p = &cg->prog;
	unsigned int unreadable = bpf_prog_label(p);
	unsigned int l4_done = bpf_prog_label(p);
	unsigned int l4_short = bpf_prog_label(p);
	unsigned int l4_tiny = bpf_prog_label(p);
	unsigned int l4_none = bpf_prog_label(p);
	unsigned int l4len_ok = bpf_prog_label(p);
	int i;

	cg->flavour->prologue(p, cg->hook);

	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_2, 20));
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_4, 0));
	cg->flavour->load_bytes(p, CG_S_IPH, unreadable);

	bpf_prog_emit(p, insn_ldx(BPF_W, CG_REG_SADDR, BPF_REG_10, CG_S_IPH + 12));
	bpf_prog_emit(p, insn_ldx(BPF_W, CG_REG_DADDR, BPF_REG_10, CG_S_IPH + 16));
	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_1, BPF_REG_10, CG_S_IPH + 9));
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_1, CG_S_PROTO));
	bpf_prog_emit(p, insn_ldx(BPF_H, BPF_REG_1, BPF_REG_10, CG_S_IPH + 6));
	bpf_prog_emit(p, insn_be(BPF_REG_1, 16));
	bpf_prog_emit(p, insn_alu64_imm(BPF_AND, BPF_REG_1, 0x1fff));
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_1, CG_S_FRAGOFF));
	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_2, BPF_REG_10, CG_S_IPH));
	bpf_prog_emit(p, insn_alu64_imm(BPF_AND, BPF_REG_2, 0xf));
	bpf_prog_emit(p, insn_alu64_imm(BPF_LSH, BPF_REG_2, 2));
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_2, CG_S_THOFF));
	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_3, BPF_REG_10, CG_S_LEN));
	bpf_prog_emit(p, insn_alu64_reg(BPF_SUB, BPF_REG_3, BPF_REG_2));
	/* IHL past the end cannot pass the stack's checks; read it as 0. */
	bpf_prog_jump(p, insn_jmp_imm(BPF_JSGE, BPF_REG_3, 0, 0), l4len_ok);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_3, 0));
	bpf_prog_bind(p, l4len_ok);
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_3, CG_S_L4LEN));
	for (i = 0; i < 24; i += 8)
		bpf_prog_emit(p, insn_st(BPF_DW, BPF_REG_10, CG_S_L4 + i, 0));

	/* A non-first fragment's L4 bytes are never looked at. */
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_1, 0, 0), l4_done);
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_4, BPF_REG_2));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JSLT, BPF_REG_3, CG_L4_BYTES_MAX, 0),
		      l4_short);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_2, CG_L4_BYTES_MAX));
	cg->flavour->load_bytes(p, CG_S_L4, l4_none);
	bpf_prog_jump(p, insn_ja(0), l4_done);
	bpf_prog_bind(p, l4_short);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JSLT, BPF_REG_3, 8, 0), l4_tiny);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_2, 8));
	cg->flavour->load_bytes(p, CG_S_L4, l4_none);
	bpf_prog_jump(p, insn_ja(0), l4_done);
	/* The two ports alone (multiport reads 4 bytes). */
	bpf_prog_bind(p, l4_tiny);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JSLT, BPF_REG_3, 4, 0), l4_done);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_2, 4));
	cg->flavour->load_bytes(p, CG_S_L4, l4_none);
	bpf_prog_jump(p, insn_ja(0), l4_done);
	/* Cannot happen (the length was checked): treat as no L4 bytes. */
	bpf_prog_bind(p, l4_none);
	bpf_prog_emit(p, insn_st(BPF_DW, BPF_REG_10, CG_S_L4LEN, 0));
	bpf_prog_jump(p, insn_ja(0), l4_done);

	/* Cannot happen at a netfilter hook: the stack checked the header. */
	bpf_prog_bind(p, unreadable);
	cg_emit_verdict(cg, false);

	bpf_prog_bind(p, l4_done);
}

/*
 * ADD_COUNTER(*counter, skb->len, 1) for entry r1 (emit_count(): entry
 * @index): a call of the subprogram emit_count_subprog() places at the
 * end.  One map lookup in the whole program, not one per entry: the
 * verifier inlines each per-CPU array lookup, and every such rewrite
 * copies the program, so thousands of them made loading quadratic (27 s
 * at 2,600 entries).
 */
void cg_emit_count_r1(struct codegen *cg)
{
	struct bpf_prog_buf *p = &cg->prog;

	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_2, BPF_REG_10, CG_S_LEN));
	bpf_prog_call(p, cg->count_label);
}

static void emit_count(struct codegen *cg, unsigned int index)
{
	bpf_prog_emit(&cg->prog, insn_mov32_imm(BPF_REG_1, index));
	cg_emit_count_r1(cg);
}

/* count(r1 = entry index, r2 = bytes), with its own stack frame. */
static void emit_count_subprog(struct codegen *cg)
{
	struct bpf_prog_buf *p = &cg->prog;
	unsigned int no_counter;

	/* Only when called: the main program's code ended before this. */
	bpf_prog_bind(p, cg->count_label);
	no_counter = bpf_prog_label(p);
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_6, BPF_REG_2));
	bpf_prog_emit(p, insn_stx(BPF_W, BPF_REG_10, BPF_REG_1, -4));
	bpf_prog_emit_reloc(p, insn_ld_imm64_lo(BPF_REG_1, BPF_PSEUDO_MAP_FD, 0),
			    BPFILTER_RELOC_MAP_FD, BPFILTER_MAP_COUNTERS);
	bpf_prog_emit(p, insn_ld_imm64_hi(0));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_2, BPF_REG_10));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_2, -4));
	bpf_prog_emit(p, insn_call_helper(BPF_FUNC_map_lookup_elem));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_0, 0, 0), no_counter);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_1, 1));
	bpf_prog_emit(p, insn_atomic_add64(BPF_REG_0, BPF_REG_1, 0));
	bpf_prog_emit(p, insn_atomic_add64(BPF_REG_0, BPF_REG_6, 8));
	bpf_prog_bind(p, no_counter);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_0, 0));
	bpf_prog_emit(p, insn_exit());
}

/*
 * Count entry r1 and return a verdict: the code every rule with a
 * terminal verdict jumps to.  A jump, not a call: the verifier walks a
 * shared block once and then finds later arrivals equivalent (r1 is an
 * imprecise scalar), while each call of a subprogram is a new frame it
 * walks again, and 6.1's verifier kept growing jump histories along a
 * chain of them (15,000 rules took all of a 1 GiB guest's memory).
 */
static void emit_count_verdict(struct codegen *cg, bool accept)
{
	struct bpf_prog_buf *p = &cg->prog;
	unsigned int no_counter = bpf_prog_label(p);

	/* Only when some rule jumps here: dead code is not emitted. */
	bpf_prog_bind(p, cg->count_verdict_label[accept]);
	bpf_prog_emit(p, insn_stx(BPF_W, BPF_REG_10, BPF_REG_1, CG_S_KEY));
	bpf_prog_emit_reloc(p, insn_ld_imm64_lo(BPF_REG_1, BPF_PSEUDO_MAP_FD, 0),
			    BPFILTER_RELOC_MAP_FD, BPFILTER_MAP_COUNTERS);
	bpf_prog_emit(p, insn_ld_imm64_hi(0));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_2, BPF_REG_10));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_2, CG_S_KEY));
	bpf_prog_emit(p, insn_call_helper(BPF_FUNC_map_lookup_elem));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_0, 0, 0), no_counter);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_1, 1));
	bpf_prog_emit(p, insn_atomic_add64(BPF_REG_0, BPF_REG_1, 0));
	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_1, BPF_REG_10, CG_S_LEN));
	bpf_prog_emit(p, insn_atomic_add64(BPF_REG_0, BPF_REG_1, 8));
	bpf_prog_bind(p, no_counter);
	cg_emit_verdict(cg, accept);
}

/*
 * Whether entry @e's target always ends the traversal with a verdict
 * (@accept, or drop): ACCEPT, DROP, QUEUE (dropped without a queue
 * handler) and ERROR (ipt_error() drops).  Other targets emit their own
 * code (emit_target()).
 */
static bool terminal_verdict(const struct ipt_entry *e, bool *accept)
{
	struct xt_ext_head t;
	int v;

	ipt_target_head(e, &t);
	*accept = false;
	if (!xt_is_standard_target(&t))
		return xt_is_error_target(&t);
	v = ipt_standard_verdict(e);
	if (v >= 0 || v == XT_RETURN)
		return false;
	*accept = v == -NF_ACCEPT - 1;
	return true;
}

/* Each match of @e, in order: a mismatch jumps to @fail. */
static void emit_matches(struct codegen *cg, const struct ipt_entry *e,
			 unsigned int fail)
{
	const unsigned char *base = (const unsigned char *)e;
	const struct bpfilter_ext *ext;
	struct xt_ext_head head;
	unsigned int pos;

	for (pos = sizeof(*e); pos < e->target_offset; pos += head.size) {
		xt_ext_head_read(base + pos, &head);
		ext = bpfilter_match_find(head.name, head.revision);
		if (!ext || !ext->emit) {
			bpfilter_log_ratelimited("codegen: match \"%.*s\" has no emitter",
						 (int)sizeof(head.name), head.name);
			set_error(cg, -ENOENT);
			return;
		}
		ext->emit(cg, base + pos + sizeof(head), fail);
	}
}

static void emit_from(struct codegen *cg, unsigned int first,
		      unsigned int ret);

/* An extension's target (LOG, REJECT, MARK, ...): ext.h's emit_target. */
static void emit_ext_target(struct codegen *cg, const struct ipt_entry *e,
			    const struct xt_ext_head *t)
{
	const struct bpfilter_ext *ext;

	ext = bpfilter_target_find(t->name, t->revision);
	if (!ext || !ext->emit_target) {
		bpfilter_log_ratelimited("codegen: target \"%.*s\" has no emitter",
					 (int)sizeof(t->name), t->name);
		set_error(cg, -ENOENT);
		return;
	}
	ext->emit_target(cg, (const unsigned char *)e + e->target_offset +
			 sizeof(struct xt_entry_target));
}

/* The target of entry @i, whose matches all matched; @ret as emit_from(). */
static void emit_target(struct codegen *cg, unsigned int i, unsigned int ret)
{
	const struct ipt_entry *e = entry(cg, i);
	struct bpf_prog_buf *p = &cg->prog;
	unsigned int back;
	struct xt_ext_head t;
	long to;
	int v;

	ipt_target_head(e, &t);
	if (xt_is_error_target(&t)) {
		/* ipt_error() drops. */
		cg_emit_verdict(cg, false);
		return;
	}
	if (!xt_is_standard_target(&t)) {
		emit_ext_target(cg, e, &t);
		return;
	}

	v = ipt_standard_verdict(e);
	if (v == XT_RETURN) {
		bpf_prog_jump(p, insn_ja(0), ret);
		return;
	}
	if (v < 0) {
		cg_emit_verdict(cg, v == -NF_ACCEPT - 1);
		return;
	}

	to = entry_at(cg, v);
	if (to < 0) {
		set_error(cg, -EINVAL);
		return;
	}
	/* x_tables pushes nothing for a jump to the next entry. */
	if ((unsigned long)to == i + 1UL)
		return;
	if (e->ip.flags & IPT_F_GOTO) {
		emit_from(cg, to, ret);
		return;
	}
	back = bpf_prog_label(p);
	emit_from(cg, to, back);
	bpf_prog_bind(p, back);
}

void cg_emit_action(struct codegen *cg, unsigned int i, unsigned int ret)
{
	struct bpf_prog_buf *p = &cg->prog;
	bool accept;

	if (terminal_verdict(entry(cg, i), &accept)) {
		bpf_prog_emit(p, insn_mov32_imm(BPF_REG_1, i));
		bpf_prog_jump(p, insn_ja(0), cg->count_verdict_label[accept]);
	} else {
		emit_count(cg, i);
		emit_target(cg, i, ret);
	}
}

/* Where traversal certainly leaves a chain: no fall-through past @e. */
static bool ends_flow(const struct ipt_entry *e)
{
	struct xt_ext_head t;
	int v;

	if (!ipt_entry_unconditional(e))
		return false;
	ipt_target_head(e, &t);
	if (xt_is_error_target(&t))
		return true;
	if (!xt_is_standard_target(&t)) {
		const struct bpfilter_ext *ext;

		ext = bpfilter_target_find(t.name, t.revision);
		return ext && ext->terminal;
	}
	v = ipt_standard_verdict(e);
	return v < 0 || (e->ip.flags & IPT_F_GOTO);
}

/*
 * Entries from @first on, as traversal runs them, until one that always
 * leaves; RETURN jumps to @ret.  The table passed mark_source_chains(),
 * so every such run ends and no inlining recurses forever.
 */
static void emit_from(struct codegen *cg, unsigned int first, unsigned int ret)
{
	struct bpf_prog_buf *p = &cg->prog;
	const struct ipt_entry *e;
	unsigned int i, n, next;

	for (i = first; !cg->err && !p->err && p->live; i++) {
		if (i >= cg->count) {
			set_error(cg, -EINVAL);
			return;
		}
		bpf_prog_islands(p);
		n = cg_dispatch(cg, i, ret);
		if (!n)
			n = cg_classify(cg, i, ret);
		if (n) {
			i += n - 1;
			if (ends_flow(entry(cg, i)))
				return;
			continue;
		}
		e = entry(cg, i);
		next = bpf_prog_label(p);
		cg_emit_ip(cg, &e->ip, next);
		emit_matches(cg, e, next);
		cg_emit_action(cg, i, ret);
		bpf_prog_bind(p, next);
		if (ends_flow(e))
			return;
	}
}

static int compile_hook(struct codegen *cg, unsigned int hook,
			struct bpfilter_hook_prog *out)
{
	struct bpf_prog_buf *p = &cg->prog;
	long start = entry_at(cg, cg->table->hook_entry[hook]);
	long underflow = entry_at(cg, cg->table->underflow[hook]);
	unsigned int i;
	int ret;

	if (start < 0 || underflow < 0)
		return -EINVAL;

	bpf_prog_init(p, BPFILTER_PROG_INSNS_MAX);
	cg->hook = hook;
	cg->err = 0;
	cg->underflow_label = bpf_prog_label(p);
	cg->count_label = bpf_prog_label(p);
	cg->count_verdict_label[0] = bpf_prog_label(p);
	cg->count_verdict_label[1] = bpf_prog_label(p);
	cg->nr_subprogs = 0;
	cg->key_area_used = false;
	cg->prog_seq++;
	cg->prog_class_maps = 0;

	emit_prologue(cg);
	emit_from(cg, start, cg->underflow_label);
	/* Only when some RETURN reaches it: dead code is not emitted. */
	bpf_prog_bind(p, cg->underflow_label);
	emit_from(cg, underflow, cg->underflow_label);
	emit_count_verdict(cg, false);
	emit_count_verdict(cg, true);
	emit_count_subprog(cg);
	/* Each only when called, as the counting subprogram. */
	for (i = 0; i < cg->nr_subprogs; i++) {
		bpf_prog_bind(p, cg->subprogs[i].label);
		cg->subprogs[i].emit(cg);
	}

	ret = cg->err ? cg->err : bpf_prog_finish(p);
	if (ret == -E2BIG)
		bpfilter_log_ratelimited("codegen: hook %u needs more than %u instructions with every user chain inlined",
					 hook, BPFILTER_PROG_INSNS_MAX);
	if (ret) {
		bpf_prog_release(p);
		return ret;
	}

	out->hook = hook;
	out->insns = p->insns;
	out->nr_insns = p->len;
	out->relocs = p->relocs;
	out->nr_relocs = p->nr_relocs;
	free(p->labels);
	free(p->called);
	free(p->pending);
	free(p->calls);
	return 0;
}

static const struct codegen_flavour *flavour_find(enum bpfilter_flavour id)
{
	switch (id) {
	case BPFILTER_FLAVOUR_NF_LINK:
		return &codegen_flavour_nf_link;
	case BPFILTER_FLAVOUR_SCHED_CLS:
		return &codegen_flavour_sched_cls;
	default:
		return NULL;
	}
}

static int collect_offsets(struct codegen *cg)
{
	const struct ipt_table_store *t = cg->table;
	unsigned int off, n = 0;

	cg->offsets = malloc((t->num_entries + 1) * sizeof(*cg->offsets));
	if (!cg->offsets)
		return -ENOMEM;
	for (off = 0; off < t->size && n < t->num_entries;
	     off += ipt_entry_at(t->entries, off)->next_offset)
		cg->offsets[n++] = off;
	cg->count = n;
	return 0;
}

/* The data of every match that keeps state, in table order. */
static int collect_states(struct codegen *cg)
{
	const struct ipt_table_store *t = cg->table;
	unsigned char *base = t->entries;
	const struct bpfilter_ext *ext;
	struct xt_ext_head head;
	unsigned int i, pos, n = 0, cap = 0;
	unsigned int *grown;
	struct ipt_entry *e;

	for (i = 0; i < cg->count; i++) {
		e = ipt_entry_at(base, cg->offsets[i]);
		for (pos = sizeof(*e); pos < e->target_offset; pos += head.size) {
			xt_ext_head_read((unsigned char *)e + pos, &head);
			ext = bpfilter_match_find(head.name, head.revision);
			if (!ext || !ext->state)
				continue;
			if (n == cap) {
				cap = cap ? 2 * cap : 8;
				grown = realloc(cg->states, cap * sizeof(*grown));
				if (!grown)
					return -ENOMEM;
				cg->states = grown;
			}
			cg->states[n++] = cg->offsets[i] + pos + sizeof(head);
		}
	}
	cg->nr_states = n;
	return 0;
}

void bpfilter_image_free(struct bpfilter_image *image)
{
	unsigned int i;

	if (!image)
		return;
	for (i = 0; i < image->nr_progs; i++) {
		free(image->progs[i].insns);
		free(image->progs[i].relocs);
	}
	for (i = 0; i < image->nr_class_maps; i++) {
		free(image->class_maps[i].keys);
		free(image->class_maps[i].values);
	}
	free(image->class_maps);
	free(image->logs);
	free(image->owners);
	free(image);
}

int bpfilter_codegen(const struct ipt_table_store *table,
		     enum bpfilter_flavour flavour,
		     struct bpfilter_image **image)
{
	struct codegen cg = { .table = table };
	struct bpfilter_image *img;
	unsigned int hook;
	int ret;

	cg.flavour = flavour_find(flavour);
	if (!cg.flavour)
		return -EOPNOTSUPP;

	img = calloc(1, sizeof(*img));
	if (!img)
		return -ENOMEM;
	img->flavour = flavour;
	img->maps[BPFILTER_MAP_COUNTERS] = (struct bpfilter_map_desc) {
		.type = BPF_MAP_TYPE_PERCPU_ARRAY,
		.key_size = sizeof(__u32),
		.value_size = sizeof(struct bpfilter_counter),
		.max_entries = table->num_entries ? table->num_entries : 1,
	};
	if (cg.flavour->meta_map)
		img->maps[BPFILTER_MAP_META] = *cg.flavour->meta_map;

	ret = collect_offsets(&cg);
	if (!ret)
		ret = collect_states(&cg);
	if (!ret && cg.nr_states)
		img->maps[BPFILTER_MAP_STATE] = (struct bpfilter_map_desc) {
			.type = BPF_MAP_TYPE_ARRAY,
			.key_size = sizeof(__u32),
			.value_size = sizeof(struct bpfilter_limit_state),
			.max_entries = cg.nr_states,
		};
	for (hook = 0; !ret && hook < NF_INET_NUMHOOKS; hook++) {
		if (!(table->valid_hooks & (1U << hook)))
			continue;
		ret = compile_hook(&cg, hook, &img->progs[img->nr_progs]);
		if (!ret)
			img->nr_progs++;
	}
	free(cg.offsets);
	img->needs = cg.needs;
	img->logs = cg.logs;
	img->nr_logs = cg.nr_logs;
	img->owners = cg.owners;
	img->nr_owners = cg.nr_owners;
	img->class_maps = cg.class_maps;
	img->nr_class_maps = cg.nr_class_maps;
	free(cg.class_runs);
	free(cg.states);
	if (ret) {
		bpfilter_image_free(img);
		return ret;
	}
	*image = img;
	return 0;
}
