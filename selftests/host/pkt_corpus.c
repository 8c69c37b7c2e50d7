// SPDX-License-Identifier: GPL-2.0
/* The packets of pkt_corpus.h, built byte by byte. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkt_corpus.h"

#define IP_MF		0x2000
#define PROTO_TCP	6
#define PROTO_UDP	17
#define PROTO_ICMP	1

/* A packet before addresses are chosen for a path. */
struct tmpl {
	uint8_t proto;
	uint8_t ttl;
	uint8_t tos;
	enum pkt_l2 l2;
	uint32_t mark;
	uint16_t frag;			/* the frag_off field, host order */
	const uint8_t *ip_opts;		/* a multiple of 4 bytes */
	unsigned int ip_opts_len;
	unsigned char l4[PKT_MAX - 60];
	unsigned int l4_len;
	bool l4_csum;			/* a whole L4 header: checksum it */
	char what[48];
};

struct corpus {
	struct pkt *out;
	unsigned int n, max, k;
	uint16_t id;
};

static const char *const src_in[] = { "192.0.2.1", "192.0.2.9", "192.0.2.130" };
static const char *const dst_fwd[] = { "198.51.100.2", "198.51.100.3" };
static const char *const src_out[] = { "198.51.100.1", "192.0.2.2" };

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(uint32_t sum, const unsigned char *p, unsigned int len)
{
	unsigned int i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static void l4_checksum(unsigned char *ip, unsigned int hl, unsigned int len)
{
	unsigned char *l4 = ip + hl;
	unsigned int l4len = len - hl, at;
	uint32_t sum = 0;
	uint16_t c;

	switch (ip[9]) {
	case PROTO_TCP:
		at = 16;
		break;
	case PROTO_UDP:
		at = 6;
		break;
	case PROTO_ICMP:
		at = 2;
		break;
	default:
		return;
	}
	l4[at] = l4[at + 1] = 0;
	if (ip[9] != PROTO_ICMP) {
		sum = csum_add(sum, ip + 12, 8);
		sum += ip[9] + l4len;
	}
	c = csum_fold(csum_add(sum, l4, l4len));
	l4[at] = c >> 8;
	l4[at + 1] = c & 0xff;
}

static void emit(struct corpus *c, const struct tmpl *t, enum pkt_path path,
		 const char *src, const char *dst)
{
	struct pkt *p;
	unsigned char *ip;
	unsigned int hl = 20 + t->ip_opts_len;
	uint16_t sum;

	if (c->n >= c->max)
		return;
	p = &c->out[c->n++];
	memset(p, 0, sizeof(*p));
	ip = p->data;
	p->len = hl + t->l4_len;
	p->id = c->id++;
	p->path = path;
	p->l2 = path == PKT_OUTPUT ? PKT_L2_ROUTER : t->l2;
	p->mark = path == PKT_OUTPUT ? t->mark : 0;
	snprintf(p->what, sizeof(p->what), "%s %s>%s", t->what, src, dst);

	ip[0] = 0x40 | (hl / 4);
	ip[1] = t->tos;
	ip[2] = p->len >> 8;
	ip[3] = p->len & 0xff;
	ip[4] = p->id >> 8;
	ip[5] = p->id & 0xff;
	ip[6] = t->frag >> 8;
	ip[7] = t->frag & 0xff;
	ip[8] = t->ttl ? t->ttl : 64;
	ip[9] = t->proto;
	inet_pton(AF_INET, src, ip + 12);
	inet_pton(AF_INET, dst, ip + 16);
	if (t->ip_opts_len)
		memcpy(ip + 20, t->ip_opts, t->ip_opts_len);
	memcpy(ip + hl, t->l4, t->l4_len);
	if (t->l4_csum)
		l4_checksum(ip, hl, p->len);
	sum = csum_fold(csum_add(0, ip, hl));
	ip[10] = sum >> 8;
	ip[11] = sum & 0xff;
}

/* Each template once per path, addresses varying from one to the next. */
static void add(struct corpus *c, const struct tmpl *t)
{
	unsigned int k = c->k++;

	emit(c, t, PKT_INPUT, src_in[k % 3], "192.0.2.2");
	emit(c, t, PKT_FORWARD, src_in[(k + 1) % 3], dst_fwd[k % 2]);
	emit(c, t, PKT_OUTPUT, src_out[k % 2], dst_fwd[(k + 1) % 2]);
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

/* A TCP header with @opts, @doff as given (it may lie), no payload. */
static void tcp(struct tmpl *t, uint16_t sport, uint16_t dport, uint8_t flags,
		uint8_t doff, const uint8_t *opts, unsigned int opts_len)
{
	memset(t, 0, sizeof(*t));
	t->proto = PROTO_TCP;
	put16(t->l4, sport);
	put16(t->l4 + 2, dport);
	t->l4[12] = doff << 4;
	t->l4[13] = flags;
	put16(t->l4 + 14, 8192);
	if (opts_len)
		memcpy(t->l4 + 20, opts, opts_len);
	t->l4_len = 20 + opts_len;
	t->l4_csum = true;
	snprintf(t->what, sizeof(t->what), "tcp %u>%u flags %#x doff %u",
		 sport, dport, flags, doff);
}

static void udp(struct tmpl *t, uint16_t sport, uint16_t dport)
{
	memset(t, 0, sizeof(*t));
	t->proto = PROTO_UDP;
	put16(t->l4, sport);
	put16(t->l4 + 2, dport);
	put16(t->l4 + 4, 12);
	memcpy(t->l4 + 8, "data", 4);
	t->l4_len = 12;
	t->l4_csum = true;
	snprintf(t->what, sizeof(t->what), "udp %u>%u", sport, dport);
}

static void icmp(struct tmpl *t, uint8_t type, uint8_t code)
{
	memset(t, 0, sizeof(*t));
	t->proto = PROTO_ICMP;
	t->l4[0] = type;
	t->l4[1] = code;
	put16(t->l4 + 4, 0x4242);
	t->l4_len = 16;
	t->l4_csum = true;
	snprintf(t->what, sizeof(t->what), "icmp type %u code %u", type, code);
}

static void add_tcp(struct corpus *c)
{
	static const uint16_t sports[] = { 1000, 1023, 1024, 40000, 65535 };
	static const uint16_t dports[] = { 22, 80, 443, 8080, 1 };
	static const uint8_t mss[] = { 2, 4, 0x05, 0xb4 };
	static const uint8_t nop_ts[] = { 1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0 };
	static const uint8_t wscale_sack[] = { 3, 3, 7, 4, 2, 1, 1, 0 };
	static const uint8_t zero_len[] = { 30, 0, 6, 4, 1, 1, 1, 0 };
	static const uint8_t last_byte[] = { 1, 1, 1, 5 };
	static const uint8_t eol_then[] = { 0, 0, 0, 0, 2, 4, 5, 0xb4 };
	static const uint8_t past_end[] = { 3, 10, 1, 1, 8, 10, 2, 4, 4, 2, 6, 6,
					    30, 5, 5, 5 };
	uint32_t seed = 1;
	struct tmpl t;
	unsigned int i;

	for (i = 0; i < 256; i++) {
		tcp(&t, 1024, 80, i, 5, NULL, 0);
		add(c, &t);
	}
	for (i = 0; i < 25; i++) {
		tcp(&t, sports[i % 5], dports[i / 5], 0x02, 5, NULL, 0);
		add(c, &t);
	}
	tcp(&t, 1024, 80, 0x02, 6, mss, sizeof(mss));
	add(c, &t);
	tcp(&t, 1024, 80, 0x12, 8, nop_ts, sizeof(nop_ts));
	add(c, &t);
	tcp(&t, 1024, 443, 0x02, 7, wscale_sack, sizeof(wscale_sack));
	add(c, &t);
	tcp(&t, 1024, 443, 0x02, 7, zero_len, sizeof(zero_len));
	add(c, &t);
	tcp(&t, 1024, 443, 0x02, 6, last_byte, sizeof(last_byte));
	add(c, &t);
	tcp(&t, 1024, 443, 0x02, 7, eol_then, sizeof(eol_then));
	add(c, &t);
	/* A length past the options, onto payload bytes naming options. */
	tcp(&t, 1024, 443, 0x02, 6, past_end, sizeof(past_end));
	add(c, &t);
	/* 40 bytes of options: the walk's last positions. */
	for (i = 0; i < 4; i++) {
		uint8_t opts[40];

		memset(opts, 1, sizeof(opts));
		switch (i) {
		case 0:		/* the option at the last byte */
			opts[39] = 8;
			break;
		case 1:		/* a length read from the last byte */
			opts[38] = 19;
			opts[39] = 2;
			break;
		case 2:		/* zero lengths up to the last byte */
			opts[37] = 19;
			opts[38] = 0;
			opts[39] = 8;
			break;
		case 3:		/* one jump over bytes naming options */
			memcpy(opts, past_end + 4, sizeof(past_end) - 4);
			memcpy(opts + 12, past_end + 4, sizeof(past_end) - 4);
			memcpy(opts + 24, past_end + 4, sizeof(past_end) - 4);
			opts[0] = 19;
			opts[1] = 39;
			opts[39] = 5;
			break;
		}
		tcp(&t, 1024, 443, 0x02, 15, opts, sizeof(opts));
		snprintf(t.what, sizeof(t.what), "tcp with 40 option bytes, case %u", i);
		add(c, &t);
	}
	/*
	 * Options drawn from the kinds the rulesets look for, NOP, EOL and
	 * one they do not, with lengths of 0 to 11 (past the end too), and
	 * payload bytes after them: the same every run (a fixed LCG).
	 */
	for (i = 0; i < 24; i++) {
		static const uint8_t kinds[] = { 0, 1, 1, 2, 4, 5, 6, 8, 30, 19 };
		uint8_t opts[48];
		unsigned int j, doff = 6 + i % 10;

		for (j = 0; j < sizeof(opts); j++) {
			seed = seed * 1103515245 + 12345;
			opts[j] = j % 2 ? (seed >> 16) % 12 :
				  kinds[(seed >> 16) % sizeof(kinds)];
		}
		/* doff 6 to 15: 4 to 40 option bytes, then 8 of payload */
		tcp(&t, 1024, 443, 0x02, doff, opts, (doff - 5) * 4 + 8);
		snprintf(t.what, sizeof(t.what), "tcp with random options %u", i);
		add(c, &t);
	}
	/* doff says more options than the packet holds: hotdrop if asked. */
	tcp(&t, 1024, 80, 0x02, 15, mss, sizeof(mss));
	add(c, &t);
	/* doff below the header: hotdrop if options are asked about. */
	tcp(&t, 1024, 80, 0x02, 4, NULL, 0);
	add(c, &t);
	tcp(&t, 1024, 80, 0x02, 0, NULL, 0);
	add(c, &t);
	/* Headers cut short: 19, 8, 4, 0 bytes of TCP. */
	for (i = 0; i < 4; i++) {
		static const unsigned int cut[] = { 19, 8, 4, 0 };

		tcp(&t, 1024, 80, 0x02, 5, NULL, 0);
		t.l4_len = cut[i];
		t.l4_csum = false;
		snprintf(t.what, sizeof(t.what), "tcp cut to %u bytes", cut[i]);
		add(c, &t);
	}
}

static void add_udp_icmp_other(struct corpus *c)
{
	static const uint16_t ports[] = { 53, 67, 68, 123, 1024, 5353, 65535 };
	static const uint8_t icmps[][2] = {
		{ 0, 0 }, { 3, 0 }, { 3, 1 }, { 3, 3 }, { 3, 13 }, { 5, 1 },
		{ 8, 0 }, { 8, 5 }, { 11, 0 }, { 11, 1 }, { 13, 0 }, { 255, 7 },
	};
	static const uint8_t others[] = { 47, 132, 50, 0 };
	struct tmpl t;
	unsigned int i;

	for (i = 0; i < 7; i++) {
		udp(&t, ports[i], ports[(i + 3) % 7]);
		add(c, &t);
	}
	udp(&t, 5353, 53);
	t.l4_len = 4;
	t.l4_csum = false;
	snprintf(t.what, sizeof(t.what), "udp cut to 4 bytes");
	add(c, &t);
	for (i = 0; i < sizeof(icmps) / sizeof(icmps[0]); i++) {
		icmp(&t, icmps[i][0], icmps[i][1]);
		add(c, &t);
	}
	icmp(&t, 8, 0);
	t.l4_len = 4;
	t.l4_csum = false;
	snprintf(t.what, sizeof(t.what), "icmp cut to 4 bytes");
	add(c, &t);
	for (i = 0; i < sizeof(others); i++) {
		udp(&t, 1, 2);
		t.proto = others[i];
		t.l4_csum = false;
		snprintf(t.what, sizeof(t.what), "protocol %u", others[i]);
		add(c, &t);
	}
}

static void add_fragments_options(struct corpus *c)
{
	static const uint16_t frags[] = { IP_MF, 1, IP_MF | 1, 2, 185, IP_MF | 3 };
	static const uint8_t nops[] = { 1, 1, 1, 0 };
	static const uint8_t rr[] = { 7, 7, 4, 0, 0, 0, 0, 0 };
	struct tmpl t;
	unsigned int i;

	for (i = 0; i < sizeof(frags) / sizeof(frags[0]); i++) {
		tcp(&t, 1024, 22, 0x02, 5, NULL, 0);
		t.frag = frags[i];
		t.l4_csum = false;
		snprintf(t.what, sizeof(t.what), "tcp fragment %#x", frags[i]);
		add(c, &t);
		udp(&t, 1024, 53);
		t.frag = frags[i];
		t.l4_csum = false;
		snprintf(t.what, sizeof(t.what), "udp fragment %#x", frags[i]);
		add(c, &t);
		icmp(&t, 8, 0);
		t.frag = frags[i];
		t.l4_csum = false;
		snprintf(t.what, sizeof(t.what), "icmp fragment %#x", frags[i]);
		add(c, &t);
	}
	/* A fragment at offset 1 carrying 4 bytes: what tcp_mt() hot-drops. */
	tcp(&t, 1024, 22, 0x02, 5, NULL, 0);
	t.frag = 1;
	t.l4_len = 4;
	t.l4_csum = false;
	snprintf(t.what, sizeof(t.what), "tcp 4-byte fragment at offset 1");
	add(c, &t);

	tcp(&t, 1024, 22, 0x02, 5, NULL, 0);
	t.ip_opts = nops;
	t.ip_opts_len = sizeof(nops);
	snprintf(t.what, sizeof(t.what), "tcp with ip options nop nop nop eol");
	add(c, &t);
	udp(&t, 1024, 53);
	t.ip_opts = rr;
	t.ip_opts_len = sizeof(rr);
	snprintf(t.what, sizeof(t.what), "udp with ip option record-route");
	add(c, &t);
	icmp(&t, 8, 0);
	t.ip_opts = nops;
	t.ip_opts_len = sizeof(nops);
	snprintf(t.what, sizeof(t.what), "icmp with ip options");
	add(c, &t);
	udp(&t, 1024, 53);
	t.ttl = 1;
	snprintf(t.what, sizeof(t.what), "udp ttl 1");
	add(c, &t);
}

/*
 * What the header matches test: TTLs, TOS bytes and total lengths at the
 * nf_corpus rules' boundaries, marks (only locally sent packets carry
 * one: crossing into another namespace clears it), the link layer's
 * packet types, and the router's own broadcasts and multicasts, whose
 * looped-back copies reach its INPUT as PACKET_LOOPBACK.
 */
static void add_header_fields(struct corpus *c)
{
	static const uint8_t ttls[] = { 2, 3, 4, 63, 65, 128, 254, 255 };
	static const uint8_t toses[] = {
		0x02, 0x04, 0x08, 0x10, 0x18, 0x28, 0x2b, 0xb8, 0xbb, 0xfc, 0xff,
	};
	static const unsigned int payloads[] = { 0, 1, 11, 12, 13, 71, 72, 73, 188 };
	static const uint32_t marks[] = {
		1, 2, 3, 0x10, 0x11, 0x102, 0x80000000, 0xffffffff,
	};
	static const char *const own_casts[] = {
		"224.0.0.1", "192.0.2.255",
	};
	struct tmpl t;
	unsigned int i;

	for (i = 0; i < sizeof(ttls); i++) {
		udp(&t, 1024, 53);
		t.ttl = ttls[i];
		snprintf(t.what, sizeof(t.what), "udp ttl %u", ttls[i]);
		add(c, &t);
	}
	for (i = 0; i < sizeof(toses); i++) {
		udp(&t, 1024, 53);
		t.tos = toses[i];
		snprintf(t.what, sizeof(t.what), "udp tos %#x", toses[i]);
		add(c, &t);
	}
	for (i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		udp(&t, 1024, 53);
		memset(t.l4 + 8, 'x', payloads[i]);
		t.l4_len = 8 + payloads[i];
		put16(t.l4 + 4, t.l4_len);
		snprintf(t.what, sizeof(t.what), "udp total length %u",
			 20 + t.l4_len);
		add(c, &t);
	}
	for (i = 0; i < sizeof(marks) / sizeof(marks[0]); i++) {
		udp(&t, 1024, 53);
		t.mark = marks[i];
		snprintf(t.what, sizeof(t.what), "udp mark %#x (OUTPUT)",
			 marks[i]);
		add(c, &t);
	}
	udp(&t, 1024, 53);
	t.l2 = PKT_L2_BROADCAST;
	snprintf(t.what, sizeof(t.what), "udp to ethernet broadcast");
	add(c, &t);
	icmp(&t, 8, 0);
	t.l2 = PKT_L2_MULTICAST;
	snprintf(t.what, sizeof(t.what), "icmp to ethernet multicast");
	add(c, &t);
	for (i = 0; i < sizeof(own_casts) / sizeof(own_casts[0]); i++) {
		udp(&t, 1024, 5353);
		snprintf(t.what, sizeof(t.what), "udp from the router");
		emit(c, &t, PKT_OUTPUT, "192.0.2.2", own_casts[i]);
	}
}

unsigned int pkt_corpus_build(struct pkt *out, unsigned int max,
			      uint16_t first_id)
{
	struct corpus c = { .out = out, .max = max, .id = first_id };

	add_tcp(&c);
	add_udp_icmp_other(&c);
	add_fragments_options(&c);
	add_header_fields(&c);
	return c.n;
}

/*
 * One packet of a packet list (nf_gen.c writes them for its generated
 * tables): "PATH PROTO SRC DST A B [frag=N] [len=N] [flags=N] [ttl=N]".
 * PATH is in, fwd or out; PROTO tcp, udp, icmp or a number; A and B the
 * ports (tcp, udp), type and code (icmp), unused otherwise; frag the
 * frag_off field (MF is 0x2000), len the L4 bytes kept, flags TCP's
 * (SYN if not given).  Built with the corpus's own templates, so a
 * listed packet is what the corpus would send for the same fields.
 */
int pkt_parse(const char *line, struct pkt *out, uint16_t id)
{
	static const char *const paths[PKT_PATHS] = { "in", "fwd", "out" };
	char path[8], proto[8], src[16], dst[16], opts[4][16];
	unsigned long a, b, v;
	struct corpus c = { .out = out, .max = 1, .id = id };
	struct in_addr probe;
	struct tmpl t;
	int n, i, p;
	char *end;

	while (*line == ' ' || *line == '\t')
		line++;
	if (!*line || *line == '#' || *line == '\n')
		return 1;
	n = sscanf(line, "%7s %7s %15s %15s %lu %lu %15s %15s %15s %15s",
		   path, proto, src, dst, &a, &b, opts[0], opts[1], opts[2],
		   opts[3]);
	if (n < 6 || a > 65535 || b > 65535 ||
	    inet_pton(AF_INET, src, &probe) != 1 ||
	    inet_pton(AF_INET, dst, &probe) != 1)
		return -1;
	for (p = 0; p < PKT_PATHS && strcmp(path, paths[p]); p++)
		;
	if (p == PKT_PATHS)
		return -1;
	if (!strcmp(proto, "tcp")) {
		tcp(&t, a, b, 0x02, 5, NULL, 0);
	} else if (!strcmp(proto, "udp")) {
		udp(&t, a, b);
	} else if (!strcmp(proto, "icmp")) {
		if (a > 255 || b > 255)
			return -1;
		icmp(&t, a, b);
	} else {
		v = strtoul(proto, &end, 0);
		if (*end || v > 255)
			return -1;
		udp(&t, a, b);
		t.proto = v;
		t.l4_csum = false;
		snprintf(t.what, sizeof(t.what), "protocol %lu", v);
	}
	for (i = 0; i < n - 6; i++) {
		char *eq = strchr(opts[i], '=');

		if (!eq)
			return -1;
		*eq = 0;
		v = strtoul(eq + 1, &end, 0);
		if (*end || v > 0xffff)
			return -1;
		if (!strcmp(opts[i], "frag")) {
			t.frag = v;
			t.l4_csum = false;
		} else if (!strcmp(opts[i], "len") && v <= t.l4_len) {
			t.l4_len = v;
			t.l4_csum = false;
		} else if (!strcmp(opts[i], "flags") && t.proto == PROTO_TCP &&
			   v <= 0xff) {
			t.l4[13] = v;
		} else if (!strcmp(opts[i], "ttl") && v && v <= 255) {
			t.ttl = v;
		} else {
			return -1;
		}
		snprintf(t.what + strlen(t.what), sizeof(t.what) - strlen(t.what),
			 " %s=%#lx", opts[i], v);
	}
	emit(&c, &t, p, src, dst);
	return c.n == 1 ? 0 : -1;
}

int pkt_list_read(const char *path, struct pkt *out, unsigned int max,
		  uint16_t first_id, unsigned int *bad_line)
{
	char line[256];
	unsigned int n = 0, lineno = 0;
	FILE *f = fopen(path, "r");
	int ret;

	*bad_line = 0;
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		ret = n == max ? -1 : pkt_parse(line, &out[n], first_id + n);
		if (ret < 0) {
			fclose(f);
			*bad_line = lineno;
			return n == max ? -E2BIG : -EINVAL;
		}
		n += ret == 0;
	}
	fclose(f);
	return n;
}
