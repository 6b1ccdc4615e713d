#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cibase.h"
#include "core/prepush.h"
#include "core/util.h"

const char usage_prepush[] =
	"usage: escgate pre-push REMOTE URL [options] < refs\n"
	"\n"
	"git's pre-push hook (see 'escgate hook install'): reads the refs being pushed\n"
	"on standard input, checks each pushed commit against what the remote has, and\n"
	"exits 1 (so git aborts the push) when it introduces escapes or leaks.\n"
	"Deletes are skipped. A new branch is compared with its merge base with the\n"
	"remote's default branch. 'git push --no-verify' skips the gate.\n"
	"\n"
	"  --go PATH, --tags LIST, --store FILE, --format NAME[=FILE], -q   as for diff\n";

/* A new branch: compare with its merge base with the remote's default branch. */
static int new_branch_base(git_repository *repo, const char *remote, const struct revision *head,
			   struct revision *out, struct strbuf *why)
{
	const char *const defaults[] = { "HEAD", "main", "master" };
	size_t i;

	for (i = 0; i < sizeof(defaults) / sizeof(*defaults); i++) {
		struct strbuf ref = STRBUF_INIT;
		struct revision other = { 0 };
		struct err ignored = ERR_INIT;
		git_oid base;
		int found;

		strbuf_addf(&ref, "refs/remotes/%s/%s", remote, defaults[i]);
		found = !rev_resolve(repo, ref.buf, &other, &ignored) &&
			!git_merge_base(&base, repo, git_commit_id(head->commit),
					git_commit_id(other.commit)) &&
			!rev_resolve(repo, git_oid_tostr_s(&base), out, &ignored);
		if (found)
			strbuf_addf(why, "new branch: merge base with %s/%s", remote, defaults[i]);
		rev_release(&other);
		err_release(&ignored);
		strbuf_release(&ref);
		if (found)
			return 0;
	}
	return -1;
}

/* Checks one pushed ref; *nnew grows by what it introduces. */
static int check_line(struct gate *g, const struct analysis_opts *o, const char *remote,
		      const struct push_line *p, size_t *nnew, struct err *err)
{
	struct revision base = { 0 }, head = { 0 };
	struct strbuf why = STRBUF_INIT;
	struct err lookup = ERR_INIT;
	size_t n = 0;
	int ret = -1;

	if (oid_hex_is_zero(p->local_oid)) {
		if (!o->quiet)
			fprintf(stderr, "escgate: pre-push: %s: a delete, nothing to check\n",
				p->remote_ref);
		ret = 0;
		goto out;
	}
	if (rev_resolve(g->repo, p->local_oid, &head, err))
		goto out;
	free(head.label);
	head.label = xstrdup(p->local_ref);
	if (!oid_hex_is_zero(p->remote_oid) &&
	    !rev_resolve(g->repo, p->remote_oid, &base, &lookup)) {
		strbuf_addf(&why, "what %s has at %s", remote, p->remote_ref);
	} else if (new_branch_base(g->repo, remote, &head, &base, &why)) {
		/* nothing to compare with: every existing finding would look new */
		if (!o->quiet)
			fprintf(stderr,
				"escgate: pre-push: %s: no base to compare with (no %s/HEAD, %s/main or %s/master): not checked\n",
				p->remote_ref, remote, remote, remote);
		ret = 0;
		goto out;
	}
	if (!o->quiet)
		fprintf(stderr, "escgate: pre-push: %s -> %s: base: %s: %.12s\n", p->local_ref,
			p->remote_ref, why.buf, base.hex);
	if (diff_revisions(g, o, &base, &head, why.buf, &n, err))
		goto out;
	*nnew += n;
	ret = 0;
out:
	rev_release(&base);
	rev_release(&head);
	strbuf_release(&why);
	err_release(&lookup);
	return ret;
}

int cmd_prepush(int argc, char **argv)
{
	struct analysis_opts o = { 0 };
	struct err err = ERR_INIT, parse_err = ERR_INIT;
	struct gate g = { 0 };
	struct strbuf input = STRBUF_INIT;
	struct push_list lines = PUSH_LIST_INIT;
	const char *remote = NULL;
	char buf[8192];
	size_t nnew = 0, n, j;
	int i, r, status = EXIT_ANALYSIS, opened = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_prepush, stdout);
			return EXIT_CLEAN;
		}
		if ((r = opt_analysis(argc, argv, &i, &o, &err))) {
			if (r < 0)
				goto out;
			continue;
		}
		if (argv[i][0] == '-') {
			usage_error(&err, "pre-push", "unknown option '%s'", argv[i]);
			goto out;
		}
		if (!remote)
			remote = argv[i];   /* the URL that follows is not needed */
	}
	if (!remote) {
		usage_error(&err, "pre-push", "%s", "missing REMOTE (git passes it to the hook)");
		goto out;
	}
	if (formats_validate(&o, "pre-push", &err))
		goto out;
	while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
		strbuf_add(&input, buf, n);
	if (gate_open(&g, &o, &err))
		goto out;
	opened = 1;
	/* the lines before a malformed one are checked before it is reported */
	prepush_parse(input.buf, input.len, &lines, &parse_err);
	/* every line is checked, not just the first: a push can carry several refs */
	for (j = 0; j < lines.nr; j++)
		if (check_line(&g, &o, remote, &lines.items[j], &nnew, &err))
			goto out;
	if (err_is_set(&parse_err)) {
		err_set(&err, parse_err.status, "%s", parse_err.msg.buf);
		goto out;
	}
	status = nnew ? EXIT_NEW : EXIT_CLEAN;
	if (nnew)
		fprintf(stderr,
			"escgate: push refused: %zu new heap escape%s or leak%s; fix them, or skip the gate with 'git push --no-verify'\n",
			nnew, nnew == 1 ? "" : "s", nnew == 1 ? "" : "s");
out:
	if (err_is_set(&err))
		status = report_error(&err);
	if (opened)
		gate_close(&g);
	push_list_release(&lines);
	strbuf_release(&input);
	err_release(&parse_err);
	err_release(&err);
	return status;
}
