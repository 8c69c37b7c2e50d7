// SPDX-License-Identifier: GPL-2.0
/*
 * The negative corpus of replace-diff (and a few accepted variants):
 * each case mutates the valid table test_xtables_diff.sh builds,
 *
 *   INPUT:   tcp dpt:22 ACCEPT; udp spt:53 DROP; icmp type 8 ACCEPT;
 *            tcp flags + tcp !dpts -j web; -f DROP; policy ACCEPT
 *   FORWARD: tcp option -j zlast; ! -i lo -g web; policy DROP
 *   OUTPUT:  ! -p udp ACCEPT; udp !dpt:53 DROP; udp spts RETURN; ACCEPT
 *   orphan:  -p tcp ACCEPT (no rule jumps here); RETURN
 *   web:     tcp spts RETURN; icmp !type DROP; -j zlast; RETURN
 *   zlast:   -s 172.16/12 DROP; RETURN
 *   the final ERROR entry
 *
 * and states the errno 6.1 answers, from its source (ip_tables.c,
 * x_tables.c), so that the core is held to 6.1 even where the host's
 * kernel is not.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netfilter.h>
#include <linux/netfilter/xt_tcpudp.h>

#include "replace_diff.h"

#define HOOK_OF(name) \
	(!strcmp(name, "INPUT") ? NF_INET_LOCAL_IN : \
	 !strcmp(name, "FORWARD") ? NF_INET_FORWARD : \
	 !strcmp(name, "OUTPUT") ? NF_INET_LOCAL_OUT : -1)

static unsigned int entry_index(struct payload *p, unsigned int off)
{
	unsigned int i;

	for (i = 0; i < p->count && p->offsets[i] != off; i++)
		;
	return i;
}

unsigned int pl_chain_rule(struct payload *p, const char *chain, int n)
{
	const struct xt_error_target *t;
	int hook = HOOK_OF(chain);
	unsigned int i;

	if (hook >= 0)
		return entry_index(p, pl_repl(p)->hook_entry[hook]) + n;
	if (!strcmp(chain, "END"))
		return p->count - 1 - n;
	for (i = 0; i < p->count; i++) {
		t = (const void *)pl_target(p, i);
		if (!strcmp(t->target.u.user.name, XT_ERROR_TARGET) &&
		    !strcmp(t->errorname, chain))
			return i + 1 + n;
	}
	return p->count;	/* out of range: the caller's bug shows */
}

struct xt_entry_match *pl_match(struct payload *p, unsigned int i,
				unsigned int n)
{
	unsigned char *m = (unsigned char *)pl_entry(p, i)->elems;

	while (n--)
		m += ((struct xt_entry_match *)m)->u.match_size;
	return (struct xt_entry_match *)m;
}

struct xt_entry_target *pl_target(struct payload *p, unsigned int i)
{
	struct ipt_entry *e = pl_entry(p, i);

	return (struct xt_entry_target *)((unsigned char *)e + e->target_offset);
}

int *pl_verdict(struct payload *p, unsigned int i)
{
	return &((struct xt_standard_target *)pl_target(p, i))->verdict;
}

void pl_build(struct payload *p, const struct ipt_getinfo *info,
	      const void *entries, unsigned int num_counters)
{
	struct ipt_replace *repl;
	unsigned int off;

	p->len = sizeof(*repl) + info->size;
	/* Room to spare: some cases make optlen longer. */
	p->buf = calloc(1, p->len + 64);
	repl = pl_repl(p);
	strcpy(repl->name, "filter");
	repl->valid_hooks = info->valid_hooks;
	repl->num_entries = info->num_entries;
	repl->size = info->size;
	memcpy(repl->hook_entry, info->hook_entry, sizeof(repl->hook_entry));
	memcpy(repl->underflow, info->underflow, sizeof(repl->underflow));
	repl->num_counters = num_counters;
	memcpy(repl->entries, entries, info->size);
	p->count = 0;
	for (off = 0; off < info->size && p->count < PL_MAX_ENTRIES;
	     off += pl_entry(p, p->count - 1)->next_offset)
		p->offsets[p->count++] = off;
}

