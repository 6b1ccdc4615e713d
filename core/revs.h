#ifndef ESCGATE_REVS_H
#define ESCGATE_REVS_H

#include <git2.h>
#include "err.h"
#include "strbuf.h"

/* A revision to analyse: a commit, or the working tree as it is on disk. */
struct revision {
	char *label;          /* as the user named it: "main", "HEAD~2", "worktree" */
	int worktree;
	git_commit *commit;   /* NULL for the working tree */
	char hex[65];          /* the commit id (room for SHA-256); "" for the working tree */
};

/* Resolves anything `git rev-parse` takes; an unknown one is EXIT_USAGE naming it. */
int rev_resolve(git_repository *repo, const char *spec, struct revision *out, struct err *err);
void rev_worktree(struct revision *out);
/*
 * The default base: the merge base of HEAD with the first of origin/HEAD,
 * origin/main, main, origin/master, master that exists. *why says which.
 */
int rev_default_base(git_repository *repo, struct revision *out, struct strbuf *why,
		     struct err *err);
void rev_release(struct revision *rev);

/*
 * Reads the file at path (relative to the repository root) as rev has it:
 * from the commit's tree, or from the working tree on disk. *found is 0
 * when there is no such file; one that is not a regular file (a symbolic
 * link, a directory) is an error naming it.
 */
int rev_read_file(git_repository *repo, const struct revision *rev, const char *path,
		  struct strbuf *out, int *found, struct err *err);

#endif
