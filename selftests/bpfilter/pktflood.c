// SPDX-License-Identifier: GPL-2.0
/*
 * Traffic for the data-plane selftests (dataplane_*.sh): sends a known
 * number of IPv4 packets of one kind, or counts UDP datagrams received,
 * and prints exact counts.
 *
 *   pktflood [-n NETNS] [-u] send -p udp|syn|icmp -d DST [-s SRC]
 *                 [-S SPORT] [-D PORT[,PORT...]] [-c COUNT] [-t SECONDS]
 *                 [-r PPS] [-l LEN]
 *       udp:  datagrams of LEN bytes from a UDP socket bound to
 *             SRC:SPORT;
 *       syn:  TCP SYNs (20-byte header, no options) from SRC:SPORT, sent
 *             on a raw socket (SRC required);
 *       icmp: ICMP messages of type PORT, code SPORT, id 0x4242, LEN
 *             bytes of payload, from a raw socket.
 *       The ports (types) are used in turn.  Stops after COUNT packets,
 *       after SECONDS, or on SIGTERM/SIGINT, whichever comes first
 *       (COUNT 0 and SECONDS 0: until a signal).  PPS paces the sending
 *       (0: as fast as it goes).  A send the kernel refuses with EPERM
 *       (a DROP in OUTPUT) counts as failed, one failing otherwise (no
 *       route, no buffer) as an error.  Prints one line per port, "PORT
 *       sent N failed M errors E", then "total sent N failed M errors E".
 *
 *   pktflood [-n NETNS] [-u] batch
 *       Reads lines "NAME KIND SRC SPORT DST PORT[,PORT...] COUNT LEN"
 *       (SRC "-" for none) and sends each as "send" would; prints
 *       "NAME sent N failed M errors E" per line.  One process for many
 *       flows: starting a program costs ~0.1 s under emulation.
 *
 *   pktflood [-n NETNS] [-u] recv -D PORT[,PORT...] [-a ADDR] [-R READYFILE]
 *       Counts the datagrams arriving on UDP sockets bound to ADDR
 *       (default any) and each PORT, with 16 MiB receive buffers, until
 *       SIGTERM/SIGINT; then reads what is queued and prints "PORT N" per
 *       port and "total N".  READYFILE is created once every socket is
 *       bound.
 *
 * -n NETNS runs in the network namespace /run/netns/NETNS (or NETNS, if
 * it holds a slash), without "ip netns exec"'s mount namespace; -u
 * brings that namespace's lo up first (saves starting "ip").
 *
 * Exit status 0, or 2 on a usage or setup error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tool_util.h"
#define MAX_PORTS 64
#define MAX_LEN 1400

static void usage(void)
{
	fprintf(stderr,
		"usage: pktflood [-n NETNS] [-u] send -p udp|syn|icmp -d DST [-s SRC]\n"
		"                [-S SPORT] [-D PORT,...] [-c COUNT] [-t SECONDS] [-r PPS] [-l LEN]\n"
		"       pktflood [-n NETNS] [-u] batch < 'NAME KIND SRC SPORT DST PORTS COUNT LEN' lines\n"
		"       pktflood [-n NETNS] [-u] recv -D PORT,... [-a ADDR] [-R READYFILE]\n");
	exit(2);
}

enum kind { UDP, SYN, ICMP };

struct flow {
	enum kind kind;
	struct in_addr src, dst;
	int have_src;
	unsigned int sport, len;
	unsigned int ports[MAX_PORTS];
	int nports;
	unsigned long count, pps;
	double seconds;
	/* results, per port */
	unsigned long sent[MAX_PORTS], failed[MAX_PORTS], errors[MAX_PORTS];
};

static int parse_ports(char *list, unsigned int *ports)
{
	char *tok, *save = NULL;
	int n = 0;

	for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (n == MAX_PORTS)
			usage();
		ports[n++] = strtoul(tok, NULL, 0);
	}
	return n;
}

static struct in_addr parse_addr(const char *s)
{
	struct in_addr a;

	if (inet_pton(AF_INET, s, &a) != 1) {
		fprintf(stderr, "pktflood: bad address %s\n", s);
		exit(2);
	}
	return a;
}

