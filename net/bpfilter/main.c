// SPDX-License-Identifier: GPL-2.0
/*
 * bpfilter_umh: the user-mode helper of bpfilter.ko.
 *
 * The module starts it with two pipes and nothing else: requests arrive
 * on stdin, replies leave on stdout, one reply per request, in order
 * (see msgfmt.h).  End of input at a request
 * boundary is the module letting go of us: exit 0.  Anything else that
 * breaks the stream is fatal, since the module cannot resynchronise.
 * SIGPIPE keeps its default action for the same reason: once the module
 * side has closed our stdout, writing a reply ends us.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "core.h"
#include "log.h"
#include "sandbox.h"

/*
 * Only fds 0 and 1 are open at start, so the first file opened becomes
 * fd 2 and receives whatever anyone prints to stderr (log.c, and the C
 * library's own fatal messages).  Make that the kernel log, deliberately,
 * before anything else can open a file.
 */
static void setup_stderr(void)
{
	int fd;

	/* O_APPEND is a no-op on /dev/kmsg, but lets tests bind a file there. */
	fd = open("/dev/kmsg", O_WRONLY | O_APPEND);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY);
	/* Started by hand with fd 2 already open: replace it anyway. */
	if (fd > STDERR_FILENO) {
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
}

/* Return: 1 when @len bytes were read, 0 at end of input before any, else -1. */
static int read_full(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			bpfilter_log("read failed: errno %d", errno);
			return -1;
		}
		if (n == 0) {
			if (done)
				bpfilter_log("end of input inside a message");
			return done ? -1 : 0;
		}
		done += n;
	}

	return 1;
}

static bool write_full(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			bpfilter_log("write failed: errno %d", errno);
			return false;
		}
		p += n;
		len -= n;
	}

	return true;
}

/* Return: 1 after answering a request, 0 at end of input, -1 on error. */
static int serve_one(struct bpfilter_core *core)
{
	struct bpfilter_request req;
	struct bpfilter_reply reply;
	void *payload = NULL, *reply_payload = NULL;
	int ret;

	ret = read_full(STDIN_FILENO, &req, sizeof(req));
	if (ret <= 0)
		return ret;

	/*
	 * Check before trusting payload_len with a read and an allocation:
	 * no payload larger than its command can use is ever allocated.
	 */
	ret = bpfilter_request_check_framing(&req);
	if (ret) {
		bpfilter_log("bad request header (magic %#x, version %u, cmd %u, %u payload bytes): errno %d",
			     req.magic, req.version, req.cmd, req.payload_len,
			     -ret);
		return -1;
	}

	if (req.payload_len) {
		payload = malloc(req.payload_len);
		if (!payload) {
			bpfilter_log("no memory for a %u byte request",
				     req.payload_len);
			return -1;
		}
		if (read_full(STDIN_FILENO, payload, req.payload_len) != 1) {
			free(payload);
			return -1;
		}
	}

	ret = bpfilter_core_handle(core, &req, payload, &reply, &reply_payload);
	free(payload);
	if (ret) {
		bpfilter_log("request %llu not handled: errno %d",
			     (unsigned long long)req.id, -ret);
		return -1;
	}

	ret = write_full(STDOUT_FILENO, &reply, sizeof(reply)) &&
	      write_full(STDOUT_FILENO, reply_payload, reply.payload_len) ? 1 : -1;
	free(reply_payload);

	return ret;
}

int main(void)
{
	struct bpfilter_core *core;
	int ret;

	/* Without both pipes, opening the log would take one's place. */
	if (fcntl(STDIN_FILENO, F_GETFD) < 0 ||
	    fcntl(STDOUT_FILENO, F_GETFD) < 0)
		return EXIT_FAILURE;

	setup_stderr();

	/* Our cwd is the private tmpfs our executable came from: let it go. */
	if (chdir("/")) {
		bpfilter_log("chdir(\"/\") failed: errno %d", errno);
		return EXIT_FAILURE;
	}

	/*
	 * Before the first request: from here on nothing a caller sends is
	 * parsed by a process with any privilege.  Never run unconfined.
	 */
	if (bpfilter_sandbox_enter())
		return EXIT_FAILURE;

	core = bpfilter_core_new();
	if (!core) {
		bpfilter_log("no memory to start");
		return EXIT_FAILURE;
	}

	do {
		ret = serve_one(core);
	} while (ret > 0);

	bpfilter_core_free(core);

	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
