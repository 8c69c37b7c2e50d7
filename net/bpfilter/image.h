/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A program image as BPFILTER_CMD_COMPILE's reply carries it to the
 * module (msgfmt.h): struct bpfilter_image_hdr, the classifier maps
 * with their contents, then per program a
 * struct bpfilter_image_prog, its instructions and its relocations,
 * then the LOG targets' parameters.
 */
#ifndef BPFILTER_IMAGE_H
#define BPFILTER_IMAGE_H

#include "codegen.h"

/**
 * bpfilter_image_serialize() - the reply payload of a COMPILE
 * @image: the SCHED_CLS image, or NULL when @err is set
 * @err: 0, or the code generator's negative errno (-E2BIG, ...)
 * @nr_entries: the table's entry count (the counter map's size)
 * @out: set to the malloc()ed payload, the caller's
 * @len: set to its length
 *
 * With @err set, the payload is the header alone, carrying @err.  An
 * image the wire format cannot describe (another flavour, relocations
 * other than map fds and -m owner ids or out of order, more programs,
 * instructions or relocations than the module takes) is a bug of the
 * code generator: it is logged and sent as the header alone with err
 * -EINVAL, so that the table is refused rather than committed
 * unenforced.
 *
 * Return: 0 or -ENOMEM.
 */
int bpfilter_image_serialize(const struct bpfilter_image *image, int err,
			     __u32 nr_entries, void **out, __u32 *len);

#endif /* BPFILTER_IMAGE_H */
