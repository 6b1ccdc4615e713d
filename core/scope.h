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

/*
 * The same plan, made on a thread of its own through a repository of its
 * own (libgit2 objects are for one thread at a time), so that the caller
 * goes on with repo meanwhile: diff starts it as soon as it knows its
 * revisions, and it reads the head's Go files while go env runs.
 * scope_job_start returns NULL for what is planned whole without reading
 * anything (a working-tree head, no base) or when no thread can be
 * started. scope_job_finish waits for it and, when it planned base and
 * head (by commit), moves its plan and why out and returns 0, or -1 with
 * its error; 1 when it planned other revisions, or could not read them
 * (the caller plans itself). It frees the job; so does scope_job_free,
 * waiting for a job nobody asked for.
 */
struct scope_job;
struct scope_job *scope_job_start(git_repository *repo, const struct revision *base,
				  const struct revision *head);
int scope_job_finish(struct scope_job *job, const struct revision *base,
		     const struct revision *head, struct scope_plan *plan, struct strbuf *why,
		     struct err *err);
void scope_job_free(struct scope_job *job);

/* What a tree write takes of the plan: 1 to write (or walk into) rel, 0 to skip it. */
int scope_wants_dir(const struct scope_plan *plan, const char *rel);
int scope_wants_file(const struct scope_plan *plan, const char *dir, const char *name);

#endif
