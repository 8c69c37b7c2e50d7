/* SPDX-License-Identifier: GPL-2.0 */
/* Unit tests of the table-changing requests, run by test_core. */
#ifndef BPFILTER_TEST_REPLACE_H
#define BPFILTER_TEST_REPLACE_H

struct bpfilter_core;

/* Prints TAP lines. Return: how many tests failed. */
unsigned int test_replace_all(struct bpfilter_core *core);

#endif /* BPFILTER_TEST_REPLACE_H */
