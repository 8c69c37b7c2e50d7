// SPDX-License-Identifier: GPL-2.0
/*
 * Checking a program image before anything is made of it.
 *
 * The helper that sends an image parses hostile tables: it may be
 * compromised, so its image is as hostile as a caller's bytes.  The
 * verifier alone is not enough: the module runs the programs at
 * netfilter's hooks, outside the contract of their program type
 * (SCHED_CLS), where several of that type's helpers and context fields
 * would do harm (docs/threat-model.md).  So the module accepts only
 * what its code generator emits:
 *
 * - every size, count and offset within the bytes received and the
 *   format's limits, reserved fields zero, each hook once;
 * - relocations in increasing order, each of a kind and at an
 *   instruction that kind patches, naming a map or -m owner id set that
 *   exists; a BPF_LD_IMM64 of a map fd only where a relocation is;
 * - calls only of the four helpers the code generator uses, and of the
 *   program's own subprograms: no kfunc, no other helper;
 * - the context (struct __sk_buff) only as the code generator uses it.
 *   It arrives in r1; the main program keeps it in r6 from its first
 *   instruction on and never writes r6 again.  r6 may be read only as
 *   the base of a load of len, pkt_type, mark or ifindex, of a store to
 *   mark, or copied to r1 for a helper.  While r1 holds the context (at
 *   the start, and after such a copy), only straight-line code that
 *   leaves r1 alone may follow, up to a helper call or an instruction
 *   that overwrites r1.  So the context is never spilled, offset,
 *   compared or handed to a subprogram, and no other field of it is
 *   touched: no cb[], no data or data_end (no direct packet access), no
 *   priority, tc_index, queue_mapping, tc_classid or tstamp.
 *   Subprograms never see the context: a call passes r1 to r5 and the
 *   verifier gives the callee no r6.
 *
 * Anything else is a malformed image: the caller logs @why, kills the
 * helper and fails the request.
 */
#include <linux/bpf.h>
#include <linux/errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/xt_NFLOG.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_owner.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include "kern_image.h"

/* The most entries a table within the per-namespace cap can have. */
#define ENTRIES_MAX (BPFILTER_NETNS_TABLE_BYTES_MAX / \
		     (sizeof(struct ipt_entry) + sizeof(struct xt_entry_target)))
/* The most -m limit matches such a table can have. */
#define STATES_MAX (BPFILTER_NETNS_TABLE_BYTES_MAX / \
		    (sizeof(struct xt_entry_match) + sizeof(struct xt_rateinfo)))

/* The largest errno user space knows; anything beyond is kernel-internal. */
#define ERRNO_MAX	EHWPOISON

#define CTX_REG		BPF_REG_6	/* CG_REG_CTX of the code generator */

static int refuse(struct bpfilter_image_view *v, const char *why)
{
	v->why = why;
	return -EBADMSG;
}

static bool is_ld_imm64(const struct bpf_insn *insn)
{
	return insn->code == (BPF_LD | BPF_IMM | BPF_DW);
}

/* What the code generator reads of struct __sk_buff: 32-bit fields. */
static bool ctx_load_ok(const struct bpf_insn *insn)
{
	if (BPF_SIZE(insn->code) != BPF_W)
		return false;
	switch (insn->off) {
	case offsetof(struct __sk_buff, len):
	case offsetof(struct __sk_buff, pkt_type):
	case offsetof(struct __sk_buff, mark):
	case offsetof(struct __sk_buff, ifindex):
		return true;
	}
	return false;
}

/* And what it writes: the mark (MARK, CONNMARK --restore-mark). */
static bool ctx_store_ok(const struct bpf_insn *insn)
{
	return BPF_MODE(insn->code) == BPF_MEM &&
	       BPF_SIZE(insn->code) == BPF_W &&
	       insn->off == offsetof(struct __sk_buff, mark);
}

static bool helper_ok(s32 func)
{
	switch (func) {
	case BPF_FUNC_map_lookup_elem:
	case BPF_FUNC_skb_load_bytes:
	case BPF_FUNC_skb_load_bytes_relative:
	case BPF_FUNC_jiffies64:
		return true;
	}
	return false;
}

