// SPDX-License-Identifier: GPL-2.0
/*
 * Loading what the helper compiled: the module, not the confined helper,
 * creates the maps and loads the programs of a program image (the
 * BPFILTER_CMD_COMPILE reply, see msgfmt.h).
 *
 * The image is checked as input from outside: every size against the
 * bytes received, every relocation against its program, and the BPF
 * verifier checks the programs themselves.  They are loaded with
 * kern_sys_bpf() under credentials holding only CAP_BPF and
 * CAP_NET_ADMIN in the initial user namespace: enough for a SCHED_CLS
 * program, and without CAP_PERFMON or CAP_SYS_ADMIN the verifier keeps
 * its Spectre hardening and refuses pointer leaks.
 *
 * Maps and programs are charged to the caller's memory cgroup, as
 * x_tables charges a table.  kern_sys_bpf() hands out file descriptors
 * in the calling task's table; each is turned into a reference and
 * closed at once (see docs/threat-model.md for what a thread of the
 * caller could do in between).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/fdtable.h>
#include <linux/kmod.h>
#include <linux/filter.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/slab.h>
#include <linux/netfilter/xt_NFLOG.h>
#include <linux/netfilter/xt_owner.h>
#include <linux/uidgid.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_log.h>
#include "kern.h"

/* Not in a header on 6.1: kernel/bpf/syscall.c exports it for loaders. */
int kern_sys_bpf(int cmd, union bpf_attr *attr, unsigned int size);

static const struct cred *loader_cred;

static const char *const prog_names[NF_INET_NUMHOOKS] = {
	[NF_INET_LOCAL_IN] = "bpfilter_in",
	[NF_INET_FORWARD] = "bpfilter_fwd",
	[NF_INET_LOCAL_OUT] = "bpfilter_out",
};

/* The hooks of the filter table, the only one compiled so far. */
#define FILTER_HOOKS \
	(BIT(NF_INET_LOCAL_IN) | BIT(NF_INET_FORWARD) | BIT(NF_INET_LOCAL_OUT))

int bpfilter_loader_init(void)
{
	struct cred *cred;

	cred = prepare_kernel_cred(NULL);
	if (!cred)
		return -ENOMEM;
	cred->cap_inheritable = CAP_EMPTY_SET;
	cred->cap_ambient = CAP_EMPTY_SET;
	cred->cap_bset = CAP_EMPTY_SET;
	cred->cap_permitted = CAP_EMPTY_SET;
	cap_raise(cred->cap_permitted, CAP_BPF);
	cap_raise(cred->cap_permitted, CAP_NET_ADMIN);
	cred->cap_effective = cred->cap_permitted;
	loader_cred = cred;
	return 0;
}

void bpfilter_loader_exit(void)
{
	put_cred(loader_cred);
	loader_cred = NULL;
}

static struct bpf_map *map_create_flags(u32 type, const char *name,
					u32 key_size, u32 value_size,
					u32 max_entries, u32 flags, int *fd)
{
	union bpf_attr attr = {
		.map_type = type,
		.key_size = key_size,
		.value_size = value_size,
		.max_entries = max_entries,
		.map_flags = flags,
	};
	struct bpf_map *map;

	strscpy(attr.map_name, name, sizeof(attr.map_name));
	*fd = kern_sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (*fd < 0)
		return ERR_PTR(*fd);
	map = bpf_map_get(*fd);
	if (IS_ERR(map)) {
		close_fd(*fd);
		*fd = -1;
	}
	return map;
}

static struct bpf_map *map_create(u32 type, const char *name, u32 value_size,
				  u32 max_entries, int *fd)
{
	return map_create_flags(type, name, sizeof(u32), value_size,
				max_entries, 0, fd);
}

/* The bytes of a class map after its header: keys, values, padding. */
static size_t class_map_bytes(const struct bpfilter_image_class_map *m)
{
	size_t data = (size_t)m->nr_elems *
		      (m->key_size + sizeof(struct bpfilter_image_class_value));

	return ALIGN(data, 8);
}

