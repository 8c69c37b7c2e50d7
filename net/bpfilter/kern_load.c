// SPDX-License-Identifier: GPL-2.0
/*
 * Loading what the helper compiled: the module, not the confined helper,
 * creates the maps and loads the programs of a program image (the
 * BPFILTER_CMD_COMPILE reply, see msgfmt.h).
 *
 * The image is checked first, every byte and every instruction
 * (kern_image.c).  Maps and programs are then made with kern_sys_bpf()
 * under credentials holding only CAP_BPF and CAP_NET_ADMIN in the
 * initial user namespace: enough for a SCHED_CLS program, and without
 * CAP_PERFMON or CAP_SYS_ADMIN the verifier keeps its Spectre hardening
 * and refuses pointer leaks.
 *
 * This runs on the module's I/O thread (kern_helper.c), never in a
 * caller's task: kern_sys_bpf() puts file descriptors in the calling
 * task's table, and in a caller's table a sibling thread could dup()
 * them or put other objects in their place before they are taken back.
 * The I/O thread has a file table of its own, shared with no process,
 * and charges what it allocates here to the caller's memory cgroup
 * (set_active_memcg()).  Every object taken back by fd is checked all
 * the same: each map's type, sizes and flags, each program's type and
 * the exact set of maps the verifier bound to it.
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
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/slab.h>
#include <linux/netfilter/xt_owner.h>
#include <linux/uidgid.h>
#include <linux/workqueue.h>
#include <net/net_namespace.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_log.h>
#include "kern.h"
#include "kern_image.h"

static const struct cred *loader_cred;
static struct workqueue_struct *release_wq;

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

	release_wq = alloc_workqueue("bpfilter_release", 0, 0);
	if (!release_wq)
		return -ENOMEM;
	cred = prepare_kernel_cred(NULL);
	if (!cred) {
		destroy_workqueue(release_wq);
		return -ENOMEM;
	}
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

/* Once no new release can be queued: waits for those under way. */
void bpfilter_loader_exit(void)
{
	/* queue_rcu_work() queues from an RCU callback: let them all run. */
	rcu_barrier();
	destroy_workqueue(release_wq);
	put_cred(loader_cred);
	loader_cred = NULL;
}

/* The map the loader asked for, or an error: a check of what came back. */
static struct bpf_map *map_take(int fd, const union bpf_attr *want)
{
	struct bpf_map *map = bpf_map_get(fd);

	if (IS_ERR(map))
		return map;
	if (map->map_type != want->map_type ||
	    map->key_size != want->key_size ||
	    map->value_size != want->value_size ||
	    map->max_entries != want->max_entries ||
	    map->map_flags != want->map_flags) {
		bpf_map_put(map);
		pr_err_ratelimited("a map came back other than created\n");
		return ERR_PTR(-EBADF);
	}
	return map;
}

static const char *const map_names[BPFILTER_IMAGE_MAPS] = {
	[BPFILTER_IMAGE_MAP_COUNTERS] = "bpfilter_cnt",
	[BPFILTER_IMAGE_MAP_META] = "bpfilter_meta",
	[BPFILTER_IMAGE_MAP_STATE] = "bpfilter_state",
};

/* Map @index of the image, created in this task's file table as @fd. */
static int map_create(struct bpfilter_progs *p, u32 index, u32 type,
		      u32 key_size, u32 value_size, u32 max_entries,
		      u32 flags, int *fd)
{
	union bpf_attr attr = {
		.map_type = type,
		.key_size = key_size,
		.value_size = value_size,
		.max_entries = max_entries,
		.map_flags = flags,
	};
	struct bpf_map *map;

	strscpy(attr.map_name, index < BPFILTER_IMAGE_MAPS ?
		map_names[index] : "bpfilter_class", sizeof(attr.map_name));
	*fd = kern_sys_bpf(BPF_MAP_CREATE, &attr, sizeof(attr));
	if (*fd < 0)
		return *fd;
	map = map_take(*fd, &attr);
	if (IS_ERR(map))
		return PTR_ERR(map);
	p->maps[index] = map;
	return 0;
}

/* A classifier map of the image, created and filled; read-only for the
 * programs.  LPM tries must be created without preallocation.
 */
