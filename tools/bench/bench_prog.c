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
 *   a socket filter's at L3, where the module's hooks start), and that
 *   code loaded as root too (clsroot: no Spectre hardening).
 * - what a commit would cost without the module (commit_nf_ms):
 *   translate + codegen of the netfilter-link flavour + creating the maps
 *   + BPF_PROG_LOAD of every hook's program (INPUT's median), all timed
 *   here; not included: the pipe round trip to the helper, the module's
 *   work on 6.1, and the relocation (a vmlinux BTF lookup the module
 *   does not need);
 * - memory: x_tables' table as GET_INFO gives it (size of the entries,
 *   number of entries), the helper's stored table and image (bytes), the
 *   SET_REPLACE request bpfilter.ko keeps for a helper's restart, the
 *   RSS this process grew by while reading, translating and compiling,
 *   and the kernel's "memlock" (/proc/self/fdinfo) of every program and
 *   map, with the programs' JIT bytes.
 * With --attach NETNS, the netfilter-link programs are then attached in
 * that namespace (file of a network namespace) until SIGTERM.  Then the
 * per-entry packets counted since the attach are compared with x_tables'
 * own per-entry counters (this namespace's table, which bench.sh floods
 * with the same packets): both must have counted the same entries, the
 * same path through the table; "counted_nf_min/max" are the smallest and
 * largest count among bpfilter's counted entries (each must equal the
 * packets delivered, which bench.sh knows), "path_differs I" names an
 * entry only one of the two counted.  --run-only leaves out the repeated
 * loads and the SCHED_CLS flavour: at 10,000 rules each load takes many
 * seconds, and bench.sh reports those for one ruleset only.
 *
 * bench-prog --floor NETNS: the BPF floor instead, a netfilter program
 * "r0 = NF_ACCEPT; exit" test-run and then attached at LOCAL_IN with
 * the same link and priority as bpfilter's, until SIGTERM: what any BPF
 * program at the hook costs before it does anything.
 *
 * Output: "key value" lines (bench.sh reads them), "# " diagnostics.
 * usage: bench-prog SRC DST [--attach NETNS] [--run-only]   (needs root)
 *        bench-prog --floor NETNS
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

/* Medians of compile(), summed into the commit figure by load_nf(). */
static double translate_med, codegen_nf_med;

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
	unsigned int n = 0, stored = 0;
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
		stored = table->size;
		ipt_table_store_free(table);
		if (ret)
			die("bpfilter_codegen", -ret);
	} while (++n < REPS_MAX && now_ms() - start < 1000);
	printf("entries %u\n", repl->num_entries);
	printf("insns_nf %u\ninsns_cls %u\n", input_prog(*nf)->nr_insns,
	       input_prog(*cls)->nr_insns);
	printf("stored_table_bytes %u\n", stored);
	/* bpfilter.ko keeps the last accepted SET_REPLACE request whole
	 * (kern_store.c): the wire header, struct ipt_replace, the entries.
	 */
	printf("kept_request_bytes %zu\n", sizeof(struct bpfilter_request) +
	       sizeof(struct ipt_replace) + repl->size);
	translate_med = median(tr, n);
	codegen_nf_med = median(cg_nf, n);
	printf("translate_ms %.3f\n", translate_med);
	printf("codegen_nf_ms %.3f\n", codegen_nf_med);
	printf("codegen_cls_ms %.3f\n", median(cg_cls, n));
}

/*
 * Loads @insns up to 3 times (or until 1.5 s have passed; once with
 * --run-only), prints the medians under @key and returns the last fd
 * (or the negative errno).
 */
static int load_report(const char *key, __u32 type, __u32 attach,
		       const struct bpf_insn *insns, __u32 nr, double *med)
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
	*med = median(wall, n);
	printf("load_%s_ms %.3f\nverifier_%s_ms %.3f\nverified_%s %u\n",
	       key, *med, key, median(verif, n), key, t.verified_insns);
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

