// SPDX-License-Identifier: GPL-2.0
/*
 * sched-cls-load: the SCHED_CLS flavour on this machine's kernel, as
 * bpfilter.ko will load it on 6.1.
 *
 * Run in a network namespace whose x_tables filter table holds a
 * ruleset (test_sched_cls.sh loads each of nf_corpus/ with
 * iptables-legacy-restore).  The table is read back (GET_INFO,
 * GET_ENTRIES) and sent to bpfilter's core as a COMPILE candidate; the
 * reply is parsed as the module parses it (image_parse.c) and must be
 * byte for byte what a COMPILE of the same table once committed gives.
 * Then, with only CAP_BPF and CAP_NET_ADMIN effective (the module's
 * loader credentials), the two maps are created, the map fds patched in
 * and every program loaded as BPF_PROG_TYPE_SCHED_CLS: the verifier,
 * without CAP_PERFMON, keeps its Spectre checks and refuses
 * variable-offset stack access, as it will on 6.1.
 *
 * Last, the programs run on every packet of pkt_corpus.c with
 * BPF_PROG_TEST_RUN beside the netfilter-link flavour's (whose results
 * nf-diff holds to x_tables'): same verdicts, same counters.  A SCHED_CLS
 * test run starts the skb's data at the Ethernet header, so the same
 * instructions are loaded a second time as BPF_PROG_TYPE_SOCKET_FILTER,
 * whose test run starts it at L3, as the module's hooks do; what they
 * read (__sk_buff.len, bpf_skb_load_bytes(), the maps) is the same.
 * The netfilter test run has no input device and "lo" as output device
 * (it takes no devices from the caller); the meta map says the same.
 * With --devices, the table is sched_cls_devices.rules, and its FORWARD
 * program also runs with other devices in the meta map, against the
 * verdicts that file states.  With --limit, it is limit_flood.rules
 * (10/s, burst 5), and the INPUT program runs an echo request with
 * chosen bucket states (below).  With --link, the table is
 * sched_cls_link.rules (-m mac, which the netfilter-link flavour cannot
 * compile, mark, pkttype): no comparison, its FORWARD program runs on
 * packets with chosen Ethernet addresses, input device and mark against
 * the verdicts x_tables gives them, stated below.
 *
 * With --packets FILE, the packets compared are those FILE lists
 * (pkt_list_read(), nf_gen.c's large tables) instead of the corpus; with
 * --todo REASON as well, a table either flavour's verifier refuses is a
 * TAP skip ("# SKIP TODO REASON"), as in nf-diff.
 *
 * usage: sched-cls-load NAME [--devices|--limit|--link|--packets FILE [--todo REASON]]
 *        (prints TAP lines; needs root)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/capability.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <netinet/in.h>

#include "core.h"
#include "class_maps.h"
#include "image_parse.h"
#include "loader_caps.h"
#include "nf_loader.h"
#include "pkt_corpus.h"
#include "wire_request.h"

#define NET_COOKIE	1
#define MAX_PKTS	(65536 - 0x1000)	/* one IP id each, from 0x1000 */
#define STATS_LOG_SIZE	4096
#define FULL_LOG_SIZE	(16U << 20)

static const char *name;
static int failures;

static void report(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - sched-cls %s: ", ok ? "ok" : "not ok", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	failures += !ok;
}

#define fail_exit(...) do { report(false, __VA_ARGS__); exit(0); } while (0)

