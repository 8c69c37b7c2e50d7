// SPDX-License-Identifier: GPL-2.0
/*
 * nf-diff: the data plane against x_tables, on real packets.
 *
 * Two copies of one topology (test_nf_diff.sh sets them up), each
 * generator -> router -> sink, in network namespaces P-{gen,rtr,dst}-xt
 * and P-{gen,rtr,dst}-bpf.  The xt router holds a filter table loaded
 * with iptables-legacy-restore; this tool reads it back (GET_INFO,
 * GET_ENTRIES), gives it to bpfilter's core as a SET_REPLACE, compiles
 * it for the netfilter link and attaches the programs in the bpf router
 * at NF_IP_PRI_FILTER.  Then every packet of pkt_corpus.c is sent to
 * both copies: into the router from the generator (INPUT, FORWARD) and
 * from the router itself (OUTPUT).  Compared afterwards, with zero
 * differences the bar:
 * - which packets were delivered to the router (raw sockets) and which
 *   reached the sink (a packet socket);
 * - every entry's packet and byte counters, x_tables' from GET_ENTRIES,
 *   bpfilter's summed over CPUs from the counter map.
 * Equal is not enough: two routers that delivered and counted nothing
 * (packets that never left the generator, a broken topology) are equal
 * too.  So x_tables must have delivered at least one packet, and
 * counted at least as many as it delivered (each passed INPUT, FORWARD
 * or OUTPUT, where at least the entry that let it through counted it).
 *
 * With --flood N MS TOL, the packets are instead N copies of one ICMP echo
 * request to the router, sent to both copies in turn at a steady pace
 * over MS milliseconds, for rate limits (-m limit), whose verdicts
 * depend on time: the numbers each router delivered may differ by at
 * most TOL, and the counters are not compared (they differ as much);
 * x_tables must have delivered at least one.
 *
 * NF_DIFF_CLASSIFY_MIN=N in the environment compiles runs of N or more
 * classifiable rules into lookups (codegen_classify.c; the helper's
 * threshold is higher), so that the small tables of the corpus test the
 * classifier too.  NF_DIFF_EXPECT_CLASSIFIED=1 first asserts that the
 * image has classifier maps: the same verdicts would come from
 * straight-line code, so the comparison tests the lookups only if they
 * are there.
 *
 * With --packets FILE, the packets are those FILE lists (pkt_parse() in
 * pkt_corpus.c reads the lines) instead of the corpus: nf_gen.c writes
 * such lists for its large generated tables, aimed at their rules'
 * boundaries.  With --todo REASON as well, a table the kernel refuses
 * to load is a TAP skip ("# SKIP TODO REASON") instead of a failure: a
 * size only the classifier will make loadable; once it loads, it is
 * compared like any other.
 *
 * Results, each an "ok" or "not ok" line: the table compiles, verifies
 * and attaches; with NF_DIFF_EXPECT_CLASSIFIED=1, it has classifier
 * maps; then the flood's one, or delivery, counters and traffic (the
 * lower bound above): four or five, two with --flood, one skip with
 * --todo when it does not load.  A failure that ends the comparison
 * early prints its "not ok" and exits 1; any failure makes the status 1.
 * nf_diff_lib.sh's nf_check counts every run's results: a run that
 * stops short without a "not ok", or exits non-zero without one (a
 * crash, a sanitizer's report), fails.
 *
 * usage: nf-diff PREFIX NAME [--flood N MS TOL | --packets FILE [--todo REASON]]
 *	(prints TAP; needs root)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "codegen_emit.h"
#include "nf_loader.h"
#include "pkt_corpus.h"
#include "wire_request.h"

#define NET_COOKIE	1
#define FIRST_ID	0x1000
#define ID_SPACE	65536
#define MAX_PKTS	(ID_SPACE - FIRST_ID)	/* one IP id each */
#define BATCH		256	/* packets sent between two drains */

enum side { XT, BPF, SIDES };

