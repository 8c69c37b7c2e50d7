// SPDX-License-Identifier: GPL-2.0
/*
 * The data plane: each namespace's filter table enforced at netfilter's
 * LOCAL_IN, FORWARD and LOCAL_OUT hooks, at NF_IP_PRI_FILTER as
 * iptable_filter registers them, by the programs the helper compiled.
 *
 * As with x_tables, the hooks exist from the moment a namespace's table
 * is instantiated (its initial table counts policy packets too) until
 * the namespace goes away or the module is removed.  A commit swaps the
 * namespace's programs under RCU: a packet is judged wholly by the old
 * programs or wholly by the new, and the old counters are read only
 * once no CPU can still be running the old programs.
 *
 * The programs and their counters belong to the module: a helper that
 * dies or is replaced takes nothing of the data plane with it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bpf.h>
#include <linux/delay.h>
#include <linux/moduleparam.h>
#include <linux/filter.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_LOG.h>
#include <linux/netfilter/xt_NFLOG.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/if_arp.h>
#include <linux/if_ether.h>
#include <linux/netfilter/xt_owner.h>
#include <net/icmp.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/sock.h>
#include <net/net_namespace.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/netfilter/nf_conntrack_ecache.h>
#include <net/netfilter/nf_log.h>
#include "kern.h"

static void meta_set_name(char *dst, const struct net_device *dev)
{
	if (dev)
		memcpy(dst, dev->name, IFNAMSIZ);
	else
		memset(dst, 0, IFNAMSIZ);
}

/* What xt_state and xt_conntrack read of the packet's conntrack entry. */
static void meta_set_ct(struct bpfilter_meta *m, const struct sk_buff *skb)
{
	const struct nf_conntrack_tuple *orig, *repl;
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct;
	unsigned long status;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct) {
		m->ct_flags = 0;
		m->ct_mark = 0;
		if (ctinfo == IP_CT_UNTRACKED) {
			m->state_bits = XT_STATE_UNTRACKED;
			m->ct_state_bits = XT_CONNTRACK_STATE_UNTRACKED;
		} else {
			m->state_bits = XT_STATE_INVALID;
			m->ct_state_bits = XT_CONNTRACK_STATE_INVALID;
		}
		return;
	}
	status = READ_ONCE(ct->status);
	m->state_bits = XT_STATE_BIT(ctinfo);
	m->ct_state_bits = XT_CONNTRACK_STATE_BIT(ctinfo);
	if (status & IPS_SRC_NAT)
		m->ct_state_bits |= XT_CONNTRACK_STATE_SNAT;
	if (status & IPS_DST_NAT)
		m->ct_state_bits |= XT_CONNTRACK_STATE_DNAT;
	m->ct_flags = BPFILTER_CT_PRESENT;
	if (CTINFO2DIR(ctinfo) == IP_CT_DIR_REPLY)
		m->ct_flags |= BPFILTER_CT_REPLY;
	m->ct_status = status;
#if IS_ENABLED(CONFIG_NF_CONNTRACK_MARK)
	m->ct_mark = READ_ONCE(ct->mark);
#endif
	m->ct_expires = nf_ct_expires(ct) / HZ;
	m->ct_l4proto = nf_ct_protonum(ct);
	orig = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	repl = &ct->tuplehash[IP_CT_DIR_REPLY].tuple;
	m->ct_orig_src = orig->src.u3.ip;
	m->ct_orig_dst = orig->dst.u3.ip;
	m->ct_repl_src = repl->src.u3.ip;
	m->ct_repl_dst = repl->dst.u3.ip;
	m->ct_orig_sport = orig->src.u.all;
	m->ct_orig_dport = orig->dst.u.all;
	m->ct_repl_sport = repl->src.u.all;
	m->ct_repl_dport = repl->dst.u.all;
}

/* owner_mt()'s group test of each --suppl-groups id set, whose ids the
 * loader made kernel ids.
 */
