// SPDX-License-Identifier: GPL-2.0
/*
 * Swaps the filter table between two saved rulesets with raw
 * IPT_SO_SET_REPLACE calls and adds up the old counters each commit
 * returns, for dataplane_swaps.sh: under traffic, every packet must be
 * counted by exactly one table, so what the commits returned plus what
 * the last table counted is what arrived.
 *
 *   swap_probe [-n NETNS] save FILE
 *       Writes the filter table in force (GET_INFO, GET_ENTRIES) to FILE
 *       as the ipt_replace that commits it again, counters zeroed.
 *       Prints "entries E" and "counted I" (lines).
 *   swap_probe [-n NETNS] swap N MIN_SECONDS FILE1 FILE2
 *       FILE1's table must be in force.  Commits FILE2, FILE1, FILE2, ...
 *       N times, each with num_counters = the outgoing table's entries,
 *       spread over at least MIN_SECONDS.  Prints "commits K" (K < N: a
 *       commit failed, exit status 1), "seconds S" (all of it),
 *       "commit_seconds C" (inside SET_REPLACE), "counted I1 I2" (the
 *       counted rule's index in each),
 *       "returned1 P B" and "returned2 P B" (what the counted rule had
 *       counted when FILE1's, FILE2's table went out, over all commits)
 *       and "others P" (packets returned for every other entry).
 *   swap_probe [-n NETNS] count
 *       Prints "entries E", "counted I" and "live P B": the counted
 *       rule's live counters in the table in force.
 *
 * The counted rule is the last rule of INPUT, the entry right before
 * INPUT's policy: the test puts the same rule there in both rulesets,
 * behind a different number of rules.
 *
 * -n NETNS works in /run/netns/NETNS (saves starting nsenter, ~0.3 s
 * under emulation).  Exit status 0, 1 on a failed commit, 2 on any other
 * error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ipt_table.h"

static int sock;

/* A saved table: the ipt_replace that commits it; its counted rule. */
struct blob {
	struct ipt_replace *repl;
	unsigned int counted;
};

/* Index of the entry that ends where INPUT's policy starts. */
static unsigned int counted_index(void *base, unsigned int size,
				  const unsigned int *hook_entry,
				  const unsigned int *underflow)
{
	unsigned int off = 0, i = 0, policy = underflow[NF_INET_LOCAL_IN];
	struct ipt_entry *e;

	while ((e = ipt_entry_at(base, size, off))) {
		if (off + e->next_offset == policy &&
		    off >= hook_entry[NF_INET_LOCAL_IN])
			return i;
		off += e->next_offset;
		i++;
	}
	ipt_fail("filter table", "INPUT has no rule");
	return 0;
}

static int do_save(const char *path)
{
	struct ipt_getinfo info = ipt_get_info(sock);
	struct ipt_get_entries *got = ipt_get_entries(sock, &info);
	struct ipt_replace *repl = ipt_to_replace(&info, got);
	size_t len = sizeof(*repl) + repl->size;
	FILE *f = fopen(path, "w");

	if (!f || fwrite(repl, 1, len, f) != len || fclose(f))
		die(path);
	printf("entries %u\ncounted %u\n", repl->num_entries,
	       counted_index(repl->entries, repl->size, repl->hook_entry,
			     repl->underflow));
	return 0;
}

static struct blob load(const char *path)
{
	struct ipt_replace head;
	struct blob b;
	FILE *f = fopen(path, "r");

	if (!f || fread(&head, sizeof(head), 1, f) != 1)
		die(path);
	b.repl = ipt_xcalloc(sizeof(head) + head.size);
	*b.repl = head;
	if (fread(b.repl->entries, 1, head.size, f) != head.size)
		ipt_fail(path, "short file");
	fclose(f);
	b.counted = counted_index(b.repl->entries, head.size, head.hook_entry,
				  head.underflow);
	return b;
}

/*
 * num_counters must be the outgoing table's entry count (x_tables
 * refuses another with EAGAIN), so the table in force must be known.
 */
