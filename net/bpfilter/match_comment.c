// SPDX-License-Identifier: GPL-2.0
/*
 * The comment match, revision 0 (xt_comment): text for the reader that
 * every packet matches.  The kernel's module has no checkentry and does
 * not ask the text to be terminated; its bytes are stored and read back
 * as they came.
 */
#include <linux/netfilter/xt_comment.h>

#include "ext.h"

/* comment_mt() is true for every packet: there is nothing to test. */
static void comment_emit(struct codegen *cg, const void *data,
			 unsigned int fail)
{
	(void)cg;
	(void)data;
	(void)fail;
}

const struct bpfilter_ext bpfilter_match_comment = {
	.name = "comment",
	.revision = 0,
	.size = sizeof(struct xt_comment_info),
	.emit = comment_emit,
	.unspec = true,	/* NFPROTO_UNSPEC in 6.1 */
};