/* Whether an ALU instruction reads its source register. */
static bool alu_reads_src(const struct bpf_insn *insn)
{
	u8 op = BPF_OP(insn->code);

	return BPF_SRC(insn->code) == BPF_X && op != BPF_END && op != BPF_NEG;
}

/**
 * struct scan - where the instruction scan is
 * @main: the instruction is in the main program, not a subprogram
 * @ctx_in_r1: r1 holds the context (see the top of this file)
 */
struct scan {
	bool main;
	bool ctx_in_r1;
};

static const char *scan_alu(struct scan *s, const struct bpf_insn *insn)
{
	bool reads_dst = BPF_OP(insn->code) != BPF_MOV;
	bool reads_src = alu_reads_src(insn);

	if (s->main && reads_src && insn->src_reg == CTX_REG) {
		if (insn->code != (BPF_ALU64 | BPF_MOV | BPF_X) ||
		    insn->dst_reg != BPF_REG_1)
			return "the context is used in arithmetic";
		s->ctx_in_r1 = true;
		return NULL;
	}
	if (s->main && insn->dst_reg == CTX_REG)
		return "r6, which holds the context, is overwritten";
	if (s->ctx_in_r1 && ((reads_dst && insn->dst_reg == BPF_REG_1) ||
			     (reads_src && insn->src_reg == BPF_REG_1)))
		return "the context in r1 is used other than by a helper";
	if (insn->dst_reg == BPF_REG_1)
		s->ctx_in_r1 = false;
	return NULL;
}

static const char *scan_mem(struct scan *s, const struct bpf_insn *insn)
{
	u8 class = BPF_CLASS(insn->code);
	u8 mode = BPF_MODE(insn->code);
	/* The register holding the address, and the one loaded or stored. */
	u8 base = class == BPF_LDX ? insn->src_reg : insn->dst_reg;
	u8 value = class == BPF_LDX ? insn->dst_reg : insn->src_reg;

	if (mode != BPF_MEM && !(class == BPF_STX && mode == BPF_ATOMIC))
		return "a load or store of another mode than BPF_MEM or BPF_ATOMIC";
	if (s->ctx_in_r1 &&
	    (base == BPF_REG_1 || (class == BPF_STX && value == BPF_REG_1)))
		return "the context in r1 is used other than by a helper";
	if (s->main && class == BPF_LDX && value == CTX_REG)
		return "r6, which holds the context, is overwritten";
	if (s->main && class == BPF_STX && value == CTX_REG)
		return "the context is stored to memory";
	if (s->main && base == CTX_REG &&
	    !(class == BPF_LDX ? ctx_load_ok(insn) :
	      class == BPF_STX && ctx_store_ok(insn)))
		return "a context field the code generator does not use";
	if (class == BPF_LDX && value == BPF_REG_1)
		s->ctx_in_r1 = false;
	return NULL;
}

static const char *scan_jmp(struct scan *s, const struct bpf_insn *insn)
{
	u8 op = BPF_OP(insn->code);

	if (op == BPF_CALL) {
		if (BPF_CLASS(insn->code) != BPF_JMP)
			return "a call of class BPF_JMP32";
		if (insn->src_reg == BPF_PSEUDO_CALL) {
			if (s->ctx_in_r1)
				return "the context in r1 is passed to a subprogram";
			return NULL;
		}
		if (insn->src_reg == BPF_PSEUDO_KFUNC_CALL)
			return "a kfunc call";
		if (insn->src_reg || !helper_ok(insn->imm))
			return "a call of a helper the code generator does not use";
		/* Helpers take r1 to r5 and leave them unreadable. */
		s->ctx_in_r1 = false;
		return NULL;
	}
	if (s->ctx_in_r1)
		return "the context in r1 is used other than by a helper";
	if (op == BPF_EXIT || op == BPF_JA)
		return NULL;
	if (s->main && (insn->dst_reg == CTX_REG ||
			(BPF_SRC(insn->code) == BPF_X &&
			 insn->src_reg == CTX_REG)))
		return "the context is compared";
	return NULL;
}

