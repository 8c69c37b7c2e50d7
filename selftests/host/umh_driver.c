// SPDX-License-Identifier: GPL-2.0
/*
 * umh-driver: runs the real helper binary the way bpfilter.ko does
 * (stdin and stdout are pipes, no other fd is open) and checks the
 * request loop of main.c: replies, exit codes, start-up environment.
 *
 * usage: umh-driver HELPER [EXPECTED_FD2_PATH]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/netfilter_ipv4/ip_tables.h>

#include "../../include/uapi/linux/bpfilter.h"
#include "../../net/bpfilter/msgfmt.h"
#include "image_parse.h"
#include "proc_status.h"
#include "tap.h"
#include "wire_request.h"

static const char *helper_path;
static const char *expected_fd2;

struct helper {
	pid_t pid;
	int to;		/* its stdin */
	int from;	/* its stdout */
};

static void helper_start(struct helper *h)
{
	int in[2], out[2];

	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		perror("pipe2");
		exit(1);
	}
	h->pid = fork();
	if (h->pid < 0) {
		perror("fork");
		exit(1);
	}
	if (!h->pid) {
		/* Our SIG_IGN would survive exec; the module's helper has SIG_DFL. */
		signal(SIGPIPE, SIG_DFL);
		dup2(in[0], STDIN_FILENO);
		dup2(out[1], STDOUT_FILENO);
		close_range(STDERR_FILENO, UINT_MAX, 0);
		execl(helper_path, "bpfilter_umh", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	h->to = in[1];
	h->from = out[0];
}

/* Return: the helper's wait status, after closing its stdin if open. */
static int helper_wait(struct helper *h)
{
	int status;

	if (h->to >= 0)
		close(h->to);
	close(h->from);
	if (waitpid(h->pid, &status, 0) != h->pid)
		return -1;
	return status;
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len) {
		n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= n;
	}
	return 0;
}

/* Return: bytes read, fewer than @len only at end of file; -1 on error. */
static ssize_t read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = read(fd, p + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (!n)
			break;
		done += n;
	}
	return done;
}

static struct bpfilter_request request(__u16 cmd, __u32 optname,
				       __u32 optlen, __u32 payload_len)
{
	static __u64 next_id = 1;

	return (struct bpfilter_request) {
		.magic = BPFILTER_WIRE_MAGIC,
		.version = BPFILTER_WIRE_VERSION,
		.cmd = cmd,
		.id = next_id++,
		.net_cookie = 42,
		.optname = optname,
		.optlen = optlen,
		.payload_len = payload_len,
		.hz = wire_hz(),
	};
}

/*
 * Sends one request, reads its reply and checks the header's framing.
 * Return: the reply payload (malloc()ed, may be NULL), in *reply.
 */
static void *roundtrip(struct helper *h, const struct bpfilter_request *req,
		       const void *payload, struct bpfilter_reply *reply)
{
	void *out = NULL;

	memset(reply, 0, sizeof(*reply));
	EXPECT(!write_all(h->to, req, sizeof(*req)));
	EXPECT(!write_all(h->to, payload, req->payload_len));
	EXPECT_EQ(read_all(h->from, reply, sizeof(*reply)), sizeof(*reply));
	EXPECT_EQ(reply->magic, BPFILTER_WIRE_MAGIC);
	EXPECT_EQ(reply->version, BPFILTER_WIRE_VERSION);
	EXPECT_EQ(reply->id, req->id);
	if (reply->payload_len && reply->payload_len <= BPFILTER_IMAGE_BYTES_MAX) {
		out = malloc(reply->payload_len);
		EXPECT_EQ(read_all(h->from, out, reply->payload_len),
			  reply->payload_len);
	}
	return out;
}

static struct helper session;

static void test_ping(void)
{
	struct bpfilter_request req = request(BPFILTER_CMD_PING, 0, 0, 0);
	struct bpfilter_reply reply;

	helper_start(&session);
	free(roundtrip(&session, &req, NULL, &reply));
	EXPECT_EQ(reply.status, 0);
	EXPECT_EQ(reply.payload_len, 0);
	EXPECT_EQ(reply.tables, 0);
}

