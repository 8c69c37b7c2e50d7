/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building single BPF instructions.  Each helper returns one struct
 * bpf_insn (a 64-bit immediate load is two, see insn_ld_imm64()); the
 * code generator appends them to a struct bpf_prog_buf.
 */
#ifndef BPFILTER_BPF_INSN_H
#define BPFILTER_BPF_INSN_H

#include <linux/bpf.h>

static inline struct bpf_insn insn_make(__u8 code, __u8 dst, __u8 src,
					__s16 off, __s32 imm)
{
	return (struct bpf_insn) {
		.code = code, .dst_reg = dst, .src_reg = src,
		.off = off, .imm = imm,
	};
}

/* dst = src, 64 bits */
static inline struct bpf_insn insn_mov64_reg(__u8 dst, __u8 src)
{
	return insn_make(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0);
}

/* dst = imm, sign-extended to 64 bits */
static inline struct bpf_insn insn_mov64_imm(__u8 dst, __s32 imm)
{
	return insn_make(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm);
}

/* dst = (u32)imm, upper half cleared */
static inline struct bpf_insn insn_mov32_imm(__u8 dst, __s32 imm)
{
	return insn_make(BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, imm);
}

/* dst op= imm, 64 bits (op: BPF_ADD, BPF_AND, BPF_RSH, ...) */
static inline struct bpf_insn insn_alu64_imm(__u8 op, __u8 dst, __s32 imm)
{
	return insn_make(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
}

/* dst op= src, 64 bits */
static inline struct bpf_insn insn_alu64_reg(__u8 op, __u8 dst, __u8 src)
{
	return insn_make(BPF_ALU64 | op | BPF_X, dst, src, 0, 0);
}

/* dst op= imm, 32 bits, upper half cleared */
static inline struct bpf_insn insn_alu32_imm(__u8 op, __u8 dst, __s32 imm)
{
	return insn_make(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
}

/* dst = bswap16/32 (to big endian: a byte swap on little-endian hosts) */
static inline struct bpf_insn insn_be(__u8 dst, __s32 bits)
{
	return insn_make(BPF_ALU | BPF_END | BPF_TO_BE, dst, 0, 0, bits);
}

/* dst = *(size *)(src + off); size: BPF_B, BPF_H, BPF_W, BPF_DW */
static inline struct bpf_insn insn_ldx(__u8 size, __u8 dst, __u8 src,
				       __s16 off)
{
	return insn_make(BPF_LDX | BPF_MEM | size, dst, src, off, 0);
}

/* *(size *)(dst + off) = src */
static inline struct bpf_insn insn_stx(__u8 size, __u8 dst, __u8 src,
				       __s16 off)
{
	return insn_make(BPF_STX | BPF_MEM | size, dst, src, off, 0);
}

/* *(size *)(dst + off) = imm */
static inline struct bpf_insn insn_st(__u8 size, __u8 dst, __s16 off,
				      __s32 imm)
{
	return insn_make(BPF_ST | BPF_MEM | size, dst, 0, off, imm);
}

/* (u32)dst op= (u32)src; the upper half of dst becomes zero */
static inline struct bpf_insn insn_alu32_reg(__u8 op, __u8 dst, __u8 src)
{
	return insn_make(BPF_ALU | op | BPF_X, dst, src, 0, 0);
}

/*
 * An atomic operation on *(size *)(dst + off) with src: @op BPF_XCHG
 * (src = old value), BPF_CMPXCHG (if it equals r0, store src; r0 = old
 * value), BPF_ADD, ...
 */
static inline struct bpf_insn insn_atomic(__u8 size, __u8 dst, __u8 src,
					  __s16 off, __s32 op)
{
	return insn_make(BPF_STX | BPF_ATOMIC | size, dst, src, off, op);
}

/* lock *(u64 *)(dst + off) += src: counters other CPUs' code never races */
static inline struct bpf_insn insn_atomic_add64(__u8 dst, __u8 src, __s16 off)
{
	return insn_make(BPF_STX | BPF_ATOMIC | BPF_DW, dst, src, off, BPF_ADD);
}

/* if (dst op imm) goto pc + 1 + off; op: BPF_JEQ, BPF_JGT, ... */
static inline struct bpf_insn insn_jmp_imm(__u8 op, __u8 dst, __s32 imm,
					   __s16 off)
{
	return insn_make(BPF_JMP | op | BPF_K, dst, 0, off, imm);
}

/* if (dst op src) goto pc + 1 + off */
static inline struct bpf_insn insn_jmp_reg(__u8 op, __u8 dst, __u8 src,
					   __s16 off)
{
	return insn_make(BPF_JMP | op | BPF_X, dst, src, off, 0);
}

/* if ((u32)dst op imm) goto pc + 1 + off */
static inline struct bpf_insn insn_jmp32_imm(__u8 op, __u8 dst, __s32 imm,
					     __s16 off)
{
	return insn_make(BPF_JMP32 | op | BPF_K, dst, 0, off, imm);
}

static inline struct bpf_insn insn_ja(__s16 off)
{
	return insn_make(BPF_JMP | BPF_JA, 0, 0, off, 0);
}

/* A helper call by its number (enum bpf_func_id). */
static inline struct bpf_insn insn_call_helper(__s32 func)
{
	return insn_make(BPF_JMP | BPF_CALL, 0, 0, 0, func);
}

/* A kfunc call; its BTF id is patched in at load time. */
static inline struct bpf_insn insn_call_kfunc(void)
{
	return insn_make(BPF_JMP | BPF_CALL, 0, BPF_PSEUDO_KFUNC_CALL, 0, 0);
}

static inline struct bpf_insn insn_exit(void)
{
	return insn_make(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
}

/*
 * The two halves of dst = imm64.  With src BPF_PSEUDO_MAP_FD the
 * immediate is a map fd, patched in at load time.
 */
static inline struct bpf_insn insn_ld_imm64_lo(__u8 dst, __u8 src, __u64 imm)
{
	return insn_make(BPF_LD | BPF_DW | BPF_IMM, dst, src, 0, (__u32)imm);
}

static inline struct bpf_insn insn_ld_imm64_hi(__u64 imm)
{
	return insn_make(0, 0, 0, 0, (__u32)(imm >> 32));
}

#endif /* BPFILTER_BPF_INSN_H */
