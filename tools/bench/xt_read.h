/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The filter table x_tables holds in the calling thread's network
 * namespace, read back as an IPT_SO_SET_REPLACE payload: the benchmark
 * lets iptables-legacy-restore parse the ruleset, so that bpfilter
 * compiles exactly the entries x_tables runs.
 */
#ifndef BENCH_XT_READ_H
#define BENCH_XT_READ_H

#include <linux/netfilter_ipv4/ip_tables.h>

/* Return: a malloc()ed ipt_replace followed by its entries, or NULL (errno). */
struct ipt_replace *xt_read_filter(void);

#endif /* BENCH_XT_READ_H */
