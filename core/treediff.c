#include "treediff.h"

#include <string.h>

#include "strbuf.h"

struct tree_walk {
	git_repository *repo;
	tree_change_fn fn;
	void *data;
	struct strbuf path;   /* of the directory being compared, with a '/' after it */
	struct err *err;
};

static int is_tree(const git_tree_entry *e)
{
	return git_tree_entry_type(e) == GIT_OBJECT_TREE;
}

/* git's order of tree entries: a directory sorts as its name followed by '/'. */
static int entry_cmp(const git_tree_entry *a, const git_tree_entry *b)
{
	const char *na = git_tree_entry_name(a), *nb = git_tree_entry_name(b);
	size_t la = strlen(na), lb = strlen(nb), n = la < lb ? la : lb;
	int c = memcmp(na, nb, n);
	unsigned char ca, cb;

	if (c)
		return c;
	ca = la > n ? (unsigned char)na[n] : is_tree(a) ? '/' : '\0';
	cb = lb > n ? (unsigned char)nb[n] : is_tree(b) ? '/' : '\0';
	return (int)ca - (int)cb;
}

static int lookup(struct tree_walk *w, const git_tree_entry *e, git_tree **out)
{
	if (!git_tree_lookup(out, w->repo, git_tree_entry_id(e)))
		return 0;
	return err_set(w->err, EXIT_ANALYSIS, "cannot read the tree '%s%s': %s", w->path.buf,
		       git_tree_entry_name(e),
		       git_error_last() ? git_error_last()->message : "unknown error");
}

/* Every file at or below e, which only one side has: added (is_new) or deleted. */
static int one_side(struct tree_walk *w, const git_tree_entry *e, int is_new)
{
	size_t len = w->path.len, i, n;
	git_tree *t = NULL;
	int ret = 0;

	if (!is_tree(e)) {
		strbuf_addstr(&w->path, git_tree_entry_name(e));
		ret = w->fn(w->path.buf, is_new ? NULL : e, is_new ? e : NULL, w->data);
		strbuf_setlen(&w->path, len);
		return ret;
	}
	if (lookup(w, e, &t))
		return -1;
	strbuf_addf(&w->path, "%s/", git_tree_entry_name(e));
	for (i = 0, n = git_tree_entrycount(t); i < n && !ret; i++)
		ret = one_side(w, git_tree_entry_byindex(t, i), is_new);
	strbuf_setlen(&w->path, len);
	git_tree_free(t);
	return ret;
}

static int compare(struct tree_walk *w, const git_tree *a, const git_tree *b)
{
	size_t i = 0, j = 0, na = git_tree_entrycount(a), nb = git_tree_entrycount(b);
	int ret = 0;

	while (!ret && (i < na || j < nb)) {
		const git_tree_entry *ea = i < na ? git_tree_entry_byindex(a, i) : NULL;
		const git_tree_entry *eb = j < nb ? git_tree_entry_byindex(b, j) : NULL;
		int c = !ea ? 1 : !eb ? -1 : entry_cmp(ea, eb);

		if (c < 0) {
			ret = one_side(w, ea, 0);
			i++;
		} else if (c > 0) {
			ret = one_side(w, eb, 1);
			j++;
		} else {
			if (git_oid_equal(git_tree_entry_id(ea), git_tree_entry_id(eb)) &&
			    git_tree_entry_filemode(ea) == git_tree_entry_filemode(eb)) {
				/* the same: an unchanged directory is not even read */
			} else if (is_tree(ea)) {
				size_t len = w->path.len;
				git_tree *ta = NULL, *tb = NULL;

				if (lookup(w, ea, &ta) || lookup(w, eb, &tb)) {
					ret = -1;
				} else {
					strbuf_addf(&w->path, "%s/", git_tree_entry_name(ea));
					ret = compare(w, ta, tb);
					strbuf_setlen(&w->path, len);
				}
				git_tree_free(ta);
				git_tree_free(tb);
			} else {
				size_t len = w->path.len;

				strbuf_addstr(&w->path, git_tree_entry_name(ea));
				ret = w->fn(w->path.buf, ea, eb, w->data);
				strbuf_setlen(&w->path, len);
			}
			i++;
			j++;
		}
	}
	return ret;
}

int tree_changes(git_repository *repo, const git_tree *base, const git_tree *head,
		 tree_change_fn fn, void *data, struct err *err)
{
	struct tree_walk w = { repo, fn, data, STRBUF_INIT, err };
	int ret = compare(&w, base, head);

	strbuf_release(&w.path);
	return ret;
}