static void check_in_force(const struct blob *b, const char *path)
{
	struct ipt_getinfo info = ipt_get_info(sock);

	if (info.num_entries != b->repl->num_entries ||
	    info.size != b->repl->size ||
	    memcmp(info.hook_entry, b->repl->hook_entry, sizeof(info.hook_entry)) ||
	    memcmp(info.underflow, b->repl->underflow, sizeof(info.underflow)))
		ipt_fail(path, "not the table in force");
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct tally {
	uint64_t pkts[2], bytes[2], others;
};

/*
 * Commits @in in place of @out; adds what @out's entries counted to
 * @t (slot @slot for the counted rule).  The counters buffer is filled
 * with 0xff first, so a counter the call did not write shows as a huge
 * count instead of a plausible zero.
 */
static int commit(const struct blob *in, const struct blob *out,
		  struct xt_counters *buf, struct tally *t, int slot)
{
	unsigned int n = out->repl->num_entries, i;

	memset(buf, 0xff, n * sizeof(*buf));
	in->repl->num_counters = n;
	in->repl->counters = buf;
	if (setsockopt(sock, SOL_IP, IPT_SO_SET_REPLACE, in->repl,
		       sizeof(*in->repl) + in->repl->size))
		return -1;
	for (i = 0; i < n; i++) {
		if (i != out->counted) {
			t->others += buf[i].pcnt;
			continue;
		}
		t->pkts[slot] += buf[i].pcnt;
		t->bytes[slot] += buf[i].bcnt;
	}
	return 0;
}

/*
 * Paces commit @k of @n so that they spread over at least @min seconds
 * from @start: x_tables commits a small table in microseconds, and the
 * flood must reach both tables many times, not once in a burst.
 */
static void pace(double start, unsigned long k, unsigned long n, double min)
{
	double wait = start + min * k / n - now();
	struct timespec ts;

	if (wait <= 0)
		return;
	ts.tv_sec = (time_t)wait;
	ts.tv_nsec = (long)((wait - ts.tv_sec) * 1e9);
	nanosleep(&ts, NULL);
}

static void report(unsigned long k, double wall, double busy,
		   const struct blob *b, const struct tally *t)
{
	printf("commits %lu\nseconds %.3f\ncommit_seconds %.3f\ncounted %u %u\n",
	       k, wall, busy, b[0].counted, b[1].counted);
	printf("returned1 %llu %llu\nreturned2 %llu %llu\nothers %llu\n",
	       (unsigned long long)t->pkts[0], (unsigned long long)t->bytes[0],
	       (unsigned long long)t->pkts[1], (unsigned long long)t->bytes[1],
	       (unsigned long long)t->others);
}

static int do_swap(unsigned long n, double min, const char *path1,
		   const char *path2)
{
	struct blob b[2] = { load(path1), load(path2) };
	unsigned int max = b[0].repl->num_entries > b[1].repl->num_entries ?
			   b[0].repl->num_entries : b[1].repl->num_entries;
	struct xt_counters *buf = ipt_xcalloc(max * sizeof(*buf));
	struct tally t = { 0 };
	double start, busy = 0, t0;
	unsigned long k;
	int err = 0;

	check_in_force(&b[0], path1);
	start = now();
	/* Commit k takes out b[k % 2] and puts in the other. */
	for (k = 0; k < n; k++) {
		pace(start, k, n, min);
		t0 = now();
		if (commit(&b[(k + 1) % 2], &b[k % 2], buf, &t, k % 2)) {
			err = errno;
			break;
		}
		busy += now() - t0;
	}
	report(k, now() - start, busy, b, &t);
	if (k < n)
		fprintf(stderr, "swap_probe: commit %lu: IPT_SO_SET_REPLACE: %s\n",
			k + 1, strerror(err));
	return k < n;
}

static int do_count(void)
{
	struct ipt_getinfo info = ipt_get_info(sock);
	struct ipt_get_entries *got = ipt_get_entries(sock, &info);
	unsigned int i = counted_index(got->entrytable, info.size,
				       info.hook_entry, info.underflow);
	unsigned int off = 0, k;
	struct ipt_entry *e;

	for (k = 0; k < i; k++)
		off += ipt_entry_at(got->entrytable, info.size, off)->next_offset;
	e = ipt_entry_at(got->entrytable, info.size, off);
	printf("entries %u\ncounted %u\nlive %llu %llu\n", info.num_entries, i,
	       (unsigned long long)e->counters.pcnt,
	       (unsigned long long)e->counters.bcnt);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: swap_probe [-n NETNS] save FILE\n"
			"       swap_probe [-n NETNS] swap N MIN_SECONDS FILE1 FILE2\n"
			"       swap_probe [-n NETNS] count\n");
	exit(2);
}

int main(int argc, char **argv)
{
	if (argc > 2 && !strcmp(argv[1], "-n")) {
		enter_netns(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		usage();
	/* Any IPv4 socket takes the ip_tables options; UDP needs no privilege. */
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	if (sock < 0)
		die("socket");
	if (!strcmp(argv[1], "save") && argc == 3)
		return do_save(argv[2]);
	if (!strcmp(argv[1], "swap") && argc == 6)
		return do_swap(strtoul(argv[2], NULL, 0), strtod(argv[3], NULL),
			       argv[4], argv[5]);
	if (!strcmp(argv[1], "count") && argc == 2)
		return do_count();
	usage();
	return 2;
}
