// SPDX-License-Identifier: GPL-2.0
/*
 * bench-prog: what bpfilter's INPUT program costs before any packet
 * flows, for the filter table x_tables holds in the current network
 * namespace (bench.sh loads each ruleset there with
 * iptables-legacy-restore):
 * - the helper's compile time: ipt_translate() (x_tables' checks, the
 *   stored table) and bpfilter_codegen() per flavour, median of up to 5;
 * - instructions of the INPUT program, per flavour;
 * - BPF_PROG_LOAD's wall time, the verifier's own time and the kernel's
 *   verified_insns: the netfilter-link flavour with this process's
 *   privileges, the SCHED_CLS flavour with CAP_BPF + CAP_NET_ADMIN only
 *   (bpfilter.ko's loader credentials on 6.1);
 * - BPF_PROG_TEST_RUN ns per run on one UDP packet SRC -> DST:9, for the
 *   netfilter-link program and for the SCHED_CLS code (loaded as a
 *   socket filter: a SCHED_CLS test run starts at the Ethernet header,
 *   a socket filter's at L3, where the module's hooks start).
 * With --attach NETNS, the netfilter-link programs are then attached in
 * that namespace (file of a network namespace) until SIGTERM, when the
 * packets their counters saw are printed.  --run-only leaves out the
 * repeated loads and the SCHED_CLS flavour: at 10,000 rules each load
 * takes many seconds, and bench.sh reports those for one ruleset only.
 *
 * Output: "key value" lines (bench.sh reads them), "# " diagnostics.
 * usage: bench-prog SRC DST [--attach NETNS] [--run-only]   (needs root)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <linux/if_ether.h>

#include "ext.h"
#include "loader_caps.h"
#include "nf_loader.h"
#include "prog_load.h"
#include "table.h"
#include "translate.h"
#include "wire_request.h"
#include "xt_read.h"

#define REPS_MAX	5
#define PKT_LEN		46	/* IPv4 20 + UDP 8 + 18: a 64-byte frame */
#define RUN_TARGET_NS	200000000.0	/* per test run: 0.2 s */
#define RUN_REPEAT_MAX	100000
#define RUN_REPEAT_MIN	1000
#define RUNS		5

/* --run-only: the netfilter-link programs loaded once, no SCHED_CLS. */
static bool run_only;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static __attribute__((noreturn)) void die(const char *what, int err)
{
	printf("# %s: %s\n", what, strerror(err));
	exit(1);
}

static const struct bpfilter_hook_prog *input_prog(const struct bpfilter_image *img)
{
	unsigned int i;

	for (i = 0; i < img->nr_progs; i++)
		if (img->progs[i].hook == NF_INET_LOCAL_IN)
			return &img->progs[i];
	printf("# the table has no INPUT program\n");
	exit(1);
}

/*
 * Compiles until REPS_MAX times or a second has passed; leaves the last
 * images in @nf and @cls.
 */
static void compile(const struct ipt_replace *repl, struct bpfilter_image **nf,
		    struct bpfilter_image **cls)
{
	double tr[REPS_MAX], cg_nf[REPS_MAX], cg_cls[REPS_MAX], t0, start;
	struct ipt_table_store *table;
	unsigned int n = 0;
	int ret;

	*nf = *cls = NULL;
	start = now_ms();
	do {
		bpfilter_image_free(*nf);
		bpfilter_image_free(*cls);
		t0 = now_ms();
		ret = ipt_translate(repl, repl->entries, &table);
		if (ret)
			die("ipt_translate", -ret);
		tr[n] = now_ms() - t0;
		t0 = now_ms();
		ret = bpfilter_codegen(table, BPFILTER_FLAVOUR_NF_LINK, nf);
		cg_nf[n] = now_ms() - t0;
		t0 = now_ms();
		if (!ret)
			ret = bpfilter_codegen(table, BPFILTER_FLAVOUR_SCHED_CLS, cls);
		cg_cls[n] = now_ms() - t0;
		ipt_table_store_free(table);
		if (ret)
			die("bpfilter_codegen", -ret);
	} while (++n < REPS_MAX && now_ms() - start < 1000);
	printf("entries %u\n", repl->num_entries);
	printf("insns_nf %u\ninsns_cls %u\n", input_prog(*nf)->nr_insns,
	       input_prog(*cls)->nr_insns);
	printf("translate_ms %.3f\n", median(tr, n));
	printf("codegen_nf_ms %.3f\n", median(cg_nf, n));
	printf("codegen_cls_ms %.3f\n", median(cg_cls, n));
}