/* A classifier map of the image, created and filled; read-only for the
 * programs.  LPM tries must be created without preallocation.
 */
static int class_map_load(struct bpfilter_progs *p, void *image, size_t len,
			  size_t *off, u32 *elems, int *fd)
{
	struct bpfilter_image_class_map m;
	union bpf_attr attr;
	struct bpf_map *map;
	u32 flags = BPF_F_RDONLY_PROG;
	void *keys, *values;
	u32 i;
	int err;

	if (len - *off < sizeof(m))
		return -EBADMSG;
	memcpy(&m, image + *off, sizeof(m));
	*off += sizeof(m);
	if ((m.type != BPF_MAP_TYPE_LPM_TRIE && m.type != BPF_MAP_TYPE_HASH) ||
	    m.reserved || m.key_size < BPFILTER_IMAGE_CLASS_KEY_MIN ||
	    m.key_size > BPFILTER_IMAGE_CLASS_KEY_MAX || m.key_size % 4 ||
	    !m.nr_elems ||
	    m.nr_elems > p->nr_entries * BPFILTER_IMAGE_CLASS_ELEMS_PER_ENTRY -
			 *elems ||
	    len - *off < class_map_bytes(&m))
		return -EBADMSG;
	*elems += m.nr_elems;
	if (m.type == BPF_MAP_TYPE_LPM_TRIE)
		flags |= BPF_F_NO_PREALLOC;
	map = map_create_flags(m.type, "bpfilter_class", m.key_size,
			       sizeof(struct bpfilter_image_class_value),
			       m.nr_elems, flags, fd);
	if (IS_ERR(map))
		return PTR_ERR(map);
	p->class_maps[p->nr_class_maps++] = map;

	keys = image + *off;
	values = keys + (size_t)m.nr_elems * m.key_size;
	for (i = 0; i < m.nr_elems; i++) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = *fd;
		attr.key = (u64)(unsigned long)(keys + (size_t)i * m.key_size);
		attr.value = (u64)(unsigned long)(values + (size_t)i *
			     sizeof(struct bpfilter_image_class_value));
		attr.flags = BPF_ANY;
		err = kern_sys_bpf(BPF_MAP_UPDATE_ELEM, &attr, sizeof(attr));
		if (err)
			return err == -EINVAL ? -EBADMSG : err;
	}
	*off += class_map_bytes(&m);
	return 0;
}

static struct bpf_prog *prog_load(unsigned int hook, struct bpf_insn *insns,
				  u32 nr_insns)
{
	union bpf_attr attr = {
		.prog_type = BPF_PROG_TYPE_SCHED_CLS,
		.insn_cnt = nr_insns,
		.insns = (u64)(unsigned long)insns,
		.license = (u64)(unsigned long)"GPL",
	};
	struct bpf_prog *prog;
	int fd;

	strscpy(attr.prog_name, prog_names[hook], sizeof(attr.prog_name));
	fd = kern_sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0) {
		/* An in-kernel load gets no verifier log: say what we know. */
		net_warn_ratelimited("the BPF verifier refused the %u instruction program for hook %u: %d\n",
				     nr_insns, hook, fd);
		return ERR_PTR(fd);
	}
	prog = bpf_prog_get_type_dev(fd, BPF_PROG_TYPE_SCHED_CLS, false);
	close_fd(fd);
	return prog;
}

/* Where a program of the image lies, and its map fds patched in. */
struct image_prog {
	unsigned int hook;
	struct bpf_insn *insns;
	u32 nr_insns;
};

static int image_prog_parse(void *image, size_t len, size_t *off,
			    const int *map_fds, u32 nr_maps,
			    struct image_prog *out)
{
	const struct bpfilter_image_reloc *relocs;
	struct bpfilter_image_prog hdr;
	struct bpf_insn *insn;
	size_t need;
	u32 i;

