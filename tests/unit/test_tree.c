/*
 * Writing revisions into temporary directories (core/tree.c): the second
 * tree of a run links the files it shares with the first, and removal
 * never follows a link.
 */
#define TEST_SUITE "tree"
#include "test.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/tree.h"
#include "core/util.h"

/* A scratch directory for one test, removed (with tmpdir_remove) at its end. */
static void scratch(struct strbuf *dir)
{
	struct err err = ERR_INIT;

	strbuf_reset(dir);
	if (tmpdir_create(dir, &err))
		FAIL_("%s", err.msg.buf);
	err_release(&err);
}

static void put(const char *dir, const char *rel, const char *data)
{
	struct strbuf path = STRBUF_INIT;
	int fd;

	strbuf_addf(&path, "%s/%s", dir, rel);
	fd = open(path.buf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, data, strlen(data)) != (ssize_t)strlen(data))
		FAIL_("cannot write %s: %s", path.buf, strerror(errno));
	if (fd >= 0)
		close(fd);
	strbuf_release(&path);
}

static void sub(const char *dir, const char *rel)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/%s", dir, rel);
	if (mkdir(path.buf, 0755))
		FAIL_("cannot create %s: %s", path.buf, strerror(errno));
	strbuf_release(&path);
}

static void link_to(const char *dir, const char *rel, const char *target)
{
	struct strbuf path = STRBUF_INIT;

	strbuf_addf(&path, "%s/%s", dir, rel);
	if (symlink(target, path.buf))
		FAIL_("cannot link %s: %s", path.buf, strerror(errno));
	strbuf_release(&path);
}

/* The file's content, or NULL when there is none. */
static char *slurp(const char *dir, const char *rel)
{
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	char buf[4096];
	ssize_t n;
	int fd;

	strbuf_addf(&path, "%s/%s", dir, rel);
	fd = open(path.buf, O_RDONLY | O_NOFOLLOW);
	strbuf_release(&path);
	if (fd < 0)
		return NULL;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		strbuf_add(&data, buf, (size_t)n);
	close(fd);
	return strbuf_detach(&data, NULL);
}

static int stat_at(const char *dir, const char *rel, struct stat *st)
{
	struct strbuf path = STRBUF_INIT;
	int r;

	strbuf_addf(&path, "%s/%s", dir, rel);
	r = lstat(path.buf, st);
	strbuf_release(&path);
	return r;
}

static int exists(const char *path)
{
	struct stat st;

	return !lstat(path, &st);
}

TEST(remove_never_follows_links)
{
	struct strbuf t = STRBUF_INIT, victim = STRBUF_INIT, outside = STRBUF_INIT;
	struct strbuf rel = STRBUF_INIT;
	char *kept;
	int i, j;

	scratch(&t);
	strbuf_addf(&victim, "%s/victim", t.buf);
	strbuf_addf(&outside, "%s/outside", t.buf);
	sub(t.buf, "victim");
	sub(t.buf, "outside");
	put(outside.buf, "keep.go", "package keep\n");
	/* more files than one batch, in nested directories: several threads, several batches */
	for (i = 0; i < 30; i++) {
		strbuf_reset(&rel);
		strbuf_addf(&rel, "d%02d", i);
		sub(victim.buf, rel.buf);
		strbuf_addstr(&rel, "/e");
		sub(victim.buf, rel.buf);
		for (j = 0; j < 40; j++) {
			strbuf_reset(&rel);
			strbuf_addf(&rel, "d%02d/%sf%02d.go", i, j % 2 ? "e/" : "", j);
			put(victim.buf, rel.buf, "package p\n");
		}
	}
	link_to(victim.buf, "out", outside.buf);
	link_to(victim.buf, "d00/e/up", "../../../outside");
	link_to(victim.buf, "d01/keep.go", "../../outside/keep.go");
	link_to(victim.buf, "loop", "loop");
	tmpdir_remove(victim.buf);
	CHECK(!exists(victim.buf));
	kept = slurp(outside.buf, "keep.go");
	CHECK(kept && !strcmp(kept, "package keep\n"));
	free(kept);
	/* a link given as the path is removed, not what it points to */
	link_to(t.buf, "alias", outside.buf);
	strbuf_reset(&rel);
	strbuf_addf(&rel, "%s/alias", t.buf);
	tmpdir_remove(rel.buf);
	CHECK(!exists(rel.buf));
	CHECK(exists(outside.buf));
	tmpdir_remove(NULL);
	tmpdir_remove("");
	tmpdir_remove(victim.buf);   /* gone already */
	tmpdir_remove(t.buf);
	CHECK(!exists(t.buf));
	strbuf_release(&t);
	strbuf_release(&victim);
	strbuf_release(&outside);
	strbuf_release(&rel);
}