#define R(p) pl_repl(p)
#define RULE(chain, n) pl_chain_rule(p, chain, n)
#define OFF(i) (p->offsets[i])

/* A loop: zlast's first rule jumps back to web, which jumps to zlast. */
static void make_loop(struct payload *p)
{
	*pl_verdict(p, RULE("zlast", 0)) = OFF(RULE("web", 0));
}

/* ---- the request header and optlen (do_replace) ---- */
static void optlen_below_header(struct payload *p) { p->len = sizeof(struct ipt_replace) - 1; }
static void optlen_short(struct payload *p) { p->len--; }
static void optlen_long(struct payload *p) { p->len += 8; }
static void counters_zero(struct payload *p) { R(p)->num_counters = 0; }
static void counters_overflow(struct payload *p) { R(p)->num_counters = INT_MAX / sizeof(struct xt_counters); }
static void counters_more(struct payload *p) { R(p)->num_counters++; }
static void counters_fewer(struct payload *p) { R(p)->num_counters--; }
static void counters_huge(struct payload *p) { R(p)->num_counters = (512U << 20) / 16 + 1; }
static void counters_huge_loop(struct payload *p) { counters_huge(p); make_loop(p); }
static void name_unknown(struct payload *p) { strcpy(R(p)->name, "bpft_nosuch"); }
static void name_unknown_loop(struct payload *p) { name_unknown(p); make_loop(p); }
static void name_unknown_bad_verdict(struct payload *p) { name_unknown(p); *pl_verdict(p, RULE("INPUT", 0)) = -3; }
static void name_unknown_counters(struct payload *p) { name_unknown(p); R(p)->num_counters++; }
static void name_unterminated(struct payload *p) { memset(R(p)->name + 6, 'A', sizeof(R(p)->name) - 6); }

/* ---- hooks ---- */
static void hooks_without_forward(struct payload *p) { R(p)->valid_hooks &= ~(1U << NF_INET_FORWARD); }
static void hooks_plus_prerouting(struct payload *p) { R(p)->valid_hooks |= 1U << NF_INET_PRE_ROUTING; }
static void hooks_plus_bit5(struct payload *p) { R(p)->valid_hooks |= 1U << NF_INET_NUMHOOKS; }
static void hooks_prerouting_dup(struct payload *p)
{
	hooks_plus_prerouting(p);
	R(p)->hook_entry[NF_INET_PRE_ROUTING] = R(p)->hook_entry[NF_INET_LOCAL_IN];
	R(p)->underflow[NF_INET_PRE_ROUTING] = R(p)->underflow[NF_INET_LOCAL_IN];
}
static void entry_mid(struct payload *p) { R(p)->hook_entry[NF_INET_LOCAL_IN] += 8; }
static void entry_swapped(struct payload *p)
{
	unsigned int t = R(p)->hook_entry[NF_INET_LOCAL_IN];

	R(p)->hook_entry[NF_INET_LOCAL_IN] = R(p)->hook_entry[NF_INET_FORWARD];
	R(p)->hook_entry[NF_INET_FORWARD] = t;
}
static void entry_dup(struct payload *p) { R(p)->hook_entry[NF_INET_FORWARD] = R(p)->hook_entry[NF_INET_LOCAL_IN]; }
static void entry_past_end(struct payload *p) { R(p)->hook_entry[NF_INET_LOCAL_OUT] = R(p)->size; }
static void underflow_conditional(struct payload *p) { R(p)->underflow[NF_INET_LOCAL_IN] = OFF(RULE("INPUT", 0)); }
static void underflow_return(struct payload *p) { R(p)->underflow[NF_INET_LOCAL_OUT] = OFF(RULE("orphan", 1)); }
static void underflow_error(struct payload *p) { R(p)->underflow[NF_INET_LOCAL_OUT] = OFF(RULE("END", 0)); }
static void underflow_mid(struct payload *p) { R(p)->underflow[NF_INET_FORWARD] += 8; }
static void underflow_swapped(struct payload *p)
{
	unsigned int t = R(p)->underflow[NF_INET_LOCAL_IN];

	R(p)->underflow[NF_INET_LOCAL_IN] = R(p)->underflow[NF_INET_FORWARD];
	R(p)->underflow[NF_INET_FORWARD] = t;
}
static void policy_queue(struct payload *p) { *pl_verdict(p, RULE("INPUT", 5)) = -NF_QUEUE - 1; }
static void policy_return(struct payload *p) { *pl_verdict(p, RULE("FORWARD", 2)) = XT_RETURN; }
static void policy_conditional(struct payload *p) { pl_entry(p, RULE("OUTPUT", 3))->ip.proto = 6; }