	if (len - *off < sizeof(hdr))
		return -EBADMSG;
	memcpy(&hdr, image + *off, sizeof(hdr));
	*off += sizeof(hdr);
	if (hdr.hook >= NF_INET_NUMHOOKS || !(FILTER_HOOKS & BIT(hdr.hook)) ||
	    !hdr.nr_insns || hdr.nr_insns > BPFILTER_IMAGE_INSNS_MAX ||
	    hdr.nr_relocs > BPFILTER_IMAGE_RELOCS_MAX || hdr.reserved)
		return -EBADMSG;
	need = (size_t)hdr.nr_insns * sizeof(*insn) +
	       (size_t)hdr.nr_relocs * sizeof(*relocs);
	if (len - *off < need)
		return -EBADMSG;
	out->hook = hdr.hook;
	out->insns = image + *off;
	out->nr_insns = hdr.nr_insns;
	relocs = image + *off + (size_t)hdr.nr_insns * sizeof(*insn);
	*off += need;

	for (i = 0; i < hdr.nr_relocs; i++) {
		if (relocs[i].kind != BPFILTER_IMAGE_RELOC_MAP_FD ||
		    relocs[i].index >= nr_maps ||
		    map_fds[relocs[i].index] < 0 ||
		    relocs[i].insn >= hdr.nr_insns - 1)
			return -EBADMSG;
		insn = &out->insns[relocs[i].insn];
		if (insn->code != (BPF_LD | BPF_IMM | BPF_DW) ||
		    insn->src_reg != BPF_PSEUDO_MAP_FD)
			return -EBADMSG;
		insn->imm = map_fds[relocs[i].index];
	}
	return 0;
}

/* owner_check() of the -m owner rules' ids; @writer: the caller's.
 * The hook needs them too for --suppl-groups: kept in @p then.
 */
static int owners_check(struct bpfilter_progs *p, struct net *net,
			struct user_namespace *writer, const void *image,
			size_t len, size_t *off, u32 nr_owners)
{
	const void *start = image + *off;
	struct bpfilter_image_owner o;
	u32 i;

	if (nr_owners > BPFILTER_IMAGE_OWNERS_MAX ||
	    (len - *off) / sizeof(o) < nr_owners)
		return -EBADMSG;
	for (i = 0; i < nr_owners; i++, *off += sizeof(o)) {
		memcpy(&o, image + *off, sizeof(o));
		if (o.match & ~XT_OWNER_MASK)
			return -EINVAL;
		/* Only the writer's own user namespace, as x_tables. */
		if (o.match & (XT_OWNER_UID | XT_OWNER_GID) &&
		    writer != net->user_ns)
			goto refuse;
		if (o.match & XT_OWNER_UID &&
		    (!uid_valid(make_kuid(net->user_ns, o.uid_min)) ||
		     !uid_valid(make_kuid(net->user_ns, o.uid_max)) ||
		     o.uid_max < o.uid_min ||
		     uid_lt(make_kuid(net->user_ns, o.uid_max),
			    make_kuid(net->user_ns, o.uid_min))))
			goto refuse;
		if (o.match & XT_OWNER_GID &&
		    (!gid_valid(make_kgid(net->user_ns, o.gid_min)) ||
		     !gid_valid(make_kgid(net->user_ns, o.gid_max)) ||
		     o.gid_max < o.gid_min ||
		     gid_lt(make_kgid(net->user_ns, o.gid_max),
			    make_kgid(net->user_ns, o.gid_min))))
			goto refuse;
	}
	if (nr_owners && p->needs & BPFILTER_NEED_OWNER_GROUPS) {
		p->owners = kmemdup(start, nr_owners * sizeof(o),
				    GFP_KERNEL_ACCOUNT);
		if (!p->owners)
			return -ENOMEM;
		p->nr_owners = nr_owners;
	}
	return 0;
refuse:
	net_warn_ratelimited("owner match: ids not valid in the namespace's user namespace, or another user namespace's writer\n");
	return -EINVAL;
}

