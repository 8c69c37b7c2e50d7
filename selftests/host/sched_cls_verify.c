// SPDX-License-Identifier: GPL-2.0
/*
 * sched-cls-verify: the SCHED_CLS flavour through a kernel's verifier,
 * with its log, anywhere (in particular inside the 6.1 VM, where there
 * is no libbpf and no x_tables to read the table from).
 *
 *   sched-cls-verify record FILE
 *	writes the current namespace's x_tables filter table as a
 *	SET_REPLACE payload to FILE (run on the host after
 *	iptables-legacy-restore in a fresh namespace)
 *   sched-cls-verify [-aP] [-l LEVEL] [-o DIR] FILE...
 *	compiles each recorded table through BPFILTER_CMD_COMPILE (as a
 *	candidate, as the module does), creates the two maps and loads
 *	every program as BPF_PROG_TYPE_SCHED_CLS with only CAP_BPF and
 *	CAP_NET_ADMIN effective: bpfilter.ko's loader credentials.  A
 *	refused program is loaded again with log level LEVEL (default 1)
 *	and the end of the verifier's log printed; with -o, the whole log
 *	goes to DIR/NAME.HOOK.log; with -a as well, every program's
 *	log goes there.  -P keeps every capability (CAP_PERFMON included:
 *	no speculative paths), to compare.
 *
 * Static, no libbpf: the guest runs it from the host's file system.
 * Prints TAP lines; needs CAP_BPF and CAP_NET_ADMIN permitted (root).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/capability.h>
#include <netinet/in.h>

#include "core.h"
#include "class_maps.h"
#include "image_parse.h"
#include "loader_caps.h"
#include "wire_request.h"

#define NET_COOKIE	1
#define STATS_LOG_SIZE	4096
/* Room for a level-2 log of the corpus: 6.1 fails a load whose log fills. */
#define FULL_LOG_SIZE	(256U << 20)

static int failures;
static bool keep_caps;	/* -P: load with every capability the caller has */

static int sys_bpf(int cmd, union bpf_attr *attr)
{
	return syscall(SYS_bpf, cmd, attr, sizeof(*attr));
}

/* The namespace's filter table as a SET_REPLACE payload. */
static int record(const char *path)
{
	struct ipt_getinfo info = { .name = "filter" };
	socklen_t optlen = sizeof(info);
	struct ipt_get_entries *ge;
	struct ipt_replace *repl;
	size_t len;
	FILE *f;
	int fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);

	if (fd < 0 || getsockopt(fd, SOL_IP, IPT_SO_GET_INFO, &info, &optlen)) {
		perror("IPT_SO_GET_INFO");
		return 1;
	}
	optlen = sizeof(*ge) + info.size;
	ge = calloc(1, optlen);
	len = sizeof(*repl) + info.size;
	repl = calloc(1, len);
	if (!ge || !repl)
		return 1;
	strcpy(ge->name, "filter");
	ge->size = info.size;
	if (getsockopt(fd, SOL_IP, IPT_SO_GET_ENTRIES, ge, &optlen)) {
		perror("IPT_SO_GET_ENTRIES");
		return 1;
	}
	strcpy(repl->name, "filter");
	repl->valid_hooks = info.valid_hooks;
	repl->num_entries = info.num_entries;
	repl->size = info.size;
	memcpy(repl->hook_entry, info.hook_entry, sizeof(repl->hook_entry));
	memcpy(repl->underflow, info.underflow, sizeof(repl->underflow));
	repl->num_counters = 4;		/* the core's initial table */
	memcpy(repl->entries, ge->entrytable, info.size);
	f = fopen(path, "w");
	if (!f || fwrite(repl, len, 1, f) != 1 || fclose(f)) {
		perror(path);
		return 1;
	}
	free(ge);
	free(repl);
	close(fd);
	return 0;
}

static void *read_file(const char *path, size_t *len)
{
	struct stat st;
	void *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st))
		return NULL;
	buf = malloc(st.st_size ? st.st_size : 1);
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = st.st_size;
	return buf;
}

static int map_create(__u32 type, __u32 value_size, __u32 max_entries)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.map_type = type;
	attr.key_size = sizeof(__u32);
	attr.value_size = value_size;
	attr.max_entries = max_entries;
	return sys_bpf(BPF_MAP_CREATE, &attr);
}

static int prog_load(const struct bpf_insn *insns, __u32 nr, __u32 level,
		     char *log, __u32 log_size)
{
	union bpf_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.prog_type = BPF_PROG_TYPE_SCHED_CLS;
	attr.insns = (unsigned long)insns;
	attr.insn_cnt = nr;
	attr.license = (unsigned long)"GPL";
	attr.log_level = level;
	attr.log_buf = (unsigned long)log;
	attr.log_size = log_size;
	strcpy(attr.prog_name, "bpfilter");
	return sys_bpf(BPF_PROG_LOAD, &attr);
}

static void print_tail(const char *log, int lines)
{
	const char *p = log + strlen(log);

	while (p > log && lines > 0)
		if (*--p == '\n')
			lines--;
	while (*p) {
		const char *nl = strchrnul(p, '\n');

		printf("#   %.*s\n", (int)(nl - p), p);
		p = *nl ? nl + 1 : nl;
	}
}

static void save_log(const char *dir, const char *name, __u32 hook,
		     const char *log)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.%u.log", dir, name, hook);
	f = fopen(path, "w");
	if (!f || fputs(log, f) < 0 || fclose(f))
		printf("#   cannot write %s\n", path);
	else
		printf("#   whole log: %s\n", path);
}