/* ---- verdicts ---- */
static void verdict_zero(struct payload *p) { *pl_verdict(p, RULE("INPUT", 0)) = 0; }
static void verdict_stolen(struct payload *p) { *pl_verdict(p, RULE("INPUT", 0)) = -NF_STOLEN - 1; }
static void verdict_minus6(struct payload *p) { *pl_verdict(p, RULE("INPUT", 0)) = -6; }
static void verdict_int_min(struct payload *p) { *pl_verdict(p, RULE("INPUT", 0)) = INT_MIN; }
static void verdict_queue(struct payload *p) { *pl_verdict(p, RULE("INPUT", 0)) = -NF_QUEUE - 1; }

/* ---- jumps and loops (mark_source_chains) ---- */
static void jump_mid_entry(struct payload *p) { *pl_verdict(p, RULE("INPUT", 3)) = OFF(RULE("web", 0)) + 8; }
static void jump_past_end(struct payload *p) { *pl_verdict(p, RULE("INPUT", 3)) = R(p)->size + 8; }
static void jump_to_end(struct payload *p) { *pl_verdict(p, RULE("INPUT", 3)) = R(p)->size; }
static void jump_odd(struct payload *p) { *pl_verdict(p, RULE("INPUT", 3)) = 1; }
static void jump_self(struct payload *p) { *pl_verdict(p, RULE("web", 2)) = OFF(RULE("web", 2)); }
/* Not to INPUT's first rule: offset 0 is verdict 0, refused as such. */
static void jump_back_to_input(struct payload *p) { *pl_verdict(p, RULE("zlast", 0)) = OFF(RULE("INPUT", 1)); }
static void fall_off_end(struct payload *p) { pl_entry(p, RULE("zlast", 1))->ip.proto = 6; }
static void loop_then_bad_flags(struct payload *p) { make_loop(p); pl_entry(p, RULE("END", 0))->ip.flags = 4; }
static void loop_then_unknown_match(struct payload *p) { make_loop(p); strcpy(pl_match(p, RULE("INPUT", 0), 0)->u.user.name, "bpft_nosuch"); }
static void unreachable_bad_jump(struct payload *p) { *pl_verdict(p, RULE("orphan", 0)) = OFF(RULE("web", 0)) + 8; }
static void unreachable_loop(struct payload *p) { *pl_verdict(p, RULE("orphan", 0)) = OFF(RULE("orphan", 0)); }
static void jump_to_error_head(struct payload *p) { *pl_verdict(p, RULE("INPUT", 3)) = OFF(RULE("web", -1)); }
static void goto_cleared(struct payload *p) { pl_entry(p, RULE("FORWARD", 1))->ip.flags &= ~IPT_F_GOTO; }
static void goto_set(struct payload *p) { pl_entry(p, RULE("INPUT", 3))->ip.flags |= IPT_F_GOTO; }

