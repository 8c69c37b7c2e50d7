// SPDX-License-Identifier: GPL-2.0
/* ipt-dump: dump_main.c's requests, answered by the running kernel. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dump.h"

static int sock = -1;

int transport_open(void)
{
	/* What iptables-legacy uses for every ip_tables call. */
	sock = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	return sock < 0 ? -errno : 0;
}

int transport_getsockopt(int optname, void *buf, unsigned int *len)
{
	socklen_t optlen = *len;

	if (getsockopt(sock, SOL_IP, optname, buf, &optlen))
		return -errno;
	*len = optlen;
	return 0;
}

int transport_setsockopt(int optname, void *buf, unsigned int len)
{
	return setsockopt(sock, SOL_IP, optname, buf, len) ? -errno : 0;
}

void transport_close(void)
{
	close(sock);
}

void transport_print_tables(void)
{
	FILE *f = fopen("/proc/net/ip_tables_names", "r");
	char line[64];

	if (!f) {
		printf("/proc/net/ip_tables_names: %s\n", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f))
		fputs(line, stdout);
	fclose(f);
}
