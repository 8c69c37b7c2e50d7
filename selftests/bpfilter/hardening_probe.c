// SPDX-License-Identifier: GPL-2.0
/*
 * Hostile callers of the ip_tables sockopts, for the hardening tests.
 *
 *   hardening_probe race SECONDS
 *	SET_REPLACE of the current filter table in a loop while another
 *	thread flips the header's num_counters and size under it; prints
 *	how many calls got each errno.  Fails if any errno is not one a
 *	consistent header could get (0, EAGAIN, EINVAL).
 *   hardening_probe huge-get
 *	GET_ENTRIES with optlen INT_MAX; prints its errno.
 *   hardening_probe oversize MIB
 *	SET_REPLACE of a MIB MiB table (over the per-namespace cap, under
 *	x_tables' 512 MiB limit); prints its errno.
 *   hardening_probe bad-counters
 *	SET_REPLACE of the current table plus one DROP rule in INPUT, with
 *	ipt_replace.counters pointing at unmapped memory; prints its errno.
 *   hardening_probe info
 *	GET_INFO of filter; prints its errno.
 *   hardening_probe grow N
 *	SET_REPLACE of a filter table with N DROP rules in INPUT and no
 *	ADD_COUNTERS after it (iptables always sends one); prints its errno.
 *   hardening_probe add-counters
 *	ADD_COUNTERS of zeros to every entry of filter; prints its errno.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/netfilter_ipv4/ip_tables.h>

static int sock;

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static const char *errname(int ret)
{
	return ret < 0 ? strerrorname_np(errno) : "0";
}

/* The current filter table as an ipt_replace ready to send back. */
static struct ipt_replace *current_table(size_t extra)
{
	struct ipt_getinfo info = { .name = "filter" };
	socklen_t len = sizeof(info);
	struct ipt_get_entries *get;
	struct ipt_replace *repl;

	if (getsockopt(sock, SOL_IP, IPT_SO_GET_INFO, &info, &len))
		die("GET_INFO");
	len = sizeof(*get) + info.size;
	get = calloc(1, len);
	if (!get)
		die("calloc");
	strcpy(get->name, "filter");
	get->size = info.size;
	if (getsockopt(sock, SOL_IP, IPT_SO_GET_ENTRIES, get, &len))
		die("GET_ENTRIES");

	repl = calloc(1, sizeof(*repl) + info.size + extra);
	if (!repl)
		die("calloc");
	strcpy(repl->name, "filter");
	repl->valid_hooks = info.valid_hooks;
	repl->num_entries = info.num_entries;
	repl->size = info.size;
	memcpy(repl->hook_entry, info.hook_entry, sizeof(info.hook_entry));
	memcpy(repl->underflow, info.underflow, sizeof(info.underflow));
	repl->num_counters = info.num_entries;
	repl->counters = calloc(info.num_entries + 1,
				sizeof(struct xt_counters));
	memcpy(repl->entries, get->entrytable, info.size);
	free(get);
	return repl;
}

static struct ipt_replace *race_repl;
static atomic_bool race_over;

/* Flips the fields that size the request and its reply. */
static void *flipper(void *arg)
{
	unsigned int entries = race_repl->num_counters;
	unsigned int size = race_repl->size;
	unsigned long n = 0;

	(void)arg;
	while (!atomic_load(&race_over)) {
		n++;
		*(volatile unsigned int *)&race_repl->num_counters =
			n & 1 ? entries + 1 : entries;
		*(volatile unsigned int *)&race_repl->size =
			n & 2 ? size - 8 : size;
	}
	return NULL;
}

