// SPDX-License-Identifier: GPL-2.0
/*
 * What NFLOG sends to a netlink log group, for dataplane_nflog.sh: binds
 * one nfnetlink_log group of AF_INET in a network namespace and prints
 * one line per packet message until SIGTERM: the prefix, the packet's
 * length as the message carries it (the copy range or --nflog-size
 * decides), the mark and the hook.
 *
 *   nflog_listen [-n NETNS] -g GROUP [-q QTHRESH -T TIMEOUT] [-R READYFILE]
 *
 * -q and -T set the instance's queue threshold (default 1: a message per
 * packet) and flush timeout (1/100 s); with -q, a line "batch N" follows
 * the N packet messages each receive brought, so that a rule's
 * --nflog-threshold, which lowers the instance's, shows as the size of
 * the batches.
 *
 * Exit status 0, or 2 on a usage or setup error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_log.h>
#include <linux/netlink.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tool_util.h"

/* One NFULNL_MSG_CONFIG with one attribute, acknowledged. */
static void config(int fd, uint16_t group, uint16_t type, const void *data,
		   size_t len)
{
	struct {
		struct nlmsghdr nh;
		struct nfgenmsg g;
		struct nlattr a;
		char data[16];
	} req;
	struct {
		struct nlmsghdr nh;
		struct nlmsgerr err;
	} ack;

	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(req.g) + NLA_HDRLEN +
					NLA_ALIGN(len));
	req.nh.nlmsg_type = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.g.nfgen_family = AF_INET;
	req.g.version = NFNETLINK_V0;
	req.g.res_id = htons(group);
	req.a.nla_len = NLA_HDRLEN + len;
	req.a.nla_type = type;
	memcpy(req.data, data, len);
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0)
		die("send");
	if (recv(fd, &ack, sizeof(ack), 0) < (ssize_t)sizeof(ack) ||
	    ack.nh.nlmsg_type != NLMSG_ERROR || ack.err.error) {
		errno = -ack.err.error;
		die("NFULNL_MSG_CONFIG");
	}
}

/* One line for a NFULNL_MSG_PACKET. */
static void print_packet(const struct nlmsghdr *nh)
{
	const struct nlattr *a;
	const char *prefix = "";
	uint32_t mark = 0, len = 0;
	unsigned int hook = 0;
	size_t off;

	for (off = NLMSG_SPACE(sizeof(struct nfgenmsg)); off + NLA_HDRLEN <=
	     nh->nlmsg_len; off += NLA_ALIGN(a->nla_len)) {
		a = (const struct nlattr *)((const char *)nh + off);
		if (a->nla_len < NLA_HDRLEN || off + a->nla_len > nh->nlmsg_len)
			break;
		switch (a->nla_type & NLA_TYPE_MASK) {
		case NFULA_PREFIX:
			prefix = (const char *)a + NLA_HDRLEN;
			break;
		case NFULA_PAYLOAD:
			len = a->nla_len - NLA_HDRLEN;
			break;
		case NFULA_MARK:
			mark = ntohl(*(const uint32_t *)((const char *)a + NLA_HDRLEN));
			break;
		case NFULA_PACKET_HDR:
			hook = ((const struct nfulnl_msg_packet_hdr *)
				((const char *)a + NLA_HDRLEN))->hook;
			break;
		}
	}
	printf("prefix \"%s\" hook %u len %u mark %#x\n", prefix, hook, len,
	       mark);
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nfulnl_msg_config_cmd cmd = { .command = NFULNL_CFG_CMD_BIND };
	struct nfulnl_msg_config_mode mode = {
		.copy_range = htonl(0xffff), .copy_mode = NFULNL_COPY_PACKET,
	};
	uint32_t qthresh = 1, timeout = 0, be, batch;
	const char *ready = NULL;
	char buf[65536];
	struct nlmsghdr *nh;
	long group = -1;
	ssize_t n;
	int c, fd;

	setvbuf(stdout, NULL, _IOLBF, 0);
	while ((c = getopt(argc, argv, "g:n:q:R:T:")) != -1) {
		switch (c) {
		case 'g': group = strtol(optarg, NULL, 10); break;
		case 'q': qthresh = strtoul(optarg, NULL, 10); break;
		case 'T': timeout = strtoul(optarg, NULL, 10); break;
		case 'n': enter_netns(optarg); break;
		case 'R': ready = optarg; break;
		default: return 2;
		}
	}
	if (group < 0 || group > 65535) {
		fprintf(stderr, "usage: nflog_listen [-n NETNS] -g GROUP [-q QTHRESH -T TIMEOUT] [-R READYFILE]\n");
		return 2;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)))
		die("netlink");
	config(fd, group, NFULA_CFG_CMD, &cmd, sizeof(cmd));
	config(fd, group, NFULA_CFG_MODE, &mode, sizeof(mode));
	/* By default a message per packet, not batches flushed after a second. */
	be = htonl(qthresh);
	config(fd, group, NFULA_CFG_QTHRESH, &be, sizeof(be));
	if (timeout) {
		be = htonl(timeout);
		config(fd, group, NFULA_CFG_TIMEOUT, &be, sizeof(be));
	}
	if (ready && close(open(ready, O_CREAT | O_WRONLY, 0644)))
		die(ready);
	while (!stop) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };

		if (poll(&pfd, 1, 200) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0)
			continue;
		batch = 0;
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n))
			if (nh->nlmsg_type ==
			    ((NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET)) {
				print_packet(nh);
				batch++;
			}
		if (qthresh != 1 && batch)
			printf("batch %u\n", batch);
	}
	return 0;
}
