// SPDX-License-Identifier: GPL-2.0
/*
 * The SCHED_CLS flavour, for 6.1, which has no BPF netfilter link:
 * bpfilter.ko's own netfilter hooks run the program with bpf_prog_run()
 * on the hook's skb.  ctx is struct __sk_buff; at the IPv4 hooks the
 * skb's data starts at the IP header and __sk_buff.len is skb->len.
 *
 * Packet bytes are read with bpf_skb_load_bytes() only, never by direct
 * packet access (the module computes the data pointers as tc does, as
 * defence in depth, and its instruction scan refuses data/data_end);
 * __sk_buff.cb is never touched either, as at a netfilter hook skb->cb
 * holds the IP layer's control block.
 * The device names, which a SCHED_CLS program cannot read, come from
 * map BPFILTER_MAP_META: one struct bpfilter_meta (msgfmt.h) per CPU,
 * written by the module before each run.  The only relocations are map
 * fds, which the module fills in without BTF.  Matches read the mark,
 * pkt_type and ifindex of __sk_buff, and -m mac the MAC header with
 * bpf_skb_load_bytes_relative().
 */
#include <errno.h>
#include <stddef.h>

#include <linux/netfilter.h>

#include "codegen_emit.h"
#include "msgfmt.h"

#define CG_S_META_KEY	CG_S_FLAVOUR	/* u32 0, the meta map's key */
#define CG_S_META_PTR	(CG_S_FLAVOUR + 8)	/* this CPU's bpfilter_meta */

_Static_assert(offsetof(struct bpfilter_meta, in) == 0 &&
	       offsetof(struct bpfilter_meta, out) == 16,
	       "the prologue copies in[16] then out[16] as four u64");
_Static_assert(sizeof(struct bpfilter_meta) % 8 == 0,
	       "a per-CPU value's size is its stride in user space");

static const struct bpfilter_map_desc meta_map = {
	.type = BPF_MAP_TYPE_PERCPU_ARRAY,
	.key_size = sizeof(__u32),
	.value_size = sizeof(struct bpfilter_meta),
	.max_entries = 1,
};

/*
 * CG_S_IN and CG_S_OUT from this CPU's struct bpfilter_meta, and the
 * pointer to it kept at CG_S_META_PTR for the rules that read or write
 * more of it.  The lookup of key 0 in a one-entry array cannot fail, but
 * the verifier wants the NULL case handled: it drops the packet, so that
 * the rest of the program knows the pointer valid.
 */
static void load_meta(struct bpf_prog_buf *p)
{
	unsigned int found = bpf_prog_label(p);
	int i;

	bpf_prog_emit(p, insn_st(BPF_W, BPF_REG_10, CG_S_META_KEY, 0));
	bpf_prog_emit_reloc(p, insn_ld_imm64_lo(BPF_REG_1, BPF_PSEUDO_MAP_FD, 0),
			    BPFILTER_RELOC_MAP_FD, BPFILTER_MAP_META);
	bpf_prog_emit(p, insn_ld_imm64_hi(0));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_2, BPF_REG_10));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_2, CG_S_META_KEY));
	bpf_prog_emit(p, insn_call_helper(BPF_FUNC_map_lookup_elem));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_0, 0, 0), found);
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_0, NF_DROP));
	bpf_prog_emit(p, insn_exit());
	bpf_prog_bind(p, found);
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_0, CG_S_META_PTR));
	/* in[16] to CG_S_IN, out[16] to CG_S_OUT, 8 bytes at a time. */
	for (i = 0; i < 4; i++)
		bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_1 + i, BPF_REG_0, 8 * i));
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_1, CG_S_IN));
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_2, CG_S_IN + 8));
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_3, CG_S_OUT));
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_4, CG_S_OUT + 8));
}

static void sc_load_meta_ptr(struct bpf_prog_buf *p, __u8 reg)
{
	bpf_prog_emit(p, insn_ldx(BPF_DW, reg, BPF_REG_10, CG_S_META_PTR));
}

/*
 * The frame's first writes, all at once and without a barrier each.
 * bpfilter.ko loads without CAP_PERFMON, so the verifier keeps its
 * Spectre v4 hardening: a store to a stack slot that no earlier
 * instruction wrote gets a speculation barrier after it (lfence on
 * x86), and the prologue alone wrote seven such slots on every packet,
 * most of the SCHED_CLS code's cost over the netfilter-link flavour's
 * (make bench: "SCHED_CLS as root").  Bytes a helper writes count as
 * written with no barrier, and bpf_skb_load_bytes() zeroes its buffer
 * when it refuses an offset beyond INT_MAX: one call for the frame.
 */
#define SC_FRAME_SIZE	(-CG_S_FLAVOUR)
#define SC_BAD_OFFSET	0x80000000U	/* > INT_MAX: refused, zeroed */

static void sc_unspill_stack(struct bpf_prog_buf *p, __s16 off, __u32 len)
{
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_1, CG_REG_CTX));
	bpf_prog_emit(p, insn_mov32_imm(BPF_REG_2, (__s32)SC_BAD_OFFSET));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_3, BPF_REG_10));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_3, off));
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_4, len));
	bpf_prog_emit(p, insn_call_helper(BPF_FUNC_skb_load_bytes));
}

static void zero_frame(struct bpf_prog_buf *p)
{
	sc_unspill_stack(p, -SC_FRAME_SIZE, SC_FRAME_SIZE);
}

