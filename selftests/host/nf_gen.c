// SPDX-License-Identifier: GPL-2.0
/*
 * nf-gen: large filter tables for the data-plane differential test, with
 * packets aimed at their rules' boundaries (issue 11: the classifier of
 * docs/classifier.md must be checked against x_tables on thousands of
 * rules, not on nf_corpus/'s hand-written dozens).
 *
 * Each SHAPE writes OUT.rules (iptables-restore input) and OUT.pkts (a
 * packet list, pkt_parse() in pkt_corpus.c), the same bytes for the same
 * SEED on every machine (its own PRNG, no libc rand()):
 *
 * - src: source blocklists (-s with /8 to /32, a few /0), overlapping
 *   prefixes in both orders, exact duplicates, the same prefix with the
 *   other verdict; runs of every length around the classifier's
 *   threshold (10, 15, 16, 17) up to 3,000, cut by what a run may not
 *   hold (! -s, -i, -f, -m length, a non-contiguous mask, --tcp-flags,
 *   RETURN, a jump to a chain with its own run); a chain of them reached
 *   from INPUT (twice), FORWARD and OUTPUT.
 * - dport: -d X -p tcp|udp --dport|--sport N (mostly /32, some /24 to
 *   /30), the same port with the other protocol, duplicates, cut by port
 *   ranges, multiport, --syn, -o, RETURN, a jump; one chain reached from
 *   all three hooks.
 * - ports: -p tcp|udp --dport|--sport N without addresses, long runs
 *   beside short ones, a small chain called from several sites.
 * - mixed: exact-only 5-tuples (-s/32 -d/32 -p --sport --dport, a hash
 *   run), -s P -p --dport N over a few ports (exact fields, then a
 *   prefix), and a run mixing -s, -d, both, -p icmp|47|50|132 with and
 *   without addresses, a bare -j DROP near its end.
 * - tcpports: SIZE (3,000 if not given) -p tcp --dport rules in
 *   FORWARD; at 5,000 6.18's verifier refuses the linear code (8,193
 *   pending jumps): for the classifier, a TAP skip until it loads.
 *
 * The packets: for each prefix its first and last address and the two
 * just outside (each port N with N-1 and N+1 besides), the other
 * protocol, ICMP; and for a sample, fragments (offset 1 TCP, later
 * offsets, first fragments with and without a whole L4 header) and L4
 * headers cut short (TCP under 20 bytes, UDP under 8), each on paths
 * where the filter sees them (a fragment for the router itself is
 * reassembled before INPUT: those go through FORWARD and OUTPUT).
 *
 * Addresses of the packets, as test_nf_diff_large.sh routes them:
 * INPUT to 192.0.2.2 or 198.18.0.0/16 (local on the router's lo),
 * FORWARD and OUTPUT to 198.51.100.2 or 198.19.0.0/16 (routed to the
 * sink).  Sources may be any unicast address but the router's own
 * networks: nothing routes replies to them, so they stay in the
 * namespaces.  The rules may name any address.
 *
 * usage: nf-gen SHAPE SEED OUT [SIZE]
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PFX		8192
#define IN_DST		0xc0000202u	/* 192.0.2.2: the router */
#define FWD_DST		0xc6336402u	/* 198.51.100.2: the sink */
#define OUT_SRC		0xc6336401u	/* 198.51.100.1: the router */
#define GEN_SRC		0xc0000201u	/* 192.0.2.1: the generator */
#define LOCAL_NET	0xc6120000u	/* 198.18.0.0/16: local on the router */
#define ROUTED_NET	0xc6130000u	/* 198.19.0.0/16: routed to the sink */

enum path { IN, FWD, OUT };
static const char *const path_name[] = { "in", "fwd", "out" };

struct pfx {
	uint32_t addr;
	unsigned int len;
};

static FILE *rules, *pkts;
static unsigned int nrules, npkts;
static uint64_t rng_state;

/* xorshift64*: the same numbers everywhere for one seed. */
static uint32_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * 2685821657736338717ULL) >> 32;
}

static uint32_t below(uint32_t n)
{
	return rnd() % n;
}

static uint32_t mask(unsigned int len)
{
	return len ? ~0u << (32 - len) : 0;
}

static const char *ip(uint32_t a)
{
	static char buf[8][16];
	static unsigned int k;
	char *b = buf[k++ % 8];

	snprintf(b, 16, "%u.%u.%u.%u", a >> 24, (a >> 16) & 255,
		 (a >> 8) & 255, a & 255);
	return b;
}