/* A repository to write commits into, made with libgit2 in a scratch directory. */
struct repo {
	struct strbuf dir;
	git_repository *git;
	git_signature *sig;
};

static void repo_open(struct repo *r)
{
	strbuf_init(&r->dir, 0);
	scratch(&r->dir);
	strbuf_addstr(&r->dir, "/repo");
	if (git_repository_init(&r->git, r->dir.buf, 1) ||
	    git_signature_new(&r->sig, "t", "t@example.invalid", 1700000000, 0))
		FAIL_("cannot make a repository: %s", git_error_last()->message);
}

static void repo_close(struct repo *r)
{
	git_signature_free(r->sig);
	git_repository_free(r->git);
	strbuf_setlen(&r->dir, r->dir.len - strlen("/repo"));
	tmpdir_remove(r->dir.buf);
	strbuf_release(&r->dir);
}

static git_oid blob(struct repo *r, const char *data)
{
	git_oid oid;

	if (git_blob_create_from_buffer(&oid, r->git, data, strlen(data)))
		FAIL_("cannot write a blob: %s", git_error_last()->message);
	return oid;
}

/* One raw tree entry: git's own writers would refuse the hostile ones. */
struct entry {
	const char *mode, *name;
	git_oid oid;
};

static git_oid raw_tree(struct repo *r, const struct entry *e, size_t n)
{
	struct strbuf buf = STRBUF_INIT;
	git_odb *odb = NULL;
	git_oid oid;
	size_t i;

	for (i = 0; i < n; i++) {
		strbuf_addf(&buf, "%s %s", e[i].mode, e[i].name);
		strbuf_addch(&buf, '\0');
		strbuf_add(&buf, e[i].oid.id, GIT_OID_RAWSZ);
	}
	if (git_repository_odb(&odb, r->git) ||
	    git_odb_write(&oid, odb, buf.buf, buf.len, GIT_OBJECT_TREE))
		FAIL_("cannot write a tree: %s", git_error_last()->message);
	git_odb_free(odb);
	strbuf_release(&buf);
	return oid;
}

static git_commit *commit(struct repo *r, git_oid tree_id)
{
	git_tree *tree = NULL;
	git_commit *c = NULL;
	git_oid oid;

	if (git_tree_lookup(&tree, r->git, &tree_id) ||
	    git_commit_create(&oid, r->git, NULL, r->sig, r->sig, NULL, "c", tree, 0, NULL) ||
	    git_commit_lookup(&c, r->git, &oid))
		FAIL_("cannot commit: %s", git_error_last()->message);
	git_tree_free(tree);
	return c;
}

/* Writes c into dir/name (made first, as analysis.c does). */
static int write_into(struct repo *r, git_commit *c, const char *dir, const char *name,
		      const struct tree_files *reuse, struct tree_files *made, struct strbuf *dest)
{
	struct err err = ERR_INIT;
	int ret;

	strbuf_reset(dest);
	strbuf_addf(dest, "%s/%s", dir, name);
	if (mkdir(dest->buf, 0700))
		FAIL_("cannot create %s: %s", dest->buf, strerror(errno));
	ret = tree_write_commit(r->git, c, dest->buf, reuse, made, &err);
	if (ret)
		FAIL_("tree_write_commit: %s", err.msg.buf);
	err_release(&err);
	return ret;
}

