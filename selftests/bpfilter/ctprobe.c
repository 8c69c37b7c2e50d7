// SPDX-License-Identifier: GPL-2.0
/*
 * Connection traffic for the stateful data-plane selftests
 * (dataplane_stateful.sh): real TCP connections and UDP exchanges whose
 * outcome tells what the firewalls on the way let through, segments
 * conntrack finds invalid, and the exact bytes of a REJECT's reply.
 * Every flow uses fixed addresses and ports, so two runs through two
 * firewalls send the same packets.
 *
 *   ctprobe [-n NETNS] serve -a ADDR -p PORT[,PORT...] [-R READYFILE]
 *       Accepts TCP connections (and keeps them, never sending a FIN)
 *       and echoes UDP on each PORT until SIGTERM; then prints "tcp PORT
 *       accepted N" and "udp PORT echoed N" per port.
 *   ctprobe [-n NETNS] connect -s SRC -S SPORT -d DST -p PORT [-c COUNT]
 *       COUNT TCP connections in turn from SRC:SPORT, SPORT+1, ...: each
 *       is reset by the client as soon as it is established, so that
 *       every connection is exactly SYN, SYN-ACK, ACK, RST (a FIN
 *       exchange's segments depend on timing).  Prints "tcp PORT ok N
 *       refused R timeout T".
 *   ctprobe [-n NETNS] udp -s SRC -S SPORT -d DST -p PORT [-c COUNT]
 *       COUNT datagrams of 32 bytes from SRC:SPORT, each waiting for its
 *       echo or an ICMP error (IP_RECVERR).  Prints "udp PORT ok N
 *       refused R unreachable U timeout T".
 *   ctprobe [-n NETNS] dgram -s SRC -S SPORT -d DST -p PORT [-c COUNT]
 *                 [-l LEN] [-T TTL] [-Q TOS] [-M MARK]
 *       COUNT datagrams of LEN bytes (default 32), broadcast allowed,
 *       with the given TTL, TOS byte and SO_MARK, waiting for nothing.
 *       Prints "dgram PORT sent N failed F".
 *   ctprobe [-n NETNS] raw -s SRC -S SPORT -d DST -p PORT -f FLAGS [-c N]
 *       N TCP segments with FLAGS (letters of FSRPAU), sequence 1000,
 *       from a raw socket.  Prints "raw PORT sent N".
 *   ctprobe [-n NETNS] reply -k udp|syn|ping -s SRC -S SPORT -d DST -p PORT
 *                 [-a FROM]
 *       One datagram, one SYN (sequence 1000, raw) or one echo request
 *       (id 0x4242, sequence 1, raw), then the first ICMP
 *       or TCP packet from FROM (default DST: a router's REJECT answers
 *       from its own address) within 2 s, in hex, with the fields that
 *       differ from run to run zeroed: IP ids and checksums, also of the
 *       quoted header, and the ICMP and TCP checksums.  Prints "none"
 *       when nothing came.
 *
 * Exit status 0, or 2 on a usage or setup error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tool_util.h"
#define MAX_PORTS	16
#define WAIT_MS		2000

static void usage(void)
{
	fprintf(stderr, "usage: see the comment at the top of ctprobe.c\n");
	exit(2);
}

struct opts {
	const char *src, *dst, *addr, *ready, *flags, *kind;
	unsigned int ports[MAX_PORTS], nr_ports;
	unsigned int sport, count;
	int len, ttl, tos, mark;	/* dgram; -1: the default */
};

static struct sockaddr_in sin_of(const char *addr, unsigned int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(port) };

	if (!addr || inet_pton(AF_INET, addr, &sin.sin_addr) != 1)
		usage();
	return sin;
}

static int sock_bound(int type, int proto, const char *src,
		      unsigned int sport)
{
	struct sockaddr_in sin = sin_of(src, sport);
	int one = 1, fd;

	fd = socket(AF_INET, type | SOCK_CLOEXEC, proto);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)))
		die("bind");
	return fd;
}