static void expect_link(pid_t pid, const char *what, const char *want,
			const char *or_want)
{
	char path[64], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/%s", pid, what);
	n = readlink(path, target, sizeof(target) - 1);
	EXPECT(n > 0);
	if (n <= 0)
		return;
	target[n] = '\0';
	printf("# %s -> %s\n", what, target);
	EXPECT(!strcmp(target, want) || (or_want && !strcmp(target, or_want)));
}

/* Checked once PING was answered, i.e. after the helper's start-up. */
static void test_environment(void)
{
	char path[64];
	int fd;

	expect_link(session.pid, "cwd", "/", NULL);
	if (expected_fd2)
		expect_link(session.pid, "fd/2", expected_fd2, NULL);
	else
		expect_link(session.pid, "fd/2", "/dev/kmsg", "/dev/null");
	/* Nothing but the pipes and the log. */
	for (fd = 3; fd < 16; fd++) {
		snprintf(path, sizeof(path), "/proc/%d/fd/%d", session.pid, fd);
		EXPECT(access(path, F_OK) != 0);
	}
}

/* main() confines the helper before it reads its first request. */
static void test_confined(void)
{
	EXPECT_EQ(proc_status_check_confined(session.pid), 0);
}

static void test_get_info(void)
{
	struct bpfilter_request req =
		request(BPFILTER_CMD_GETSOCKOPT, BPFILTER_IPT_SO_GET_INFO,
			sizeof(struct ipt_getinfo), sizeof(struct ipt_getinfo));
	struct ipt_getinfo in = { .name = "filter" }, *info;
	struct bpfilter_reply reply;

	info = roundtrip(&session, &req, &in, &reply);
	EXPECT_EQ(reply.status, 0);
	EXPECT_EQ(reply.tables, 1U << BPFILTER_TABLE_FILTER);
	EXPECT_EQ(reply.payload_len, sizeof(*info));
	if (info && reply.payload_len == sizeof(*info)) {
		EXPECT_EQ(info->num_entries, 4);
		EXPECT_EQ(info->size, 632);
	}
	free(info);
}

static void test_get_entries(void)
{
	struct bpfilter_request req =
		request(BPFILTER_CMD_GETSOCKOPT, BPFILTER_IPT_SO_GET_ENTRIES,
			sizeof(struct ipt_get_entries) + 632,
			BPFILTER_GET_INPUT_MAX);
	unsigned char buf[BPFILTER_GET_INPUT_MAX] = { 0 };
	struct ipt_get_entries in = { .name = "filter", .size = 632 };
	struct bpfilter_reply reply;
	void *out;

	memcpy(buf, &in, sizeof(in));
	out = roundtrip(&session, &req, buf, &reply);
	EXPECT_EQ(reply.status, 0);
	EXPECT_EQ(reply.payload_len, sizeof(in) + 632);
	free(out);
}

/* More than a pipe buffer, so the helper's reads come back short. */
static void test_big_set(void)
{
	const __u32 len = 1U << 20;
	struct bpfilter_request req =
		request(BPFILTER_CMD_SETSOCKOPT, BPFILTER_IPT_SO_SET_REPLACE,
			len, len);
	struct bpfilter_reply reply;
	void *payload = calloc(1, len);

	free(roundtrip(&session, &req, payload, &reply));
	/* All zeroes: do_replace() refuses num_counters 0. */
	EXPECT_EQ(reply.status, -EINVAL);
	EXPECT_EQ(reply.payload_len, 0);
	free(payload);
}

/* The initial table's SCHED_CLS programs. */
static void test_compile(void)
{
	struct bpfilter_request req = request(BPFILTER_CMD_COMPILE, 0, 0, 0);
	struct bpfilter_reply reply;
	struct parsed_image img;
	void *out;

	out = roundtrip(&session, &req, NULL, &reply);
	EXPECT_EQ(reply.status, 0);
	EXPECT(out && !image_parse(out, reply.payload_len, &img));
	EXPECT_EQ(img.hdr.err, 0);
	EXPECT_EQ(img.hdr.nr_progs, 3);
	free(out);
}

#define STD_ENTRY	(sizeof(struct ipt_entry) + \
			 XT_ALIGN(sizeof(struct xt_standard_target)))