static u64 owner_groups(const struct bpfilter_progs *p, const struct cred *cred)
{
	const struct group_info *gi = cred->group_info;
	const struct bpfilter_image_owner *o;
	kgid_t min, max;
	u64 bits = 0;
	u32 i, g;

	for (i = 0; i < p->nr_owners && i < BPFILTER_OWNER_GROUPS_MAX; i++) {
		o = &p->owners[i];
		if (!(o->match & XT_OWNER_SUPPL_GROUPS))
			continue;
		min = KGIDT_INIT(o->gid_min);
		max = KGIDT_INIT(o->gid_max);
		if (gid_gte(cred->fsgid, min) && gid_lte(cred->fsgid, max)) {
			bits |= BIT_ULL(i);
			continue;
		}
		for (g = 0; gi && g < gi->ngroups; g++) {
			if (gid_gte(gi->gid[g], min) &&
			    gid_lte(gi->gid[g], max)) {
				bits |= BIT_ULL(i);
				break;
			}
		}
	}
	return bits;
}

/* What owner_mt() reads of the sending socket: whether there is one of
 * this namespace, with a file, and that file's fsuid and fsgid, kernel
 * ids as owner_mt() compares them (the programs' ids are relocated).
 */
static void meta_set_owner(struct bpfilter_meta *m, const struct sk_buff *skb,
			   const struct bpfilter_progs *p, const struct net *net)
{
	struct sock *sk = skb_to_full_sk(skb);
	const struct file *filp;

	m->owner_flags = 0;
	if (!sk || !sk->sk_socket || !net_eq(net, sock_net(sk)))
		return;
	m->owner_flags = BPFILTER_OWNER_SOCKET;
	read_lock_bh(&sk->sk_callback_lock);
	filp = sk->sk_socket ? sk->sk_socket->file : NULL;
	if (filp) {
		m->owner_flags |= BPFILTER_OWNER_FILE;
		m->owner_uid = __kuid_val(filp->f_cred->fsuid);
		m->owner_gid = __kgid_val(filp->f_cred->fsgid);
		if (p->needs & BPFILTER_NEED_OWNER_GROUPS)
			m->owner_groups = owner_groups(p, filp->f_cred);
	}
	read_unlock_bh(&sk->sk_callback_lock);
}

/* What mac_mt() requires before it compares: an Ethernet device's packet
 * with its whole Ethernet header between skb->head and skb->data.
 */
static u8 dev_ether(const struct sk_buff *skb)
{
	if (!skb->dev || skb->dev->type != ARPHRD_ETHER ||
	    !skb_mac_header_was_set(skb))
		return 0;
	return skb_mac_header(skb) >= skb->head &&
	       skb_mac_header(skb) + ETH_HLEN <= skb->data;
}

/* inet_dev_addr_type() of the addresses -m addrtype tests, per device. */
static void meta_set_addrtype(struct bpfilter_meta *m, u32 needs,
			      const struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	const struct net_device *devs[] = { NULL, state->in, state->out };
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int i, n;

	n = needs & BPFILTER_NEED_ADDRTYPE_IFACE ? ARRAY_SIZE(devs) : 1;
	for (i = 0; i < n; i++) {
		if (needs & BPFILTER_NEED_ADDRTYPE_SRC)
			m->addrtype[2 * i] = inet_dev_addr_type(state->net,
								devs[i],
								iph->saddr);
		if (needs & BPFILTER_NEED_ADDRTYPE_DST)
			m->addrtype[2 * i + 1] = inet_dev_addr_type(state->net,
								    devs[i],
								    iph->daddr);
	}
}

/* The LOG and NFLOG targets the program reached, in order, as log_tg()
 * and nflog_tg() log them:
 * with the mark the packet had when the rule was reached.
 */
static void run_logs(const struct bpfilter_progs *p,
		     const struct bpfilter_meta *m, struct sk_buff *skb,
		     const struct nf_hook_state *state)
{
	const struct bpfilter_image_log *log;
	struct nf_loginfo li;
	u32 i, n, mark = skb->mark;

	if (unlikely(m->actions & BPFILTER_ACT_LOGS_LOST))
		net_warn_ratelimited("a packet reached more than %u LOG rules: the others were not logged\n",
				     BPFILTER_META_LOGS);
	n = min_t(u32, m->nr_logs, BPFILTER_META_LOGS);
	for (i = 0; i < n; i++) {
		if (m->log[i].index >= p->nr_logs)
			continue;
		log = &p->logs[m->log[i].index];
		memset(&li, 0, sizeof(li));
		li.type = bpfilter_log_type(log);
		if (li.type == NF_LOG_TYPE_LOG) {
			li.u.log.level = log->level;
			li.u.log.logflags = log->logflags;
		} else {
			li.u.ulog.copy_len = log->copy_len;
			li.u.ulog.group = log->group;
			li.u.ulog.qthreshold = log->qthreshold;
			if (log->flags & XT_NFLOG_F_COPY_LEN)
				li.u.ulog.flags |= NF_LOG_F_COPY_LEN;
		}
		skb->mark = m->log[i].mark;
		nf_log_packet(state->net, NFPROTO_IPV4, state->hook, skb,
			      state->in, state->out, &li, "%s", log->prefix);
	}
	skb->mark = mark;
}

