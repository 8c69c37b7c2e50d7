// SPDX-License-Identifier: GPL-2.0
/*
 * The mac match, revision 0 (xt_mac, NFPROTO_IPV4): the Ethernet source
 * address of a packet received on an Ethernet device, or not; only at
 * PREROUTING, INPUT and FORWARD (a locally generated packet has none),
 * which xt_check_match() enforces from the registered hooks.  No check.
 */
#include <errno.h>
#include <stddef.h>

#include <linux/netfilter.h>
#include <linux/netfilter/xt_mac.h>

#include "codegen_emit.h"
#include "ext.h"
#include "log.h"
#include "msgfmt.h"

#define ETH_SOURCE	6	/* h_source's offset in struct ethhdr */

/*
 * mac_mt(): no Ethernet header, no match whatever the invert; else
 * ether_addr_equal() ^ invert, stored in a bool (so any nonzero invert
 * but 1 makes it true).  The source lies at CG_S_MAC + 6: compared as
 * a u16 and a u32, the stack's alignment.
 */
static void mac_emit(struct codegen *cg, const void *data, unsigned int fail)
{
	const struct xt_mac_info *info = data;
	const unsigned char *a = info->srcaddr;
	struct bpf_prog_buf *p = cg_prog(cg);
	unsigned int hit = bpf_prog_label(p);
	unsigned int differ = bpf_prog_label(p);
	__u16 lo;
	__u32 hi;

	if (!cg_flavour(cg)->load_mac_header) {
		bpfilter_log_ratelimited("codegen: this flavour cannot read the MAC header (-m mac)");
		cg_refuse(cg, -EOPNOTSUPP);
		return;
	}
	/* The device type, which the program cannot see, from the hook. */
	if (!cg_meta_ptr(cg, BPF_REG_5, BPFILTER_NEED_ETHER, "-m mac"))
		return;
	bpf_prog_emit(p, insn_ldx(BPF_B, BPF_REG_1, BPF_REG_5,
				  offsetof(struct bpfilter_meta, dev_ether)));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JEQ, BPF_REG_1, 0, 0), fail);
	cg_flavour(cg)->load_mac_header(p, fail);
	/* The bytes as a little-endian load of the stack gives them. */
	_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
		       "the address is assembled for little-endian loads");
	lo = a[0] | a[1] << 8;
	hi = a[2] | a[3] << 8 | a[4] << 16 | (__u32)a[5] << 24;
	bpf_prog_emit(p, insn_ldx(BPF_H, BPF_REG_1, BPF_REG_10,
				  CG_S_MAC + ETH_SOURCE));
	bpf_prog_jump(p, insn_jmp_imm(BPF_JNE, BPF_REG_1, lo, 0), differ);
	bpf_prog_emit(p, insn_ldx(BPF_W, BPF_REG_1, BPF_REG_10,
				  CG_S_MAC + ETH_SOURCE + 2));
	bpf_prog_jump(p, insn_jmp32_imm(BPF_JEQ, BPF_REG_1, hi, 0), hit);
	bpf_prog_bind(p, differ);
	cg_xor_invert(p, hit, info->invert, fail);
}

const struct bpfilter_ext bpfilter_match_mac = {
	.name = "mac",
	.revision = 0,
	.size = sizeof(struct xt_mac_info),
	.hooks = 1 << NF_INET_PRE_ROUTING | 1 << NF_INET_LOCAL_IN |
		 1 << NF_INET_FORWARD,
	.emit = mac_emit,
};