#define ERROR_ENTRY	(sizeof(struct ipt_entry) + \
			 XT_ALIGN(sizeof(struct xt_error_target)))

static void *add_entry(unsigned char **at, size_t size, int verdict)
{
	struct ipt_entry *e = (void *)*at;
	struct xt_standard_target *t = (void *)e->elems;

	e->target_offset = sizeof(*e);
	e->next_offset = size;
	t->target.u.target_size = size - sizeof(*e);
	t->verdict = verdict;
	*at += size;
	return e;
}

/*
 * A filter table whose INPUT has @n rules "-s 203.0.113.x -j DROP", as
 * a SET_REPLACE payload of *@len bytes.
 */
static struct ipt_replace *flat_table(unsigned int n, __u32 *len)
{
	const size_t size = (n + 3) * STD_ENTRY + ERROR_ENTRY;
	struct xt_error_target *et;
	struct ipt_replace *repl;
	struct ipt_entry *e;
	unsigned char *at;
	unsigned int i, h;

	*len = sizeof(*repl) + size;
	repl = calloc(1, *len);
	if (!repl)
		exit(1);
	strcpy(repl->name, "filter");
	repl->valid_hooks = (1U << NF_INET_LOCAL_IN) | (1U << NF_INET_FORWARD) |
			    (1U << NF_INET_LOCAL_OUT);
	repl->num_entries = n + 4;
	repl->size = size;
	repl->num_counters = 4;
	at = (unsigned char *)repl->entries;
	for (i = 0; i < n; i++) {
		e = add_entry(&at, STD_ENTRY, -NF_DROP - 1);
		e->ip.src.s_addr = htonl(0xcb007100 | (i & 0xff));
		e->ip.smsk.s_addr = 0xffffffff;
	}
	for (h = NF_INET_LOCAL_IN; h <= NF_INET_LOCAL_OUT; h++) {
		repl->underflow[h] = at - (unsigned char *)repl->entries;
		add_entry(&at, STD_ENTRY, -NF_ACCEPT - 1);
		repl->hook_entry[h] = h == NF_INET_LOCAL_IN ? 0 : repl->underflow[h];
	}
	e = add_entry(&at, ERROR_ENTRY, 0);
	et = (void *)e->elems;
	strcpy(et->target.u.user.name, XT_ERROR_TARGET);
	strcpy(et->errorname, "ERROR");
	return repl;
}

/*
 * 120,000 rules that the classifier cannot turn into one lookup:
 * megabytes of instructions, grown by realloc() of blocks
 * malloc has mmap()ed (mremap(), which the filter once killed the helper
 * for), and a reply of megabytes written to the pipe: all within the
 * seccomp filter.
 */
static void test_compile_big(void)
{
	struct bpfilter_reply reply;
	struct bpfilter_request req;
	struct parsed_image img;
	struct ipt_replace *repl;
	struct ipt_entry *e;
	unsigned int i;
	void *out;
	__u32 len;

	repl = flat_table(120000, &len);
	/* "! -s": the classifier leaves them as straight-line code. */
	for (e = (void *)repl->entries, i = 0; i < 120000; i++,
	     e = (void *)((unsigned char *)e + e->next_offset))
		e->ip.invflags = IPT_INV_SRCIP;
	req = request(BPFILTER_CMD_COMPILE, 0, len, len);
	out = roundtrip(&session, &req, repl, &reply);
	EXPECT_EQ(reply.status, 0);
	EXPECT(reply.payload_len > (4U << 20));
	EXPECT(out && !image_parse(out, reply.payload_len, &img));
	EXPECT_EQ(img.hdr.err, 0);
	EXPECT_EQ(img.hdr.nr_entries, 120004);
	printf("# %u bytes of image, INPUT %u instructions\n",
	       reply.payload_len, img.progs[0].nr_insns);
	free(out);
	free(repl);
}

static void test_clean_exit(void)
{
	int status = helper_wait(&session);

	EXPECT(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 0);
}