static const char *pfx_str(struct pfx p)
{
	static char buf[8][20];
	static unsigned int k;
	char *b = buf[k++ % 8];

	snprintf(b, 20, "%s/%u", ip(p.addr), p.len);
	return b;
}

static void rule(const char *chain, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void rule(const char *chain, const char *fmt, ...)
{
	va_list ap;

	fprintf(rules, "-A %s ", chain);
	va_start(ap, fmt);
	vfprintf(rules, fmt, ap);
	va_end(ap);
	fputc('\n', rules);
	nrules++;
}

static const char *verdict(void)
{
	return below(5) < 3 ? "DROP" : "ACCEPT";
}

/* A source the router takes from the wire: unicast, not its own nets. */
static bool usable_src(uint32_t a)
{
	unsigned int top = a >> 24;

	return top && top != 127 && top < 224 &&
	       (a & mask(15)) != LOCAL_NET && (a & mask(24)) != 0xc0000200u &&
	       (a & mask(24)) != 0xc6336400u;
}

/* "proto" is tcp, udp, icmp or a number; @extra "" or "frag=.. len=..". */
static void pkt(enum path p, const char *proto, uint32_t src, uint32_t dst,
		unsigned int a, unsigned int b, const char *extra)
{
	fprintf(pkts, "%s %s %s %s %u %u%s%s\n", path_name[p], proto, ip(src),
		ip(dst), a, b, *extra ? " " : "", extra);
	npkts++;
}

/* Where a packet from @src goes on path @p of a source-matching chain. */
static void src_pkt(enum path p, const char *proto, uint32_t src)
{
	if (!usable_src(src))
		return;
	pkt(p, proto, src, p == IN ? IN_DST : FWD_DST,
	    !strcmp(proto, "icmp") ? 8 : 40000 + below(1000),
	    !strcmp(proto, "icmp") ? 0 : 80, "");
}

/*
 * The boundary addresses of @p: first and last inside, the neighbours
 * outside, each from every path of @paths (a bit mask), the protocol in
 * turn (INPUT calls the blocklist for TCP and UDP only).
 */
static void src_boundaries(struct pfx p, unsigned int paths,
			   const char *const *protos, unsigned int nprotos)
{
	static unsigned int turn;
	uint32_t first = p.addr & mask(p.len), last = first | ~mask(p.len);
	uint32_t addrs[4] = { first, last, first - 1, last + 1 };
	unsigned int i, k, path;

	for (i = 0; i < 4; i++) {
		if (i == 1 && last == first)
			continue;
		if ((i == 2 && first == 0) || (i == 3 && last == ~0u))
			continue;
		for (path = IN; path <= OUT; path++) {
			if (!(paths & (1u << path)))
				continue;
			k = turn++;
			src_pkt(path, protos[k % (path == IN && nprotos > 2 ?
						 2 : nprotos)], addrs[i]);
		}
	}
}

/* Fragments and short L4 headers from @src, on FORWARD and OUTPUT. */
static void src_odd(uint32_t src, unsigned int k)
{
	static const char *const odd[] = {
		"frag=1", "frag=1 len=4", "frag=2", "frag=0x2000",
		"frag=0x2000 len=8", "frag=0x2000 len=4", "len=19", "len=7",
		"frag=185", "frag=0x2001",
	};
	const char *extra = odd[k % 10];
	const char *proto = strstr(extra, "len=7") ? "udp" :
			    strstr(extra, "len=19") ? "tcp" :
			    k % 3 == 1 ? "udp" : k % 3 == 2 && k % 10 < 6 ? "icmp" : "tcp";
	enum path p = k % 2 ? FWD : OUT;

	if (!usable_src(src))
		return;
	if (!strcmp(proto, "icmp"))
		pkt(p, proto, src, FWD_DST, 8, 0, extra);
	else
		pkt(p, proto, src, FWD_DST, 1024, k % 4 ? 80 : 53, extra);
}

/*
 * A random unicast prefix of length @len outside the router's nets, its
 * first octet even (@region 0), odd (1) or either (2): chains that one
 * packet crosses in turn take disjoint regions, so that the first does
 * not hide the second.
 */
static struct pfx random_pfx(unsigned int len, unsigned int region)
{
	struct pfx p;

	do {
		p.addr = rnd();
		if (region < 2)
			p.addr = (p.addr & ~(1u << 24)) | region << 24;
		p.len = len;
		p.addr &= mask(len);
	} while (!usable_src(p.addr) || !usable_src(p.addr | ~mask(len)));
	return p;
}

/* Mostly long prefixes: a few short ones already hide most of a list. */
static unsigned int random_len(void)
{
	unsigned int r = below(1000);

	if (r < 3)
		return 8 + below(4);
	if (r < 30)
		return 12 + below(5);
	if (r < 250)
		return 17 + below(7);
	if (r < 550)
		return 24;
	if (r < 700)
		return 25 + below(7);
	return 32;
}

/*
 * @n source prefixes into @out, with their verdicts: new ones, some
 * inside an earlier one (wider first), some around one (narrower first),
 * exact duplicates and the same prefix with the other verdict.
 */
static void src_list(struct pfx *out, const char **verd, unsigned int n,
		     unsigned int region)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		unsigned int r = below(100);

		verd[i] = verdict();
		if (i < 8 || r < 55) {
			out[i] = random_pfx(random_len(), region);
			continue;
		}
		j = i - 1 - below(i < 200 ? i : 200);
		out[i] = out[j];
		if (r < 70 && out[j].len < 32) {		/* inside */
			out[i].len += 1 + below(32 - out[j].len);
			out[i].addr |= rnd() & ~mask(out[j].len);
			out[i].addr &= mask(out[i].len);
		} else if (r < 85 && out[j].len > 12) {	/* around */
			out[i].len -= 1 + below(out[j].len - 12 < 8 ?
						 out[j].len - 12 : 8);
			out[i].addr &= mask(out[i].len);
		} else if (r < 92) {			/* duplicate */
			verd[i] = verd[j];
		} else {				/* other verdict */
			verd[i] = strcmp(verd[j], "DROP") ? "DROP" : "ACCEPT";
		}
		if (!usable_src(out[i].addr) ||
		    !usable_src(out[i].addr | ~mask(out[i].len)))
			out[i] = random_pfx(random_len(), region);
	}
}