/* connmark_tg_shift()'s write, of the mark CONNMARK rules left in @m. */
static void set_ct_mark(const struct bpfilter_meta *m, struct sk_buff *skb)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK_MARK)
	enum ip_conntrack_info ctinfo;
	struct nf_conn *ct = nf_ct_get(skb, &ctinfo);

	if (ct && READ_ONCE(ct->mark) != m->ct_mark) {
		WRITE_ONCE(ct->mark, m->ct_mark);
		nf_conntrack_event_cache(IPCT_MARK, ct);
	}
#endif
}

/* reject_tg(): what ipt_REJECT sends for @with; the packet is dropped. */
static void run_reject(struct sk_buff *skb, const struct nf_hook_state *state,
		       u32 with)
{
	static const u8 codes[] = {
		[IPT_ICMP_NET_UNREACHABLE] = ICMP_NET_UNREACH,
		[IPT_ICMP_HOST_UNREACHABLE] = ICMP_HOST_UNREACH,
		[IPT_ICMP_PROT_UNREACHABLE] = ICMP_PROT_UNREACH,
		[IPT_ICMP_PORT_UNREACHABLE] = ICMP_PORT_UNREACH,
		[IPT_ICMP_NET_PROHIBITED] = ICMP_NET_ANO,
		[IPT_ICMP_HOST_PROHIBITED] = ICMP_HOST_ANO,
		[IPT_ICMP_ADMIN_PROHIBITED] = ICMP_PKT_FILTERED,
	};

	if (with == IPT_TCP_RESET)
		nf_send_reset(state->net, state->sk, skb, state->hook);
	else if (with < ARRAY_SIZE(codes) && with != IPT_ICMP_ECHOREPLY)
		nf_send_unreach(skb, codes[with], state->hook);
}

/* What a SCHED_CLS program could change of the skb besides the mark,
 * were it not for the instruction scan (kern_image.c): saved before the
 * run and put back after it, as tc keeps its own parts of the skb.
 * skb->cb holds the IP layer's control block (IPCB()) here, which
 * bpf_compute_data_pointers() and __sk_buff.cb[] would overwrite.
 */
struct skb_saved {
	char cb[sizeof_field(struct sk_buff, cb)];
	ktime_t tstamp;
	u32 priority;
	u16 queue_mapping;
#ifdef CONFIG_NET_SCHED
	u16 tc_index;
#endif
	u8 mono_delivery_time;
};

static void skb_save(struct skb_saved *s, const struct sk_buff *skb)
{
	memcpy(s->cb, skb->cb, sizeof(s->cb));
	s->tstamp = skb->tstamp;
	s->priority = skb->priority;
	s->queue_mapping = skb->queue_mapping;
#ifdef CONFIG_NET_SCHED
	s->tc_index = skb->tc_index;
#endif
	s->mono_delivery_time = skb->mono_delivery_time;
}

static void skb_restore(struct sk_buff *skb, const struct skb_saved *s)
{
	memcpy(skb->cb, s->cb, sizeof(s->cb));
	skb->tstamp = s->tstamp;
	skb->priority = s->priority;
	skb->queue_mapping = s->queue_mapping;
#ifdef CONFIG_NET_SCHED
	skb->tc_index = s->tc_index;
#endif
	skb->mono_delivery_time = s->mono_delivery_time;
}

/* A program run as tc runs a classifier: with the data pointers computed
 * and the skb's other owners' state kept.
 */
static u32 run_prog(const struct bpf_prog *prog, struct sk_buff *skb)
{
	struct skb_saved saved;
	u32 ret;

	skb_save(&saved, skb);
	bpf_compute_data_pointers(skb);
	ret = bpf_prog_run(prog, skb);
	skb_restore(skb, &saved);
	return ret;
}

