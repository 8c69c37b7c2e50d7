// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netns.h"
#include "table.h"

static const struct ipt_table_template *const table_templates[] = {
	&bpfilter_filter_template,
};

const struct ipt_table_template *ipt_table_template_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(table_templates) / sizeof(table_templates[0]); i++) {
		if (!strcmp(table_templates[i]->name, name))
			return table_templates[i];
	}

	return NULL;
}

void ipt_table_store_free(struct ipt_table_store *table)
{
	if (!table)
		return;

	free(table->entries);
	free(table);
}

int bpfilter_table_get(struct bpfilter_netns_map *map, __u64 cookie,
		       const char *name, struct ipt_table_store **table)
{
	const struct ipt_table_template *tmpl;
	struct bpfilter_netns *ns;

	/* Unknown names must not leave state behind for the namespace. */
	tmpl = ipt_table_template_find(name);
	if (!tmpl)
		return -ENOENT;

	ns = bpfilter_netns_get(map, cookie);
	if (!ns)
		return -ENOMEM;

	if (!ns->tables[tmpl->id]) {
		ns->tables[tmpl->id] = ipt_table_store_new_initial(tmpl);
		if (!ns->tables[tmpl->id])
			return -ENOMEM;
	}

	*table = ns->tables[tmpl->id];
	return 0;
}

__u64 bpfilter_table_bytes_besides(const struct bpfilter_netns_map *map,
				   __u64 cookie, const char *name)
{
	const struct bpfilter_netns *ns = bpfilter_netns_find(map, cookie);
	const struct ipt_table_template *tmpl = ipt_table_template_find(name);
	__u64 bytes;

	if (!ns)
		return 0;
	bytes = bpfilter_netns_table_bytes(ns);
	if (tmpl && ns->tables[tmpl->id])
		bytes -= ns->tables[tmpl->id]->size;
	return bytes;
}