static int same_inode(const char *a, const char *arel, const char *b, const char *brel)
{
	struct stat x, y;

	return !stat_at(a, arel, &x) && !stat_at(b, brel, &y) && x.st_ino == y.st_ino &&
	       x.st_dev == y.st_dev;
}

TEST(second_tree_links_shared_files)
{
	struct repo r;
	struct tree_files made = { 0 };
	struct strbuf base = STRBUF_INIT, head = STRBUF_INIT;
	git_oid one, two, three, mod, script, subtree, t;
	git_commit *b = NULL, *h = NULL;
	struct stat st;
	char *data;

	repo_open(&r);
	one = blob(&r, "package m\n\nvar One = 1\n");
	two = blob(&r, "package m\n\nvar Two = 2\n");
	mod = blob(&r, "module example.com/m\n\ngo 1.21\n");
	three = blob(&r, "package s\n");
	script = blob(&r, "#!/bin/sh\n");
	{
		struct entry s[] = { { "100644", "s.go", three } };

		subtree = raw_tree(&r, s, 1);
	}
	{
		struct entry e[] = {
			{ "100644", "a.go", one }, { "100644", "b.go", two },
			{ "100644", "go.mod", mod }, { "100644", "go.sum", two },
			{ "100755", "run.sh", script }, { "40000", "sub", subtree },
		};

		t = raw_tree(&r, e, sizeof(e) / sizeof(*e));
		b = commit(&r, t);
	}
	{
		/* b.go changed, c.go new but the same as a.go, run.sh no longer executable */
		struct entry e[] = {
			{ "100644", "a.go", one }, { "100644", "b.go", one },
			{ "100644", "c.go", one }, { "100644", "go.mod", mod },
			{ "100644", "go.sum", two }, { "100644", "run.sh", script },
			{ "40000", "sub", subtree },
		};

		t = raw_tree(&r, e, sizeof(e) / sizeof(*e));
		h = commit(&r, t);
	}
	if (!write_into(&r, b, r.dir.buf, "base", NULL, &made, &base)) {
		/* a.go, b.go, run.sh and sub/s.go; go.mod and go.sum are never shared */
		CHECK_INT(made.nr, 4);
		CHECK_STR(made.dir, base.buf);
	}
	if (!write_into(&r, h, r.dir.buf, "head", &made, NULL, &head)) {
		CHECK(same_inode(base.buf, "a.go", head.buf, "a.go"));
		CHECK(same_inode(base.buf, "sub/s.go", head.buf, "sub/s.go"));
		/* by content, wherever the other tree has it */
		CHECK(same_inode(base.buf, "a.go", head.buf, "b.go"));
		CHECK(same_inode(base.buf, "a.go", head.buf, "c.go"));
		CHECK(!same_inode(base.buf, "go.mod", head.buf, "go.mod"));
		CHECK(!same_inode(base.buf, "go.sum", head.buf, "go.sum"));
		CHECK(!same_inode(base.buf, "run.sh", head.buf, "run.sh"));
		CHECK(!stat_at(head.buf, "run.sh", &st) && !(st.st_mode & 0111));
		CHECK(!stat_at(base.buf, "run.sh", &st) && (st.st_mode & 0100));
		data = slurp(head.buf, "b.go");
		CHECK(data && !strcmp(data, "package m\n\nvar One = 1\n"));
		free(data);
		data = slurp(base.buf, "b.go");
		CHECK(data && !strcmp(data, "package m\n\nvar Two = 2\n"));
		free(data);
		data = slurp(head.buf, "go.mod");
		CHECK(data && !strcmp(data, "module example.com/m\n\ngo 1.21\n"));
		free(data);
	}
	tree_files_release(&made);
	tree_files_release(&made);   /* released twice is fine */
	tree_files_release(NULL);
	git_commit_free(b);
	git_commit_free(h);
	strbuf_release(&base);
	strbuf_release(&head);
	repo_close(&r);
}

