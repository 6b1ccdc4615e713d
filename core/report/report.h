#ifndef ESCGATE_REPORT_H
#define ESCGATE_REPORT_H

#include <stdio.h>
#include <git2.h>

#include "core/match.h"
#include "core/strbuf.h"

/* What a report says about the run besides its findings. */
struct report_meta {
	const char *base_rev, *base_commit;   /* NULL for scan */
	const char *head_rev, *head_commit;   /* head_commit NULL for the working tree */
	const char *go_version, *goos, *goarch;
	int diff;                             /* a diff (new/fixed) or a scan (present) */
	const char *base_rule;                /* how the base was chosen, or NULL when given */
	git_repository *repo;                 /* for formats that show source */
};

/*
 * Every format reads the same match result and escapes everything that
 * comes from the analysed repository for its own syntax.
 */
typedef int (*report_fn)(FILE *out, const struct report_meta *meta,
			 const struct match_result *r);

int report_text(FILE *out, const struct report_meta *meta, const struct match_result *r);
int report_json(FILE *out, const struct report_meta *meta, const struct match_result *r);
int report_sarif(FILE *out, const struct report_meta *meta, const struct match_result *r);
int report_github(FILE *out, const struct report_meta *meta, const struct match_result *r);
int report_gitlab(FILE *out, const struct report_meta *meta, const struct match_result *r);
int report_junit(FILE *out, const struct report_meta *meta, const struct match_result *r);
int report_markdown(FILE *out, const struct report_meta *meta, const struct match_result *r);
int report_html(FILE *out, const struct report_meta *meta, const struct match_result *r);

/*
 * The Markdown report (markdown.c), also the github format's job summary:
 * links to the lines when link_base ("https://github.com/OWNER/REPO/blob/")
 * is given and the revision is a commit; kept under limit bytes, with a
 * note saying how many findings were left out.
 */
void report_markdown_body(struct strbuf *out, const struct report_meta *meta,
			  const struct match_result *r, const char *link_base, size_t limit);

/* The format called name, or NULL. */
report_fn report_lookup(const char *name);
/* Appends "text, json, ...": for messages. */
void report_format_names(struct strbuf *out);

#endif