/* Waits for @fd to be readable; false on timeout. */
static bool wait_in(int fd, int ms)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ms) > 0;
}

static int serve(const struct opts *o)
{
	unsigned long accepted[MAX_PORTS] = { 0 }, echoed[MAX_PORTS] = { 0 };
	struct pollfd pfd[2 * MAX_PORTS];
	int kept[256], nr_kept = 0;
	char buf[2048];
	unsigned int i;
	ssize_t n;
	int c;

	for (i = 0; i < o->nr_ports; i++) {
		pfd[2 * i].fd = sock_bound(SOCK_STREAM, 0, o->addr, o->ports[i]);
		if (listen(pfd[2 * i].fd, 64))
			die("listen");
		pfd[2 * i + 1].fd = sock_bound(SOCK_DGRAM, 0, o->addr,
					       o->ports[i]);
		pfd[2 * i].events = pfd[2 * i + 1].events = POLLIN;
	}
	if (o->ready && close(open(o->ready, O_CREAT | O_WRONLY, 0644)))
		die(o->ready);
	while (!stop) {
		if (poll(pfd, 2 * o->nr_ports, 200) <= 0)
			continue;
		for (i = 0; i < 2 * o->nr_ports; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			if (i % 2) {
				struct sockaddr_in from;
				socklen_t len = sizeof(from);

				n = recvfrom(pfd[i].fd, buf, sizeof(buf), 0,
					     (struct sockaddr *)&from, &len);
				if (n > 0 && sendto(pfd[i].fd, buf, n, 0,
						    (struct sockaddr *)&from,
						    len) == n)
					echoed[i / 2]++;
				continue;
			}
			c = accept4(pfd[i].fd, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			accepted[i / 2]++;
			/* The client resets it; closing it then sends nothing. */
			if (nr_kept < (int)(sizeof(kept) / sizeof(kept[0])))
				kept[nr_kept++] = c;
			else
				close(c);
		}
	}
	while (nr_kept)
		close(kept[--nr_kept]);
	for (i = 0; i < o->nr_ports; i++)
		printf("tcp %u accepted %lu\nudp %u echoed %lu\n", o->ports[i],
		       accepted[i], o->ports[i], echoed[i]);
	return 0;
}

static int tcp_connect(const struct opts *o)
{
	struct sockaddr_in to = sin_of(o->dst, o->ports[0]);
	unsigned long ok = 0, refused = 0, timeout = 0;
	struct linger reset = { .l_onoff = 1, .l_linger = 0 };
	struct pollfd pfd;
	unsigned int i;
	socklen_t len;
	int fd, err;

	for (i = 0; i < o->count; i++) {
		fd = sock_bound(SOCK_STREAM | SOCK_NONBLOCK, 0, o->src,
				o->sport + i);
		if (connect(fd, (struct sockaddr *)&to, sizeof(to)) &&
		    errno != EINPROGRESS)
			die("connect");
		pfd = (struct pollfd){ .fd = fd, .events = POLLOUT };
		err = ETIMEDOUT;
		if (poll(&pfd, 1, WAIT_MS) > 0) {
			len = sizeof(err);
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
		}
		if (!err) {
			ok++;
			setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset,
				   sizeof(reset));
		} else if (err == ECONNREFUSED)
			refused++;
		else
			timeout++;
		close(fd);
	}
	printf("tcp %u ok %lu refused %lu timeout %lu\n", o->ports[0], ok,
	       refused, timeout);
	return 0;
}

