// SPDX-License-Identifier: GPL-2.0
/*
 * Front end of ipt-dump and core-dump: read a table the way libiptc
 * does (GET_INFO, then GET_ENTRIES with the size it reported), or ask
 * for an extension's revision, and print what came back so that the
 * two transports can be compared with cmp/diff.
 *
 *   DUMP [-f FILL] [-i INFOLEN] [-s SIZEDELTA] [-l LENDELTA] [-t] TABLE
 *	writes the GET_INFO buffer, then the GET_ENTRIES buffer;
 *	-f prefills both buffers with the byte FILL (default 0), to show
 *	which bytes the answer leaves alone; -i, -s, -l skew the lengths
 *	to provoke errors; -t prints instead, one per line, the 1-based
 *	output positions of the match and target name bytes after their
 *	NUL: the bytes x_tables does not write (see iptables-abi.md)
 *   DUMP -m NAME [-v REV] / DUMP -T NAME [-v REV]
 *	a match / target revision query
 *   DUMP -R VARIANT TABLE
 *	a SET_REPLACE of TABLE holding the three ACCEPT policies, sent
 *	without reading anything first: "valid" (num_counters 4, the
 *	initial table's), "bad-entries" (num_entries one too many: invalid),
 *	"bad-counters" (num_counters 5: valid, but not the current count);
 *	"limit": an INPUT rule "-m limit --limit 1/s --limit-burst 5
 *	-j ACCEPT" first, its kernel-private fields (prev and on) nonzero,
 *	then the table read back as without -R; "limit-overflow": the same
 *	with burst 0 (-ERANGE)
 *   DUMP -A NUM TABLE
 *	an ADD_COUNTERS of NUM zero counters to TABLE
 *   -n	then prints "tables:" and the tables instantiated by then, as
 *	/proc/net/ip_tables_names lists them
 *
 * A failed call prints "<CALL>: <strerror>" and exits 3.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter_ipv4/ip_tables.h>

#include "dump.h"

#define EXIT_CALL_FAILED	3

struct dump_opts {
	int fill;
	unsigned int info_len;
	int size_delta;
	int len_delta;
	int tails;
	int print_tables;
	const char *rev_match;
	const char *rev_target;
	unsigned int revision;
	const char *replace;
	int add_counters;
};

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-f FILL] [-i INFOLEN] [-s SIZEDELTA] [-l LENDELTA] [-t] [-n] TABLE\n"
		"       %s [-n] -m MATCH|-T TARGET [-v REVISION]\n"
		"       %s [-n] -R valid|bad-entries|bad-counters|limit|limit-overflow TABLE\n"
		"       %s [-n] -A NUM TABLE\n", prog, prog, prog, prog);
	exit(2);
}

static int call(const char *what, int optname, void *buf, unsigned int len)
{
	int ret = transport_getsockopt(optname, buf, &len);

	if (ret)
		printf("%s: %s\n", what, strerror(-ret));
	return ret;
}

static void *alloc_filled(size_t len, int fill)
{
	/* At least one byte, so that a zero optlen still has a buffer. */
	void *buf = malloc(len ? len : 1);

	if (!buf) {
		perror("malloc");
		exit(2);
	}
	memset(buf, fill, len);
	return buf;
}

/*
 * The name bytes of one match or target that follow its NUL, as 1-based
 * positions (cmp -l's) given the name's 0-based output position @pos.
 */
static void print_name_tail(size_t pos, const char *name)
{
	size_t i;

	for (i = strnlen(name, XT_EXTENSION_MAXNAMELEN) + 1;
	     i < XT_EXTENSION_MAXNAMELEN; i++)
		printf("%zu\n", pos + i + 1);
}

static void print_tails(size_t base, const unsigned char *entries,
			unsigned int size)
{
	const struct xt_entry_match *m;
	const struct xt_entry_target *t;
	const struct ipt_entry *e;
	unsigned int off, i;

	for (off = 0; off + sizeof(*e) <= size; off += e->next_offset) {
		e = (const void *)(entries + off);
		if (e->next_offset < sizeof(*e) || e->target_offset > size - off)
			break;
		for (i = sizeof(*e); i + sizeof(*m) <= e->target_offset;
		     i += m->u.match_size) {
			m = (const void *)((const char *)e + i);
			print_name_tail(base + off + i +
					offsetof(struct xt_entry_match, u.user.name),
					m->u.user.name);
			if (!m->u.match_size)
				break;
		}
		if (e->target_offset + sizeof(*t) > size - off)
			break;
		t = (const void *)((const char *)e + e->target_offset);
		print_name_tail(base + off + e->target_offset +
				offsetof(struct xt_entry_target, u.user.name),
				t->u.user.name);
	}
}