/* The table x_tables holds, as a SET_REPLACE payload (num_counters 4). */
static struct ipt_replace *xt_read(size_t *len)
{
	struct ipt_getinfo info = { .name = "filter" };
	socklen_t optlen = sizeof(info);
	struct ipt_get_entries *ge;
	struct ipt_replace *repl;
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);

	if (fd < 0 || getsockopt(fd, SOL_IP, IPT_SO_GET_INFO, &info, &optlen))
		return NULL;
	optlen = sizeof(*ge) + info.size;
	ge = calloc(1, optlen);
	repl = calloc(1, sizeof(*repl) + info.size);
	if (!ge || !repl)
		exit(1);
	strcpy(ge->name, "filter");
	ge->size = info.size;
	if (getsockopt(fd, SOL_IP, IPT_SO_GET_ENTRIES, ge, &optlen)) {
		free(repl);
		repl = NULL;
	} else {
		strcpy(repl->name, "filter");
		repl->valid_hooks = info.valid_hooks;
		repl->num_entries = info.num_entries;
		repl->size = info.size;
		memcpy(repl->hook_entry, info.hook_entry, sizeof(repl->hook_entry));
		memcpy(repl->underflow, info.underflow, sizeof(repl->underflow));
		repl->num_counters = 4;		/* the core's initial table */
		memcpy(repl->entries, ge->entrytable, info.size);
		*len = sizeof(*repl) + info.size;
	}
	free(ge);
	close(fd);
	return repl;
}

struct reply {
	int status;
	__u32 len;
	void *payload;
};

static struct reply core_call(struct bpfilter_core *core, __u16 cmd,
			      __u32 optname, const void *buf, __u32 len)
{
	struct bpfilter_request req = wire_request(cmd, NET_COOKIE, optname,
						   len, len);
	struct bpfilter_reply reply;
	struct reply r = { 0 };

	if (bpfilter_core_handle(core, &req, buf, &reply, &r.payload))
		r.status = -EPROTO;
	else
		r.status = reply.status;
	r.len = reply.payload_len;
	return r;
}

/* Candidate, then committed: both must give the same image. */
static struct reply compile_twice(struct bpfilter_core *core,
				  const struct ipt_replace *repl, size_t len)
{
	struct reply cand, done, set;
	bool same;

	cand = core_call(core, BPFILTER_CMD_COMPILE, 0, repl, len);
	if (cand.status)
		fail_exit("COMPILE of the candidate: %s", strerror(-cand.status));
	set = core_call(core, BPFILTER_CMD_SETSOCKOPT, IPT_SO_SET_REPLACE,
			repl, len);
	free(set.payload);
	if (set.status)
		fail_exit("SET_REPLACE: %s", strerror(-set.status));
	done = core_call(core, BPFILTER_CMD_COMPILE, 0, NULL, 0);
	same = !done.status && done.len == cand.len &&
	       !memcmp(done.payload, cand.payload, cand.len);
	free(done.payload);
	if (!same)
		fail_exit("COMPILE of the committed table differs from the candidate's");
	return cand;
}

struct loaded {
	int counters, meta, state;
	/* Map BPFILTER_IMAGE_MAPS + i: class[i]. */
	int class[BPFILTER_IMAGE_CLASS_MAPS_MAX];
	__u32 nr_class;
	int sched_cls[NF_INET_NUMHOOKS];	/* the check */
	int socket_filter[NF_INET_NUMHOOKS];	/* the same code, to run */
};

/* The verifier's "processed N insns" from a BPF_LOG_STATS log, or 0. */
static unsigned long processed(const char *log)
{
	const char *p = strstr(log, "processed ");

	return p ? strtoul(p + strlen("processed "), NULL, 10) : 0;
}

static void print_log_tail(const char *log)
{
	const char *p = log + strlen(log);
	int lines = 0;

	while (p > log && lines < 20)
		if (*--p == '\n')
			lines++;
	printf("#   verifier:\n%s", p);
}

static int load(enum bpf_prog_type type, const struct bpf_insn *insns,
		__u32 nr, unsigned long *insns_processed)
{
	LIBBPF_OPTS(bpf_prog_load_opts, opts);
	char stats[STATS_LOG_SIZE] = "";
	char *log;
	int fd;

	opts.log_buf = stats;
	opts.log_size = sizeof(stats);
	opts.log_level = 4;	/* BPF_LOG_STATS */
	fd = bpf_prog_load(type, "bpfilter", "GPL", insns, nr, &opts);
	if (fd >= 0) {
		*insns_processed = processed(stats);
		return fd;
	}
	fd = -errno;
	/* Again with the verifier's reasons. */
	log = calloc(1, FULL_LOG_SIZE);
	if (log) {
		opts.log_buf = log;
		opts.log_size = FULL_LOG_SIZE;
		opts.log_level = 1;
		if (bpf_prog_load(type, "bpfilter", "GPL", insns, nr, &opts) < 0)
			print_log_tail(log);
		free(log);
	}
	return fd;
}

