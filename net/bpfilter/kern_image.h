/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's reading of a program image (msgfmt.h): every byte the
 * helper sends is checked before anything is created from it, the
 * instructions included (kern_image.c).  Pure code on a buffer, so that
 * selftests/host builds it for the host and feeds it hostile images.
 */
#ifndef _NET_BPFILTER_KERN_IMAGE_H
#define _NET_BPFILTER_KERN_IMAGE_H

#include <linux/bpf.h>
#include <linux/netfilter.h>
#include "msgfmt.h"

/* The verifier's MAX_USED_MAPS: the most maps one program can use. */
#define BPFILTER_IMAGE_PROG_MAPS	64

/**
 * struct bpfilter_image_prog_view - one checked program of an image
 * @hook: its netfilter hook
 * @nr_insns: instructions at @insns
 * @nr_relocs: relocations at @relocs, in increasing instruction order
 * @insns: into the image, relocated in place by the loader
 * @relocs: into the image
 * @nr_maps: distinct maps the program refers to
 * @maps: their numbers (BPFILTER_IMAGE_MAP_*, or BPFILTER_IMAGE_MAPS + a
 *	classifier map's): what the verifier must record as the program's
 *	used maps, no more, no fewer
 */
struct bpfilter_image_prog_view {
	u32 hook;
	u32 nr_insns;
	u32 nr_relocs;
	struct bpf_insn *insns;
	const struct bpfilter_image_reloc *relocs;
	u32 nr_maps;
	u16 maps[BPFILTER_IMAGE_PROG_MAPS];
};

/**
 * struct bpfilter_image_view - a checked image
 * @hdr: its header
 * @class_maps: offset of the first classifier map in the image
 * @progs: @hdr.nr_progs programs, each of another hook
 * @logs: @hdr.nr_logs LOG and NFLOG parameters, checked
 * @owners: @hdr.nr_owners -m owner id sets (their ids need the
 *	namespace's user namespace: the loader checks those)
 * @why: when the image is refused, the first rule it broke
 */
struct bpfilter_image_view {
	struct bpfilter_image_hdr hdr;
	size_t class_maps;
	struct bpfilter_image_prog_view progs[BPFILTER_IMAGE_PROGS_MAX];
	const struct bpfilter_image_log *logs;
	const struct bpfilter_image_owner *owners;
	const char *why;
};

/* The bytes after a classifier map's header: keys, values, padding. */
static inline size_t
bpfilter_image_class_map_data(const struct bpfilter_image_class_map *m)
{
	size_t data = (size_t)m->nr_elems *
		      (m->key_size + sizeof(struct bpfilter_image_class_value));

	return (data + 7) & ~(size_t)7;
}

int bpfilter_image_check(void *image, size_t len, u32 valid_hooks,
			 struct bpfilter_image_view *v);

#endif /* _NET_BPFILTER_KERN_IMAGE_H */
