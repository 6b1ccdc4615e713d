#include "cmd.h"

#include <stdio.h>
#include <string.h>

#include "core/match.h"
#include "core/report/report.h"
#include "policy.h"

const char usage_scan[] =
	"usage: escgate [-C DIR] scan [REV | --worktree] [options]\n"
	"\n"
	"Analyses one revision (default: HEAD) into the store and prints its findings.\n"
	"The policy is the revision's own .escgate; findings an //escgate:allow comment\n"
	"accepts are listed as suppressed, with their reason.\n"
	"\n"
	"  --worktree       analyse the working tree as it is on disk\n"
	"  --go PATH        the go command (default: go on PATH)\n"
	"  --tags LIST      build tags, as for go build -tags\n"
	"  --store FILE     the store (default: $ESCGATE_STORE, else .git/escgate/store.db)\n"
	"  --format NAME[=FILE]  a report format, to stdout or FILE; repeatable\n"
	"                   (text, the default; json, sarif, github, gitlab, junit,\n"
	"                   markdown, html)\n"
	"  -q, --quiet      no progress on stderr\n"
	USAGE_POLICY_OPTIONS
	"\n"
	"Exit status: 0 analysed, 2 usage error or bad configuration, 3 could not analyse.\n";

int cmd_scan(int argc, char **argv)
{
	struct analysis_opts o = { 0 };
	struct err err = ERR_INIT;
	struct gate g = { 0 };
	struct revision rev = { 0 };
	struct finding_list *findings = NULL;
	struct match_result result = { 0 };
	struct run run = { 0 };
	struct rev_args a = { 0 };
	int r, status = EXIT_ANALYSIS, opened = 0;

	r = parse_rev_args(argc, argv, "scan", usage_scan, NULL, NULL, &a, &o, &err);
	if (r > 0)
		status = EXIT_CLEAN;   /* --help */
	if (r || formats_validate(&o, "scan", &err) || gate_open_rev(&g, &o, &a, &rev, &err))
		goto out;
	opened = 1;
	if (run_begin(&run, &g, &o, &rev, &err) ||
	    run_revision(&run, &rev, rev.worktree ? "worktree" : "revision", 0, &findings, &err) ||
	    run_check_allows(&findings->allows, &err))
		goto out;
	match_present(findings, &result);
	{
		struct report_meta meta = {
			NULL, NULL, rev.label, rev.worktree ? NULL : rev.hex,
			g.tc.version, g.tc.goos, g.tc.goarch, 0, NULL, g.repo,
		};

		if (formats_write(&o, &meta, &result, &err))
			goto out;
	}
	status = EXIT_CLEAN;
out:
	if (err_is_set(&err))
		status = report_error(&err);
	match_result_release(&result);
	run_end(&run);
	rev_release(&rev);
	if (opened)
		gate_close(&g);
	err_release(&err);
	return status;
}