/* Feeds @len bytes of @bytes, closes stdin; the helper must fail. */
static void expect_failure(const void *bytes, size_t len)
{
	struct helper h;
	char c;
	int status;

	helper_start(&h);
	write_all(h.to, bytes, len);
	close(h.to);
	h.to = -1;
	/* No reply: the stream is not answered once it is broken. */
	EXPECT_EQ(read(h.from, &c, 1), 0);
	status = helper_wait(&h);
	EXPECT(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 1);
}

static void test_bad_magic(void)
{
	struct bpfilter_request req = request(BPFILTER_CMD_PING, 0, 0, 0);

	req.magic = 0x12345678;
	expect_failure(&req, sizeof(req));
}

static void test_truncated_header(void)
{
	struct bpfilter_request req = request(BPFILTER_CMD_PING, 0, 0, 0);

	expect_failure(&req, sizeof(req) - 1);
}

static void test_truncated_payload(void)
{
	struct bpfilter_request req =
		request(BPFILTER_CMD_SETSOCKOPT, BPFILTER_IPT_SO_SET_REPLACE,
			100, 100);
	unsigned char buf[sizeof(req) + 50] = { 0 };

	memcpy(buf, &req, sizeof(req));
	expect_failure(buf, sizeof(buf));
}

/*
 * Refused on the header alone: with stdin still open, the helper exits
 * rather than allocate the payload and wait for its bytes.
 */
static void test_oversized_payload(void)
{
	const __u32 len = sizeof(struct ipt_replace) +
			  BPFILTER_NETNS_TABLE_BYTES_MAX + 1;
	struct bpfilter_request req =
		request(BPFILTER_CMD_SETSOCKOPT, BPFILTER_IPT_SO_SET_REPLACE,
			len, len);
	struct pollfd pfd;
	struct helper h;
	int status;

	helper_start(&h);
	write_all(h.to, &req, sizeof(req));
	pfd = (struct pollfd){ .fd = h.from, .events = POLLIN };
	/* Its stdout reaches end of file when it exits. */
	EXPECT_EQ(poll(&pfd, 1, 5000), 1);
	status = helper_wait(&h);
	EXPECT(WIFEXITED(status));
	EXPECT_EQ(WEXITSTATUS(status), 1);
}

/* The module side went away: writing the reply must end the helper. */
static void test_dead_reader(void)
{
	struct bpfilter_request req = request(BPFILTER_CMD_PING, 0, 0, 0);
	struct helper h;
	int status;

	helper_start(&h);
	close(h.from);
	h.from = open("/dev/null", O_RDONLY);
	write_all(h.to, &req, sizeof(req));
	status = helper_wait(&h);
	EXPECT(WIFSIGNALED(status));
	if (WIFSIGNALED(status))
		EXPECT_EQ(WTERMSIG(status), SIGPIPE);
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s HELPER [EXPECTED_FD2_PATH]\n", argv[0]);
		return 2;
	}
	helper_path = argv[1];
	expected_fd2 = argv[2];
	/* A helper that exits early must not kill us with SIGPIPE. */
	signal(SIGPIPE, SIG_IGN);

	tap_run("helper: PING answered over the pipes", test_ping);
	tap_run("helper: runs in /, fd 2 is the log, no other fds",
		test_environment);
	tap_run("helper: confined (uid 4294967294, no capabilities, no_new_privs, seccomp filter)",
		test_confined);
	tap_run("helper: GET_INFO filter", test_get_info);
	tap_run("helper: GET_ENTRIES filter", test_get_entries);
	tap_run("helper: 1 MiB SET_REPLACE read in full, -EINVAL",
		test_big_set);
	tap_run("helper: COMPILE of the initial table, 3 programs",
		test_compile);
	tap_run("helper: COMPILE of 120,000 rules, realloc()ed by mremap, a 4 MB reply, within the sandbox",
		test_compile_big);
	tap_run("helper: end of input at a request boundary exits 0",
		test_clean_exit);
	tap_run("helper: bad magic exits 1 without a reply", test_bad_magic);
	tap_run("helper: truncated header exits 1", test_truncated_header);
	tap_run("helper: truncated payload exits 1", test_truncated_payload);
	tap_run("helper: SET_REPLACE above the netns cap + header exits 1 unread",
		test_oversized_payload);
	tap_run("helper: a closed reply pipe ends it (SIGPIPE)",
		test_dead_reader);

	return tap_exit_code();
}