static int class_map_load(struct bpfilter_progs *p, void *image, size_t *off,
			  u32 index, int *fd)
{
	struct bpfilter_image_class_map m;
	union bpf_attr attr;
	u32 flags = BPF_F_RDONLY_PROG;
	void *keys, *values;
	u32 i;
	int err;

	memcpy(&m, image + *off, sizeof(m));
	*off += sizeof(m);
	if (m.type == BPF_MAP_TYPE_LPM_TRIE)
		flags |= BPF_F_NO_PREALLOC;
	err = map_create(p, index, m.type, m.key_size,
			 sizeof(struct bpfilter_image_class_value), m.nr_elems,
			 flags, fd);
	if (err)
		return err;

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
	*off += bpfilter_image_class_map_data(&m);
	return 0;
}

/* The maps bound to @prog are exactly those its relocations name. */
static bool prog_maps_ok(struct bpf_prog *prog, struct bpf_map **maps,
			 const struct bpfilter_image_prog_view *pv)
{
	struct bpf_prog_aux *aux = prog->aux;
	bool ok;
	u32 i, j;

	mutex_lock(&aux->used_maps_mutex);
	ok = aux->used_map_cnt == pv->nr_maps;
	for (i = 0; ok && i < aux->used_map_cnt; i++) {
		for (j = 0; j < pv->nr_maps; j++)
			if (aux->used_maps[i] == maps[pv->maps[j]])
				break;
		ok = j < pv->nr_maps;
	}
	mutex_unlock(&aux->used_maps_mutex);
	return ok;
}

static struct bpf_prog *prog_load(const struct bpfilter_image_prog_view *pv,
				  struct bpf_map **maps)
{
	union bpf_attr attr = {
		.prog_type = BPF_PROG_TYPE_SCHED_CLS,
		.insn_cnt = pv->nr_insns,
		.insns = (u64)(unsigned long)pv->insns,
		.license = (u64)(unsigned long)"GPL",
	};
	struct bpf_prog *prog;
	int fd;

	strscpy(attr.prog_name, prog_names[pv->hook], sizeof(attr.prog_name));
	fd = kern_sys_bpf(BPF_PROG_LOAD, &attr, sizeof(attr));
	if (fd < 0) {
		/* An in-kernel load gets no verifier log: say what we know. */
		net_warn_ratelimited("the BPF verifier refused the %u instruction program for hook %u: %d\n",
				     pv->nr_insns, pv->hook, fd);
		return ERR_PTR(fd);
	}
	prog = bpf_prog_get_type_dev(fd, BPF_PROG_TYPE_SCHED_CLS, false);
	close_fd(fd);
	if (!IS_ERR(prog) && !prog_maps_ok(prog, maps, pv)) {
		bpf_prog_put(prog);
		pr_err_ratelimited("a program came back bound to other maps than its image names\n");
		prog = ERR_PTR(-EBADF);
	}
	return prog;
}

/* As owner_check(), of the -m owner id sets, whose ids become kernel ids
 * in @kids (uid_min, uid_max, gid_min, gid_max of each set): what the
 * programs compare and the hook tests supplementary groups against.
 * @writer: the caller's user namespace.
 */
static int owners_map(struct net *net, struct user_namespace *writer,
		      const struct bpfilter_image_owner *owners, u32 n,
		      struct bpfilter_image_owner *kids)
{
	struct user_namespace *ns = net->user_ns;
	const struct bpfilter_image_owner *o;
	u32 i;

	for (i = 0; i < n; i++) {
		o = &owners[i];
		kids[i] = (struct bpfilter_image_owner) {
			.uid_min = __kuid_val(make_kuid(ns, o->uid_min)),
			.uid_max = __kuid_val(make_kuid(ns, o->uid_max)),
			.gid_min = __kgid_val(make_kgid(ns, o->gid_min)),
			.gid_max = __kgid_val(make_kgid(ns, o->gid_max)),
			.match = o->match,
		};
		/* Only the writer's own user namespace, as x_tables. */
		if (o->match & (XT_OWNER_UID | XT_OWNER_GID) && writer != ns)
			goto refuse;
		if (o->match & XT_OWNER_UID &&
		    (!uid_valid(KUIDT_INIT(kids[i].uid_min)) ||
		     !uid_valid(KUIDT_INIT(kids[i].uid_max)) ||
		     o->uid_max < o->uid_min ||
		     kids[i].uid_max < kids[i].uid_min))
			goto refuse;
		if (o->match & XT_OWNER_GID &&
		    (!gid_valid(KGIDT_INIT(kids[i].gid_min)) ||
		     !gid_valid(KGIDT_INIT(kids[i].gid_max)) ||
		     o->gid_max < o->gid_min ||
		     kids[i].gid_max < kids[i].gid_min))
			goto refuse;
	}
	return 0;
refuse:
	net_warn_ratelimited("owner match: ids not valid in the namespace's user namespace, or another user namespace's writer\n");
	return -EINVAL;
}