/*
 * A hostile head names a path twice, or a file and a directory alike, or
 * puts a link where the other tree has a file: the first entry still wins,
 * links are still checked, and the other tree's files are never written.
 */
TEST(hostile_head_linking_files)
{
	struct repo r;
	struct tree_files made = { 0 };
	struct strbuf base = STRBUF_INIT, head = STRBUF_INIT;
	git_oid one, two, up, pwned, t;
	git_commit *b = NULL, *h = NULL;
	struct stat st;
	char *data;

	repo_open(&r);
	one = blob(&r, "package m\n\nvar One = 1\n");
	two = blob(&r, "package m\n\nvar Two = 2\n");
	up = blob(&r, "../../..");
	{
		struct entry e[] = { { "100644", "pwned.go", one } };

		pwned = raw_tree(&r, e, 1);
	}
	{
		struct entry e[] = { { "100644", "a.go", one }, { "100644", "b.go", two } };

		t = raw_tree(&r, e, 2);
		b = commit(&r, t);
	}
	{
		struct entry e[] = {
			{ "100644", "a.go", two }, { "100644", "a.go", one },
			{ "100644", "b.go", one }, { "40000", "b.go", pwned },
			{ "40000", "d", pwned }, { "100644", "d", one },
			{ "120000", "c.go", up }, { "100644", "c.go", one },
			{ "120000", "e.go", up },
			{ "100644", "..", one }, { "100644", ".git", one },
		};

		t = raw_tree(&r, e, sizeof(e) / sizeof(*e));
		h = commit(&r, t);
	}
	if (!write_into(&r, b, r.dir.buf, "base", NULL, &made, &base) &&
	    !write_into(&r, h, r.dir.buf, "head", &made, NULL, &head)) {
		/* the first a.go (two) wins, linked to base's b.go */
		data = slurp(head.buf, "a.go");
		CHECK(data && !strcmp(data, "package m\n\nvar Two = 2\n"));
		free(data);
		CHECK(same_inode(base.buf, "b.go", head.buf, "a.go"));
		/* b.go the file, not the directory */
		CHECK(!stat_at(head.buf, "b.go", &st) && S_ISREG(st.st_mode));
		CHECK(same_inode(base.buf, "a.go", head.buf, "b.go"));
		/* d the directory, not the file */
		CHECK(!stat_at(head.buf, "d", &st) && S_ISDIR(st.st_mode));
		/* links come last: c.go is the file; e.go would leave the tree */
		CHECK(!stat_at(head.buf, "c.go", &st) && S_ISREG(st.st_mode));
		CHECK(stat_at(head.buf, "e.go", &st) && errno == ENOENT);
		CHECK(stat_at(head.buf, ".git", &st));
		/* base as it was written */
		data = slurp(base.buf, "a.go");
		CHECK(data && !strcmp(data, "package m\n\nvar One = 1\n"));
		free(data);
		data = slurp(base.buf, "b.go");
		CHECK(data && !strcmp(data, "package m\n\nvar Two = 2\n"));
		free(data);
		CHECK(stat_at(base.buf, "d", &st) && errno == ENOENT);
	}
	tree_files_release(&made);
	git_commit_free(b);
	git_commit_free(h);
	strbuf_release(&base);
	strbuf_release(&head);
	repo_close(&r);
}

/* The content of file i of a generated tree: some empty, one large, the rest small. */
static void gen_content(struct strbuf *sb, int i)
{
	int k;

	strbuf_reset(sb);
	if (i % 50 == 3)
		return;
	strbuf_addf(sb, "package p%d\n\n// file %d\n", i / 10, i);
	if (i == 77)
		for (k = 0; k < 20000; k++)
			strbuf_addf(sb, "var v%d = %d\n", k, k);
}

