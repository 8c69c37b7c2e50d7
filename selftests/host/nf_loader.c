// SPDX-License-Identifier: GPL-2.0
/*
 * Loading a netfilter-link program image with Debian's libbpf 1.1, which
 * predates BPF_PROG_TYPE_NETFILTER (32) and BPF_NETFILTER (45): both are
 * passed as plain numbers, and the link is created with a raw
 * BPF_LINK_CREATE whose netfilter arguments {pf, hooknum, priority,
 * flags} follow prog_fd, target_fd, attach_type and flags (offset 16).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "class_maps.h"
#include "nf_loader.h"

#define NFPROTO_IPV4_PF		2
#define VERIFIER_LOG_SIZE	(16U << 20)

/*
 * Byte offset of member @name in struct @type, looking into anonymous
 * structs and unions as C does.  Return: the offset, or -1.
 */
static long member_offset(const struct btf *btf, __u32 type_id,
			  const char *name)
{
	const struct btf_type *t = btf__type_by_id(btf, type_id);
	const struct btf_member *m;
	unsigned int i;
	long inner;

	if (!t || !(btf_is_struct(t) || btf_is_union(t)))
		return -1;
	m = btf_members(t);
	for (i = 0; i < btf_vlen(t); i++, m++) {
		const char *mname = btf__name_by_offset(btf, m->name_off);
		__u32 bits = btf_member_bit_offset(t, i);

		if (mname && !strcmp(mname, name))
			return bits / 8;
		if (mname && *mname)
			continue;
		inner = member_offset(btf, btf__resolve_type(btf, m->type), name);
		if (inner >= 0)
			return bits / 8 + inner;
	}
	return -1;
}

static long struct_member_offset(const struct btf *btf, const char *type,
				 const char *member)
{
	__s32 id = btf__find_by_name_kind(btf, type, BTF_KIND_STRUCT);

	return id < 0 ? -1 : member_offset(btf, id, member);
}

static const struct {
	const char *type, *member;
} kfields[BPFILTER_KFIELD_COUNT] = {
	[BPFILTER_KFIELD_SKB_LEN] = { "sk_buff", "len" },
	[BPFILTER_KFIELD_HOOK_STATE_IN] = { "nf_hook_state", "in" },
	[BPFILTER_KFIELD_HOOK_STATE_OUT] = { "nf_hook_state", "out" },
	[BPFILTER_KFIELD_NET_DEVICE_NAME] = { "net_device", "name" },
	[BPFILTER_KFIELD_SKB_MARK] = { "sk_buff", "mark" },
	[BPFILTER_KFIELD_SKB_PKT_TYPE] = { "sk_buff", "__pkt_type_offset" },
};

static const char *const kfuncs[BPFILTER_KFUNC_COUNT] = {
	[BPFILTER_KFUNC_DYNPTR_FROM_SKB] = "bpf_dynptr_from_skb",
};

static int relocate(const struct btf *btf, const struct nf_loaded *l,
		    struct bpf_insn *insns, const struct bpfilter_hook_prog *hp)
{
	unsigned int i;
	long off;
	__s32 id;

	for (i = 0; i < hp->nr_relocs; i++) {
		const struct bpfilter_reloc *r = &hp->relocs[i];
		struct bpf_insn *insn = &insns[r->insn];

		if (r->insn >= hp->nr_insns)
			return -EINVAL;
		switch (r->kind) {
		case BPFILTER_RELOC_MAP_FD:
			if (r->index >= BPFILTER_MAPS + l->nr_class)
				return -EINVAL;
			insn->imm = r->index < BPFILTER_MAPS ?
				    l->map_fds[r->index] :
				    l->class_fds[r->index - BPFILTER_MAPS];
			break;
		case BPFILTER_RELOC_FIELD_OFFSET:
			if (r->index >= BPFILTER_KFIELD_COUNT)
				return -EINVAL;
			off = struct_member_offset(btf, kfields[r->index].type,
						   kfields[r->index].member);
			if (off < 0) {
				printf("# %s.%s: not in vmlinux BTF\n",
				       kfields[r->index].type,
				       kfields[r->index].member);
				return -ENOENT;
			}
			insn->off += off;
			break;
		case BPFILTER_RELOC_KFUNC:
			if (r->index >= BPFILTER_KFUNC_COUNT)
				return -EINVAL;
			id = btf__find_by_name_kind(btf, kfuncs[r->index],
						    BTF_KIND_FUNC);
			if (id < 0) {
				printf("# kfunc %s: not in vmlinux BTF\n",
				       kfuncs[r->index]);
				return -ENOENT;
			}
			insn->imm = id;
			break;
		default:
			return -EINVAL;
		}
	}
	return 0;
}

/* The last lines of a verifier log, as TAP diagnostics. */
static void print_log_tail(const char *log)
{
	const char *p = log + strlen(log);
	int lines = 0;

	while (p > log && lines < 20)
		if (*--p == '\n')
			lines++;
	for (; *p; ) {
		const char *nl = strchr(p, '\n');
		int len = nl ? (int)(nl - p) : (int)strlen(p);

		if (len)
			printf("#   verifier: %.*s\n", len, p);
		p += len + (nl ? 1 : 0);
	}
}

