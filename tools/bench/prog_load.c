// SPDX-License-Identifier: GPL-2.0
/* Loading and running one program of an image, timed (prog_load.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>

#include "class_maps.h"
#include "prog_load.h"

/*
 * Large enough that a refusal's log is not cut: 6.4+ fails the load
 * with ENOSPC when the log does not fit, which would hide the reason.
 */
#define STATS_LOG_SIZE	(1U << 20)

int *map_fds_alloc(const struct bpfilter_image *img)
{
	unsigned int i, n = BPFILTER_MAPS + img->nr_class_maps;
	int *fds = malloc(n * sizeof(*fds));

	for (i = 0; fds && i < n; i++)
		fds[i] = -1;
	return fds;
}

int maps_create(const struct bpfilter_image *img, int *fds)
{
	unsigned int i;

	for (i = 0; i < img->nr_class_maps; i++) {
		const struct bpfilter_class_map *m = &img->class_maps[i];

		fds[BPFILTER_MAPS + i] = class_map_create(m->type, m->key_size,
							  m->nr_elems, m->keys,
							  m->values);
		if (fds[BPFILTER_MAPS + i] < 0)
			return fds[BPFILTER_MAPS + i];
	}
	for (i = 0; i < BPFILTER_MAPS; i++) {
		const struct bpfilter_map_desc *m = &img->maps[i];

		fds[i] = -1;
		if (m->type == BPF_MAP_TYPE_UNSPEC)
			continue;
		fds[i] = bpf_map_create(m->type, "bpfilter_bench", m->key_size,
					m->value_size, m->max_entries, NULL);
		if (fds[i] < 0)
			return -errno;
	}
	return 0;
}

/* Offset of @name in @type_id, anonymous members searched as C does. */
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

		if (mname && !strcmp(mname, name))
			return btf_member_bit_offset(t, i) / 8;
		if (mname && *mname)
			continue;
		inner = member_offset(btf, btf__resolve_type(btf, m->type), name);
		if (inner >= 0)
			return btf_member_bit_offset(t, i) / 8 + inner;
	}
	return -1;
}

static const char *const kfield[BPFILTER_KFIELD_COUNT][2] = {
	[BPFILTER_KFIELD_SKB_LEN] = { "sk_buff", "len" },
	[BPFILTER_KFIELD_HOOK_STATE_IN] = { "nf_hook_state", "in" },
	[BPFILTER_KFIELD_HOOK_STATE_OUT] = { "nf_hook_state", "out" },
	[BPFILTER_KFIELD_NET_DEVICE_NAME] = { "net_device", "name" },
};

static const char *const kfunc[BPFILTER_KFUNC_COUNT] = {
	[BPFILTER_KFUNC_DYNPTR_FROM_SKB] = "bpf_dynptr_from_skb",
};

static int reloc_one(const struct btf *btf, const struct bpfilter_reloc *r,
		     const int *map_fds, unsigned int nr_maps,
		     struct bpf_insn *insn)
{
	__s32 id;
	long off;

	switch (r->kind) {
	case BPFILTER_RELOC_MAP_FD:
		if (r->index >= nr_maps)
			return -EINVAL;
		insn->imm = map_fds[r->index];
		return 0;
	case BPFILTER_RELOC_FIELD_OFFSET:
		if (!btf || r->index >= BPFILTER_KFIELD_COUNT)
			return -EINVAL;
		id = btf__find_by_name_kind(btf, kfield[r->index][0],
					    BTF_KIND_STRUCT);
		off = id < 0 ? -1 : member_offset(btf, id, kfield[r->index][1]);
		if (off < 0)
			return -ENOENT;
		insn->off += off;
		return 0;
	case BPFILTER_RELOC_KFUNC:
		if (!btf || r->index >= BPFILTER_KFUNC_COUNT)
			return -EINVAL;
		id = btf__find_by_name_kind(btf, kfunc[r->index], BTF_KIND_FUNC);
		if (id < 0)
			return -ENOENT;
		insn->imm = id;
		return 0;
	}
	return -EINVAL;
}

struct bpf_insn *relocate(const struct btf *btf,
			  const struct bpfilter_hook_prog *hp,
			  const int *map_fds, unsigned int nr_maps)
{
	struct bpf_insn *insns = malloc(hp->nr_insns * sizeof(*insns));
	unsigned int i;
	int ret = 0;

	if (!insns)
		return NULL;
	memcpy(insns, hp->insns, hp->nr_insns * sizeof(*insns));
	for (i = 0; i < hp->nr_relocs && !ret; i++) {
		ret = hp->relocs[i].insn < hp->nr_insns ?
		      reloc_one(btf, &hp->relocs[i], map_fds, nr_maps,
				&insns[hp->relocs[i].insn]) : -EINVAL;
		if (ret)
			printf("# hook %u: relocation %u (kind %u, index %u): %s\n",
			       hp->hook, i, hp->relocs[i].kind,
			       hp->relocs[i].index, strerror(-ret));
	}
	if (ret) {
		free(insns);
		return NULL;
	}
	return insns;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void print_log_tail(const char *log)
{
	const char *p = log + strlen(log);
	int lines = 0;

	while (p > log && lines < 8)
		if (*--p == '\n')
			lines++;
	while (*p) {
		const char *nl = strchrnul(p, '\n');

		if (nl > p)
			printf("# verifier: %.*s\n", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

struct timed_load load_timed(__u32 prog_type, __u32 expected_attach,
			     const struct bpf_insn *insns, __u32 nr)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts,
		    .expected_attach_type = expected_attach);
	struct bpf_prog_info info = { 0 };
	__u32 info_len = sizeof(info);
	struct timed_load r = { .fd = -ENOMEM };
	char *log = calloc(1, STATS_LOG_SIZE);
	const char *p;
	double t0;

	if (!log)
		return r;
	opts.log_buf = log;
	opts.log_size = STATS_LOG_SIZE;
	opts.log_level = 4;	/* BPF_LOG_STATS */
	t0 = now_ms();
	r.fd = bpf_prog_load(prog_type, "bpfilter", "GPL", insns, nr, &opts);
	r.wall_ms = now_ms() - t0;
	if (r.fd < 0) {
		r.fd = -errno;
		print_log_tail(log);
	}
	p = strstr(log, "verification time ");
	if (p)
		r.verifier_ms = strtoul(p + strlen("verification time "),
					NULL, 10) / 1e3;
	if (r.fd >= 0 && !bpf_obj_get_info_by_fd(r.fd, &info, &info_len)) {
		r.verified_insns = info.verified_insns;
		r.jited_bytes = info.jited_prog_len;
	}
	free(log);
	return r;
}

int test_run(int fd, const void *data, __u32 len, __u32 repeat,
	     __u32 *retval, __u32 *ns)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		    .data_in = data,
		    .data_size_in = len,
		    .repeat = repeat);

	if (bpf_prog_test_run_opts(fd, &opts))
		return -errno;
	*retval = opts.retval;
	*ns = opts.duration;
	return 0;
}