/* ---- entry layout (check_entry_size_and_hooks, xt_check_entry_offsets) ---- */
static void next_offset_plus4(struct payload *p) { pl_entry(p, RULE("INPUT", 5))->next_offset += 4; }
static void error_next_offset_plus4(struct payload *p) { pl_entry(p, RULE("orphan", -1))->next_offset += 4; }
static void next_offset_small(struct payload *p) { pl_entry(p, RULE("INPUT", 4))->next_offset = 136; }
static void next_offset_past_end(struct payload *p) { pl_entry(p, RULE("END", 0))->next_offset += 8; }
static void target_offset_low(struct payload *p) { pl_entry(p, RULE("INPUT", 4))->target_offset = 104; }
static void target_offset_high(struct payload *p) { pl_entry(p, RULE("INPUT", 4))->target_offset = pl_entry(p, RULE("INPUT", 4))->next_offset - 24; }
static void target_size_small(struct payload *p) { pl_target(p, RULE("INPUT", 4))->u.target_size = 16; }
static void target_size_big(struct payload *p) { pl_target(p, RULE("INPUT", 4))->u.target_size = 48; }
static void target_size_32(struct payload *p) { pl_target(p, RULE("INPUT", 4))->u.target_size = 32; }
static void error_size(struct payload *p) { pl_target(p, RULE("orphan", -1))->u.target_size = 56; }
static void error_name_unterminated(struct payload *p) { memset(((struct xt_error_target *)pl_target(p, RULE("web", -1)))->errorname, 'A', XT_FUNCTION_MAXNAMELEN); }
static void ip_flags(struct payload *p) { pl_entry(p, RULE("OUTPUT", 1))->ip.flags = 4; }
static void ip_invflags(struct payload *p) { pl_entry(p, RULE("OUTPUT", 1))->ip.invflags |= 0x80; }
static void entries_more(struct payload *p) { R(p)->num_entries++; }
static void entries_fewer(struct payload *p) { R(p)->num_entries--; }
static void table_empty(struct payload *p) { R(p)->size = 0; R(p)->num_entries = 0; }
static void size_mid_entry(struct payload *p) { R(p)->size -= 8; }
static void size_unaligned(struct payload *p) { R(p)->size -= 4; }
static void no_final_error(struct payload *p)
{
	R(p)->size = OFF(RULE("END", 0));
	R(p)->num_entries--;
}
static void nfcache(struct payload *p) { pl_entry(p, RULE("INPUT", 0))->nfcache = 0x12345678; }

/* ---- matches ---- */
static void match_size_small(struct payload *p) { pl_match(p, RULE("INPUT", 0), 0)->u.match_size = 16; }
static void match_size_big(struct payload *p) { pl_match(p, RULE("INPUT", 0), 0)->u.match_size = 56; }
static void match_size_unaligned(struct payload *p) { pl_match(p, RULE("INPUT", 0), 0)->u.match_size = 44; }
static void match_size_wrong(struct payload *p)
{
	/* Two tcp matches of 48 bytes become one of 96: layout fine, size not. */
	pl_match(p, RULE("INPUT", 3), 0)->u.match_size = 96;
}
static void icmp_as_tcp(struct payload *p) { strcpy(pl_match(p, RULE("INPUT", 2), 0)->u.user.name, "tcp"); }
static void udp_as_tcp(struct payload *p) { strcpy(pl_match(p, RULE("INPUT", 1), 0)->u.user.name, "tcp"); }
static void tcp_no_proto(struct payload *p) { pl_entry(p, RULE("INPUT", 0))->ip.proto = 0; }
static void tcp_inv_proto(struct payload *p) { pl_entry(p, RULE("INPUT", 0))->ip.invflags |= IPT_INV_PROTO; }
static void tcp_udp_proto(struct payload *p) { pl_entry(p, RULE("INPUT", 0))->ip.proto = 17; }
static void tcp_invflags(struct payload *p) { ((struct xt_tcp *)pl_match(p, RULE("INPUT", 0), 0)->data)->invflags = 0x10; }
static void udp_invflags(struct payload *p) { ((struct xt_udp *)pl_match(p, RULE("INPUT", 1), 0)->data)->invflags = 0x04; }
static void icmp_invflags(struct payload *p) { ((struct ipt_icmp *)pl_match(p, RULE("INPUT", 2), 0)->data)->invflags = 0x02; }
static void match_unknown(struct payload *p) { strcpy(pl_match(p, RULE("INPUT", 0), 0)->u.user.name, "bpft_nosuch"); }
static void match_revision(struct payload *p) { pl_match(p, RULE("INPUT", 0), 0)->u.user.revision = 1; }
static void match_name_unterminated(struct payload *p) { memset(pl_match(p, RULE("INPUT", 0), 0)->u.user.name, 'A', XT_EXTENSION_MAXNAMELEN); }
static void second_match_unknown(struct payload *p) { strcpy(pl_match(p, RULE("INPUT", 3), 1)->u.user.name, "bpft_nosuch"); }
static void unreachable_unknown_target(struct payload *p) { strcpy(pl_target(p, RULE("orphan", 0))->u.user.name, "BPFT_NOSUCH"); }

