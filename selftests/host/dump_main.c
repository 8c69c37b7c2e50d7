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
};

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-f FILL] [-i INFOLEN] [-s SIZEDELTA] [-l LENDELTA] [-t] [-n] TABLE\n"
		"       %s [-n] -m MATCH|-T TARGET [-v REVISION]\n", prog, prog);
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

int main(int argc, char **argv)
{
	struct dump_opts o = { .info_len = sizeof(struct ipt_getinfo) };
	int opt, ret;

	while ((opt = getopt(argc, argv, "f:i:s:l:tnm:T:v:")) != -1) {
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
	else
		ret = dump_table(&o, argv[optind]);
	if (o.print_tables) {
		printf("tables:\n");
		transport_print_tables();
	}
	transport_close();

	return ret;
}