/* The LOG and NFLOG targets after the programs, checked as
 * log_tg_check() and nflog_tg_check() do.
 */
static int logs_parse(struct bpfilter_progs *p, void *image, size_t len,
		      size_t *off, u32 nr_logs)
{
	const struct bpfilter_image_log *logs = image + *off;
	u32 i;

	if (!nr_logs)
		return 0;
	if (nr_logs > BPFILTER_IMAGE_LOGS_MAX ||
	    (len - *off) / sizeof(*logs) < nr_logs)
		return -EBADMSG;
	for (i = 0; i < nr_logs; i++) {
		if (logs[i].prefix[sizeof(logs[i].prefix) - 1])
			return -EBADMSG;
		if (logs[i].type == BPFILTER_LOG_TYPE_LOG && logs[i].level < 8)
			continue;
		if (logs[i].type == BPFILTER_LOG_TYPE_ULOG &&
		    !(logs[i].flags & ~XT_NFLOG_MASK))
			continue;
		return -EBADMSG;
	}
	p->logs = kmemdup(logs, nr_logs * sizeof(*logs), GFP_KERNEL_ACCOUNT);
	if (!p->logs)
		return -ENOMEM;
	*off += nr_logs * sizeof(*logs);
	return 0;
}

/* The IPv4 logger (@nr_logs LOG targets) and conntrack in @net, held
 * while the programs live, as xt_LOG's and xt_conntrack's checkentry
 * take them for a rule's lifetime.
 */
static int logger_get(enum nf_log_type type)
{
	int err = nf_logger_find_get(NFPROTO_IPV4, type);

	if (err) {
		/* As xt_LOG's dependency and xt_NFLOG's request load it. */
		request_module("nf-logger-%u-%u", NFPROTO_IPV4, type);
		err = nf_logger_find_get(NFPROTO_IPV4, type);
	}
	if (err)
		net_warn_ratelimited("%s: no IPv4 logger: %d\n",
				     type == NF_LOG_TYPE_LOG ? "LOG" : "NFLOG",
				     err);
	return err;
}

static int progs_hold(struct bpfilter_progs *p, struct net *net, u32 nr_logs)
{
	u32 i, want = 0;
	int err;

	for (i = 0; i < nr_logs; i++)
		want |= BIT(bpfilter_log_type(&p->logs[i]));
	for (i = 0; i < NF_LOG_TYPE_MAX; i++) {
		if (!(want & BIT(i)))
			continue;
		err = logger_get(i);
		if (err)
			return err;
		p->loggers |= BIT(i);
	}
	p->nr_logs = nr_logs;
	if (p->needs & BPFILTER_NEED_CT) {
		err = nf_ct_netns_get(net, NFPROTO_IPV4);
		if (err) {
			net_warn_ratelimited("cannot load conntrack support for proto=%u: %d\n",
					     NFPROTO_IPV4, err);
			return err;
		}
		p->net = net;
	}
	return 0;
}

/* The most entries a table within the per-namespace cap can have. */
#define ENTRIES_MAX (BPFILTER_NETNS_TABLE_BYTES_MAX / \
		     (sizeof(struct ipt_entry) + sizeof(struct xt_entry_target)))
/* The most -m limit matches such a table can have. */
#define STATES_MAX (BPFILTER_NETNS_TABLE_BYTES_MAX / \
		    (sizeof(struct xt_entry_match) + sizeof(struct xt_rateinfo)))