static enum kind parse_kind(const char *s)
{
	if (!strcmp(s, "udp"))
		return UDP;
	if (!strcmp(s, "syn"))
		return SYN;
	if (!strcmp(s, "icmp"))
		return ICMP;
	usage();
	return UDP;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	/* No SA_RESTART: a blocked poll() or sleep returns on the signal. */
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint16_t csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static int flow_socket(const struct flow *f)
{
	struct sockaddr_in src = { .sin_family = AF_INET, .sin_addr = f->src };
	int fd, one = 1;

	switch (f->kind) {
	case UDP:
		fd = socket(AF_INET, SOCK_DGRAM, 0);
		break;
	case SYN:
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_TCP);
		break;
	default:
		fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
		break;
	}
	if (fd < 0)
		die("socket");
	if (f->have_src || (f->kind == UDP && f->sport)) {
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		src.sin_port = f->kind == UDP ? htons(f->sport) : 0;
		if (bind(fd, (struct sockaddr *)&src, sizeof(src)))
			die("bind");
	}
	return fd;
}

static void send_flow(struct flow *f)
{
	struct sockaddr_in dst = { .sin_family = AF_INET, .sin_addr = f->dst };
	uint8_t payload[MAX_LEN], buf[20 + MAX_LEN];
	unsigned long i;
	double start;
	int fd, k;

	if (!f->dst.s_addr || !f->nports || f->len > MAX_LEN ||
	    (f->kind == SYN && !f->have_src))
		usage();
	fd = flow_socket(f);
	for (k = 0; k < (int)f->len; k++)
		payload[k] = 'a' + k % 26;
	memset(f->sent, 0, sizeof(f->sent));
	memset(f->failed, 0, sizeof(f->failed));
	memset(f->errors, 0, sizeof(f->errors));
	start = now();
	for (i = 0; !stop && (!f->count || i < f->count); i++) {
		unsigned int p = f->ports[i % f->nports];
		ssize_t r;
		size_t n;

		if (f->seconds && now() - start >= f->seconds)
			break;
		if (f->pps) {
			double wait = start + (double)i / f->pps - now();

			if (wait > 0) {
				struct timespec ts = { (time_t)wait,
						       (long)((wait - (time_t)wait) * 1e9) };

				nanosleep(&ts, NULL);
				if (stop)
					break;
			}
		}
		switch (f->kind) {
		case UDP:
			dst.sin_port = htons(p);
			r = sendto(fd, payload, f->len, 0, (struct sockaddr *)&dst,
				   sizeof(dst));
			break;
		case SYN: {
			uint8_t pseudo[12 + 20];
			uint32_t seq = htonl(0x10000 + i);

			memset(buf, 0, 20);
			buf[0] = f->sport >> 8;
			buf[1] = f->sport;
			buf[2] = p >> 8;
			buf[3] = p;
			memcpy(buf + 4, &seq, 4);
			buf[12] = 5 << 4;	/* doff */
			buf[13] = 0x02;		/* SYN */
			buf[14] = 0x04;		/* window 1024 */
			memcpy(pseudo, &f->src, 4);
			memcpy(pseudo + 4, &f->dst, 4);
			pseudo[8] = 0;
			pseudo[9] = IPPROTO_TCP;
			pseudo[10] = 0;
			pseudo[11] = 20;
			memcpy(pseudo + 12, buf, 20);
			*(uint16_t *)(buf + 16) = csum(pseudo, sizeof(pseudo), 0);
			dst.sin_port = 0;
			r = sendto(fd, buf, 20, 0, (struct sockaddr *)&dst, sizeof(dst));
			break;
		}
		default:
			n = 8 + f->len;
			buf[0] = p;		/* type */
			buf[1] = f->sport;	/* code */
			buf[2] = buf[3] = 0;
			buf[4] = 0x42;		/* id */
			buf[5] = 0x42;
			buf[6] = i >> 8;	/* sequence */
			buf[7] = i;
			memcpy(buf + 8, payload, f->len);
			*(uint16_t *)(buf + 2) = csum(buf, n, 0);
			dst.sin_port = 0;
			r = sendto(fd, buf, n, 0, (struct sockaddr *)&dst, sizeof(dst));
			break;
		}
		if (r < 0) {
			if (errno == EINTR && stop)
				break;
			if (errno == EPERM)
				f->failed[i % f->nports]++;
			else
				f->errors[i % f->nports]++;
		} else {
			f->sent[i % f->nports]++;
		}
	}
	close(fd);
}

static void totals(const struct flow *f, unsigned long *sent,
		   unsigned long *failed, unsigned long *errors)
{
	int k;

	*sent = *failed = *errors = 0;
	for (k = 0; k < f->nports; k++) {
		*sent += f->sent[k];
		*failed += f->failed[k];
		*errors += f->errors[k];
	}
}

