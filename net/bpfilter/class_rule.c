// SPDX-License-Identifier: GPL-2.0
/* Which entries the classifier can take, and what they test. */
#include <string.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/netfilter/xt_tcpudp.h>

#include "classify.h"
#include "entry.h"

/* Return: the prefix length of @mask (network order), or -1. */
static int prefix_len(__u32 mask)
{
	__u32 host = ntohl(mask);
	int len = 0;

	while (len < 32 && (host & (0x80000000U >> len)))
		len++;
	if (len < 32 && host << len)
		return -1;
	return len;
}

static bool classify_addr(__u32 addr, __u32 mask, __u32 *value, __u8 *plen)
{
	int len = prefix_len(mask);

	/* An address with bits outside its mask never matches: leave it. */
	if (len < 0 || (addr & ~mask))
		return false;
	*value = addr;
	*plen = len;
	return true;
}

static bool exact_port(const __u16 range[2], bool *tested, __u16 *port_be)
{
	if (range[0] == 0 && range[1] == 0xffff) {
		*tested = false;
		return true;
	}
	*tested = true;
	*port_be = htons(range[0]);
	return range[0] == range[1];
}

/* A tcp or udp match with exact or no ports, nothing else tested. */
static bool classify_l4(const struct xt_ext_head *head, const void *data,
			struct class_rule *r)
{
	struct xt_tcp tcp;
	struct xt_udp udp;

	if (r->l4 || head->revision)
		return false;
	r->l4 = true;
	if (!strcmp(head->name, "tcp") && r->proto == IPPROTO_TCP &&
	    head->size >= sizeof(*head) + sizeof(tcp)) {
		memcpy(&tcp, data, sizeof(tcp));
		if (tcp.option || tcp.flg_mask || tcp.flg_cmp || tcp.invflags)
			return false;
		return exact_port(tcp.spts, &r->sport, &r->sport_be) &&
		       exact_port(tcp.dpts, &r->dport, &r->dport_be);
	}
	if (!strcmp(head->name, "udp") && r->proto == IPPROTO_UDP &&
	    head->size >= sizeof(*head) + sizeof(udp)) {
		memcpy(&udp, data, sizeof(udp));
		if (udp.invflags)
			return false;
		return exact_port(udp.spts, &r->sport, &r->sport_be) &&
		       exact_port(udp.dpts, &r->dport, &r->dport_be);
	}
	return false;
}

/*
 * The matches of @e: comments (which test nothing; kube-proxy puts one
 * on every rule) and at most one tcp or udp match.
 */
static bool classify_matches(const struct ipt_entry *e, struct class_rule *r)
{
	const unsigned char *base = (const unsigned char *)e;
	struct xt_ext_head head;
	unsigned int pos;

	for (pos = sizeof(*e); pos < e->target_offset; pos += head.size) {
		xt_ext_head_read(base + pos, &head);
		if (!strcmp(head.name, "comment") && !head.revision)
			continue;
		if (!classify_l4(&head, base + pos + sizeof(head), r))
			return false;
	}
	return true;
}

static bool all_zero(const unsigned char *p, size_t len)
{
	while (len--)
		if (*p++)
			return false;
	return true;
}

bool class_rule_of(const struct ipt_entry *e, struct class_rule *r)
{
	struct xt_ext_head t;
	int v;

	memset(r, 0, sizeof(*r));
	if (e->ip.flags || e->ip.invflags ||
	    !all_zero(e->ip.iniface_mask, sizeof(e->ip.iniface_mask)) ||
	    !all_zero(e->ip.outiface_mask, sizeof(e->ip.outiface_mask)) ||
	    e->ip.proto > 255)
		return false;
	ipt_target_head(e, &t);
	if (!xt_is_standard_target(&t))
		return false;
	v = ipt_standard_verdict(e);
	if (v == -NF_ACCEPT - 1)
		r->verdict = BPFILTER_CLASS_ACCEPT;
	else if (v == -NF_DROP - 1)
		r->verdict = BPFILTER_CLASS_DROP;
	else if (v == XT_RETURN)
		r->verdict = BPFILTER_CLASS_RETURN;
	else
		return false;
	if (!classify_addr(e->ip.src.s_addr, e->ip.smsk.s_addr, &r->addr[0],
			   &r->plen[0]) ||
	    !classify_addr(e->ip.dst.s_addr, e->ip.dmsk.s_addr, &r->addr[1],
			   &r->plen[1]))
		return false;
	r->proto = e->ip.proto;
	return classify_matches(e, r);
}
