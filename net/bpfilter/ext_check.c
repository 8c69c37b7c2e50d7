// SPDX-License-Identifier: GPL-2.0
/*
 * find_check_entry() for one rule: each match, then the target, is found
 * among bpfilter's extensions (xt_request_find_match/target) and checked
 * as xt_check_match()/xt_check_target() would, then scrubbed to what
 * x_tables' copy_entries_to_user() gives back.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "entry.h"
#include "ext.h"
#include "log.h"
#include "translate.h"

/*
 * x_tables writes back the extension's registered name and its NUL, and
 * its data up to the size it declares, zero-filling the alignment after
 * it.  bpfilter returns a whole buffer, so the name's tail reads as zero.
 */
static void scrub(unsigned char *head, const struct bpfilter_ext *ext)
{
	char *name = (char *)head + offsetof(struct xt_ext_head, name);
	size_t len = strlen(ext->name);
	unsigned char *data = head + sizeof(struct xt_ext_head);

	memset(name + len + 1, 0, XT_EXTENSION_MAXNAMELEN - len - 1);
	memset(data + ext->size, 0, XT_ALIGN(ext->size) - ext->size);
}

/*
 * What xt_check_match() and xt_check_target() check of an extension
 * bpfilter supports, in their order: its data size, the hooks that reach
 * the rule (e->comefrom, computed before), the protocol it needs, its
 * own checkentry.  (The table and family restrictions they also check
 * are not used by any of bpfilter's extensions.)
 */
static int check_ext(const char *kind, const struct bpfilter_ext *ext,
		     const struct xt_ext_head *head, const unsigned char *data,
		     const struct ipt_entry *e)
{
	if (head->size - sizeof(*head) != XT_ALIGN(ext->size))
		return bpfilter_refuse(-EINVAL, "%s %s: data size %zu, expected %zu",
				       kind, ext->name,
				       head->size - sizeof(*head),
				       (size_t)XT_ALIGN(ext->size));
	if (ext->hooks && (e->comefrom & ~ext->hooks))
		return bpfilter_refuse(-EINVAL, "%s %s: used from hooks %#x, but only valid from %#x",
				       kind, ext->name, e->comefrom, ext->hooks);
	if (ext->proto && (e->ip.proto != ext->proto ||
			   e->ip.invflags & IPT_INV_PROTO))
		return bpfilter_refuse(-EINVAL, "%s %s: only valid for protocol %u, without '!'",
				       kind, ext->name, ext->proto);
	return ext->check ? ext->check(data, e) : 0;
}

/* xt_request_find_*() refuses a name filling its field before looking. */
static int find_ext(bool target, const struct xt_ext_head *head,
		    const struct bpfilter_ext **ext)
{
	const char *kind = target ? "target" : "match";

	if (strnlen(head->name, sizeof(head->name)) == sizeof(head->name))
		return bpfilter_refuse(-EINVAL, "%s name not terminated", kind);
	*ext = target ? bpfilter_target_find(head->name, head->revision) :
			bpfilter_match_find(head->name, head->revision);
	if (!*ext)
		return bpfilter_refuse(bpfilter_ext_find_errno(target, head->name),
				       "%s \"%s\" revision %u is not supported",
				       kind, head->name, head->revision);
	return 0;
}

static int check_one(bool target, struct ipt_entry *e, unsigned int pos)
{
	const char *kind = target ? "target" : "match";
	unsigned char *p = (unsigned char *)e + pos;
	const struct bpfilter_ext *ext;
	struct xt_ext_head head;
	int ret;

	xt_ext_head_read(p, &head);
	ret = find_ext(target, &head, &ext);
	if (ret)
		return ret;
	ret = check_ext(kind, ext, &head, p + sizeof(head), e);
	if (ret)
		return ret;
	scrub(p, ext);
	return 0;
}

int ipt_entry_check_extensions(struct ipt_entry *e)
{
	struct xt_ext_head head;
	unsigned int pos;
	int ret;

	for (pos = sizeof(*e); pos < e->target_offset; pos += head.size) {
		xt_ext_head_read((unsigned char *)e + pos, &head);
		ret = check_one(false, e, pos);
		if (ret)
			return ret;
	}
	return check_one(true, e, e->target_offset);
}

void ipt_entries_hide_private(unsigned char *entries, unsigned int size)
{
	const struct bpfilter_ext *ext;
	struct xt_ext_head head;
	struct ipt_entry *e;
	unsigned int off, pos;

	for (off = 0; off < size; off += e->next_offset) {
		e = ipt_entry_at(entries, off);
		for (pos = sizeof(*e); pos < e->target_offset; pos += head.size) {
			xt_ext_head_read((unsigned char *)e + pos, &head);
			ext = bpfilter_match_find(head.name, head.revision);
			if (ext && ext->usersize)
				memset((unsigned char *)e + pos + sizeof(head) +
				       ext->usersize, 0,
				       XT_ALIGN(ext->size) - ext->usersize);
		}
	}
}
