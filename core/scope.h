#ifndef ESCGATE_SCOPE_H
#define ESCGATE_SCOPE_H

#include <git2.h>
#include "err.h"
#include "revs.h"
#include "strset.h"

/*
 * Which directories of the base and head trees a comparison of the
 * affected packages needs written, decided from the git objects before
 * anything is written: a one-line change in a leaf package of a large
 * module should not cost writing and listing the whole module twice.
 *
 * The import graph is read from the import declarations of every
 * non-test Go file of both revisions (build constraints ignored: a
 * superset of go list's), over the directories holding Go files. The
 * directories of the changed files and their ancestors, everything that
 * imports them transitively, and everything those import are written,
 * each with the files directly in it (all of its subtree when one of its
 * Go files embeds files), plus go.mod and go.sum. go list of such a tree
 * lists a superset of the affected packages and all their dependencies in
 * the module, so affected_packages() and the build see what they would in
 * the whole tree.
 *
 * The plan is to write whole trees instead (scope_plan returns 0 with
 * plan->whole set, and why names the reason) when that may not hold or
 * buys nothing: a working-tree head, no go.mod at the root or more than
 * one module, a go.work, a vendor directory, a go.mod replace by a local
 * path, cgo, a file whose imports cannot be read, a change the build
 * cannot pin on packages (go.mod, go.sum, vendored code, a Go file in no
 * package directory), or a plan that needs every directory anyway.
 */
struct scope_plan {
	int whole;
	struct strset dirs;        /* written with the files directly in them ("" is the root) */
	struct strset subtrees;    /* written with everything below them */
	struct strset ancestors;   /* directories above those: only walked through */
	size_t npackages;          /* directories of the head with Go files, as ./... matches them */
	size_t nwritten;           /* of those, written */
};

int scope_plan(git_repository *repo, const struct revision *base, const struct revision *head,
	       struct scope_plan *plan, struct strbuf *why, struct err *err);
void scope_plan_release(struct scope_plan *plan);

/* What a tree write takes of the plan: 1 to write (or walk into) rel, 0 to skip it. */
int scope_wants_dir(const struct scope_plan *plan, const char *rel);
int scope_wants_file(const struct scope_plan *plan, const char *dir, const char *name);

#endif
