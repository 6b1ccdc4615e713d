#ifndef ESCGATE_AFFECTED_H
#define ESCGATE_AFFECTED_H

#include <git2.h>
#include "err.h"
#include "gobuild.h"
#include "revs.h"
#include "strbuf.h"
#include "strset.h"

/*
 * The packages whose findings can differ between base and head: every
 * package with a changed file in its directory (or below it, which covers
 * embedded files; assembly and cgo sources sit in the directory itself),
 * plus every package that imports one of them, directly or transitively,
 * in either revision: escape decisions cross package boundaries through
 * inlining and the escape tags of exported functions.
 *
 * The changed files come from comparing the base tree with the head tree
 * (treediff.h), or from libgit2's diff with the working tree; a test file (*_test.go) changes
 * nothing, as go build never compiles it. When a change cannot be pinned on
 * packages (go.mod, go.sum, go.work, vendor/, a Go, assembly or C file
 * outside every package) *whole gets the reason and whole modules must be
 * analysed. base_list and head_list are the go list of each written tree,
 * whose roots are base_root and head_root.
 */
int affected_packages(git_repository *repo, const struct revision *base,
		      const struct revision *head, const struct build_output *base_list,
		      const char *base_root, const struct build_output *head_list,
		      const char *head_root, struct strset *out, struct strbuf *whole,
		      struct err *err);

/* Whether a changed file is read by builds: Go (tests aside), assembly, C and the like, .syso. */
int is_build_input(const char *path);
/* Why a change to path changes the build as a whole rather than some packages, or NULL. */
const char *whole_module_reason(const char *path);

#endif
