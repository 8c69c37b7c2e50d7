/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diagnostics of the bpfilter helper.  They go to stderr, which the
 * helper points at /dev/kmsg, so every line carries a prefix naming us.
 */
#ifndef BPFILTER_LOG_H
#define BPFILTER_LOG_H

/* For the helper's own conditions (start-up, broken stream): unlimited. */
void bpfilter_log(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * For anything a caller can trigger, including callers in a user
 * namespace: rate-limited so that no caller can flood the kernel log.
 */
void bpfilter_log_ratelimited(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/*
 * A caller's request is refused: logs "<reason>: <strerror>" as
 * bpfilter_log_ratelimited() does, so that every refusal says why.
 * Return: @err, for "return bpfilter_refuse(-EINVAL, ...);".
 */
int bpfilter_refuse(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* BPFILTER_LOG_H */
