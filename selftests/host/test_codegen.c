// SPDX-License-Identifier: GPL-2.0
/*
 * test-codegen: the code generator without packets (no root needed):
 * the image's shape, jump islands in programs larger than a 16-bit jump
 * reaches, the instruction limit refusing an exponential inlining, and
 * instructions per rule at 1 to 10,000 rules (printed, not asserted).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter/xt_dscp.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_length.h>
#include <linux/netfilter/xt_mac.h>
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_pkttype.h>
#include <linux/netfilter_ipv4/ipt_ttl.h>

#include "codegen.h"
#include "bpf_insn.h"
#include "core.h"
#include "image.h"
#include "image_parse.h"
#include "table.h"
#include "tap.h"
#include "translate.h"
#include "wire_request.h"

#define STD_SIZE	(sizeof(struct ipt_entry) + \
			 XT_ALIGN(sizeof(struct xt_standard_target)))
#define ERR_SIZE	(sizeof(struct ipt_entry) + \
			 XT_ALIGN(sizeof(struct xt_error_target)))

/* A table under construction: entries appended one by one. */
struct tbuild {
	unsigned char *buf;
	unsigned int size, count, cap;
	struct ipt_replace repl;
};

static struct ipt_entry *tb_add(struct tbuild *t, unsigned int size)
{
	struct ipt_entry *e;

	if (t->size + size > t->cap) {
		t->cap = (t->cap + size) * 2;
		t->buf = realloc(t->buf, t->cap);
	}
	e = (struct ipt_entry *)(t->buf + t->size);
	memset(e, 0, size);
	e->target_offset = sizeof(*e);
	e->next_offset = size;
	t->size += size;
	t->count++;
	return e;
}

/* A rule with @ip's tests and a standard verdict (or jump offset). */
static unsigned int tb_rule(struct tbuild *t, const struct ipt_ip *ip,
			    int verdict)
{
	unsigned int off = t->size;
	struct ipt_entry *e = tb_add(t, STD_SIZE);
	struct xt_standard_target *st = (void *)((unsigned char *)e +
						  e->target_offset);

	if (ip)
		e->ip = *ip;
	st->target.u.target_size = XT_ALIGN(sizeof(*st));
	st->verdict = verdict;
	return off;
}

static unsigned int tb_error(struct tbuild *t, const char *name)
{
	unsigned int off = t->size;
	struct ipt_entry *e = tb_add(t, ERR_SIZE);
	struct xt_error_target *et = (void *)((unsigned char *)e +
					       e->target_offset);

	et->target.u.target_size = XT_ALIGN(sizeof(*et));
	strcpy(et->target.u.user.name, XT_ERROR_TARGET);
	strcpy(et->errorname, name);
	return off;
}

static int *tb_verdict(struct tbuild *t, unsigned int off)
{
	struct ipt_entry *e = (void *)(t->buf + off);

	return &((struct xt_standard_target *)((unsigned char *)e +
					       e->target_offset))->verdict;
}

/* Built-in chains each with only a policy, INPUT's placed by @input. */
static void tb_hooks(struct tbuild *t, unsigned int input_first,
		     unsigned int input_policy)
{
	static const unsigned int others[] = { NF_INET_FORWARD, NF_INET_LOCAL_OUT };
	unsigned int i, h;

	t->repl.valid_hooks = (1 << NF_INET_LOCAL_IN) | (1 << NF_INET_FORWARD) |
			      (1 << NF_INET_LOCAL_OUT);
	t->repl.hook_entry[NF_INET_LOCAL_IN] = input_first;
	t->repl.underflow[NF_INET_LOCAL_IN] = input_policy;
	for (i = 0; i < 2; i++) {
		h = others[i];
		t->repl.hook_entry[h] = tb_rule(t, NULL, -NF_ACCEPT - 1);
		t->repl.underflow[h] = t->repl.hook_entry[h];
	}
}

static void tb_finish(struct tbuild *t)
{
	strcpy(t->repl.name, "filter");
	t->repl.num_entries = t->count;
	t->repl.size = t->size;
	t->repl.num_counters = 4;
}

static int tb_compile_flavour(struct tbuild *t, enum bpfilter_flavour flavour,
			      struct bpfilter_image **image)
{
	struct ipt_table_store *table;
	int ret;

