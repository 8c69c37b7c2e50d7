// SPDX-License-Identifier: GPL-2.0
/*
 * Sends ip_tables socket options and prints, one line per case, the
 * errno each got ("0" for success).  The same binary runs on the host
 * against x_tables (make-reference.sh records its output) and in the VM
 * against bpfilter; the selftests compare the two line by line.
 *
 *   sockopt_probe perm      every sockopt once, with plausible arguments
 *   sockopt_probe hostile   malformed and hostile arguments
 *
 * Cases use a UDP socket: x_tables and bpfilter answer these options on
 * any IPv4 socket, and a UDP socket needs no privilege to open.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/netfilter_ipv4/ip_tables.h>

static int sock;

static void report(const char *name, int ret)
{
	printf("%s %s\n", name, ret < 0 ? strerrorname_np(errno) : "0");
}

static void set(const char *name, int optname, const void *val, socklen_t len)
{
	report(name, setsockopt(sock, SOL_IP, optname, val, len));
}

static void get(const char *name, int optname, void *val, socklen_t len)
{
	report(name, getsockopt(sock, SOL_IP, optname, val, &len));
}

/* A zeroed buffer of @len bytes that stays valid for the whole run. */
static void *zeroed(size_t len)
{
	void *p = calloc(1, len ? len : 1);

	if (!p) {
		perror("calloc");
		exit(2);
	}
	return p;
}

static void probe_permissions(void)
{
	struct ipt_getinfo info = { .name = "filter" };
	struct ipt_get_entries entries = { .name = "filter" };
	struct xt_get_revision rev = { .name = "tcp" };
	struct ipt_replace *repl = zeroed(sizeof(*repl) + 1024);
	struct xt_counters_info *add = zeroed(sizeof(*add) + 64);

	strcpy(repl->name, "filter");
	repl->num_counters = 4;
	repl->size = 1024;
	strcpy(add->name, "filter");
	add->num_counters = 4;

	get("GET_INFO", IPT_SO_GET_INFO, &info, sizeof(info));
	get("GET_ENTRIES", IPT_SO_GET_ENTRIES, &entries, sizeof(entries));
	get("GET_REVISION_MATCH", IPT_SO_GET_REVISION_MATCH, &rev, sizeof(rev));
	get("GET_REVISION_TARGET", IPT_SO_GET_REVISION_TARGET, &rev,
	    sizeof(rev));
	set("SET_REPLACE", IPT_SO_SET_REPLACE, repl, sizeof(*repl) + 1024);
	set("SET_ADD_COUNTERS", IPT_SO_SET_ADD_COUNTERS, add,
	    sizeof(*add) + 64);
}

static void hostile_get(void)
{
	struct ipt_getinfo *info = zeroed(8192);
	struct ipt_get_entries *entries = zeroed(8192);
	struct xt_get_revision *rev = zeroed(8192);
	socklen_t lens[] = { 0, 1, sizeof(*info) - 1, sizeof(*info) + 1,
			     4095, 8192 };
	char name[64];
	size_t i;

	strcpy(info->name, "filter");
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		snprintf(name, sizeof(name), "GET_INFO/optlen-%u", lens[i]);
		get(name, IPT_SO_GET_INFO, info, lens[i]);
	}
	get("GET_INFO/optlen-negative", IPT_SO_GET_INFO, info, (socklen_t)-1);
	get("GET_INFO/bad-pointer", IPT_SO_GET_INFO, (void *)8, sizeof(*info));
	memset(info->name, 'x', sizeof(info->name));
	get("GET_INFO/unterminated-name", IPT_SO_GET_INFO, info,
	    sizeof(*info));
	strcpy(info->name, "nosuchtable");
	get("GET_INFO/unknown-table", IPT_SO_GET_INFO, info, sizeof(*info));

	strcpy(entries->name, "filter");
	entries->size = 632;
	get("GET_ENTRIES/optlen-0", IPT_SO_GET_ENTRIES, entries, 0);
	get("GET_ENTRIES/header-only", IPT_SO_GET_ENTRIES, entries,
	    sizeof(*entries));
	get("GET_ENTRIES/one-short", IPT_SO_GET_ENTRIES, entries,
	    sizeof(*entries) + 631);
	get("GET_ENTRIES/one-long", IPT_SO_GET_ENTRIES, entries,
	    sizeof(*entries) + 633);
	entries->size = 8192 - sizeof(*entries);
	get("GET_ENTRIES/size-mismatch", IPT_SO_GET_ENTRIES, entries, 8192);
	entries->size = UINT_MAX;
	get("GET_ENTRIES/size-huge", IPT_SO_GET_ENTRIES, entries, 8192);

	strcpy(rev->name, "tcp");
	get("GET_REVISION_MATCH/optlen-short", IPT_SO_GET_REVISION_MATCH, rev,
	    sizeof(*rev) - 1);
	get("GET_REVISION_MATCH/optlen-long", IPT_SO_GET_REVISION_MATCH, rev,
	    sizeof(*rev) + 1);
	strcpy(rev->name, "no_such_match");
	get("GET_REVISION_MATCH/unknown", IPT_SO_GET_REVISION_MATCH, rev,
	    sizeof(*rev));
	strcpy(rev->name, "NO_SUCH_TARGET");
	get("GET_REVISION_TARGET/unknown", IPT_SO_GET_REVISION_TARGET, rev,
	    sizeof(*rev));
	get("GET/unknown-optname", IPT_SO_GET_MAX + 1, rev, sizeof(*rev));
}

