// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

#define LOG_PREFIX "bpfilter_umh: "

/* As printk_ratelimit(): a burst of 10 lines per 5 s interval. */
#define RATELIMIT_INTERVAL_SEC	5
#define RATELIMIT_BURST		10

/* The longest message before escaping; longer ones are cut. */
#define LOG_MSG_MAX		512

/*
 * /dev/kmsg refuses (-EINVAL) a write longer than the kernel's
 * LOG_LINE_MAX, 1024 - 32 bytes: stay below it, or the line is lost.
 */
#define LOG_RECORD_MAX		960

static struct {
	time_t interval_start;
	unsigned int printed;
	unsigned int suppressed;
} ratelimit;

/*
 * Messages quote what callers sent (table, chain and extension names),
 * and /dev/kmsg takes a newline inside a record as the start of a new
 * line, which the reader sees as a separate kernel message.  So every
 * byte that is not printable ASCII becomes \xHH (the kernel's %pEhp
 * notation), and a backslash becomes \\, so that every escape in the
 * output is ours.
 */
size_t bpfilter_log_escape(char *out, size_t size, const char *in)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)in;
	size_t len = 0;

	if (!size)
		return 0;
	for (; *p; p++) {
		if (*p == '\\') {
			if (len + 2 >= size)
				break;
			out[len++] = '\\';
			out[len++] = '\\';
		} else if (*p < 0x20 || *p >= 0x7f) {
			if (len + 4 >= size)
				break;
			out[len++] = '\\';
			out[len++] = 'x';
			out[len++] = hex[*p >> 4];
			out[len++] = hex[*p & 0xf];
		} else {
			if (len + 1 >= size)
				break;
			out[len++] = *p;
		}
	}
	out[len] = '\0';
	return len;
}

/*
 * One write(2) per line: /dev/kmsg makes each write one record, so the
 * prefix and the message arrive together.  No stdio: its first use of a
 * stream allocates a buffer and asks fstat(2) for its size, a system
 * call the helper's sandbox does not allow.
 */
static void log_line(const char *fmt, va_list ap)
{
	static const char prefix[] = LOG_PREFIX;
	char msg[LOG_MSG_MAX], record[LOG_RECORD_MAX];
	size_t len = sizeof(prefix) - 1;
	int saved_errno = errno;
	ssize_t n;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	memcpy(record, prefix, len);
	/* Leave room for the newline; the escape's NUL is overwritten. */
	len += bpfilter_log_escape(record + len, sizeof(record) - len - 1, msg);
	record[len++] = '\n';
	do {
		n = write(STDERR_FILENO, record, len);
	} while (n < 0 && errno == EINTR);
	errno = saved_errno;
}

void bpfilter_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
}

static time_t monotonic_seconds(void)
{
	struct timespec now;

	if (clock_gettime(CLOCK_MONOTONIC, &now))
		return 0;
	return now.tv_sec;
}

void bpfilter_log_ratelimited(const char *fmt, ...)
{
	time_t now = monotonic_seconds();
	va_list ap;

	if (now - ratelimit.interval_start >= RATELIMIT_INTERVAL_SEC) {
		if (ratelimit.suppressed)
			bpfilter_log("%u messages suppressed",
				     ratelimit.suppressed);
		ratelimit.interval_start = now;
		ratelimit.printed = 0;
		ratelimit.suppressed = 0;
	}
	if (ratelimit.printed >= RATELIMIT_BURST) {
		ratelimit.suppressed++;
		return;
	}
	ratelimit.printed++;

	va_start(ap, fmt);
	log_line(fmt, ap);
	va_end(ap);
}

int bpfilter_refuse(int err, const char *fmt, ...)
{
	char reason[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	bpfilter_log_ratelimited("%s: %s", reason, strerror(-err));

	return err;
}