/*
 * Loads @insns up to 3 times (or until 1.5 s have passed; once with
 * --run-only), prints the medians under @key and returns the last fd
 * (or the negative errno).
 */
static int load_report(const char *key, __u32 type, __u32 attach,
		       const struct bpf_insn *insns, __u32 nr)
{
	double wall[3], verif[3], start = now_ms();
	struct timed_load t;
	unsigned int n = 0;

	for (;;) {
		t = load_timed(type, attach, insns, nr);
		if (t.fd < 0) {
			printf("load_%s_err %s\nload_%s_ms %.3f\n", key,
			       strerrorname_np(-t.fd), key, t.wall_ms);
			printf("# %s: BPF_PROG_LOAD of %u instructions: %s (after %.0f ms)\n",
			       key, nr, strerror(-t.fd), t.wall_ms);
			return t.fd;
		}
		wall[n] = t.wall_ms;
		verif[n] = t.verifier_ms;
		if (++n == 3 || now_ms() - start > 1500 || run_only)
			break;
		close(t.fd);
	}
	printf("load_%s_ms %.3f\nverifier_%s_ms %.3f\nverified_%s %u\n",
	       key, median(wall, n), key, median(verif, n), key,
	       t.verified_insns);
	printf("jited_%s %u\n", key, t.jited_bytes);
	return t.fd;
}

/* IPv4 + UDP, @src -> @dst port 9, 18 bytes of payload, header checksum. */
static void udp_packet(unsigned char *p, struct in_addr src, struct in_addr dst)
{
	unsigned int sum = 0, i;

	memset(p, 0, PKT_LEN);
	p[0] = 0x45;
	p[3] = PKT_LEN;
	p[6] = 0x40;		/* DF */
	p[8] = 64;		/* TTL */
	p[9] = 17;		/* UDP */
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	for (i = 0; i < 20; i += 2)
		sum += p[i] << 8 | p[i + 1];
	sum = (sum & 0xffff) + (sum >> 16);
	sum = ~((sum & 0xffff) + (sum >> 16)) & 0xffff;
	p[10] = sum >> 8;
	p[11] = sum & 0xff;
	p[20] = 40000 >> 8;	/* source port */
	p[21] = 40000 & 0xff;
	p[23] = 9;		/* discard */
	p[25] = PKT_LEN - 20;
}

/* One program to test-run: its packet and what was measured. */
struct run {
	const char *key;
	int fd;
	const void *pkt;
	__u32 len, repeat;
	double ns[RUNS];
};

/*
 * A first short run: the verdict must be NF_ACCEPT (else the figures
 * would be of the wrong path), and its time sets the repeat count so
 * that a run takes about RUN_TARGET_NS.
 */
static void run_calibrate(struct run *r)
{
	__u32 retval, ns;
	int ret;

	ret = test_run(r->fd, r->pkt, r->len, RUN_REPEAT_MIN, &retval, &ns);
	if (ret)
		die("BPF_PROG_TEST_RUN", -ret);
	if (retval != NF_ACCEPT) {
		printf("# %s: the test packet's verdict is %u, not NF_ACCEPT\n",
		       r->key, retval);
		exit(1);
	}
	r->repeat = RUN_TARGET_NS / (ns ? ns : 1);
	r->repeat = r->repeat > RUN_REPEAT_MAX ? RUN_REPEAT_MAX :
		    r->repeat < RUN_REPEAT_MIN ? RUN_REPEAT_MIN : r->repeat;
}

