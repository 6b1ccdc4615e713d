/*
 * The changes between two trees (core/treediff.c) are the ones libgit2's
 * tree-to-tree diff reports, for every kind of change; repositories are
 * made in memory with libgit2.
 */
#define TEST_SUITE "treediff"
#include "test.h"

#include <git2.h>
#include <stdlib.h>

#include "core/strbuf.h"
#include "core/tree.h"
#include "core/treediff.h"

struct file {
	const char *path, *data;
	git_filemode_t mode;   /* 0: a regular file */
};

/* The tree of files (ending with a NULL path), through the repository's emptied index. */
static git_tree *tree_of(git_repository *repo, const struct file *files)
{
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_oid id;

	if (git_repository_index(&index, repo) || git_index_clear(index)) {
		FAIL_("cannot use the index: %s", git_error_last()->message);
		git_index_free(index);
		return NULL;
	}
	for (; files->path; files++) {
		git_index_entry e;

		memset(&e, 0, sizeof(e));
		e.path = files->path;
		e.mode = files->mode ? files->mode : GIT_FILEMODE_BLOB;
		if (git_index_add_from_buffer(index, &e, files->data, strlen(files->data)))
			FAIL_("cannot add %s: %s", files->path, git_error_last()->message);
	}
	if (git_index_write_tree_to(&id, index, repo) || git_tree_lookup(&tree, repo, &id))
		FAIL_("cannot write the tree: %s", git_error_last()->message);
	git_index_free(index);
	return tree;
}

/* "path -" (deleted), "path +" (added) or "path ~" (in both), one per line, in order. */
static int note_change(const char *path, const git_tree_entry *old, const git_tree_entry *new,
		       void *data)
{
	strbuf_addf(data, "%s %s\n", path, !new ? "-" : !old ? "+" : "~");
	return 0;
}

/* The same from libgit2's diff: a type change is a deletion and an addition of one path. */
static void diff_changes(git_repository *repo, git_tree *a, git_tree *b, struct strbuf *out)
{
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	git_diff *diff = NULL;
	size_t i, n;

	if (git_diff_tree_to_tree(&diff, repo, a, b, &opts)) {
		FAIL_("git_diff_tree_to_tree: %s", git_error_last()->message);
		return;
	}
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);
		const git_diff_delta *next = i + 1 < n ? git_diff_get_delta(diff, i + 1) : NULL;

		if (d->status == GIT_DELTA_DELETED && next && next->status == GIT_DELTA_ADDED &&
		    !strcmp(d->old_file.path, next->new_file.path)) {
			strbuf_addf(out, "%s ~\n", d->old_file.path);
			i++;
		} else {
			strbuf_addf(out, "%s %s\n", d->new_file.path,
				    d->status == GIT_DELTA_DELETED ? "-" :
				    d->status == GIT_DELTA_ADDED ? "+" : "~");
		}
	}
	git_diff_free(diff);
}

static const struct file base_files[] = {
	{ "go.mod", "module m\n", 0 },
	{ "a.go", "package m\n", 0 },
	{ "a/x.go", "package a\n", 0 },
	{ "b/deep/y.go", "package deep\n", 0 },
	{ "b/deep/z.txt", "z\n", 0 },
	{ "gone/one.go", "package gone\n", 0 },
	{ "gone/sub/two.go", "package sub\n", 0 },
	{ "same/s.go", "package same\n", 0 },
	{ "run.sh", "#!/bin/sh\n", 0 },
	{ "link", "a.go", GIT_FILEMODE_LINK },
	{ "was_file", "f\n", 0 },
	{ NULL, NULL, 0 },
};

