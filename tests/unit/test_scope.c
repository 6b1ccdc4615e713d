/*
 * Which directories a comparison of the affected packages writes
 * (core/scope.c), decided from git objects alone, and that a scoped tree
 * write takes just those. Repositories are made in memory with libgit2.
 */
#define TEST_SUITE "scope"
#include "test.h"

#include <git2.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/scope.h"
#include "core/strset.h"
#include "core/tree.h"
#include "core/util.h"

struct repo {
	git_repository *git;
	struct strbuf dir;
	git_signature *sig;
};

static void repo_open(struct repo *r)
{
	struct err err = ERR_INIT;

	strbuf_init(&r->dir, 0);
	r->git = NULL;
	r->sig = NULL;
	if (tmpdir_create(&r->dir, &err) || git_repository_init(&r->git, r->dir.buf, 0) ||
	    git_signature_new(&r->sig, "t", "t@example.com", 1704067200, 0))
		FAIL_("cannot make a repository: %s", err.msg.len ? err.msg.buf : git_error_last()->message);
	err_release(&err);
}

static void repo_close(struct repo *r)
{
	git_signature_free(r->sig);
	git_repository_free(r->git);
	tmpdir_remove(r->dir.buf);
	strbuf_release(&r->dir);
}

/* A commit of n files: paths[i] holding datas[i]. */
static git_commit *commit_array(struct repo *r, const char *const *paths,
				const char *const *datas, size_t n)
{
	git_index *index = NULL;
	git_tree *tree = NULL;
	git_commit *c = NULL;
	git_oid tree_id, id;
	size_t i;

	/* the repository's index, emptied: never written to disk */
	if (git_repository_index(&index, r->git) || git_index_clear(index)) {
		FAIL_("cannot use the index: %s", git_error_last()->message);
		git_index_free(index);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		git_index_entry e;

		memset(&e, 0, sizeof(e));
		e.path = paths[i];
		e.mode = GIT_FILEMODE_BLOB;
		if (git_index_add_from_buffer(index, &e, datas[i], strlen(datas[i])))
			FAIL_("cannot add %s: %s", paths[i], git_error_last()->message);
	}
	if (git_index_write_tree_to(&tree_id, index, r->git) ||
	    git_tree_lookup(&tree, r->git, &tree_id) ||
	    git_commit_create(&id, r->git, NULL, r->sig, r->sig, NULL, "c", tree, 0, NULL) ||
	    git_commit_lookup(&c, r->git, &id))
		FAIL_("cannot commit: %s", git_error_last()->message);
	git_tree_free(tree);
	git_index_free(index);
	return c;
}

/* A commit of the files given as path, content pairs, ending with NULL (16 at most). */
static git_commit *commit_files(struct repo *r, ...)
{
	const char *paths[16], *datas[16], *path;
	size_t n = 0;
	va_list ap;

	va_start(ap, r);
	while ((path = va_arg(ap, const char *)) && n < 16) {
		paths[n] = path;
		datas[n++] = va_arg(ap, const char *);
	}
	va_end(ap);
	if (path) {
		FAIL_("commit_files takes 16 files at most");
		return NULL;
	}
	return commit_array(r, paths, datas, n);
}

static struct revision rev_of(git_commit *c, const char *label)
{
	struct revision rev;

	memset(&rev, 0, sizeof(rev));
	rev.label = (char *)label;
	rev.commit = c;
	snprintf(rev.hex, sizeof(rev.hex), "%s", git_oid_tostr_s(git_commit_id(c)));
	return rev;
}

/* The plan for base -> head: "whole: why", or its written directories, space-separated. */
static void plan_of(struct repo *r, git_commit *base, git_commit *head, struct strbuf *out)
{
	struct revision b = rev_of(base, "base"), h = rev_of(head, "head");
	struct scope_plan plan;
	struct strbuf why = STRBUF_INIT;
	struct err err = ERR_INIT;
	size_t i;

	strbuf_reset(out);
	if (scope_plan(r->git, &b, &h, &plan, &why, &err)) {
		FAIL_("scope_plan: %s", err.msg.buf);
	} else if (plan.whole) {
		strbuf_addf(out, "whole: %s", why.buf);
	} else {
		for (i = 0; i < plan.dirs.nr; i++)
			strbuf_addf(out, "%s%s", out->len ? " " : "",
				    *plan.dirs.items[i] ? plan.dirs.items[i] : ".");
		for (i = 0; i < plan.subtrees.nr; i++)
			strbuf_addf(out, "%s%s/...", out->len ? " " : "", plan.subtrees.items[i]);
		strbuf_addf(out, " (%zu of %zu)", plan.nwritten, plan.npackages);
	}
	scope_plan_release(&plan);
	strbuf_release(&why);
	err_release(&err);
}