/*
 * Header matches over another match's bytes (same aligned size): the
 * finds by family (mark is NFPROTO_UNSPEC: another revision is
 * EPROTOTYPE; ttl and tos are NFPROTO_IPV4: ENOENT), their checkentries
 * (dscp above 63: EDOM; ttl mode 4: EINVAL) and mac's hooks.
 */
static void rename_match(struct payload *p, unsigned int rule_off,
			 const char *name, __u8 revision)
{
	struct xt_entry_match *m = pl_match(p, rule_off, 0);

	memset(m->u.user.name, 0, sizeof(m->u.user.name));
	strcpy(m->u.user.name, name);
	m->u.user.revision = revision;
}
static void mark_revision0(struct payload *p) { rename_match(p, RULE("INPUT", 0), "mark", 0); }
static void ttl_revision1(struct payload *p) { rename_match(p, RULE("INPUT", 0), "ttl", 1); }
static void tos_revision0(struct payload *p) { rename_match(p, RULE("INPUT", 0), "tos", 0); }
static void dscp_64(struct payload *p)
{
	rename_match(p, RULE("INPUT", 2), "dscp", 0);
	pl_match(p, RULE("INPUT", 2), 0)->data[0] = 64;
}
static void dscp_63(struct payload *p)
{
	rename_match(p, RULE("INPUT", 2), "dscp", 0);
	pl_match(p, RULE("INPUT", 2), 0)->data[0] = 63;
}
static void ttl_mode4(struct payload *p)
{
	rename_match(p, RULE("INPUT", 2), "ttl", 0);
	pl_match(p, RULE("INPUT", 2), 0)->data[0] = 4;
}
/* The stateful extensions' registrations: UNSPEC ones answer another
 * revision with EPROTOTYPE, IPv4 ones with ENOENT.
 */
static void conntrack_revision0(struct payload *p) { rename_match(p, RULE("INPUT", 0), "conntrack", 0); }
static void state_revision1(struct payload *p) { rename_match(p, RULE("INPUT", 0), "state", 1); }
static void limit_revision1(struct payload *p) { rename_match(p, RULE("INPUT", 0), "limit", 1); }
static void comment_revision1(struct payload *p) { rename_match(p, RULE("INPUT", 0), "comment", 1); }
static void connmark_revision0(struct payload *p) { rename_match(p, RULE("INPUT", 0), "connmark", 0); }
static void owner_revision0(struct payload *p) { rename_match(p, RULE("INPUT", 0), "owner", 0); }
static void addrtype_revision2(struct payload *p) { rename_match(p, RULE("INPUT", 0), "addrtype", 2); }
static void mac_in_output(struct payload *p) { rename_match(p, RULE("OUTPUT", 1), "mac", 0); }
static void mac_in_input(struct payload *p) { rename_match(p, RULE("INPUT", 1), "mac", 0); }

