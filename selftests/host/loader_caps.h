/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The credentials bpfilter.ko loads programs with on 6.1: CAP_BPF and
 * CAP_NET_ADMIN and nothing else (no CAP_PERFMON, so the verifier keeps
 * its Spectre hardening).  Host tools load the same code under them.
 */
#ifndef BPFILTER_LOADER_CAPS_H
#define BPFILTER_LOADER_CAPS_H

#include <stdbool.h>

/*
 * @loader_only: make only CAP_BPF and CAP_NET_ADMIN effective; else
 * every permitted capability again.
 * Return: 0 or a negative errno.
 */
int loader_caps(bool loader_only);

#endif /* BPFILTER_LOADER_CAPS_H */