static int progs_load(struct bpfilter_progs *p, struct net *net,
		      struct user_namespace *writer, void *image, size_t len,
		      const struct bpfilter_image_hdr *hdr)
{
	u32 nr_maps = BPFILTER_IMAGE_MAPS + hdr->nr_class_maps;
	struct image_prog ip;
	struct bpf_map *map;
	size_t off = sizeof(*hdr);
	u32 i, elems = 0;
	int *map_fds;
	int err;

	map_fds = kmalloc_array(nr_maps, sizeof(*map_fds), GFP_KERNEL);
	if (!map_fds)
		return -ENOMEM;
	for (i = 0; i < nr_maps; i++)
		map_fds[i] = -1;
	if (hdr->nr_class_maps) {
		p->class_maps = kcalloc(hdr->nr_class_maps,
					sizeof(*p->class_maps),
					GFP_KERNEL_ACCOUNT);
		if (!p->class_maps) {
			err = -ENOMEM;
			goto close;
		}
	}

	map = map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "bpfilter_cnt",
			 sizeof(struct xt_counters),
			 hdr->nr_entries, &map_fds[BPFILTER_IMAGE_MAP_COUNTERS]);
	if (IS_ERR(map)) {
		err = PTR_ERR(map);
		goto close;
	}
	p->counters = map;
	map = map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "bpfilter_meta",
			 sizeof(struct bpfilter_meta), 1,
			 &map_fds[BPFILTER_IMAGE_MAP_META]);
	if (IS_ERR(map)) {
		err = PTR_ERR(map);
		goto close;
	}
	p->meta = map;
	if (hdr->nr_states) {
		/* Shared by all CPUs, as x_tables shares a rule's bucket. */
		map = map_create(BPF_MAP_TYPE_ARRAY, "bpfilter_state",
				 sizeof(struct bpfilter_limit_state),
				 hdr->nr_states,
				 &map_fds[BPFILTER_IMAGE_MAP_STATE]);
		if (IS_ERR(map)) {
			err = PTR_ERR(map);
			goto close;
		}
		p->state = map;
	}

	err = 0;
	for (i = 0; !err && i < hdr->nr_class_maps; i++)
		err = class_map_load(p, image, len, &off, &elems,
				     &map_fds[BPFILTER_IMAGE_MAPS + i]);
	for (i = 0; !err && i < hdr->nr_progs; i++) {
		err = image_prog_parse(image, len, &off, map_fds, nr_maps, &ip);
		if (err)
			break;
		if (p->prog[ip.hook]) {
			err = -EBADMSG;
			break;
		}
		p->prog[ip.hook] = prog_load(ip.hook, ip.insns, ip.nr_insns);
		if (IS_ERR(p->prog[ip.hook])) {
			err = PTR_ERR(p->prog[ip.hook]);
			p->prog[ip.hook] = NULL;
		}
		p->nr_insns += ip.nr_insns;
	}
	if (!err)
		err = logs_parse(p, image, len, &off, hdr->nr_logs);
	if (!err)
		err = owners_check(p, net, writer, image, len, &off,
				   hdr->nr_owners);
	if (!err && off != len)
		err = -EBADMSG;
close:
	for (i = 0; i < nr_maps; i++)
		if (map_fds[i] >= 0)
			close_fd(map_fds[i]);
	kfree(map_fds);
	return err;
}

/**
 * bpfilter_progs_load - load a program image
 * @net: the namespace the programs will run in
 * @image: the COMPILE reply; relocated in place
 * @len: its length
 *
 * Return: the loaded programs and their maps, or an ERR_PTR(): the code
 * generator's or the verifier's errno (logged), that of
 * nf_logger_find_get() or nf_ct_netns_get() (logged), -EBADMSG for an image
 * that breaks the format, -ENOMEM.
 */