static struct bpf_insn *relocate(const struct parsed_image *img,
				 const struct parsed_prog *pp,
				 const struct loaded *l)
{
	struct bpf_insn *insns = malloc(pp->nr_insns * sizeof(*insns));
	static int fds[BPFILTER_IMAGE_MAPS + BPFILTER_IMAGE_CLASS_MAPS_MAX];

	if (!insns)
		exit(1);
	memcpy(insns, pp->insns, pp->nr_insns * sizeof(*insns));
	fds[BPFILTER_IMAGE_MAP_COUNTERS] = l->counters;
	fds[BPFILTER_IMAGE_MAP_META] = l->meta;
	fds[BPFILTER_IMAGE_MAP_STATE] = l->state;
	memcpy(fds + BPFILTER_IMAGE_MAPS, l->class, sizeof(l->class));
	image_relocate(img, pp, insns, fds);
	return insns;
}

static int load_all(const struct parsed_image *img, struct loaded *l)
{
	unsigned long done;
	struct bpf_insn *insns;
	__u32 i, hook;

	l->counters = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "bpfilter_cnt",
				     sizeof(__u32), sizeof(struct xt_counters),
				     img->hdr.nr_entries, NULL);
	l->meta = bpf_map_create(BPF_MAP_TYPE_PERCPU_ARRAY, "bpfilter_meta",
				 sizeof(__u32), sizeof(struct bpfilter_meta), 1,
				 NULL);
	if (img->hdr.nr_states)
		l->state = bpf_map_create(BPF_MAP_TYPE_ARRAY, "bpfilter_state",
					  sizeof(__u32),
					  sizeof(struct bpfilter_limit_state),
					  img->hdr.nr_states, NULL);
	if (l->counters < 0 || l->meta < 0 ||
	    (img->hdr.nr_states && l->state < 0))
		return -errno;
	for (i = 0; i < img->hdr.nr_class_maps; i++) {
		const struct parsed_class_map *m = &img->class_maps[i];
		int fd = class_map_create(m->head.type, m->head.key_size,
					  m->head.nr_elems, m->keys, m->values);

		if (fd < 0)
			return fd;
		l->class[l->nr_class++] = fd;
	}
	for (i = 0; i < img->hdr.nr_progs; i++) {
		hook = img->progs[i].hook;
		insns = relocate(img, &img->progs[i], l);
		l->sched_cls[hook] = load(BPF_PROG_TYPE_SCHED_CLS, insns,
					  img->progs[i].nr_insns, &done);
		if (l->sched_cls[hook] >= 0) {
			printf("# %s hook %u: %u instructions, the verifier processed %lu\n",
			       name, hook, img->progs[i].nr_insns, done);
			l->socket_filter[hook] =
				load(BPF_PROG_TYPE_SOCKET_FILTER, insns,
				     img->progs[i].nr_insns, &done);
		}
		free(insns);
		if (l->sched_cls[hook] < 0)
			return l->sched_cls[hook];
		if (l->socket_filter[hook] < 0)
			return l->socket_filter[hook];
	}
	return 0;
}

/*
 * Every CPU's struct bpfilter_meta: devices @in and @out ("": none), and
 * dev_ether, which bpfilter.ko's hook sets from skb->dev's type and the
 * MAC header's place (kern_dataplane.c): an Ethernet device's packet.
 */
static int set_meta(const struct loaded *l, const char *in, const char *out,
		    bool ether)
{
	int cpus = libbpf_num_possible_cpus(), i, ret;
	struct bpfilter_meta *m;
	__u32 key = 0;

	if (cpus < 0)
		return cpus;
	m = calloc(cpus, sizeof(*m));
	if (!m)
		return -ENOMEM;
	for (i = 0; i < cpus; i++) {
		strncpy(m[i].in, in, sizeof(m[i].in));
		strncpy(m[i].out, out, sizeof(m[i].out));
		m[i].dev_ether = ether;
	}
	ret = bpf_map_update_elem(l->meta, &key, m, BPF_ANY) ? -errno : 0;
	free(m);
	return ret;
}