static int dump_table(const struct dump_opts *o, const char *table)
{
	size_t hdr = sizeof(struct ipt_get_entries), entries_len;
	struct ipt_get_entries *entries = NULL;
	struct ipt_getinfo info;
	unsigned char *info_buf;
	int ret = EXIT_CALL_FAILED;

	/* Room for an ipt_getinfo even when -i asks for a shorter optlen. */
	info_buf = alloc_filled(o->info_len > sizeof(info) ? o->info_len :
				sizeof(info), o->fill);
	strncpy((char *)info_buf, table, o->info_len < XT_TABLE_MAXNAMELEN ?
		o->info_len : XT_TABLE_MAXNAMELEN);
	if (call("GET_INFO", IPT_SO_GET_INFO, info_buf, o->info_len))
		goto out;
	memcpy(&info, info_buf, sizeof(info));

	entries_len = hdr + info.size + o->size_delta + o->len_delta;
	entries = alloc_filled(entries_len > hdr ? entries_len : hdr, o->fill);
	strncpy(entries->name, table, sizeof(entries->name));
	entries->size = info.size + o->size_delta;
	if (call("GET_ENTRIES", IPT_SO_GET_ENTRIES, entries, entries_len))
		goto out;

	if (o->tails) {
		print_tails(o->info_len + hdr, (const void *)entries->entrytable,
			    info.size);
	} else {
		fwrite(info_buf, 1, o->info_len, stdout);
		fwrite(entries, 1, entries_len, stdout);
	}
	ret = 0;
out:
	free(entries);
	free(info_buf);
	return ret;
}

static int query_revision(const struct dump_opts *o)
{
	struct xt_get_revision rev = { .revision = o->revision };
	int optname = o->rev_match ? IPT_SO_GET_REVISION_MATCH :
				     IPT_SO_GET_REVISION_TARGET;
	const char *what = o->rev_match ? "REVISION_MATCH" : "REVISION_TARGET";

	strncpy(rev.name, o->rev_match ? o->rev_match : o->rev_target,
		sizeof(rev.name) - 1);
	if (call(what, optname, &rev, sizeof(rev)))
		return EXIT_CALL_FAILED;
	printf("%s: supported\n", what);
	return 0;
}

struct policy_entry {
	struct ipt_entry e;
	struct xt_standard_target t;
};

struct error_entry {
	struct ipt_entry e;
	struct xt_error_target t;
};

static int send_replace(const char *variant, const char *table)
{
	struct {
		struct ipt_replace r;
		struct policy_entry policy[3];
		struct error_entry end;
	} buf = {
		.r = {
			.valid_hooks = 1 << NF_INET_LOCAL_IN |
				       1 << NF_INET_FORWARD |
				       1 << NF_INET_LOCAL_OUT,
			.num_entries = 4,
			.size = sizeof(buf) - sizeof(buf.r),
			.num_counters = 4,
		},
	};
	struct xt_counters old[5];
	int hook, i;

	strncpy(buf.r.name, table, sizeof(buf.r.name));
	buf.r.counters = old;
	for (i = 0; i < 3; i++) {
		hook = i ? (i == 1 ? NF_INET_FORWARD : NF_INET_LOCAL_OUT) :
			   NF_INET_LOCAL_IN;
		buf.r.hook_entry[hook] = i * sizeof(buf.policy[0]);
		buf.r.underflow[hook] = i * sizeof(buf.policy[0]);
		buf.policy[i].e.target_offset = sizeof(buf.policy[i].e);
		buf.policy[i].e.next_offset = sizeof(buf.policy[i]);
		buf.policy[i].t.target.u.target_size = sizeof(buf.policy[i].t);
		buf.policy[i].t.verdict = -NF_ACCEPT - 1;
	}
	buf.end.e.target_offset = sizeof(buf.end.e);
	buf.end.e.next_offset = sizeof(buf.end);
	buf.end.t.target.u.user.target_size = sizeof(buf.end.t);
	strcpy(buf.end.t.target.u.user.name, "ERROR");
	strcpy(buf.end.t.errorname, "ERROR");

	if (!strcmp(variant, "bad-entries"))
		buf.r.num_entries++;
	else if (!strcmp(variant, "bad-counters"))
		buf.r.num_counters = 5;
	else if (strcmp(variant, "valid"))
		return 2;
	i = transport_setsockopt(IPT_SO_SET_REPLACE, &buf, sizeof(buf));
	printf("SET_REPLACE: %s\n", i ? strerror(-i) : "done");
	return i ? EXIT_CALL_FAILED : 0;
}

struct limit_entry {
	struct ipt_entry e;
	struct xt_entry_match m;
	struct xt_rateinfo r;
	struct xt_standard_target t;
};

/*
 * The kernel keeps what a caller puts in xt_rateinfo's private fields
 * (cost and credit_cap even decide the rate when cost is not 0) but
 * reads back zeroes there: usersize.
 */
