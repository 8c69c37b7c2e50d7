/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading a COMPILE reply back with the module's own checker (msgfmt.h,
 * net/bpfilter/kern_image.c): every promise of the wire format and every
 * rule of the instruction scan, so that each host test that compiles a
 * table also proves the module would take its image.
 */
#ifndef BPFILTER_TEST_IMAGE_PARSE_H
#define BPFILTER_TEST_IMAGE_PARSE_H

#include <stddef.h>

#include <linux/bpf.h>
#include <linux/netfilter.h>

#include "../../net/bpfilter/msgfmt.h"

struct parsed_prog {
	__u32 hook;
	__u32 nr_insns;
	__u32 nr_relocs;
	const struct bpf_insn *insns;		/* into the reply */
	const struct bpfilter_image_reloc *relocs;
};

struct parsed_class_map {
	struct bpfilter_image_class_map head;
	const void *keys;			/* into the reply */
	const struct bpfilter_image_class_value *values;
};

struct parsed_image {
	struct bpfilter_image_hdr hdr;
	/* Map BPFILTER_IMAGE_MAPS + i: class_maps[i]. */
	struct parsed_class_map class_maps[BPFILTER_IMAGE_CLASS_MAPS_MAX];
	struct parsed_prog progs[BPFILTER_IMAGE_PROGS_MAX];
	const struct bpfilter_image_log *logs;	/* hdr.nr_logs, into the reply */
	const struct bpfilter_image_owner *owners;	/* hdr.nr_owners */
};

/*
 * Parses @len bytes at @buf (8-byte aligned, as malloc() gives them).
 * Return: NULL, or what the first broken promise is.
 */
const char *image_parse(const void *buf, size_t len, struct parsed_image *out);

/*
 * Applies @pp's relocations to @insns, a copy of its instructions: map
 * BPFILTER_IMAGE_MAP_* or classifier map i's fd from @map_fds (indexed
 * like the relocations), -m owner ids as the initial user namespace maps
 * them (unchanged).
 */
void image_relocate(const struct parsed_image *img, const struct parsed_prog *pp,
		    struct bpf_insn *insns, const int *map_fds);

#endif /* BPFILTER_TEST_IMAGE_PARSE_H */
