// SPDX-License-Identifier: GPL-2.0
/*
 * The owner match (xt_owner, revision 1, the only one 6.1 has), in
 * OUTPUT (and POSTROUTING): whether the packet's socket exists, and the
 * fsuid and fsgid of its file, which bpfilter.ko's hook copies into
 * struct bpfilter_meta (BPFILTER_NEED_OWNER) as kernel ids; the module
 * relocates the rule's ids, which are in the namespace's user namespace,
 * to kernel ids as owner_mt() maps them.  What owner_check() checks
 * against that user namespace (the writer's must be it, the ids must
 * map) the module checks at load, from the ids the image carries.
 * --suppl-groups needs the file's whole group list: the hook tests each
 * such rule's gid range against it and sets the rule's bit in
 * owner_groups (BPFILTER_NEED_OWNER_GROUPS), in kernel gids as x_tables.
 */
#include <errno.h>
#include <stddef.h>

#include <linux/netfilter.h>
#include <linux/netfilter/xt_owner.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"
#include "msgfmt.h"

#define R_META	BPF_REG_5
#define META(field)	((__s16)offsetof(struct bpfilter_meta, field))

/* owner_check(), but for what needs the user namespace (the module's). */
static int owner_check(const void *data, const struct ipt_entry *e)
{
	const struct xt_owner_match_info *info = data;

	(void)e;
	if (info->match & ~XT_OWNER_MASK)
		return bpfilter_refuse(-EINVAL, "owner match: flags %#x",
				       info->match);
	if ((info->match & XT_OWNER_UID && (info->uid_max < info->uid_min ||
					     info->uid_max == (__u32)-1)) ||
	    (info->match & XT_OWNER_GID && (info->gid_max < info->gid_min ||
					     info->gid_max == (__u32)-1)))
		return bpfilter_refuse(-EINVAL, "owner match: an id range is reversed or holds -1");
	return 0;
}

/* The fields of an id set a relocation names (BPFILTER_RELOC_OWNER_ID). */
#define OWNER_UID_MIN	0
#define OWNER_GID_MIN	2

/*
 * The kernel id at @off in [lo, hi], where lo and hi are fields @field
 * and @field + 1 of id set @index, which the module relocates to kernel
 * ids (the values here are the namespace's ids, right where it is the
 * initial one); fails when that is @inv.  As owner_mt(): a range of
 * kernel ids, which in a user namespace of several extents may hold ids
 * that the namespace does not map.
 */
static void emit_id(struct bpf_prog_buf *p, __s16 off, int index,
		    unsigned int field, __u32 lo, __u32 hi, bool inv,
		    unsigned int fail)
{
	unsigned int out = bpf_prog_label(p);
	unsigned int in = bpf_prog_label(p);
	unsigned int reloc = (unsigned int)index * 4 + field;

	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, R_META, off));
	bpf_prog_jump_reloc(p, insn_jmp32_imm(BPF_JLT, BPF_REG_1, (__s32)lo, 0),
			    out, BPFILTER_RELOC_OWNER_ID, reloc);
	bpf_prog_jump_reloc(p, insn_jmp32_imm(BPF_JGT, BPF_REG_1, (__s32)hi, 0),
			    out, BPFILTER_RELOC_OWNER_ID, reloc + 1);
	bpf_prog_jump(p, insn_ja(0), in);
	bpf_prog_bind(p, inv ? in : out);
	bpf_prog_jump(p, insn_ja(0), fail);
	bpf_prog_bind(p, inv ? out : in);
}

/* The hook's group test of id set @index; fails when it is @inv. */
static void emit_group_bit(struct bpf_prog_buf *p, int index, bool inv,
			   unsigned int fail)
{
	unsigned int go_on = bpf_prog_label(p);

	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_1, R_META, META(owner_groups)));
	bpf_prog_emit(p, insn_alu64_imm(BPF_RSH, BPF_REG_1, index));
	bpf_prog_emit(p, insn_alu64_imm(BPF_AND, BPF_REG_1, 1));
	if (inv) {
		bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_1, 0, 0), fail);
		return;
	}
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_1, 0, 0), go_on);
	bpf_prog_jump(p, insn_ja(0), fail);
	bpf_prog_bind(p, go_on);
}

