// SPDX-License-Identifier: GPL-2.0
/*
 * The classifier: a run of consecutive entries of one chain that test
 * only addresses, the protocol and exact ports, each ending in ACCEPT or
 * DROP, becomes one map lookup instead of one test per entry
 * (docs/classifier.md).
 *
 * Every entry of a run has the same shape: the same fields are tested
 * exactly (the protocol, the ports, an address with a /32 mask), and at
 * most one address field has any prefix length.  The key is those exact
 * fields then the prefix field, so that one BPF_MAP_TYPE_LPM_TRIE holds
 * the whole run: the prefixes that contain a packet's key are the
 * ancestors of its longest match, so storing at every prefix the first
 * entry (in table order) among itself and its ancestors makes the
 * longest-prefix lookup return the first entry that matches: x_tables'
 * first match.  A run without a prefix field is a BPF_MAP_TYPE_HASH.
 *
 * The value is the entry's counter index and verdict; the shared
 * count-and-verdict blocks count it and return, so counters and
 * GET_ENTRIES do not change.  Entries before and after a run, and
 * everything that is not classifiable, are emitted as before.
 *
 * Runs with port matches keep xt_tcpudp's corner cases: a non-first
 * fragment matches no entry, but a TCP fragment at offset 1 is dropped
 * at the first entry whose IP part matches, as is a packet too short for
 * the L4 header.  "Some entry's IP part matches" is a second map of the
 * run's keys without the ports.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netfilter/xt_tcpudp.h>

#include "codegen_emit.h"
#include "entry.h"

/* Shorter runs stay straight-line code: a lookup costs about 16 tests. */
unsigned int bpfilter_classify_min_run = 16;

enum addr_kind {
	ADDR_ANY,	/* mask 0: not tested */
	ADDR_HOST,	/* /32 */
	ADDR_PREFIX,	/* anything else contiguous; per run: mixed lengths */
};

/* The fields a run's entries test, which decide the key's layout. */
struct run_shape {
	bool proto;		/* a protocol */
	bool l4;		/* a tcp or udp match (hence proto) */
	bool sport, dport;	/* exact ports in it */
	enum addr_kind addr[2];	/* source, destination */
};

/* What one entry tests, when it is classifiable. */
struct rule_key {
	struct run_shape shape;
	__u32 proto;
	__u16 sport, dport;	/* host order */
	__u32 addr[2];		/* network order, as ipt_ip has them */
	unsigned int plen[2];
	bool accept;
};

#define KEY_WORDS	((BPFILTER_CLASS_KEY_MAX - 4) / 4)

/* Where each field sits in the key's data, in 32-bit words (-1: not). */
struct key_layout {
	unsigned int words;
	int proto, ports, addr[2];
	int prefix;		/* the address field with mixed lengths, or -1 */
	__u32 port_mask;	/* of the ports word, as the packet's bytes */
};

/* Return: the prefix length of @mask (network order), or -1. */
static int prefix_len(__u32 mask)
{
	__u32 host = ntohl(mask);
	int len = 0;

	while (len < 32 && (host & (0x80000000U >> len)))
		len++;
	if (len < 32 && host << len)
		return -1;
	return len;
}

static bool classify_addr(__u32 addr, __u32 mask, enum addr_kind *kind,
			  __u32 *value, unsigned int *plen)
{
	int len = prefix_len(mask);

	/* An address with bits outside its mask never matches: leave it. */
	if (len < 0 || (addr & ~mask))
		return false;
	*kind = len == 0 ? ADDR_ANY : len == 32 ? ADDR_HOST : ADDR_PREFIX;
	*value = addr;
	*plen = len;
	return true;
}

static bool exact_port(const __u16 range[2], bool *tested, __u16 *port)
{
	if (range[0] == 0 && range[1] == 0xffff) {
		*tested = false;
		return true;
	}
	*tested = true;
	*port = range[0];
	return range[0] == range[1];
}

/* A tcp or udp match with exact or no ports, nothing else tested. */
static bool classify_l4(const struct xt_ext_head *head, const void *data,
			struct rule_key *k)
{
	struct xt_tcp tcp;
	struct xt_udp udp;

