#include "revs.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int rev_resolve(git_repository *repo, const char *spec, struct revision *out, struct err *err)
{
	git_object *obj = NULL, *peeled = NULL;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (!*spec) {
		err_set(err, EXIT_USAGE, "empty revision");
		goto out;
	}
	if (git_revparse_single(&obj, repo, spec)) {
		err_set(err, EXIT_USAGE, "unknown revision '%s'", spec);
		goto out;
	}
	if (git_object_peel(&peeled, obj, GIT_OBJECT_COMMIT)) {
		err_set(err, EXIT_USAGE, "revision '%s' is not a commit", spec);
		goto out;
	}
	out->commit = (git_commit *)peeled;
	peeled = NULL;
	git_oid_tostr(out->hex, sizeof(out->hex), git_commit_id(out->commit));
	out->label = xstrdup(spec);
	ret = 0;
out:
	git_object_free(obj);
	git_object_free(peeled);
	return ret;
}

void rev_worktree(struct revision *out)
{
	memset(out, 0, sizeof(*out));
	out->label = xstrdup("worktree");
	out->worktree = 1;
}

int rev_default_base(git_repository *repo, struct revision *out, struct strbuf *why,
		     struct err *err)
{
	static const char *const candidates[] = {
		"refs/remotes/origin/HEAD", "origin/main", "main", "origin/master", "master",
	};
	struct revision head = { 0 }, other = { 0 };
	git_oid base;
	size_t i;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (git_repository_head_unborn(repo) == 1) {
		err_set(err, EXIT_USAGE, "HEAD has no commits yet: pass --base REV");
		goto out;
	}
	if (rev_resolve(repo, "HEAD", &head, err))
		goto out;
	for (i = 0; i < sizeof(candidates) / sizeof(*candidates); i++) {
		struct err ignored = ERR_INIT;
		const char *name = candidates[i];
		int r = rev_resolve(repo, name, &other, &ignored);

		err_release(&ignored);
		if (r)
			continue;
		if (git_merge_base(&base, repo, git_commit_id(head.commit),
				   git_commit_id(other.commit))) {
			rev_release(&other);
			continue;
		}
		if (!strcmp(name, "refs/remotes/origin/HEAD"))
			name = "origin/HEAD";
		if (git_commit_lookup(&out->commit, repo, &base)) {
			err_set(err, EXIT_ANALYSIS, "cannot read commit %s: %s", git_oid_tostr_s(&base),
				git_error_last()->message);
			goto out;
		}
		git_oid_tostr(out->hex, sizeof(out->hex), &base);
		out->label = xstrdup(out->hex);
		strbuf_addf(why, "merge base of HEAD and %s", name);
		ret = 0;
		goto out;
	}
	err_set(err, EXIT_USAGE,
		"no base revision: none of origin/HEAD, origin/main, main, origin/master, master exists; pass --base REV");
out:
	rev_release(&head);
	rev_release(&other);
	return ret;
}

void rev_release(struct revision *rev)
{
	if (!rev)
		return;
	git_commit_free(rev->commit);
	free(rev->label);
	memset(rev, 0, sizeof(*rev));
}

static int read_worktree_file(git_repository *repo, const char *path, struct strbuf *out,
			      int *found, struct err *err)
{
	const char *workdir = git_repository_workdir(repo);
	struct strbuf full = STRBUF_INIT;
	struct stat st;
	char buf[8192];
	ssize_t n;
	int fd = -1, ret = -1;

	if (!workdir) {
		ret = 0;   /* a bare repository has no working tree to read */
		goto out;
	}
	strbuf_addf(&full, "%s%s", workdir, path);
	/* O_NOFOLLOW: the file must be the repository's own, not where a link leads */
	fd = open(full.buf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		ret = 0;
		goto out;
	}
	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		err_set(err, EXIT_USAGE, "cannot read '%s' in the working tree: %s", path,
			fd < 0 && errno == ELOOP ? "is a symbolic link" :
			fd < 0 ? strerror(errno) : "not a regular file");
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(err, EXIT_USAGE, "cannot read '%s' in the working tree: %s", path,
				strerror(errno));
			goto out;
		}
		strbuf_add(out, buf, (size_t)n);
	}
	*found = 1;
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	strbuf_release(&full);
	return ret;
}

int rev_read_file(git_repository *repo, const struct revision *rev, const char *path,
		  struct strbuf *out, int *found, struct err *err)
{
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	int ret = -1;

	*found = 0;
	if (rev->worktree)
		return read_worktree_file(repo, path, out, found, err);
	if (git_commit_tree(&tree, rev->commit)) {
		err_set(err, EXIT_ANALYSIS, "cannot read the tree of %s: %s", rev->label,
			git_error_last()->message);
		goto out;
	}
	if (git_tree_entry_bypath(&entry, tree, path)) {
		ret = 0;
		goto out;
	}
	if (git_tree_entry_filemode(entry) != GIT_FILEMODE_BLOB &&
	    git_tree_entry_filemode(entry) != GIT_FILEMODE_BLOB_EXECUTABLE) {
		err_set(err, EXIT_USAGE, "cannot read '%s:%s': not a regular file", rev->label, path);
		goto out;
	}
	if (git_blob_lookup(&blob, repo, git_tree_entry_id(entry))) {
		err_set(err, EXIT_ANALYSIS, "cannot read '%s:%s': %s", rev->label, path,
			git_error_last()->message);
		goto out;
	}
	strbuf_add(out, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob));
	*found = 1;
	ret = 0;
out:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	return ret;
}
