#include "analysis.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "attribute.h"
#include "logjson.h"
#include "tree.h"
#include "util.h"

void analysis_default_store(git_repository *repo, struct strbuf *out)
{
	const char *common = git_repository_commondir(repo);
	size_t n = strlen(common);

	strbuf_add(out, common, n);
	if (n && common[n - 1] != '/')
		strbuf_addch(out, '/');
	strbuf_addstr(out, "escgate/store.db");
}

/* Everything that decides the compiler's verdicts, hashed into the store's key. */
static void analysis_key(const struct gate *g, const char *content_id, struct strbuf *key,
			 struct strbuf *flags)
{
	struct strbuf text = STRBUF_INIT;
	git_oid oid;

	strbuf_addf(flags, "tags=%s %s", g->build.tags ? g->build.tags : "", g->tc.build_env);
	strbuf_addf(&text, "escgate analysis %d\ncontent %s\ngo %s\ntarget %s/%s\nflags %s\n",
		    ANALYZER_VERSION, content_id, g->tc.version, g->tc.goos, g->tc.goarch,
		    flags->buf);
	git_odb_hash(&oid, text.buf, text.len, GIT_OBJECT_BLOB);
	strbuf_addstr(key, git_oid_tostr_s(&oid));
	strbuf_release(&text);
}

/* Progress on stderr, unless --quiet. */
static void say(const struct gate *g, const char *label, const char *what, const char *doing)
{
	if (!g->quiet)
		fprintf(stderr, "escgate: %s: %s: %s\n", label, what, doing);
}

/* Builds the tree at dir and records what the compiler said. */
static int analyse_tree(struct gate *g, const char *label, const char *dir,
			const struct analysis_meta *meta, long long *id, struct err *err)
{
	struct build_output bo = { 0 };
	struct finding_list findings = { 0 };
	struct inline_map *inl = NULL;
	struct strbuf json_dir = STRBUF_INIT;
	char root[PATH_MAX];
	int ret = -1;

	/* the compiler reports resolved paths; compare like with like */
	if (!realpath(dir, root)) {
		err_set(err, EXIT_ANALYSIS, "cannot resolve '%s'", dir);
		goto out;
	}
	strbuf_addf(&json_dir, "%s-json", dir);
	if (gobuild_tree(&g->tc, &g->build, root, json_dir.buf, label, &bo, err))
		goto out;
	if (inline_map_load(&inl, json_dir.buf, err))
		goto out;
	if (attribute_findings(&bo, inl, root, &findings, err))
		goto out;
	if (store_save_analysis(g->store, meta, &findings, id, err))
		goto out;
	ret = 0;
out:
	tmpdir_remove(json_dir.buf);
	build_output_release(&bo);
	inline_map_free(inl);
	finding_list_release(&findings);
	strbuf_release(&json_dir);
	return ret;
}

int analysis_get(struct gate *g, const struct revision *rev, const char *label,
		 long long *id, struct err *err)
{
	struct strbuf dir = STRBUF_INIT, content = STRBUF_INIT, key = STRBUF_INIT;
	struct strbuf flags = STRBUF_INIT, what = STRBUF_INIT;
	struct analysis_meta meta;
	int ret = -1;

	strbuf_addf(&dir, "%s/%s", g->tmpdir.buf, label);
	if (rev->worktree) {
		/* the working tree's identity is its content, so copy it first */
		if (mkdir(dir.buf, 0700)) {
			err_set(err, EXIT_ANALYSIS, "cannot create '%s'", dir.buf);
			goto out;
		}
		if (tree_write_worktree(g->repo, dir.buf, &content, err))
			goto out;
		strbuf_addstr(&what, "the working tree");
	} else {
		strbuf_addstr(&content, git_oid_tostr_s(git_commit_tree_id(rev->commit)));
		strbuf_addf(&what, "%.12s", rev->hex);
	}
	analysis_key(g, content.buf, &key, &flags);
	if (store_find_analysis(g->store, key.buf, id, err))
		goto out;
	if (*id) {
		say(g, label, what.buf, "reusing the stored analysis");
		ret = 0;
		goto out;
	}
	if (!rev->worktree) {
		if (mkdir(dir.buf, 0700)) {
			err_set(err, EXIT_ANALYSIS, "cannot create '%s'", dir.buf);
			goto out;
		}
		if (tree_write_commit(g->repo, rev->commit, dir.buf, err))
			goto out;
	}
	say(g, label, what.buf, "building with escape analysis");
	meta.key = key.buf;
	meta.commit = rev->worktree ? NULL : rev->hex;
	meta.content_id = content.buf;
	meta.go_version = g->tc.version;
	meta.goos = g->tc.goos;
	meta.goarch = g->tc.goarch;
	meta.build_flags = flags.buf;
	if (analyse_tree(g, label, dir.buf, &meta, id, err))
		goto out;
	ret = 0;
out:
	tmpdir_remove(dir.buf);
	strbuf_release(&dir);
	strbuf_release(&content);
	strbuf_release(&key);
	strbuf_release(&flags);
	strbuf_release(&what);
	return ret;
}