	if (k->shape.l4 || head->revision)
		return false;
	k->shape.l4 = true;
	if (!strcmp(head->name, "tcp") && k->proto == IPPROTO_TCP &&
	    head->size >= sizeof(*head) + sizeof(tcp)) {
		memcpy(&tcp, data, sizeof(tcp));
		if (tcp.option || tcp.flg_mask || tcp.flg_cmp || tcp.invflags)
			return false;
		return exact_port(tcp.spts, &k->shape.sport, &k->sport) &&
		       exact_port(tcp.dpts, &k->shape.dport, &k->dport);
	}
	if (!strcmp(head->name, "udp") && k->proto == IPPROTO_UDP &&
	    head->size >= sizeof(*head) + sizeof(udp)) {
		memcpy(&udp, data, sizeof(udp));
		if (udp.invflags)
			return false;
		return exact_port(udp.spts, &k->shape.sport, &k->sport) &&
		       exact_port(udp.dpts, &k->shape.dport, &k->dport);
	}
	return false;
}

/*
 * The matches of @e: comments (which test nothing; kube-proxy puts one
 * on every rule) and at most one tcp or udp match.
 */
static bool classify_matches(const struct ipt_entry *e, struct rule_key *k)
{
	const unsigned char *base = (const unsigned char *)e;
	struct xt_ext_head head;
	unsigned int pos;

	for (pos = sizeof(*e); pos < e->target_offset; pos += head.size) {
		xt_ext_head_read(base + pos, &head);
		if (!strcmp(head.name, "comment") && !head.revision)
			continue;
		if (!classify_l4(&head, base + pos + sizeof(head), k))
			return false;
	}
	return true;
}

