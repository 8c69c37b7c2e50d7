/* SPDX-License-Identifier: GPL-2.0 */
/* The kernel's <linux/string.h>, as far as kern_image.c uses it. */
#include <string.h>
