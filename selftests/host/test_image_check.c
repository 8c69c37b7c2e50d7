// SPDX-License-Identifier: GPL-2.0
/*
 * The module's image checker (net/bpfilter/kern_image.c, built for the
 * host) against hand-made images: a small valid program is accepted,
 * and every form a compromised helper could send to make the module run
 * more than a filter is refused, each with the reason the module logs.
 *
 * The template program is what the code generator's SCHED_CLS prologue
 * and a verdict look like: keep ctx in r6, read the length, look up the
 * meta map, accept.  Each case changes it in one place.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bpf_insn.h"
#include "kern_image.h"
#include "tap.h"

#define FILTER_HOOKS	((1U << NF_INET_LOCAL_IN) | (1U << NF_INET_FORWARD) | \
			 (1U << NF_INET_LOCAL_OUT))
#define CTX(field)	((__s16)offsetof(struct __sk_buff, field))

#define MAX_INSNS	256
#define MAX_RELOCS	80

/* A program being written: its instructions and relocations. */
struct prog {
	struct bpf_insn insns[MAX_INSNS];
	struct bpfilter_image_reloc relocs[MAX_RELOCS];
	unsigned int nr_insns, nr_relocs;
};

/* An image being written: header, one classifier map, programs, tail. */
struct image {
	struct bpfilter_image_hdr hdr;
	struct prog progs[3];
	unsigned int hooks[3];
	struct bpfilter_image_owner owner;
	unsigned int class_maps;	/* how many, all alike */
	unsigned char class_pad;	/* a byte of their padding */
	__u32 class_index;		/* their value's entry */
};

static void emit(struct prog *p, struct bpf_insn insn)
{
	p->insns[p->nr_insns++] = insn;
}

static void emit_map_ld(struct prog *p, __u8 dst, __u16 map)
{
	p->relocs[p->nr_relocs++] = (struct bpfilter_image_reloc) {
		.insn = p->nr_insns, .kind = BPFILTER_IMAGE_RELOC_MAP_FD,
		.index = map,
	};
	emit(p, insn_make(BPF_LD | BPF_IMM | BPF_DW, dst, BPF_PSEUDO_MAP_FD,
			  0, 0));
	emit(p, insn_make(0, 0, 0, 0, 0));
}

/* The prologue: ctx into r6, its length read, the meta map looked up. */
static void prologue(struct prog *p)
{
	emit(p, insn_mov64_reg(BPF_REG_6, BPF_REG_1));
	emit(p, insn_ldx(BPF_W, BPF_REG_2, BPF_REG_6, CTX(len)));
	emit(p, insn_st(BPF_W, BPF_REG_10, -4, 0));
	emit_map_ld(p, BPF_REG_1, BPFILTER_IMAGE_MAP_META);
	emit(p, insn_mov64_reg(BPF_REG_2, BPF_REG_10));
	emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_2, -4));
	emit(p, insn_call_helper(BPF_FUNC_map_lookup_elem));
}

static void accept(struct prog *p)
{
	emit(p, insn_mov64_imm(BPF_REG_0, NF_ACCEPT));
	emit(p, insn_exit());
}

/* A valid image: one program at LOCAL_IN, one entry, no extras. */
static void image_init(struct image *im)
{
	memset(im, 0, sizeof(*im));
	im->hdr.nr_entries = 1;
	im->hdr.nr_progs = 1;
	im->hooks[0] = NF_INET_LOCAL_IN;
	prologue(&im->progs[0]);
}

static size_t put(unsigned char *buf, size_t at, const void *src, size_t len)
{
	memcpy(buf + at, src, len);
	return at + len;
}