/* ---- targets ---- */
static void target_unknown(struct payload *p) { strcpy(pl_target(p, RULE("INPUT", 0))->u.user.name, "BPFT_NOSUCH"); }
static void target_accept_name(struct payload *p) { strcpy(pl_target(p, RULE("INPUT", 0))->u.user.name, "ACCEPT"); }
static void standard_revision(struct payload *p) { pl_target(p, RULE("INPUT", 0))->u.user.revision = 1; }
static void error_revision(struct payload *p) { pl_target(p, RULE("END", 0))->u.user.revision = 1; }
static void target_name_unterminated(struct payload *p) { memset(pl_target(p, RULE("INPUT", 0))->u.user.name, 'A', XT_EXTENSION_MAXNAMELEN); }

/* ---- which failure wins ---- */
static void target_before_later_match(struct payload *p) { target_unknown(p); udp_invflags(p); }
static void match_before_later_target(struct payload *p) { tcp_invflags(p); strcpy(pl_match(p, RULE("INPUT", 1), 0)->u.user.name, "bpft_nosuch"); }
static void match_before_own_target(struct payload *p) { tcp_no_proto(p); target_unknown(p); }
static void layout_before_hooks(struct payload *p) { entry_dup(p); ip_flags(p); }
static void underflow_before_layout(struct payload *p) { underflow_conditional(p); next_offset_past_end(p); }
static void count_before_hooks(struct payload *p) { entries_more(p); entry_dup(p); }
static void hooks_before_loop(struct payload *p) { entry_dup(p); make_loop(p); }