#define GOMOD "go.mod", "module example.com/m\n\ngo 1.21\n"
#define LEAF(body) "leaf/leaf.go", "package leaf\n\n" body "\n"
#define MID "mid/mid.go", "package mid\n\nimport \"example.com/m/leaf\"\n\nvar X = leaf.V\n"
#define TOP "cmd/app/main.go", \
	"package main\n\nimport (\n\t\"fmt\"\n\t\"example.com/m/mid\"\n)\n\nfunc main() { fmt.Println(mid.X) }\n"
#define OTHER "other/other.go", "package other\n\nimport \"example.com/m/util\"\n\nvar Y = util.Z\n"
#define UTIL "util/util.go", "package util\n\nvar Z = 1\n"

TEST(leaf_change_writes_importers_and_their_imports)
{
	struct repo r;
	struct strbuf got = STRBUF_INIT;
	git_commit *base, *head;

	repo_open(&r);
	base = commit_files(&r, GOMOD, LEAF("var V = 1"), MID, TOP, OTHER, UTIL, "README.md", "x",
			    NULL);
	head = commit_files(&r, GOMOD, LEAF("var V = 2"), MID, TOP, OTHER, UTIL, "README.md", "x",
			    NULL);
	plan_of(&r, base, head, &got);
	CHECK_STR(got.buf, "cmd/app leaf mid (3 of 5)");
	/* a change in what nothing imports: that package alone */
	git_commit_free(head);
	head = commit_files(&r, GOMOD, LEAF("var V = 1"), MID, TOP,
			    "other/other.go", "package other\n\nimport \"example.com/m/util\"\n\nvar Y = util.Z + 1\n",
			    UTIL, "README.md", "x", NULL);
	plan_of(&r, base, head, &got);
	CHECK_STR(got.buf, "other util (2 of 5)");
	/* a test: never compiled, so nothing is affected */
	git_commit_free(head);
	head = commit_files(&r, GOMOD, LEAF("var V = 1"), MID, TOP, OTHER, UTIL, "README.md", "x",
			    "leaf/leaf_test.go", "package leaf\n\nimport \"testing\"\n", NULL);
	plan_of(&r, base, head, &got);
	CHECK_STR(got.buf, " (0 of 5)");
	/* documentation: nothing is affected, nothing but go.mod is written */
	git_commit_free(head);
	head = commit_files(&r, GOMOD, LEAF("var V = 1"), MID, TOP, OTHER, UTIL, "README.md", "y",
			    NULL);
	plan_of(&r, base, head, &got);
	CHECK_STR(got.buf, " (0 of 5)");
	git_commit_free(base);
	git_commit_free(head);
	strbuf_release(&got);
	repo_close(&r);
}

TEST(imports_of_both_revisions_count)
{
	struct repo r;
	struct strbuf got = STRBUF_INIT;
	git_commit *base, *head;

	/* other imported leaf in the base only, and under a build tag: still written */
	repo_open(&r);
	base = commit_files(&r, GOMOD, LEAF("var V = 1"), UTIL,
			    "other/other.go", "//go:build never\n\npackage other\n\nimport \"example.com/m/leaf\"\n\nvar Y = leaf.V\n",
			    NULL);
	head = commit_files(&r, GOMOD, LEAF("var V = 2"), UTIL,
			    "other/other.go", "package other\n\nvar Y = 1\n", NULL);
	plan_of(&r, base, head, &got);
	CHECK_STR(got.buf, "leaf other (2 of 3)");
	git_commit_free(base);
	git_commit_free(head);
	strbuf_release(&got);
	repo_close(&r);
}

TEST(embedded_and_ignored_directories)
{
	struct repo r;
	struct strbuf got = STRBUF_INIT;
	git_commit *base, *head;

	repo_open(&r);
	/* a changed asset belongs to the package above it, which embeds: its whole subtree */
	base = commit_files(&r, GOMOD, UTIL,
			    "web/web.go", "package web\n\nimport _ \"embed\"\n\n//go:embed static/a.txt\nvar A string\n",
			    "web/static/a.txt", "one", "web/testdata/go.mod", "module fixture\n",
			    "web/testdata/bad.go", "this is not Go", NULL);
	head = commit_files(&r, GOMOD, UTIL,
			    "web/web.go", "package web\n\nimport _ \"embed\"\n\n//go:embed static/a.txt\nvar A string\n",
			    "web/static/a.txt", "two", "web/testdata/go.mod", "module fixture\n",
			    "web/testdata/bad.go", "this is not Go", NULL);
	plan_of(&r, base, head, &got);
	CHECK_STR(got.buf, "web/... (1 of 2)");
	git_commit_free(base);
	git_commit_free(head);
	strbuf_release(&got);
	repo_close(&r);
}