static int load_prog(const struct btf *btf, struct nf_loaded *l,
		     const struct bpfilter_hook_prog *hp)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = BPFILTER_ATTACH_NETFILTER);
	struct bpf_insn *insns;
	char *log = NULL;
	int fd, ret;

	insns = malloc(hp->nr_insns * sizeof(*insns));
	if (!insns)
		return -ENOMEM;
	memcpy(insns, hp->insns, hp->nr_insns * sizeof(*insns));
	ret = relocate(btf, l, insns, hp);
	if (ret)
		goto out;

	fd = bpf_prog_load(BPFILTER_PROG_TYPE_NETFILTER, "bpfilter", "GPL",
			   insns, hp->nr_insns, &opts);
	if (fd < 0) {
		ret = -errno;
		/* Again with a log, only to say why. */
		log = calloc(1, VERIFIER_LOG_SIZE);
		if (log) {
			opts.log_buf = log;
			opts.log_size = VERIFIER_LOG_SIZE;
			opts.log_level = 1;
			fd = bpf_prog_load(BPFILTER_PROG_TYPE_NETFILTER, "bpfilter",
					   "GPL", insns, hp->nr_insns, &opts);
			print_log_tail(log);
			if (fd >= 0)
				close(fd);
		}
		printf("# hook %u: BPF_PROG_LOAD of %u instructions: %s\n",
		       hp->hook, hp->nr_insns, strerror(-ret));
		goto out;
	}
	l->prog_fds[hp->hook] = fd;
	ret = 0;
out:
	free(log);
	free(insns);
	return ret;
}

static void init_fds(struct nf_loaded *l)
{
	unsigned int i;

	for (i = 0; i < BPFILTER_MAPS; i++)
		l->map_fds[i] = -1;
	l->class_fds = NULL;
	l->nr_class = 0;
	for (i = 0; i < NF_INET_NUMHOOKS; i++) {
		l->prog_fds[i] = -1;
		l->link_fds[i] = -1;
	}
}

int nf_image_load(const struct bpfilter_image *image, struct nf_loaded *out)
{
	struct btf *btf;
	unsigned int i;
	int ret = 0;

	init_fds(out);
	if (image->flavour != BPFILTER_FLAVOUR_NF_LINK)
		return -EINVAL;
	out->nr_entries = image->maps[BPFILTER_MAP_COUNTERS].max_entries;

	btf = btf__load_vmlinux_btf();
	if (!btf)
		return -errno;

	for (i = 0; i < BPFILTER_MAPS && !ret; i++) {
		const struct bpfilter_map_desc *m = &image->maps[i];

		/* Type 0: a map this flavour does not use. */
		if (m->type == BPF_MAP_TYPE_UNSPEC)
			continue;
		out->map_fds[i] = bpf_map_create(m->type, "bpfilter_cnt",
						 m->key_size, m->value_size,
						 m->max_entries, NULL);
		if (out->map_fds[i] < 0)
			ret = -errno;
	}
	if (!ret && image->nr_class_maps) {
		out->class_fds = calloc(image->nr_class_maps,
					sizeof(*out->class_fds));
		if (!out->class_fds)
			ret = -ENOMEM;
	}
	for (i = 0; i < image->nr_class_maps && !ret; i++) {
		const struct bpfilter_class_map *m = &image->class_maps[i];
		int fd = class_map_create(m->type, m->key_size, m->nr_elems,
					  m->keys, m->values);

		if (fd < 0)
			ret = fd;
		else
			out->class_fds[out->nr_class++] = fd;
	}
	for (i = 0; i < image->nr_progs && !ret; i++)
		ret = load_prog(btf, out, &image->progs[i]);

	btf__free(btf);
	if (ret)
		nf_loaded_release(out);
	return ret;
}

/* union bpf_attr's link_create, as 6.4+ lays it out for netfilter. */
struct link_create_nf {
	__u32 prog_fd;
	__u32 target_fd;
	__u32 attach_type;
	__u32 flags;
	__u32 pf;
	__u32 hooknum;
	__s32 priority;
	__u32 nf_flags;
};

int nf_image_attach(struct nf_loaded *l, int priority)
{
	unsigned int hook;
	union bpf_attr attr;
	int fd;

	for (hook = 0; hook < NF_INET_NUMHOOKS; hook++) {
		struct link_create_nf lc = {
			.attach_type = BPFILTER_ATTACH_NETFILTER,
			.pf = NFPROTO_IPV4_PF,
			.hooknum = hook,
			.priority = priority,
		};

		if (l->prog_fds[hook] < 0)
			continue;
		lc.prog_fd = l->prog_fds[hook];
		memset(&attr, 0, sizeof(attr));
		memcpy(&attr, &lc, sizeof(lc));
		fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof(attr));
		if (fd < 0)
			return -errno;
		l->link_fds[hook] = fd;
	}
	return 0;
}

int nf_counter_read(const struct nf_loaded *l, unsigned int index,
		    struct bpfilter_counter *sum)
{
	int cpus = libbpf_num_possible_cpus(), i;
	struct bpfilter_counter *per_cpu;
	int ret = 0;

	if (cpus < 0)
		return cpus;
	per_cpu = calloc(cpus, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	if (bpf_map_lookup_elem(l->map_fds[BPFILTER_MAP_COUNTERS], &index,
				per_cpu))
		ret = -errno;
	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < cpus && !ret; i++) {
		sum->packets += per_cpu[i].packets;
		sum->bytes += per_cpu[i].bytes;
	}
	free(per_cpu);
	return ret;
}

void nf_loaded_release(struct nf_loaded *l)
{
	unsigned int i;

	for (i = 0; i < NF_INET_NUMHOOKS; i++) {
		if (l->link_fds[i] >= 0)
			close(l->link_fds[i]);
		if (l->prog_fds[i] >= 0)
			close(l->prog_fds[i]);
	}
	for (i = 0; i < BPFILTER_MAPS; i++) {
		if (l->map_fds[i] >= 0)
			close(l->map_fds[i]);
	}
	for (i = 0; i < l->nr_class; i++)
		close(l->class_fds[i]);
	free(l->class_fds);
	init_fds(l);
}
