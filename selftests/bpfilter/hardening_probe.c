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
usage:
	fprintf(stderr, "usage: hardening_probe race SECONDS | huge-get | oversize MIB | bad-counters | info\n");
	return 2;
}
