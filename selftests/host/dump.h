/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ipt-dump and core-dump share their front end (dump_main.c), so both
 * build byte-identical requests; each supplies only the transport: the
 * host kernel's x_tables, or bpfilter's core.
 */
#ifndef BPFILTER_DUMP_H
#define BPFILTER_DUMP_H

/* Return: 0 or a negative errno. */
int transport_open(void);

/*
 * An ip_tables getsockopt on @buf of *@len bytes.
 * Return: 0 or a negative errno.
 */
int transport_getsockopt(int optname, void *buf, unsigned int *len);

/*
 * An ip_tables setsockopt of @len bytes at @buf.  A SET_REPLACE's old
 * counters are not wanted.
 * Return: 0 or a negative errno.
 */
int transport_setsockopt(int optname, void *buf, unsigned int len);

void transport_close(void);

/*
 * Prints the tables instantiated so far, one name a line, as
 * /proc/net/ip_tables_names lists them.
 */
void transport_print_tables(void);

#endif /* BPFILTER_DUMP_H */
