// SPDX-License-Identifier: GPL-2.0
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"

#define LOG_PREFIX "bpfilter_umh: "

/* As printk_ratelimit(): a burst of 10 lines per 5 s interval. */
#define RATELIMIT_INTERVAL_SEC	5
#define RATELIMIT_BURST		10

static struct {
	time_t interval_start;
	unsigned int printed;
	unsigned int suppressed;
} ratelimit;

/*
 * One fprintf per line: stderr is line buffered, so the prefix and the
 * message reach /dev/kmsg in a single write, i.e. as one record.
 */
static void log_line(const char *fmt, va_list ap)
{
	char msg[512];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, LOG_PREFIX "%s\n", msg);
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