/* Deterministic bytes, so that both runs send the same garbage. */
static void fill_pseudo_random(void *buf, size_t len, uint32_t seed)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = seed >> 16;
	}
}

static void hostile_replace(void)
{
	size_t big = sizeof(struct ipt_replace) + 4096;
	struct ipt_replace *repl = zeroed(big);
	char name[64];
	uint32_t seed;

	set("SET_REPLACE/optlen-0", IPT_SO_SET_REPLACE, repl, 0);
	set("SET_REPLACE/optlen-1", IPT_SO_SET_REPLACE, repl, 1);
	set("SET_REPLACE/zero-header", IPT_SO_SET_REPLACE, repl,
	    sizeof(*repl));
	set("SET_REPLACE/bad-pointer", IPT_SO_SET_REPLACE, (void *)8,
	    sizeof(*repl));

	strcpy(repl->name, "filter");
	repl->num_counters = INT_MAX / sizeof(struct xt_counters);
	set("SET_REPLACE/num-counters-overflow", IPT_SO_SET_REPLACE, repl,
	    big);
	repl->num_counters = 0;
	repl->size = 0;
	set("SET_REPLACE/num-counters-0", IPT_SO_SET_REPLACE, repl, big);
	repl->num_counters = 4;
	repl->size = 4097;
	set("SET_REPLACE/size-beyond-optlen", IPT_SO_SET_REPLACE, repl, big);
	repl->size = 512 << 20;
	set("SET_REPLACE/size-512MiB", IPT_SO_SET_REPLACE, repl,
	    sizeof(*repl) + repl->size);
	repl->size = UINT_MAX;
	set("SET_REPLACE/size-huge-optlen-short", IPT_SO_SET_REPLACE, repl,
	    big);
	repl->size = 0;
	set("SET_REPLACE/size-0", IPT_SO_SET_REPLACE, repl, big);
	repl->size = 4096;
	set("SET_REPLACE/empty-entries", IPT_SO_SET_REPLACE, repl, big);

	for (seed = 1; seed <= 20; seed++) {
		fill_pseudo_random(repl, big, seed);
		snprintf(name, sizeof(name), "SET_REPLACE/random-%u", seed);
		set(name, IPT_SO_SET_REPLACE, repl, big);
		/* Plausible header, random hook offsets and entries. */
		strcpy(repl->name, "filter");
		repl->valid_hooks = 0x0e;
		repl->num_entries = 4;
		repl->num_counters = 4;
		repl->size = 4096;
		snprintf(name, sizeof(name), "SET_REPLACE/random-entries-%u",
			 seed);
		set(name, IPT_SO_SET_REPLACE, repl, big);
	}
	set("SET/unknown-optname", IPT_SO_SET_MAX + 1, repl, big);
}

static void hostile_add_counters(void)
{
	struct xt_counters_info *add = zeroed(sizeof(*add) + 4096);

	set("ADD_COUNTERS/optlen-0", IPT_SO_SET_ADD_COUNTERS, add, 0);
	set("ADD_COUNTERS/header-only", IPT_SO_SET_ADD_COUNTERS, add,
	    sizeof(*add));
	strcpy(add->name, "filter");
	add->num_counters = 4;
	set("ADD_COUNTERS/len-mismatch", IPT_SO_SET_ADD_COUNTERS, add,
	    sizeof(*add) + 65);
	add->num_counters = 3;
	set("ADD_COUNTERS/wrong-count", IPT_SO_SET_ADD_COUNTERS, add,
	    sizeof(*add) + 48);
	strcpy(add->name, "nosuchtable");
	add->num_counters = 4;
	set("ADD_COUNTERS/unknown-table", IPT_SO_SET_ADD_COUNTERS, add,
	    sizeof(*add) + 64);
	add->num_counters = UINT_MAX;
	set("ADD_COUNTERS/num-counters-huge", IPT_SO_SET_ADD_COUNTERS, add,
	    sizeof(*add) + 64);
	set("ADD_COUNTERS/bad-pointer", IPT_SO_SET_ADD_COUNTERS, (void *)8,
	    sizeof(*add) + 64);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s perm|hostile\n", argv[0]);
		return 2;
	}
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock < 0) {
		perror("socket");
		return 2;
	}
	if (!strcmp(argv[1], "perm")) {
		probe_permissions();
	} else if (!strcmp(argv[1], "hostile")) {
		hostile_get();
		hostile_replace();
		hostile_add_counters();
	} else {
		fprintf(stderr, "%s: unknown mode %s\n", argv[0], argv[1]);
		return 2;
	}
	return 0;
}