static const char *const side_name[SIDES] = { "xt", "bpf" };
static const unsigned char l2_dst[][ETH_ALEN] = {
	[PKT_L2_ROUTER] = { 2, 0, 0, 0, 0, 0x10 },
	[PKT_L2_BROADCAST] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff },
	[PKT_L2_MULTICAST] = { 1, 0, 0x5e, 0, 0, 1 },
};
static const int input_protos[] = { 6, 17, 1, 47, 132, 50, 0 };
#define INPUT_PROTOS (sizeof(input_protos) / sizeof(input_protos[0]))

struct side_socks {
	int inject;			/* packet socket on gen's g0 */
	int gen_ifindex;
	int send_raw;			/* IP_HDRINCL socket in the router */
	int input[INPUT_PROTOS];	/* raw sockets: delivered locally */
	int sink;			/* packet socket on dst's d0 */
};

static const char *prefix, *name;
static int home_ns = -1;
static struct pkt *pkts;
static unsigned int npkts;
/* Per side, per IP id: bit 0 delivered to the router, bit 1 at the sink. */
static unsigned char seen[SIDES][ID_SPACE];

static void enter(const char *role, enum side s)
{
	char path[128];
	int fd;

	if (!role) {
		if (setns(home_ns, CLONE_NEWNET)) {
			printf("not ok - nf-diff %s: enter the first network namespace: %s\n",
			       name, strerror(errno));
			exit(1);
		}
		return;
	}
	snprintf(path, sizeof(path), "/run/netns/%s-%s-%s", prefix, role,
		 side_name[s]);
	fd = open(path, O_RDONLY);
	if (fd < 0 || setns(fd, CLONE_NEWNET)) {
		printf("not ok - nf-diff %s: enter %s: %s\n", name, path,
		       strerror(errno));
		exit(1);
	}
	close(fd);
}

static int xt_sock = -1;

static int xt_get(int optname, void *buf, unsigned int len)
{
	socklen_t optlen = len;

	return getsockopt(xt_sock, SOL_IP, optname, buf, &optlen) ? -errno : 0;
}

/* The xt router's table: info, then GET_ENTRIES (header + entries). */
static int xt_read(struct ipt_getinfo *info, struct ipt_get_entries **ge)
{
	int ret;

	memset(info, 0, sizeof(*info));
	strcpy(info->name, "filter");
	ret = xt_get(IPT_SO_GET_INFO, info, sizeof(*info));
	if (ret)
		return ret;
	*ge = calloc(1, sizeof(**ge) + info->size);
	if (!*ge)
		return -ENOMEM;
	strcpy((*ge)->name, "filter");
	(*ge)->size = info->size;
	return xt_get(IPT_SO_GET_ENTRIES, *ge, sizeof(**ge) + info->size);
}

static int core_request(struct bpfilter_core *core, __u16 cmd, int optname,
			const void *buf, unsigned int optlen,
			unsigned int payload_len, void *out, unsigned int out_len)
{
	struct bpfilter_request req = wire_request(cmd, NET_COOKIE, optname,
						   optlen, payload_len);
	struct bpfilter_reply reply;
	void *reply_payload;
	int ret;

	ret = bpfilter_core_handle(core, &req, buf, &reply, &reply_payload);
	if (ret)
		return ret;
	if (out && reply.payload_len <= out_len)
		memcpy(out, reply_payload, reply.payload_len);
	free(reply_payload);
	return reply.status;
}

/* The table x_tables holds, committed to the core as iptables would. */
static int core_commit(struct bpfilter_core *core,
		       const struct ipt_getinfo *xinfo,
		       const struct ipt_get_entries *ge)
{
	struct ipt_getinfo info = { .name = "filter" };
	struct ipt_replace *repl;
	size_t len = sizeof(*repl) + xinfo->size;
	int ret;

	ret = core_request(core, BPFILTER_CMD_GETSOCKOPT, IPT_SO_GET_INFO,
			   &info, sizeof(info), sizeof(info), &info,
			   sizeof(info));
	if (ret)
		return ret;
	repl = calloc(1, len);
	if (!repl)
		return -ENOMEM;
	strcpy(repl->name, "filter");
	repl->valid_hooks = xinfo->valid_hooks;
	repl->num_entries = xinfo->num_entries;
	repl->size = xinfo->size;
	memcpy(repl->hook_entry, xinfo->hook_entry, sizeof(repl->hook_entry));
	memcpy(repl->underflow, xinfo->underflow, sizeof(repl->underflow));
	repl->num_counters = info.num_entries;
	memcpy(repl->entries, ge->entrytable, xinfo->size);
	ret = core_request(core, BPFILTER_CMD_SETSOCKOPT, IPT_SO_SET_REPLACE,
			   repl, len, len, NULL, 0);
	free(repl);
	return ret;
}

