/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Reading the parts of an ipt_entry blob that the caller may have put
 * anywhere.  Entries are 8-byte aligned once their start is checked, but
 * a target follows whatever the matches add up to, so it may sit at any
 * offset until every match size has been checked: its fields are read
 * with memcpy(), never through a misaligned struct pointer.
 */
#ifndef BPFILTER_ENTRY_H
#define BPFILTER_ENTRY_H

#include <stdbool.h>
#include <string.h>

#include <linux/netfilter_ipv4/ip_tables.h>

/* The smallest entry x_tables accepts: a header and a bare target. */
#define IPT_ENTRY_MIN_SIZE \
	(sizeof(struct ipt_entry) + sizeof(struct xt_entry_target))

/* The user-visible header of a match or target: size, name, revision. */
struct xt_ext_head {
	__u16 size;
	char name[XT_EXTENSION_MAXNAMELEN];
	__u8 revision;
};

_Static_assert(sizeof(struct xt_ext_head) == sizeof(struct xt_entry_target),
	       "match and target headers are 32 bytes");

static inline struct ipt_entry *ipt_entry_at(void *base, unsigned int off)
{
	return (struct ipt_entry *)((unsigned char *)base + off);
}

static inline void xt_ext_head_read(const void *p, struct xt_ext_head *head)
{
	memcpy(head, p, sizeof(*head));
}

static inline void ipt_target_head(const struct ipt_entry *e,
				   struct xt_ext_head *head)
{
	xt_ext_head_read((const unsigned char *)e + e->target_offset, head);
}

/* Only meaningful for the standard target, whose data is the verdict. */
static inline int ipt_standard_verdict(const struct ipt_entry *e)
{
	int verdict;

	memcpy(&verdict, (const unsigned char *)e + e->target_offset +
	       sizeof(struct xt_entry_target), sizeof(verdict));
	return verdict;
}

static inline bool xt_is_standard_target(const struct xt_ext_head *head)
{
	return head->name[0] == '\0';
}

/* x_tables compares with strcmp(): "ERROR" and its NUL, nothing after. */
static inline bool xt_is_error_target(const struct xt_ext_head *head)
{
	return !memcmp(head->name, XT_ERROR_TARGET, sizeof(XT_ERROR_TARGET));
}

/*
 * A rule that matches every packet: no matches and an all-zero ipt_ip.
 * Only such a rule can be a chain's policy or its implicit return.
 */
static inline bool ipt_entry_unconditional(const struct ipt_entry *e)
{
	static const struct ipt_ip any;

	return e->target_offset == sizeof(*e) &&
	       !memcmp(&e->ip, &any, sizeof(any));
}

#endif /* BPFILTER_ENTRY_H */
