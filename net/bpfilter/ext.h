/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The matches and targets bpfilter supports: what x_tables knows about
 * an extension when it checks a rule (struct xt_match/xt_target), for
 * the extensions whose rules bpfilter can enforce.  Any other name or
 * revision is refused as x_tables refuses an extension whose module does
 * not exist, so no rule is ever stored that the data plane would ignore.
 */
#ifndef BPFILTER_EXT_H
#define BPFILTER_EXT_H

#include <stdbool.h>

#include <linux/netfilter_ipv4/ip_tables.h>

struct codegen;

struct bpfilter_ext {
	const char *name;
	__u8 revision;
	/*
	 * Bytes of data the kernel's extension declares (matchsize or
	 * targetsize).  The rule must carry XT_ALIGN() of it; the
	 * alignment padding after it reads back as zeroes.
	 */
	unsigned int size;
	/*
	 * The kernel's usersize, or 0 for all of size: data from here on
	 * is the kernel's own (x_tables keeps it for the extension, but
	 * IPT_SO_GET_ENTRIES gives zeroes in its place, xt_data_to_user()).
	 */
	unsigned int usersize;
	/* Each instance keeps state between packets: a BPFILTER_MAP_STATE slot. */
	bool state;
	/* The ip.proto the rule must require, without '!'; 0 for any. */
	__u16 proto;
	/* The hooks (1 << NF_INET_*) it may be reached from; 0 for any. */
	unsigned int hooks;
	/*
	 * Registered for NFPROTO_UNSPEC rather than NFPROTO_IPV4: then
	 * x_tables finds the name with another revision (-EPROTOTYPE).
	 */
	bool unspec;
	/*
	 * The extension's own checkentry, or NULL: 0 or a negative errno.
	 * @e is the rule, for the extensions that look at its ipt_ip.
	 */
	int (*check)(const void *data, const struct ipt_entry *e);
	/*
	 * A match's code generator (codegen_emit.h): tests the packet
	 * against @data, jumping to the label @fail on a mismatch.  A match
	 * without one is not found, so no rule using it is ever stored.
	 * Targets have none: codegen.c handles the two built-in ones.
	 */
	void (*emit)(struct codegen *cg, const void *data, unsigned int fail);
	/*
	 * A target's code generator, emitted after the rule's counter:
	 * either falls through (XT_CONTINUE: the next rule follows) or,
	 * for a @terminal target, ends the program with a verdict.  A
	 * target without one (other than the two built-in ones, which
	 * codegen.c handles) is not found.
	 */
	void (*emit_target)(struct codegen *cg, const void *data);
	bool terminal;
};

extern const struct bpfilter_ext bpfilter_match_tcp;
extern const struct bpfilter_ext bpfilter_match_udp;
extern const struct bpfilter_ext bpfilter_match_icmp;
extern const struct bpfilter_ext bpfilter_match_comment;
extern const struct bpfilter_ext bpfilter_match_multiport;
extern const struct bpfilter_ext bpfilter_match_state;
extern const struct bpfilter_ext bpfilter_match_conntrack_v1;
extern const struct bpfilter_ext bpfilter_match_conntrack_v2;
extern const struct bpfilter_ext bpfilter_match_conntrack_v3;
extern const struct bpfilter_ext bpfilter_match_connmark;
extern const struct bpfilter_ext bpfilter_match_owner;
extern const struct bpfilter_ext bpfilter_match_addrtype_v0;
extern const struct bpfilter_ext bpfilter_match_addrtype_v1;
extern const struct bpfilter_ext bpfilter_match_limit;
extern const struct bpfilter_ext bpfilter_match_length;
extern const struct bpfilter_ext bpfilter_match_ttl;
extern const struct bpfilter_ext bpfilter_match_tos;
extern const struct bpfilter_ext bpfilter_match_dscp;
extern const struct bpfilter_ext bpfilter_match_iprange;
extern const struct bpfilter_ext bpfilter_match_mark;
extern const struct bpfilter_ext bpfilter_match_pkttype;
extern const struct bpfilter_ext bpfilter_match_mac;
extern const struct bpfilter_ext bpfilter_target_standard;
extern const struct bpfilter_ext bpfilter_target_log;
extern const struct bpfilter_ext bpfilter_target_nflog;
extern const struct bpfilter_ext bpfilter_target_reject;
extern const struct bpfilter_ext bpfilter_target_mark;
extern const struct bpfilter_ext bpfilter_target_connmark_v1;
extern const struct bpfilter_ext bpfilter_target_connmark_v2;
extern const struct bpfilter_ext bpfilter_target_error;

/*
 * As xt_request_find_match()/xt_request_find_target() for a rule.
 * Return: the extension, or NULL (bpfilter_ext_find_errno() says why).
 */
const struct bpfilter_ext *bpfilter_match_find(const char *name, __u8 revision);
const struct bpfilter_ext *bpfilter_target_find(const char *name, __u8 revision);

/*
 * HZ of the kernel the helper serves, which -m limit's check and code
 * depend on (xt_limit counts in jiffies).  Every request carries it
 * (msgfmt.h) and the core sets it before handling one; host tools that
 * compile without a request set it to their kernel's.  0 until set: a
 * limit rule is then refused.
 */
void bpfilter_set_hz(unsigned int hz);
unsigned int bpfilter_hz(void);

/*
 * xt_find_match()'s errno for a name the finds above did not return:
 * it searches NFPROTO_IPV4, then NFPROTO_UNSPEC, and only the last
 * search's errno is kept, so a name registered for NFPROTO_UNSPEC with
 * other revisions only is -EPROTOTYPE, any other -ENOENT.
 */
int bpfilter_ext_find_errno(bool target, const char *name);

/*
 * As xt_find_revision() for IPT_SO_GET_REVISION_*: 0 when @revision is
 * supported, -EPROTONOSUPPORT when only other revisions of @name are,
 * -ENOENT when @name is unknown.
 */
int bpfilter_ext_revision(bool target, const char *name, __u8 revision);

#endif /* BPFILTER_EXT_H */