/* The program's return value on @p; @eth: an Ethernet header first. */
static int test_run(int fd, const struct pkt *p, bool eth, __u32 *retval)
{
	unsigned char buf[ETH_HLEN + PKT_MAX] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	unsigned int off = eth ? ETH_HLEN : 0;

	if (eth) {
		buf[12] = ETH_P_IP >> 8;
		buf[13] = ETH_P_IP & 0xff;
	}
	memcpy(buf + off, p->data, p->len);
	opts.data_in = buf;
	opts.data_size_in = off + p->len;
	if (bpf_prog_test_run_opts(fd, &opts))
		return -errno;
	*retval = opts.retval;
	return 0;
}

static struct pkt *pkts;

/* Return: how many verdicts differ (the first few are printed). */
static unsigned int compare_verdicts(const struct parsed_image *img,
				     const struct loaded *l,
				     const struct nf_loaded *nf,
				     unsigned int npkts)
{
	unsigned int i, j, hook, diffs = 0;
	__u32 want, got;
	int ret;

	for (j = 0; j < img->hdr.nr_progs; j++) {
		hook = img->progs[j].hook;
		for (i = 0; i < npkts; i++) {
			ret = test_run(nf->prog_fds[hook], &pkts[i], false, &want);
			if (!ret)
				ret = test_run(l->socket_filter[hook], &pkts[i],
					       true, &got);
			if (ret)
				fail_exit("BPF_PROG_TEST_RUN: %s", strerror(-ret));
			if (want == got)
				continue;
			if (diffs++ < 20)
				printf("#   hook %u, packet %#x (%s): netfilter link %u, SCHED_CLS %u\n",
				       hook, pkts[i].id, pkts[i].what, want, got);
		}
	}
	return diffs;
}

/*
 * sched_cls_devices.rules' FORWARD chain, entries 1 to 3:
 *   -i lo -j DROP; -o r0123456789abcd -j DROP; -i eth+ ! -o eth1 -j DROP
 * then its ACCEPT policy: both words of each name, in and out apart.
 */
static const struct {
	const char *in, *out;
	__u32 verdict;
} device_cases[] = {
	{ "", "", NF_ACCEPT },
	{ "lo", "", NF_DROP },
	{ "lo0", "", NF_ACCEPT },
	{ "", "lo", NF_ACCEPT },
	{ "x", "r0123456789abcd", NF_DROP },
	{ "x", "r0123456789abce", NF_ACCEPT },
	{ "r0123456789abcd", "x", NF_ACCEPT },
	{ "eth7", "eth1", NF_ACCEPT },
	{ "eth7", "eth2", NF_DROP },
	{ "eth7", "", NF_DROP },
	{ "eth1", "eth1", NF_ACCEPT },
};

static unsigned int check_devices(const struct loaded *l)
{
	unsigned int i, diffs = 0;
	__u32 got;
	int ret;

	for (i = 0; i < sizeof(device_cases) / sizeof(device_cases[0]); i++) {
		ret = set_meta(l, device_cases[i].in, device_cases[i].out,
			       false);
		if (!ret)
			ret = test_run(l->socket_filter[NF_INET_FORWARD], &pkts[0],
				       true, &got);
		if (ret)
			fail_exit("devices: %s", strerror(-ret));
		if (got == device_cases[i].verdict)
			continue;
		diffs++;
		printf("#   in \"%s\", out \"%s\": verdict %u, expected %u\n",
		       device_cases[i].in, device_cases[i].out, got,
		       device_cases[i].verdict);
	}
	return diffs;
}

static int counter_sum(int map, __u32 index, struct xt_counters *sum);

