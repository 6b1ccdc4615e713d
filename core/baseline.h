#ifndef ESCGATE_BASELINE_H
#define ESCGATE_BASELINE_H

#include <stddef.h>
#include "err.h"
#include "finding.h"
#include "match.h"
#include "strbuf.h"

/*
 * The baseline: a reviewed lockfile of accepted findings, `.escgate-baseline`
 * at the repository root. One finding per line, sorted, with its identity
 * and occurrence and no line numbers, so that it changes only when what
 * the compiler decides changes:
 *
 *   PACKAGE <TAB> FUNCTION <TAB> KIND <TAB> VERDICT <TAB> OCCURRENCE
 *
 * FUNCTION is the enclosing declaration (a closure counts as the function
 * holding it), VERDICT the normalized verdict with control characters
 * shown as \xNN. Lines starting with '#' and empty lines are comments.
 */
#define BASELINE_FILE ".escgate-baseline"

struct baseline_entry {
	char *line;        /* the line without its newline */
	unsigned lineno;   /* where it is in the file */
	int seen;          /* matched by a finding (baseline_match) */
};

struct baseline {
	struct baseline_entry *items;   /* sorted by line */
	size_t nr, alloc;
};

/* The baseline line of f (appended, without a newline). */
void baseline_line(const struct finding *f, struct strbuf *out);

/* Parses a baseline file; name says where it is in messages. A malformed line is EXIT_USAGE. */
int baseline_parse(struct baseline *b, const char *name, const char *text, size_t len,
		   struct err *err);
int baseline_has(const struct baseline *b, const char *line);
void baseline_release(struct baseline *b);

/* The whole file for these findings (suppressed ones left out: their comment accepts them). */
void baseline_format(const struct finding_list *l, struct strbuf *out);

/*
 * Gates findings against a baseline: a finding it lists is unchanged, one
 * it does not list is new (or suppressed, with a reason), and an entry no
 * finding matches is fixed: a stale entry, reported at its line of the
 * baseline file as a finding in *stale (which out points into).
 */
void baseline_match(struct baseline *b, const struct finding_list *findings,
		    struct finding_list *stale, struct match_result *out);

#endif