static int open_packet_socket(const char *ifname, int *ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
	};
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ETH_P_IP));
	int rcvbuf = 4 << 20;

	if (fd < 0)
		return -1;
	sll.sll_ifindex = if_nametoindex(ifname);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	if (!sll.sll_ifindex || bind(fd, (void *)&sll, sizeof(sll))) {
		close(fd);
		return -1;
	}
	if (ifindex)
		*ifindex = sll.sll_ifindex;
	return fd;
}

static int open_socks(enum side s, struct side_socks *ss)
{
	struct in_addr mc_if = { htonl(0xc0000202) };	/* 192.0.2.2 */
	int one = 1, rcvbuf = 4 << 20;
	unsigned int i;

	enter("gen", s);
	ss->inject = open_packet_socket("g0", &ss->gen_ifindex);
	enter("dst", s);
	ss->sink = open_packet_socket("d0", NULL);
	enter("rtr", s);
	ss->send_raw = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (ss->send_raw >= 0) {
		setsockopt(ss->send_raw, IPPROTO_IP, IP_HDRINCL, &one,
			   sizeof(one));
		/*
		 * The router's own broadcasts and multicasts (pkt_corpus.c):
		 * allowed, and sent from r0 (the router has no multicast
		 * route; a raw socket does not route by the header's source).
		 */
		setsockopt(ss->send_raw, SOL_SOCKET, SO_BROADCAST, &one,
			   sizeof(one));
		setsockopt(ss->send_raw, IPPROTO_IP, IP_MULTICAST_IF, &mc_if,
			   sizeof(mc_if));
	}
	for (i = 0; i < INPUT_PROTOS; i++) {
		ss->input[i] = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK,
				      input_protos[i] ? input_protos[i] : 255);
		if (ss->input[i] < 0)
			return -errno;
		setsockopt(ss->input[i], SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf,
			   sizeof(rcvbuf));
	}
	enter(NULL, s);
	return ss->inject < 0 || ss->sink < 0 || ss->send_raw < 0 ? -errno : 0;
}

static int send_pkt(const struct side_socks *ss, const struct pkt *p)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IP),
		.sll_ifindex = ss->gen_ifindex,
		.sll_halen = ETH_ALEN,
	};
	struct sockaddr_in sin = { .sin_family = AF_INET };
	ssize_t n;

	if (p->path == PKT_OUTPUT) {
		/* The sender's mark is the packet's (skb->mark). */
		if (setsockopt(ss->send_raw, SOL_SOCKET, SO_MARK, &p->mark,
			       sizeof(p->mark)))
			return -errno;
		memcpy(&sin.sin_addr, p->data + 16, 4);
		n = sendto(ss->send_raw, p->data, p->len, 0, (void *)&sin,
			   sizeof(sin));
		/* OUTPUT's NF_DROP reaches the sender as EPERM: judged. */
		return n == (ssize_t)p->len || errno == EPERM ? 0 : -errno;
	}
	memcpy(sll.sll_addr, l2_dst[p->l2], ETH_ALEN);
	n = sendto(ss->inject, p->data, p->len, 0, (void *)&sll, sizeof(sll));
	return n == (ssize_t)p->len ? 0 : -errno;
}

/*
 * Ids of the IPv4 packets waiting on @fd, marked with @bit: only those
 * with the protocol and addresses of the packet sent with that id, not
 * the router's replies (which a large table's packets, from addresses
 * routed towards the sink, may draw there).
 */