/* Serialized as the helper's image.c does (msgfmt.h). */
static unsigned char *image_bytes(struct image *im, size_t *len)
{
	unsigned char *buf = calloc(1, 65536);
	size_t at;
	unsigned int i;

	if (!buf)
		exit(1);
	im->hdr.nr_class_maps = im->class_maps;
	at = put(buf, 0, &im->hdr, sizeof(im->hdr));
	for (i = 0; i < im->class_maps; i++) {
		const struct bpfilter_image_class_map m = {
			.type = BPF_MAP_TYPE_HASH, .key_size = 12, .nr_elems = 1,
		};
		const __u8 key[12] = { 32 };
		const struct bpfilter_image_class_value value = {
			.index = im->class_index, .verdict = 1,
		};

		at = put(buf, at, &m, sizeof(m));
		at = put(buf, at, key, sizeof(key));
		at = put(buf, at, &value, sizeof(value));
		buf[at] = im->class_pad;	/* 20 bytes: 4 of padding */
		at += 4;
	}
	for (i = 0; i < im->hdr.nr_progs; i++) {
		const struct prog *p = &im->progs[i];
		const struct bpfilter_image_prog ph = {
			.hook = im->hooks[i], .nr_insns = p->nr_insns,
			.nr_relocs = p->nr_relocs,
		};

		at = put(buf, at, &ph, sizeof(ph));
		at = put(buf, at, p->insns, p->nr_insns * sizeof(*p->insns));
		at = put(buf, at, p->relocs, p->nr_relocs * sizeof(*p->relocs));
	}
	if (im->hdr.nr_owners)
		at = put(buf, at, &im->owner, sizeof(im->owner));
	*len = at;
	return buf;
}

static const char *last_why;

/* The checker's verdict on @im: 0, or an errno with last_why set. */
static int check(struct image *im)
{
	static struct bpfilter_image_view v;
	unsigned char *buf;
	size_t len;
	int err;

	buf = image_bytes(im, &len);
	err = bpfilter_image_check(buf, len, FILTER_HOOKS, &v);
	last_why = err == -EBADMSG ? v.why : NULL;
	free(buf);
	return err;
}

/* @im, finished with an accept, must be refused for @why. */
static void expect_refused(struct image *im, const char *why)
{
	accept(&im->progs[0]);
	EXPECT_EQ(check(im), -EBADMSG);
	if (!last_why || strcmp(last_why, why))
		printf("#   refused for \"%s\", expected \"%s\"\n",
		       last_why ? last_why : "(accepted)", why);
	EXPECT(last_why && !strcmp(last_why, why));
}

static const char *const ctx_misused = "the context in r1 is used other than by a helper";
static const char *const ctx_field = "a context field the code generator does not use";

static void test_template_accepted(void)
{
	struct image im;

	image_init(&im);
	accept(&im.progs[0]);
	EXPECT_EQ(check(&im), 0);
	/* What the code generator writes and reads of ctx beyond len. */
	image_init(&im);
	emit(&im.progs[0], insn_ldx(BPF_W, BPF_REG_1, BPF_REG_6, CTX(mark)));
	emit(&im.progs[0], insn_alu32_imm(BPF_OR, BPF_REG_1, 1));
	emit(&im.progs[0], insn_stx(BPF_W, BPF_REG_6, BPF_REG_1, CTX(mark)));
	emit(&im.progs[0], insn_ldx(BPF_W, BPF_REG_1, BPF_REG_6, CTX(pkt_type)));
	emit(&im.progs[0], insn_ldx(BPF_W, BPF_REG_1, BPF_REG_6, CTX(ifindex)));
	/* bpf_skb_load_bytes(ctx, 0, fp - 8, 4) */
	emit(&im.progs[0], insn_mov64_imm(BPF_REG_2, 0));
	emit(&im.progs[0], insn_mov64_imm(BPF_REG_4, 4));
	emit(&im.progs[0], insn_mov64_reg(BPF_REG_1, BPF_REG_6));
	emit(&im.progs[0], insn_mov64_reg(BPF_REG_3, BPF_REG_10));
	emit(&im.progs[0], insn_alu64_imm(BPF_ADD, BPF_REG_3, -8));
	emit(&im.progs[0], insn_call_helper(BPF_FUNC_skb_load_bytes));
	emit(&im.progs[0], insn_call_helper(BPF_FUNC_jiffies64));
	accept(&im.progs[0]);
	EXPECT_EQ(check(&im), 0);
	/* A classifier map and its value. */
	image_init(&im);
	im.class_maps = 1;
	accept(&im.progs[0]);
	EXPECT_EQ(check(&im), 0);
}

