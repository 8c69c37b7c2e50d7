// SPDX-License-Identifier: GPL-2.0
/*
 * Serializing a program image for the module.  The code generator's
 * structures are the helper's own; what crosses to the module is only
 * the wire format of msgfmt.h, checked here against what the module
 * accepts so that a generator bug shows as a refused table, not as a
 * malformed reply.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "log.h"
#include "msgfmt.h"

/* The code generator's numbers are the wire format's. */
_Static_assert(BPFILTER_MAP_COUNTERS == BPFILTER_IMAGE_MAP_COUNTERS &&
	       BPFILTER_MAP_META == BPFILTER_IMAGE_MAP_META &&
	       BPFILTER_MAP_STATE == BPFILTER_IMAGE_MAP_STATE &&
	       BPFILTER_MAPS == BPFILTER_IMAGE_MAPS, "map numbers");
_Static_assert(BPFILTER_RELOC_MAP_FD == BPFILTER_IMAGE_RELOC_MAP_FD,
	       "relocation kind");
_Static_assert(BPFILTER_PROG_INSNS_MAX == BPFILTER_IMAGE_INSNS_MAX &&
	       BPFILTER_PROG_RELOCS_MAX == BPFILTER_IMAGE_RELOCS_MAX,
	       "program limits");
_Static_assert(BPFILTER_CLASS_MAPS_MAX == BPFILTER_IMAGE_CLASS_MAPS_MAX &&
	       BPFILTER_CLASS_KEY_MAX == BPFILTER_IMAGE_CLASS_KEY_MAX &&
	       BPFILTER_CLASS_ELEMS_PER_ENTRY ==
	       BPFILTER_IMAGE_CLASS_ELEMS_PER_ENTRY &&
	       BPFILTER_CLASS_BYTES_MAX == BPFILTER_IMAGE_CLASS_BYTES_MAX &&
	       sizeof(struct bpfilter_class_value) ==
	       sizeof(struct bpfilter_image_class_value) &&
	       sizeof(struct bpfilter_image_class_map) % 8 == 0,
	       "classifier maps");
_Static_assert(BPFILTER_OWNERS_MAX == BPFILTER_IMAGE_OWNERS_MAX &&
	       sizeof(struct bpfilter_owner_desc) ==
	       sizeof(struct bpfilter_image_owner), "-m owner ids");
_Static_assert(BPFILTER_LOGS_MAX == BPFILTER_IMAGE_LOGS_MAX &&
	       sizeof(struct bpfilter_log_desc) ==
	       sizeof(struct bpfilter_image_log), "LOG targets");
_Static_assert(sizeof(struct bpf_insn) == 8 &&
	       sizeof(struct bpfilter_image_reloc) == 8 &&
	       sizeof(struct bpfilter_image_prog) % 8 == 0 &&
	       sizeof(struct bpfilter_image_hdr) % 8 == 0,
	       "every part keeps the next one 8-byte aligned");

static bool ld_imm64_map_fd(const struct bpfilter_hook_prog *hp, __u32 at)
{
	return at + 1 < hp->nr_insns &&
	       hp->insns[at].code == (BPF_LD | BPF_IMM | BPF_DW) &&
	       hp->insns[at].src_reg == BPF_PSEUDO_MAP_FD;
}

static bool jmp32_id(const struct bpfilter_hook_prog *hp, __u32 at)
{
	return at < hp->nr_insns &&
	       (hp->insns[at].code == (BPF_JMP32 | BPF_JLT | BPF_K) ||
		hp->insns[at].code == (BPF_JMP32 | BPF_JGT | BPF_K));
}

/* Whether the module can apply relocation @r (kern_image.c checks it). */
static bool reloc_ok(const struct bpfilter_image *image,
		     const struct bpfilter_hook_prog *hp,
		     const struct bpfilter_reloc *r)
{
	switch (r->kind) {
	case BPFILTER_RELOC_MAP_FD:
		return r->index < BPFILTER_IMAGE_MAPS + image->nr_class_maps &&
		       (r->index >= BPFILTER_IMAGE_MAPS ||
			image->maps[r->index].type != BPF_MAP_TYPE_UNSPEC) &&
		       ld_imm64_map_fd(hp, r->insn);
	case BPFILTER_RELOC_OWNER_ID:
		return r->index / 4 < image->nr_owners && jmp32_id(hp, r->insn);
	default:
		return false;
	}
}