static struct pfx pfxs[MAX_PFX];
static const char *verds[MAX_PFX];

/*
 * A run-cutting entry (none a classifier may hold) after entry @i of
 * @chain's source list, with packets aimed at it; @sub is a chain with a
 * run of its own to jump to.
 */
static void src_cut(const char *chain, unsigned int i, const char *sub,
		    unsigned int paths)
{
	static const char *const tu[] = { "tcp", "udp" };
	struct pfx p = pfxs[i];
	uint32_t a = p.addr;

	switch (i % 8) {
	case 0:
		rule(chain, "! -s %s -p udp -m udp --dport 7 -j DROP", pfx_str(p));
		pkt(FWD, "udp", 0x05060708, FWD_DST, 1024, 7, "");
		pkt(FWD, "udp", a, FWD_DST, 1024, 7, "");
		break;
	case 1:
		rule(chain, "-s %s -i r0 -j DROP", pfx_str(p));
		break;
	case 2:
		rule(chain, "-s %s -f -j DROP", pfx_str(p));
		pkt(FWD, "tcp", a, FWD_DST, 1024, 80, "frag=2");
		pkt(OUT, "udp", a, FWD_DST, 1024, 53, "frag=0x2000");
		break;
	case 3:
		rule(chain, "-s %s -m length --length 0:44 -j ACCEPT", pfx_str(p));
		pkt(FWD, "tcp", a, FWD_DST, 1024, 80, "len=8");
		break;
	case 4:
		rule(chain, "-s %u.0.255.0/255.0.255.0 -j DROP", a >> 24);
		pkt(FWD, "icmp", (a & 0xff000000) | 0xff00, FWD_DST, 8, 0, "");
		pkt(IN, "icmp", (a & 0xff000000) | 0x10ff00, IN_DST, 8, 0, "");
		break;
	case 5:
		rule(chain, "-s %s -p tcp -m tcp --tcp-flags SYN,ACK SYN -j ACCEPT",
		     pfx_str(p));
		pkt(OUT, "tcp", a, FWD_DST, 1024, 80, "flags=0x12");
		break;
	case 6:
		rule(chain, "-s %s -j RETURN", pfx_str(p));
		break;
	default:
		rule(chain, "-s %s -j %s", pfx_str(p), sub);
		break;
	}
	src_boundaries(p, paths, tu, 2);
}

/*
 * A run of @n source entries, from pfxs[@first] on, into @chain, cut
 * where @cuts says (entry offsets into the run, ascending).
 */
static void src_run(const char *chain, unsigned int first, unsigned int n,
		    const unsigned int *cuts, unsigned int ncuts,
		    const char *sub, unsigned int paths)
{
	static const char *const all[] = { "tcp", "udp", "icmp" };
	unsigned int i, c = 0;

	for (i = first; i < first + n; i++) {
		if (c < ncuts && i - first == cuts[c]) {
			src_cut(chain, i, sub, paths);
			c++;
		}
		if (pfxs[i].len)
			rule(chain, "-s %s -j %s", pfx_str(pfxs[i]), verds[i]);
		else
			rule(chain, "-j %s", verds[i]);	/* -s 0.0.0.0/0 */
		src_boundaries(pfxs[i], paths, all, 3);
		if (i % 16 == 0)
			src_odd(pfxs[i].addr | (~mask(pfxs[i].len) & 0x5),
				i / 16);
	}
}

