/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A request header filled in as bpfilter.ko fills it, for the tests and
 * tools that drive the helper core directly.  The id is left 0; callers
 * that care set it.
 */
#ifndef BPFILTER_TEST_WIRE_REQUEST_H
#define BPFILTER_TEST_WIRE_REQUEST_H

#include <time.h>

#include "../../include/uapi/linux/bpfilter.h"
#include "../../net/bpfilter/msgfmt.h"

/*
 * This kernel's HZ, as bpfilter.ko puts it in every request: the coarse
 * clocks tick once a jiffy, so their resolution is TICK_NSEC, 1 s / HZ
 * rounded.  0 if it cannot be read (the helper refuses such a request).
 */
static inline __u32 wire_hz(void)
{
	struct timespec res;

	if (clock_getres(CLOCK_MONOTONIC_COARSE, &res) || res.tv_sec ||
	    res.tv_nsec <= 0)
		return 0;
	return (1000000000L + res.tv_nsec / 2) / res.tv_nsec;
}

static inline struct bpfilter_request wire_request(__u16 cmd, __u64 net_cookie,
						   __u32 optname, __u32 optlen,
						   __u32 payload_len)
{
	return (struct bpfilter_request) {
		.magic = BPFILTER_WIRE_MAGIC,
		.version = BPFILTER_WIRE_VERSION,
		.cmd = cmd,
		.net_cookie = net_cookie,
		.optname = optname,
		.optlen = optlen,
		.payload_len = payload_len,
		.hz = wire_hz(),
	};
}

#endif /* BPFILTER_TEST_WIRE_REQUEST_H */
