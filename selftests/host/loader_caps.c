// SPDX-License-Identifier: GPL-2.0
/* Effective capabilities as bpfilter.ko's loader has them (loader_caps.h). */
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/capability.h>

#include "loader_caps.h"

int loader_caps(bool loader_only)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	if (loader_only) {
		data[0].effective = 1U << CAP_NET_ADMIN;
		data[1].effective = 1U << (CAP_BPF - 32);
	} else {
		data[0].effective = data[0].permitted;
		data[1].effective = data[1].permitted;
	}
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}
