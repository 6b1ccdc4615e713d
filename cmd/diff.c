#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cibase.h"
#include "core/match.h"
#include "core/report/report.h"
#include "core/scope.h"
#include "core/util.h"
#include "policy.h"

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
	"                   (text, the default; json, sarif, github, gitlab, junit,\n"
	"                   markdown, html)\n"
	"  -q, --quiet      no progress on stderr\n"
	USAGE_POLICY_OPTIONS
	"\n"
	"The policy is the base's .escgate, so a change cannot loosen its own gate; a\n"
	"new finding that the base's .escgate-baseline lists does not fail.\n"
	"\n"
	"Exit status: 0 nothing new (or within the policy), 1 new findings, 2 usage\n"
	"error or bad configuration, 3 could not analyse.\n";

/* Head findings the base's baseline lists are accepted, with that as their reason. */
static void accept_listed(const struct baseline *b, struct finding_list *head)
{
	struct strbuf line = STRBUF_INIT;
	size_t i;

	for (i = 0; b->nr && i < head->nr; i++) {
		struct finding *f = &head->items[i];

		if (f->suppressed)
			continue;
		strbuf_reset(&line);
		baseline_line(f, &line);
		if (baseline_has(b, line.buf))
			f->suppressed = xstrdup("listed in the base's " BASELINE_FILE);
	}
	strbuf_release(&line);
}

int diff_revisions(struct gate *g, const struct analysis_opts *o, const struct revision *base,
		   const struct revision *head, const char *base_rule, size_t *nnew,
		   struct err *err)
{
	struct run run = { 0 };
	struct baseline accepted = { 0 };
	struct match_result *per = NULL, result = { 0 };
	struct finding_list **heads = NULL;
	struct allow_list allows = { 0 };
	size_t t, elsewhere = 0;
	int found = 0, ret = -1;

	/* the base's policy and baseline: a change cannot loosen its own gate */
	if (run_begin(&run, g, o, base, err) ||
	    run_read_baseline(&run, base, NULL, &accepted, &found, err))
		goto out;
	per = xcalloc(run.ntargets, sizeof(*per));
	heads = xcalloc(run.ntargets, sizeof(*heads));
	for (t = 0; t < run.ntargets; t++) {
		struct comparison cmp = { 0 };
		struct finding_list *b;

		if (run_target_name(&run, t) && !o->quiet)
			fprintf(stderr, "escgate: target %s\n", run_target_name(&run, t));
		if (run_target(&run, t, err) || analysis_compare(g, base, head, o->full, &cmp, err)) {
			comparison_release(&cmp);
			goto out;
		}
		/* unchanged findings of packages that were not compiled still count */
		if (cmp.unchanged_elsewhere > elsewhere)
			elsewhere = cmp.unchanged_elsewhere;
		b = run_adopt(&run, &cmp.base, t);
		heads[t] = run_adopt(&run, &cmp.head, t);
		comparison_release(&cmp);
		policy_filter(&run.policy, b);
		policy_filter(&run.policy, heads[t]);
		accept_listed(&accepted, heads[t]);
		match_findings(b, heads[t], &per[t]);
	}
	run_merge_allows(heads, run.ntargets, &allows);
	if (run_check_allows(&allows, err))
		goto out;
	if (run.ntargets == 1) {
		result = per[0];
		memset(&per[0], 0, sizeof(per[0]));
	} else {
		run_merge_results(per, run.ntargets, &result);
	}
	result.nunchanged += elsewhere;
	{
		struct report_meta meta = {
			base->label, base->hex, head->label, head->worktree ? NULL : head->hex,
			g->tc.version, g->tc.goos, g->tc.goarch, 1, base_rule, g->repo,
		};

		if (formats_write(o, &meta, &result, err))
			goto out;
	}
	*nnew = run_failing(&run, &result);
	ret = 0;
out:
	for (t = 0; per && t < run.ntargets; t++)
		match_result_release(&per[t]);
	free(per);
	free(heads);
	match_result_release(&result);
	allow_list_release(&allows);
	baseline_release(&accepted);
	run_end(&run);
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
	if (gate_open_begin(&g, &o, &err))
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
	/* the head's imports are read (scope.h) while go env answers */
	if (!o.full)
		g.planned = scope_job_start(g.repo, &base, &head);
	if (gate_open_finish(&g, &err)) {
		opened = 0;
		goto out;
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