/*
 * RUNS test runs of each program, taking turns (the machine's speed
 * drifts; turns let the flavours share it), then median, min and max
 * of each one's ns per run.
 */
static void run_report(struct run *runs, unsigned int n)
{
	unsigned int i, k;
	__u32 retval, ns;
	double med;
	int ret;

	for (k = 0; k < n; k++)
		run_calibrate(&runs[k]);
	for (i = 0; i < RUNS; i++)
		for (k = 0; k < n; k++) {
			ret = test_run(runs[k].fd, runs[k].pkt, runs[k].len,
				       runs[k].repeat, &retval, &ns);
			if (ret)
				die("BPF_PROG_TEST_RUN", -ret);
			runs[k].ns[i] = ns;
		}
	for (k = 0; k < n; k++) {
		med = median(runs[k].ns, RUNS);	/* sorts */
		printf("run_%s_ns %.0f\nrun_%s_min %.0f\nrun_%s_max %.0f\n",
		       runs[k].key, med, runs[k].key, runs[k].ns[0],
		       runs[k].key, runs[k].ns[RUNS - 1]);
		printf("run_%s_repeat %u\n", runs[k].key, runs[k].repeat);
	}
}

/* Every hook's netfilter-link program; INPUT's timed. */
static void load_nf(const struct bpfilter_image *img, struct nf_loaded *l)
{
	struct btf *btf = btf__load_vmlinux_btf();
	unsigned int nr_maps = BPFILTER_MAPS + img->nr_class_maps;
	int ret, fd, *fds = map_fds_alloc(img);
	struct bpf_insn *insns;
	unsigned int i;

	if (!btf)
		die("vmlinux BTF", errno);
	if (!fds)
		die("malloc", ENOMEM);
	for (i = 0; i < NF_INET_NUMHOOKS; i++)
		l->prog_fds[i] = l->link_fds[i] = -1;
	l->nr_entries = img->maps[BPFILTER_MAP_COUNTERS].max_entries;
	ret = maps_create(img, fds);
	if (ret)
		die("map create", -ret);
	for (i = 0; i < img->nr_progs; i++) {
		const struct bpfilter_hook_prog *hp = &img->progs[i];

		insns = relocate(btf, hp, fds, nr_maps);
		if (!insns)
			exit(1);
		if (hp->hook == NF_INET_LOCAL_IN) {
			fd = load_report("nf", BPFILTER_PROG_TYPE_NETFILTER,
					 BPFILTER_ATTACH_NETFILTER, insns,
					 hp->nr_insns);
		} else {
			fd = load_timed(BPFILTER_PROG_TYPE_NETFILTER,
					BPFILTER_ATTACH_NETFILTER, insns,
					hp->nr_insns).fd;
			if (fd < 0)
				printf("# hook %u: %s\n", hp->hook, strerror(-fd));
		}
		free(insns);
		l->prog_fds[hp->hook] = fd;
	}
	btf__free(btf);
	/* As nf_loader.c keeps them, for nf_loaded_release(). */
	memcpy(l->map_fds, fds, sizeof(l->map_fds));
	memmove(fds, fds + BPFILTER_MAPS, img->nr_class_maps * sizeof(*fds));
	l->class_fds = fds;
	l->nr_class = img->nr_class_maps;
}

/*
 * The SCHED_CLS INPUT program as bpfilter.ko loads it (timed), then the
 * same code as a socket filter, for test runs; its maps stay open with
 * it until exit.  Return: the socket filter's fd, or a negative number.
 */