/*
 * A tree of ndirs directories of nfiles files each (d00/f00.go...), every
 * seventh executable; extra entries, when given, go at the top level after them.
 */
static git_oid gen_tree(struct repo *r, int ndirs, int nfiles, const struct entry *extra,
			size_t nextra)
{
	struct entry *top = xcalloc((size_t)ndirs + nextra, sizeof(*top));
	struct entry *files = xcalloc((size_t)nfiles, sizeof(*files));
	char **names = xcalloc((size_t)(ndirs + ndirs * nfiles), sizeof(*names));
	struct strbuf sb = STRBUF_INIT;
	git_oid t;
	int d, f, n = 0;

	for (d = 0; d < ndirs; d++) {
		for (f = 0; f < nfiles; f++) {
			int i = d * nfiles + f;

			strbuf_reset(&sb);
			strbuf_addf(&sb, "f%02d.go", f);
			names[n] = strbuf_detach(&sb, NULL);
			files[f].name = names[n++];
			files[f].mode = i % 7 ? "100644" : "100755";
			gen_content(&sb, i);
			files[f].oid = blob(r, sb.buf);
		}
		strbuf_reset(&sb);
		strbuf_addf(&sb, "d%02d", d);
		names[n] = strbuf_detach(&sb, NULL);
		top[d].name = names[n++];
		top[d].mode = "40000";
		top[d].oid = raw_tree(r, files, (size_t)nfiles);
	}
	if (nextra)
		memcpy(top + ndirs, extra, nextra * sizeof(*extra));
	t = raw_tree(r, top, (size_t)ndirs + nextra);
	while (n)
		free(names[--n]);
	free(names);
	free(files);
	free(top);
	strbuf_release(&sb);
	return t;
}

/* Writes c into dir/name, expecting an error: its message, or NULL when it was written. */
static char *write_fails(struct repo *r, git_commit *c, const char *dir, const char *name,
			 struct tree_files *made, struct strbuf *dest)
{
	struct err err = ERR_INIT;
	char *msg = NULL;

	strbuf_reset(dest);
	strbuf_addf(dest, "%s/%s", dir, name);
	if (mkdir(dest->buf, 0700) && errno != EEXIST)
		FAIL_("cannot create %s: %s", dest->buf, strerror(errno));
	if (tree_write_commit(r->git, c, dest->buf, NULL, made, &err)) {
		CHECK_INT(err.status, EXIT_ANALYSIS);
		msg = strbuf_detach(&err.msg, NULL);
	}
	err_release(&err);
	return msg;
}

/* Enough files for the writer threads: every one written, with its content and mode. */
TEST(many_files_written_by_threads)
{
	struct repo r;
	struct tree_files made = { 0 };
	struct strbuf base = STRBUF_INIT, head = STRBUF_INIT, rel = STRBUF_INIT;
	struct strbuf want = STRBUF_INIT;
	git_commit *c = NULL;
	mode_t mask = umask(0);
	struct stat st;
	int d, f, bad = 0;

	umask(mask);
	repo_open(&r);
	c = commit(&r, gen_tree(&r, 20, 10, NULL, 0));
	if (!write_into(&r, c, r.dir.buf, "base", NULL, &made, &base)) {
		CHECK_INT(made.nr, 200);
		for (d = 0; d < 20; d++) {
			for (f = 0; f < 10; f++) {
				int i = d * 10 + f;
				char *data;

				strbuf_reset(&rel);
				strbuf_addf(&rel, "d%02d/f%02d.go", d, f);
				gen_content(&want, i);
				data = slurp(base.buf, rel.buf);
				if (!data || strcmp(data, want.buf) ||
				    stat_at(base.buf, rel.buf, &st) || !S_ISREG(st.st_mode) ||
				    (st.st_mode & 0777) != ((i % 7 ? 0644 : 0755) & ~mask)) {
					if (!bad++)
						FAIL_("%s: wrong content or mode", rel.buf);
				}
				free(data);
			}
		}
		CHECK_INT(bad, 0);
	}
	/* the second write links every file the first made */
	if (!write_into(&r, c, r.dir.buf, "head", &made, NULL, &head)) {
		CHECK(same_inode(base.buf, "d00/f00.go", head.buf, "d00/f00.go"));
		CHECK(same_inode(base.buf, "d19/f09.go", head.buf, "d19/f09.go"));
		CHECK(same_inode(base.buf, "d07/f07.go", head.buf, "d07/f07.go"));
	}
	tree_files_release(&made);
	git_commit_free(c);
	strbuf_release(&base);
	strbuf_release(&head);
	strbuf_release(&rel);
	strbuf_release(&want);
	repo_close(&r);
}