TEST(whole_trees_when_the_graph_cannot_be_trusted)
{
	static const char *const cases[][3] = {
		/* extra file, its content, the reason */
		{ "go.work", "go 1.21\n\nuse .\n", "whole: the repository is a Go workspace" },
		{ "tools/go.mod", "module example.com/tools\n", "whole: tools/go.mod is a second module" },
		{ "vendor/modules.txt", "", "whole: the module vendors its dependencies" },
		{ "c/c.go", "package c\n\n// #include <stdio.h>\nimport \"C\"\n\nimport \"example.com/m/leaf\"\n\nvar W = leaf.V\n",
		  "whole: c uses cgo" },
		{ "bad/bad.go", "packag bad\n", "whole: bad/bad.go has imports that cannot be read" },
		{ "gone/gone.go", "package gone\n\nimport \"example.com/m/nowhere\"\n",
		  "whole: example.com/m/nowhere is imported but has no Go files" },
	};
	struct repo r;
	struct strbuf got = STRBUF_INIT;
	size_t i;

	repo_open(&r);
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		git_commit *base = commit_files(&r, GOMOD, LEAF("var V = 1"), UTIL, cases[i][0],
						cases[i][1], NULL);
		git_commit *head = commit_files(&r, GOMOD, LEAF("var V = 2"), UTIL, cases[i][0],
						cases[i][1], NULL);

		plan_of(&r, base, head, &got);
		CHECK_STR(got.buf, cases[i][2]);
		git_commit_free(base);
		git_commit_free(head);
	}
	{
		git_commit *base = commit_files(&r, "go.mod",
						"module example.com/m\n\nreplace example.com/x => ../x\n",
						LEAF("var V = 1"), UTIL, NULL);
		git_commit *head = commit_files(&r, "go.mod",
						"module example.com/m\n\nreplace example.com/x => ../x\n",
						LEAF("var V = 2"), UTIL, NULL);

		plan_of(&r, base, head, &got);
		CHECK_STR(got.buf, "whole: go.mod replaces a module by a directory");
		git_commit_free(base);
		git_commit_free(head);
	}
	{
		/* changes the build cannot pin on packages, and plans that need everything */
		git_commit *base = commit_files(&r, GOMOD, LEAF("var V = 1"), MID, NULL);
		git_commit *head = commit_files(&r, "go.mod", "module example.com/m\n\ngo 1.22\n",
						LEAF("var V = 1"), MID, NULL);

		plan_of(&r, base, head, &got);
		CHECK_STR(got.buf, "whole: go.mod changes the module graph");
		git_commit_free(head);
		head = commit_files(&r, GOMOD, LEAF("var V = 1"), MID, "x.s", "TEXT ·f(SB),0,$0\n",
				    NULL);
		plan_of(&r, base, head, &got);
		CHECK_STR(got.buf, "whole: x.s is in no package");
		git_commit_free(head);
		head = commit_files(&r, GOMOD, LEAF("var V = 2"), MID, NULL);
		plan_of(&r, base, head, &got);
		CHECK_STR(got.buf, "whole: every package is needed");
		git_commit_free(base);
		git_commit_free(head);
	}
	strbuf_release(&got);
	repo_close(&r);
}

/*
 * Enough files that they are read on several threads (on a machine with
 * more than one CPU): the plan is the same, and of many files that cannot
 * be read, the first in tree order is named.
 */
#define MANY 400