static int race(int seconds)
{
	unsigned long ok = 0, eagain = 0, einval = 0, other = 0;
	size_t optlen;
	pthread_t thread;
	time_t end;

	race_repl = current_table(0);
	optlen = sizeof(*race_repl) + race_repl->size;
	if (pthread_create(&thread, NULL, flipper, NULL))
		die("pthread_create");
	end = time(NULL) + seconds;
	while (time(NULL) < end) {
		if (!setsockopt(sock, SOL_IP, IPT_SO_SET_REPLACE, race_repl,
				optlen))
			ok++;
		else if (errno == EAGAIN)
			eagain++;
		else if (errno == EINVAL)
			einval++;
		else {
			other++;
			fprintf(stderr, "unexpected errno %s\n", errname(-1));
		}
	}
	atomic_store(&race_over, true);
	pthread_join(thread, NULL);
	printf("ok %lu EAGAIN %lu EINVAL %lu other %lu\n", ok, eagain,
	       einval, other);
	return other ? 1 : 0;
}

static int huge_get(void)
{
	socklen_t len = INT_MAX;
	struct ipt_get_entries *get;

	/* Only the header is ever touched: reserve, do not populate. */
	get = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (get == MAP_FAILED)
		die("mmap");
	strcpy(get->name, "filter");
	get->size = 1 << 30;
	printf("%s\n", errname(getsockopt(sock, SOL_IP, IPT_SO_GET_ENTRIES,
					  get, &len)));
	return 0;
}

