// SPDX-License-Identifier: GPL-2.0
/*
 * The multiport match, revision 1 (xt_multiport; 6.1 registers no other):
 * up to 15 ports or port ranges, compared with the source port, the
 * destination port or either, for the protocols whose first four header
 * bytes are the two ports.
 */
#include <errno.h>
#include <netinet/in.h>

#include <linux/netfilter/xt_multiport.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"

#ifndef IPPROTO_DCCP
#define IPPROTO_DCCP	33
#endif
#ifndef IPPROTO_SCTP
#define IPPROTO_SCTP	132
#endif
#ifndef IPPROTO_UDPLITE
#define IPPROTO_UDPLITE	136
#endif

/* The source and destination ports: what skb_header_pointer() reads. */
#define MULTIPORT_HDR_LEN	4

static bool proto_has_ports(__u16 proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP ||
	       proto == IPPROTO_UDPLITE || proto == IPPROTO_SCTP ||
	       proto == IPPROTO_DCCP;
}

/* multiport_valid_ranges(): a range is a flagged port, then its end. */
static bool valid_ranges(const struct xt_multiport_v1 *mp)
{
	unsigned int i;

	for (i = 0; i < mp->count; i++) {
		if (!mp->pflags[i])
			continue;
		if (++i >= mp->count || mp->pflags[i] ||
		    mp->ports[i - 1] > mp->ports[i])
			return false;
	}
	return true;
}

/* multiport_mt_check(): one -EINVAL for every reason, as there. */
static int multiport_check(const void *data, const struct ipt_entry *e)
{
	const struct xt_multiport_v1 *mp = data;

	if (!proto_has_ports(e->ip.proto) || e->ip.invflags & IPT_INV_PROTO) {
		bpfilter_log_ratelimited("multiport match: protocol %u%s has no ports",
					 e->ip.proto,
					 e->ip.invflags & IPT_INV_PROTO ?
					 " with '!'" : "");
		return -EINVAL;
	}
	if (mp->flags > XT_MULTIPORT_EITHER || mp->count > XT_MULTI_PORTS) {
		bpfilter_log_ratelimited("multiport match: flags %u, count %u",
					 mp->flags, mp->count);
		return -EINVAL;
	}
	if (!valid_ranges(mp)) {
		bpfilter_log_ratelimited("multiport match: a port range without its end or reversed");
		return -EINVAL;
	}
	return 0;
}

/* The port at @slot (CG_S_L4: source, + 2: destination) in [lo, hi]. */
static void emit_in_range(struct bpf_prog_buf *p, __s16 slot, __u16 lo,
			  __u16 hi, unsigned int hit)
{
	unsigned int outside = bpf_prog_label(p);

	bpf_prog_emit(p, insn_ldx(BPF_H, BPF_REG_1, BPF_REG_10, slot));
	bpf_prog_emit(p, insn_be(BPF_REG_1, 16));
	if (lo == hi) {
		bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_1, lo, 0), hit);
		return;
	}
	if (lo)
		bpf_prog_jump(p, insn_jmp_imm(BPF_JLT, BPF_REG_1, lo, 0),
			      outside);
	bpf_prog_jump(p, insn_jmp_imm(BPF_JLE, BPF_REG_1, hi, 0), hit);
	bpf_prog_bind(p, outside);
}

/* multiport_mt() and ports_match_v1() */
static void multiport_emit(struct codegen *cg, const void *data,
			   unsigned int fail)
{
	const struct xt_multiport_v1 *mp = data;
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int hit = bpf_prog_label(p);
	unsigned int cont = bpf_prog_label(p);
	unsigned int i;
	__u16 lo, hi;

	/* A non-first fragment: false; fewer than 4 bytes: hotdrop. */
	cg_l4_require_header(cg, MULTIPORT_HDR_LEN, false, fail);

	for (i = 0; i < mp->count; i++) {
		lo = mp->ports[i];
		/* multiport_check() made sure the range's end is there. */
		hi = mp->pflags[i] ? mp->ports[++i] : lo;
		if (mp->flags != XT_MULTIPORT_SOURCE)
			emit_in_range(p, CG_S_L4 + 2, lo, hi, hit);
		if (mp->flags != XT_MULTIPORT_DESTINATION)
			emit_in_range(p, CG_S_L4, lo, hi, hit);
	}
	/*
	 * The kernel returns the bool "true ^ invert" for a port found and
	 * "invert" for none: with invert 1 that inverts, with any value
	 * above 1 (iptables never sends one) both are true.
	 */
	bpf_prog_jump(p, insn_ja(0), mp->invert ? cont : fail);
	bpf_prog_bind(p, hit);
	if ((1 ^ mp->invert) == 0)
		bpf_prog_jump(p, insn_ja(0), fail);
	bpf_prog_bind(p, cont);
}

const struct bpfilter_ext bpfilter_match_multiport = {
	.name = "multiport",
	.revision = 1,
	.size = sizeof(struct xt_multiport_v1),
	.check = multiport_check,
	.emit = multiport_emit,
};
