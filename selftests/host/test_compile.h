/* SPDX-License-Identifier: GPL-2.0 */
/* Unit tests of BPFILTER_CMD_COMPILE, run by test_core. */
#ifndef BPFILTER_TEST_COMPILE_H
#define BPFILTER_TEST_COMPILE_H

struct bpfilter_core;

/* Prints TAP lines. Return: how many tests failed. */
unsigned int test_compile_all(struct bpfilter_core *core);

#endif /* BPFILTER_TEST_COMPILE_H */
