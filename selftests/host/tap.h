/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Minimal TAP output for the host tests: one "ok - name" or
 * "not ok - name" line per test, diagnostics as "# " lines.  run.sh
 * numbers the lines of all test programs into one stream.
 */
#ifndef BPFILTER_TAP_H
#define BPFILTER_TAP_H

#include <stdbool.h>
#include <stdio.h>

static bool tap_test_failed;
static unsigned int tap_failures;

#define EXPECT(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("#   %s:%d: expected %s\n", __FILE__,	\
			       __LINE__, #cond);			\
			tap_test_failed = true;				\
		}							\
	} while (0)

#define EXPECT_EQ(a, b)							\
	do {								\
		long long _a = (long long)(a), _b = (long long)(b);	\
		if (_a != _b) {						\
			printf("#   %s:%d: expected %s == %s (%lld != %lld)\n", \
			       __FILE__, __LINE__, #a, #b, _a, _b);	\
			tap_test_failed = true;				\
		}							\
	} while (0)

static inline void tap_run(const char *name, void (*test)(void))
{
	tap_test_failed = false;
	test();
	printf("%s - %s\n", tap_test_failed ? "not ok" : "ok", name);
	fflush(stdout);
	if (tap_test_failed)
		tap_failures++;
}

static inline int tap_exit_code(void)
{
	return tap_failures ? 1 : 0;
}

#endif /* BPFILTER_TAP_H */
