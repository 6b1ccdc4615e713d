#include "cmd.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "core/match.h"
#include "core/report/report.h"
#include "policy.h"

const char usage_list[] =
	"usage: escgate [-C DIR] list [REV | --worktree] [--package PAT] [--function NAME]\n"
	"                            [--kind KIND] [--format text|json] [options]\n"
	"\n"
	"Lists the findings of a revision (default: HEAD), analysing it first unless\n"
	"the store has it, one per line for scripts:\n"
	"\n"
	"  FILE:LINE:COL <TAB> KIND <TAB> PACKAGE <TAB> FUNCTION <TAB> VERDICT\n"
	"\n"
	"and <TAB> suppressed: REASON after those an //escgate:allow comment accepts.\n"
	"Every package is listed, whatever the policy's gate.packages and gate.exclude.\n"
	"\n"
	"  --worktree       the working tree as it is on disk\n"
	"  --package PAT    only packages matching PAT (./dir/..., example.com/m/...,\n"
	"                   .../name); repeatable\n"
	"  --function NAME  only findings in functions matching NAME (a shell pattern:\n"
	"                   'New*', '(*T).*'), or in closures of the function NAME\n"
	"  --kind KIND      only escapes or only leaks\n"
	"  --format text|json  one line per finding (the default), or the JSON report\n"
	"  --go PATH        the go command (default: go on PATH)\n"
	"  --tags LIST      build tags, as for go build -tags (gate.tags)\n"
	"  --store FILE     the store (default: $ESCGATE_STORE, else .git/escgate/store.db)\n"
	"  --config FILE    the policy file, instead of .escgate: its build settings\n"
	"  --goflags FLAGS, --target OS/ARCH  as for the other commands\n"
	"  -q, --quiet      no progress on stderr\n"
	"\n"
	"Exit status: 0 listed, 2 usage error or bad configuration, 3 could not analyse.\n";

static int selected(const struct finding *f, const char *function, int kind)
{
	if (kind >= 0 && (int)f->kind != kind)
		return 0;
	if (function && fnmatch(function, f->function, 0) && strcmp(function, f->scope))
		return 0;
	return 1;
}

static void add_line(struct strbuf *sb, const struct finding *f)
{
	strbuf_add_printable(sb, f->file);
	strbuf_addf(sb, ":%u:%u\t%s\t", f->line, f->col, finding_kind_name(f->kind));
	strbuf_add_printable(sb, f->package);
	strbuf_addch(sb, '\t');
	strbuf_add_printable(sb, f->function);
	strbuf_addch(sb, '\t');
	strbuf_add_printable(sb, f->message);
	if (f->suppressed) {
		strbuf_addstr(sb, "\tsuppressed: ");
		strbuf_add_printable(sb, f->suppressed);
	}
	strbuf_addch(sb, '\n');
}

struct list_opts {
	struct policy filter;   /* --package */
	const char *function, *kind, *format;
};

/* Before the analysis options: here --package filters and --format is one of two. */
static int list_opt(int argc, char **argv, int *i, void *data, struct err *err)
{
	struct list_opts *l = data;
	const char *v = NULL;
	int r = opt_value(argc, argv, i, "--package", &v, err);

	if (r > 0 && policy_set_option(&l->filter, "--package", v, err))
		r = -1;
	if (!r)
		r = opt_value(argc, argv, i, "--function", &l->function, err);
	if (!r)
		r = opt_value(argc, argv, i, "--kind", &l->kind, err);
	if (!r)
		r = opt_value(argc, argv, i, "--format", &l->format, err);
	return r;
}

int cmd_list(int argc, char **argv)
{
	struct analysis_opts o = { 0 };
	struct err err = ERR_INIT;
	struct gate g = { 0 };
	struct revision rev = { 0 };
	struct run run = { 0 };
	struct finding_list *findings = NULL;
	struct match_result result = { 0 };
	struct strbuf out = STRBUF_INIT;
	struct rev_args a = { 0 };
	struct list_opts l = { { 0 }, NULL, NULL, "text" };
	int r, kind = -1, status = EXIT_ANALYSIS, opened = 0;
	size_t k;

	r = parse_rev_args(argc, argv, "list", usage_list, list_opt, &l, &a, &o, &err);
	if (r > 0)
		status = EXIT_CLEAN;   /* --help */
	if (r)
		goto out;
	if (l.kind) {
		enum finding_kind fk;

		if (finding_kind_parse(l.kind, &fk)) {
			usage_error(&err, "list", "unknown kind '%s' (escape or leak)", l.kind);
			goto out;
		}
		kind = (int)fk;
	}
	if (strcmp(l.format, "text") && strcmp(l.format, "json")) {
		usage_error(&err, "list", "unknown format '%s' (text or json)", l.format);
		goto out;
	}
	if (gate_open_rev(&g, &o, &a, &rev, &err))
		goto out;
	opened = 1;
	if (run_begin(&run, &g, &o, &rev, &err) ||
	    run_revision(&run, &rev, rev.worktree ? "worktree" : "revision", 1, &findings, &err))
		goto out;
	policy_filter(&l.filter, findings);
	finding_list_sort_by_position(findings);
	for (k = 0; k < findings->nr; k++) {
		const struct finding *f = &findings->items[k];

		if (selected(f, l.function, kind))
			match_result_add(&result, f->suppressed ? MATCH_SUPPRESSED : MATCH_PRESENT, f);
	}
	if (!strcmp(l.format, "json")) {
		struct report_meta meta = {
			NULL, NULL, rev.label, rev.worktree ? NULL : rev.hex,
			g.tc.version, g.tc.goos, g.tc.goarch, 0, NULL, g.repo,
		};

		if (report_json(stdout, &meta, &result) || fflush(stdout)) {
			err_set(&err, EXIT_ANALYSIS, "cannot write the list to standard output");
			goto out;
		}
	} else {
		for (k = 0; k < result.nr; k++)
			add_line(&out, result.items[k].f);
		if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout)) {
			err_set(&err, EXIT_ANALYSIS, "cannot write the list to standard output");
			goto out;
		}
	}
	status = EXIT_CLEAN;
out:
	if (err_is_set(&err))
		status = report_error(&err);
	match_result_release(&result);
	policy_release(&l.filter);
	run_end(&run);
	rev_release(&rev);
	if (opened)
		gate_close(&g);
	strbuf_release(&out);
	err_release(&err);
	return status;
}
