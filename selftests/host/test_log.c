// SPDX-License-Identifier: GPL-2.0
/*
 * The helper's log lines (log.c): whatever bytes a request's names hold,
 * each message is exactly one line of /dev/kmsg, with the bytes escaped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "core.h"
#include "log.h"
#include "tap.h"
#include "test_log.h"
#include "wire_request.h"

#define FORGED "x\n<0>bpfilter: forged line\\"

static int saved_stderr = -1;
static FILE *captured;

/* Points fd 2, where log.c writes, at a fresh temporary file. */
static void capture_start(void)
{
	fflush(stderr);
	captured = tmpfile();
	saved_stderr = dup(STDERR_FILENO);
	if (!captured || saved_stderr < 0 ||
	    dup2(fileno(captured), STDERR_FILENO) < 0) {
		printf("Bail out! cannot capture stderr\n");
		exit(1);
	}
}

/* Return: what was written to fd 2 since capture_start(), malloc()ed. */
static char *capture_end(size_t *len)
{
	long size;
	char *text;

	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	size = lseek(fileno(captured), 0, SEEK_END);
	text = calloc(1, size + 1);
	if (!text || pread(fileno(captured), text, size, 0) != size) {
		printf("Bail out! cannot read the captured stderr\n");
		exit(1);
	}
	fclose(captured);
	*len = size;
	return text;
}

static unsigned int count_char(const char *s, size_t len, char c)
{
	unsigned int n = 0;

	while (len--)
		n += *s++ == c;
	return n;
}

static void test_escape(void)
{
	char out[64];

	EXPECT_EQ(bpfilter_log_escape(out, sizeof(out), "a\nb\\c\x01\x7f\xff"),
		  strlen("a\\x0ab\\\\c\\x01\\x7f\\xff"));
	EXPECT(!strcmp(out, "a\\x0ab\\\\c\\x01\\x7f\\xff"));
	/* Cut before an escape that does not fit, never inside one. */
	EXPECT_EQ(bpfilter_log_escape(out, 6, "ab\ncd"), 2);
	EXPECT(!strcmp(out, "ab"));
	EXPECT_EQ(bpfilter_log_escape(out, 7, "ab\ncd"), 6);
	EXPECT(!strcmp(out, "ab\\x0a"));
}

static void test_forged_line(void)
{
	size_t len;
	char *text;

	capture_start();
	bpfilter_log("table \"%s\"", FORGED);
	text = capture_end(&len);
	printf("# logged: %s", text);
	EXPECT(!strcmp(text, "bpfilter_umh: table \"x\\x0a<0>bpfilter: forged line\\\\\"\n"));
	free(text);
}

/* A name as a request carries it, logged by a refusal in the core. */
static void test_forged_name(struct bpfilter_core *core)
{
	struct {
		struct xt_counters_info info;
		struct xt_counters counters[1];
	} add = { .info = { .name = FORGED, .num_counters = 1 } };
	struct bpfilter_request req =
		wire_request(BPFILTER_CMD_SETSOCKOPT, 7,
			     BPFILTER_IPT_SO_SET_ADD_COUNTERS, sizeof(add),
			     sizeof(add));
	struct bpfilter_reply reply;
	void *out;
	size_t len;
	char *text;

	capture_start();
	EXPECT_EQ(bpfilter_core_handle(core, &req, &add, &reply, &out), 0);
	text = capture_end(&len);
	free(out);
	printf("# logged: %s", text);
	EXPECT_EQ(reply.status, -ENOENT);
	EXPECT_EQ(count_char(text, len, '\n'), 1);
	EXPECT(len && text[len - 1] == '\n');
	EXPECT(strstr(text, "\"x\\x0a<0>bpfilter: forged line\\\\\""));
	free(text);
}

/* Longer than a /dev/kmsg record may be: cut, still one whole line. */
static void test_long_message(void)
{
	char name[600];
	size_t len;
	char *text;

	memset(name, '\n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	capture_start();
	bpfilter_log("%s", name);
	text = capture_end(&len);
	EXPECT(len < 992);
	EXPECT_EQ(count_char(text, len, '\n'), 1);
	EXPECT(len && text[len - 1] == '\n');
	EXPECT(len >= 5 && !strncmp(text + len - 5, "\\x0a\n", 5));
	free(text);
}

static struct bpfilter_core *log_core;

static void test_forged_name_run(void)
{
	test_forged_name(log_core);
}

unsigned int test_log_all(struct bpfilter_core *core)
{
	log_core = core;
	tap_run("log: non-printable bytes and backslash are escaped as \\xHH, \\\\",
		test_escape);
	tap_run("log: a newline in a logged string cannot start a new line",
		test_forged_line);
	tap_run("log: a table name with a newline, refused by the core, logs one line",
		test_forged_name_run);
	tap_run("log: an over-long message is cut to one /dev/kmsg record",
		test_long_message);
	return tap_failures;
}