/* BPF_LD: only BPF_LD_IMM64, of a constant or of a relocated map fd. */
static const char *scan_ld(struct scan *s, const struct bpf_insn *insn,
			   u32 left, bool relocated)
{
	if (!is_ld_imm64(insn))
		return "a legacy packet load (BPF_ABS or BPF_IND)";
	if (left < 2 || insn[1].code || insn[1].dst_reg || insn[1].src_reg ||
	    insn[1].off)
		return "a BPF_LD_IMM64 without its second half";
	if (insn->src_reg == BPF_PSEUDO_MAP_FD ? !relocated : insn->src_reg)
		return "a BPF_LD_IMM64 of an object no relocation names";
	if (s->main && insn->dst_reg == CTX_REG)
		return "r6, which holds the context, is overwritten";
	if (insn->dst_reg == BPF_REG_1)
		s->ctx_in_r1 = false;
	return NULL;
}

/* The main program ends where the first subprogram starts. */
static const char *main_end(const struct bpfilter_image_prog_view *pv,
			    u32 *end)
{
	const struct bpf_insn *insn;
	s64 target;
	u32 i;

	*end = pv->nr_insns;
	for (i = 0; i < pv->nr_insns; i++) {
		insn = &pv->insns[i];
		if (insn->code != (BPF_JMP | BPF_CALL) ||
		    insn->src_reg != BPF_PSEUDO_CALL)
			continue;
		target = (s64)i + insn->imm + 1;
		if (target <= 0 || target >= pv->nr_insns)
			return "a call of a subprogram outside the program";
		if (target < *end)
			*end = target;
	}
	return NULL;
}

static const char *insns_scan(const struct bpfilter_image_prog_view *pv)
{
	const struct bpf_insn *insn = pv->insns;
	struct scan s = { .main = true, .ctx_in_r1 = true };
	u32 i, end, r = 0;
	const char *why;
	bool relocated;

	why = main_end(pv, &end);
	if (why)
		return why;
	if (insn[0].code != (BPF_ALU64 | BPF_MOV | BPF_X) ||
	    insn[0].dst_reg != CTX_REG || insn[0].src_reg != BPF_REG_1)
		return "the program does not start by keeping the context in r6";
	for (i = 1; i < pv->nr_insns; i++) {
		if (i == end) {
			if (s.ctx_in_r1)
				return "the context in r1 is used other than by a helper";
			s.main = false;
		}
		relocated = r < pv->nr_relocs && pv->relocs[r].insn == i;
		r += relocated;
		switch (BPF_CLASS(insn[i].code)) {
		case BPF_LD:
			why = scan_ld(&s, &insn[i], pv->nr_insns - i,
				      relocated);
			i++;	/* the second half */
			break;
		case BPF_LDX:
		case BPF_ST:
		case BPF_STX:
			why = scan_mem(&s, &insn[i]);
			break;
		case BPF_ALU:
		case BPF_ALU64:
			why = scan_alu(&s, &insn[i]);
			break;
		default:	/* BPF_JMP, BPF_JMP32 */
			why = scan_jmp(&s, &insn[i]);
			break;
		}
		if (why)
			return why;
	}
	return NULL;
}

/* Adds map @index to the program's used maps, once. */
static const char *prog_uses(struct bpfilter_image_prog_view *pv, u16 index)
{
	u32 i;

	for (i = 0; i < pv->nr_maps; i++)
		if (pv->maps[i] == index)
			return NULL;
	if (pv->nr_maps == BPFILTER_IMAGE_PROG_MAPS)
		return "a program uses more maps than the verifier allows";
	pv->maps[pv->nr_maps++] = index;
	return NULL;
}

static const char *relocs_check(const struct bpfilter_image_view *v,
				struct bpfilter_image_prog_view *pv)
{
	const struct bpfilter_image_reloc *r;
	const struct bpf_insn *insn;
	u32 i;

