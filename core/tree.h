#ifndef ESCGATE_TREE_H
#define ESCGATE_TREE_H

#include <git2.h>
#include "err.h"
#include "strbuf.h"

/*
 * Writing a revision into a private directory, for the compiler to read.
 * Nothing of the user's repository is touched: files come straight from
 * the object database (or, for the working tree, are copied from disk);
 * no index, HEAD, ref or checkout state is written.
 *
 * Hostile trees: entry names that could leave the directory ("..", "/",
 * ".git") are skipped, a name given twice is written once (a link never
 * wins: links are made after every file and directory, so nothing is ever
 * written through one), and a link is kept only when it resolves to an
 * existing path inside the tree.
 *
 * Go test files (*_test.go) are left out: go build never reads them, and
 * they are often half of a repository's files.
 */

/*
 * mkdtemp "escgate-XXXXXX", mode 0700, under $TMPDIR; without one, under
 * /dev/shm when it is a tmpfs with 2 GiB free, else under /tmp.
 */
int tmpdir_create(struct strbuf *out, struct err *err);
/* rm -rf that never follows symbolic links; a NULL or empty path is fine. */
void tmpdir_remove(const char *path);

/* A regular file a tree write created, by content. */
struct tree_file {
	git_oid oid;
	int executable;
	char *rel;         /* below tree_files.dir */
};

/* The files one tree write created, sorted by content: another can link them. */
struct tree_files {
	char *dir;
	struct tree_file *items;
	size_t nr, alloc;
};
void tree_files_release(struct tree_files *f);

/*
 * Writes the tree of commit into dest (an existing empty directory). With
 * reuse (from an earlier write, whose files must stay as written), a file
 * with the same content and mode as one there is a hard link to it rather
 * than a copy: base and head share most files. With made, records the files
 * this write created. go.mod, go.sum, go.work and go.work.sum are always
 * copies: the go command can rewrite them.
 */
int tree_write_commit(git_repository *repo, const git_commit *commit, const char *dest,
		      const struct tree_files *reuse, struct tree_files *made, struct err *err);

/* The same, writing only what scope (scope.h) asks for when it is not NULL. */
struct scope_plan;
int tree_write_commit_scoped(git_repository *repo, const git_commit *commit, const char *dest,
			     const struct scope_plan *scope, const struct tree_files *reuse,
			     struct tree_files *made, struct err *err);

/*
 * Copies the working tree as it is on disk (tracked files as they are now,
 * plus untracked files that are not ignored) into dest. *content_id gets a
 * digest of what was copied, so an unchanged working tree is recognised.
 */
int tree_write_worktree(git_repository *repo, const char *dest, struct strbuf *content_id,
			struct err *err);

#endif