static int do_send(int argc, char **argv)
{
	struct flow f = { .kind = UDP, .len = 16, .ports = { 9 }, .nports = 1 };
	unsigned long sent, failed, errors;
	int opt, k;

	while ((opt = getopt(argc, argv, "p:s:d:S:D:c:t:r:l:")) != -1) {
		switch (opt) {
		case 'p':
			f.kind = parse_kind(optarg);
			break;
		case 's':
			f.src = parse_addr(optarg);
			f.have_src = 1;
			break;
		case 'd':
			f.dst = parse_addr(optarg);
			break;
		case 'S':
			f.sport = strtoul(optarg, NULL, 0);
			break;
		case 'D':
			f.nports = parse_ports(optarg, f.ports);
			break;
		case 'c':
			f.count = strtoul(optarg, NULL, 0);
			break;
		case 't':
			f.seconds = strtod(optarg, NULL);
			break;
		case 'r':
			f.pps = strtoul(optarg, NULL, 0);
			break;
		case 'l':
			f.len = strtoul(optarg, NULL, 0);
			break;
		default:
			usage();
		}
	}
	catch_signals();
	send_flow(&f);
	for (k = 0; k < f.nports; k++)
		printf("%u sent %lu failed %lu errors %lu\n", f.ports[k],
		       f.sent[k], f.failed[k], f.errors[k]);
	totals(&f, &sent, &failed, &errors);
	printf("total sent %lu failed %lu errors %lu\n", sent, failed, errors);
	return 0;
}

static int do_batch(void)
{
	char line[512], name[64], kind[16], src[64], dst[64], ports[256];
	unsigned long sent, failed, errors;

	catch_signals();
	while (!stop && fgets(line, sizeof(line), stdin)) {
		struct flow f = { 0 };

		if (sscanf(line, "%63s %15s %63s %u %63s %255s %lu %u", name, kind,
			   src, &f.sport, dst, ports, &f.count, &f.len) != 8) {
			fprintf(stderr, "pktflood: bad batch line: %s", line);
			exit(2);
		}
		f.kind = parse_kind(kind);
		if (strcmp(src, "-")) {
			f.src = parse_addr(src);
			f.have_src = 1;
		}
		f.dst = parse_addr(dst);
		f.nports = parse_ports(ports, f.ports);
		send_flow(&f);
		totals(&f, &sent, &failed, &errors);
		printf("%s sent %lu failed %lu errors %lu\n", name, sent, failed,
		       errors);
	}
	return 0;
}

static int do_recv(int argc, char **argv)
{
	struct sockaddr_in addr = { .sin_family = AF_INET };
	unsigned int ports[MAX_PORTS];
	unsigned long got[MAX_PORTS] = { 0 }, total = 0;
	struct pollfd pfd[MAX_PORTS];
	const char *ready = NULL;
	int nports = 0, opt, k, size = 16 << 20;
	char buf[2048];

	while ((opt = getopt(argc, argv, "D:a:R:")) != -1) {
		switch (opt) {
		case 'D':
			nports = parse_ports(optarg, ports);
			break;
		case 'a':
			addr.sin_addr = parse_addr(optarg);
			break;
		case 'R':
			ready = optarg;
			break;
		default:
			usage();
		}
	}
	if (!nports)
		usage();
	catch_signals();
	for (k = 0; k < nports; k++) {
		int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);

		if (fd < 0)
			die("socket");
		if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
			setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		addr.sin_port = htons(ports[k]);
		if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)))
			die("bind");
		pfd[k].fd = fd;
		pfd[k].events = POLLIN;
	}
	if (ready) {
		int fd = open(ready, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0)
			die(ready);
		close(fd);
	}
	for (;;) {
		int last = stop;

		if (!last && poll(pfd, nports, -1) < 0 && errno != EINTR)
			die("poll");
		for (k = 0; k < nports; k++)
			while (recv(pfd[k].fd, buf, sizeof(buf), 0) >= 0)
				got[k]++;
		/* After the signal: one more pass that read what was queued. */
		if (last)
			break;
	}
	for (k = 0; k < nports; k++) {
		printf("%u %lu\n", ports[k], got[k]);
		total += got[k];
	}
	printf("total %lu\n", total);
	return 0;
}

static void lo_up(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr))
		die("SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr))
		die("SIOCSIFFLAGS lo");
	close(fd);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[1], "-n")) {
		enter_netns(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc > 1 && !strcmp(argv[1], "-u")) {
		lo_up();
		argc--;
		argv++;
	}
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "send"))
		return do_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "batch"))
		return do_batch();
	if (!strcmp(argv[1], "recv"))
		return do_recv(argc - 1, argv + 1);
	usage();
	return 2;
}