	tb_finish(t);
	ret = ipt_translate(&t->repl, t->buf, &table);
	if (ret)
		return ret;
	ret = bpfilter_codegen(table, flavour, image);
	ipt_table_store_free(table);
	return ret;
}

static int tb_compile(struct tbuild *t, struct bpfilter_image **image)
{
	return tb_compile_flavour(t, BPFILTER_FLAVOUR_NF_LINK, image);
}

/* The table as a SET_REPLACE payload, malloc()ed. */
static void *tb_payload(struct tbuild *t, __u32 *len)
{
	unsigned char *buf;

	tb_finish(t);
	*len = sizeof(t->repl) + t->size;
	buf = malloc(*len);
	memcpy(buf, &t->repl, sizeof(t->repl));
	memcpy(buf + sizeof(t->repl), t->buf, t->size);
	return buf;
}

static enum bpfilter_flavour flat_flavour = BPFILTER_FLAVOUR_NF_LINK;

/* INPUT: @n rules "-s 203.0.113.x -j DROP", then the policy. */
static int flat_table(unsigned int n, struct bpfilter_image **image)
{
	struct tbuild t = { 0 };
	struct ipt_ip ip = { .smsk.s_addr = 0xffffffff };
	unsigned int i, policy;
	int ret;

	for (i = 0; i < n; i++) {
		ip.src.s_addr = htonl(0xcb007100 | (i & 0xff));
		tb_rule(&t, &ip, -NF_DROP - 1);
	}
	policy = tb_rule(&t, NULL, -NF_ACCEPT - 1);
	tb_hooks(&t, 0, policy);
	tb_error(&t, "ERROR");
	ret = tb_compile_flavour(&t, flat_flavour, image);
	free(t.buf);
	return ret;
}

static void test_image_shape(void)
{
	struct bpfilter_image *img = NULL;
	unsigned int i, j, kinds = 0;

	EXPECT_EQ(flat_table(1, &img), 0);
	if (!img)
		return;
	EXPECT_EQ(img->flavour, BPFILTER_FLAVOUR_NF_LINK);
	EXPECT_EQ(img->nr_progs, 3);
	EXPECT_EQ(img->progs[0].hook, NF_INET_LOCAL_IN);
	EXPECT_EQ(img->progs[1].hook, NF_INET_FORWARD);
	EXPECT_EQ(img->progs[2].hook, NF_INET_LOCAL_OUT);
	EXPECT_EQ(img->maps[BPFILTER_MAP_COUNTERS].type, BPF_MAP_TYPE_PERCPU_ARRAY);
	EXPECT_EQ(img->maps[BPFILTER_MAP_COUNTERS].max_entries, 5);
	EXPECT_EQ(img->maps[BPFILTER_MAP_COUNTERS].value_size, 16);
	for (i = 0; i < img->nr_progs; i++) {
		const struct bpfilter_hook_prog *p = &img->progs[i];

		EXPECT_EQ(p->insns[p->nr_insns - 1].code, BPF_JMP | BPF_EXIT);
		for (j = 0; j < p->nr_relocs; j++) {
			EXPECT(p->relocs[j].insn < p->nr_insns);
			kinds |= 1U << p->relocs[j].kind;
			if (p->relocs[j].kind == BPFILTER_RELOC_MAP_FD)
				EXPECT_EQ(p->insns[p->relocs[j].insn].src_reg,
					  BPF_PSEUDO_MAP_FD);
		}
	}
	EXPECT_EQ(kinds, (1U << BPFILTER_RELOC_MAP_FD) |
		  (1U << BPFILTER_RELOC_FIELD_OFFSET) | (1U << BPFILTER_RELOC_KFUNC));
	bpfilter_image_free(img);
}

/*
 * The SCHED_CLS flavour: the meta map besides the counters (unused, type
 * 0, for the netfilter link), map fd relocations only, and no access
 * to __sk_buff but its len: no direct packet access, no cb.
 */