static void drain(int fd, enum side s, unsigned char bit)
{
	unsigned char buf[2048];
	unsigned int id;
	ssize_t n;

	while ((n = recv(fd, buf, sizeof(buf), 0)) >= 20) {
		id = (buf[4] << 8) | buf[5];
		if (id < FIRST_ID || id - FIRST_ID >= npkts ||
		    memcmp(buf + 12, pkts[id - FIRST_ID].data + 12, 8) ||
		    buf[9] != pkts[id - FIRST_ID].data[9])
			continue;
		seen[s][id] |= bit;
	}
}

static void drain_all(const struct side_socks *socks)
{
	unsigned int i, s;

	for (s = 0; s < SIDES; s++) {
		drain(socks[s].sink, s, 2);
		for (i = 0; i < INPUT_PROTOS; i++)
			drain(socks[s].input[i], s, 1);
	}
}

/* --packets FILE: its lines into pkts[], ids from FIRST_ID on. */
static unsigned int packets_read(const char *path)
{
	unsigned int bad_line;
	int n = pkt_list_read(path, pkts, MAX_PKTS, FIRST_ID, &bad_line);

	if (n < 0 && bad_line) {
		printf("not ok - nf-diff %s: %s:%u: %s\n", name, path, bad_line,
		       n == -E2BIG ? "too many packets" : "malformed packet line");
		exit(1);
	}
	if (n < 0) {
		printf("not ok - nf-diff %s: read %s: %s\n", name, path,
		       strerror(-n));
		exit(1);
	}
	return n;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char *const path_name[PKT_PATHS] = { "INPUT", "FORWARD", "OUTPUT" };

static unsigned int compare_delivery(unsigned int *delivered)
{
	unsigned int i, diffs = 0;

	*delivered = 0;
	for (i = 0; i < npkts; i++) {
		unsigned char x = seen[XT][pkts[i].id], b = seen[BPF][pkts[i].id];

		*delivered += x != 0;
		if (x == b)
			continue;
		if (diffs++ < 20)
			printf("#   %s packet %#x (%s): x_tables %s, bpfilter %s\n",
			       path_name[pkts[i].path], pkts[i].id, pkts[i].what,
			       x ? "delivered" : "dropped",
			       b ? "delivered" : "dropped");
	}
	return diffs;
}

static unsigned int compare_counters(const struct nf_loaded *l,
				     const struct ipt_get_entries *ge,
				     unsigned int size, unsigned long long *pkts_total)
{
	const unsigned char *base = (const unsigned char *)ge->entrytable;
	struct bpfilter_counter c;
	unsigned int off, i = 0, diffs = 0, hit = 0;

	*pkts_total = 0;
	for (off = 0; off < size; i++) {
		const struct ipt_entry *e = (const void *)(base + off);

		if (nf_counter_read(l, i, &c)) {
			printf("#   entry %u: counter map read failed\n", i);
			diffs++;
		} else if (c.packets != e->counters.pcnt ||
			   c.bytes != e->counters.bcnt) {
			if (diffs++ < 20)
				printf("#   entry %u (offset %u): x_tables %llu packets %llu bytes, bpfilter %llu packets %llu bytes\n",
				       i, off, (unsigned long long)e->counters.pcnt,
				       (unsigned long long)e->counters.bcnt,
				       (unsigned long long)c.packets,
				       (unsigned long long)c.bytes);
		}
		*pkts_total += e->counters.pcnt;
		hit += e->counters.pcnt != 0;
		off += e->next_offset;
	}
	printf("# %s: %u of %u entries counted packets\n", name, hit, i);
	return diffs;
}

static void report(bool ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void report(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s - nf-diff %s: ", ok ? "ok" : "not ok", name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static int failures;

#define fail_exit(...) do { report(false, __VA_ARGS__); exit(1); } while (0)

static uint16_t ip_csum(const unsigned char *p, unsigned int len)
{
	uint32_t sum = 0;
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/*
 * @n copies of the corpus's first ICMP echo request to the router, IP
 * ids from FIRST_ID on.  Return: @n, or 0 if the corpus has none.
 */
static unsigned int flood_build(unsigned int n)
{
	unsigned int i, count = pkt_corpus_build(pkts, MAX_PKTS, FIRST_ID);
	struct pkt echo;
	uint16_t csum;

	for (i = 0; i < count; i++)
		if (pkts[i].path == PKT_INPUT && pkts[i].data[9] == 1 &&
		    pkts[i].data[20] == 8 && pkts[i].len >= 28)
			break;
	if (i == count || n > MAX_PKTS)
		return 0;
	echo = pkts[i];
	for (i = 0; i < n; i++) {
		pkts[i] = echo;
		pkts[i].id = FIRST_ID + i;
		pkts[i].data[4] = pkts[i].id >> 8;
		pkts[i].data[5] = pkts[i].id & 0xff;
		pkts[i].data[10] = pkts[i].data[11] = 0;
		csum = ip_csum(pkts[i].data, (pkts[i].data[0] & 0xf) * 4);
		pkts[i].data[10] = csum >> 8;
		pkts[i].data[11] = csum & 0xff;
	}
	return n;
}

/* --flood: how many each router delivered, at most @tol apart. */
static void flood(const struct side_socks *socks, unsigned int n,
		  unsigned int ms, unsigned int tol)
{
	unsigned int i, s, delivered[SIDES] = { 0, 0 };
	double start, due, left;
	bool ok;
	int ret;

	npkts = flood_build(n);
	if (!npkts)
		fail_exit("no ICMP echo request in the packet corpus");
	start = now_ms();
	for (i = 0; i < npkts; i++) {
		for (s = 0; s < SIDES; s++) {
			ret = send_pkt(&socks[s], &pkts[i]);
			if (ret)
				fail_exit("send packet %u to %s: %s", i,
					  side_name[s], strerror(-ret));
		}
		due = start + (double)ms * (i + 1) / npkts;
		while ((left = due - now_ms()) > 0) {
			struct timespec ts = { 0, (long)(left * 1e6) };

			nanosleep(&ts, NULL);
		}
	}
	sleep_ms(300);
	drain_all(socks);
	for (i = 0; i < npkts; i++)
		for (s = 0; s < SIDES; s++)
			delivered[s] += seen[s][pkts[i].id] != 0;
	ok = delivered[XT] > 0 && delivered[XT] <= delivered[BPF] + tol &&
	     delivered[BPF] <= delivered[XT] + tol;
	report(ok, "%u ICMP echo requests in %u ms: x_tables delivered %u, bpfilter %u (at most %u apart, x_tables at least 1)",
	       npkts, ms, delivered[XT], delivered[BPF], tol);
	failures += !ok;
}


int main(int argc, char **argv)
{
	struct side_socks socks[SIDES];
	struct bpfilter_image *image;
	struct ipt_get_entries *ge;
	struct bpfilter_core *core;
	struct ipt_getinfo info;
	struct nf_loaded loaded;
	unsigned long long total;
	unsigned int i, s, diffs, delivered;
	const char *packets = NULL, *todo = NULL;
	double load_ms;
	const char *expect;
	int ret;

	if (argc == 5 && !strcmp(argv[3], "--packets")) {
		packets = argv[4];
	} else if (argc == 7 && !strcmp(argv[3], "--packets") &&
		   !strcmp(argv[5], "--todo")) {
		packets = argv[4];
		todo = argv[6];
	} else if (argc != 3 && (argc != 7 || strcmp(argv[3], "--flood"))) {
		fprintf(stderr, "usage: nf-diff PREFIX NAME [--flood N MS TOL | --packets FILE [--todo REASON]]\n");
		return 2;
	}
	prefix = argv[1];
	name = argv[2];
	if (getenv("NF_DIFF_CLASSIFY_MIN"))
		bpfilter_classify_min_run =
			strtoul(getenv("NF_DIFF_CLASSIFY_MIN"), NULL, 0);
	setvbuf(stdout, NULL, _IOLBF, 0);
	home_ns = open("/proc/self/ns/net", O_RDONLY);
	pkts = calloc(MAX_PKTS, sizeof(*pkts));
	if (!pkts)
		fail_exit("no memory for %u packets", MAX_PKTS);

	enter("rtr", XT);
	xt_sock = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	enter(NULL, XT);
	ret = xt_sock < 0 ? -errno : xt_read(&info, &ge);
	if (ret)
		fail_exit("read x_tables' table: %s", strerror(-ret));

	core = bpfilter_core_new();
	ret = core ? core_commit(core, &info, ge) : -ENOMEM;
	if (ret)
		fail_exit("SET_REPLACE into the core: %s", strerror(-ret));
	ret = bpfilter_core_compile(core, NET_COOKIE, BPFILTER_FLAVOUR_NF_LINK,
				    &image);
	if (ret)
		fail_exit("compile: %s", strerror(-ret));

	enter("rtr", BPF);
	load_ms = now_ms();
	ret = nf_image_load(image, &loaded);
	load_ms = now_ms() - load_ms;
	if (!ret) {
		ret = nf_image_attach(&loaded, 0);
		if (ret)
			nf_loaded_release(&loaded);
	}
	enter(NULL, BPF);
	if (ret && todo) {
		printf("ok - nf-diff %s: %u entries: load and attach: %s # SKIP TODO %s\n",
		       name, info.num_entries, strerror(-ret), todo);
		bpfilter_image_free(image);
		bpfilter_core_free(core);
		free(ge);
		free(pkts);
		return 0;
	}
	if (ret)
		fail_exit("load and attach %u entries: %s", info.num_entries,
			  strerror(-ret));
	printf("# %s: %u entries; instructions: INPUT %u, FORWARD %u, OUTPUT %u; %u classifier maps; loaded (verifier included) in %.0f ms\n",
	       name, info.num_entries, image->progs[0].nr_insns,
	       image->progs[1].nr_insns, image->progs[2].nr_insns,
	       image->nr_class_maps, load_ms);
	report(true, "%u entries compile, verify and attach", info.num_entries);
	expect = getenv("NF_DIFF_EXPECT_CLASSIFIED");
	if (expect && !strcmp(expect, "1")) {
		report(image->nr_class_maps > 0,
		       "the classifier made %u maps: lookups judge the packets",
		       image->nr_class_maps);
		failures += !image->nr_class_maps;
	}

	for (s = 0; s < SIDES; s++) {
		ret = open_socks(s, &socks[s]);
		if (ret)
			fail_exit("sockets in the %s namespaces: %s",
				  side_name[s], strerror(-ret));
	}

	if (argc == 7 && !packets) {
		flood(socks, strtoul(argv[4], NULL, 0), strtoul(argv[5], NULL, 0),
		      strtoul(argv[6], NULL, 0));
		goto out;
	}

	npkts = packets ? packets_read(packets) :
			  pkt_corpus_build(pkts, MAX_PKTS, FIRST_ID);
	for (i = 0; i < npkts; i++) {
		/* Drained as it goes: a large list would fill the buffers. */
		if (i && i % BATCH == 0)
			drain_all(socks);
		for (s = 0; s < SIDES; s++) {
			ret = send_pkt(&socks[s], &pkts[i]);
			if (ret)
				fail_exit("send %s packet %#x (%s) to %s: %s",
					  path_name[pkts[i].path], pkts[i].id,
					  pkts[i].what, side_name[s],
					  strerror(-ret));
		}
	}
	/* Delivery is synchronous on veth; replies and timers settle. */
	sleep_ms(300);
	drain_all(socks);

	diffs = compare_delivery(&delivered);
	report(!diffs, "%u packets: same ones delivered (%u) by x_tables and bpfilter%s",
	       npkts, delivered, diffs ? ", differences above" : "");
	failures += diffs != 0;

	free(ge);
	ret = xt_read(&info, &ge);
	if (ret)
		fail_exit("read x_tables' counters: %s", strerror(-ret));
	diffs = compare_counters(&loaded, ge, info.size, &total);
	report(!diffs, "%u entries: same packet and byte counters (%llu packets counted)%s",
	       info.num_entries, total, diffs ? ", differences above" : "");
	failures += diffs != 0;
	report(delivered > 0 && total >= delivered,
	       "the packets were judged: x_tables delivered %u of %u (at least 1) and counted %llu (at least as many)",
	       delivered, npkts, total);
	failures += !(delivered > 0 && total >= delivered);

out:
	nf_loaded_release(&loaded);
	bpfilter_image_free(image);
	bpfilter_core_free(core);
	free(ge);
	free(pkts);
	return failures ? 1 : 0;
}
