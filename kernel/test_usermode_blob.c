// SPDX-License-Identifier: GPL-2.0-only
/*
 * Failure paths of fork_usermode_blob(): every call below must fail with
 * the expected errno and hand nothing back.  Loading the module runs the
 * cases @rounds times with a blob of @blob_kib KiB; the load fails if any
 * case does.  Whether anything stayed behind (tmpfs pages, processes) is
 * measured from user space around the load, which is where a leak shows:
 * selftests/bpfilter/usermode_blob.sh.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/elf.h>
#include <linux/module.h>
#include <linux/usermode_blob.h>
#include <linux/vmalloc.h>

static unsigned int rounds = 1;
module_param(rounds, uint, 0444);
MODULE_PARM_DESC(rounds, "times to run every case");

static unsigned int blob_kib = 256;
module_param(blob_kib, uint, 0444);
MODULE_PARM_DESC(blob_kib, "size of the non-executable blobs, in KiB");

struct blob_case {
	const char *name;
	void (*fill)(u8 *blob, size_t len);
	size_t len;	/* 0: blob_kib KiB */
	int expect;
};

/* Neither ELF nor "#!": no binary format claims it. */
static void fill_text(u8 *blob, size_t len)
{
	memset(blob, 'x', len);
}

/* An ELF magic followed by a header that is all zeroes. */
static void fill_bad_elf(u8 *blob, size_t len)
{
	memset(blob, 0, len);
	memcpy(blob, ELFMAG, SELFMAG);
}

static const struct blob_case cases[] = {
	{ "not an executable", fill_text, 0, -ENOEXEC },
	{ "ELF magic, empty header", fill_bad_elf, 0, -ENOEXEC },
	{ "ELF magic only", fill_bad_elf, SELFMAG, -ENOEXEC },
	{ "one byte", fill_text, 1, -ENOEXEC },
};

static bool info_is_empty(const struct umh_info *info)
{
	return !info->pipe_to_umh && !info->pipe_from_umh && !info->pid &&
	       !info->tgid;
}

static int run_case(const struct blob_case *c, u8 *blob, size_t max)
{
	size_t len = c->len ? c->len : max;
	struct umh_info info;
	int err;

	c->fill(blob, len);
	memset(&info, 0xa5, sizeof(info));
	err = fork_usermode_blob(blob, len, &info);
	if (err != c->expect || !info_is_empty(&info)) {
		pr_err("%s: got %d, want %d%s\n", c->name, err, c->expect,
		       info_is_empty(&info) ? "" : ", info not cleared");
		if (!err)
			umh_info_release(&info);
		return -EINVAL;
	}
	return 0;
}

static int run_argument_checks(u8 *blob)
{
	struct umh_info info;

	if (fork_usermode_blob(NULL, 1, &info) != -EINVAL ||
	    fork_usermode_blob(blob, 0, &info) != -EINVAL ||
	    fork_usermode_blob(blob, 1, NULL) != -EINVAL) {
		pr_err("bad arguments were not refused with -EINVAL\n");
		return -EINVAL;
	}
	return 0;
}

static int __init test_usermode_blob_init(void)
{
	size_t max = (size_t)blob_kib * 1024;
	unsigned int round, i, passed = 0;
	int err = 0;
	u8 *blob;

	if (max < SELFMAG)
		return -EINVAL;
	blob = vmalloc(max);
	if (!blob)
		return -ENOMEM;

	for (round = 0; round < rounds && !err; round++) {
		err = run_argument_checks(blob);
		for (i = 0; i < ARRAY_SIZE(cases) && !err; i++)
			err = run_case(&cases[i], blob, max);
		passed += err ? 0 : 1;
	}
	vfree(blob);
	if (err)
		return err;
	pr_info("%u rounds of %zu cases passed\n", passed,
		ARRAY_SIZE(cases) + 1);
	return 0;
}

static void __exit test_usermode_blob_exit(void)
{
}

module_init(test_usermode_blob_init);
module_exit(test_usermode_blob_exit);
MODULE_DESCRIPTION("fork_usermode_blob() failure path tests");
MODULE_LICENSE("GPL");