/* Echo requests accepted by limit_flood.rules' entry 0 in @runs runs. */
static __u64 limit_runs(const struct loaded *l, const struct pkt *echo,
			__u32 runs)
{
	unsigned char buf[ETH_HLEN + PKT_MAX] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	struct xt_counters before, after;

	buf[12] = ETH_P_IP >> 8;
	buf[13] = ETH_P_IP & 0xff;
	memcpy(buf + ETH_HLEN, echo->data, echo->len);
	opts.data_in = buf;
	opts.data_size_in = ETH_HLEN + echo->len;
	opts.repeat = runs;
	if (counter_sum(l->counters, 0, &before) ||
	    bpf_prog_test_run_opts(l->socket_filter[NF_INET_LOCAL_IN], &opts) ||
	    counter_sum(l->counters, 0, &after))
		fail_exit("limit: BPF_PROG_TEST_RUN: %s", strerror(errno));
	return after.pcnt - before.pcnt;
}

/*
 * -m limit --limit 10/sec --limit-burst 5 on one bucket, run back to
 * back (well within a jiffy, let alone the 1/10 s a credit takes):
 * a zeroed state is a full bucket (5 pass of 20); an empty bucket whose
 * prev is 0 gains nothing (0 of 1); one whose prev is HZ/10 jiffies
 * back gains exactly one packet's credit (1 of 2).
 */
static void check_limit(const struct loaded *l, const struct pkt *echo)
{
	struct bpfilter_limit_state st = { 0 };
	__u32 key = 0, hz = wire_hz();
	__u64 n;

	if (bpf_map_update_elem(l->state, &key, &st, BPF_ANY))
		fail_exit("limit: state map: %s", strerror(errno));
	n = limit_runs(l, echo, 20);
	report(n == 5, "limit 10/s burst 5: a zeroed bucket lets 5 of 20 back-to-back packets through (%llu)",
	       (unsigned long long)n);

	if (bpf_map_lookup_elem(l->state, &key, &st))
		fail_exit("limit: state map: %s", strerror(errno));
	st.prev = 0;
	if (bpf_map_update_elem(l->state, &key, &st, BPF_ANY))
		fail_exit("limit: state map: %s", strerror(errno));
	n = limit_runs(l, echo, 1);
	report(n == 0, "limit: an empty bucket with prev 0 gains no credit (%llu of 1 through)",
	       (unsigned long long)n);

	if (bpf_map_lookup_elem(l->state, &key, &st))
		fail_exit("limit: state map: %s", strerror(errno));
	st.prev -= hz / 10;
	if (bpf_map_update_elem(l->state, &key, &st, BPF_ANY))
		fail_exit("limit: state map: %s", strerror(errno));
	n = limit_runs(l, echo, 2);
	report(n == 1, "limit: HZ/10 jiffies (HZ %u) refill one packet's credit (%llu of 2 through)",
	       hz, (unsigned long long)n);
}

#define LINK_DEV	"bpfl0"	/* test_sched_cls.sh's veth: an Ethernet device */

/*
 * sched_cls_link.rules' FORWARD chain, policy DROP:
 *   -m mac --mac-source 02:00:00:00:00:01 -j ACCEPT
 *   -m mac ! --mac-source 0a:0b:0c:0d:0e:0f -j DROP
 *   -m mark --mark 0x5/0xf -j DROP
 *   -m pkttype --pkt-type broadcast -j DROP
 *   -j ACCEPT
 * Received on lo (xt_mac: not ARPHRD_ETHER, never a match) or on
 * LINK_DEV; the Ethernet destination (NULL: LINK_DEV's own address)
 * gives the packet type.
 */