static void test_sched_cls_shape(void)
{
	struct bpfilter_image *img = NULL;
	const struct bpf_insn *insn;
	unsigned int i, j, maps;

	flat_flavour = BPFILTER_FLAVOUR_SCHED_CLS;
	EXPECT_EQ(flat_table(1, &img), 0);
	flat_flavour = BPFILTER_FLAVOUR_NF_LINK;
	if (!img)
		return;
	EXPECT_EQ(img->flavour, BPFILTER_FLAVOUR_SCHED_CLS);
	EXPECT_EQ(img->nr_progs, 3);
	EXPECT_EQ(img->maps[BPFILTER_MAP_COUNTERS].max_entries, 5);
	EXPECT_EQ(img->maps[BPFILTER_MAP_META].type, BPF_MAP_TYPE_PERCPU_ARRAY);
	EXPECT_EQ(img->maps[BPFILTER_MAP_META].key_size, 4);
	EXPECT_EQ(img->maps[BPFILTER_MAP_META].value_size,
		  sizeof(struct bpfilter_meta));
	EXPECT_EQ(img->needs, 0);
	EXPECT_EQ(img->nr_logs, 0);
	EXPECT_EQ(img->maps[BPFILTER_MAP_META].max_entries, 1);
	for (i = 0; i < img->nr_progs; i++) {
		const struct bpfilter_hook_prog *p = &img->progs[i];

		maps = 0;
		for (j = 0; j < p->nr_relocs; j++) {
			EXPECT_EQ(p->relocs[j].kind, BPFILTER_RELOC_MAP_FD);
			maps |= 1U << p->relocs[j].index;
		}
		EXPECT_EQ(maps, 3);
		/*
		 * ctx (r6 from the first instruction on) is read at len
		 * only; plain stores go to the stack only (the counters'
		 * atomic adds go to the map value).
		 */
		for (j = 0; j < p->nr_insns; j++) {
			insn = &p->insns[j];
			if (BPF_CLASS(insn->code) == BPF_LDX &&
			    insn->src_reg == BPF_REG_6)
				EXPECT(insn->off == offsetof(struct __sk_buff, len) &&
				       BPF_SIZE(insn->code) == BPF_W);
			if ((BPF_CLASS(insn->code) == BPF_STX ||
			     BPF_CLASS(insn->code) == BPF_ST) &&
			    BPF_MODE(insn->code) == BPF_MEM)
				EXPECT_EQ(insn->dst_reg, BPF_REG_10);
		}
		printf("# SCHED_CLS, one rule, hook %u: %u instructions\n",
		       p->hook, p->nr_insns);
	}
	bpfilter_image_free(img);

	EXPECT_EQ(flat_table(1, &img), 0);
	if (img)
		EXPECT_EQ(img->maps[BPFILTER_MAP_META].type, BPF_MAP_TYPE_UNSPEC);
	bpfilter_image_free(img);
}

/* A rule with one match (@data of @size bytes) and a standard verdict. */
static unsigned int tb_match_rule(struct tbuild *t, const char *name,
				  __u8 revision, const void *data,
				  unsigned int size, int verdict)
{
	unsigned int msize = sizeof(struct xt_entry_match) + XT_ALIGN(size);
	unsigned int off = t->size;
	struct ipt_entry *e = tb_add(t, STD_SIZE + msize);
	struct xt_entry_match *m = (void *)e->elems;
	struct xt_standard_target *st;

	m->u.match_size = msize;
	strcpy(m->u.user.name, name);
	m->u.user.revision = revision;
	memcpy(m->data, data, size);
	e->target_offset = sizeof(*e) + msize;
	st = (void *)((unsigned char *)e + e->target_offset);
	st->target.u.target_size = XT_ALIGN(sizeof(*st));
	st->verdict = verdict;
	return off;
}

static const struct xt_length_info length_info = { .min = 40, .max = 100, .invert = 1 };
static const struct ipt_ttl_info ttl_info = { .mode = IPT_TTL_LT, .ttl = 5 };
static const struct xt_tos_match_info tos_info = { .tos_mask = 0x3f, .tos_value = 0x10 };
static const struct xt_dscp_info dscp_info = { .dscp = 46 };
static const struct xt_iprange_mtinfo iprange_info = {
	.src_min.ip = 0x0100000a, .src_max.ip = 0x0900000a,
	.flags = IPRANGE_SRC | IPRANGE_SRC_INV,
};
static const struct xt_mark_mtinfo1 mark_info = { .mark = 1, .mask = 0xff };
static const struct xt_pkttype_info pkttype_info = { .pkttype = 1 };
static const struct xt_mac_info mac_info = { .srcaddr = { 2, 0, 0, 0, 0, 1 } };