static void sc_prologue(struct bpf_prog_buf *p, unsigned int hook)
{
	(void)hook;	/* x_tables reads in and out whatever the hook */

	bpf_prog_emit(p, insn_mov64_reg(CG_REG_CTX, BPF_REG_1));
	zero_frame(p);
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_2, CG_REG_CTX,
				  offsetof(struct __sk_buff, len)));
	bpf_prog_emit(p, insn_stx(BPF_DW, BPF_REG_10, BPF_REG_2, CG_S_LEN));
	load_meta(p);
}

/*
 * bpf_skb_load_bytes(ctx, offset r4, dst, len r2).  Its size argument
 * must be provably nonzero (ARG_CONST_SIZE), and 6.1's verifier learns
 * nothing from a "!= 0" test (later ones do), so a variable length the
 * caller already tested that way is tested again with "<", which it
 * does learn from.  Never taken: callers pass no zero length.
 */
static void sc_load_bytes(struct bpf_prog_buf *p, __s16 dst, unsigned int fail)
{
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_5, BPF_REG_2));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_2, BPF_REG_4));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_4, BPF_REG_5));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JLT, BPF_REG_4, 1, 0), fail);
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_1, CG_REG_CTX));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_3, BPF_REG_10));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_3, dst));
	bpf_prog_emit(p, insn_call_helper(BPF_FUNC_skb_load_bytes));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_0, 0, 0), fail);
}

static int sc_load_skb_field(struct bpf_prog_buf *p, enum cg_skb_field field,
			     __u8 dst)
{
	switch (field) {
	case CG_SKB_MARK:
		bpf_prog_emit(p, insn_ldx(BPF_W, dst, CG_REG_CTX,
					  offsetof(struct __sk_buff, mark)));
		return 0;
	case CG_SKB_PKT_TYPE:
		bpf_prog_emit(p, insn_ldx(BPF_W, dst, CG_REG_CTX,
					  offsetof(struct __sk_buff, pkt_type)));
		return 0;
	}
	return -EOPNOTSUPP;
}

#define LOOPBACK_IFINDEX	1	/* lo's, in every namespace */
#define MAC_READ_LEN		20	/* as much as CG_S_IPH holds */

/*
 * xt_mac looks only at an ARPHRD_ETHER device's packets whose MAC
 * header is set and at least ETH_HLEN long.  A SCHED_CLS program sees
 * neither the device type nor the header's length; match_mac.c tests
 * the hook's dev_ether first, which settles both.  This read refuses
 * on its own, for the input device (skb->dev at PREROUTING, INPUT and
 * FORWARD):
 * - lo (ARPHRD_LOOPBACK, ifindex 1 in every namespace) has an Ethernet
 *   header of zeroes that xt_mac never reads: none;
 * - bpf_skb_load_bytes_relative() from BPF_HDR_START_MAC fails when the
 *   MAC header is not set: none;
 * - a device without a link-layer header (tun, wireguard, IP tunnels:
 *   not ARPHRD_ETHER) leaves the MAC header at the IP header, so the
 *   bytes read equal the IP header's: none.
 * Other non-Ethernet devices with a header of 14 bytes or more before
 * the IP header would be read as Ethernet, were it not for dev_ether.
 */
static void sc_load_mac_header(struct bpf_prog_buf *p, unsigned int none)
{
	unsigned int ethernet = bpf_prog_label(p);

	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, CG_REG_CTX,
				  offsetof(struct __sk_buff, ifindex)));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_1, LOOPBACK_IFINDEX, 0),
		      none);
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_1, CG_REG_CTX));
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_2, 0));
	bpf_prog_emit(p, insn_mov64_reg(BPF_REG_3, BPF_REG_10));
	bpf_prog_emit(p, insn_alu64_imm(BPF_ADD, BPF_REG_3, CG_S_MAC));
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_4, MAC_READ_LEN));
	bpf_prog_emit(p, insn_mov64_imm(BPF_REG_5, BPF_HDR_START_MAC));
	bpf_prog_emit(p, insn_call_helper(BPF_FUNC_skb_load_bytes_relative));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_0, 0, 0), none);

	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_1, BPF_REG_10, CG_S_MAC));
	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_2, BPF_REG_10, CG_S_IPH));
	bpf_prog_jump(p, insn_jmp_reg(BPF_JNE, BPF_REG_1, BPF_REG_2, 0), ethernet);
	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_1, BPF_REG_10, CG_S_MAC + 8));
	bpf_prog_emit(p, insn_ldx(BPF_DW, BPF_REG_2, BPF_REG_10, CG_S_IPH + 8));
	bpf_prog_jump(p, insn_jmp_reg(BPF_JNE, BPF_REG_1, BPF_REG_2, 0), ethernet);
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, BPF_REG_10, CG_S_MAC + 16));
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_2, BPF_REG_10, CG_S_IPH + 16));
	bpf_prog_jump(p, insn_jmp_reg(BPF_JEQ, BPF_REG_1, BPF_REG_2, 0), none);
	bpf_prog_bind(p, ethernet);
}

const struct codegen_flavour codegen_flavour_sched_cls = {
	.id = BPFILTER_FLAVOUR_SCHED_CLS,
	.prologue = sc_prologue,
	.load_bytes = sc_load_bytes,
	.load_skb_field = sc_load_skb_field,
	.load_mac_header = sc_load_mac_header,
	.verdict_accept = NF_ACCEPT,
	.verdict_drop = NF_DROP,
	.load_meta_ptr = sc_load_meta_ptr,
	.meta_map = &meta_map,
	.unspill_stack = sc_unspill_stack,
};