struct bpfilter_progs *bpfilter_progs_load(struct net *net, void *image,
					   size_t len)
{
	struct bpfilter_image_hdr hdr;
	struct bpfilter_progs *p;
	struct user_namespace *writer;
	const struct cred *old;
	int err;

	if (len < sizeof(hdr))
		return ERR_PTR(-EBADMSG);
	memcpy(&hdr, image, sizeof(hdr));
	if (hdr.err) {
		if (hdr.err > 0 || hdr.err < -MAX_ERRNO)
			return ERR_PTR(-EBADMSG);
		net_warn_ratelimited("the table cannot be compiled: %d\n",
				     hdr.err);
		return ERR_PTR(hdr.err);
	}
	if (hdr.nr_class_maps > BPFILTER_IMAGE_CLASS_MAPS_MAX ||
	    !hdr.nr_entries || hdr.nr_entries > ENTRIES_MAX ||
	    hdr.nr_states > STATES_MAX ||
	    hdr.nr_progs > BPFILTER_IMAGE_PROGS_MAX ||
	    hdr.needs & ~BPFILTER_NEEDS)
		return ERR_PTR(-EBADMSG);
	if (!IS_ENABLED(CONFIG_NF_CONNTRACK_MARK) &&
	    hdr.needs & BPFILTER_NEED_CT_MARK) {
		net_warn_ratelimited("connmark, CONNMARK: this kernel has no CONFIG_NF_CONNTRACK_MARK\n");
		return ERR_PTR(-ENOENT);
	}

	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p)
		return ERR_PTR(-ENOMEM);
	p->nr_entries = hdr.nr_entries;
	p->needs = hdr.needs;

	/* The loader's credentials replace the caller's: keep its userns. */
	writer = current_user_ns();
	old = override_creds(loader_cred);
	err = progs_load(p, net, writer, image, len, &hdr);
	revert_creds(old);
	if (!err)
		err = progs_hold(p, net, hdr.nr_logs);
	if (err) {
		if (err == -EBADMSG)
			pr_err_ratelimited("the helper sent a malformed program image\n");
		bpfilter_progs_free(p);
		return ERR_PTR(err);
	}
	p->meta_value = container_of(p->meta, struct bpf_array, map)->pptrs[0];
	return p;
}

/**
 * bpfilter_progs_free - release programs and maps
 * @p: loaded programs, or NULL
 *
 * Hooks may still be running @p: programs and maps are freed only after
 * an RCU grace period once their last reference is put, @p itself too.
 */
void bpfilter_progs_free(struct bpfilter_progs *p)
{
	unsigned int hook, type, i;

	if (!p)
		return;
	for (hook = 0; hook < NF_INET_NUMHOOKS; hook++)
		if (p->prog[hook])
			bpf_prog_put(p->prog[hook]);
	if (p->counters)
		bpf_map_put(p->counters);
	if (p->meta)
		bpf_map_put(p->meta);
	if (p->state)
		bpf_map_put(p->state);
	for (i = 0; i < p->nr_class_maps; i++)
		bpf_map_put(p->class_maps[i]);
	kfree(p->class_maps);
	if (p->net)
		nf_ct_netns_put(p->net, NFPROTO_IPV4);
	for (type = 0; type < NF_LOG_TYPE_MAX; type++)
		if (p->loggers & BIT(type))
			nf_logger_put(NFPROTO_IPV4, type);
	kfree(p->logs);
	kfree(p->owners);
	kfree_rcu(p, rcu);
}

/**
 * bpfilter_progs_counter - entry @i's counters, summed over the CPUs
 * @p: loaded programs
 * @i: the entry's position in IPT_SO_GET_ENTRIES order
 * @sum: set to the sum
 *
 * Racy reads of counters still being added to, as x_tables' own
 * get_counters() makes them; each u64 is read whole.
 */
void bpfilter_progs_counter(const struct bpfilter_progs *p, u32 i,
			    struct xt_counters *sum)
{
	const struct bpf_array *array;
	const struct xt_counters *c;
	int cpu;

	sum->pcnt = 0;
	sum->bcnt = 0;
	if (i >= p->nr_entries)
		return;
	array = container_of(p->counters, struct bpf_array, map);
	for_each_possible_cpu(cpu) {
		c = per_cpu_ptr(array->pptrs[i], cpu);
		sum->pcnt += READ_ONCE(c->pcnt);
		sum->bcnt += READ_ONCE(c->bcnt);
	}
}
