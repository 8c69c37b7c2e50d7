/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One recorded ip_tables sockopt call, as sockopt_recorder.c appends it to
 * a transcript and replay.c reads it back.  Host byte order; each record
 * is this header followed by in_len input bytes, out_len output bytes and
 * counters_len bytes of old counters.
 */
#ifndef BPFDIFF_TRANSCRIPT_H
#define BPFDIFF_TRANSCRIPT_H

#include <stdint.h>

#define TRANSCRIPT_MAGIC	0x52544442U	/* "BDTR" in memory */

enum transcript_dir {
	TRANSCRIPT_SET = 1,
	TRANSCRIPT_GET = 2,
};

/* x_tables saw this call with the extensions that bpfilter does not
 * support (BPFDIFF_REFUSE) renamed to one it lacks; the record holds the
 * caller's bytes and x_tables' answer.
 */
#define TRANSCRIPT_RENAMED	1U

struct transcript_record {
	uint32_t magic;
	uint16_t dir;		/* enum transcript_dir */
	uint16_t flags;		/* TRANSCRIPT_RENAMED */
	uint32_t optname;
	uint32_t optlen;	/* the caller's optlen before the call */
	int32_t ret;		/* what the call returned */
	int32_t err;		/* errno when ret < 0, else 0 */
	uint32_t optlen_after;	/* gets: optlen after the call */
	uint32_t in_len;	/* optval before: the whole of it */
	uint32_t out_len;	/* gets: the buffer after, optlen bytes */
	uint32_t counters_len;	/* SET_REPLACE that succeeded: old counters */
};

#endif /* BPFDIFF_TRANSCRIPT_H */