static bool all_zero(const unsigned char *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

/* Return: whether @e can be part of a run, with what it tests in @k. */
static bool classify_entry(const struct ipt_entry *e, struct rule_key *k)
{
	struct xt_ext_head t;
	int v;

	memset(k, 0, sizeof(*k));
	if (e->ip.flags || e->ip.invflags ||
	    !all_zero(e->ip.iniface_mask, sizeof(e->ip.iniface_mask)) ||
	    !all_zero(e->ip.outiface_mask, sizeof(e->ip.outiface_mask)) ||
	    e->ip.proto > 255)
		return false;
	ipt_target_head(e, &t);
	if (!xt_is_standard_target(&t))
		return false;
	v = ipt_standard_verdict(e);
	if (v != -NF_ACCEPT - 1 && v != -NF_DROP - 1)
		return false;
	k->accept = v == -NF_ACCEPT - 1;
	if (!classify_addr(e->ip.src.s_addr, e->ip.smsk.s_addr,
			   &k->shape.addr[0], &k->addr[0], &k->plen[0]) ||
	    !classify_addr(e->ip.dst.s_addr, e->ip.dmsk.s_addr,
			   &k->shape.addr[1], &k->addr[1], &k->plen[1]))
		return false;
	k->proto = e->ip.proto;
	k->shape.proto = k->proto != 0;
	return classify_matches(e, k);
}

/* Adds @k to the run's shape @s; false when it does not fit. */
static bool shape_merge(struct run_shape *s, const struct rule_key *k)
{
	struct run_shape m = *s;
	int a;

	if (m.proto != k->shape.proto || m.l4 != k->shape.l4 ||
	    m.sport != k->shape.sport || m.dport != k->shape.dport)
		return false;
	for (a = 0; a < 2; a++)
		if (m.addr[a] != k->shape.addr[a])
			m.addr[a] = ADDR_PREFIX;
	if (m.addr[0] == ADDR_PREFIX && m.addr[1] == ADDR_PREFIX)
		return false;
	*s = m;
	return true;
}

/*
 * Return: how many entries from @first form a run (0 or 1: none), its
 * shape in @s.  A run ends after an unconditional entry: traversal
 * never goes past it.
 */
static unsigned int run_length(struct codegen *cg, unsigned int first,
			       struct run_shape *s)
{
	unsigned int i, count = cg_entry_count(cg);
	struct rule_key k;

	for (i = first; i < count; i++) {
		if (!classify_entry(cg_entry(cg, i), &k))
			break;
		if (i == first) {
			*s = k.shape;
			if (s->addr[0] == ADDR_PREFIX &&
			    s->addr[1] == ADDR_PREFIX)
				break;
		} else if (!shape_merge(s, &k)) {
			break;
		}
		if (ipt_entry_unconditional(cg_entry(cg, i)))
			return i - first + 1;
	}
	return i - first;
}

static void layout_init(struct key_layout *l, const struct run_shape *s,
			bool ports)
{
	unsigned char mask[4] = { 0 };
	int a;

	memset(l, 0, sizeof(*l));
	l->proto = l->ports = l->addr[0] = l->addr[1] = l->prefix = -1;
	if (s->proto)
		l->proto = l->words++;
	if (ports && (s->sport || s->dport)) {
		l->ports = l->words++;
		if (s->sport)
			mask[0] = mask[1] = 0xff;
		if (s->dport)
			mask[2] = mask[3] = 0xff;
		memcpy(&l->port_mask, mask, sizeof(mask));
	}
	for (a = 0; a < 2; a++)
		if (s->addr[a] == ADDR_HOST)
			l->addr[a] = l->words++;
	/* The one field with mixed lengths goes last: LPM matches leading bits. */
	for (a = 0; a < 2; a++)
		if (s->addr[a] == ADDR_PREFIX) {
			l->prefix = a;
			l->addr[a] = l->words++;
		}
}

/* A key as the map holds it: prefix length in bits, then the data. */
struct class_key {
	__u32 plen;
	__u32 data[KEY_WORDS];
};

struct node {
	struct class_key key;
	struct bpfilter_class_value value;	/* the entry's own */
	struct bpfilter_class_value first;	/* over it and its ancestors */
};

static void key_of(const struct key_layout *l, const struct rule_key *k,
		   struct class_key *key)
{
	unsigned char ports[4];
	__u16 be;
	int a;

	memset(key, 0, sizeof(*key));
	if (l->proto >= 0)
		key->data[l->proto] = k->proto;
	if (l->ports >= 0) {
		be = htons(k->shape.sport ? k->sport : 0);
		memcpy(ports, &be, 2);
		be = htons(k->shape.dport ? k->dport : 0);
		memcpy(ports + 2, &be, 2);
		memcpy(&key->data[l->ports], ports, sizeof(ports));
	}
	for (a = 0; a < 2; a++)
		if (l->addr[a] >= 0)
			key->data[l->addr[a]] = k->addr[a];
	key->plen = 32 * l->words;
	if (l->prefix >= 0)
		key->plen -= 32 - k->plen[l->prefix];
}

/* Clears the bits of @key's data after its first @plen. */
static void key_truncate(struct class_key *key, unsigned int plen)
{
	unsigned char *b = (unsigned char *)key->data;
	unsigned int i;

	key->plen = plen;
	for (i = 0; i < sizeof(key->data); i++) {
		if (plen >= 8 * (i + 1))
			continue;
		b[i] &= plen > 8 * i ? (unsigned char)(0xff00 >> (plen - 8 * i)) : 0;
	}
}

static int node_cmp(const void *a, const void *b)
{
	return memcmp(&((const struct node *)a)->key,
		      &((const struct node *)b)->key, sizeof(struct class_key));
}

/*
 * Sorts @n nodes by key, equal keys in table order.  Not qsort(): for
 * large arrays glibc's asks sysinfo() how much memory the machine has,
 * a system call the helper's seccomp filter kills it for.
 * Return: 0 or -ENOMEM.
 */
static int sort_nodes(struct node *nodes, size_t n)
{
	struct node *tmp = malloc(n * sizeof(*tmp)), *src = nodes, *dst = tmp;
	size_t width, lo, mid, hi, i, j, k;

	if (!tmp)
		return -ENOMEM;
	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			mid = lo + width < n ? lo + width : n;
			hi = lo + 2 * width < n ? lo + 2 * width : n;
			for (i = lo, j = mid, k = lo; k < hi; k++)
				dst[k] = j >= hi || (i < mid &&
					 node_cmp(&src[i], &src[j]) <= 0) ?
					 src[i++] : src[j++];
		}
		dst = src;
		src = src == nodes ? tmp : nodes;
	}
	if (src != nodes)
		memcpy(nodes, src, n * sizeof(*nodes));
	free(tmp);
	return 0;
}

