// SPDX-License-Identifier: GPL-2.0
/*
 * The LOG target (xt_LOG, revision 0) and the NFLOG target (xt_NFLOG,
 * revision 0).  The kernel's own loggers write the line or send the
 * netlink message (nf_log_syslog, nfnetlink_log), so they are what
 * xt_LOG and xt_NFLOG produce: the program only records, in this CPU's
 * struct bpfilter_meta, which target was reached and the packet's mark
 * at that point, and bpfilter.ko's hook calls nf_log_packet() for each
 * record, in order, once the program has returned.  The verdict does not
 * depend on logging (both continue), so logging after the run changes
 * nothing but when the line is written.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <linux/bpf.h>
#include <linux/netfilter/xt_LOG.h>
#include <linux/netfilter/xt_NFLOG.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"
#include "msgfmt.h"

#define R_META	BPF_REG_5

_Static_assert(sizeof(struct bpfilter_log_desc) ==
	       sizeof(struct bpfilter_image_log) &&
	       sizeof(((struct bpfilter_log_desc *)0)->prefix) ==
	       sizeof(((struct xt_nflog_info *)0)->prefix),
	       "a log target's data is what the module receives");

/* log_tg_check(): the logger itself is the module's to find. */
static int log_check(const void *data, const struct ipt_entry *e)
{
	const struct xt_log_info *info = data;

	(void)e;
	if (info->level >= 8) {
		bpfilter_log_ratelimited("LOG target: level %u >= 8",
					 info->level);
		return -EINVAL;
	}
	if (info->prefix[sizeof(info->prefix) - 1]) {
		bpfilter_log_ratelimited("LOG target: prefix is not null-terminated");
		return -EINVAL;
	}
	return 0;
}

/* nflog_tg_check(): the logger itself is the module's to find. */
static int nflog_check(const void *data, const struct ipt_entry *e)
{
	const struct xt_nflog_info *info = data;

	(void)e;
	if (info->flags & ~XT_NFLOG_MASK) {
		bpfilter_log_ratelimited("NFLOG target: flags %#x", info->flags);
		return -EINVAL;
	}
	if (info->prefix[sizeof(info->prefix) - 1]) {
		bpfilter_log_ratelimited("NFLOG target: prefix is not null-terminated");
		return -EINVAL;
	}
	return 0;
}

/* Records the log target @desc for the hook to carry out. */
static void emit_record(struct codegen *cg, const struct bpfilter_log_desc *desc,
			const char *what)
{
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int room = bpf_prog_label(p);
	unsigned int done = bpf_prog_label(p);
	int index;

	index = cg_log_index(cg, desc);
	if (index < 0 || !cg_meta_ptr(cg, R_META, 0, what))
		return;

	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, R_META,
				  offsetof(struct bpfilter_meta, nr_logs)));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JLT, BPF_REG_1, BPFILTER_META_LOGS, 0),
		      room);
	/* Full: the hook warns that lines were lost. */
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_2, R_META,
				  offsetof(struct bpfilter_meta, actions)));
	bpf_prog_emit(p, insn_alu32_imm(BPF_OR, BPF_REG_2,
					BPFILTER_ACT_LOGS_LOST));
	bpf_prog_emit(p, insn_stx(BPF_W, R_META, BPF_REG_2,
				  offsetof(struct bpfilter_meta, actions)));
	bpf_prog_jump(p, insn_ja(0), done);

	bpf_prog_bind(p, room);
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_2, BPF_REG_1));
	bpf_prog_emit(p, insn_alu64_imm(BPF_LSH, BPF_REG_2, 3));
	bpf_prog_emit(p, insn_alu64_reg(BPF_ADD, BPF_REG_2, R_META));
	bpf_prog_emit(p, insn_st(BPF_W, BPF_REG_2,
				 offsetof(struct bpfilter_meta, log[0].index),
				 index));
	/* Only the SCHED_CLS flavour has metadata: ctx is a __sk_buff. */
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_3, CG_REG_CTX,
				  offsetof(struct __sk_buff, mark)));
	bpf_prog_emit(p, insn_stx(BPF_W, BPF_REG_2, BPF_REG_3,
				  offsetof(struct bpfilter_meta, log[0].mark)));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_1, 1));
	bpf_prog_emit(p, insn_stx(BPF_W, R_META, BPF_REG_1,
				  offsetof(struct bpfilter_meta, nr_logs)));
	bpf_prog_bind(p, done);
}

/* log_tg()'s struct nf_loginfo */
static void log_emit(struct codegen *cg, const void *data)
{
	const struct xt_log_info *info = data;
	struct bpfilter_log_desc desc = {
		.type = BPFILTER_LOG_TYPE_LOG,
		.level = info->level,
		.logflags = info->logflags,
	};

	memcpy(desc.prefix, info->prefix, sizeof(info->prefix));
	emit_record(cg, &desc, "-j LOG");
}

/* nflog_tg()'s struct nf_loginfo (its flags: the module's to map) */
static void nflog_emit(struct codegen *cg, const void *data)
{
	const struct xt_nflog_info *info = data;
	struct bpfilter_log_desc desc = {
		.type = BPFILTER_LOG_TYPE_ULOG,
		.copy_len = info->len,
		.group = info->group,
		.qthreshold = info->threshold,
		.flags = info->flags,
	};

	memcpy(desc.prefix, info->prefix, sizeof(info->prefix));
	emit_record(cg, &desc, "-j NFLOG");
}

const struct bpfilter_ext bpfilter_target_nflog = {
	.name = "NFLOG",
	.revision = 0,
	.size = sizeof(struct xt_nflog_info),
	.check = nflog_check,
	.emit_target = nflog_emit,
};

const struct bpfilter_ext bpfilter_target_log = {
	.name = "LOG",
	.revision = 0,
	.size = sizeof(struct xt_log_info),
	.check = log_check,
	.emit_target = log_emit,
};