TEST(many_files_read_on_several_threads)
{
	char *paths[MANY + 4], *datas[MANY + 4];
	struct repo r;
	struct strbuf got = STRBUF_INIT;
	git_commit *base = NULL, *head = NULL;
	size_t n = 0, i;

	repo_open(&r);
	paths[n] = xstrdup("go.mod");
	datas[n++] = xstrdup("module example.com/m\n");
	for (i = 0; i < MANY; i++) {
		char p[64], d[128];

		snprintf(p, sizeof(p), "p%03zu/p.go", i);
		snprintf(d, sizeof(d), "package p%03zu\n\nimport \"strings\"\n\nvar V = strings.ToUpper(\"%zu\")\n", i, i);
		paths[n] = xstrdup(p);
		datas[n++] = xstrdup(d);
	}
	paths[n] = xstrdup("app/app.go");
	datas[n++] = xstrdup("package app\n\nimport \"example.com/m/p377\"\n\nvar W = p377.V\n");
	base = commit_array(&r, (const char *const *)paths, (const char *const *)datas, n);
	free(datas[1 + 377]);
	datas[1 + 377] = xstrdup("package p377\n\nvar V = \"changed\"\n");
	head = commit_array(&r, (const char *const *)paths, (const char *const *)datas, n);
	plan_of(&r, base, head, &got);
	CHECK_STR(got.buf, "app p377 (2 of 401)");
	/* two files that cannot be read, far apart: the first one is the reason */
	git_commit_free(head);
	free(datas[1 + 5]);
	datas[1 + 5] = xstrdup("packag p005\n");
	free(datas[1 + 390]);
	datas[1 + 390] = xstrdup("packag p390\n");
	head = commit_array(&r, (const char *const *)paths, (const char *const *)datas, n);
	plan_of(&r, base, head, &got);
	CHECK_STR(got.buf, "whole: p005/p.go has imports that cannot be read");
	for (i = 0; i < n; i++) {
		free(paths[i]);
		free(datas[i]);
	}
	git_commit_free(base);
	git_commit_free(head);
	strbuf_release(&got);
	repo_close(&r);
}

/* A plan made on a thread of its own is the plan made here, for the revisions it was asked. */
TEST(plan_made_ahead_on_a_thread)
{
	struct repo r;
	struct strbuf got = STRBUF_INIT, why = STRBUF_INIT;
	struct scope_plan plan;
	struct err err = ERR_INIT;
	struct revision b, h, other;
	struct scope_job *job;
	git_commit *base, *head;

	repo_open(&r);
	base = commit_files(&r, GOMOD, LEAF("var V = 1"), MID, TOP, OTHER, UTIL, NULL);
	head = commit_files(&r, GOMOD, LEAF("var V = 2"), MID, TOP, OTHER, UTIL, NULL);
	b = rev_of(base, "base");
	h = rev_of(head, "head");
	job = scope_job_start(r.git, &b, &h);
	CHECK(job != NULL);
	memset(&plan, 0, sizeof(plan));
	CHECK_INT(scope_job_finish(job, &b, &h, &plan, &why, &err), 0);
	CHECK(!plan.whole);
	CHECK_INT(plan.nwritten, 3);
	CHECK(strset_has(&plan.dirs, "cmd/app") && strset_has(&plan.dirs, "leaf") &&
	      strset_has(&plan.dirs, "mid"));
	scope_plan_release(&plan);
	/* asked for other revisions: nothing from it, the caller plans */
	other = rev_of(base, "other");
	job = scope_job_start(r.git, &b, &h);
	CHECK_INT(scope_job_finish(job, &b, &other, &plan, &why, &err), 1);
	/* a working-tree head is planned whole without a thread; an unused job is freed */
	memset(&other, 0, sizeof(other));
	other.worktree = 1;
	CHECK(scope_job_start(r.git, &b, &other) == NULL);
	scope_job_free(scope_job_start(r.git, &b, &h));
	scope_job_free(NULL);
	plan_of(&r, base, head, &got);
	CHECK_STR(got.buf, "cmd/app leaf mid (3 of 5)");
	git_commit_free(base);
	git_commit_free(head);
	strbuf_release(&got);
	strbuf_release(&why);
	err_release(&err);
	repo_close(&r);
}

static int exists(const char *dir, const char *rel)
{
	struct strbuf path = STRBUF_INIT;
	struct stat st;
	int ok;

	strbuf_addf(&path, "%s/%s", dir, rel);
	ok = !lstat(path.buf, &st);
	strbuf_release(&path);
	return ok;
}

