/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Turning the entries of an IPT_SO_SET_REPLACE into a stored table, with
 * the checks 6.1's translate_table() runs, in its order: the first check
 * that fails decides the errno, as it does for x_tables.
 */
#ifndef BPFILTER_TRANSLATE_H
#define BPFILTER_TRANSLATE_H

#include <stdbool.h>

#include <linux/netfilter_ipv4/ip_tables.h>

struct ipt_table_store;

/* x_tables' XT_MAX_TABLE_SIZE: no table allocation reaches it. */
#define XT_TABLE_BYTES_MAX	(512U << 20)

/*
 * 6.1 allocates a table as struct xt_table_info (64 bytes on 64-bit)
 * followed by the entries, and refuses when the sum reaches
 * XT_TABLE_BYTES_MAX: tables of 512 MiB - 64 bytes or more are -ENOMEM.
 */
#define XT_TABLE_INFO_SIZE	64U

/**
 * ipt_translate() - check a replacement table, build what is stored
 * @repl: the request's header, name already cut at 31 bytes
 * @entries: its repl->size bytes of entries (any alignment)
 * @table: set to a new table on success, owned by the caller
 *
 * Runs check_entry_size_and_hooks() on every entry, the entry count and
 * hook checks, mark_source_chains() and find_check_entry() on every
 * entry, then leaves the entries as x_tables would return them: comefrom
 * recomputed, counters zero, name tails and extension padding zeroed.
 * The table's name and valid_hooks are the caller's to check: x_tables
 * looks the table up only after all of this.
 *
 * Return: 0, or the negative errno of the first failing check (logged).
 */
int ipt_translate(const struct ipt_replace *repl, const void *entries,
		  struct ipt_table_store **table);

/**
 * ipt_mark_chains() - mark_source_chains(): who reaches each entry
 * @base: the entries, each one's structure already checked
 * @offsets: the offset of every entry, ascending
 * @count: how many
 * @valid_hooks: the hooks to walk from
 * @hook_entry: their entry points, each an entry's offset
 *
 * Walks every chain from each hook as x_tables does, setting comefrom
 * of each entry reached to the hooks that reach it (others keep 0).
 *
 * Return: 0; -ELOOP when a walk loops, jumps anywhere but to the start
 * of an entry, or runs off the end of the table; -ENOMEM.
 */
int ipt_mark_chains(void *base, const unsigned int *offsets,
		    unsigned int count, unsigned int valid_hooks,
		    const unsigned int *hook_entry);

/**
 * ipt_entry_check_extensions() - find_check_entry() for one entry
 * @e: an entry whose offsets, sizes and jumps passed
 *
 * Finds each match and the target among bpfilter's extensions and runs
 * xt_check_match()/xt_check_target() and their own checks, then zeroes
 * what x_tables would not return: name bytes after the NUL, data after
 * the extension's size.
 *
 * Return: 0, or the negative errno of the first failing check (logged).
 */
int ipt_entry_check_extensions(struct ipt_entry *e);

/**
 * ipt_entries_hide_private() - entries as IPT_SO_GET_ENTRIES shows them
 * @entries: a copy of a stored table's entries, changed in place
 * @size: their size
 *
 * Zeroes each match's data past its extension's usersize, as x_tables'
 * xt_match_to_user() does: the stored table keeps what the caller sent
 * (the code generator reads it, as the kernel's extension reads its own
 * copy), the caller gets back only what x_tables would show.
 */
void ipt_entries_hide_private(unsigned char *entries, unsigned int size);

#endif /* BPFILTER_TRANSLATE_H */
