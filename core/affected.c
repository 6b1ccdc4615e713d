#include "affected.h"

#include <stdlib.h>
#include <string.h>

#include "treediff.h"
#include "util.h"

/* A package directory relative to its tree's root ("" for the root itself). */
struct package_dir {
	const char *rel;
	const char *import_path;
};

static void add_package_dirs(const struct build_output *list, const char *root,
			     struct package_dir **dirs, size_t *nr, size_t *alloc)
{
	size_t i, n = strlen(root);

	for (i = 0; i < list->npackages; i++) {
		const char *dir = list->packages[i].dir;

		if (strncmp(dir, root, n) || (dir[n] && dir[n] != '/'))
			continue;   /* a workspace module outside the tree */
		ALLOC_GROW(*dirs, *nr + 1, *alloc);
		(*dirs)[*nr].rel = dir[n] ? dir + n + 1 : "";
		(*dirs)[*nr].import_path = list->packages[i].import_path;
		(*nr)++;
	}
}

/* The package whose directory is path's deepest ancestor, or NULL. */
static const char *owning_package(const struct package_dir *dirs, size_t n, const char *path)
{
	const char *best = NULL;
	size_t best_len = 0, i;

	for (i = 0; i < n; i++) {
		size_t len = strlen(dirs[i].rel);

		if (len && (strncmp(path, dirs[i].rel, len) || path[len] != '/'))
			continue;
		if (!best || len > best_len) {
			best = dirs[i].import_path;
			best_len = len;
		}
	}
	return best;
}

int is_build_input(const char *path)
{
	static const char *const exts[] = { ".go", ".s", ".S", ".c", ".h", ".cc", ".cpp", ".cxx",
					    ".hh", ".hpp", ".hxx", ".m", ".f", ".F", ".for",
					    ".f90", ".syso", ".swig", ".swigcxx" };
	size_t i;

	for (i = 0; i < sizeof(exts) / sizeof(*exts); i++)
		if (ends_with(path, exts[i]))
			return 1;
	return 0;
}

const char *whole_module_reason(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	if (!strcmp(base, "go.mod") || !strcmp(base, "go.sum") || !strcmp(base, "go.work") ||
	    !strcmp(base, "go.work.sum"))
		return "changes the module graph";
	if (!strncmp(path, "vendor/", 7) || strstr(path, "/vendor/"))
		return "changes vendored code";
	return NULL;
}

struct edge {
	const char *to, *from;   /* "from" imports "to" */
};

static int cmp_edge(const void *a, const void *b)
{
	return strcmp(((const struct edge *)a)->to, ((const struct edge *)b)->to);
}

static void add_edges(const struct build_output *list, struct edge **edges, size_t *nr,
		      size_t *alloc)
{
	size_t i, j;

	for (i = 0; i < list->npackages; i++) {
		for (j = 0; j < list->packages[i].nimports; j++) {
			ALLOC_GROW(*edges, *nr + 1, *alloc);
			(*edges)[*nr].to = list->packages[i].imports[j];
			(*edges)[*nr].from = list->packages[i].import_path;
			(*nr)++;
		}
	}
}

/* Adds every package that imports one in out, transitively (out must be sealed). */
static void add_importers(struct strset *out, struct edge *edges, size_t nedges)
{
	const char **queue = NULL;
	size_t head = 0, nq = 0, aq = 0, i;

	if (nedges)
		qsort(edges, nedges, sizeof(*edges), cmp_edge);
	for (i = 0; i < out->nr; i++) {
		ALLOC_GROW(queue, nq + 1, aq);
		queue[nq++] = out->items[i];
	}
	while (head < nq) {
		struct edge key = { queue[head++], NULL };
		struct edge *e = nedges ? bsearch(&key, edges, nedges, sizeof(*edges), cmp_edge) : NULL;

		if (!e)
			continue;
		while (e > edges && !strcmp(e[-1].to, key.to))
			e--;
		for (; e < edges + nedges && !strcmp(e->to, key.to); e++) {
			if (!strset_insert(out, e->from))
				continue;
			ALLOC_GROW(queue, nq + 1, aq);
			queue[nq++] = e->from;
		}
	}
	free(queue);
}

static int add_changed_path(const char *path, const git_tree_entry *old,
			    const git_tree_entry *new, void *paths)
{
	(void)old;
	(void)new;
	strset_add(paths, path);
	return 0;
}

static int changed_paths(git_repository *repo, const struct revision *base,
			 const struct revision *head, struct strset *paths, struct err *err)
{
	git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
	git_tree *base_tree = NULL, *head_tree = NULL;
	git_diff *diff = NULL;
	size_t i, n;
	int ret = -1;

	if (git_commit_tree(&base_tree, base->commit))
		goto fail;
	if (!head->worktree) {
		if (git_commit_tree(&head_tree, head->commit))
			goto fail;
		if (tree_changes(repo, base_tree, head_tree, add_changed_path, paths, err))
			goto out;
		strset_seal(paths);
		ret = 0;
		goto out;
	}
	opts.flags = GIT_DIFF_INCLUDE_UNTRACKED | GIT_DIFF_RECURSE_UNTRACKED_DIRS;
	if (git_diff_tree_to_workdir(&diff, repo, base_tree, &opts))
		goto fail;
	n = git_diff_num_deltas(diff);
	for (i = 0; i < n; i++) {
		const git_diff_delta *d = git_diff_get_delta(diff, i);

		if (d->old_file.path)
			strset_add(paths, d->old_file.path);
		if (d->new_file.path)
			strset_add(paths, d->new_file.path);
	}
	strset_seal(paths);
	ret = 0;
	goto out;
fail:
	err_set(err, EXIT_ANALYSIS, "cannot diff the base and head trees: %s",
		git_error_last() ? git_error_last()->message : "unknown error");
out:
	git_diff_free(diff);
	git_tree_free(base_tree);
	git_tree_free(head_tree);
	return ret;
}

int affected_packages(git_repository *repo, const struct revision *base,
		      const struct revision *head, const struct build_output *base_list,
		      const char *base_root, const struct build_output *head_list,
		      const char *head_root, struct strset *out, struct strbuf *whole,
		      struct err *err)
{
	struct strset paths = { 0 };
	struct package_dir *dirs = NULL;
	struct edge *edges = NULL;
	size_t ndirs = 0, adirs = 0, nedges = 0, aedges = 0, i;
	int ret = -1;

	if (changed_paths(repo, base, head, &paths, err))
		goto out;
	add_package_dirs(base_list, base_root, &dirs, &ndirs, &adirs);
	add_package_dirs(head_list, head_root, &dirs, &ndirs, &adirs);
	for (i = 0; i < paths.nr && !whole->len; i++) {
		const char *path = paths.items[i], *why = whole_module_reason(path);
		const char *pkg;

		if (why) {
			strbuf_addf(whole, "%s %s", path, why);
			break;
		}
		if (is_go_test(path))
			continue;   /* never compiled by go build: it cannot change a finding */
		pkg = owning_package(dirs, ndirs, path);
		if (pkg)
			strset_add(out, pkg);
		else if (is_build_input(path))
			strbuf_addf(whole, "%s is in no package", path);
		/* anything else (documentation, CI files) cannot change a build */
	}
	if (whole->len) {
		ret = 0;
		goto out;
	}
	strset_seal(out);
	add_edges(base_list, &edges, &nedges, &aedges);
	add_edges(head_list, &edges, &nedges, &aedges);
	add_importers(out, edges, nedges);
	ret = 0;
out:
	free(dirs);
	free(edges);
	strset_release(&paths);
	return ret;
}