static void test_forbidden_helpers(void)
{
	static const __s32 funcs[] = {
		BPF_FUNC_skb_store_bytes, BPF_FUNC_clone_redirect,
		BPF_FUNC_redirect, BPF_FUNC_redirect_neigh,
		BPF_FUNC_skb_change_head, BPF_FUNC_skb_change_tail,
		BPF_FUNC_skb_set_tunnel_key, BPF_FUNC_fib_lookup,
		BPF_FUNC_tail_call, BPF_FUNC_map_update_elem,
		BPF_FUNC_probe_read_kernel, BPF_FUNC_sk_lookup_tcp,
		BPF_FUNC_skb_pull_data, BPF_FUNC_perf_event_output, 0, -1,
	};
	struct image im;
	unsigned int i;

	for (i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++) {
		image_init(&im);
		emit(&im.progs[0], insn_call_helper(funcs[i]));
		expect_refused(&im, "a call of a helper the code generator does not use");
	}
}

static void test_calls(void)
{
	struct image im;

	/* The conntrack kfuncs SCHED_CLS may call, and any other. */
	image_init(&im);
	emit(&im.progs[0], insn_call_kfunc());
	expect_refused(&im, "a kfunc call");
	image_init(&im);
	emit(&im.progs[0], insn_make(BPF_JMP | BPF_CALL, 0, 3, 0, 0));
	expect_refused(&im, "a call of a helper the code generator does not use");
	image_init(&im);
	emit(&im.progs[0], insn_make(BPF_JMP32 | BPF_CALL, 0, 0, 0,
				     BPF_FUNC_jiffies64));
	expect_refused(&im, "a call of class BPF_JMP32");
	image_init(&im);
	emit(&im.progs[0], insn_make(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL,
				     0, 100));
	expect_refused(&im, "a call of a subprogram outside the program");
}

/* A subprogram gets r1 to r5 and no r6: ctx may never reach one. */
static void test_subprograms(void)
{
	struct image im;
	struct prog *p;

	/* Accepted: a subprogram that uses r6 as a register of its own. */
	image_init(&im);
	p = &im.progs[0];
	emit(p, insn_mov64_imm(BPF_REG_1, 0));
	emit(p, insn_make(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 2));
	emit(p, insn_mov64_imm(BPF_REG_0, NF_ACCEPT));
	emit(p, insn_exit());
	emit(p, insn_mov64_reg(BPF_REG_6, BPF_REG_1));
	emit(p, insn_alu64_reg(BPF_ADD, BPF_REG_6, BPF_REG_6));
	emit(p, insn_mov64_imm(BPF_REG_0, 0));
	emit(p, insn_exit());
	EXPECT_EQ(check(&im), 0);

	image_init(&im);
	p = &im.progs[0];
	emit(p, insn_mov64_reg(BPF_REG_1, BPF_REG_6));
	emit(p, insn_make(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_CALL, 0, 2));
	emit(p, insn_mov64_imm(BPF_REG_0, NF_ACCEPT));
	emit(p, insn_exit());
	emit(p, insn_ldx(BPF_W, BPF_REG_0, BPF_REG_1, CTX(cb[0])));
	emit(p, insn_exit());
	EXPECT_EQ(check(&im), -EBADMSG);
	EXPECT(last_why && !strcmp(last_why, "the context in r1 is passed to a subprogram"));
}

