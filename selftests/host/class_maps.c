// SPDX-License-Identifier: GPL-2.0
/* Classifier maps for the host loaders; class_maps.h says why. */
#include <errno.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "class_maps.h"

/* The value: struct bpfilter_class_value, index and verdict. */
#define CLASS_VALUE_SIZE	8

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

int class_map_create(__u32 type, __u32 key_size, __u32 nr_elems,
		     const void *keys, const void *values)
{
	const unsigned char *k = keys, *v = values;
	union bpf_attr attr;
	int fd, err;
	__u32 i;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = key_size;
	attr.value_size = CLASS_VALUE_SIZE;
	attr.max_entries = nr_elems;
	attr.map_flags = BPF_F_RDONLY_PROG |
			 (type == BPF_MAP_TYPE_LPM_TRIE ? BPF_F_NO_PREALLOC : 0);
	memcpy(attr.map_name, "bpfilter_class", sizeof("bpfilter_class"));
	fd = sys_bpf(BPF_MAP_CREATE, &attr);
	if (fd < 0)
		return -errno;
	for (i = 0; i < nr_elems; i++) {
		memset(&attr, 0, sizeof(attr));
		attr.map_fd = fd;
		attr.key = (__u64)(unsigned long)(k + (size_t)i * key_size);
		attr.value = (__u64)(unsigned long)(v + (size_t)i *
						    CLASS_VALUE_SIZE);
		if (sys_bpf(BPF_MAP_UPDATE_ELEM, &attr)) {
			err = -errno;
			close(fd);
			return err;
		}
	}
	return fd;
}