/* How many of made's files are at rel. */
static int made_count(const struct tree_files *made, const char *rel)
{
	size_t i;
	int n = 0;

	for (i = 0; i < made->nr; i++)
		n += !strcmp(made->items[i].rel, rel);
	return n;
}

/*
 * Names given twice in a tree large enough for the writer threads: the
 * entry walked first wins, every time, whichever thread is faster.
 */
TEST(hostile_duplicates_with_threads)
{
	struct repo r;
	struct tree_files made = { 0 };
	struct strbuf dest = STRBUF_INIT, name = STRBUF_INIT;
	git_oid one, two, sub_a, sub_b, t;
	git_commit *c = NULL;
	struct stat st;
	int round;

	repo_open(&r);
	one = blob(&r, "package m\n\nvar One = 1\n");
	two = blob(&r, "package m\n\nvar Two = 2\n");
	{
		struct entry a[] = { { "100644", "a.go", one } };
		struct entry b[] = { { "100644", "b.go", two } };

		sub_a = raw_tree(&r, a, 1);
		sub_b = raw_tree(&r, b, 1);
	}
	{
		/* after 100 files: the threads run by then */
		struct entry e[] = {
			{ "100644", "dup.go", one }, { "100755", "dup.go", two },
			{ "100644", "dup.go", two }, { "40000", "dup.go", sub_a },
			{ "40000", "sub", sub_a }, { "40000", "sub", sub_b },
			{ "100644", "sub", one },
			{ "100644", "file", two }, { "40000", "file", sub_b },
			{ "120000", "late.go", one }, { "100644", "late.go", two },
		};

		t = gen_tree(&r, 10, 10, e, sizeof(e) / sizeof(*e));
		c = commit(&r, t);
	}
	for (round = 0; round < 8; round++) {
		char *data;

		strbuf_reset(&name);
		strbuf_addf(&name, "w%d", round);
		if (write_into(&r, c, r.dir.buf, name.buf, NULL, &made, &dest))
			break;
		data = slurp(dest.buf, "dup.go");
		CHECK(data && !strcmp(data, "package m\n\nvar One = 1\n"));
		free(data);
		CHECK(!stat_at(dest.buf, "dup.go", &st) && !(st.st_mode & 0111));
		/* the first sub, whole; not the second's files */
		CHECK(!stat_at(dest.buf, "sub", &st) && S_ISDIR(st.st_mode));
		CHECK(!stat_at(dest.buf, "sub/a.go", &st));
		CHECK(stat_at(dest.buf, "sub/b.go", &st) && errno == ENOENT);
		CHECK(!stat_at(dest.buf, "file", &st) && S_ISREG(st.st_mode));
		CHECK(!stat_at(dest.buf, "late.go", &st) && S_ISREG(st.st_mode));
		/* made lists each file written, once */
		CHECK_INT(made.nr, 100 + 4);
		CHECK_INT(made_count(&made, "dup.go"), 1);
		CHECK_INT(made_count(&made, "sub/a.go"), 1);
		CHECK_INT(made_count(&made, "sub/b.go"), 0);
		CHECK_INT(made_count(&made, "file"), 1);
		tree_files_release(&made);
		tmpdir_remove(dest.buf);
		if (test_failed_)
			break;
	}
	tree_files_release(&made);
	git_commit_free(c);
	strbuf_release(&dest);
	strbuf_release(&name);
	repo_close(&r);
}