static void test_ld_imm64(void)
{
	static const __u8 srcs[] = {
		BPF_PSEUDO_MAP_VALUE, BPF_PSEUDO_BTF_ID, BPF_PSEUDO_FUNC,
		BPF_PSEUDO_MAP_IDX, BPF_PSEUDO_MAP_IDX_VALUE, 7,
	};
	struct image im;
	unsigned int i;

	/* A map fd the verifier would take from the loader's fd table. */
	image_init(&im);
	emit(&im.progs[0], insn_make(BPF_LD | BPF_IMM | BPF_DW, BPF_REG_1,
				     BPF_PSEUDO_MAP_FD, 0, 3));
	emit(&im.progs[0], insn_make(0, 0, 0, 0, 0));
	expect_refused(&im, "a BPF_LD_IMM64 of an object no relocation names");
	for (i = 0; i < sizeof(srcs); i++) {
		image_init(&im);
		emit(&im.progs[0], insn_make(BPF_LD | BPF_IMM | BPF_DW,
					     BPF_REG_1, srcs[i], 0, 3));
		emit(&im.progs[0], insn_make(0, 0, 0, 0, 0));
		expect_refused(&im, "a BPF_LD_IMM64 of an object no relocation names");
	}
	/* A constant is fine; a cut one is not. */
	image_init(&im);
	emit(&im.progs[0], insn_make(BPF_LD | BPF_IMM | BPF_DW, BPF_REG_1,
				     0, 0, 3));
	emit(&im.progs[0], insn_make(0, 0, 0, 0, 0));
	accept(&im.progs[0]);
	EXPECT_EQ(check(&im), 0);
	image_init(&im);
	emit(&im.progs[0], insn_make(BPF_LD | BPF_IMM | BPF_DW, BPF_REG_1,
				     0, 0, 3));
	emit(&im.progs[0], insn_make(0, 1, 0, 0, 0));
	expect_refused(&im, "a BPF_LD_IMM64 without its second half");
	/* Legacy packet loads. */
	image_init(&im);
	emit(&im.progs[0], insn_make(BPF_LD | BPF_ABS | BPF_W, 0, 0, 0, 0));
	expect_refused(&im, "a legacy packet load (BPF_ABS or BPF_IND)");
	image_init(&im);
	emit(&im.progs[0], insn_make(BPF_LD | BPF_IND | BPF_B, 0, 2, 0, 0));
	expect_refused(&im, "a legacy packet load (BPF_ABS or BPF_IND)");
}

static void test_ctx_fields(void)
{
	static const __s16 no_load[] = {
		CTX(cb[0]), CTX(cb[4]), CTX(data), CTX(data_end),
		CTX(data_meta), CTX(tc_index), CTX(priority), CTX(tc_classid),
		CTX(queue_mapping), CTX(hash), CTX(sk), CTX(tstamp),
		CTX(protocol), CTX(len) + 1,
	};
	static const __s16 no_store[] = {
		CTX(cb[0]), CTX(cb[2]), CTX(priority), CTX(tc_index),
		CTX(tc_classid), CTX(queue_mapping), CTX(tstamp), CTX(len),
	};
	struct image im;
	unsigned int i;

	for (i = 0; i < sizeof(no_load) / sizeof(no_load[0]); i++) {
		image_init(&im);
		emit(&im.progs[0], insn_ldx(BPF_W, BPF_REG_1, BPF_REG_6,
					    no_load[i]));
		expect_refused(&im, ctx_field);
	}
	for (i = 0; i < sizeof(no_store) / sizeof(no_store[0]); i++) {
		image_init(&im);
		emit(&im.progs[0], insn_stx(BPF_W, BPF_REG_6, BPF_REG_2,
					    no_store[i]));
		expect_refused(&im, ctx_field);
		image_init(&im);
		emit(&im.progs[0], insn_st(BPF_W, BPF_REG_6, no_store[i], 0));
		expect_refused(&im, ctx_field);
	}
	/* The mark, but not as an immediate, a byte or atomically. */
	image_init(&im);
	emit(&im.progs[0], insn_st(BPF_W, BPF_REG_6, CTX(mark), 1));
	expect_refused(&im, ctx_field);
	image_init(&im);
	emit(&im.progs[0], insn_ldx(BPF_B, BPF_REG_1, BPF_REG_6, CTX(mark)));
	expect_refused(&im, ctx_field);
	image_init(&im);
	emit(&im.progs[0], insn_atomic(BPF_W, BPF_REG_6, BPF_REG_2, CTX(mark),
				       BPF_ADD));
	expect_refused(&im, ctx_field);
	/* Another load mode (BPF_PROBE_MEM). */
	image_init(&im);
	emit(&im.progs[0], insn_make(BPF_LDX | 0x20 | BPF_W, BPF_REG_1,
				     BPF_REG_6, CTX(len), 0));
	expect_refused(&im, "a load or store of another mode than BPF_MEM or BPF_ATOMIC");
}