/*
 * Every entry's key once (a duplicate keeps the first entry), each with
 * the first entry among its ancestors: what the LPM lookup must return.
 * Return: the number of nodes, or -ENOMEM.
 */
static long build_nodes(struct codegen *cg, unsigned int first,
			unsigned int len, const struct key_layout *l,
			struct node **out)
{
	struct node *nodes, probe, *hit;
	bool plens[33] = { false };
	unsigned int i, n = 0, p, base;
	struct rule_key k;

	nodes = calloc(len, sizeof(*nodes));
	if (!nodes)
		return -ENOMEM;
	for (i = 0; i < len; i++) {
		classify_entry(cg_entry(cg, first + i), &k);
		key_of(l, &k, &nodes[i].key);
		nodes[i].value.index = first + i;
		nodes[i].value.accept = k.accept;
		nodes[i].first = nodes[i].value;
	}
	if (sort_nodes(nodes, len)) {
		free(nodes);
		return -ENOMEM;
	}
	/* A duplicate key never matches: its first copy does. */
	for (i = 0; i < len; i++) {
		if (n && !memcmp(&nodes[n - 1].key, &nodes[i].key,
				 sizeof(nodes[i].key)))
			continue;
		nodes[n++] = nodes[i];
	}

	base = 32 * l->words - (l->prefix >= 0 ? 32 : 0);
	for (i = 0; i < n; i++)
		plens[nodes[i].key.plen - base] = true;
	for (i = 0; l->prefix >= 0 && i < n; i++) {
		for (p = base; p < nodes[i].key.plen; p++) {
			if (!plens[p - base])
				continue;
			probe.key = nodes[i].key;
			key_truncate(&probe.key, p);
			hit = bsearch(&probe, nodes, n, sizeof(*nodes), node_cmp);
			if (hit && hit->value.index < nodes[i].first.index)
				nodes[i].first = hit->value;
		}
	}
	*out = nodes;
	return n;
}

/* Return: the map number of the run's map (@ports: with the ports), or -1. */
static int run_map(struct codegen *cg, unsigned int first, unsigned int len,
		   const struct run_shape *s, bool ports)
{
	struct bpfilter_class_map m = { 0 };
	struct key_layout l;
	struct node *nodes;
	long n, i;
	int nr;

	nr = cg_class_map_find(cg, first, len, ports);
	if (nr >= 0)
		return nr;
	layout_init(&l, s, ports);
	n = build_nodes(cg, first, len, &l, &nodes);
	if (n < 0)
		return -1;
	m.type = l.prefix >= 0 ? BPF_MAP_TYPE_LPM_TRIE : BPF_MAP_TYPE_HASH;
	m.key_size = 4 + 4 * l.words;
	m.nr_elems = n;
	m.keys = malloc((size_t)n * m.key_size);
	m.values = malloc((size_t)n * sizeof(*m.values));
	if (m.keys && m.values)
		for (i = 0; i < n; i++) {
			memcpy(m.keys + i * m.key_size, &nodes[i].key,
			       m.key_size);
			m.values[i] = nodes[i].first;
		}
	free(nodes);
	return cg_class_map_add(cg, first, len, ports, &m);
}

/* @reg = word @w of the packet's key (0: the prefix length), as key_of(). */
static void emit_key_word(struct bpf_prog_buf *p, const struct key_layout *l,
			  unsigned int w, __u8 reg)
{
	static const __u8 addr_reg[2] = { CG_REG_SADDR, CG_REG_DADDR };
	int a;

	if (w == 0) {
		bpf_prog_emit(p, insn_mov32_imm(reg, 32 * l->words));
		return;
	}
	w--;
	if ((int)w == l->proto) {
		bpf_prog_emit(p, insn_ldx(BPF_DW, reg, BPF_REG_10, CG_S_PROTO));
		return;
	}
	if ((int)w == l->ports) {
		bpf_prog_emit(p, insn_ldx(BPF_W, reg, BPF_REG_10, CG_S_L4));
		if (l->port_mask != 0xffffffffU)
			bpf_prog_emit(p, insn_alu32_imm(BPF_AND, reg,
							(__s32)l->port_mask));
		return;
	}
	for (a = 0; a < 2; a++)
		if ((int)w == l->addr[a]) {
			bpf_prog_emit(p, insn_alu32_reg(BPF_MOV, reg,
							addr_reg[a]));
			return;
		}
	bpf_prog_emit(p, insn_mov64_imm(reg, 0));
}