static int udp_exchange(const struct opts *o)
{
	struct sockaddr_in to = sin_of(o->dst, o->ports[0]);
	unsigned long ok = 0, refused = 0, unreach = 0, timeout = 0;
	char msg[32] = "ctprobe", back[64], ctl[256];
	struct sock_extended_err *ee;
	struct iovec iov = { back, sizeof(back) };
	struct msghdr mh;
	struct cmsghdr *cm;
	unsigned int i;
	int one = 1, fd;

	fd = sock_bound(SOCK_DGRAM, 0, o->src, o->sport);
	setsockopt(fd, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)))
		die("connect");
	for (i = 0; i < o->count; i++) {
		if (send(fd, msg, sizeof(msg), 0) != sizeof(msg)) {
			int err;
			socklen_t len = sizeof(err);

			/* The last reply's error, reported again: clear it. */
			getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (send(fd, msg, sizeof(msg), 0) != sizeof(msg)) {
				timeout++;
				continue;
			}
		}
		if (!wait_in(fd, WAIT_MS)) {
			struct pollfd pfd = { .fd = fd, .events = 0 };

			/* Errors show as POLLERR, not POLLIN. */
			if (poll(&pfd, 1, 0) <= 0 || !(pfd.revents & POLLERR)) {
				timeout++;
				continue;
			}
		}
		if (recv(fd, back, sizeof(back), MSG_DONTWAIT) == sizeof(msg)) {
			ok++;
			continue;
		}
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		if (recvmsg(fd, &mh, MSG_ERRQUEUE | MSG_DONTWAIT) < 0) {
			timeout++;
			continue;
		}
		for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_level != IPPROTO_IP ||
			    cm->cmsg_type != IP_RECVERR)
				continue;
			ee = (struct sock_extended_err *)CMSG_DATA(cm);
			if (ee->ee_errno == ECONNREFUSED)
				refused++;
			else
				unreach++;
		}
	}
	printf("udp %u ok %lu refused %lu unreachable %lu timeout %lu\n",
	       o->ports[0], ok, refused, unreach, timeout);
	close(fd);
	return 0;
}

static int dgram(const struct opts *o)
{
	struct sockaddr_in to = sin_of(o->dst, o->ports[0]);
	unsigned long sent = 0, failed = 0;
	char msg[1400] = "ctprobe";
	size_t len = o->len >= 0 ? (size_t)o->len : 32;
	unsigned int i;
	int one = 1, fd;

	if (len > sizeof(msg))
		usage();
	fd = sock_bound(SOCK_DGRAM, 0, o->src, o->sport);
	if (setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) ||
	    (o->ttl >= 0 && (setsockopt(fd, IPPROTO_IP, IP_TTL, &o->ttl,
					sizeof(o->ttl)) ||
			     setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL,
					&o->ttl, sizeof(o->ttl)))) ||
	    (o->tos >= 0 && setsockopt(fd, IPPROTO_IP, IP_TOS, &o->tos,
				       sizeof(o->tos))) ||
	    (o->mark >= 0 && setsockopt(fd, SOL_SOCKET, SO_MARK, &o->mark,
					sizeof(o->mark))))
		die("setsockopt");
	for (i = 0; i < o->count; i++) {
		if (sendto(fd, msg, len, 0, (struct sockaddr *)&to,
			   sizeof(to)) == (ssize_t)len)
			sent++;
		else
			failed++;
	}
	printf("dgram %u sent %lu failed %lu\n", o->ports[0], sent, failed);
	close(fd);
	return 0;
}

static uint8_t tcp_flags(const char *s)
{
	static const char letters[] = "FSRPAU";
	uint8_t flags = 0;
	const char *at;

	for (; s && *s; s++) {
		at = strchr(letters, *s);
		if (!at)
			usage();
		flags |= 1U << (at - letters);
	}
	return flags;
}