/* Return: 0, or -EINVAL (logged) when @hp cannot go on the wire. */
static int prog_check(const struct bpfilter_image *image,
		      const struct bpfilter_hook_prog *hp)
{
	const struct bpfilter_reloc *r;
	__u32 i;

	if (hp->hook >= NF_INET_NUMHOOKS || !hp->nr_insns ||
	    hp->nr_insns > BPFILTER_IMAGE_INSNS_MAX ||
	    hp->nr_relocs > BPFILTER_IMAGE_RELOCS_MAX)
		return bpfilter_refuse(-EINVAL, "image: hook %u: %u instructions, %u relocations",
				       hp->hook, hp->nr_insns, hp->nr_relocs);
	for (i = 0; i < hp->nr_relocs; i++) {
		r = &hp->relocs[i];
		/* The module takes them in increasing order only. */
		if (!reloc_ok(image, hp, r) ||
		    (i && r->insn <= hp->relocs[i - 1].insn))
			return bpfilter_refuse(-EINVAL, "image: hook %u: relocation %u (kind %u, index %u, insn %u) cannot go on the wire",
					       hp->hook, i, r->kind, r->index,
					       r->insn);
	}
	return 0;
}

/* Return: 0, or -EINVAL (logged) when a classifier map breaks limits. */
static int class_maps_check(const struct bpfilter_image *image,
			    __u32 nr_entries)
{
	const struct bpfilter_class_map *m;
	unsigned long elems = 0, bytes = 0;
	__u32 i;

	if (image->nr_class_maps > BPFILTER_IMAGE_CLASS_MAPS_MAX)
		return bpfilter_refuse(-EINVAL, "image: %u classifier maps",
				       image->nr_class_maps);
	for (i = 0; i < image->nr_class_maps; i++) {
		m = &image->class_maps[i];
		if ((m->type != BPF_MAP_TYPE_LPM_TRIE &&
		     m->type != BPF_MAP_TYPE_HASH) ||
		    m->key_size < BPFILTER_IMAGE_CLASS_KEY_MIN ||
		    m->key_size > BPFILTER_IMAGE_CLASS_KEY_MAX ||
		    m->key_size % 4 || !m->nr_elems)
			return bpfilter_refuse(-EINVAL, "image: classifier map %u: type %u, key %u bytes, %u elements",
					       i, m->type, m->key_size,
					       m->nr_elems);
		elems += m->nr_elems;
		bytes += (unsigned long)m->nr_elems *
			 (m->key_size + sizeof(*m->values));
	}
	if (elems > (unsigned long)nr_entries *
		    BPFILTER_IMAGE_CLASS_ELEMS_PER_ENTRY ||
	    bytes > BPFILTER_IMAGE_CLASS_BYTES_MAX)
		return bpfilter_refuse(-EINVAL, "image: %lu classifier elements for %u entries",
				       elems, nr_entries);
	return 0;
}

static int image_check(const struct bpfilter_image *image, __u32 nr_entries)
{
	__u32 i;
	int ret;

	if (image->flavour != BPFILTER_FLAVOUR_SCHED_CLS ||
	    !image->nr_progs || image->nr_progs > BPFILTER_IMAGE_PROGS_MAX ||
	    image->needs & ~BPFILTER_NEEDS ||
	    image->nr_logs > BPFILTER_IMAGE_LOGS_MAX ||
	    image->nr_owners > BPFILTER_IMAGE_OWNERS_MAX)
		return bpfilter_refuse(-EINVAL, "image: flavour %u, %u programs, needs %#x, %u LOG targets",
				       image->flavour, image->nr_progs,
				       image->needs, image->nr_logs);
	for (i = 0; i < image->nr_progs; i++) {
		ret = prog_check(image, &image->progs[i]);
		if (ret)
			return ret;
	}
	return class_maps_check(image, nr_entries);
}

/* Keys, values, then zeroes to keep the next part 8-byte aligned. */
static size_t class_map_size(const struct bpfilter_class_map *m)
{
	size_t data = (size_t)m->nr_elems * (m->key_size + sizeof(*m->values));

	return sizeof(struct bpfilter_image_class_map) + ((data + 7) & ~7UL);
}