static void header(const char *const *chains, unsigned int n)
{
	unsigned int i;

	fprintf(rules, "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n"
		":OUTPUT ACCEPT [0:0]\n");
	for (i = 0; i < n; i++)
		fprintf(rules, ":%s - [0:0]\n", chains[i]);
}

static void shape_src(void)
{
	static const char *const chains[] = { "blk", "sub", "zero" };
	/* Segments of 10, 15, 16, 17 and 300-odd entries between cuts. */
	static const unsigned int blk_cuts[] = {
		150, 160, 175, 191, 208, 500, 800, 1000, 1300, 1500, 1700, 1850,
	};
	static const unsigned int fwd_cuts[] = { 1200, 1212, 2400 };
	const unsigned int blk = 2000, fwd = 3000, sub = 40, zero = 40;
	const unsigned int all = (1 << IN) | (1 << FWD) | (1 << OUT);
	unsigned int i;

	header(chains, 3);
	src_list(pfxs, verds, blk, 0);
	src_list(pfxs + blk, verds + blk, fwd, 1);
	src_list(pfxs + blk + fwd, verds + blk + fwd, sub + zero, 2);
	/* -s 0.0.0.0/0 in zero's middle: what follows it is never reached. */
	pfxs[blk + fwd + sub + zero / 2].len = 0;
	pfxs[blk + fwd + sub + zero / 2].addr = 0;

	/* INPUT: a short run, then blk from two sites (tcp, then udp). */
	src_run("INPUT", blk + fwd, 12, NULL, 0, "sub", 1 << IN);
	rule("INPUT", "-p tcp -j blk");
	rule("INPUT", "-p udp -j blk");
	/* FORWARD: its own run of 3,000, zero for icmp, then blk. */
	rule("FORWARD", "-p icmp -j zero");
	src_run("FORWARD", blk, fwd, fwd_cuts, 3, "sub", 1 << FWD);
	rule("FORWARD", "-j blk");
	rule("OUTPUT", "-j blk");
	src_run("blk", 0, blk, blk_cuts, sizeof(blk_cuts) / sizeof(blk_cuts[0]),
		"sub", all);
	src_run("sub", blk + fwd, sub, NULL, 0, "sub", all);
	src_run("zero", blk + fwd + sub, zero, NULL, 0, "sub", 1 << FWD);
	for (i = 0; i < 64; i++)	/* what zero's /0 meets */
		src_pkt(FWD, "icmp", random_pfx(32, 2).addr);
}

static const char *other(const char *proto)
{
	return strcmp(proto, "tcp") ? "tcp" : "udp";
}

/*
 * The packets around entry "-d @p -p @proto --dport|--sport @port":
 * the ports either side, the other protocol, the addresses either side,
 * ICMP, and for a sample fragments and short headers.
 */
static void port_boundaries(struct pfx p, const char *proto, bool sport,
			    unsigned int port, unsigned int k)
{
	static const char *const odd[] = {
		"frag=1", "frag=1 len=4", "frag=3", "frag=0x2000 len=4",
		"frag=0x2000", "len=19", "len=7", "len=0",
	};
	uint32_t first = p.addr & mask(p.len), last = first | ~mask(p.len);
	uint32_t dsts[4] = { first, last, first - 1, last + 1 };
	unsigned int i, j, ports[3] = { port, port - 1, port + 1 };
	/* The other port: spread, so that no one rule catches them all. */
	unsigned int far = 32768 + (k * 7919) % 28000;

	for (i = 0; i < 4; i++) {
		uint32_t d = dsts[i];
		bool local = (d & mask(16)) == LOCAL_NET;
		enum path path;

		if ((d & mask(15)) != LOCAL_NET || (i == 1 && last == first))
			continue;
		/* Local ones through INPUT, or OUTPUT looping back to it. */
		path = local ? (k + i) % 3 == 2 ? OUT : IN : (k + i) % 2 ? FWD : OUT;
		for (j = 0; j < 3; j++) {
			unsigned int pt = ports[j];

			if (pt == 0 || pt > 65535 || (i > 1 && j))
				continue;
			pkt(path, proto, path == OUT ? OUT_SRC : GEN_SRC, d,
			    sport ? pt : far + j, sport ? far + j : pt, "");
		}
		if (i == 0) {
			pkt(path, other(proto), path == OUT ? OUT_SRC : GEN_SRC,
			    d, sport ? port : far, sport ? far : port, "");
			if (k % 4 == 0)
				pkt(path, "icmp", path == OUT ? OUT_SRC : GEN_SRC,
				    d, 8, 0, "");
		}
		if (i == 0 && k % 3 == 0) {
			const char *extra = odd[(k / 3) % 8];
			const char *pr = strstr(extra, "len=7") ? "udp" :
					 strstr(extra, "len=19") ? "tcp" : proto;
			/* A fragment for the router: OUTPUT, not INPUT. */
			enum path fp = local && strstr(extra, "frag") ? OUT : path;

			pkt(fp, pr, fp == OUT ? OUT_SRC : GEN_SRC, d,
			    sport ? port : far, sport ? far : port, extra);
		}
	}
}

