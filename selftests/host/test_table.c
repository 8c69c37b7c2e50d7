// SPDX-License-Identifier: GPL-2.0
/*
 * The table of replace_cases.c, built in C: same chains, same rules in
 * the same order, with the same matches and targets (their data need
 * not be iptables' exactly: no case depends on it).
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/xt_tcpudp.h>

#include "replace_diff.h"

#define TABLE_MAX	8192

struct builder {
	unsigned char *buf;
	unsigned int size;
	unsigned int count;
	unsigned int offsets[32];
};

static struct ipt_entry *rule(struct builder *b, const struct ipt_ip *ip)
{
	struct ipt_entry *e = (void *)(b->buf + b->size);

	if (ip)
		e->ip = *ip;
	e->target_offset = sizeof(*e);
	b->offsets[b->count++] = b->size;
	return e;
}

static void match(struct ipt_entry *e, const char *name, const void *data,
		  unsigned int size)
{
	struct xt_entry_match *m = (void *)((unsigned char *)e + e->target_offset);

	m->u.user.match_size = sizeof(*m) + XT_ALIGN(size);
	strcpy(m->u.user.name, name);
	memcpy(m->data, data, size);
	e->target_offset += m->u.user.match_size;
}

/* Ends the rule with a standard target; jumps are patched in later. */
static void verdict(struct builder *b, struct ipt_entry *e, int v)
{
	struct xt_standard_target *t = (void *)((unsigned char *)e + e->target_offset);

	t->target.u.user.target_size = XT_ALIGN(sizeof(*t));
	t->verdict = v;
	e->next_offset = e->target_offset + XT_ALIGN(sizeof(*t));
	b->size += e->next_offset;
}

static void error(struct builder *b, const char *name)
{
	struct ipt_entry *e = rule(b, NULL);
	struct xt_error_target *t = (void *)e->elems;

	t->target.u.user.target_size = XT_ALIGN(sizeof(*t));
	strcpy(t->target.u.user.name, XT_ERROR_TARGET);
	strcpy(t->errorname, name);
	e->next_offset = sizeof(*e) + XT_ALIGN(sizeof(*t));
	b->size += e->next_offset;
}

static struct ipt_ip proto(__u16 p)
{
	return (struct ipt_ip) { .proto = p };
}

static void input_chain(struct builder *b)
{
	struct xt_tcp tcp = { .spts = { 0, 0xffff }, .dpts = { 22, 22 } };
	struct xt_udp udp = { .spts = { 53, 53 }, .dpts = { 0, 0xffff } };
	struct ipt_icmp icmp = { .type = 8, .code = { 0, 0xff } };
	struct ipt_ip ip = proto(IPPROTO_TCP);
	struct ipt_entry *e;

	ip.src.s_addr = htonl(0x0a000000);
	ip.smsk.s_addr = htonl(0xff000000);
	ip.dst.s_addr = htonl(0xc0a80101);
	ip.dmsk.s_addr = 0xffffffff;
	e = rule(b, &ip);
	match(e, "tcp", &tcp, sizeof(tcp));
	verdict(b, e, -NF_ACCEPT - 1);

	ip = proto(IPPROTO_UDP);
	ip.src.s_addr = htonl(0x01020304);
	ip.smsk.s_addr = 0xffffffff;
	strcpy(ip.iniface, "eth+");	/* iptables keeps the "+" */
	memset(ip.iniface_mask, 0xff, 3);
	ip.invflags = IPT_INV_SRCIP;
	e = rule(b, &ip);
	match(e, "udp", &udp, sizeof(udp));
	verdict(b, e, -NF_DROP - 1);

	ip = proto(IPPROTO_ICMP);
	e = rule(b, &ip);
	match(e, "icmp", &icmp, sizeof(icmp));
	verdict(b, e, -NF_ACCEPT - 1);

	ip = proto(IPPROTO_TCP);
	e = rule(b, &ip);
	tcp = (struct xt_tcp) { .spts = { 0, 0xffff }, .dpts = { 0, 0xffff },
				.flg_mask = 0x17, .flg_cmp = 0x02 };
	match(e, "tcp", &tcp, sizeof(tcp));
	tcp = (struct xt_tcp) { .spts = { 0, 0xffff }, .dpts = { 80, 90 },
				.invflags = XT_TCP_INV_DSTPT };
	match(e, "tcp", &tcp, sizeof(tcp));
	verdict(b, e, 0);	/* -j web */

	ip = (struct ipt_ip) { .flags = IPT_F_FRAG };
	verdict(b, rule(b, &ip), -NF_DROP - 1);
	verdict(b, rule(b, NULL), -NF_ACCEPT - 1);
}