static const struct {
	const char *name;
	__u8 revision;
	const void *data;
	unsigned int size;
	/* The netfilter link's field relocation, or -1; its compile's errno. */
	int kfield, nf_link_err;
} header_matches[] = {
	{ "length", 0, &length_info, sizeof(length_info), -1, 0 },
	{ "ttl", 0, &ttl_info, sizeof(ttl_info), -1, 0 },
	{ "tos", 1, &tos_info, sizeof(tos_info), -1, 0 },
	{ "dscp", 0, &dscp_info, sizeof(dscp_info), -1, 0 },
	{ "iprange", 1, &iprange_info, sizeof(iprange_info), -1, 0 },
	{ "mark", 1, &mark_info, sizeof(mark_info), BPFILTER_KFIELD_SKB_MARK, 0 },
	{ "pkttype", 0, &pkttype_info, sizeof(pkttype_info),
	  BPFILTER_KFIELD_SKB_PKT_TYPE, 0 },
	{ "mac", 0, &mac_info, sizeof(mac_info), -1, -EOPNOTSUPP },
};

/* INPUT: the match's rule (DROP), ACCEPT policy; FORWARD, OUTPUT: policies. */
static int compile_match(unsigned int i, enum bpfilter_flavour flavour,
			 struct bpfilter_image **img)
{
	struct tbuild t = { 0 };
	unsigned int first, policy;
	int ret;

	first = tb_match_rule(&t, header_matches[i].name,
			      header_matches[i].revision, header_matches[i].data,
			      header_matches[i].size, -NF_DROP - 1);
	policy = tb_rule(&t, NULL, -NF_ACCEPT - 1);
	tb_hooks(&t, first, policy);
	ret = tb_compile_flavour(&t, flavour, img);
	free(t.buf);
	return ret;
}

/*
 * The header and skb matches under SCHED_CLS: ctx read only at len,
 * mark, pkt_type and ifindex, map relocations only, no helper but the
 * map lookup and the two byte loads.  Under the netfilter link: the
 * field relocation each needs, and -m mac refused.
 */
static void test_header_matches(void)
{
	static const __s16 ctx_fields[] = {
		offsetof(struct __sk_buff, len),
		offsetof(struct __sk_buff, mark),
		offsetof(struct __sk_buff, pkt_type),
		offsetof(struct __sk_buff, ifindex),
	};
	struct bpfilter_image *img;
	const struct bpf_insn *insn;
	unsigned int i, j, k, f;
	bool found;

	for (i = 0; i < sizeof(header_matches) / sizeof(header_matches[0]); i++) {
		img = NULL;
		EXPECT_EQ(compile_match(i, BPFILTER_FLAVOUR_SCHED_CLS, &img), 0);
		for (j = 0; img && j < img->nr_progs; j++) {
			const struct bpfilter_hook_prog *p = &img->progs[j];

			for (k = 0; k < p->nr_relocs; k++)
				EXPECT_EQ(p->relocs[k].kind, BPFILTER_RELOC_MAP_FD);
			for (k = 0; k < p->nr_insns; k++) {
				insn = &p->insns[k];
				if (BPF_CLASS(insn->code) == BPF_LDX &&
				    insn->src_reg == BPF_REG_6) {
					found = false;
					for (f = 0; f < 4; f++)
						found |= insn->off == ctx_fields[f];
					EXPECT(found && BPF_SIZE(insn->code) == BPF_W);
				}
				if (insn->code == (BPF_JMP | BPF_CALL))
					EXPECT(insn->imm == BPF_FUNC_map_lookup_elem ||
					       insn->imm == BPF_FUNC_skb_load_bytes ||
					       insn->imm == BPF_FUNC_skb_load_bytes_relative ||
					       insn->src_reg == BPF_PSEUDO_CALL);
			}
		}
		if (img)
			printf("# %s: SCHED_CLS INPUT %u instructions\n",
			       header_matches[i].name, img->progs[0].nr_insns);
		bpfilter_image_free(img);

		img = NULL;
		EXPECT_EQ(compile_match(i, BPFILTER_FLAVOUR_NF_LINK, &img),
			  header_matches[i].nf_link_err);
		if (!img)
			continue;
		found = false;
		for (k = 0; k < img->progs[0].nr_relocs; k++)
			found |= img->progs[0].relocs[k].kind == BPFILTER_RELOC_FIELD_OFFSET &&
				 img->progs[0].relocs[k].index == header_matches[i].kfield;
		EXPECT_EQ(found, header_matches[i].kfield >= 0);
		bpfilter_image_free(img);
	}
}