static int oversize(unsigned int mib)
{
	size_t size = (size_t)mib << 20;
	struct ipt_replace *repl;

	/* Zero pages: the caller's side costs nothing until it is read. */
	repl = mmap(NULL, sizeof(*repl) + size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (repl == MAP_FAILED)
		die("mmap");
	strcpy(repl->name, "filter");
	repl->num_counters = 4;
	repl->num_entries = 4;
	repl->size = size;
	printf("%s\n", errname(setsockopt(sock, SOL_IP, IPT_SO_SET_REPLACE,
					  repl, sizeof(*repl) + size)));
	return 0;
}

/* Inserts "-A INPUT -j DROP" as the first rule of INPUT. */
static void insert_input_drop(struct ipt_replace *repl)
{
	struct {
		struct ipt_entry e;
		struct xt_standard_target t;
	} rule = {
		.e = {
			.target_offset = sizeof(struct ipt_entry),
			.next_offset = sizeof(rule),
		},
		.t = {
			.target = {
				.u.target_size = sizeof(struct xt_standard_target),
			},
			.verdict = -NF_DROP - 1,
		},
	};
	unsigned int at = repl->hook_entry[NF_INET_LOCAL_IN];
	unsigned char *base = (unsigned char *)repl->entries;
	int h;

	memmove(base + at + sizeof(rule), base + at, repl->size - at);
	memcpy(base + at, &rule, sizeof(rule));
	for (h = 0; h < NF_INET_NUMHOOKS; h++) {
		if (repl->hook_entry[h] > at)
			repl->hook_entry[h] += sizeof(rule);
		if (repl->underflow[h] >= at)
			repl->underflow[h] += sizeof(rule);
	}
	repl->size += sizeof(rule);
	repl->num_entries++;
}

static int bad_counters(void)
{
	struct ipt_replace *repl = current_table(256);
	void *unmapped;

	insert_input_drop(repl);
	unmapped = mmap(NULL, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (unmapped == MAP_FAILED)
		die("mmap");
	munmap(unmapped, 4096);
	repl->counters = unmapped;
	printf("%s\n", errname(setsockopt(sock, SOL_IP, IPT_SO_SET_REPLACE,
					  repl, sizeof(*repl) + repl->size)));
	return 0;
}

struct standard_entry {
	struct ipt_entry e;
	struct xt_standard_target t;
};

struct error_entry {
	struct ipt_entry e;
	struct xt_error_target t;
};

static void standard_entry(struct standard_entry *se, int verdict)
{
	memset(se, 0, sizeof(*se));
	se->e.target_offset = sizeof(se->e);
	se->e.next_offset = sizeof(*se);
	se->t.target.u.target_size = sizeof(se->t);
	se->t.verdict = verdict;
}

/* INPUT: @n DROP rules then the ACCEPT policy; FORWARD and OUTPUT: the
 * ACCEPT policy; the closing ERROR entry.
 */
static int grow(unsigned int n)
{
	struct ipt_getinfo info = { .name = "filter" };
	socklen_t len = sizeof(info);
	size_t size = (n + 3) * sizeof(struct standard_entry) +
		      sizeof(struct error_entry);
	struct standard_entry *se;
	struct error_entry *ee;
	struct ipt_replace *repl;
	unsigned int i;

	repl = calloc(1, sizeof(*repl) + size);
	if (!repl)
		die("calloc");
	strcpy(repl->name, "filter");
	repl->valid_hooks = 1 << NF_INET_LOCAL_IN | 1 << NF_INET_FORWARD |
			    1 << NF_INET_LOCAL_OUT;
	repl->num_entries = n + 4;
	repl->size = size;
	se = (struct standard_entry *)repl->entries;
	for (i = 0; i < n; i++)
		standard_entry(&se[i], -NF_DROP - 1);
	repl->hook_entry[NF_INET_LOCAL_IN] = 0;
	repl->underflow[NF_INET_LOCAL_IN] = n * sizeof(*se);
	repl->hook_entry[NF_INET_FORWARD] = (n + 1) * sizeof(*se);
	repl->underflow[NF_INET_FORWARD] = (n + 1) * sizeof(*se);
	repl->hook_entry[NF_INET_LOCAL_OUT] = (n + 2) * sizeof(*se);
	repl->underflow[NF_INET_LOCAL_OUT] = (n + 2) * sizeof(*se);
	for (i = n; i < n + 3; i++)
		standard_entry(&se[i], -NF_ACCEPT - 1);
	ee = (struct error_entry *)&se[n + 3];
	ee->e.target_offset = sizeof(ee->e);
	ee->e.next_offset = sizeof(*ee);
	ee->t.target.u.user.target_size = sizeof(ee->t);
	strcpy(ee->t.target.u.user.name, "ERROR");
	strcpy(ee->t.errorname, "ERROR");

	if (getsockopt(sock, SOL_IP, IPT_SO_GET_INFO, &info, &len))
		die("GET_INFO");
	repl->num_counters = info.num_entries;
	repl->counters = calloc(info.num_entries, sizeof(struct xt_counters));
	printf("%s\n", errname(setsockopt(sock, SOL_IP, IPT_SO_SET_REPLACE,
					  repl, sizeof(*repl) + size)));
	return 0;
}

static int add_counters(void)
{
	struct ipt_getinfo info = { .name = "filter" };
	socklen_t len = sizeof(info);
	struct xt_counters_info *add;
	size_t size;

	if (getsockopt(sock, SOL_IP, IPT_SO_GET_INFO, &info, &len))
		die("GET_INFO");
	size = sizeof(*add) + info.num_entries * sizeof(struct xt_counters);
	add = calloc(1, size);
	if (!add)
		die("calloc");
	strcpy(add->name, "filter");
	add->num_counters = info.num_entries;
	printf("%s\n", errname(setsockopt(sock, SOL_IP,
					  IPT_SO_SET_ADD_COUNTERS, add, size)));
	return 0;
}

static int info(void)
{
	struct ipt_getinfo info = { .name = "filter" };
	socklen_t len = sizeof(info);

	printf("%s\n", errname(getsockopt(sock, SOL_IP, IPT_SO_GET_INFO,
					  &info, &len)));
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	sock = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (sock < 0)
		die("socket");
	if (!strcmp(argv[1], "race") && argc == 3)
		return race(atoi(argv[2]));
	if (!strcmp(argv[1], "huge-get"))
		return huge_get();
	if (!strcmp(argv[1], "oversize") && argc == 3)
		return oversize(atoi(argv[2]));
	if (!strcmp(argv[1], "bad-counters"))
		return bad_counters();
	if (!strcmp(argv[1], "info"))
		return info();
	if (!strcmp(argv[1], "grow") && argc == 3)
		return grow(atoi(argv[2]));
	if (!strcmp(argv[1], "add-counters"))
		return add_counters();
usage:
	fprintf(stderr, "usage: hardening_probe race SECONDS | huge-get | oversize MIB | bad-counters | info | grow N | add-counters\n");
	return 2;
}
