// SPDX-License-Identifier: GPL-2.0
/*
 * bench-flood: UDP packets to DST:9 as fast as one thread sends them,
 * from several sender namespaces in turn (one per configuration under
 * test); prints each one's packets and this thread's CPU time spent on
 * them.
 *
 * Why the sender's CPU time measures the receiver: a veth hands each
 * packet to its peer with netif_rx(), and the softirq that runs the
 * peer's receive path (ip_rcv, the LOCAL_IN hook, UDP) is served when
 * the transmit path re-enables bottom halves, still on this thread.  So
 * this thread's CPU time (the scheduler's exact runtime, not ticks, and
 * without other tenants' time on a shared machine) covers send path,
 * receive path and hook; a firewall's cost is the difference to a run
 * without one.  The receiver's socket is never read: once its buffer is
 * full every packet still passes LOCAL_IN and is then dropped by UDP,
 * the same work in every configuration.  Softirqs left to ksoftirqd
 * would escape this count, so its runtime over the run is printed too.
 *
 * Why in turns: on a shared machine the CPU's speed changes with what
 * else runs (the other hyperthread, the host), over seconds.  Sending
 * SECONDS per configuration in SLICES short turns, round robin, puts
 * every configuration through the same phases, so their difference
 * holds even when the absolute figures drift.
 *
 * Output: "sent I packets N cpu_ns N" per sender namespace (I: its
 * position among the arguments, from 0), then "ksoftirqd_ns N".
 * usage: bench-flood DST SECONDS SLICES NETNS...
 *        bench-flood --sink ADDR	(the receiver: binds ADDR:9, never
 *					 reads, waits for a signal)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH		64
#define PAYLOAD		18	/* IPv4 20 + UDP 8 + 18: a 64-byte frame */
#define WARMUP_NS	50000000ULL
#define SENDERS_MAX	8

struct sender {
	int fd;
	unsigned long long packets, cpu_ns;
};

static unsigned long long clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* Runtime of every ksoftirqd/N thread, from /proc/PID/schedstat. */
static unsigned long long ksoftirqd_ns(void)
{
	unsigned long long sum = 0, ns;
	char path[64], comm[32];
	struct dirent *d;
	DIR *proc = opendir("/proc");
	FILE *f;

	while (proc && (d = readdir(proc))) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%.16s/comm", d->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (!fgets(comm, sizeof(comm), f) ||
		    strncmp(comm, "ksoftirqd/", 10)) {
			fclose(f);
			continue;
		}
		fclose(f);
		snprintf(path, sizeof(path), "/proc/%.16s/schedstat", d->d_name);
		f = fopen(path, "r");
		if (f && fscanf(f, "%llu", &ns) == 1)
			sum += ns;
		if (f)
			fclose(f);
	}
	if (proc)
		closedir(proc);
	return sum;
}

/* Sends batches until @until (CLOCK_MONOTONIC ns), counted in @s. */
static void flood(struct sender *s, unsigned long long until)
{
	static char payload[PAYLOAD];
	static struct iovec iov = { .iov_base = payload, .iov_len = PAYLOAD };
	static struct mmsghdr msgs[BATCH];
	unsigned long long cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	unsigned int i;
	int n;

	for (i = 0; i < BATCH; i++) {
		msgs[i].msg_hdr.msg_iov = &iov;
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	while (clock_ns(CLOCK_MONOTONIC) < until) {
		n = sendmmsg(s->fd, msgs, BATCH, 0);
		if (n < 0) {
			perror("sendmmsg");
			exit(1);
		}
		s->packets += n;
	}
	s->cpu_ns += clock_ns(CLOCK_THREAD_CPUTIME_ID) - cpu0;
}

/* A socket in network namespace @path, connected to @dst. */
static int open_sender(const char *path, const struct sockaddr_in *dst)
{
	int ns = open(path, O_RDONLY), fd;

	if (ns < 0 || setns(ns, CLONE_NEWNET)) {
		perror(path);
		exit(1);
	}
	close(ns);
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)dst, sizeof(*dst))) {
		perror("socket");
		exit(1);
	}
	return fd;
}

/* The receiving socket: bound, never read (see above). */
static int sink(const char *addr)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(9) };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (!inet_aton(addr, &sin.sin_addr) || fd < 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof(sin))) {
		perror("sink");
		return 1;
	}
	printf("bound\n");
	fflush(stdout);
	pause();
	return 0;
}

int main(int argc, char **argv)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_port = htons(9) };
	struct sender s[SENDERS_MAX] = { 0 }, warm = { 0 };
	unsigned long long slice_ns, soft0;
	int i, n, round, slices;
	double seconds;

	if (argc == 3 && !strcmp(argv[1], "--sink"))
		return sink(argv[2]);
	n = argc - 4;
	if (n < 1 || n > SENDERS_MAX || !inet_aton(argv[1], &dst.sin_addr) ||
	    (seconds = atof(argv[2])) <= 0 || (slices = atoi(argv[3])) < 1) {
		fprintf(stderr, "usage: bench-flood DST SECONDS SLICES NETNS...\n");
		return 2;
	}
	slice_ns = seconds * 1e9 / slices;
	for (i = 0; i < n; i++) {
		s[i].fd = open_sender(argv[4 + i], &dst);
		/* Fills the receiver's socket buffer, warms the caches. */
		warm.fd = s[i].fd;
		flood(&warm, clock_ns(CLOCK_MONOTONIC) + WARMUP_NS);
	}
	soft0 = ksoftirqd_ns();
	for (round = 0; round < slices; round++)
		for (i = 0; i < n; i++)
			flood(&s[i], clock_ns(CLOCK_MONOTONIC) + slice_ns);
	for (i = 0; i < n; i++)
		printf("sent %d packets %llu cpu_ns %llu\n", i, s[i].packets,
		       s[i].cpu_ns);
	printf("ksoftirqd_ns %llu\n", ksoftirqd_ns() - soft0);
	return 0;
}