/* What cannot go on the wire is sent as a refused table, not garbled. */
static void test_serialize_refuses(void)
{
	struct bpfilter_image *img = NULL;
	struct parsed_image parsed;
	void *out = NULL;
	__u32 len = 0;

	EXPECT_EQ(flat_table(1, &img), 0);	/* netfilter-link relocations */
	if (!img)
		return;
	EXPECT_EQ(bpfilter_image_serialize(img, 0, 5, &out, &len), 0);
	EXPECT(!image_parse(out, len, &parsed));
	EXPECT_EQ(parsed.hdr.err, -EINVAL);
	EXPECT_EQ(parsed.hdr.nr_entries, 5);
	free(out);
	/* A SCHED_CLS image with a kind the wire format has no name for. */
	img->flavour = BPFILTER_FLAVOUR_SCHED_CLS;
	EXPECT_EQ(bpfilter_image_serialize(img, 0, 5, &out, &len), 0);
	EXPECT(!image_parse(out, len, &parsed));
	EXPECT_EQ(parsed.hdr.err, -EINVAL);
	EXPECT_EQ(len, sizeof(struct bpfilter_image_hdr));
	free(out);
	bpfilter_image_free(img);
}

/*
 * Follows every jump of @p from instruction 0 (forward only): each must
 * land inside the program, and each conditional's target and
 * fall-through are checked as well, so a wrong island shows.
 */
static bool jumps_forward_in_range(const struct bpf_prog_buf *p)
{
	unsigned int i;

	for (i = 0; i < p->len; i++) {
		__u8 cls = BPF_CLASS(p->insns[i].code);
		__u8 op = BPF_OP(p->insns[i].code);

		if ((cls != BPF_JMP && cls != BPF_JMP32) || op == BPF_CALL ||
		    op == BPF_EXIT)
			continue;
		if (p->insns[i].off < 0 || i + 1 + p->insns[i].off >= p->len)
			return false;
	}
	return true;
}

/* One jump over 100,000 instructions, and islands between. */
static void test_islands(void)
{
	struct bpf_prog_buf p;
	unsigned int far, i, pc = 0, steps = 0;

	bpf_prog_init(&p, BPFILTER_PROG_INSNS_MAX);
	far = bpf_prog_label(&p);
	bpf_prog_jump(&p, insn_jmp_imm(BPF_JEQ, BPF_REG_1, 0, 0), far);
	for (i = 0; i < 100000; i++) {
		if (i % 100 == 0)
			bpf_prog_islands(&p);
		bpf_prog_emit(&p, insn_mov64_imm(BPF_REG_0, 1));
	}
	bpf_prog_emit(&p, insn_exit());
	bpf_prog_bind(&p, far);
	bpf_prog_emit(&p, insn_mov64_imm(BPF_REG_0, 2));
	bpf_prog_emit(&p, insn_exit());
	EXPECT_EQ(bpf_prog_finish(&p), 0);
	EXPECT(jumps_forward_in_range(&p));
	/* Taking the first jump and every "ja" after it reaches "r0 = 2". */
	pc = 1 + p.insns[0].off;
	while (p.insns[pc].code == (BPF_JMP | BPF_JA) && steps++ < 100)
		pc += 1 + p.insns[pc].off;
	EXPECT_EQ(p.insns[pc].imm, 2);
	EXPECT(steps >= 3);
	printf("# islands: %u hops over %u instructions\n", steps, p.len);
	bpf_prog_release(&p);
}

/*
 * The same through BPFILTER_CMD_COMPILE: answered (status 0) with the
 * code generator's refusal in the image's header, no program.
 */
