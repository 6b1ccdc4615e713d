/*
 * Temporary directories (core/tree.c): removal never follows a link.
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

int main(void)
{
	git_libgit2_init();
	RUN(remove_never_follows_links);
	git_libgit2_shutdown();
	TEST_EXIT();
}