/* A TCP segment on a raw socket; the kernel adds the IP header. */
static void send_segment(int fd, const struct opts *o, uint8_t flags)
{
	struct sockaddr_in to = sin_of(o->dst, 0);
	struct sockaddr_in from = sin_of(o->src, 0);
	struct {
		uint32_t saddr, daddr;
		uint8_t zero, proto;
		uint16_t len;
		struct tcphdr th;
	} ph = { 0 };
	uint32_t sum = 0;
	uint16_t *w;
	size_t i;

	ph.saddr = from.sin_addr.s_addr;
	ph.daddr = to.sin_addr.s_addr;
	ph.proto = IPPROTO_TCP;
	ph.len = htons(sizeof(ph.th));
	ph.th.source = htons(o->sport);
	ph.th.dest = htons(o->ports[0]);
	ph.th.seq = htonl(1000);
	ph.th.doff = sizeof(ph.th) / 4;
	ph.th.window = htons(1024);
	((uint8_t *)&ph.th)[13] = flags;
	for (w = (uint16_t *)&ph, i = 0; i < sizeof(ph) / 2; i++)
		sum += w[i];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	ph.th.check = ~sum;
	/* EPERM: OUTPUT dropped it (after a REJECT's reply). */
	if (sendto(fd, &ph.th, sizeof(ph.th), 0, (struct sockaddr *)&to,
		   sizeof(to)) != sizeof(ph.th) && errno != EPERM)
		die("sendto");
}

static int raw_segments(const struct opts *o)
{
	uint8_t flags = tcp_flags(o->flags);
	unsigned int i;
	int fd;

	fd = sock_bound(SOCK_RAW, IPPROTO_TCP, o->src, 0);
	for (i = 0; i < o->count; i++)
		send_segment(fd, o, flags);
	printf("raw %u sent %u\n", o->ports[0], o->count);
	close(fd);
	return 0;
}

/* IP id and checksum of the IPv4 header at @ip; its header length. */
static size_t zero_ip(uint8_t *ip, size_t len)
{
	size_t ihl;

	if (len < 20)
		return len;
	ihl = (ip[0] & 0xf) * 4;
	memset(ip + 4, 0, 2);
	memset(ip + 10, 0, 2);
	return ihl < len ? ihl : len;
}

static void print_reply(uint8_t *pkt, size_t len)
{
	size_t ihl = zero_ip(pkt, len), i;
	uint8_t *l4 = pkt + ihl;

	if (len >= ihl + 4 && pkt[9] == IPPROTO_ICMP) {
		memset(l4 + 2, 0, 2);
		/* The quoted header, and a quoted UDP/TCP checksum. */
		if (len >= ihl + 8 + 20) {
			size_t qihl = zero_ip(l4 + 8, len - ihl - 8);
			uint8_t *q4 = l4 + 8 + qihl;

			if (l4[8 + 9] == IPPROTO_UDP && q4 + 8 <= pkt + len)
				memset(q4 + 6, 0, 2);
			if (l4[8 + 9] == IPPROTO_TCP && q4 + 18 <= pkt + len)
				memset(q4 + 16, 0, 2);
		}
	} else if (len >= ihl + 18 && pkt[9] == IPPROTO_TCP) {
		memset(l4 + 16, 0, 2);
	}
	for (i = 0; i < len; i++)
		printf("%02x", pkt[i]);
	printf("\n");
}

