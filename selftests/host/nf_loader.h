/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A host loader for the netfilter-link flavour of a program image: what
 * bpfilter.ko will do on 6.1 with kern_sys_bpf(), done here with libbpf
 * on the host's kernel (6.4+), so that generated programs run on real
 * packets at netfilter's hooks.
 */
#ifndef BPFILTER_NF_LOADER_H
#define BPFILTER_NF_LOADER_H

#include "codegen.h"

struct nf_loaded {
	int map_fds[BPFILTER_MAPS];
	/* Map BPFILTER_MAPS + i, the classifier's: class_fds[i]. */
	int *class_fds;
	unsigned int nr_class;
	int prog_fds[NF_INET_NUMHOOKS];		/* by hook; -1 when absent */
	int link_fds[NF_INET_NUMHOOKS];
	unsigned int nr_entries;
};

/*
 * Creates the maps, patches the relocations (vmlinux BTF for field
 * offsets and kfuncs) and loads every program.  On a verifier refusal
 * the verifier's log tail is printed as "# " lines.
 * Return: 0 or a negative errno; @out is released on failure.
 */
int nf_image_load(const struct bpfilter_image *image, struct nf_loaded *out);

/*
 * Attaches every loaded program at its hook, pf NFPROTO_IPV4, with the
 * BPF netfilter link, in the calling thread's network namespace.
 * Return: 0 or a negative errno.
 */
int nf_image_attach(struct nf_loaded *l, int priority);

/* Sums entry @index's per-CPU counters. Return: 0 or a negative errno. */
int nf_counter_read(const struct nf_loaded *l, unsigned int index,
		    struct bpfilter_counter *sum);

/* Closes links, programs and maps. */
void nf_loaded_release(struct nf_loaded *l);

#endif /* BPFILTER_NF_LOADER_H */