/* ctx may live only in r6, and in r1 for a helper. */
static void test_ctx_flow(void)
{
	struct image im;
	struct prog *p;

	/* At the start, r1 is ctx: read through it before it is replaced. */
	image_init(&im);
	p = &im.progs[0];
	p->nr_insns = p->nr_relocs = 0;
	emit(p, insn_mov64_reg(BPF_REG_6, BPF_REG_1));
	emit(p, insn_ldx(BPF_W, BPF_REG_2, BPF_REG_1, CTX(cb[0])));
	expect_refused(&im, ctx_misused);
	/* Not kept in r6 first. */
	image_init(&im);
	p = &im.progs[0];
	p->insns[0] = insn_mov64_reg(BPF_REG_7, BPF_REG_1);
	expect_refused(&im, "the program does not start by keeping the context in r6");
	/* Copied elsewhere than r1, or computed with. */
	image_init(&im);
	emit(&im.progs[0], insn_mov64_reg(BPF_REG_2, BPF_REG_6));
	expect_refused(&im, "the context is used in arithmetic");
	image_init(&im);
	emit(&im.progs[0], insn_alu64_reg(BPF_ADD, BPF_REG_2, BPF_REG_6));
	expect_refused(&im, "the context is used in arithmetic");
	/* Offset, then used. */
	image_init(&im);
	emit(&im.progs[0], insn_alu64_imm(BPF_ADD, BPF_REG_6, 8));
	expect_refused(&im, "r6, which holds the context, is overwritten");
	image_init(&im);
	emit(&im.progs[0], insn_ldx(BPF_DW, BPF_REG_6, BPF_REG_10, -8));
	expect_refused(&im, "r6, which holds the context, is overwritten");
	image_init(&im);
	emit(&im.progs[0], insn_make(BPF_LD | BPF_IMM | BPF_DW, BPF_REG_6,
				     0, 0, 0));
	emit(&im.progs[0], insn_make(0, 0, 0, 0, 0));
	expect_refused(&im, "r6, which holds the context, is overwritten");
	/* Spilled, to be reloaded into another register. */
	image_init(&im);
	emit(&im.progs[0], insn_stx(BPF_DW, BPF_REG_10, BPF_REG_6, -16));
	expect_refused(&im, "the context is stored to memory");
	image_init(&im);
	emit(&im.progs[0], insn_atomic(BPF_DW, BPF_REG_10, BPF_REG_6, -16,
				       BPF_XCHG));
	expect_refused(&im, "the context is stored to memory");
	/* Compared. */
	image_init(&im);
	emit(&im.progs[0], insn_jmp_reg(BPF_JEQ, BPF_REG_2, BPF_REG_6, 0));
	expect_refused(&im, "the context is compared");
	/* In r1: read, stored, copied, jumped with, or exited with. */
	image_init(&im);
	emit(&im.progs[0], insn_mov64_reg(BPF_REG_1, BPF_REG_6));
	emit(&im.progs[0], insn_ldx(BPF_W, BPF_REG_2, BPF_REG_1, CTX(cb[1])));
	expect_refused(&im, ctx_misused);
	image_init(&im);
	emit(&im.progs[0], insn_mov64_reg(BPF_REG_1, BPF_REG_6));
	emit(&im.progs[0], insn_stx(BPF_DW, BPF_REG_10, BPF_REG_1, -8));
	expect_refused(&im, ctx_misused);
	image_init(&im);
	emit(&im.progs[0], insn_mov64_reg(BPF_REG_1, BPF_REG_6));
	emit(&im.progs[0], insn_mov64_reg(BPF_REG_3, BPF_REG_1));
	expect_refused(&im, ctx_misused);
	image_init(&im);
	emit(&im.progs[0], insn_mov64_reg(BPF_REG_1, BPF_REG_6));
	emit(&im.progs[0], insn_alu64_imm(BPF_ADD, BPF_REG_1, 64));
	expect_refused(&im, ctx_misused);
	image_init(&im);
	emit(&im.progs[0], insn_mov64_reg(BPF_REG_1, BPF_REG_6));
	emit(&im.progs[0], insn_ja(0));
	expect_refused(&im, ctx_misused);
	image_init(&im);
	emit(&im.progs[0], insn_mov64_reg(BPF_REG_1, BPF_REG_6));
	emit(&im.progs[0], insn_exit());
	expect_refused(&im, ctx_misused);
	/* Overwritten, r1 is free again. */
	image_init(&im);
	emit(&im.progs[0], insn_mov64_reg(BPF_REG_1, BPF_REG_6));
	emit(&im.progs[0], insn_mov64_imm(BPF_REG_1, 0));
	emit(&im.progs[0], insn_ldx(BPF_W, BPF_REG_2, BPF_REG_1, 0));
	accept(&im.progs[0]);
	EXPECT_EQ(check(&im), 0);
}