/*
 * The packet's key at CG_S_OPT (scratch), 8 bytes at a time: 6.1's
 * verifier takes a 4-byte immediate store as a spilled register and
 * then refuses, without CAP_PERFMON, any partial write next to it.
 */
static void emit_key(struct bpf_prog_buf *p, const struct key_layout *l)
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

/* r0 = lookup of the key at CG_S_OPT in map @nr; NULL jumps to @miss. */
static void emit_lookup(struct bpf_prog_buf *p, int nr, unsigned int miss)
{
	bpf_prog_emit_reloc(p, insn_ld_imm64_lo(BPF_REG_1, BPF_PSEUDO_MAP_FD, 0),
			    BPFILTER_RELOC_MAP_FD, nr);
	bpf_prog_emit(p, insn_ld_imm64_hi(0));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_2, BPF_REG_10));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_2, CG_S_OPT));
	bpf_prog_emit(p, insn_call_helper(BPF_FUNC_map_lookup_elem));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_0, 0, 0), miss);
}

/*
 * Before a run with ports: which packets the lookup may decide.  Other
 * protocols match no entry (each tests tcp or udp); a non-first
 * fragment matches none, except that TCP at offset 1 is dropped, as a
 * header too short for the match is, when some entry's IP part matches
 * (@short_l4).
 */
static void emit_l4_guard(struct bpf_prog_buf *p, unsigned int skip,
			  unsigned int short_l4)
{
	unsigned int have_need = bpf_prog_label(p);
	unsigned int first_frag = bpf_prog_label(p);

	cg_load_untracked(p, BPF_REG_1, CG_S_PROTO, 0xff);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_3, 20));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_1, IPPROTO_TCP, 0),
		      have_need);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_3, 8));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_1, IPPROTO_UDP, 0), skip);
	bpf_prog_bind(p, have_need);
	cg_load_untracked(p, BPF_REG_2, CG_S_FRAGOFF, CG_FRAGOFF_MASK);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_2, 0, 0), first_frag);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_1, IPPROTO_TCP, 0), skip);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_2, 1, 0), skip);
	bpf_prog_jump(p, insn_ja(0), short_l4);
	bpf_prog_bind(p, first_frag);
	cg_load_untracked(p, BPF_REG_2, CG_S_L4LEN, CG_L4LEN_MASK);
	bpf_prog_jump(p, insn_jmp_reg(BPF_JLT, BPF_REG_2, BPF_REG_3, 0),
		      short_l4);
}

unsigned int cg_classify(struct codegen *cg, unsigned int first)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int len, skip, short_l4;
	struct key_layout l;
	struct run_shape s;
	int map, ip_map = -1;

	len = run_length(cg, first, &s);
	if (len < 2 || len < bpfilter_classify_min_run ||
	    !cg_class_budget(cg, s.l4 ? 2 : 1, s.l4 ? 2 * len : len))
		return 0;
	layout_init(&l, &s, true);
	if (!l.words)
		return 0;
	map = run_map(cg, first, len, &s, true);
	if (map >= 0 && s.l4)
		ip_map = run_map(cg, first, len, &s, false);
	if (map < 0 || (s.l4 && ip_map < 0))
		return len;	/* the error is set: nothing will be loaded */

	skip = bpf_prog_label(p);
	short_l4 = bpf_prog_label(p);
	if (s.l4)
		emit_l4_guard(p, skip, short_l4);
	emit_key(p, &l);
	emit_lookup(p, map, skip);
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, BPF_REG_0, 0));
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_2, BPF_REG_0, 4));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_2, 0, 0),
		      cg_count_verdict_label(cg, false));
	bpf_prog_jump(p, insn_ja(0), cg_count_verdict_label(cg, true));
	if (s.l4) {
		/* The hotdrop of the first entry whose IP part matches. */
		bpf_prog_bind(p, short_l4);
		layout_init(&l, &s, false);
		if (l.words) {
			emit_key(p, &l);
			emit_lookup(p, ip_map, skip);
		}
		cg_emit_verdict(cg, false);
	}
	bpf_prog_bind(p, skip);
	return len;
}