static unsigned int random_port(void)
{
	static const unsigned int common[] = {
		1, 21, 22, 23, 25, 53, 80, 110, 123, 443, 1024, 3306, 5432,
		8080, 8443, 65535,
	};

	return below(10) < 2 ? common[below(16)] : 1 + below(65535);
}

struct port_rule {
	struct pfx d;		/* len 0: no -d */
	const char *proto;
	bool sport;
	unsigned int port;
	const char *verdict;
};

static struct port_rule prs[MAX_PFX];

static void port_list(unsigned int n, bool addresses)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		unsigned int r = below(100);
		struct port_rule *pr = &prs[i];

		if (i >= 8 && r >= 75) {
			j = i - 1 - below(i < 100 ? i : 100);
			*pr = prs[j];
			if (r < 85)		/* the same port, other proto */
				pr->proto = other(pr->proto);
			else if (r < 92)	/* the other verdict */
				pr->verdict = strcmp(pr->verdict, "DROP") ?
					      "DROP" : "ACCEPT";
			continue;		/* or a duplicate */
		}
		pr->proto = below(3) ? "tcp" : "udp";
		pr->sport = below(8) == 0;
		pr->port = random_port();
		pr->verdict = verdict();
		pr->d.len = 0;
		if (addresses) {
			pr->d.len = below(10) ? 32 : 24 + below(7);
			pr->d.addr = (below(2) ? LOCAL_NET : ROUTED_NET) |
				     (rnd() & 0xffff);
			pr->d.addr &= mask(pr->d.len);
		}
	}
}

static void port_rule_emit(const char *chain, const struct port_rule *pr)
{
	char d[32] = "";

	if (pr->d.len)
		snprintf(d, sizeof(d), "-d %s ", pfx_str(pr->d));
	rule(chain, "%s-p %s -m %s --%s %u -j %s", d, pr->proto, pr->proto,
	     pr->sport ? "sport" : "dport", pr->port, pr->verdict);
}

/* Packets for an address-less port rule: every path, the ports ±1. */
static void port_only_boundaries(const struct port_rule *pr, unsigned int k,
				 unsigned int paths)
{
	struct pfx p;

	/* An address in both halves of 198.18.0.0/15, spread over paths. */
	p.len = 32;
	p.addr = (paths & (1 << IN) && (k % 3 == 0 || !(paths & 6)) ?
		  LOCAL_NET : ROUTED_NET) | (k * 7919 & 0xffff);
	if (!(paths & (1 << FWD)) && !(paths & (1 << OUT)))
		p.addr = LOCAL_NET | (k * 7919 & 0xffff);
	if (p.addr == LOCAL_NET || (p.addr & 0xffff) == 0xffff)
		p.addr += 2;
	port_boundaries(p, pr->proto, pr->sport, pr->port, k);
}

/*
 * A cut of a port run (none a classifier may hold), with packets aimed
 * at it; @sub is a chain with a run of its own.
 */
