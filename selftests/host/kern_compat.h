/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the module's pure files (kern_image.c) take from the kernel's
 * own headers, for building them on the host: force-included with
 * -include.  Only compiler and uapi headers here: no C library header,
 * whose feature macros the files it precedes set themselves.
 * kern_include/ stands in for the kernel headers the host lacks.
 */
#ifndef BPFILTER_TEST_KERN_COMPAT_H
#define BPFILTER_TEST_KERN_COMPAT_H

#include <stdbool.h>
#include <stddef.h>

#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;

#endif /* BPFILTER_TEST_KERN_COMPAT_H */