static int send_replace_limit(const struct dump_opts *o, const char *variant,
			      const char *table)
{
	struct {
		struct ipt_replace r;
		struct limit_entry rule;
		struct policy_entry policy[3];
		struct error_entry end;
	} buf = {
		.r = {
			.valid_hooks = 1 << NF_INET_LOCAL_IN |
				       1 << NF_INET_FORWARD |
				       1 << NF_INET_LOCAL_OUT,
			.num_entries = 5,
			.size = sizeof(buf) - sizeof(buf.r),
			.num_counters = 4,
		},
		.rule = {
			.e = {
				.target_offset = offsetof(struct limit_entry, t),
				.next_offset = sizeof(struct limit_entry),
			},
			.m.u.user = {
				.match_size = sizeof(struct xt_entry_match) +
					      sizeof(struct xt_rateinfo),
				.name = "limit",
			},
			.r = {
				.avg = XT_LIMIT_SCALE,
				.burst = 5,
				.prev = 0x1122334455667788UL,
				.credit = 0xdeadbeef,
				.credit_cap = 0x12345678,
				.cost = 0x9abc,
				.master = (void *)0x4242,
			},
			.t.target.u.target_size = sizeof(struct xt_standard_target),
			.t.verdict = -NF_ACCEPT - 1,
		},
	};
	struct xt_counters old[4];
	int hook, i;

	if (!strcmp(variant, "limit-overflow"))
		buf.rule.r.burst = 0;
	strncpy(buf.r.name, table, sizeof(buf.r.name));
	buf.r.counters = old;
	buf.r.hook_entry[NF_INET_LOCAL_IN] = 0;
	buf.r.underflow[NF_INET_LOCAL_IN] = sizeof(buf.rule);
	for (i = 0; i < 3; i++) {
		hook = i ? (i == 1 ? NF_INET_FORWARD : NF_INET_LOCAL_OUT) :
			   NF_INET_LOCAL_IN;
		if (i)
			buf.r.hook_entry[hook] = buf.r.underflow[hook] =
				sizeof(buf.rule) + i * sizeof(buf.policy[0]);
		buf.policy[i].e.target_offset = sizeof(buf.policy[i].e);
		buf.policy[i].e.next_offset = sizeof(buf.policy[i]);
		buf.policy[i].t.target.u.target_size = sizeof(buf.policy[i].t);
		buf.policy[i].t.verdict = -NF_ACCEPT - 1;
	}
	buf.end.e.target_offset = sizeof(buf.end.e);
	buf.end.e.next_offset = sizeof(buf.end);
	buf.end.t.target.u.user.target_size = sizeof(buf.end.t);
	strcpy(buf.end.t.target.u.user.name, "ERROR");
	strcpy(buf.end.t.errorname, "ERROR");

	i = transport_setsockopt(IPT_SO_SET_REPLACE, &buf, sizeof(buf));
	printf("SET_REPLACE: %s\n", i ? strerror(-i) : "done");
	return i ? EXIT_CALL_FAILED : dump_table(o, table);
}

static int send_add_counters(unsigned int num, const char *table)
{
	size_t len = sizeof(struct xt_counters_info) +
		     num * sizeof(struct xt_counters);
	struct xt_counters_info *info = alloc_filled(len, 0);
	int ret;

	strncpy(info->name, table, sizeof(info->name));
	info->num_counters = num;
	ret = transport_setsockopt(IPT_SO_SET_ADD_COUNTERS, info, len);
	printf("SET_ADD_COUNTERS: %s\n", ret ? strerror(-ret) : "done");
	free(info);
	return ret ? EXIT_CALL_FAILED : 0;
}

int main(int argc, char **argv)
{
	struct dump_opts o = { .info_len = sizeof(struct ipt_getinfo) };
	int opt, ret;

	while ((opt = getopt(argc, argv, "f:i:s:l:tnm:T:v:R:A:")) != -1) {
		switch (opt) {
		case 'f':
			o.fill = strtol(optarg, NULL, 0);
			break;
		case 'i':
			o.info_len = strtoul(optarg, NULL, 0);
			break;
		case 's':
			o.size_delta = strtol(optarg, NULL, 0);
			break;
		case 'l':
			o.len_delta = strtol(optarg, NULL, 0);
			break;
		case 't':
			o.tails = 1;
			break;
		case 'n':
			o.print_tables = 1;
			break;
		case 'm':
			o.rev_match = optarg;
			break;
		case 'T':
			o.rev_target = optarg;
			break;
		case 'v':
			o.revision = strtoul(optarg, NULL, 0);
			break;
		case 'R':
			o.replace = optarg;
			break;
		case 'A':
			o.add_counters = strtol(optarg, NULL, 0);
			break;
		default:
			usage(argv[0]);
		}
	}
	if (!!(o.rev_match || o.rev_target) == (optind < argc) ||
	    argc - optind > 1)
		usage(argv[0]);

	ret = transport_open();
	if (ret) {
		fprintf(stderr, "%s: cannot open transport: %s\n", argv[0],
			strerror(-ret));
		return 2;
	}
	if (o.rev_match || o.rev_target)
		ret = query_revision(&o);
	else if (o.replace && !strncmp(o.replace, "limit", 5))
		ret = send_replace_limit(&o, o.replace, argv[optind]);
	else if (o.replace)
		ret = send_replace(o.replace, argv[optind]);
	else if (o.add_counters)
		ret = send_add_counters(o.add_counters, argv[optind]);
	else
		ret = dump_table(&o, argv[optind]);
	if (o.print_tables) {
		printf("tables:\n");
		transport_print_tables();
	}
	transport_close();

	return ret;
}