static void port_cut(const char *chain, const struct port_rule *pr,
		     unsigned int k, const char *sub)
{
	char d[32] = "";
	unsigned int lo = pr->port > 3 ? pr->port - 3 : 1;

	if (pr->d.len)
		snprintf(d, sizeof(d), "-d %s ", pfx_str(pr->d));
	switch (k % 6) {
	case 0:
		rule(chain, "%s-p %s -m %s --dport %u:%u -j DROP", d, pr->proto,
		     pr->proto, lo, pr->port);
		break;
	case 1:
		rule(chain, "%s-p tcp -m multiport --dports %u,%u -j ACCEPT", d,
		     pr->port, lo);
		break;
	case 2:
		rule(chain, "%s-p tcp -m tcp --dport %u --syn -j DROP", d, pr->port);
		break;
	case 3:		/* iptables allows -o in no INPUT, -i in no OUTPUT */
		rule(chain, "%s%s -p %s -m %s --dport %u -j DROP", d,
		     strcmp(chain, "INPUT") ? "-o r1" : "-i r0", pr->proto,
		     pr->proto, pr->port);
		break;
	case 4:
		rule(chain, "%s-p %s -m %s --dport %u -j RETURN", d, pr->proto,
		     pr->proto, pr->port);
		break;
	default:
		rule(chain, "%s-p %s -j %s", d, pr->proto, sub);
		break;
	}
	port_only_boundaries(pr, k, 7);
	if (pr->d.len)
		port_boundaries(pr->d, pr->proto, false, lo, k);
}

static void port_run(const char *chain, unsigned int first, unsigned int n,
		     const unsigned int *cuts, unsigned int ncuts,
		     const char *sub, unsigned int paths)
{
	unsigned int i, c = 0;

	for (i = first; i < first + n; i++) {
		if (c < ncuts && i - first == cuts[c]) {
			port_cut(chain, &prs[i], i, sub);
			c++;
		}
		port_rule_emit(chain, &prs[i]);
		if (prs[i].d.len)
			port_boundaries(prs[i].d, prs[i].proto, prs[i].sport,
					prs[i].port, i);
		else
			port_only_boundaries(&prs[i], i, paths);
	}
}

static void shape_dport(void)
{
	static const char *const chains[] = { "svc", "svc2" };
	static const unsigned int cuts[] = {
		200, 210, 225, 241, 258, 600, 900, 1100,
	};
	const unsigned int svc = 1500, svc2 = 40, top = 12;
	const unsigned int all = (1 << IN) | (1 << FWD) | (1 << OUT);

	header(chains, 2);
	port_list(svc + svc2 + 2 * top, true);
	port_run("INPUT", svc + svc2, top, NULL, 0, "svc2", 1 << IN);
	rule("INPUT", "-j svc");
	port_run("FORWARD", svc + svc2 + top, top, NULL, 0, "svc2", 1 << FWD);
	rule("FORWARD", "-j svc");
	rule("OUTPUT", "-d 198.18.0.0/15 -j svc");
	port_run("svc", 0, svc, cuts, sizeof(cuts) / sizeof(cuts[0]), "svc2",
		 all);
	port_run("svc2", svc, svc2, NULL, 0, "svc2", all);
}

static void shape_ports(void)
{
	static const char *const chains[] = { "plist", "small" };
	static const unsigned int in_cuts[] = { 700, 710, 725, 741 };
	static const unsigned int pl_cuts[] = { 300, 310, 900 };
	const unsigned int in = 1200, plist = 1500, small = 20;
	unsigned int i;

	header(chains, 2);
	port_list(in + plist + small + 12, false);
	/* INPUT: a short run, small twice, a long run. */
	port_run("INPUT", in + plist + small, 12, NULL, 0, "small", 1 << IN);
	rule("INPUT", "-p udp -j small");
	port_run("INPUT", 0, in, in_cuts, 4, "small", 1 << IN);
	rule("INPUT", "-p tcp -j small");
	/* FORWARD and OUTPUT: plist, small from two sites. */
	rule("FORWARD", "-p tcp -j small");
	rule("FORWARD", "-j plist");
	rule("FORWARD", "-p udp -j small");
	rule("OUTPUT", "-d 198.19.0.0/16 -j plist");
	port_run("plist", in, plist, pl_cuts, 3, "small",
		 (1 << FWD) | (1 << OUT));
	port_run("small", in + plist, small, NULL, 0, "small",
		 (1 << IN) | (1 << FWD) | (1 << OUT));
	for (i = 0; i < 4; i++)	/* the plain ICMP the runs do not match */
		pkt(i % 2 ? FWD : IN, "icmp", GEN_SRC,
		    i % 2 ? FWD_DST : IN_DST, 8, 0, "");
}

/* A path for a packet to @d in 198.18.0.0/15, in turn by @k. */
static enum path dst_path(uint32_t d, unsigned int k)
{
	if ((d & mask(16)) == LOCAL_NET)
		return k % 3 == 2 ? OUT : IN;	/* OUTPUT loops back to INPUT */
	return k % 2 ? FWD : OUT;
}

/* A random address of 198.18.0.0/15 that is neither end of a /16. */
static uint32_t random_dst(void)
{
	uint32_t d = LOCAL_NET | (rnd() & 0x1ffff);

	return (d & 0xffff) < 2 || (d & 0xffff) == 0xffff ? d + 2 : d;
}