static void test_relocations(void)
{
	struct image im;
	struct prog *p;

	image_init(&im);
	im.progs[0].relocs[0].index = BPFILTER_IMAGE_MAPS;
	expect_refused(&im, "a relocation names no map");
	image_init(&im);
	im.progs[0].relocs[0].index = BPFILTER_IMAGE_MAP_STATE;
	expect_refused(&im, "a relocation names no map");
	image_init(&im);
	im.progs[0].relocs[0].kind = 9;
	expect_refused(&im, "a relocation of an unknown kind");
	image_init(&im);
	im.progs[0].relocs[0].insn = 2;
	expect_refused(&im, "a map relocation is not at a BPF_LD_IMM64 of a map fd");
	image_init(&im);
	im.progs[0].relocs[0].insn = 99;
	expect_refused(&im, "relocations out of order, or past the program");
	/* Two relocations of one instruction. */
	image_init(&im);
	p = &im.progs[0];
	p->relocs[p->nr_relocs] = p->relocs[0];
	p->nr_relocs++;
	expect_refused(&im, "relocations out of order, or past the program");
	/* -m owner ids: at a 32-bit comparison, of an id set that exists. */
	image_init(&im);
	p = &im.progs[0];
	im.hdr.nr_owners = 1;
	im.owner.match = 1;
	p->relocs[p->nr_relocs++] = (struct bpfilter_image_reloc) {
		.insn = p->nr_insns, .kind = BPFILTER_IMAGE_RELOC_OWNER_ID,
		.index = 1,
	};
	emit(p, insn_jmp32_imm(BPF_JGT, BPF_REG_2, 1000, 0));
	accept(p);
	EXPECT_EQ(check(&im), 0);
	p->relocs[p->nr_relocs - 1].index = 4;
	EXPECT_EQ(check(&im), -EBADMSG);
	EXPECT(last_why && !strcmp(last_why, "a relocation names no -m owner id set"));
	p->relocs[p->nr_relocs - 1].index = 1;
	p->relocs[p->nr_relocs - 1].insn = 1;
	EXPECT_EQ(check(&im), -EBADMSG);
	EXPECT(last_why && !strcmp(last_why, "relocations out of order, or past the program"));
	p->relocs[p->nr_relocs - 1].insn = 5;
	EXPECT_EQ(check(&im), -EBADMSG);
	EXPECT(last_why && !strcmp(last_why, "an id relocation is not at a 32-bit comparison"));
}

/* More maps than the verifier binds to one program. */
static void test_too_many_maps(void)
{
	static struct image im;
	struct prog *p;
	__u16 i;

	image_init(&im);
	im.hdr.nr_entries = 100;
	im.class_maps = 70;
	p = &im.progs[0];
	for (i = 0; i < 61; i++)
		emit_map_ld(p, BPF_REG_1, BPFILTER_IMAGE_MAPS + i);
	accept(p);
	EXPECT_EQ(check(&im), 0);	/* with the meta map: 62 */

	image_init(&im);
	im.hdr.nr_entries = 100;
	im.class_maps = 70;
	p = &im.progs[0];
	for (i = 0; i < 64; i++)
		emit_map_ld(p, BPF_REG_1, BPFILTER_IMAGE_MAPS + i);
	expect_refused(&im, "a program uses more maps than the verifier allows");
	/* A header promising more maps than follow. */
	image_init(&im);
	im.hdr.nr_entries = 100;
	im.class_maps = 3;
	accept(&im.progs[0]);
	im.hdr.nr_class_maps = 4;
	{
		unsigned char *buf;
		size_t len;
		static struct bpfilter_image_view v;

		im.class_maps = 3;
		buf = image_bytes(&im, &len);
		((struct bpfilter_image_hdr *)buf)->nr_class_maps = 4;
		EXPECT_EQ(bpfilter_image_check(buf, len, FILTER_HOOKS, &v),
			  -EBADMSG);
		free(buf);
	}
}