TEST(scoped_write_takes_the_plan)
{
	struct repo r;
	struct revision b, h;
	struct scope_plan plan;
	struct strbuf why = STRBUF_INIT, dest = STRBUF_INIT;
	struct err err = ERR_INIT;
	git_commit *base, *head;

	repo_open(&r);
	base = commit_files(&r, GOMOD, "go.sum", "", LEAF("var V = 1"), MID, TOP, OTHER, UTIL,
			    "README.md", "x", "leaf/doc/notes.txt", "n", NULL);
	head = commit_files(&r, GOMOD, "go.sum", "", LEAF("var V = 2"), MID, TOP, OTHER, UTIL,
			    "README.md", "x", "leaf/doc/notes.txt", "n", "mid/mid_test.go",
			    "package mid\n", NULL);
	b = rev_of(base, "base");
	h = rev_of(head, "head");
	CHECK(!scope_plan(r.git, &b, &h, &plan, &why, &err));
	CHECK(!plan.whole);
	strbuf_addf(&dest, "%s/tree", r.dir.buf);
	CHECK(!mkdir(dest.buf, 0700));
	CHECK(!tree_write_commit_scoped(r.git, head, dest.buf, &plan, NULL, NULL, &err));
	CHECK(exists(dest.buf, "go.mod") && exists(dest.buf, "go.sum"));
	CHECK(exists(dest.buf, "leaf/leaf.go") && exists(dest.buf, "mid/mid.go"));
	CHECK(exists(dest.buf, "cmd/app/main.go"));
	CHECK(!exists(dest.buf, "other") && !exists(dest.buf, "util") && !exists(dest.buf, "README.md"));
	CHECK(!exists(dest.buf, "leaf/doc"));   /* leaf embeds nothing */
	CHECK(!exists(dest.buf, "mid/mid_test.go"));   /* tests are never written */
	scope_plan_release(&plan);
	scope_plan_release(&plan);   /* twice is fine */
	git_commit_free(base);
	git_commit_free(head);
	strbuf_release(&why);
	strbuf_release(&dest);
	err_release(&err);
	repo_close(&r);
}

TEST(working_tree_head_is_whole)
{
	struct repo r;
	struct revision b, h;
	struct scope_plan plan;
	struct strbuf why = STRBUF_INIT;
	struct err err = ERR_INIT;
	git_commit *base;

	repo_open(&r);
	base = commit_files(&r, GOMOD, LEAF("var V = 1"), NULL);
	b = rev_of(base, "base");
	memset(&h, 0, sizeof(h));
	h.label = "worktree";
	h.worktree = 1;
	CHECK(!scope_plan(r.git, &b, &h, &plan, &why, &err));
	CHECK(plan.whole);
	CHECK_STR(why.buf, "the head is the working tree");
	scope_plan_release(&plan);
	git_commit_free(base);
	strbuf_release(&why);
	err_release(&err);
	repo_close(&r);
}

/* The map the plan (and tree names, and attribution's source cache) is kept in. */
TEST(strmap_grows_and_keeps_values)
{
	struct strmap m = { 0 };
	char key[32];
	int added, i, ok = 1;

	CHECK(!strmap_get(&m, "absent"));
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "dir/%d", i);
		*strmap_put(&m, key, &added) = xstrdup(key);
		ok &= added;
	}
	CHECK(ok);
	CHECK_INT(m.nr, 1000);
	strmap_put(&m, "dir/7", &added);
	CHECK(!added);
	CHECK_INT(m.nr, 1000);
	for (i = 0; i < 1000; i++) {
		void **v;

		snprintf(key, sizeof(key), "dir/%d", i);
		v = strmap_get(&m, key);
		if (!v || strcmp(*v, key))
			ok = 0;
	}
	CHECK(ok);
	CHECK(!strmap_get(&m, "dir/1000"));
	CHECK(!strmap_get(&m, ""));
	strmap_release(&m, free);
	CHECK(!m.nr && !m.size);
	strmap_release(&m, free);   /* twice is fine */
}

/* One copy of a text however often it is interned; the copy stays put while the map grows. */
TEST(strmap_interns_one_copy)
{
	struct strmap m = { 0 };
	char key[32], again[32];
	const char *first = strmap_intern(&m, "leaking param: p");
	int i, ok = 1;

	CHECK(first != NULL);
	strcpy(again, "leaking param: p");
	CHECK(strmap_intern(&m, again) == first);
	CHECK(strmap_intern(&m, "") != first);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "text %d", i);
		ok &= !strcmp(strmap_intern(&m, key), key);
	}
	CHECK(ok);
	CHECK(strmap_intern(&m, "leaking param: p") == first);
	CHECK_STR(first, "leaking param: p");
	CHECK_INT(m.nr, 1002);
	strmap_release(&m, NULL);
}

int main(void)
{
	git_libgit2_init();
	RUN(leaf_change_writes_importers_and_their_imports);
	RUN(imports_of_both_revisions_count);
	RUN(embedded_and_ignored_directories);
	RUN(whole_trees_when_the_graph_cannot_be_trusted);
	RUN(many_files_read_on_several_threads);
	RUN(plan_made_ahead_on_a_thread);
	RUN(scoped_write_takes_the_plan);
	RUN(working_tree_head_is_whole);
	RUN(strmap_grows_and_keeps_values);
	RUN(strmap_interns_one_copy);
	git_libgit2_shutdown();
	TEST_EXIT();
}
