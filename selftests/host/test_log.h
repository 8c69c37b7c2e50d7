/* SPDX-License-Identifier: GPL-2.0 */
/* Unit tests of the helper's log lines, run by test_core. */
#ifndef BPFILTER_TEST_LOG_H
#define BPFILTER_TEST_LOG_H

struct bpfilter_core;

/* Prints TAP lines. Return: how many tests failed. */
unsigned int test_log_all(struct bpfilter_core *core);

#endif /* BPFILTER_TEST_LOG_H */