static const struct {
	bool lo;
	unsigned char src[ETH_ALEN];
	const unsigned char *dst;
	__u32 mark;
	__u32 verdict;
} link_cases[] = {
	{ true, { 2, 0, 0, 0, 0, 0x11 }, NULL, 0, NF_ACCEPT },
	{ true, { 2, 0, 0, 0, 0, 1 }, NULL, 0, NF_ACCEPT },
	{ false, { 2, 0, 0, 0, 0, 1 }, NULL, 0, NF_ACCEPT },
	{ false, { 0xa, 0xb, 0xc, 0xd, 0xe, 0xf }, NULL, 0, NF_ACCEPT },
	{ false, { 0xa, 0xb, 0xc, 0xd, 0xe, 0xe }, NULL, 0, NF_DROP },
	{ false, { 0xb, 0xb, 0xc, 0xd, 0xe, 0xf }, NULL, 0, NF_DROP },
	{ false, { 0xa, 0xb, 0xc, 0xd, 0xf, 0xf }, NULL, 0, NF_DROP },
	{ false, { 2, 0, 0, 0, 1, 1 }, NULL, 0, NF_DROP },
	{ false, { 0xa, 0xb, 0xc, 0xd, 0xe, 0xf }, NULL, 0x15, NF_DROP },
	{ false, { 0xa, 0xb, 0xc, 0xd, 0xe, 0xf }, NULL, 0x16, NF_ACCEPT },
	{ false, { 0xa, 0xb, 0xc, 0xd, 0xe, 0xf }, NULL, 0xfffffff5, NF_DROP },
	{ false, { 0xa, 0xb, 0xc, 0xd, 0xe, 0xf },
	  (const unsigned char []){ 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 0, NF_DROP },
	{ false, { 0xa, 0xb, 0xc, 0xd, 0xe, 0xf },
	  (const unsigned char []){ 1, 0, 0x5e, 0, 0, 1 }, 0, NF_ACCEPT },
};

static unsigned int check_link(const struct loaded *l)
{
	unsigned char buf[ETH_HLEN + PKT_MAX] = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, opts);
	unsigned int i, diffs = 0, ifindex = if_nametoindex(LINK_DEV);
	unsigned char dev_addr[ETH_ALEN];
	struct __sk_buff ctx;
	struct ifreq ifr = { .ifr_name = LINK_DEV };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (!ifindex || fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr))
		fail_exit("link: %s: %s", LINK_DEV, strerror(errno));
	close(fd);
	memcpy(dev_addr, ifr.ifr_hwaddr.sa_data, ETH_ALEN);

	for (i = 0; i < sizeof(link_cases) / sizeof(link_cases[0]); i++) {
		memset(&ctx, 0, sizeof(ctx));
		ctx.ifindex = link_cases[i].lo ? 1 : ifindex;
		ctx.mark = link_cases[i].mark;
		memcpy(buf, link_cases[i].dst ? link_cases[i].dst :
		       link_cases[i].lo ? (unsigned char [ETH_ALEN]){ 0 } :
		       dev_addr, ETH_ALEN);
		memcpy(buf + ETH_ALEN, link_cases[i].src, ETH_ALEN);
		buf[12] = ETH_P_IP >> 8;
		buf[13] = ETH_P_IP & 0xff;
		memcpy(buf + ETH_HLEN, pkts[0].data, pkts[0].len);
		opts.data_in = buf;
		opts.data_size_in = ETH_HLEN + pkts[0].len;
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
		if (set_meta(l, "", "lo", !link_cases[i].lo))
			fail_exit("link: meta map: %s", strerror(errno));
		if (bpf_prog_test_run_opts(l->socket_filter[NF_INET_FORWARD],
					   &opts))
			fail_exit("link: BPF_PROG_TEST_RUN: %s", strerror(errno));
		if (opts.retval == link_cases[i].verdict)
			continue;
		diffs++;
		printf("#   case %u (%s, mark %#x): verdict %u, expected %u\n",
		       i, link_cases[i].lo ? "lo" : LINK_DEV,
		       link_cases[i].mark, opts.retval, link_cases[i].verdict);
	}
	return diffs;
}

static int counter_sum(int map, __u32 index, struct xt_counters *sum)
{
	int cpus = libbpf_num_possible_cpus(), i;
	struct xt_counters *per_cpu;

	if (cpus < 0)
		return cpus;
	per_cpu = calloc(cpus, sizeof(*per_cpu));
	if (!per_cpu || bpf_map_lookup_elem(map, &index, per_cpu)) {
		free(per_cpu);
		return -errno;
	}
	memset(sum, 0, sizeof(*sum));
	for (i = 0; i < cpus; i++) {
		sum->pcnt += per_cpu[i].pcnt;
		sum->bcnt += per_cpu[i].bcnt;
	}
	free(per_cpu);
	return 0;
}