/* Field @field of @o, in msgfmt.h's BPFILTER_IMAGE_RELOC_OWNER_ID order. */
static u32 owner_id(const struct bpfilter_image_owner *o, u32 field)
{
	switch (field) {
	case 0:
		return o->uid_min;
	case 1:
		return o->uid_max;
	case 2:
		return o->gid_min;
	default:
		return o->gid_max;
	}
}

/* Map fds and kernel ids into the instructions. */
static void prog_relocate(const struct bpfilter_image_prog_view *pv,
			  const int *map_fds,
			  const struct bpfilter_image_owner *kids)
{
	const struct bpfilter_image_reloc *r;
	u32 i;

	for (i = 0; i < pv->nr_relocs; i++) {
		r = &pv->relocs[i];
		if (r->kind == BPFILTER_IMAGE_RELOC_MAP_FD) {
			pv->insns[r->insn].imm = map_fds[r->index];
			continue;
		}
		pv->insns[r->insn].imm = owner_id(&kids[r->index / 4],
						  r->index % 4);
	}
}

/* The LOG and NFLOG parameters the hook reads, and the IPv4 logger
 * and conntrack in @net, held while the programs live, as xt_LOG's and
 * xt_conntrack's checkentry take them for a rule's lifetime.
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

static int progs_hold(struct bpfilter_progs *p, struct net *net,
		      const struct bpfilter_image_view *v)
{
	u32 i, want = 0;
	int err;

	if (v->hdr.nr_logs) {
		p->logs = kmemdup(v->logs, v->hdr.nr_logs * sizeof(*v->logs),
				  GFP_KERNEL_ACCOUNT);
		if (!p->logs)
			return -ENOMEM;
		p->nr_logs = v->hdr.nr_logs;
	}
	for (i = 0; i < p->nr_logs; i++)
		want |= BIT(bpfilter_log_type(&p->logs[i]));
	for (i = 0; i < NF_LOG_TYPE_MAX; i++) {
		if (!(want & BIT(i)))
			continue;
		err = logger_get(i);
		if (err)
			return err;
		p->loggers |= BIT(i);
	}
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

static int progs_load(struct bpfilter_progs *p, void *image,
		      const struct bpfilter_image_view *v, int *map_fds)
{
	const struct bpfilter_image_prog_view *pv;
	size_t off = v->class_maps;
	struct bpf_prog *prog;
	u32 i;
	int err;

	err = map_create(p, BPFILTER_IMAGE_MAP_COUNTERS,
			 BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(u32),
			 sizeof(struct xt_counters), v->hdr.nr_entries, 0,
			 &map_fds[BPFILTER_IMAGE_MAP_COUNTERS]);
	if (!err)
		err = map_create(p, BPFILTER_IMAGE_MAP_META,
				 BPF_MAP_TYPE_PERCPU_ARRAY, sizeof(u32),
				 sizeof(struct bpfilter_meta), 1, 0,
				 &map_fds[BPFILTER_IMAGE_MAP_META]);
	/* Shared by all CPUs, as x_tables shares a rule's bucket. */
	if (!err && v->hdr.nr_states)
		err = map_create(p, BPFILTER_IMAGE_MAP_STATE,
				 BPF_MAP_TYPE_ARRAY, sizeof(u32),
				 sizeof(struct bpfilter_limit_state),
				 v->hdr.nr_states, 0,
				 &map_fds[BPFILTER_IMAGE_MAP_STATE]);
	for (i = 0; !err && i < v->hdr.nr_class_maps; i++)
		err = class_map_load(p, image, &off, BPFILTER_IMAGE_MAPS + i,
				     &map_fds[BPFILTER_IMAGE_MAPS + i]);
	if (err)
		return err;

	for (i = 0; i < v->hdr.nr_progs; i++) {
		pv = &v->progs[i];
		prog_relocate(pv, map_fds, p->owners);
		prog = prog_load(pv, p->maps);
		if (IS_ERR(prog))
			return PTR_ERR(prog);
		p->prog[pv->hook] = prog;
		p->nr_insns += pv->nr_insns;
	}
	return 0;
}

/**
 * bpfilter_progs_load - load a program image
 * @net: the namespace the programs will run in
 * @writer: the user namespace of the caller whose table this is
 * @image: the COMPILE reply, the module's own copy; relocated in place
 * @len: its length
 *
 * Runs on the I/O thread, which has a file table of its own and charges
 * the caller's memory cgroup.
 *
 * Return: the loaded programs and their maps, or an ERR_PTR(): the code
 * generator's or the verifier's errno (logged), that of
 * nf_logger_find_get() or nf_ct_netns_get() (logged), -EINVAL for -m
 * owner ids as x_tables refuses them (logged), -EBADMSG for an image
 * that breaks the format or uses what the code generator never emits
 * (logged; the helper must be replaced), -ENOMEM.
 */
