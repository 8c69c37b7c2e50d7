// SPDX-License-Identifier: GPL-2.0
/* A COMPILE reply, parsed and checked as the module must (msgfmt.h). */
#include <string.h>

#include "image_parse.h"

#define FILTER_HOOKS	((1U << NF_INET_LOCAL_IN) | (1U << NF_INET_FORWARD) | \
			 (1U << NF_INET_LOCAL_OUT))

static const char *relocs_check(const struct parsed_prog *pp, __u32 nr_states,
				__u32 nr_maps)
{
	const struct bpf_insn *insn;
	__u32 i;

	for (i = 0; i < pp->nr_relocs; i++) {
		if (pp->relocs[i].kind != BPFILTER_IMAGE_RELOC_MAP_FD)
			return "a relocation is not of a map fd";
		if (pp->relocs[i].index >= nr_maps)
			return "a relocation names no map";
		if (pp->relocs[i].index == BPFILTER_IMAGE_MAP_STATE && !nr_states)
			return "a relocation names the state map, which the header does not ask for";
		if (pp->relocs[i].insn + 1 >= pp->nr_insns)
			return "a relocation is past the last BPF_LD_IMM64";
		insn = &pp->insns[pp->relocs[i].insn];
		if (insn->code != (BPF_LD | BPF_IMM | BPF_DW) ||
		    insn->src_reg != BPF_PSEUDO_MAP_FD)
			return "a relocation is not at a BPF_LD_IMM64 of a map fd";
	}
	return NULL;
}

static const char *prog_parse(const unsigned char *buf, size_t len,
			      size_t *off, unsigned int *hooks, __u32 nr_states,
			      __u32 nr_maps, struct parsed_prog *pp)
{
	struct bpfilter_image_prog ph;
	size_t need;

	if (len - *off < sizeof(ph))
		return "a program header is cut short";
	memcpy(&ph, buf + *off, sizeof(ph));
	*off += sizeof(ph);
	if (ph.reserved)
		return "a program's reserved field is set";
	if (ph.hook >= NF_INET_NUMHOOKS || !(FILTER_HOOKS & (1U << ph.hook)) ||
	    (*hooks & (1U << ph.hook)))
		return "a program's hook is not a filter hook, or repeated";
	*hooks |= 1U << ph.hook;
	if (!ph.nr_insns || ph.nr_insns > BPFILTER_IMAGE_INSNS_MAX ||
	    ph.nr_relocs > BPFILTER_IMAGE_RELOCS_MAX)
		return "a program has too few or too many instructions or relocations";
	need = (size_t)ph.nr_insns * sizeof(struct bpf_insn) +
	       (size_t)ph.nr_relocs * sizeof(struct bpfilter_image_reloc);
	if (len - *off < need)
		return "a program is cut short";
	pp->hook = ph.hook;
	pp->nr_insns = ph.nr_insns;
	pp->nr_relocs = ph.nr_relocs;
	pp->insns = (const void *)(buf + *off);
	pp->relocs = (const void *)(buf + *off +
				    (size_t)ph.nr_insns * sizeof(struct bpf_insn));
	*off += need;
	if (pp->insns[pp->nr_insns - 1].code != (BPF_JMP | BPF_EXIT))
		return "a program does not end with an exit";
	return relocs_check(pp, nr_states, nr_maps);
}

static const char *class_map_parse(const unsigned char *buf, size_t len,
				   size_t *off, __u32 nr_entries,
				   unsigned long *elems,
				   struct parsed_class_map *m)
{
	size_t data;
	__u32 i;

