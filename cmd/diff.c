#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cibase.h"
#include "core/match.h"
#include "core/report/report.h"
#include "core/util.h"

const char usage_diff[] =
	"usage: escgate [-C DIR] diff [--base REV] [--head REV | --worktree] [options]\n"
	"\n"
	"Builds the base and the head with the compiler's escape analysis and reports\n"
	"the heap escapes and parameter leaks the head introduces, and those it fixes.\n"
	"\n"
	"  --base REV       the revision to compare against; 'auto' (the default when $CI\n"
	"                   is set) asks the CI: the pull or merge request's base, the\n"
	"                   push's previous commit; otherwise the merge base of HEAD and\n"
	"                   origin/HEAD, origin/main, main, origin/master or master\n"
	"  --head REV       the revision to check (default: HEAD)\n"
	"  --worktree       check the working tree as it is on disk instead of a commit\n"
	"  --full           compile whole modules, not just the packages the change\n"
	"                   can affect (changed packages and those importing them)\n"
	"  --go PATH        the go command (default: go on PATH)\n"
	"  --tags LIST      build tags, as for go build -tags\n"
	"  --store FILE     the store (default: $ESCGATE_STORE, else .git/escgate/store.db)\n"
	"  --format NAME[=FILE]  a report format, to stdout or FILE; repeatable\n"
	"                   (text, the default, or json)\n"
	"  -q, --quiet      no progress on stderr\n"
	"\n"
	"Exit status: 0 nothing new, 1 new findings, 2 usage error, 3 could not analyse.\n";

int diff_revisions(struct gate *g, const struct analysis_opts *o, const struct revision *base,
		   const struct revision *head, const char *base_rule, size_t *nnew,
		   struct err *err)
{
	struct comparison cmp = { 0 };
	struct match_result result = { 0 };
	int ret = -1;

	if (analysis_compare(g, base, head, o->full, &cmp, err))
		goto out;
	match_findings(&cmp.base, &cmp.head, &result);
	/* unchanged findings of packages that were not compiled still count */
	result.nunchanged += cmp.unchanged_elsewhere;
	{
		struct report_meta meta = {
			base->label, base->hex, head->label, head->worktree ? NULL : head->hex,
			g->tc.version, g->tc.goos, g->tc.goarch, 1, base_rule, g->repo,
		};

		if (formats_write(o, &meta, &result, err))
			goto out;
	}
	*nnew = result.nnew;
	ret = 0;
out:
	match_result_release(&result);
	comparison_release(&cmp);
	return ret;
}

/*
 * No --base: in CI (or with --base auto) the CI's own notion of the base,
 * else the merge base with the default branch.
 */
static int choose_base(struct gate *g, const struct revision *head, int asked_auto,
		       struct revision *base, struct strbuf *why, struct err *err)
{
	struct revision head_commit = { 0 };
	const char *ci = getenv("CI");
	int ret;

	if (!asked_auto && !(ci && *ci && strcmp(ci, "false") && strcmp(ci, "0")))
		return rev_default_base(g->repo, base, why, err);
	if (head->worktree) {
		/* the working tree's history is HEAD's */
		if (rev_resolve(g->repo, "HEAD", &head_commit, err))
			return -1;
		head = &head_commit;
	}
	ret = ci_base(g->repo, head, base, why, err);
	rev_release(&head_commit);
	return ret;
}

int cmd_diff(int argc, char **argv)
{
	struct analysis_opts o = { 0 };
	struct err err = ERR_INIT;
	struct gate g = { 0 };
	struct revision base = { 0 }, head = { 0 };
	struct strbuf why = STRBUF_INIT;
	const char *base_spec = NULL, *head_spec = NULL;
	int worktree = 0, i, r, status = EXIT_ANALYSIS, opened = 0;
	size_t nnew = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_diff, stdout);
			return EXIT_CLEAN;
		}
		if (!strcmp(argv[i], "--worktree")) {
			worktree = 1;
			continue;
		}
		if ((r = opt_value(argc, argv, &i, "--base", &base_spec, &err)) ||
		    (r = opt_value(argc, argv, &i, "--head", &head_spec, &err)) ||
		    (r = opt_analysis(argc, argv, &i, &o, &err))) {
			if (r < 0)
				goto out;
			continue;
		}
		usage_error(&err, "diff", argv[i][0] == '-' ? "unknown option '%s'" :
					  "unexpected argument '%s'", argv[i]);
		goto out;
	}
	if (worktree && head_spec) {
		usage_error(&err, "diff", "%s", "--worktree and --head cannot be used together");
		goto out;
	}
	if (formats_validate(&o, "diff", &err))
		goto out;
	if (gate_open(&g, &o, &err))
		goto out;
	opened = 1;

	if (worktree)
		rev_worktree(&head);
	else if (rev_resolve(g.repo, head_spec ? head_spec : "HEAD", &head, &err))
		goto out;
	if (base_spec && strcmp(base_spec, "auto")) {
		if (rev_resolve(g.repo, base_spec, &base, &err))
			goto out;
	} else {
		if (choose_base(&g, &head, base_spec != NULL, &base, &why, &err))
			goto out;
		if (!o.quiet)
			fprintf(stderr, "escgate: base: %s: %.12s\n", why.buf, base.hex);
	}
	if (diff_revisions(&g, &o, &base, &head, why.len ? why.buf : NULL, &nnew, &err))
		goto out;
	status = nnew ? EXIT_NEW : EXIT_CLEAN;
out:
	if (err_is_set(&err))
		status = report_error(&err);
	rev_release(&base);
	rev_release(&head);
	if (opened)
		gate_close(&g);
	strbuf_release(&why);
	err_release(&err);
	return status;
}