struct bpfilter_progs *bpfilter_progs_load(struct net *net,
					   struct user_namespace *writer,
					   void *image, size_t len)
{
	struct bpfilter_image_view *v;
	struct bpfilter_progs *p = NULL;
	const struct cred *old;
	int *map_fds = NULL;
	u32 i, nr_maps;
	int err;

	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v)
		return ERR_PTR(-ENOMEM);
	err = bpfilter_image_check(image, len, FILTER_HOOKS, v);
	if (err == -EBADMSG) {
		pr_err_ratelimited("the helper sent a malformed program image: %s\n",
				   v->why);
		goto out;
	}
	if (err) {
		net_warn_ratelimited("the table cannot be compiled: %d\n", err);
		goto out;
	}
	if (!IS_ENABLED(CONFIG_NF_CONNTRACK_MARK) &&
	    v->hdr.needs & BPFILTER_NEED_CT_MARK) {
		net_warn_ratelimited("connmark, CONNMARK: this kernel has no CONFIG_NF_CONNTRACK_MARK\n");
		err = -ENOENT;
		goto out;
	}

	err = -ENOMEM;
	nr_maps = BPFILTER_IMAGE_MAPS + v->hdr.nr_class_maps;
	map_fds = kmalloc_array(nr_maps, sizeof(*map_fds), GFP_KERNEL);
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!map_fds || !p)
		goto out;
	for (i = 0; i < nr_maps; i++)
		map_fds[i] = -1;
	p->nr_entries = v->hdr.nr_entries;
	p->needs = v->hdr.needs;
	p->maps = kcalloc(nr_maps, sizeof(*p->maps), GFP_KERNEL_ACCOUNT);
	if (!p->maps)
		goto out;
	p->nr_maps = nr_maps;
	if (v->hdr.nr_owners) {
		p->owners = kmalloc_array(v->hdr.nr_owners, sizeof(*p->owners),
					  GFP_KERNEL_ACCOUNT);
		if (!p->owners)
			goto out;
		p->nr_owners = v->hdr.nr_owners;
		err = owners_map(net, writer, v->owners, p->nr_owners,
				 p->owners);
		if (err)
			goto out;
	}

	old = override_creds(loader_cred);
	err = progs_load(p, image, v, map_fds);
	revert_creds(old);
	for (i = 0; i < nr_maps; i++)
		if (map_fds[i] >= 0)
			close_fd(map_fds[i]);
	if (err == -EBADMSG)
		pr_err_ratelimited("the helper sent a malformed program image: a classifier element the map refuses\n");
	if (!err)
		err = progs_hold(p, net, v);
	if (!err) {
		p->counters = p->maps[BPFILTER_IMAGE_MAP_COUNTERS];
		p->meta_value = container_of(p->maps[BPFILTER_IMAGE_MAP_META],
					     struct bpf_array, map)->pptrs[0];
	}
out:
	kfree(map_fds);
	kfree(v);
	if (err) {
		/* Never in force: no CPU can be running it. */
		bpfilter_progs_destroy(p);
		return ERR_PTR(err);
	}
	return p;
}

/* Fault injection: what a compromised helper might send. */
enum fault_image {
	FAULT_NONE,
	FAULT_HELPER,		/* a call of bpf_skb_store_bytes */
	FAULT_CTX_CB,		/* a store to __sk_buff.cb[0] */
	FAULT_MAP_UNLISTED,	/* a map fd no relocation names */
	FAULT_KFUNC,		/* a kfunc call */
	FAULT_MAX,
};

static unsigned int fault_image;
module_param(fault_image, uint, 0600);
MODULE_PARM_DESC(fault_image,
		 "for tests only: make the next program image hostile, as a compromised helper might: 1 a forbidden helper call, 2 a store to __sk_buff.cb[0], 3 an unlisted map fd, 4 a kfunc call");

/* The first helper call of @pv, or NULL. */
static struct bpf_insn *first_helper_call(const struct bpfilter_image_prog_view *pv)
{
	u32 i;

	for (i = 0; i < pv->nr_insns; i++)
		if (pv->insns[i].code == (BPF_JMP | BPF_CALL) &&
		    !pv->insns[i].src_reg)
			return &pv->insns[i];
	return NULL;
}

