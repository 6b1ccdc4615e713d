#include "cmd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

const char usage_baseline[] =
	"usage: escgate [-C DIR] baseline [REV | --worktree] [--output FILE] [options]\n"
	"\n"
	"Writes .escgate-baseline at the repository root: every finding of the\n"
	"revision (default: HEAD) in the packages the policy looks at, one per line,\n"
	"sorted, without line numbers. Commit it: 'escgate check' then fails on any\n"
	"finding it does not list, and accepting an escape is a reviewed change to it.\n"
	"Findings an //escgate:allow comment accepts are left out.\n"
	"\n"
	"  --worktree       the working tree as it is on disk\n"
	"  --output FILE    write FILE instead ('-': standard output)\n"
	"  --go PATH        the go command (default: go on PATH)\n"
	"  --tags LIST      build tags, as for go build -tags (gate.tags)\n"
	"  --store FILE     the store (default: $ESCGATE_STORE, else .git/escgate/store.db)\n"
	"  -q, --quiet      no progress on stderr\n"
	USAGE_POLICY_OPTIONS
	"\n"
	"Exit status: 0 written, 2 usage error or bad configuration, 3 could not analyse.\n";

/* --output FILE, before the analysis options. */
static int output_opt(int argc, char **argv, int *i, void *output, struct err *err)
{
	return opt_value(argc, argv, i, "--output", output, err);
}

int cmd_baseline(int argc, char **argv)
{
	struct analysis_opts o = { 0 };
	struct err err = ERR_INIT;
	struct gate g = { 0 };
	struct revision rev = { 0 };
	struct run run = { 0 };
	struct finding_list *findings = NULL;
	struct strbuf text = STRBUF_INIT, path = STRBUF_INIT;
	struct rev_args a = { 0 };
	const char *output = NULL, *workdir;
	int r, status = EXIT_ANALYSIS, opened = 0;
	size_t entries = 0;
	const char *p;

	r = parse_rev_args(argc, argv, "baseline", usage_baseline, output_opt, &output, &a, &o,
			   &err);
	if (r > 0)
		status = EXIT_CLEAN;   /* --help */
	if (r)
		goto out;
	if (o.nformats) {
		usage_error(&err, "baseline", "%s", "--format: the baseline has one format");
		goto out;
	}
	if (gate_open(&g, &o, &err))
		goto out;
	opened = 1;
	workdir = git_repository_workdir(g.repo);
	if (!output && !workdir) {
		usage_error(&err, "baseline", "%s",
			    "a bare repository has no root to write .escgate-baseline to: pass --output FILE");
		goto out;
	}
	if (output)
		strbuf_addstr(&path, output);
	else
		strbuf_addf(&path, "%s%s", workdir, BASELINE_FILE);
	if (a.worktree)
		rev_worktree(&rev);
	else if (rev_resolve(g.repo, a.spec ? a.spec : "HEAD", &rev, &err))
		goto out;
	if (run_begin(&run, &g, &o, &rev, &err) ||
	    run_revision(&run, &rev, rev.worktree ? "worktree" : "revision", 0, &findings, &err) ||
	    run_check_allows(&findings->allows, &err))
		goto out;
	baseline_format(findings, &text);
	for (p = text.buf; *p; p++)
		entries += (p == text.buf || p[-1] == '\n') && *p != '#' && *p != '\n';
	if (output && !strcmp(output, "-")) {
		if (fwrite(text.buf, 1, text.len, stdout) != text.len || fflush(stdout)) {
			err_set(&err, EXIT_ANALYSIS, "cannot write the baseline to standard output");
			goto out;
		}
	} else {
		if (write_file_atomic(path.buf, NULL, 0644, write_strbuf, &text, &err))
			goto out;
		if (!o.quiet)
			fprintf(stderr, "escgate: wrote %zu entr%s to %s\n", entries,
				entries == 1 ? "y" : "ies", output ? output : BASELINE_FILE);
	}
	status = EXIT_CLEAN;
out:
	if (err_is_set(&err))
		status = report_error(&err);
	run_end(&run);
	rev_release(&rev);
	if (opened)
		gate_close(&g);
	strbuf_release(&text);
	strbuf_release(&path);
	err_release(&err);
	return status;
}