/*
 * m5: -s A/32 -d B/32 -p tcp|udp [--sport S] --dport D, an exact-only
 * run (a hash, not a trie); each field's neighbours in turn, the other
 * protocol, fragments and short headers.
 */
static void mixed_m5(const char *chain, unsigned int n)
{
	unsigned int i, f;

	for (i = 0; i < n; i++) {
		static const char *const odd[] = {
			"frag=1", "frag=1 len=4", "frag=0x2000 len=8", "len=19",
			"len=7", "frag=9",
		};
		uint32_t a = random_pfx(32, 2).addr, b = random_dst();
		const char *proto = below(2) ? "tcp" : "udp";
		unsigned int sp = below(3) ? 0 : random_port(), dp = random_port();
		unsigned int far = 32768 + (i * 7919) % 28000, sport = sp ? sp : far;
		enum path path = dst_path(b, i);
		char spo[24] = "";

		if (sp)
			snprintf(spo, sizeof(spo), "--sport %u ", sp);
		rule(chain, "-s %s/32 -d %s/32 -p %s -m %s %s--dport %u -j %s",
		     ip(a), ip(b), proto, proto, spo, dp, verdict());
		pkt(path, proto, a, b, sport, dp, "");
		pkt(path, other(proto), a, b, sport, dp, "");
		for (f = 0; f < 2; f++) {
			int dlt = f ? 1 : -1;

			if (usable_src(a + dlt))
				pkt(path, proto, a + dlt, b, sport, dp, "");
			pkt(dst_path(b + dlt, i), proto, a, b + dlt, sport, dp, "");
			if (sp && sp + dlt >= 1 && sp + dlt <= 65535)
				pkt(path, proto, a, b, sp + dlt, dp, "");
			if (dp + dlt >= 1 && dp + dlt <= 65535)
				pkt(path, proto, a, b, sport, dp + dlt, "");
		}
		if (i % 4 == 0) {
			const char *extra = odd[(i / 4) % 6];
			const char *pr = strstr(extra, "len=7") ? "udp" :
					 strstr(extra, "len=19") ? "tcp" : proto;
			/* A fragment for the router: OUTPUT, not INPUT. */
			enum path fp = path == IN && strstr(extra, "frag") ? OUT : path;

			pkt(fp, pr, a, b, sport, dp, extra);
		}
	}
}

/*
 * msrc: -s P -p tcp|udp --dport N over a few ports: exact protocol and
 * port, then a source prefix; P's boundaries on each path, N±1.
 */
static void mixed_msrc(const char *chain, unsigned int n)
{
	static const unsigned int ports[] = { 22, 53, 80, 443, 8080 };
	unsigned int i, j, f;

	src_list(pfxs, verds, n, 2);
	for (i = 0; i < n; i++) {
		struct pfx p = pfxs[i];
		const char *proto = below(3) ? "tcp" : "udp";
		unsigned int port = ports[below(5)];
		uint32_t first = p.addr & mask(p.len), last = first | ~mask(p.len);
		uint32_t addrs[4] = { first, last, first - 1, last + 1 };

		rule(chain, "-s %s -p %s -m %s --dport %u -j %s", pfx_str(p),
		     proto, proto, port, verds[i]);
		for (j = 0; j < 4; j++) {
			enum path path = (i + j) % 3;

			if (!usable_src(addrs[j]) || (j == 1 && last == first))
				continue;
			pkt(path, proto, addrs[j], path == IN ? IN_DST : FWD_DST,
			    40000 + i % 1000, port, "");
		}
		for (f = 0; f < 2 && usable_src(first); f++)
			pkt(i % 2 ? FWD : IN, proto, first,
			    i % 2 ? FWD_DST : IN_DST, 40000, port + (f ? 1 : -1),
			    "");
		if (i % 5 == 0 && usable_src(last))
			pkt(i % 2 ? FWD : OUT, proto, last, FWD_DST, 40000, port,
			    i % 10 ? "frag=1" : "frag=0x2000 len=4");
	}
}

/*
 * A run mixing fields entry by entry (the bit-vector case): -s, -d,
 * -s with -d, -p icmp or 47 with an address, address-less -p; a bare
 * "-j DROP" near its end, which hides what follows.
 */
