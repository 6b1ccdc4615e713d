#ifndef ESCGATE_MATCH_H
#define ESCGATE_MATCH_H

#include <stddef.h>
#include "finding.h"

enum match_status {
	MATCH_NEW,        /* in the head, not in the base */
	MATCH_FIXED,      /* in the base, not in the head */
	MATCH_UNCHANGED,
	MATCH_PRESENT,    /* a single revision's findings (scan) */
	MATCH_SUPPRESSED, /* would be new or present, but an //escgate:allow comment (or a
			     baseline) accepts it: listed with its reason, never counted as new */
};

struct match_entry {
	enum match_status status;
	const struct finding *f;   /* the head's, or the base's when fixed */
};

/* The one input of every report format. */
struct match_result {
	struct match_entry *items;   /* new then fixed, each by position; unchanged last */
	size_t nr, alloc;
	size_t nnew, nfixed, nunchanged;
	size_t new_escapes, new_leaks;
	size_t nsuppressed;
};

/*
 * Pairs base and head findings of the same identity (package, enclosing
 * declaration, kind, normalized verdict), so that no edit that leaves a
 * verdict in place makes it new: lines moving, functions moving between
 * files, files being renamed. Within one identity the count decides how
 * many are new; which ones is decided by the longest common subsequence
 * of their source lines, so that adding a second identical call below an
 * existing one reports the new line. Unpaired head findings are new (or
 * suppressed, when f->suppressed gives a reason), unpaired base findings
 * fixed.
 */
void match_findings(const struct finding_list *base, const struct finding_list *head,
		    struct match_result *out);
/* Every finding of one revision as MATCH_PRESENT (or MATCH_SUPPRESSED), by position. */
void match_present(const struct finding_list *list, struct match_result *out);
void match_result_release(struct match_result *r);

/* Building a result by hand (baselines, several targets): add, then sort. */
void match_result_add(struct match_result *r, enum match_status s, const struct finding *f);
void match_result_sort(struct match_result *r);

const char *match_status_name(enum match_status s);

#endif