static unsigned int hook_delay_us;
module_param(hook_delay_us, uint, 0600);
MODULE_PARM_DESC(hook_delay_us,
		 "for tests only: a delay in the hook between taking the programs and running them");

static unsigned int bpfilter_hook(void *priv, struct sk_buff *skb,
				  const struct nf_hook_state *state)
{
	struct bpfilter_dp *dp = priv;
	struct bpfilter_progs *p;
	struct bpfilter_meta *meta;
	struct bpf_prog *prog;
	unsigned int delay;
	u32 ret;

	/* Netfilter runs hooks under rcu_read_lock(). */
	p = rcu_dereference(dp->progs);
	prog = p ? p->prog[state->hook] : NULL;
	if (!prog)
		return NF_ACCEPT;
	/* Widens the window in which a commit may release what this CPU
	 * is about to run, count into and log from (tests only).
	 */
	delay = READ_ONCE(hook_delay_us);
	if (unlikely(delay))
		udelay(delay);

	/* As ipt_do_table(): no softirq on this CPU between writing the
	 * metadata and the program's prologue reading it.
	 */
	local_bh_disable();
	meta = this_cpu_ptr(p->meta_value);
	meta_set_name(meta->in, state->in);
	meta_set_name(meta->out, state->out);
	if (p->needs & BPFILTER_NEED_CT)
		meta_set_ct(meta, skb);
	if (p->needs & BPFILTER_NEED_ETHER)
		meta->dev_ether = dev_ether(skb);
	if (p->needs & BPFILTER_NEED_OWNER)
		meta_set_owner(meta, skb, p, state->net);
	if (p->needs & (BPFILTER_NEED_ADDRTYPE_SRC | BPFILTER_NEED_ADDRTYPE_DST))
		meta_set_addrtype(meta, p->needs, skb, state);
	meta->actions = 0;
	meta->nr_logs = 0;
	ret = run_prog(prog, skb);
	/* The records first: each reports the connection mark its rule saw. */
	if (unlikely(meta->nr_logs || meta->actions & BPFILTER_ACT_LOGS_LOST))
		run_logs(p, meta, skb, state);
	if (unlikely(meta->actions & BPFILTER_ACT_CT_MARK))
		set_ct_mark(meta, skb);
	local_bh_enable();
	if (ret == NF_ACCEPT)
		return NF_ACCEPT;
	if (ret >= BPFILTER_RET_REJECT)
		run_reject(skb, state, ret - BPFILTER_RET_REJECT);
	return NF_DROP;
}

static const unsigned int filter_hooks[] = {
	NF_INET_LOCAL_IN, NF_INET_FORWARD, NF_INET_LOCAL_OUT,
};

void bpfilter_dp_init(struct bpfilter_dp *dp)
{
	unsigned int i;

	mutex_init(&dp->lock);
	spin_lock_init(&dp->swap_lock);
	RCU_INIT_POINTER(dp->progs, NULL);
	for (i = 0; i < ARRAY_SIZE(filter_hooks); i++) {
		dp->ops[i] = (struct nf_hook_ops) {
			.hook = bpfilter_hook,
			.priv = dp,
			.pf = NFPROTO_IPV4,
			.hooknum = filter_hooks[i],
			.priority = NF_IP_PRI_FILTER,
		};
	}
}

/**
 * bpfilter_dp_hook - register a namespace's hooks, once
 * @net: the namespace, whose dp lock the caller holds
 *
 * Before its first programs are in force, a namespace's hooks accept
 * every packet, as if they were not there.
 *
 * Return: 0 or the errno of nf_register_net_hooks() (logged).
 */
int bpfilter_dp_hook(struct net *net)
{
	struct bpfilter_dp *dp = &bpfilter_net(net)->dp;
	int err;

	lockdep_assert_held(&dp->lock);
	if (dp->hooked)
		return 0;
	err = nf_register_net_hooks(net, dp->ops, ARRAY_SIZE(dp->ops));
	if (err) {
		net_warn_ratelimited("cannot register the netfilter hooks: %d\n",
				     err);
		return err;
	}
	dp->hooked = true;
	return 0;
}

/**
 * bpfilter_dp_swap - put a namespace's programs in force
 * @net: the namespace
 * @p: its new programs
 *
 * Return: the programs @p replaced, or NULL.  CPUs may still be running
 * them until an RCU grace period has passed.
 */
