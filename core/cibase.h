#ifndef ESCGATE_CIBASE_H
#define ESCGATE_CIBASE_H

#include <git2.h>
#include "err.h"
#include "revs.h"
#include "strbuf.h"

/*
 * The base revision a CI run should compare against (--base auto):
 *  - GitHub pull request: the merge base of the head and origin/$GITHUB_BASE_REF
 *    (else the event's pull_request.base.sha);
 *  - GitHub push: the event's "before";
 *  - GitLab merge request pipeline: $CI_MERGE_REQUEST_DIFF_BASE_SHA;
 *  - GitLab branch pipeline: $CI_COMMIT_BEFORE_SHA unless all zeros;
 *  - otherwise the local default (rev_default_base).
 * *why says which rule chose it. A base the clone does not have (a shallow
 * checkout) fails closed, EXIT_ANALYSIS, with the fix for the CI at hand:
 * reporting every existing escape as new is never an option.
 */
int ci_base(git_repository *repo, const struct revision *head, struct revision *out,
	    struct strbuf *why, struct err *err);

/* Whether a hex object id is all zeros (git's "no object", 40 or 64 digits). */
int oid_hex_is_zero(const char *hex);

#endif
