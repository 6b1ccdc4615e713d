#ifndef ESCGATE_REPORT_HISTORY_H
#define ESCGATE_REPORT_HISTORY_H

/*
 * The history of a branch: escapes and leaks per commit, as `escgate
 * history` writes it, an HTML page with inline SVG charts or CSV. Not a
 * report_fn: it charts many analyses, not one match result.
 */
#include <stdio.h>

#include "core/finding.h"

struct history_pkg {
	char *package;
	size_t escapes, leaks;
};

struct history_point {
	char hex[65];
	char *subject;       /* the commit's first line */
	long long time;      /* committer time, seconds since the epoch */
	int gap;             /* not analysed: it failed to build */
	char *why;           /* ... and why (the error's first line) */
	size_t escapes, leaks;
	struct history_pkg *pkgs;   /* by package */
	size_t npkgs;
};

struct history {
	const char *rev;     /* where the walk started, as given */
	const char *go_version, *goos, *goarch;
	struct history_point *points;   /* oldest first */
	size_t nr, alloc;
};

/* A new point at the end (the next newer commit). */
struct history_point *history_add(struct history *h, const char *hex, const char *subject,
				  long long time);
/* Counts findings into p: totals and per package. */
void history_count(struct history_point *p, const struct finding_list *findings);
void history_release(struct history *h);

int history_write_html(FILE *out, const struct history *h);
int history_write_csv(FILE *out, const struct history *h);

#endif
