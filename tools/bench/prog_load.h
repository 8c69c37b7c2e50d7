/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Loading one program of an image and timing it: what the verifier and
 * the JIT cost per commit.  The netfilter-link flavour is relocated from
 * vmlinux BTF as selftests/host/nf_loader.c does (that loader loads a
 * whole image at once, so it cannot time one program); the SCHED_CLS
 * flavour has map fds to patch only.
 */
#ifndef BENCH_PROG_LOAD_H
#define BENCH_PROG_LOAD_H

#include <stdbool.h>

#include <bpf/btf.h>

#include "codegen.h"

struct timed_load {
	int fd;			/* or the negative errno of BPF_PROG_LOAD */
	double wall_ms;		/* the BPF_PROG_LOAD call: verifier + JIT */
	double verifier_ms;	/* the verifier's own "verification time" */
	__u32 verified_insns;	/* bpf_prog_info: instructions it processed */
	__u32 jited_bytes;	/* bpf_prog_info: size of the x86 code */
};

/*
 * Creates the image's maps (type 0: none) and its classifier maps, filled
 * as bpfilter.ko fills them, into @fds[BPFILTER_MAPS + nr_class_maps] by
 * map number.  Return: 0 or a negative errno.
 */
int maps_create(const struct bpfilter_image *img, int *fds);

/* The map fds an image's relocations need, all -1. */
int *map_fds_alloc(const struct bpfilter_image *img);

/*
 * A copy of @hp's instructions with every relocation applied (@btf only
 * needed for the netfilter-link flavour's field offsets and kfuncs).
 * Return: malloc()ed instructions, or NULL (the reason printed as "# ").
 */
struct bpf_insn *relocate(const struct btf *btf,
			  const struct bpfilter_hook_prog *hp,
			  const int *map_fds, unsigned int nr_maps);

/*
 * BPF_PROG_LOAD with a statistics-only verifier log (which costs nothing
 * while verifying), timed.  On refusal the log's last lines are printed
 * as "# " lines: the verifier's reason.
 */
struct timed_load load_timed(__u32 prog_type, __u32 expected_attach,
			     const struct bpf_insn *insns, __u32 nr);

/*
 * BPF_PROG_TEST_RUN of @fd on @len bytes, @repeat times.
 * Return: 0 or a negative errno; @ns: the kernel's mean time per run.
 */
int test_run(int fd, const void *data, __u32 len, __u32 repeat,
	     __u32 *retval, __u32 *ns);

#endif /* BENCH_PROG_LOAD_H */