/* Bounded by the checks: BPFILTER_IMAGE_BYTES_MAX, about 57 MB. */
static size_t image_size(const struct bpfilter_image *image)
{
	size_t size = sizeof(struct bpfilter_image_hdr);
	__u32 i;

	for (i = 0; i < image->nr_class_maps; i++)
		size += class_map_size(&image->class_maps[i]);
	for (i = 0; i < image->nr_progs; i++)
		size += sizeof(struct bpfilter_image_prog) +
			(size_t)image->progs[i].nr_insns * sizeof(struct bpf_insn) +
			(size_t)image->progs[i].nr_relocs *
			sizeof(struct bpfilter_image_reloc);
	return size + (size_t)image->nr_logs * sizeof(struct bpfilter_image_log) +
	       (size_t)image->nr_owners * sizeof(struct bpfilter_image_owner);
}

static unsigned char *put(unsigned char *at, const void *src, size_t len)
{
	memcpy(at, src, len);
	return at + len;
}

static unsigned char *put_prog(unsigned char *at,
			       const struct bpfilter_hook_prog *hp)
{
	const struct bpfilter_image_prog ph = {
		.hook = hp->hook,
		.nr_insns = hp->nr_insns,
		.nr_relocs = hp->nr_relocs,
	};
	struct bpfilter_image_reloc r;
	__u32 i;

	at = put(at, &ph, sizeof(ph));
	at = put(at, hp->insns, (size_t)hp->nr_insns * sizeof(*hp->insns));
	for (i = 0; i < hp->nr_relocs; i++) {
		r = (struct bpfilter_image_reloc) {
			.insn = hp->relocs[i].insn,
			.kind = hp->relocs[i].kind == BPFILTER_RELOC_MAP_FD ?
				BPFILTER_IMAGE_RELOC_MAP_FD :
				BPFILTER_IMAGE_RELOC_OWNER_ID,
			.index = hp->relocs[i].index,
		};
		at = put(at, &r, sizeof(r));
	}
	return at;
}

static unsigned char *put_class_map(unsigned char *at,
				    const struct bpfilter_class_map *m)
{
	const struct bpfilter_image_class_map mh = {
		.type = m->type,
		.key_size = m->key_size,
		.nr_elems = m->nr_elems,
	};
	unsigned char *end = at + class_map_size(m);

	at = put(at, &mh, sizeof(mh));
	at = put(at, m->keys, (size_t)m->nr_elems * m->key_size);
	at = put(at, m->values, (size_t)m->nr_elems * sizeof(*m->values));
	memset(at, 0, end - at);
	return end;
}

int bpfilter_image_serialize(const struct bpfilter_image *image, int err,
			     __u32 nr_entries, void **out, __u32 *len)
{
	struct bpfilter_image_hdr hdr = {
		.err = err,
		.nr_entries = nr_entries,
	};
	unsigned char *buf, *at;
	size_t size = sizeof(hdr);
	__u32 i;

	if (!hdr.err)
		hdr.err = image_check(image, nr_entries);
	if (!hdr.err) {
		hdr.nr_progs = image->nr_progs;
		hdr.needs = image->needs;
		hdr.nr_logs = image->nr_logs;
		hdr.nr_owners = image->nr_owners;
		hdr.nr_class_maps = image->nr_class_maps;
		hdr.nr_states = image->maps[BPFILTER_MAP_STATE].max_entries;
		size = image_size(image);
	}

	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	at = put(buf, &hdr, sizeof(hdr));
	for (i = 0; i < hdr.nr_class_maps; i++)
		at = put_class_map(at, &image->class_maps[i]);
	for (i = 0; i < hdr.nr_progs; i++)
		at = put_prog(at, &image->progs[i]);
	if (hdr.nr_logs)
		at = put(at, image->logs,
			 (size_t)hdr.nr_logs * sizeof(*image->logs));
	if (hdr.nr_owners)
		put(at, image->owners,
		    (size_t)hdr.nr_owners * sizeof(*image->owners));

	*out = buf;
	*len = size;
	return 0;
}
