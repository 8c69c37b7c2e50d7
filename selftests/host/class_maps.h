/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A classifier map of a program image (codegen_classify.c), created and
 * filled as bpfilter.ko's loader does it (kern_load.c): read-only for
 * programs, an LPM trie without preallocation.  Raw bpf(2), so that the
 * static test tools need no libbpf.
 */
#ifndef BPFILTER_TEST_CLASS_MAPS_H
#define BPFILTER_TEST_CLASS_MAPS_H

#include <linux/types.h>

/* Return: the map's fd, or -errno. */
int class_map_create(__u32 type, __u32 key_size, __u32 nr_elems,
		     const void *keys, const void *values);

#endif /* BPFILTER_TEST_CLASS_MAPS_H */
