// SPDX-License-Identifier: GPL-2.0
/*
 * The addrtype match (xt_addrtype, revisions 0 and 1): the route type
 * (RTN_LOCAL, RTN_BROADCAST, ...) of the source and destination
 * addresses, which bpfilter.ko's hook looks up with inet_dev_addr_type()
 * as xt_addrtype does, into struct bpfilter_meta's addrtype[], with no
 * device and, for --limit-iface-in/out, with the hook's input and
 * output devices (BPFILTER_NEED_ADDRTYPE_*).
 */
#include <errno.h>
#include <stddef.h>

#include <linux/netfilter.h>
#include <linux/netfilter/xt_addrtype.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"
#include "msgfmt.h"

#define R_META	BPF_REG_5

/* addrtype_mt_checkentry_v1(), by the hooks that reach the rule */
static int addrtype_check_v1(const void *data, const struct ipt_entry *e)
{
	const struct xt_addrtype_info_v1 *info = data;
	const unsigned int in = (1U << NF_INET_PRE_ROUTING) |
				(1U << NF_INET_LOCAL_IN);
	const unsigned int out = (1U << NF_INET_POST_ROUTING) |
				 (1U << NF_INET_LOCAL_OUT);

	if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN &&
	    info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)
		return bpfilter_refuse(-EINVAL, "addrtype match: both incoming and outgoing interface limitation cannot be selected");
	if (e->comefrom & in && info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)
		return bpfilter_refuse(-EINVAL, "addrtype match: output interface limitation not valid in PREROUTING and INPUT");
	if (e->comefrom & out && info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN)
		return bpfilter_refuse(-EINVAL, "addrtype match: input interface limitation not valid in POSTROUTING and OUTPUT");
	return 0;
}

/*
 * match_type() ^ invert: !!(mask & (1 << type)) for the type at
 * addrtype[@index]; "ret &= bool ^ invert" keeps only the invert's low
 * bit.  Fails when the result is false.
 */
static void emit_type(struct bpf_prog_buf *p, unsigned int index, __u16 mask,
		      bool invert, unsigned int fail)
{
	unsigned int go_on = bpf_prog_label(p);

	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_1, R_META,
				  offsetof(struct bpfilter_meta, addrtype) +
				  index));
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_2, 1));
	bpf_prog_emit(p, insn_alu64_reg(BPF_LSH, BPF_REG_2, BPF_REG_1));
	bpf_prog_emit(p, insn_alu64_imm(BPF_AND, BPF_REG_2, mask));
	if (invert) {
		bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_2, 0, 0), fail);
		return;
	}
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_2, 0, 0), go_on);
	bpf_prog_jump(p, insn_ja(0), fail);
	bpf_prog_bind(p, go_on);
}

static void emit_addrtype(struct codegen *cg, __u16 source, __u16 dest,
			  bool inv_source, bool inv_dest, unsigned int dev,
			  unsigned int fail)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	__u32 need = 0;

	if (source)
		need |= BPFILTER_NEED_ADDRTYPE_SRC;
	if (dest)
		need |= BPFILTER_NEED_ADDRTYPE_DST;
	if (dev != BPFILTER_ADDRTYPE_ANY)
		need |= BPFILTER_NEED_ADDRTYPE_IFACE;
	if (!need)
		return;
	if (!cg_meta_ptr(cg, R_META, need, "-m addrtype"))
		return;
	if (source)
		emit_type(p, dev, source, inv_source, fail);
	if (dest)
		emit_type(p, dev + 1, dest, inv_dest, fail);
}

/* addrtype_mt_v0() */
static void addrtype_emit_v0(struct codegen *cg, const void *data,
			     unsigned int fail)
{
	const struct xt_addrtype_info *info = data;

	emit_addrtype(cg, info->source, info->dest, info->invert_source & 1,
		      info->invert_dest & 1, BPFILTER_ADDRTYPE_ANY, fail);
}

/* addrtype_mt_v1() */
static void addrtype_emit_v1(struct codegen *cg, const void *data,
			     unsigned int fail)
{
	const struct xt_addrtype_info_v1 *info = data;
	unsigned int dev = BPFILTER_ADDRTYPE_ANY;

	if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_IN)
		dev = BPFILTER_ADDRTYPE_IN;
	else if (info->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)
		dev = BPFILTER_ADDRTYPE_OUT;
	emit_addrtype(cg, info->source, info->dest,
		      info->flags & XT_ADDRTYPE_INVERT_SOURCE,
		      info->flags & XT_ADDRTYPE_INVERT_DEST, dev, fail);
}

const struct bpfilter_ext bpfilter_match_addrtype_v0 = {
	.name = "addrtype",
	.revision = 0,
	.size = sizeof(struct xt_addrtype_info),
	.emit = addrtype_emit_v0,
};

const struct bpfilter_ext bpfilter_match_addrtype_v1 = {
	.name = "addrtype",
	.revision = 1,
	.size = sizeof(struct xt_addrtype_info_v1),
	.check = addrtype_check_v1,
	.emit = addrtype_emit_v1,
};