struct bpfilter_progs *bpfilter_dp_swap(struct net *net,
					struct bpfilter_progs *p)
{
	struct bpfilter_dp *dp = &bpfilter_net(net)->dp;
	struct bpfilter_progs *old;

	spin_lock(&dp->swap_lock);
	old = rcu_replace_pointer(dp->progs, p,
				  lockdep_is_held(&dp->swap_lock));
	spin_unlock(&dp->swap_lock);
	return old;
}

/**
 * bpfilter_dp_active - the programs in force
 * @net: the namespace, whose dp lock the caller holds
 */
struct bpfilter_progs *bpfilter_dp_active(struct net *net)
{
	struct bpfilter_dp *dp = &bpfilter_net(net)->dp;

	/* Swaps under @lock, or by the I/O thread for calls already done. */
	return rcu_dereference_protected(dp->progs,
					 lockdep_is_held(&dp->lock));
}

/**
 * bpfilter_progs_add_counters - add live counters to a counters array
 * @p: programs, or NULL
 * @c: @n counters, in entry order
 * @n: how many
 */
void bpfilter_progs_add_counters(const struct bpfilter_progs *p,
				 struct xt_counters *c, unsigned int n)
{
	struct xt_counters sum;
	unsigned int i;

	if (!p)
		return;
	for (i = 0; i < n && i < p->nr_entries; i++) {
		bpfilter_progs_counter(p, i, &sum);
		c[i].pcnt += sum.pcnt;
		c[i].bcnt += sum.bcnt;
	}
}

/**
 * bpfilter_progs_add_entries - add live counters to IPT_SO_GET_ENTRIES
 * @p: programs, or NULL
 * @reply: the helper's reply: struct ipt_get_entries and its entries
 * @len: the reply's length
 *
 * The helper's counters hold what IPT_SO_SET_ADD_COUNTERS added; the
 * programs' hold what the packets added since the commit.
 *
 * Return: 0, or -EBADMSG if the entries do not fit the reply.
 */
int bpfilter_progs_add_entries(const struct bpfilter_progs *p, void *reply,
			       size_t len)
{
	struct ipt_get_entries *ge = reply;
	struct xt_counters sum;
	struct ipt_entry *e;
	size_t off, end;
	u32 i = 0;

	if (!p || len < sizeof(*ge))
		return 0;
	end = min_t(size_t, ge->size, len - sizeof(*ge));
	for (off = 0; off + sizeof(*e) <= end; off += e->next_offset, i++) {
		e = (void *)ge->entrytable + off;
		if (e->next_offset < sizeof(*e))
			return -EBADMSG;
		bpfilter_progs_counter(p, i, &sum);
		e->counters.pcnt += sum.pcnt;
		e->counters.bcnt += sum.bcnt;
	}
	return 0;
}

/**
 * bpfilter_dp_stats - what the data plane holds
 * @stats: namespaces with programs, their instructions and counters
 */
void bpfilter_dp_stats(struct bpfilter_module_stats *stats)
{
	const struct bpfilter_progs *p;
	struct net *net;

	down_read(&net_rwsem);
	rcu_read_lock();
	for_each_net(net) {
		p = rcu_dereference(bpfilter_net(net)->dp.progs);
		if (!p)
			continue;
		stats->dp_netns++;
		stats->dp_insns += p->nr_insns;
		stats->dp_entries += p->nr_entries;
	}
	rcu_read_unlock();
	up_read(&net_rwsem);
}

/* Netfilter's hooks go first, before the RCU grace period of a
 * namespace's exit; the programs afterwards, in bpfilter_dp_exit().
 */
void bpfilter_dp_pre_exit(struct net *net)
{
	struct bpfilter_dp *dp = &bpfilter_net(net)->dp;

	if (dp->hooked)
		nf_unregister_net_hooks(net, dp->ops, ARRAY_SIZE(dp->ops));
	dp->hooked = false;
}

/* The namespace's hooks are gone since pre_exit, and an RCU grace
 * period has passed since: no CPU runs its programs.
 */
void bpfilter_dp_exit(struct net *net)
{
	struct bpfilter_dp *dp = &bpfilter_net(net)->dp;

	bpfilter_progs_destroy(rcu_dereference_protected(dp->progs, true));
	RCU_INIT_POINTER(dp->progs, NULL);
	mutex_destroy(&dp->lock);
}
