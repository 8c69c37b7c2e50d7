/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Diagnostics of the bpfilter helper.  They go to fd 2, which the helper
 * points at /dev/kmsg, so every line carries a prefix naming us.  Every
 * message is escaped as a whole (bpfilter_log_escape()): callers may
 * pass names that requests carry, whatever bytes they hold.
 */
#ifndef BPFILTER_LOG_H
#define BPFILTER_LOG_H

#include <stddef.h>

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

/**
 * bpfilter_log_escape() - make @in safe to write as one kernel log line
 * @out: where the escaped text goes, NUL-terminated
 * @size: bytes at @out, at least 1
 * @in: NUL-terminated text
 *
 * Bytes outside printable ASCII become \xHH, a backslash becomes \\;
 * the text is cut before an escape that does not fit.
 *
 * Return: the length of the escaped text.
 */
size_t bpfilter_log_escape(char *out, size_t size, const char *in);

#endif /* BPFILTER_LOG_H */