static unsigned int compare_counters(const struct parsed_image *img,
				     const struct loaded *l,
				     const struct nf_loaded *nf,
				     unsigned long long *total)
{
	struct xt_counters want, got;
	unsigned int i, diffs = 0;

	*total = 0;
	for (i = 0; i < img->hdr.nr_entries; i++) {
		if (counter_sum(nf->map_fds[BPFILTER_MAP_COUNTERS], i, &want) ||
		    counter_sum(l->counters, i, &got))
			fail_exit("counter map read: %s", strerror(errno));
		*total += got.pcnt;
		if (want.pcnt == got.pcnt && want.bcnt == got.bcnt)
			continue;
		if (diffs++ < 20)
			printf("#   entry %u: netfilter link %llu packets %llu bytes, SCHED_CLS %llu packets %llu bytes\n",
			       i, (unsigned long long)want.pcnt,
			       (unsigned long long)want.bcnt,
			       (unsigned long long)got.pcnt,
			       (unsigned long long)got.bcnt);
	}
	return diffs;
}

static void loaded_init(struct loaded *l)
{
	unsigned int h;

	l->counters = l->meta = l->state = -1;
	l->nr_class = 0;
	for (h = 0; h < NF_INET_NUMHOOKS; h++)
		l->sched_cls[h] = l->socket_filter[h] = -1;
}

static void loaded_release(struct loaded *l)
{
	unsigned int h;

	for (h = 0; h < NF_INET_NUMHOOKS; h++) {
		if (l->sched_cls[h] >= 0)
			close(l->sched_cls[h]);
		if (l->socket_filter[h] >= 0)
			close(l->socket_filter[h]);
	}
	if (l->counters >= 0)
		close(l->counters);
	if (l->meta >= 0)
		close(l->meta);
	if (l->state >= 0)
		close(l->state);
	for (h = 0; h < l->nr_class; h++)
		close(l->class[h]);
	loaded_init(l);
}