	for (i = 0; i < pv->nr_relocs; i++) {
		r = &pv->relocs[i];
		if (r->insn >= pv->nr_insns ||
		    (i && r->insn <= pv->relocs[i - 1].insn))
			return "relocations out of order, or past the program";
		insn = &pv->insns[r->insn];
		switch (r->kind) {
		case BPFILTER_IMAGE_RELOC_MAP_FD:
			if (r->index >= BPFILTER_IMAGE_MAPS +
					v->hdr.nr_class_maps ||
			    (r->index == BPFILTER_IMAGE_MAP_STATE &&
			     !v->hdr.nr_states))
				return "a relocation names no map";
			if (!is_ld_imm64(insn) ||
			    insn->src_reg != BPF_PSEUDO_MAP_FD)
				return "a map relocation is not at a BPF_LD_IMM64 of a map fd";
			if (prog_uses(pv, r->index))
				return "a program uses more maps than the verifier allows";
			break;
		case BPFILTER_IMAGE_RELOC_OWNER_ID:
			if (r->index / 4 >= v->hdr.nr_owners)
				return "a relocation names no -m owner id set";
			if (insn->code != (BPF_JMP32 | BPF_JLT | BPF_K) &&
			    insn->code != (BPF_JMP32 | BPF_JGT | BPF_K))
				return "an id relocation is not at a 32-bit comparison";
			break;
		default:
			return "a relocation of an unknown kind";
		}
	}
	return NULL;
}

static int prog_check(struct bpfilter_image_view *v, void *image, size_t len,
		      size_t *off, u32 valid_hooks, u32 *hooks,
		      struct bpfilter_image_prog_view *pv)
{
	struct bpfilter_image_prog ph;
	const char *why;
	size_t need;

	if (len - *off < sizeof(ph))
		return refuse(v, "a program header is cut short");
	memcpy(&ph, image + *off, sizeof(ph));
	*off += sizeof(ph);
	if (ph.reserved)
		return refuse(v, "a program's reserved field is set");
	if (ph.hook >= NF_INET_NUMHOOKS || !(valid_hooks & (1U << ph.hook)) ||
	    *hooks & (1U << ph.hook))
		return refuse(v, "a program of another table's hook, or a hook twice");
	*hooks |= 1U << ph.hook;
	if (!ph.nr_insns || ph.nr_insns > BPFILTER_IMAGE_INSNS_MAX ||
	    ph.nr_relocs > BPFILTER_IMAGE_RELOCS_MAX)
		return refuse(v, "a program of no or too many instructions or relocations");
	need = (size_t)ph.nr_insns * sizeof(struct bpf_insn) +
	       (size_t)ph.nr_relocs * sizeof(struct bpfilter_image_reloc);
	if (len - *off < need)
		return refuse(v, "a program is cut short");
	pv->hook = ph.hook;
	pv->nr_insns = ph.nr_insns;
	pv->nr_relocs = ph.nr_relocs;
	pv->insns = image + *off;
	pv->relocs = image + *off + (size_t)ph.nr_insns * sizeof(struct bpf_insn);
	*off += need;

	why = relocs_check(v, pv);
	if (!why)
		why = insns_scan(pv);
	return why ? refuse(v, why) : 0;
}

static int class_map_check(struct bpfilter_image_view *v, const void *image,
			   size_t len, size_t *off, u64 *elems)
{
	const struct bpfilter_image_class_value *values;
	const u8 *pad;
	struct bpfilter_image_class_map m;
	size_t data, i;

	if (len - *off < sizeof(m))
		return refuse(v, "a classifier map header is cut short");
	memcpy(&m, image + *off, sizeof(m));
	*off += sizeof(m);
	if ((m.type != BPF_MAP_TYPE_LPM_TRIE && m.type != BPF_MAP_TYPE_HASH) ||
	    m.reserved || m.key_size < BPFILTER_IMAGE_CLASS_KEY_MIN ||
	    m.key_size > BPFILTER_IMAGE_CLASS_KEY_MAX || m.key_size % 4 ||
	    !m.nr_elems)
		return refuse(v, "a classifier map of a bad type, key size or size");
	/* Bounded by the entries first: the products below cannot wrap. */
	if (m.nr_elems > (u64)v->hdr.nr_entries *
			 BPFILTER_IMAGE_CLASS_ELEMS_PER_ENTRY - *elems)
		return refuse(v, "more classifier elements than the entries allow");
	*elems += m.nr_elems;
	data = bpfilter_image_class_map_data(&m);
	if (len - *off < data)
		return refuse(v, "a classifier map is cut short");
	values = image + *off + (size_t)m.nr_elems * m.key_size;
	for (i = 0; i < m.nr_elems; i++)
		if (values[i].index >= v->hdr.nr_entries ||
		    values[i].verdict > 2)
			return refuse(v, "a classifier value names no entry or verdict");
	pad = (const u8 *)(values + m.nr_elems);
	for (; pad < (const u8 *)image + *off + data; pad++)
		if (*pad)
			return refuse(v, "a classifier map's padding is not zero");
	*off += data;
	return 0;
}