/*
 * A file a writer thread cannot create fails the write with its path
 * named; one whose name dest already has is skipped and not listed.
 */
TEST(writer_errors_and_taken_names)
{
	struct repo r;
	struct tree_files made = { 0 };
	struct strbuf dest = STRBUF_INIT, want = STRBUF_INIT, name = STRBUF_INIT;
	char longname[301];
	git_oid one, t;
	git_commit *big = NULL, *small = NULL, *taken = NULL;
	struct stat st;
	char *msg;
	int round;

	repo_open(&r);
	one = blob(&r, "package m\n");
	/* longer than a file name can be: only open() says so */
	memset(longname, 'x', sizeof(longname) - 4);
	strcpy(longname + sizeof(longname) - 4, ".go");
	{
		struct entry e[] = { { "100644", longname, one }, { "100644", "z.go", one } };

		t = gen_tree(&r, 10, 10, e, 2);
		big = commit(&r, t);
		t = gen_tree(&r, 1, 2, e, 2);
		small = commit(&r, t);
	}
	for (round = 0; round < 4; round++) {
		strbuf_reset(&name);
		strbuf_addf(&name, "big%d", round);
		msg = write_fails(&r, big, r.dir.buf, name.buf, &made, &dest);
		strbuf_reset(&want);
		strbuf_addf(&want, "cannot create '%s/%s': ", dest.buf, longname);
		CHECK(msg && !strncmp(msg, want.buf, want.len));
		free(msg);
		tree_files_release(&made);
		tmpdir_remove(dest.buf);
	}
	/* a small tree is written on the calling thread: the same error */
	msg = write_fails(&r, small, r.dir.buf, "small", &made, &dest);
	strbuf_reset(&want);
	strbuf_addf(&want, "cannot create '%s/%s': ", dest.buf, longname);
	CHECK(msg && !strncmp(msg, want.buf, want.len));
	free(msg);
	tree_files_release(&made);

	/* dest has a directory top.go already: that file is neither written nor listed */
	{
		struct entry e[] = { { "100644", "top.go", one }, { "100644", "z.go", one } };

		taken = commit(&r, gen_tree(&r, 10, 10, e, 2));
	}
	strbuf_reset(&dest);
	strbuf_addf(&dest, "%s/taken", r.dir.buf);
	sub(r.dir.buf, "taken");
	sub(dest.buf, "top.go");
	msg = write_fails(&r, taken, r.dir.buf, "taken", &made, &dest);
	CHECK(!msg);
	free(msg);
	CHECK_INT(made.nr, 101);
	CHECK_INT(made_count(&made, "top.go"), 0);
	CHECK_INT(made_count(&made, "z.go"), 1);
	CHECK(!stat_at(dest.buf, "top.go", &st) && S_ISDIR(st.st_mode));
	tree_files_release(&made);
	git_commit_free(big);
	git_commit_free(small);
	git_commit_free(taken);
	strbuf_release(&dest);
	strbuf_release(&want);
	strbuf_release(&name);
	repo_close(&r);
}

int main(void)
{
	git_libgit2_init();
	RUN(remove_never_follows_links);
	RUN(second_tree_links_shared_files);
	RUN(hostile_head_linking_files);
	RUN(many_files_written_by_threads);
	RUN(hostile_duplicates_with_threads);
	RUN(writer_errors_and_taken_names);
	git_libgit2_shutdown();
	TEST_EXIT();
}