/* owner_mt() */
static void owner_emit(struct codegen *cg, const void *data, unsigned int fail)
{
	const struct xt_owner_match_info *info = data;
	const __u8 ids = XT_OWNER_UID | XT_OWNER_GID;
	const bool groups = (info->match & XT_OWNER_GID) &&
			    (info->match & XT_OWNER_SUPPL_GROUPS);
	struct bpf_prog_buf *p = cg_prog(cg);
	int index = -1;
	unsigned int socket = bpf_prog_label(p);
	unsigned int file = bpf_prog_label(p);
	unsigned int done = bpf_prog_label(p);
	const struct bpfilter_owner_desc desc = {
		.uid_min = info->uid_min, .uid_max = info->uid_max,
		.gid_min = info->gid_min, .gid_max = info->gid_max,
		.match = info->match,
	};

	if (info->match & ids) {
		index = cg_owner_ids(cg, &desc);
		if (index < 0)
			return;
	}
	if (groups && index >= BPFILTER_OWNER_GROUPS_MAX) {
		bpfilter_log_ratelimited("codegen: more than %d -m owner id sets before a --suppl-groups one",
					 BPFILTER_OWNER_GROUPS_MAX);
		cg_refuse(cg, -E2BIG);
		return;
	}
	if (!cg_meta_ptr(cg, R_META, BPFILTER_NEED_OWNER |
			 (info->match & ids ? BPFILTER_NEED_OWNER_IDS : 0) |
			 (groups ? BPFILTER_NEED_OWNER_GROUPS : 0),
			 "-m owner"))
		return;

	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, R_META, META(owner_flags)));
	bpf_prog_jump(p, insn_jmp32_imm(BPF_JSET, BPF_REG_1,
					BPFILTER_OWNER_SOCKET, 0), socket);
	/* No socket: (match ^ invert) == 0. */
	bpf_prog_jump(p, insn_ja(0), (info->match ^ info->invert) ? fail : done);
	bpf_prog_bind(p, socket);
	if (info->match & info->invert & XT_OWNER_SOCKET) {
		bpf_prog_jump(p, insn_ja(0), fail);
		bpf_prog_bind(p, done);
		return;
	}
	bpf_prog_jump(p, insn_jmp32_imm(BPF_JSET, BPF_REG_1,
					BPFILTER_OWNER_FILE, 0), file);
	/* A socket without a file: ((match ^ invert) & (UID | GID)) == 0. */
	bpf_prog_jump(p, insn_ja(0),
		      ((info->match ^ info->invert) & ids) ? fail : done);
	bpf_prog_bind(p, file);
	if (info->match & XT_OWNER_UID)
		emit_id(p, META(owner_uid), index, OWNER_UID_MIN, info->uid_min,
			info->uid_max, info->invert & XT_OWNER_UID, fail);
	if (groups)
		emit_group_bit(p, index, info->invert & XT_OWNER_GID, fail);
	else if (info->match & XT_OWNER_GID)
		emit_id(p, META(owner_gid), index, OWNER_GID_MIN, info->gid_min,
			info->gid_max, info->invert & XT_OWNER_GID, fail);
	bpf_prog_bind(p, done);
}

const struct bpfilter_ext bpfilter_match_owner = {
	.name = "owner",
	.revision = 1,
	.size = sizeof(struct xt_owner_match_info),
	.hooks = (1U << NF_INET_LOCAL_OUT) | (1U << NF_INET_POST_ROUTING),
	.check = owner_check,
	.emit = owner_emit,
};