static void verify(const char *path, __u32 level, const char *dir,
		   bool always)
{
	const char *name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct bpfilter_request req;
	struct bpfilter_reply reply;
	struct bpfilter_core *core;
	struct parsed_image img;
	void *blob, *payload = NULL;
	struct bpf_insn *insns;
	char stats[STATS_LOG_SIZE];
	static int map_fds[BPFILTER_IMAGE_MAPS + BPFILTER_IMAGE_CLASS_MAPS_MAX];
	int counters, meta, fd;
	const char *why;
	size_t len;
	__u32 i;
	char *log;

	blob = read_file(path, &len);
	core = bpfilter_core_new();
	if (!blob || !core)
		exit(1);
	req = wire_request(BPFILTER_CMD_COMPILE, NET_COOKIE, 0, len, len);
	if (bpfilter_core_handle(core, &req, blob, &reply, &payload))
		reply.status = -EPROTO;
	if (reply.status) {
		printf("not ok - %s: COMPILE: %s\n", name,
		       strerror(-(int)reply.status));
		failures++;
		goto out;
	}
	why = image_parse(payload, reply.payload_len, &img);
	if (!why && img.hdr.err)
		why = strerror(-img.hdr.err);
	if (why) {
		printf("not ok - %s: COMPILE reply: %s\n", name, why);
		failures++;
		goto out;
	}
	counters = map_create(BPF_MAP_TYPE_PERCPU_ARRAY,
			      sizeof(struct xt_counters), img.hdr.nr_entries);
	meta = map_create(BPF_MAP_TYPE_PERCPU_ARRAY,
			  sizeof(struct bpfilter_meta), 1);
	map_fds[BPFILTER_IMAGE_MAP_COUNTERS] = counters;
	map_fds[BPFILTER_IMAGE_MAP_META] = meta;
	map_fds[BPFILTER_IMAGE_MAP_STATE] = !img.hdr.nr_states ? -1 :
		map_create(BPF_MAP_TYPE_ARRAY,
			   sizeof(struct bpfilter_limit_state),
			   img.hdr.nr_states);
	if (counters < 0 || meta < 0 ||
	    (img.hdr.nr_states && map_fds[BPFILTER_IMAGE_MAP_STATE] < 0)) {
		printf("not ok - %s: BPF_MAP_CREATE: %s\n", name, strerror(errno));
		exit(1);
	}
	for (i = 0; i < img.hdr.nr_class_maps; i++) {
		const struct parsed_class_map *m = &img.class_maps[i];

		fd = class_map_create(m->head.type, m->head.key_size,
				      m->head.nr_elems, m->keys, m->values);
		if (fd < 0) {
			printf("not ok - %s: classifier map: %s\n", name,
			       strerror(-fd));
			exit(1);
		}
		map_fds[BPFILTER_IMAGE_MAPS + i] = fd;
	}
	for (i = 0; i < img.hdr.nr_progs; i++) {
		const struct parsed_prog *pp = &img.progs[i];

		insns = malloc(pp->nr_insns * sizeof(*insns));
		if (!insns)
			exit(1);
		memcpy(insns, pp->insns, pp->nr_insns * sizeof(*insns));
		image_relocate(&img, pp, insns, map_fds);
		if (loader_caps(!keep_caps)) {
			perror("capset");
			exit(1);
		}
		stats[0] = 0;
		fd = prog_load(insns, pp->nr_insns, 4 /* BPF_LOG_STATS */,
			       stats, sizeof(stats));
		if (fd >= 0) {
			const char *p = strstr(stats, "processed ");

			printf("ok - %s hook %u: %u instructions load, the verifier processed %lu\n",
			       name, pp->hook, pp->nr_insns,
			       p ? strtoul(p + 10, NULL, 10) : 0);
			close(fd);
		}
		if (fd < 0 || (always && dir)) {
			if (fd < 0) {
				printf("not ok - %s hook %u: %u instructions refused: %s\n",
				       name, pp->hook, pp->nr_insns,
				       strerror(errno));
				failures++;
			}
			log = calloc(1, FULL_LOG_SIZE);
			if (log) {
				fd = prog_load(insns, pp->nr_insns, level, log,
					       FULL_LOG_SIZE);
				if (fd < 0)
					print_tail(log, 40);
				else
					close(fd);
				if (dir)
					save_log(dir, name, pp->hook, log);
				free(log);
			}
		}
		if (loader_caps(false)) {
			perror("capset back");
			exit(1);
		}
		free(insns);
	}
	for (i = 0; i < BPFILTER_IMAGE_MAPS; i++)
		if (map_fds[i] >= 0)
			close(map_fds[i]);
out:
	free(payload);
	free(blob);
	bpfilter_core_free(core);
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	bool always = false;
	__u32 level = 1;
	int opt;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "record"))
		return record(argv[2]);
	while ((opt = getopt(argc, argv, "al:o:P")) != -1) {
		switch (opt) {
		case 'P':
			keep_caps = true;
			break;
		case 'a':
			always = true;
			break;
		case 'l':
			level = strtoul(optarg, NULL, 0);
			break;
		case 'o':
			dir = optarg;
			break;
		default:
			goto usage;
		}
	}
	if (optind == argc)
		goto usage;
	for (; optind < argc; optind++)
		verify(argv[optind], level, dir, always);
	return failures ? 1 : 0;
usage:
	fprintf(stderr, "usage: sched-cls-verify record FILE\n"
		"       sched-cls-verify [-aP] [-l LEVEL] [-o DIR] FILE...\n");
	return 2;
}