static int reply(const struct opts *o)
{
	struct sockaddr_in to = sin_of(o->dst, o->ports[0]);
	struct sockaddr_in want = sin_of(o->addr ? o->addr : o->dst, 0);
	struct pollfd pfd[2];
	uint8_t pkt[2048];
	struct timespec t0, t;
	struct sockaddr_in from;
	socklen_t flen;
	long left;
	ssize_t n;
	int i, fd;

	pfd[0].fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	pfd[1].fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_TCP);
	if (pfd[0].fd < 0 || pfd[1].fd < 0)
		die("socket");
	pfd[0].events = pfd[1].events = POLLIN;

	if (o->kind && !strcmp(o->kind, "udp")) {
		fd = sock_bound(SOCK_DGRAM, 0, o->src, o->sport);
		/* EPERM: OUTPUT dropped it (after a REJECT's reply). */
		if (sendto(fd, "ctprobe", 8, 0, (struct sockaddr *)&to,
			   sizeof(to)) != 8 && errno != EPERM)
			die("sendto");
	} else if (o->kind && !strcmp(o->kind, "syn")) {
		fd = sock_bound(SOCK_RAW, IPPROTO_TCP, o->src, 0);
		send_segment(fd, o, tcp_flags("S"));
	} else if (o->kind && !strcmp(o->kind, "ping")) {
		/* Echo request, id 0x4242, sequence 1, 8 bytes of data. */
		uint8_t echo[16] = { 8, 0, 0, 0, 0x42, 0x42, 0, 1,
				     'c', 't', 'p', 'r', 'o', 'b', 'e', 0 };
		uint32_t sum = 0;
		size_t k;

		for (k = 0; k < sizeof(echo); k += 2)
			sum += (uint32_t)echo[k] << 8 | echo[k + 1];
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		echo[2] = ~sum >> 8;
		echo[3] = ~sum & 0xff;
		if (sendto(pfd[0].fd, echo, sizeof(echo), 0,
			   (struct sockaddr *)&to, sizeof(to)) != sizeof(echo))
			die("sendto");
	} else {
		usage();
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = WAIT_MS - ((t.tv_sec - t0.tv_sec) * 1000 +
				  (t.tv_nsec - t0.tv_nsec) / 1000000);
		if (left <= 0 || poll(pfd, 2, left) <= 0)
			break;
		for (i = 0; i < 2; i++) {
			if (!(pfd[i].revents & POLLIN))
				continue;
			flen = sizeof(from);
			n = recvfrom(pfd[i].fd, pkt, sizeof(pkt), 0,
				     (struct sockaddr *)&from, &flen);
			if (n < 20 || from.sin_addr.s_addr != want.sin_addr.s_addr)
				continue;
			print_reply(pkt, n);
			return 0;
		}
	}
	printf("none\n");
	return 0;
}

static void parse_ports(struct opts *o, char *list)
{
	char *tok, *save;

	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (o->nr_ports == MAX_PORTS)
			usage();
		o->ports[o->nr_ports++] = strtoul(tok, NULL, 10);
	}
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 1, .len = -1, .ttl = -1, .tos = -1,
			  .mark = -1 };
	const char *cmd;
	int c;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc > 2 && !strcmp(argv[1], "-n")) {
		enter_netns(argv[2]);
		argc -= 2;
		argv += 2;
	}
	if (argc < 2)
		usage();
	cmd = argv[1];
	argc--;
	argv++;
	while ((c = getopt(argc, argv, "a:c:d:f:k:l:M:p:Q:R:s:S:T:")) != -1) {
		switch (c) {
		case 'a': o.addr = optarg; break;
		case 'c': o.count = strtoul(optarg, NULL, 10); break;
		case 'd': o.dst = optarg; break;
		case 'f': o.flags = optarg; break;
		case 'k': o.kind = optarg; break;
		case 'l': o.len = strtol(optarg, NULL, 0); break;
		case 'M': o.mark = strtol(optarg, NULL, 0); break;
		case 'Q': o.tos = strtol(optarg, NULL, 0); break;
		case 'T': o.ttl = strtol(optarg, NULL, 0); break;
		case 'p': parse_ports(&o, optarg); break;
		case 'R': o.ready = optarg; break;
		case 's': o.src = optarg; break;
		case 'S': o.sport = strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (!o.nr_ports)
		usage();
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(cmd, "serve"))
		return serve(&o);
	if (!strcmp(cmd, "connect"))
		return tcp_connect(&o);
	if (!strcmp(cmd, "udp"))
		return udp_exchange(&o);
	if (!strcmp(cmd, "dgram"))
		return dgram(&o);
	if (!strcmp(cmd, "raw"))
		return raw_segments(&o);
	if (!strcmp(cmd, "reply"))
		return reply(&o);
	usage();
	return 2;
}