static int load_cls(const struct bpfilter_image *img)
{
	const struct bpfilter_hook_prog *hp = input_prog(img);
	int *maps = map_fds_alloc(img), cls, sf = -1, ret;
	struct bpf_insn *insns;

	if (!maps)
		die("malloc", ENOMEM);
	ret = loader_caps(true);
	if (ret)
		die("capset", -ret);
	ret = maps_create(img, maps);
	if (ret)
		die("map create", -ret);
	insns = relocate(NULL, hp, maps, BPFILTER_MAPS + img->nr_class_maps);
	if (!insns)
		exit(1);
	cls = load_report("cls", BPF_PROG_TYPE_SCHED_CLS, 0, insns,
			  hp->nr_insns);
	if (cls >= 0) {
		sf = load_timed(BPF_PROG_TYPE_SOCKET_FILTER, 0, insns,
				hp->nr_insns).fd;
		close(cls);
	}
	free(insns);
	ret = loader_caps(false);
	if (ret)
		die("capset back", -ret);
	return sf;
}

/* Packets of every entry's counter (the test runs count too). */
static unsigned long long counted(const struct nf_loaded *l)
{
	unsigned long long total = 0;
	struct bpfilter_counter c;
	unsigned int i;

	for (i = 0; i < l->nr_entries; i++) {
		if (nf_counter_read(l, i, &c))
			die("counter map", errno);
		total += c.packets;
	}
	return total;
}

/*
 * Attached in @netns until SIGTERM.  Prints the packets counted so far
 * as the value of "attached", and at the end as "counted_nf".
 */
static void attach_and_wait(struct nf_loaded *l, const char *netns)
{
	sigset_t set;
	int fd, sig, ret;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = open(netns, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(netns, errno);
	close(fd);
	ret = nf_image_attach(l, 0);
	if (ret)
		die("BPF_LINK_CREATE", -ret);
	printf("attached %llu\n", counted(l));
	fflush(stdout);
	sigwait(&set, &sig);
	printf("counted_nf %llu\n", counted(l));
}

int main(int argc, char **argv)
{
	struct bpfilter_image *nf, *cls;
	unsigned char pkt[ETH_HLEN + PKT_LEN] = { 0 };
	struct in_addr src, dst;
	struct ipt_replace *repl;
	struct nf_loaded l;
	const char *attach = NULL;
	struct run runs[2];
	unsigned int nruns = 0;
	int sf, i;

	/* What bpfilter.ko would say in its requests (-m limit needs it). */
	bpfilter_set_hz(wire_hz());
	for (i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--run-only"))
			run_only = true;
		else if (!strcmp(argv[i], "--attach") && i + 1 < argc)
			attach = argv[++i];
		else
			break;
	}
	if (argc < 3 || i < argc || !inet_aton(argv[1], &src) ||
	    !inet_aton(argv[2], &dst)) {
		fprintf(stderr, "usage: bench-prog SRC DST [--attach NETNS] [--run-only]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	repl = xt_read_filter();
	if (!repl)
		die("reading x_tables' filter table", errno);
	compile(repl, &nf, &cls);
	load_nf(nf, &l);
	sf = run_only ? -1 : load_cls(cls);

	/* The socket filter's copy gets an Ethernet header in front. */
	pkt[12] = ETH_P_IP >> 8;
	pkt[13] = ETH_P_IP & 0xff;
	udp_packet(pkt + ETH_HLEN, src, dst);
	if (l.prog_fds[NF_INET_LOCAL_IN] >= 0)
		runs[nruns++] = (struct run){ .key = "nf",
					      .fd = l.prog_fds[NF_INET_LOCAL_IN],
					      .pkt = pkt + ETH_HLEN, .len = PKT_LEN };
	if (sf >= 0)
		runs[nruns++] = (struct run){ .key = "cls", .fd = sf, .pkt = pkt,
					      .len = sizeof(pkt) };
	run_report(runs, nruns);
	if (attach) {
		if (l.prog_fds[NF_INET_LOCAL_IN] < 0)
			die("nothing to attach", EINVAL);
		attach_and_wait(&l, attach);
	}
	if (sf >= 0)
		close(sf);
	nf_loaded_release(&l);
	bpfilter_image_free(nf);
	bpfilter_image_free(cls);
	free(repl);
	return 0;
}