/**
 * bpfilter_fault_image - corrupt an image as fault_image says, once
 * @image: a COMPILE reply
 * @len: its length
 *
 * Changes the first program's code, which the instruction scan must
 * then refuse; an image the scan refuses already is left alone.
 */
void bpfilter_fault_image(void *image, size_t len)
{
	unsigned int fault = xchg(&fault_image, FAULT_NONE);
	struct bpfilter_image_prog_view *pv;
	struct bpfilter_image_view *v;
	struct bpf_insn *insn;

	if (fault == FAULT_NONE || fault >= FAULT_MAX)
		return;
	v = kmalloc(sizeof(*v), GFP_KERNEL);
	if (!v || bpfilter_image_check(image, len, FILTER_HOOKS, v))
		goto out;
	pv = &v->progs[0];
	insn = first_helper_call(pv);
	switch (fault) {
	case FAULT_HELPER:
		if (insn)
			insn->imm = BPF_FUNC_skb_store_bytes;
		break;
	case FAULT_CTX_CB:
		/* The prologue's second instruction reads the length. */
		pv->insns[1] = (struct bpf_insn) {
			.code = BPF_STX | BPF_MEM | BPF_W,
			.dst_reg = BPF_REG_6, .src_reg = BPF_REG_2,
			.off = offsetof(struct __sk_buff, cb[0]),
		};
		break;
	case FAULT_MAP_UNLISTED:
		/* Over the two prologue instructions after it. */
		if (pv->nr_insns > 3 &&
		    (!pv->nr_relocs || pv->relocs[0].insn > 2)) {
			pv->insns[1] = (struct bpf_insn) {
				.code = BPF_LD | BPF_IMM | BPF_DW,
				.dst_reg = BPF_REG_2,
				.src_reg = BPF_PSEUDO_MAP_FD,
			};
			pv->insns[2] = (struct bpf_insn) {};
		}
		break;
	case FAULT_KFUNC:
		if (insn)
			insn->src_reg = BPF_PSEUDO_KFUNC_CALL;
		break;
	}
	pr_info("fault injection: program image made hostile (%u)\n", fault);
out:
	kfree(v);
}

/**
 * bpfilter_progs_destroy - release programs no CPU can be running
 * @p: programs never put in force, or out of force since an RCU grace
 *	period; or NULL
 */
void bpfilter_progs_destroy(struct bpfilter_progs *p)
{
	unsigned int hook, type, i;

	if (!p)
		return;
	for (hook = 0; hook < NF_INET_NUMHOOKS; hook++)
		if (p->prog[hook])
			bpf_prog_put(p->prog[hook]);
	for (i = 0; i < p->nr_maps; i++)
		if (p->maps[i])
			bpf_map_put(p->maps[i]);
	kfree(p->maps);
	if (p->net)
		nf_ct_netns_put(p->net, NFPROTO_IPV4);
	for (type = 0; type < NF_LOG_TYPE_MAX; type++)
		if (p->loggers & BIT(type))
			nf_logger_put(NFPROTO_IPV4, type);
	kfree(p->logs);
	kfree(p->owners);
	kfree(p);
}

static void progs_release(struct work_struct *work)
{
	struct bpfilter_progs *p = container_of(to_rcu_work(work),
						struct bpfilter_progs,
						release);
	struct net *net = p->net;

	bpfilter_progs_destroy(p);
	if (net)
		put_net(net);
}

/**
 * bpfilter_progs_free - release programs once no CPU can run them
 * @p: programs, or NULL; its namespace, if it holds conntrack there, is
 *	alive (the caller holds a reference)
 *
 * Hooks may still be running @p: everything it holds (programs, maps,
 * the LOG parameters and -m owner ids the hook reads, loggers,
 * conntrack) is released after an RCU grace period, in process context.
 * The namespace is held until then.
 */
void bpfilter_progs_free(struct bpfilter_progs *p)
{
	if (!p)
		return;
	if (p->net)
		get_net(p->net);
	INIT_RCU_WORK(&p->release, progs_release);
	queue_rcu_work(release_wq, &p->release);
}

/**
 * bpfilter_progs_counter - entry @i's counters, summed over the CPUs
 * @p: loaded programs
 * @i: the entry's position in IPT_SO_GET_ENTRIES order
 * @sum: set to the sum
 *
 * Racy reads of counters still being added to, as x_tables' own
 * get_counters() makes them, but without its per-CPU seqcount: each u64
 * is read whole, and a packet being counted on another CPU may show in
 * the packet count before its bytes do.  Once the programs are out of
 * force (a replace's old counters), the sums are exact.
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