static void test_format(void)
{
	struct image im;
	unsigned char *buf;
	static struct bpfilter_image_view v;
	size_t len, cut;
	int err;

	/* Cut anywhere, or with a byte more: refused. */
	image_init(&im);
	im.class_maps = 1;
	im.hdr.nr_owners = 1;
	accept(&im.progs[0]);
	buf = image_bytes(&im, &len);
	EXPECT_EQ(bpfilter_image_check(buf, len, FILTER_HOOKS, &v), 0);
	for (cut = 0; cut < len; cut++) {
		err = bpfilter_image_check(buf, cut, FILTER_HOOKS, &v);
		if (err != -EBADMSG)
			printf("#   cut at %zu of %zu: %d\n", cut, len, err);
		EXPECT_EQ(err, -EBADMSG);
	}
	EXPECT_EQ(bpfilter_image_check(buf, len + 8, FILTER_HOOKS, &v),
		  -EBADMSG);
	free(buf);

	image_init(&im);
	im.hooks[0] = NF_INET_PRE_ROUTING;
	expect_refused(&im, "a program of another table's hook, or a hook twice");
	image_init(&im);
	im.hdr.nr_progs = 2;
	im.hooks[1] = NF_INET_LOCAL_IN;
	prologue(&im.progs[1]);
	accept(&im.progs[1]);
	expect_refused(&im, "a program of another table's hook, or a hook twice");
	image_init(&im);
	im.hdr.needs = 1U << 31;
	expect_refused(&im, "unknown needs");
	image_init(&im);
	im.hdr.nr_entries = 0;
	expect_refused(&im, "more entries or -m limit states than a table can have");
	image_init(&im);
	im.class_maps = 1;
	im.class_pad = 1;
	expect_refused(&im, "a classifier map's padding is not zero");
	image_init(&im);
	im.class_maps = 1;
	im.class_index = 1;
	expect_refused(&im, "a classifier value names no entry or verdict");
	image_init(&im);
	im.hdr.nr_owners = 1;
	im.owner.match = 0x80;
	expect_refused(&im, "an -m owner id set of unknown flags");

	/* The code generator's errors pass, as errnos user space knows. */
	memset(&im.hdr, 0, sizeof(im.hdr));
	im.hdr.err = -E2BIG;
	EXPECT_EQ(bpfilter_image_check(&im.hdr, sizeof(im.hdr), FILTER_HOOKS,
				       &v), -E2BIG);
	im.hdr.err = -512;	/* ERESTARTSYS */
	EXPECT_EQ(bpfilter_image_check(&im.hdr, sizeof(im.hdr), FILTER_HOOKS,
				       &v), -EBADMSG);
	im.hdr.err = -EBADMSG;
	EXPECT_EQ(bpfilter_image_check(&im.hdr, sizeof(im.hdr), FILTER_HOOKS,
				       &v), -EBADMSG);
	im.hdr.err = 1;
	EXPECT_EQ(bpfilter_image_check(&im.hdr, sizeof(im.hdr), FILTER_HOOKS,
				       &v), -EBADMSG);
}

int main(void)
{
	tap_run("image check: the template, mark and helper use, a classifier map are accepted",
		test_template_accepted);
	tap_run("image check: helpers the code generator does not call are refused",
		test_forbidden_helpers);
	tap_run("image check: kfunc calls and calls out of the program are refused",
		test_calls);
	tap_run("image check: ctx never reaches a subprogram", test_subprograms);
	tap_run("image check: BPF_LD_IMM64 only of constants and relocated map fds; no BPF_ABS/IND",
		test_ld_imm64);
	tap_run("image check: ctx fields other than len, pkt_type, mark, ifindex (and mark written) are refused",
		test_ctx_fields);
	tap_run("image check: ctx is never copied, offset, spilled, compared, or used from r1 but by a helper",
		test_ctx_flow);
	tap_run("image check: relocations in order, of a known kind, at the instruction they patch",
		test_relocations);
	tap_run("image check: at most 64 maps per program; no more maps than follow",
		test_too_many_maps);
	tap_run("image check: cut, padded, hooks, needs, classifier values, owner flags, errnos",
		test_format);
	return tap_exit_code();
}