int main(int argc, char **argv)
{
	struct bpfilter_image *nf_image = NULL;
	struct bpfilter_core *core;
	struct parsed_image img;
	unsigned long long total;
	struct ipt_replace *repl;
	struct nf_loaded nf;
	struct loaded l;
	unsigned int npkts, diffs, i;
	struct reply image;
	const char *why, *packets = NULL, *todo = NULL;
	bool link, devices, limit;
	unsigned int bad_line;
	size_t len;
	int ret;

	if (argc == 4 && !strcmp(argv[2], "--packets")) {
		packets = argv[3];
	} else if (argc == 6 && !strcmp(argv[2], "--packets") &&
		   !strcmp(argv[4], "--todo")) {
		packets = argv[3];
		todo = argv[5];
	} else if (argc < 2 || argc > 3 ||
		   (argc == 3 && strcmp(argv[2], "--devices") &&
		    strcmp(argv[2], "--limit") && strcmp(argv[2], "--link"))) {
		fprintf(stderr, "usage: sched-cls-load NAME [--devices|--limit|--link|--packets FILE [--todo REASON]]\n");
		return 2;
	}
	link = argc == 3 && !strcmp(argv[2], "--link");
	devices = argc == 3 && !strcmp(argv[2], "--devices");
	limit = argc == 3 && !strcmp(argv[2], "--limit");
	name = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	pkts = calloc(MAX_PKTS, sizeof(*pkts));
	if (!pkts)
		fail_exit("no memory for %u packets", MAX_PKTS);

	repl = xt_read(&len);
	if (!repl)
		fail_exit("read x_tables' table: %s", strerror(errno));
	core = bpfilter_core_new();
	if (!core)
		fail_exit("no memory for the core");
	image = compile_twice(core, repl, len);
	why = image_parse(image.payload, image.len, &img);
	if (!why && img.hdr.err)
		why = strerror(-img.hdr.err);
	if (why)
		fail_exit("COMPILE reply: %s", why);
	report(img.hdr.nr_entries == repl->num_entries,
	       "%u entries: the COMPILE reply parses, %u bytes, same for candidate and committed table",
	       img.hdr.nr_entries, image.len);

	/*
	 * The reference, with the privileges a netfilter link program
	 * needs; none for --link, which the netfilter-link flavour cannot
	 * compile.
	 */
	ret = bpfilter_core_compile(core, NET_COOKIE, BPFILTER_FLAVOUR_NF_LINK,
				    &nf_image);
	if (link) {
		report(ret == -EOPNOTSUPP, "-m mac: the netfilter-link flavour refuses to compile it (%s)",
		       strerror(-ret));
		if (!ret)
			bpfilter_image_free(nf_image);
	} else {
		if (!ret)
			ret = nf_image_load(nf_image, &nf);
		if (ret && todo) {
			printf("ok - sched-cls %s: netfilter-link flavour: %s # SKIP TODO %s\n",
			       name, strerror(-ret), todo);
			goto out_todo;
		}
		if (ret)
			fail_exit("netfilter-link flavour: %s", strerror(-ret));
	}

	loaded_init(&l);
	ret = loader_caps(true);
	if (ret)
		fail_exit("capset: %s", strerror(-ret));
	ret = load_all(&img, &l);
	if (loader_caps(false))
		fail_exit("capset back: %s", strerror(errno));
	if (ret && todo) {
		printf("ok - sched-cls %s: BPF_PROG_TYPE_SCHED_CLS: %s # SKIP TODO %s\n",
		       name, strerror(-ret), todo);
		loaded_release(&l);
		nf_loaded_release(&nf);
		goto out_todo;
	}
	report(!ret, "%u programs load as BPF_PROG_TYPE_SCHED_CLS with CAP_BPF and CAP_NET_ADMIN only%s%s",
	       img.hdr.nr_progs, ret ? ": " : "", ret ? strerror(-ret) : "");
	if (ret)
		return 0;

	ret = set_meta(&l, "", "lo", false);
	if (ret)
		fail_exit("meta map: %s", strerror(-ret));
	if (packets) {
		ret = pkt_list_read(packets, pkts, MAX_PKTS, 0x1000, &bad_line);
		if (ret < 0)
			fail_exit("packet list %s, line %u: %s", packets,
				  bad_line, strerror(-ret));
		npkts = ret;
	} else {
		npkts = pkt_corpus_build(pkts, MAX_PKTS, 0x1000);
	}
	if (limit) {
		/* No flavour comparison: 10/s may refill between the two. */
		for (i = 0; i < npkts; i++)
			if (pkts[i].path == PKT_INPUT && pkts[i].data[9] == 1 &&
			    pkts[i].data[20] == 8)
				break;
		if (i == npkts || l.state < 0)
			fail_exit("limit: no echo request or no state map");
		check_limit(&l, &pkts[i]);
		goto out;
	}
	if (link) {
		diffs = check_link(&l);
		report(!diffs, "FORWARD on %zu packets with chosen link layer, input device and mark: the verdicts mac, mark and pkttype give",
		       sizeof(link_cases) / sizeof(link_cases[0]));
		loaded_release(&l);
		free(image.payload);
		bpfilter_core_free(core);
		free(repl);
		free(pkts);
		return 0;
	}
	diffs = compare_verdicts(&img, &l, &nf, npkts);
	report(!diffs, "%u packets through each hook's program: same verdicts as the netfilter-link flavour%s",
	       npkts, diffs ? ", differences above" : "");
	diffs = compare_counters(&img, &l, &nf, &total);
	report(!diffs, "%u entries: same packet and byte counters as the netfilter-link flavour (%llu packets counted)%s",
	       img.hdr.nr_entries, total, diffs ? ", differences above" : "");
	if (devices) {
		diffs = check_devices(&l);
		report(!diffs, "FORWARD under %zu pairs of devices in the meta map: the verdicts -i/-o give",
		       sizeof(device_cases) / sizeof(device_cases[0]));
	}

out:
	loaded_release(&l);
	nf_loaded_release(&nf);
out_todo:
	bpfilter_image_free(nf_image);
	free(image.payload);
	bpfilter_core_free(core);
	free(repl);
	free(pkts);
	return 0;
}