static const struct file head_files[] = {
	{ "go.mod", "module m\n", 0 },
	{ "a.go", "package m // changed\n", 0 },
	{ "a/x.go", "package a\n", 0 },
	{ "a/new.go", "package a\n", 0 },
	{ "b/deep/y.go", "package deep // changed\n", 0 },
	{ "b/deep/z.txt", "z\n", 0 },
	{ "same/s.go", "package same\n", 0 },
	{ "run.sh", "#!/bin/sh\n", GIT_FILEMODE_BLOB_EXECUTABLE },
	{ "link", "package m\n", 0 },
	{ "was_file/now_dir.go", "package was_file\n", 0 },
	{ "added/tree/t.go", "package tree\n", 0 },
	{ NULL, NULL, 0 },
};

/* A scratch repository holding the trees of base_files and head_files. */
struct fixture {
	struct strbuf dir;
	git_repository *repo;
	git_tree *a, *b;
};

static int fixture_open(struct fixture *f)
{
	struct err err = ERR_INIT;

	memset(f, 0, sizeof(*f));
	strbuf_init(&f->dir, 0);
	if (tmpdir_create(&f->dir, &err) || git_repository_init(&f->repo, f->dir.buf, 0))
		FAIL_("cannot make a repository");
	else if ((f->a = tree_of(f->repo, base_files)))
		f->b = tree_of(f->repo, head_files);
	err_release(&err);
	return f->a && f->b ? 0 : -1;
}

static void fixture_close(struct fixture *f)
{
	git_tree_free(f->a);
	git_tree_free(f->b);
	git_repository_free(f->repo);
	tmpdir_remove(f->dir.buf);
	strbuf_release(&f->dir);
}

TEST(same_changes_as_libgit2_diff)
{
	struct fixture f;
	struct strbuf got = STRBUF_INIT, want = STRBUF_INIT;
	struct err err = ERR_INIT;

	if (fixture_open(&f))
		goto out;
	CHECK_INT(tree_changes(f.repo, f.a, f.b, note_change, &got, &err), 0);
	diff_changes(f.repo, f.a, f.b, &want);
	CHECK_STR(got.buf, want.buf);
	/* every kind is there */
	CHECK(strstr(got.buf, "gone/sub/two.go -\n") && strstr(got.buf, "added/tree/t.go +\n"));
	CHECK(strstr(got.buf, "run.sh ~\n") && strstr(got.buf, "link ~\n"));
	CHECK(strstr(got.buf, "was_file -\n") && strstr(got.buf, "was_file/now_dir.go +\n"));
	CHECK(!strstr(got.buf, "same/") && !strstr(got.buf, "z.txt"));
	/* and backwards */
	strbuf_reset(&got);
	strbuf_reset(&want);
	CHECK_INT(tree_changes(f.repo, f.b, f.a, note_change, &got, &err), 0);
	diff_changes(f.repo, f.b, f.a, &want);
	CHECK_STR(got.buf, want.buf);
	/* none between a tree and itself */
	strbuf_reset(&got);
	CHECK_INT(tree_changes(f.repo, f.a, f.a, note_change, &got, &err), 0);
	CHECK_STR(got.buf, "");
out:
	fixture_close(&f);
	strbuf_release(&got);
	strbuf_release(&want);
	err_release(&err);
}

static int stop_at_second(const char *path, const git_tree_entry *old, const git_tree_entry *new,
			  void *data)
{
	int *seen = data;

	(void)path;
	(void)old;
	(void)new;
	return ++*seen == 2 ? 7 : 0;
}

TEST(callback_stops_the_walk)
{
	struct fixture f;
	struct err err = ERR_INIT;
	int seen = 0;

	if (!fixture_open(&f)) {
		CHECK_INT(tree_changes(f.repo, f.a, f.b, stop_at_second, &seen, &err), 7);
		CHECK_INT(seen, 2);
	}
	fixture_close(&f);
	err_release(&err);
}

int main(void)
{
	git_libgit2_init();
	RUN(same_changes_as_libgit2_diff);
	RUN(callback_stops_the_walk);
	git_libgit2_shutdown();
	TEST_EXIT();
}