static void mixed_fields(const char *chain, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct pfx s = random_pfx(random_len(), 2), d;
		uint32_t dd;

		d.len = 16 + below(17);		/* routed: FORWARD sees it */
		d.addr = (ROUTED_NET | (rnd() & 0xffff)) & mask(d.len);
		dd = d.addr | (~mask(d.len) & 0x3);
		if (i == n - 20) {
			rule(chain, "-j DROP");
			continue;
		}
		switch (i % 6) {
		case 0:
			rule(chain, "-s %s -j %s", pfx_str(s), verdict());
			src_pkt(FWD, "icmp", s.addr);
			src_pkt(FWD, "udp", (s.addr | ~mask(s.len)) + 1);
			break;
		case 1:
			rule(chain, "-d %s -j %s", pfx_str(d), verdict());
			pkt(FWD, "icmp", GEN_SRC, dd, 8, 0, "");
			pkt(FWD, "tcp", GEN_SRC, d.addr - 1, 1024, 80, "");
			break;
		case 2:
			rule(chain, "-s %s -d %s -j %s", pfx_str(s), pfx_str(d),
			     verdict());
			pkt(FWD, "udp", s.addr, dd, 1024, 53, "");
			if (usable_src(s.addr - 1))
				pkt(FWD, "udp", s.addr - 1, dd, 1024, 53, "");
			break;
		case 3:
			rule(chain, "-s %s -p icmp -j %s", pfx_str(s), verdict());
			src_pkt(FWD, "icmp", s.addr | ~mask(s.len));
			src_pkt(FWD, "tcp", s.addr | ~mask(s.len));
			break;
		case 4:
			rule(chain, "-d %s -p 47 -j %s", pfx_str(d), verdict());
			pkt(FWD, "47", GEN_SRC, dd, 1, 2, "");
			pkt(FWD, "47", GEN_SRC, (d.addr | ~mask(d.len)) + 1, 1, 2, "");
			pkt(FWD, "50", GEN_SRC, dd, 1, 2, "");
			break;
		default:
			rule(chain, "-p %s -j %s", i % 12 == 5 ? "132" : "50", "DROP");
			pkt(FWD, "132", GEN_SRC, dd, 1, 2, "");
			break;
		}
	}
}

static void shape_mixed(void)
{
	static const char *const chains[] = { "m5", "msrc" };

	header(chains, 2);
	rule("INPUT", "-j m5");
	rule("INPUT", "-j msrc");
	rule("FORWARD", "-p tcp -j m5");
	mixed_fields("FORWARD", 500);
	rule("FORWARD", "-p udp -j m5");
	rule("FORWARD", "-j msrc");
	rule("OUTPUT", "-j m5");
	rule("OUTPUT", "-j msrc");
	mixed_m5("m5", 600);
	mixed_msrc("msrc", 600);
}

static unsigned int size_arg;

static void shape_tcpports(void)
{
	const unsigned int n = size_arg ? size_arg : 3000;
	unsigned int i;

	header(NULL, 0);
	port_list(n, false);
	for (i = 0; i < n; i++) {
		prs[i].proto = "tcp";
		prs[i].sport = false;
		port_rule_emit("FORWARD", &prs[i]);
		if (i % 2 == 0)
			port_only_boundaries(&prs[i], i, 1 << FWD);
	}
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} shapes[] = {
		{ "src", shape_src },
		{ "dport", shape_dport },
		{ "ports", shape_ports },
		{ "mixed", shape_mixed },
		{ "tcpports", shape_tcpports },
	};
	char path[4096];
	unsigned int i;

	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: nf-gen SHAPE SEED OUT [SIZE]\n");
		return 2;
	}
	if (argc == 5)
		size_arg = strtoul(argv[4], NULL, 0);
	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++)
		if (!strcmp(argv[1], shapes[i].name))
			break;
	if (i == sizeof(shapes) / sizeof(shapes[0])) {
		fprintf(stderr, "nf-gen: no shape %s\n", argv[1]);
		return 2;
	}
	rng_state = strtoull(argv[2], NULL, 0) * 0x9e3779b97f4a7c15ULL + 1;
	snprintf(path, sizeof(path), "%s.rules", argv[3]);
	rules = fopen(path, "w");
	snprintf(path, sizeof(path), "%s.pkts", argv[3]);
	pkts = fopen(path, "w");
	if (!rules || !pkts) {
		perror("nf-gen");
		return 1;
	}
	fprintf(pkts, "# nf-gen %s %s: PATH PROTO SRC DST A B [frag=] [len=] [flags=]\n",
		argv[1], argv[2]);
	shapes[i].fn();
	fprintf(rules, "COMMIT\n");
	if (fclose(rules) || fclose(pkts)) {
		perror("nf-gen");
		return 1;
	}
	printf("# nf-gen %s seed %s: %u rules, %u packets\n", argv[1], argv[2],
	       nrules, npkts);
	return 0;
}