	if (len - *off < sizeof(m->head))
		return "a classifier map header is cut short";
	memcpy(&m->head, buf + *off, sizeof(m->head));
	*off += sizeof(m->head);
	if ((m->head.type != BPF_MAP_TYPE_LPM_TRIE &&
	     m->head.type != BPF_MAP_TYPE_HASH) || m->head.reserved ||
	    m->head.key_size < BPFILTER_IMAGE_CLASS_KEY_MIN ||
	    m->head.key_size > BPFILTER_IMAGE_CLASS_KEY_MAX ||
	    m->head.key_size % 4 || !m->head.nr_elems)
		return "a classifier map of a bad type, key size or size";
	*elems += m->head.nr_elems;
	if (*elems > (unsigned long)nr_entries *
		     BPFILTER_IMAGE_CLASS_ELEMS_PER_ENTRY)
		return "more classifier elements than the entries allow";
	data = (size_t)m->head.nr_elems *
	       (m->head.key_size + sizeof(*m->values));
	if (len - *off < ((data + 7) & ~7UL))
		return "a classifier map is cut short";
	m->keys = buf + *off;
	m->values = (const void *)(buf + *off + (size_t)m->head.nr_elems *
				   m->head.key_size);
	for (i = 0; i < m->head.nr_elems; i++)
		if (m->values[i].index >= nr_entries || m->values[i].verdict > 2)
			return "a classifier value names no entry or verdict";
	for (i = data; i < ((data + 7) & ~7UL); i++)
		if (buf[*off + i])
			return "a classifier map's padding is not zero";
	*off += (data + 7) & ~7UL;
	return NULL;
}

const char *image_parse(const void *buf, size_t len, struct parsed_image *out)
{
	unsigned int hooks = 0;
	unsigned long elems = 0;
	size_t off = sizeof(out->hdr);
	const char *why;
	__u32 i;

	memset(out, 0, sizeof(*out));
	if (len < sizeof(out->hdr))
		return "shorter than its header";
	memcpy(&out->hdr, buf, sizeof(out->hdr));
	if (out->hdr.err > 0 || out->hdr.err < -4095)
		return "err is not 0 or a negative errno";
	if (out->hdr.err)
		return out->hdr.nr_progs || len != off ?
		       "an error header with programs or bytes after it" : NULL;
	if (!out->hdr.nr_entries)
		return "no entries: the counter map would be empty";
	if (!out->hdr.nr_progs || out->hdr.nr_progs > BPFILTER_IMAGE_PROGS_MAX)
		return "no programs, or more than the filter table's hooks";
	if (out->hdr.needs & ~BPFILTER_NEEDS)
		return "unknown needs";
	if (out->hdr.nr_logs > BPFILTER_IMAGE_LOGS_MAX)
		return "too many LOG targets";
	if (out->hdr.nr_class_maps > BPFILTER_IMAGE_CLASS_MAPS_MAX)
		return "too many classifier maps";
	for (i = 0; i < out->hdr.nr_class_maps; i++) {
		why = class_map_parse(buf, len, &off, out->hdr.nr_entries,
				      &elems, &out->class_maps[i]);
		if (why)
			return why;
	}
	for (i = 0; i < out->hdr.nr_progs; i++) {
		why = prog_parse(buf, len, &off, &hooks, out->hdr.nr_states,
				 BPFILTER_IMAGE_MAPS + out->hdr.nr_class_maps,
				 &out->progs[i]);
		if (why)
			return why;
	}
	if (out->hdr.nr_owners > BPFILTER_IMAGE_OWNERS_MAX)
		return "too many -m owner rules";
	if (len - off != (size_t)out->hdr.nr_logs * sizeof(*out->logs) +
	    (size_t)out->hdr.nr_owners * sizeof(*out->owners))
		return "the LOG targets and owner ids do not fill what follows the programs";
	out->logs = (const void *)((const unsigned char *)buf + off);
	for (i = 0; i < out->hdr.nr_logs; i++)
		if (out->logs[i].type > BPFILTER_LOG_TYPE_ULOG ||
		    (out->logs[i].type == BPFILTER_LOG_TYPE_LOG &&
		     out->logs[i].level >= 8) ||
		    (out->logs[i].type == BPFILTER_LOG_TYPE_ULOG &&
		     out->logs[i].flags & ~1U) ||
		    out->logs[i].prefix[sizeof(out->logs[i].prefix) - 1])
			return "a LOG or NFLOG target with a bad type, level, flags or prefix";
	out->owners = (const void *)(out->logs + out->hdr.nr_logs);
	return NULL;
}
