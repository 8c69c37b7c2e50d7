/* SPDX-License-Identifier: GPL-2.0 */
/* Reading a process's confinement from /proc/<pid>/status, for tests. */
#ifndef BPFILTER_TEST_PROC_STATUS_H
#define BPFILTER_TEST_PROC_STATUS_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/*
 * Copies the value of the line "@field:\t<value>" (tabs turned into
 * spaces, no newline) to @value.  Return: whether the field was found.
 */
static inline bool proc_status_field(pid_t pid, const char *field,
				     char *value, size_t size)
{
	size_t flen = strlen(field);
	char path[64], line[256];
	bool found = false;
	FILE *f;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		if (strncmp(line, field, flen) || line[flen] != ':')
			continue;
		p = line + flen + 1;
		p += strspn(p, "\t ");
		p[strcspn(p, "\n")] = '\0';
		for (char *t = p; *t; t++)
			if (*t == '\t')
				*t = ' ';
		snprintf(value, size, "%s", p);
		found = true;
	}
	fclose(f);
	return found;
}

/* The fields that show a confined helper, and their values. */
static const struct {
	const char *field;
	const char *value;
} proc_status_confined[] = {
	{ "Uid", "4294967294 4294967294 4294967294 4294967294" },
	{ "Gid", "4294967294 4294967294 4294967294 4294967294" },
	{ "Groups", "" },
	{ "CapInh", "0000000000000000" },
	{ "CapPrm", "0000000000000000" },
	{ "CapEff", "0000000000000000" },
	{ "CapBnd", "0000000000000000" },
	{ "CapAmb", "0000000000000000" },
	{ "NoNewPrivs", "1" },
	{ "Seccomp", "2" },
};

/* Return: how many fields of proc_status_confined differ (each printed). */
static inline unsigned int proc_status_check_confined(pid_t pid)
{
	unsigned int i, bad = 0;
	char value[128];

	for (i = 0; i < sizeof(proc_status_confined) /
		    sizeof(proc_status_confined[0]); i++) {
		if (!proc_status_field(pid, proc_status_confined[i].field,
				       value, sizeof(value)))
			strcpy(value, "(missing)");
		if (strcmp(value, proc_status_confined[i].value)) {
			printf("#   %s: \"%s\", expected \"%s\"\n",
			       proc_status_confined[i].field, value,
			       proc_status_confined[i].value);
			bad++;
		}
	}
	return bad;
}

#endif /* BPFILTER_TEST_PROC_STATUS_H */
