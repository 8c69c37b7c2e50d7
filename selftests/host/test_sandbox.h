/* SPDX-License-Identifier: GPL-2.0 */
/* Unit tests of the helper's sandbox, run by test_core. */
#ifndef BPFILTER_TEST_SANDBOX_H
#define BPFILTER_TEST_SANDBOX_H

/* Prints TAP lines (skipped without root). Return: how many failed. */
unsigned int test_sandbox_all(void);

#endif /* BPFILTER_TEST_SANDBOX_H */