static void compile_refused(struct tbuild *t)
{
	struct bpfilter_core *core = bpfilter_core_new();
	struct bpfilter_request req;
	struct bpfilter_reply reply;
	struct parsed_image parsed;
	void *payload, *out = NULL;
	__u32 len;

	payload = tb_payload(t, &len);
	req = wire_request(BPFILTER_CMD_COMPILE, 1, 0, len, len);
	EXPECT_EQ(bpfilter_core_handle(core, &req, payload, &reply, &out), 0);
	EXPECT_EQ(reply.status, 0);
	EXPECT_EQ(reply.tables, 0);
	EXPECT_EQ(reply.payload_len, sizeof(struct bpfilter_image_hdr));
	EXPECT(!image_parse(out, reply.payload_len, &parsed));
	EXPECT_EQ(parsed.hdr.err, -E2BIG);
	EXPECT_EQ(parsed.hdr.nr_entries, t->count);
	EXPECT_EQ(parsed.hdr.nr_progs, 0);
	free(out);
	free(payload);
	bpfilter_core_free(core);
}

/*
 * 24 chains, each calling the next twice: 2^24 inlined copies of the
 * last, far over the limit.  x_tables accepts it; bpfilter refuses it
 * with E2BIG (and a log line) instead of building it.
 */
static void test_exponential_refused(void)
{
	struct tbuild t = { 0 };
	struct bpfilter_image *img = NULL;
	unsigned int heads[24], calls[24][2], i, input_first, policy;

	input_first = tb_rule(&t, NULL, 0);	/* INPUT -j c0, fixed below */
	policy = tb_rule(&t, NULL, -NF_ACCEPT - 1);
	tb_hooks(&t, input_first, policy);
	for (i = 0; i < 24; i++) {
		char name[8];

		snprintf(name, sizeof(name), "c%u", i);
		tb_error(&t, name);
		heads[i] = t.size;
		if (i < 23) {
			calls[i][0] = tb_rule(&t, NULL, 0);
			calls[i][1] = tb_rule(&t, NULL, 0);
		}
		tb_rule(&t, NULL, XT_RETURN);
	}
	tb_error(&t, "ERROR");
	*tb_verdict(&t, input_first) = heads[0];
	for (i = 0; i < 23; i++) {
		*tb_verdict(&t, calls[i][0]) = heads[i + 1];
		*tb_verdict(&t, calls[i][1]) = heads[i + 1];
	}
	EXPECT_EQ(tb_compile(&t, &img), -E2BIG);
	bpfilter_image_free(img);
	compile_refused(&t);
	free(t.buf);
}

static void instructions_per_rule(void)
{
	static const unsigned int sizes[] = { 1, 100, 1000, 10000 };
	struct bpfilter_image *img = NULL;
	unsigned int i, base = 0;

	EXPECT_EQ(flat_table(0, &img), 0);
	if (img)
		base = img->progs[0].nr_insns;
	bpfilter_image_free(img);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		img = NULL;
		EXPECT_EQ(flat_table(sizes[i], &img), 0);
		if (!img)
			continue;
		printf("# %s INPUT with %u rules \"-s ADDR -j DROP\": %u instructions, %.1f per rule\n",
		       flat_flavour == BPFILTER_FLAVOUR_NF_LINK ?
		       "netfilter link" : "SCHED_CLS",
		       sizes[i], img->progs[0].nr_insns,
		       (double)(img->progs[0].nr_insns - base) / sizes[i]);
		bpfilter_image_free(img);
	}
}

static void test_instructions_per_rule(void)
{
	instructions_per_rule();
	flat_flavour = BPFILTER_FLAVOUR_SCHED_CLS;
	instructions_per_rule();
	flat_flavour = BPFILTER_FLAVOUR_NF_LINK;
}

int main(void)
{
	tap_run("codegen: an image has three programs, a counter map, map/field/kfunc relocations",
		test_image_shape);
	tap_run("codegen: SCHED_CLS has the meta map, map relocations only, reads only __sk_buff.len",
		test_sched_cls_shape);
	tap_run("codegen: header and skb matches: SCHED_CLS reads only len/mark/pkt_type/ifindex of ctx; the netfilter link relocates mark and pkt_type, refuses mac",
		test_header_matches);
	tap_run("codegen: an image the wire format cannot carry is sent as refused (-EINVAL)",
		test_serialize_refuses);
	tap_run("codegen: jump islands carry a jump over 100,000 instructions",
		test_islands);
	tap_run("codegen: a table inlining to more than the instruction limit is refused with E2BIG, in COMPILE's header",
		test_exponential_refused);
	tap_run("codegen: tables of 1 to 10,000 rules compile", test_instructions_per_rule);
	return tap_exit_code();
}
