#include "cmd.h"

#include <stdio.h>
#include <string.h>

#include "core/match.h"
#include "policy.h"

const char usage_check[] =
	"usage: escgate [-C DIR] check [REV | --worktree] [--strict] [--baseline FILE] [options]\n"
	"\n"
	"Gates one revision (default: HEAD) against its baseline, .escgate-baseline at\n"
	"the repository root (written by 'escgate baseline'), with a single build: any\n"
	"finding the baseline does not list fails. The policy is the revision's own\n"
	".escgate, like the baseline: both are reviewed with the change.\n"
	"\n"
	"  --worktree       check the working tree as it is on disk\n"
	"  --strict         fail too on baseline entries that no longer occur, so the\n"
	"                   file stays exact\n"
	"  --baseline FILE  read the baseline from FILE instead\n"
	"  --go PATH        the go command (default: go on PATH)\n"
	"  --tags LIST      build tags, as for go build -tags (gate.tags)\n"
	"  --store FILE     the store (default: $ESCGATE_STORE, else .git/escgate/store.db)\n"
	"  --format NAME[=FILE]  a report format, to stdout or FILE; repeatable\n"
	"                   (text, the default; json, sarif, github, gitlab, junit,\n"
	"                   markdown, html); stale entries are 'fixed'\n"
	"  -q, --quiet      no progress on stderr\n"
	USAGE_POLICY_OPTIONS
	"\n"
	"Exit status: 0 nothing beyond the baseline, 1 findings the baseline does not\n"
	"list (or, with --strict, stale entries), 2 usage error or bad configuration,\n"
	"3 could not analyse.\n";

struct check_opts {
	const char *file;   /* --baseline FILE */
	int strict;         /* --strict */
};

static int check_opt(int argc, char **argv, int *i, void *data, struct err *err)
{
	struct check_opts *c = data;
	int r = 1;

	if (!strcmp(argv[*i], "--strict"))
		c->strict = 1;
	else
		r = opt_value(argc, argv, i, "--baseline", &c->file, err);
	return r;
}

int cmd_check(int argc, char **argv)
{
	struct analysis_opts o = { 0 };
	struct err err = ERR_INIT;
	struct gate g = { 0 };
	struct revision rev = { 0 };
	struct run run = { 0 };
	struct baseline b = { 0 };
	struct finding_list *findings = NULL, stale = { 0 };
	struct match_result result = { 0 };
	struct strbuf name = STRBUF_INIT;
	struct rev_args a = { 0 };
	struct check_opts c = { 0 };
	int found = 0, r, status = EXIT_ANALYSIS, opened = 0;
	size_t failing;

	r = parse_rev_args(argc, argv, "check", usage_check, check_opt, &c, &a, &o, &err);
	if (r > 0)
		status = EXIT_CLEAN;   /* --help */
	if (r || formats_validate(&o, "check", &err) || gate_open_rev(&g, &o, &a, &rev, &err))
		goto out;
	opened = 1;
	if (run_begin(&run, &g, &o, &rev, &err) ||
	    run_read_baseline(&run, &rev, c.file, &b, &found, &err))
		goto out;
	if (!found && !o.quiet)
		fprintf(stderr, "escgate: no %s in %s: every finding counts as new "
			"(write one with 'escgate baseline')\n", BASELINE_FILE,
			rev.worktree ? "the working tree" : rev.label);
	if (run_revision(&run, &rev, rev.worktree ? "worktree" : "revision", 0, &findings, &err) ||
	    run_check_allows(&findings->allows, &err))
		goto out;
	baseline_match(&b, findings, &stale, &result);
	strbuf_addstr(&name, c.file ? c.file : BASELINE_FILE);
	{
		struct report_meta meta = {
			name.buf, NULL, rev.label, rev.worktree ? NULL : rev.hex,
			g.tc.version, g.tc.goos, g.tc.goarch, 1, "the baseline", g.repo,
		};

		if (formats_write(&o, &meta, &result, &err))
			goto out;
	}
	failing = run_failing(&run, &result);
	status = failing ? EXIT_NEW : EXIT_CLEAN;
	if (failing)
		fprintf(stderr,
			"escgate: %zu finding%s not in %s: remove %s, accept %s with an //escgate:allow REASON comment, or in the baseline with 'escgate baseline'\n",
			failing, failing == 1 ? "" : "s", name.buf, failing == 1 ? "it" : "them",
			failing == 1 ? "it" : "them");
	if (result.nfixed) {
		fprintf(stderr, "escgate: %zu %s entr%s no longer occur%s%s: drop %s with 'escgate baseline'\n",
			result.nfixed, name.buf, result.nfixed == 1 ? "y" : "ies",
			result.nfixed == 1 ? "s" : "", c.strict ? " (--strict)" : "",
			result.nfixed == 1 ? "it" : "them");
		if (c.strict)
			status = EXIT_NEW;
	}
out:
	if (err_is_set(&err))
		status = report_error(&err);
	match_result_release(&result);
	finding_list_release(&stale);
	baseline_release(&b);
	run_end(&run);
	rev_release(&rev);
	if (opened)
		gate_close(&g);
	strbuf_release(&name);
	err_release(&err);
	return status;
}