/* The kernel's "memlock" of @fd (/proc/self/fdinfo): its charged bytes. */
static unsigned long long fd_memlock(int fd)
{
	unsigned long long v = 0;
	char path[64], line[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %llu", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* This process's resident set, from /proc/self/status, in KiB. */
static long rss_kb(void)
{
	char line[128];
	long v = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld", &v) == 1)
			break;
	if (f)
		fclose(f);
	return v;
}

/* What the loaded programs and maps cost the kernel (see the top). */
static void memory_report(const struct nf_loaded *l)
{
	unsigned long long progs = 0, maps = 0;
	struct bpf_prog_info info;
	__u32 len, jited = 0;
	unsigned int i;

	for (i = 0; i < NF_INET_NUMHOOKS; i++) {
		if (l->prog_fds[i] < 0)
			continue;
		progs += fd_memlock(l->prog_fds[i]);
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (!bpf_obj_get_info_by_fd(l->prog_fds[i], &info, &len))
			jited += info.jited_prog_len;
	}
	for (i = 0; i < BPFILTER_MAPS; i++)
		if (l->map_fds[i] >= 0)
			maps += fd_memlock(l->map_fds[i]);
	for (i = 0; i < l->nr_class; i++)
		maps += fd_memlock(l->class_fds[i]);
	printf("mem_progs_memlock %llu\nmem_maps_memlock %llu\n", progs, maps);
	printf("mem_jited_all %u\n", jited);
}

/*
 * Every hook's netfilter-link program; INPUT's timed.  The sum of the
 * helper's compile, the map creation and every load is what a commit
 * costs before the module swaps the programs in (see the top).
 */
static void load_nf(const struct bpfilter_image *img, struct nf_loaded *l)
{
	struct btf *btf = btf__load_vmlinux_btf();
	unsigned int nr_maps = BPFILTER_MAPS + img->nr_class_maps;
	int ret, fd, *fds = map_fds_alloc(img);
	double maps_ms, loads_ms = 0, t0, med;
	unsigned long long image = 0;
	bool refused = false;
	struct timed_load t;
	struct bpf_insn *insns;
	unsigned int i;

	if (!btf)
		die("vmlinux BTF", errno);
	if (!fds)
		die("malloc", ENOMEM);
	for (i = 0; i < NF_INET_NUMHOOKS; i++)
		l->prog_fds[i] = l->link_fds[i] = -1;
	l->nr_entries = img->maps[BPFILTER_MAP_COUNTERS].max_entries;
	t0 = now_ms();
	ret = maps_create(img, fds);
	maps_ms = now_ms() - t0;
	if (ret)
		die("map create", -ret);
	for (i = 0; i < img->nr_progs; i++) {
		const struct bpfilter_hook_prog *hp = &img->progs[i];

		image += hp->nr_insns * sizeof(struct bpf_insn) +
			 hp->nr_relocs * sizeof(struct bpfilter_reloc);
		insns = relocate(btf, hp, fds, nr_maps);
		if (!insns)
			exit(1);
		if (hp->hook == NF_INET_LOCAL_IN) {
			med = 0;
			fd = load_report("nf", BPFILTER_PROG_TYPE_NETFILTER,
					 BPFILTER_ATTACH_NETFILTER, insns,
					 hp->nr_insns, &med);
			loads_ms += med;
			refused |= fd < 0;
		} else {
			t = load_timed(BPFILTER_PROG_TYPE_NETFILTER,
				       BPFILTER_ATTACH_NETFILTER, insns,
				       hp->nr_insns);
			fd = t.fd;
			loads_ms += t.wall_ms;
			refused |= fd < 0;
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
	for (i = 0; i < img->nr_class_maps; i++)
		image += img->class_maps[i].nr_elems *
			 (img->class_maps[i].key_size +
			  sizeof(struct bpfilter_class_value));
	printf("image_nf_bytes %llu\n", image);
	/* A refused program is no commit, and its memory is not there. */
	if (refused)
		return;
	printf("maps_nf_ms %.3f\nloads_nf_ms %.3f\n", maps_ms, loads_ms);
	printf("commit_nf_ms %.3f\n",
	       translate_med + codegen_nf_med + maps_ms + loads_ms);
	memory_report(l);
}

/*
 * The SCHED_CLS INPUT program as bpfilter.ko loads it (timed), then the
 * same code as a socket filter, for test runs; its maps stay open with
 * it until exit.  Return: the socket filter's fd, or a negative number.
 * @root: the same socket filter loaded with this process's privileges
 * (root: CAP_PERFMON, so without the verifier's Spectre hardening, which
 * the module's loader credentials keep on), or a negative number; the
 * two runs' difference is what the hardening costs.
 */
static int load_cls(const struct bpfilter_image *img, int *root)
{
	const struct bpfilter_hook_prog *hp = input_prog(img);
	int *maps = map_fds_alloc(img), cls, sf = -1, ret;
	struct bpf_insn *insns;
	double med;

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
			  hp->nr_insns, &med);
	if (cls >= 0) {
		sf = load_timed(BPF_PROG_TYPE_SOCKET_FILTER, 0, insns,
				hp->nr_insns).fd;
		close(cls);
	}
	ret = loader_caps(false);
	if (ret)
		die("capset back", -ret);
	*root = sf >= 0 ? load_timed(BPF_PROG_TYPE_SOCKET_FILTER, 0, insns,
				     hp->nr_insns).fd : -1;
	free(insns);
	return sf;
}

/* Packets of every entry's counter (the test runs count too) in @pkts. */
static void counted(const struct nf_loaded *l, unsigned long long *pkts)
{
	struct bpfilter_counter c;
	unsigned int i;

	for (i = 0; i < l->nr_entries; i++) {
		if (nf_counter_read(l, i, &c))
			die("counter map", errno);
		pkts[i] = c.packets;
	}
}

/*
 * bpfilter's per-entry packets since the attach (@before) against
 * x_tables' own counters of the same table in this namespace: the same
 * entries must have counted (see the top).
 */
static void cross_check(const struct nf_loaded *l,
			const unsigned long long *before)
{
	unsigned long long *now = calloc(l->nr_entries + 1, sizeof(*now));
	unsigned long long min = 0, max = 0, d;
	struct ipt_replace *repl = xt_read_filter();
	unsigned int i, off, path_nf = 0, path_xt = 0, differs = 0;
	const struct ipt_entry *e;

	if (!now || !repl)
		die("cross-check", errno);
	counted(l, now);
	if (repl->num_entries != l->nr_entries)
		printf("# x_tables has %u entries, bpfilter counts %u\n",
		       repl->num_entries, l->nr_entries);
	for (i = 0, off = 0; i < l->nr_entries && off < repl->size; i++) {
		bool xt, nf;

		e = (const void *)((const char *)repl->entries + off);
		d = now[i] - before[i];
		nf = d != 0;
		xt = e->counters.pcnt != 0;
		if (nf) {
			min = !path_nf || d < min ? d : min;
			max = d > max ? d : max;
		}
		path_nf += nf;
		path_xt += xt;
		if (nf != xt && differs++ < 5)
			printf("path_differs %u\n# entry %u: bpfilter %llu packets, x_tables %llu\n",
			       i, i, d, (unsigned long long)e->counters.pcnt);
		off += e->next_offset;
	}
	printf("path_nf %u\npath_xt %u\n", path_nf, path_xt);
	printf("counted_nf_min %llu\ncounted_nf_max %llu\n", min, max);
	free(repl);
	free(now);
}

/*
 * Attached in @netns until SIGTERM, then cross_check() from this
 * process's own namespace, where x_tables holds the same table.
 */
static void attach_and_wait(struct nf_loaded *l, const char *netns)
{
	unsigned long long *before = calloc(l->nr_entries + 1, sizeof(*before));
	int fd, home, sig, ret;
	sigset_t set;

	if (!before)
		die("calloc", ENOMEM);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	home = open("/proc/self/ns/net", O_RDONLY);
	fd = open(netns, O_RDONLY);
	if (home < 0 || fd < 0 || setns(fd, CLONE_NEWNET))
		die(netns, errno);
	close(fd);
	ret = nf_image_attach(l, 0);
	if (ret)
		die("BPF_LINK_CREATE", -ret);
	counted(l, before);
	printf("attached 1\n");
	fflush(stdout);
	sigwait(&set, &sig);
	if (setns(home, CLONE_NEWNET))
		die("setns back", errno);
	close(home);
	cross_check(l, before);
	free(before);
}

/*
 * The floor: "r0 = NF_ACCEPT; exit" at LOCAL_IN, test-run like the
 * others (its run is the test-run machinery's own cost), then attached
 * in @netns until SIGTERM.
 */
static int floor_prog(const char *netns)
{
	static const struct bpf_insn insns[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0,
		  .imm = NF_ACCEPT },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	unsigned char pkt[PKT_LEN];
	struct in_addr a = { .s_addr = htonl(0xc6120001) };
	struct in_addr b = { .s_addr = htonl(0xc6120002) };
	struct nf_loaded l = { .nr_entries = 0 };
	struct timed_load t;
	struct run r;
	unsigned int i;
	int fd, sig, ret;
	sigset_t set;

	for (i = 0; i < NF_INET_NUMHOOKS; i++)
		l.prog_fds[i] = l.link_fds[i] = -1;
	for (i = 0; i < BPFILTER_MAPS; i++)
		l.map_fds[i] = -1;
	t = load_timed(BPFILTER_PROG_TYPE_NETFILTER, BPFILTER_ATTACH_NETFILTER,
		       insns, 2);
	if (t.fd < 0)
		die("loading the floor program", -t.fd);
	l.prog_fds[NF_INET_LOCAL_IN] = t.fd;
	udp_packet(pkt, a, b);
	r = (struct run){ .key = "floor", .fd = t.fd, .pkt = pkt, .len = PKT_LEN };
	run_report(&r, 1);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	fd = open(netns, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET))
		die(netns, errno);
	close(fd);
	ret = nf_image_attach(&l, 0);
	if (ret)
		die("BPF_LINK_CREATE", -ret);
	printf("attached 1\n");
	fflush(stdout);
	sigwait(&set, &sig);
	nf_loaded_release(&l);
	return 0;
}

int main(int argc, char **argv)
{
	struct bpfilter_image *nf, *cls;
	unsigned char pkt[ETH_HLEN + PKT_LEN] = { 0 };
	struct in_addr src, dst;
	struct ipt_replace *repl;
	struct nf_loaded l;
	const char *attach = NULL;
	struct run runs[3];
	unsigned int nruns = 0;
	long rss0;
	int sf, sf_root = -1, i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "--floor"))
		return floor_prog(argv[2]);
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
		fprintf(stderr, "usage: bench-prog SRC DST [--attach NETNS] [--run-only]\n"
				"       bench-prog --floor NETNS\n");
		return 2;
	}
	rss0 = rss_kb();
	repl = xt_read_filter();
	if (!repl)
		die("reading x_tables' filter table", errno);
	printf("xt_size %u\nxt_entries %u\n", repl->size, repl->num_entries);
	compile(repl, &nf, &cls);
	/* Both flavours' images held, the stored tables freed. */
	printf("rss_compile_kb %ld\n", rss_kb() - rss0);
	load_nf(nf, &l);
	sf = run_only ? -1 : load_cls(cls, &sf_root);

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
	if (sf_root >= 0)
		runs[nruns++] = (struct run){ .key = "clsroot", .fd = sf_root,
					      .pkt = pkt, .len = sizeof(pkt) };
	run_report(runs, nruns);
	if (attach) {
		if (l.prog_fds[NF_INET_LOCAL_IN] < 0)
			die("nothing to attach", EINVAL);
		attach_and_wait(&l, attach);
	}
	if (sf >= 0)
		close(sf);
	if (sf_root >= 0)
		close(sf_root);
	nf_loaded_release(&l);
	bpfilter_image_free(nf);
	bpfilter_image_free(cls);
	free(repl);
	return 0;
}