const struct replace_case replace_cases[] = {
	{ "optlen below the header", -EINVAL, NULL, optlen_below_header },
	{ "optlen one byte short of the entries", -EINVAL, NULL, optlen_short },
	{ "optlen 8 bytes longer (accepted)", 0, NULL, optlen_long },
	{ "num_counters 0", -EINVAL, NULL, counters_zero },
	{ "num_counters INT_MAX/16", -ENOMEM, NULL, counters_overflow },
	{ "num_counters one more than the table's", -EAGAIN, NULL, counters_more },
	{ "num_counters one less than the table's", -EAGAIN, NULL, counters_fewer },
	{ "num_counters above 512 MiB of counters", -ENOMEM, NULL, counters_huge },
	{ "num_counters above 512 MiB of counters, and a loop: ELOOP first", -ELOOP, NULL, counters_huge_loop },
	{ "unknown table name", -ENOENT, NULL, name_unknown },
	{ "unknown table name and a loop: ELOOP first", -ELOOP, NULL, name_unknown_loop },
	{ "unknown table name and a bad verdict: EINVAL first", -EINVAL, NULL, name_unknown_bad_verdict },
	{ "unknown table name and wrong num_counters: ENOENT first", -ENOENT, NULL, name_unknown_counters },
	{ "table name cut at 31 bytes", -ENOENT, NULL, name_unterminated },
	{ "valid_hooks without FORWARD", -EINVAL, NULL, hooks_without_forward },
	{ "valid_hooks plus PREROUTING, no entry for it", -EINVAL, NULL, hooks_plus_prerouting },
	{ "valid_hooks plus bit 5", -EINVAL, NULL, hooks_plus_bit5 },
	{ "PREROUTING sharing INPUT's entry and underflow", -EINVAL, NULL, hooks_prerouting_dup },
	{ "hook entry inside an entry", -EINVAL, NULL, entry_mid },
	{ "hook entries unsorted", -EINVAL, NULL, entry_swapped },
	{ "hook entries duplicated", -EINVAL, NULL, entry_dup },
	{ "hook entry at the end of the table", -EINVAL, NULL, entry_past_end },
	{ "underflow at a conditional rule", -EINVAL, NULL, underflow_conditional },
	{ "underflow at a RETURN rule", -EINVAL, NULL, underflow_return },
	{ "underflow at an ERROR entry", -EINVAL, NULL, underflow_error },
	{ "underflow inside an entry", -EINVAL, NULL, underflow_mid },
	{ "underflows unsorted", -EINVAL, NULL, underflow_swapped },
	{ "policy verdict QUEUE", -EINVAL, NULL, policy_queue },
	{ "policy verdict RETURN", -EINVAL, NULL, policy_return },
	{ "policy rule made conditional", -EINVAL, NULL, policy_conditional },
	{ "verdict 0", -EINVAL, NULL, verdict_zero },
	{ "verdict STOLEN", -EINVAL, NULL, verdict_stolen },
	{ "verdict -6", -EINVAL, NULL, verdict_minus6 },
	{ "verdict INT_MIN", -EINVAL, NULL, verdict_int_min },
	{ "verdict QUEUE in a rule (accepted)", 0, NULL, verdict_queue },
	{ "jump into the middle of an entry", -ELOOP, NULL, jump_mid_entry },
	{ "jump past the end", -ELOOP, NULL, jump_past_end },
	{ "jump to the end offset", -ELOOP, NULL, jump_to_end },
	{ "jump to offset 1", -ELOOP, NULL, jump_odd },
	{ "jump to itself", -ELOOP, NULL, jump_self },
	{ "loop between two user chains", -ELOOP, NULL, make_loop },
	{ "user chain jumps back to INPUT", -ELOOP, NULL, jump_back_to_input },
	{ "last chain falls off the end of the table", -ELOOP, NULL, fall_off_end },
	{ "loop, then bad ip flags: EINVAL first", -EINVAL, NULL, loop_then_bad_flags },
	{ "loop, then an unknown match: ELOOP first", -ELOOP, NULL, loop_then_unknown_match },
	{ "unreachable rule jumping inside an entry (accepted)", 0, NULL, unreachable_bad_jump },
	{ "unreachable rule jumping to itself (accepted)", 0, NULL, unreachable_loop },
	{ "jump to a user chain's ERROR head (accepted)", 0, NULL, jump_to_error_head },
	{ "goto turned into a jump (accepted)", 0, NULL, goto_cleared },
	{ "jump turned into a goto (accepted)", 0, NULL, goto_set },
	{ "standard rule's next_offset + 4", -EINVAL, NULL, next_offset_plus4 },
	{ "ERROR entry's next_offset + 4: next entry misaligned", -EINVAL, NULL, error_next_offset_plus4 },
	{ "next_offset 136", -EINVAL, NULL, next_offset_small },
	{ "last next_offset past the end", -EINVAL, NULL, next_offset_past_end },
	{ "target_offset inside the entry header", -EINVAL, NULL, target_offset_low },
	{ "target_offset leaving no room for a target", -EINVAL, NULL, target_offset_high },
	{ "target_size 16", -EINVAL, NULL, target_size_small },
	{ "standard target_size 48", -EINVAL, NULL, target_size_big },
	{ "standard target_size 32", -EINVAL, NULL, target_size_32 },
	{ "ERROR target_size 56", -EINVAL, NULL, error_size },
	{ "ERROR chain name unterminated", -EINVAL, NULL, error_name_unterminated },
	{ "ip flags 0x04", -EINVAL, NULL, ip_flags },
	{ "ip invflags 0x80", -EINVAL, NULL, ip_invflags },
	{ "num_entries one more", -EINVAL, NULL, entries_more },
	{ "num_entries one less", -EINVAL, NULL, entries_fewer },
	{ "empty table", -EINVAL, NULL, table_empty },
	{ "size ends inside the last entry", -EINVAL, NULL, size_mid_entry },
	{ "size not a multiple of 8", -EINVAL, NULL, size_unaligned },
	{ "no final ERROR entry (accepted)", 0, NULL, no_final_error },
	{ "nfcache set (accepted, kept)", 0, NULL, nfcache },
	{ "match_size 16", -EINVAL, NULL, match_size_small },
	{ "match_size past the target", -EINVAL, NULL, match_size_big },
	{ "match_size 44: next match misaligned", -EINVAL, NULL, match_size_unaligned },
	{ "tcp match of 64 data bytes", -EINVAL, NULL, match_size_wrong },
	{ "icmp match renamed tcp: bad size", -EINVAL, NULL, icmp_as_tcp },
	{ "udp match renamed tcp: -p udp", -EINVAL, NULL, udp_as_tcp },
	{ "-m tcp without -p tcp", -EINVAL, NULL, tcp_no_proto },
	{ "-m tcp with ! -p tcp", -EINVAL, NULL, tcp_inv_proto },
	{ "-m tcp with -p udp", -EINVAL, NULL, tcp_udp_proto },
	{ "tcp invflags 0x10", -EINVAL, NULL, tcp_invflags },
	{ "udp invflags 0x04", -EINVAL, NULL, udp_invflags },
	{ "icmp invflags 0x02", -EINVAL, NULL, icmp_invflags },
	{ "unknown match", -ENOENT, NULL, match_unknown },
	{ "tcp match revision 1", -ENOENT, NULL, match_revision },
	{ "match name unterminated", -EINVAL, NULL, match_name_unterminated },
	{ "second match unknown", -ENOENT, NULL, second_match_unknown },
	{ "unreachable rule with an unknown target", -ENOENT, NULL, unreachable_unknown_target },
	{ "mark match revision 0", -EPROTOTYPE, NULL, mark_revision0 },
	{ "ttl match revision 1", -ENOENT, NULL, ttl_revision1 },
	{ "conntrack match revision 0", -EPROTOTYPE, NULL, conntrack_revision0 },
	{ "state match revision 1", -EPROTOTYPE, NULL, state_revision1 },
	{ "limit match revision 1", -EPROTOTYPE, NULL, limit_revision1 },
	{ "comment match revision 1", -EPROTOTYPE, NULL, comment_revision1 },
	{ "connmark match revision 0", -EPROTOTYPE, NULL, connmark_revision0 },
	{ "owner match revision 0", -ENOENT, NULL, owner_revision0 },
	{ "addrtype match revision 2", -ENOENT, NULL, addrtype_revision2 },
	{ "tos match revision 0", -ENOENT, NULL, tos_revision0 },
	{ "dscp 64", -EDOM, NULL, dscp_64 },
	{ "dscp 63 (accepted)", 0, NULL, dscp_63 },
	{ "ttl mode 4", -EINVAL,
	  "6.1.192's xt_hl.c has ttl_mt_check() (mode > IPT_TTL_GT: -EINVAL); the host's kernel has none (no ttl_mt_check in /proc/kallsyms)",
	  ttl_mode4 },
	{ "mac match in OUTPUT", -EINVAL, NULL, mac_in_output },
	{ "mac match in INPUT (accepted)", 0, NULL, mac_in_input },
	{ "unknown target", -ENOENT, NULL, target_unknown },
	{ "target named ACCEPT", -ENOENT, NULL, target_accept_name },
	{ "standard target revision 1", -ENOENT, NULL, standard_revision },
	{ "ERROR target revision 1", -ENOENT, NULL, error_revision },
	{ "target name unterminated", -EINVAL, NULL, target_name_unterminated },
	{ "unknown target, then a bad udp match: ENOENT first", -ENOENT, NULL, target_before_later_match },
	{ "bad tcp match, then an unknown match: EINVAL first", -EINVAL, NULL, match_before_later_target },
	{ "tcp without -p tcp and an unknown target: EINVAL first", -EINVAL, NULL, match_before_own_target },
	{ "duplicate hook entry and bad ip flags: flags first", -EINVAL, NULL, layout_before_hooks },
	{ "bad underflow, then next_offset past the end", -EINVAL, NULL, underflow_before_layout },
	{ "num_entries wrong and duplicate hook entry", -EINVAL, NULL, count_before_hooks },
	{ "duplicate hook entry and a loop: EINVAL first", -EINVAL, NULL, hooks_before_loop },
};

const unsigned int replace_case_count =
	sizeof(replace_cases) / sizeof(replace_cases[0]);