static void forward_chain(struct builder *b)
{
	struct xt_tcp tcp = { .spts = { 0, 0xffff }, .dpts = { 0, 0xffff },
			      .option = 2, .flg_mask = 0x12, .flg_cmp = 0x02 };
	struct ipt_ip ip = proto(IPPROTO_TCP);
	struct ipt_entry *e;

	strcpy(ip.iniface, "eth0");
	memset(ip.iniface_mask, 0xff, 5);
	strcpy(ip.outiface, "eth1");
	memset(ip.outiface_mask, 0xff, 5);
	e = rule(b, &ip);
	match(e, "tcp", &tcp, sizeof(tcp));
	verdict(b, e, 0);	/* -j zlast */

	ip = (struct ipt_ip) { .flags = IPT_F_GOTO, .invflags = IPT_INV_VIA_IN };
	strcpy(ip.iniface, "lo");
	memset(ip.iniface_mask, 0xff, 3);
	verdict(b, rule(b, &ip), 0);	/* -g web */
	verdict(b, rule(b, NULL), -NF_DROP - 1);
}

static void output_chain(struct builder *b)
{
	struct xt_udp udp = { .spts = { 0, 0xffff }, .dpts = { 53, 53 },
			      .invflags = XT_UDP_INV_DSTPT };
	struct ipt_ip ip = proto(IPPROTO_UDP);
	struct ipt_entry *e;

	ip.invflags = IPT_INV_PROTO;
	strcpy(ip.outiface, "lo");
	memset(ip.outiface_mask, 0xff, 3);
	verdict(b, rule(b, &ip), -NF_ACCEPT - 1);

	ip = proto(IPPROTO_UDP);
	ip.dst.s_addr = htonl(0x08080000);
	ip.dmsk.s_addr = htonl(0xffff0000);
	ip.flags = IPT_F_FRAG;		/* "! -f", as iptables sends it */
	ip.invflags = IPT_INV_FRAG;
	e = rule(b, &ip);
	match(e, "udp", &udp, sizeof(udp));
	verdict(b, e, -NF_DROP - 1);

	ip = proto(IPPROTO_UDP);
	udp = (struct xt_udp) { .spts = { 1, 2 }, .dpts = { 0, 0xffff } };
	e = rule(b, &ip);
	match(e, "udp", &udp, sizeof(udp));
	verdict(b, e, XT_RETURN);
	verdict(b, rule(b, NULL), -NF_ACCEPT - 1);
}

static void user_chains(struct builder *b)
{
	struct xt_tcp tcp = { .spts = { 1024, 0xffff }, .dpts = { 0, 0xffff } };
	struct ipt_icmp icmp = { .type = 8, .code = { 0, 0 },
				 .invflags = IPT_ICMP_INV };
	struct ipt_ip ip;
	struct ipt_entry *e;

	error(b, "orphan");
	ip = proto(IPPROTO_TCP);
	verdict(b, rule(b, &ip), -NF_ACCEPT - 1);
	verdict(b, rule(b, NULL), XT_RETURN);

	error(b, "web");
	e = rule(b, &ip);
	match(e, "tcp", &tcp, sizeof(tcp));
	verdict(b, e, XT_RETURN);
	ip = proto(IPPROTO_ICMP);
	e = rule(b, &ip);
	match(e, "icmp", &icmp, sizeof(icmp));
	verdict(b, e, -NF_DROP - 1);
	verdict(b, rule(b, NULL), 0);	/* -j zlast */
	verdict(b, rule(b, NULL), XT_RETURN);

	error(b, "zlast");
	ip = (struct ipt_ip) { 0 };
	ip.src.s_addr = htonl(0xac100000);
	ip.smsk.s_addr = htonl(0xfff00000);
	verdict(b, rule(b, &ip), -NF_DROP - 1);
	verdict(b, rule(b, NULL), XT_RETURN);

	error(b, XT_ERROR_TARGET);
}

static void jump(struct builder *b, unsigned int from, unsigned int to)
{
	struct ipt_entry *e = (void *)(b->buf + b->offsets[from]);
	struct xt_standard_target *t = (void *)((unsigned char *)e + e->target_offset);

	t->verdict = b->offsets[to];
}

void test_table_build(struct ipt_getinfo *info, unsigned char **entries)
{
	struct builder b = { .buf = calloc(1, TABLE_MAX) };
	unsigned int h;

	input_chain(&b);
	forward_chain(&b);
	output_chain(&b);
	user_chains(&b);
	jump(&b, 3, 17);	/* INPUT -> web */
	jump(&b, 6, 22);	/* FORWARD -> zlast */
	jump(&b, 7, 17);	/* FORWARD goto web */
	jump(&b, 19, 22);	/* web -> zlast */

	memset(info, 0, sizeof(*info));
	strcpy(info->name, "filter");
	info->valid_hooks = (1U << NF_INET_LOCAL_IN) | (1U << NF_INET_FORWARD) |
			    (1U << NF_INET_LOCAL_OUT);
	for (h = 0; h < NF_INET_NUMHOOKS; h++)
		info->hook_entry[h] = info->underflow[h] = 0xFFFFFFFFU;
	info->hook_entry[NF_INET_LOCAL_IN] = b.offsets[0];
	info->underflow[NF_INET_LOCAL_IN] = b.offsets[5];
	info->hook_entry[NF_INET_FORWARD] = b.offsets[6];
	info->underflow[NF_INET_FORWARD] = b.offsets[8];
	info->hook_entry[NF_INET_LOCAL_OUT] = b.offsets[9];
	info->underflow[NF_INET_LOCAL_OUT] = b.offsets[12];
	info->num_entries = b.count;
	info->size = b.size;
	*entries = b.buf;
}
