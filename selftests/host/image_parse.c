// SPDX-License-Identifier: GPL-2.0
/*
 * A COMPILE reply, read back by the module's own checker
 * (net/bpfilter/kern_image.c, built for the host), then laid out for the
 * host's loaders.
 */
#include <errno.h>
#include <string.h>

#include "image_parse.h"
#include "kern_image.h"

#define FILTER_HOOKS	((1U << NF_INET_LOCAL_IN) | (1U << NF_INET_FORWARD) | \
			 (1U << NF_INET_LOCAL_OUT))

const char *image_parse(const void *buf, size_t len, struct parsed_image *out)
{
	static struct bpfilter_image_view v;
	const unsigned char *at;
	__u32 i;
	int err;

	memset(out, 0, sizeof(*out));
	/* The checker writes nothing; the module's loader relocates. */
	err = bpfilter_image_check((void *)buf, len, FILTER_HOOKS, &v);
	if (err == -EBADMSG)
		return v.why;
	out->hdr = v.hdr;
	if (err)
		return NULL;	/* the code generator's error, well formed */
	at = (const unsigned char *)buf + v.class_maps;
	for (i = 0; i < v.hdr.nr_class_maps; i++) {
		struct parsed_class_map *m = &out->class_maps[i];

		memcpy(&m->head, at, sizeof(m->head));
		at += sizeof(m->head);
		m->keys = at;
		m->values = (const void *)(at + (size_t)m->head.nr_elems *
					   m->head.key_size);
		at += bpfilter_image_class_map_data(&m->head);
	}
	for (i = 0; i < v.hdr.nr_progs; i++) {
		out->progs[i] = (struct parsed_prog) {
			.hook = v.progs[i].hook,
			.nr_insns = v.progs[i].nr_insns,
			.nr_relocs = v.progs[i].nr_relocs,
			.insns = v.progs[i].insns,
			.relocs = v.progs[i].relocs,
		};
	}
	out->logs = v.logs;
	out->owners = v.owners;
	return NULL;
}

/* The initial user namespace's ids are the kernel's: no mapping. */
static __u32 owner_field(const struct bpfilter_image_owner *o, __u32 field)
{
	const __u32 ids[4] = { o->uid_min, o->uid_max, o->gid_min, o->gid_max };

	return ids[field % 4];
}

void image_relocate(const struct parsed_image *img, const struct parsed_prog *pp,
		    struct bpf_insn *insns, const int *map_fds)
{
	const struct bpfilter_image_reloc *r;
	__u32 i;

	for (i = 0; i < pp->nr_relocs; i++) {
		r = &pp->relocs[i];
		insns[r->insn].imm = r->kind == BPFILTER_IMAGE_RELOC_MAP_FD ?
			map_fds[r->index] :
			(__s32)owner_field(&img->owners[r->index / 4], r->index);
	}
}