/* As log_tg_check() and nflog_tg_check() check their parameters. */
static bool log_ok(const struct bpfilter_image_log *log)
{
	if (log->prefix[sizeof(log->prefix) - 1])
		return false;
	if (log->type == BPFILTER_LOG_TYPE_LOG)
		return log->level < 8;
	return log->type == BPFILTER_LOG_TYPE_ULOG &&
	       !(log->flags & ~XT_NFLOG_MASK);
}

static int hdr_check(struct bpfilter_image_view *v, size_t len)
{
	const struct bpfilter_image_hdr *h = &v->hdr;

	if (h->err) {
		/* -EBADMSG would read as this function's own verdict. */
		if (h->err > 0 || h->err < -ERRNO_MAX || h->err == -EBADMSG)
			return refuse(v, "the code generator's error is no errno it returns");
		if (len != sizeof(*h))
			return refuse(v, "bytes after the code generator's error");
		return h->err;
	}
	if (!h->nr_entries || h->nr_entries > ENTRIES_MAX ||
	    h->nr_states > STATES_MAX)
		return refuse(v, "more entries or -m limit states than a table can have");
	if (!h->nr_progs || h->nr_progs > BPFILTER_IMAGE_PROGS_MAX)
		return refuse(v, "no programs, or more than the hooks");
	if (h->needs & ~BPFILTER_NEEDS)
		return refuse(v, "unknown needs");
	if (h->nr_logs > BPFILTER_IMAGE_LOGS_MAX ||
	    h->nr_owners > BPFILTER_IMAGE_OWNERS_MAX ||
	    h->nr_class_maps > BPFILTER_IMAGE_CLASS_MAPS_MAX)
		return refuse(v, "too many LOG targets, owner id sets or classifier maps");
	return 0;
}

/**
 * bpfilter_image_check - check a program image received from the helper
 * @image: the image, 8-byte aligned, the module's own copy
 * @len: its length
 * @valid_hooks: the hooks the table has
 * @v: set to what was found
 *
 * Return: 0 for an image the loader may use; the code generator's
 * negative errno when the image carries one (the table cannot be
 * compiled); -EBADMSG for anything else, with @v->why saying why.
 */
int bpfilter_image_check(void *image, size_t len, u32 valid_hooks,
			 struct bpfilter_image_view *v)
{
	size_t off = sizeof(v->hdr), tail;
	u32 i, hooks = 0;
	u64 elems = 0;
	int err;

	memset(v, 0, sizeof(*v));
	if (len < sizeof(v->hdr))
		return refuse(v, "shorter than its header");
	memcpy(&v->hdr, image, sizeof(v->hdr));
	err = hdr_check(v, len);
	if (err)
		return err;

	v->class_maps = off;
	for (i = 0; i < v->hdr.nr_class_maps; i++) {
		err = class_map_check(v, image, len, &off, &elems);
		if (err)
			return err;
	}
	for (i = 0; i < v->hdr.nr_progs; i++) {
		err = prog_check(v, image, len, &off, valid_hooks, &hooks,
				 &v->progs[i]);
		if (err)
			return err;
	}

	tail = (size_t)v->hdr.nr_logs * sizeof(*v->logs) +
	       (size_t)v->hdr.nr_owners * sizeof(*v->owners);
	if (len - off != tail)
		return refuse(v, "LOG targets and owner id sets do not fill what follows");
	v->logs = image + off;
	for (i = 0; i < v->hdr.nr_logs; i++)
		if (!log_ok(&v->logs[i]))
			return refuse(v, "a LOG or NFLOG target of a bad type, level or prefix");
	v->owners = (const void *)(v->logs + v->hdr.nr_logs);
	for (i = 0; i < v->hdr.nr_owners; i++)
		if (v->owners[i].match & ~XT_OWNER_MASK)
			return refuse(v, "an -m owner id set of unknown flags");
	return 0;
}
