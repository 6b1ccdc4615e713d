#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/interrupt.h"
#include "core/report/history.h"
#include "core/util.h"

const char usage_history[] =
	"usage: escgate [-C DIR] history [REV] [--since REV] [--max N] [options]\n"
	"\n"
	"Charts escapes and leaks per commit along the first-parent history of REV\n"
	"(default: HEAD). Commits already in the store are reused; the others are\n"
	"built with escape analysis.\n"
	"\n"
	"  --since REV      stop at REV (it is included)\n"
	"  --max N          at most the newest N commits (default: 50)\n"
	"  --go PATH        the go command (default: go on PATH)\n"
	"  --tags LIST      build tags, as for go build -tags\n"
	"  --store FILE     the store (default: $ESCGATE_STORE, else .git/escgate/store.db)\n"
	"  --format NAME[=FILE]  csv (the default) or html, to stdout or FILE;\n"
	"                   repeatable\n"
	"  -q, --quiet      no progress on stderr\n"
	"\n"
	"A commit that fails to build is a gap in the chart, named on stderr.\n"
	"Exit status: 0 written (gaps included), 2 usage error, 3 no commit could be\n"
	"analysed, or the repository, store, toolchain or output failed.\n";

#define DEFAULT_MAX 50

static const struct {
	const char *name;
	int (*fn)(FILE *out, const struct history *h);
} history_formats[] = {
	{ "csv", history_write_csv },
	{ "html", history_write_html },
};

static int (*history_format(const char *name, size_t len))(FILE *, const struct history *)
{
	size_t i;

	for (i = 0; i < sizeof(history_formats) / sizeof(*history_formats); i++)
		if (strlen(history_formats[i].name) == len &&
		    !strncmp(history_formats[i].name, name, len))
			return history_formats[i].fn;
	return NULL;
}

/* Same rules as the reports' --format: known names, a file after '=', one stdout at most. */
static int validate_formats(const struct analysis_opts *o, struct err *err)
{
	const char *to_stdout = NULL;
	size_t i;

	for (i = 0; i < o->nformats; i++) {
		const char *spec = o->formats[i], *eq = strchr(spec, '=');
		size_t len = eq ? (size_t)(eq - spec) : strlen(spec);

		if (!history_format(spec, len))
			return usage_error(err, "history", "unknown history format '%.*s' (csv, html)",
					   (int)len, spec);
		if (eq && !eq[1])
			return usage_error(err, "history", "--format %.*s= needs a file name",
					   (int)len, spec);
		if (!eq && to_stdout)
			return usage_error(err, "history",
					   "--format %s and --format %s both write to standard output: give one a file (NAME=FILE)",
					   to_stdout, spec);
		if (!eq)
			to_stdout = spec;
	}
	return 0;
}

struct history_call {
	int (*fn)(FILE *out, const struct history *h);
	const struct history *h;
};

static int call_history(FILE *out, const void *data)
{
	const struct history_call *c = data;

	return c->fn(out, c->h);
}

static int write_formats(const struct analysis_opts *o, const struct history *h, struct err *err)
{
	static const char *const csv_only[] = { "csv" };
	const char *const *specs = o->nformats ? o->formats : csv_only;
	size_t n = o->nformats ? o->nformats : 1, i;

	for (i = 0; i < n; i++) {
		const char *eq = strchr(specs[i], '=');
		struct history_call call = {
			history_format(specs[i], eq ? (size_t)(eq - specs[i]) : strlen(specs[i])), h,
		};

		if (eq) {
			if (write_file_atomic(eq + 1, "report", 0644, call_history, &call, err))
				return -1;
		} else if (call.fn(stdout, h) || fflush(stdout)) {
			return err_set(err, EXIT_ANALYSIS,
				       "cannot write the %s history to standard output", specs[i]);
		}
	}
	return 0;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* "escgate: history: 3/50 commits, about 40 s left" */
static void say_progress(size_t done, size_t total, double elapsed)
{
	double left = done ? elapsed / (double)done * (double)(total - done) : 0;

	if (done == total)
		fprintf(stderr, "escgate: history: %zu/%zu commits, done in %.0f s\n", done, total,
			elapsed);
	else if (left < 90)
		fprintf(stderr, "escgate: history: %zu/%zu commits, about %.0f s left\n", done, total,
			left);
	else
		fprintf(stderr, "escgate: history: %zu/%zu commits, about %.0f min left\n", done,
			total, left / 60);
}

/*
 * The commits to chart, newest first: the first-parent history of start,
 * at most max of them, stopping at since (included).
 */
static int walk_history(git_repository *repo, const struct revision *start,
			const struct revision *since, size_t max, git_oid **out, size_t *nr,
			struct err *err)
{
	git_revwalk *walk = NULL;
	size_t alloc = 0;
	unsigned i;
	git_oid oid;
	int ret = -1, r = 0;

	if (git_revwalk_new(&walk, repo) || git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL) ||
	    git_revwalk_push(walk, git_commit_id(start->commit))) {
		err_set(err, EXIT_ANALYSIS, "cannot walk the history of '%s'", start->label);
		goto out;
	}
	git_revwalk_simplify_first_parent(walk);
	/* since's parents are hidden, so the walk ends with since itself */
	for (i = 0; since && i < git_commit_parentcount(since->commit); i++)
		if (git_revwalk_hide(walk, git_commit_parent_id(since->commit, i))) {
			err_set(err, EXIT_ANALYSIS, "cannot walk the history of '%s'", start->label);
			goto out;
		}
	while (*nr < max && !(r = git_revwalk_next(&oid, walk))) {
		ALLOC_GROW(*out, *nr + 1, alloc);
		git_oid_cpy(&(*out)[(*nr)++], &oid);
	}
	if (*nr < max && r != GIT_ITEROVER) {
		err_set(err, EXIT_ANALYSIS, "cannot walk the history of '%s'", start->label);
		goto out;
	}
	ret = 0;
out:
	git_revwalk_free(walk);
	return ret;
}

/* Analyses one commit into p; a commit that cannot be analysed becomes a gap. */
static int chart_commit(struct gate *g, struct history_point *p, int quiet, struct err *err)
{
	struct revision rev = { 0 };
	struct finding_list findings = { 0 };
	struct err why = ERR_INIT;
	char label[13];
	const char *msg;
	long long id = 0;
	int ret = -1;

	snprintf(label, sizeof(label), "%.12s", p->hex);
	if (rev_resolve(g->repo, p->hex, &rev, err))
		goto out;
	if (analysis_get(g, &rev, label, &id, &why)) {
		if (interrupt_pending()) {
			err_set(err, why.status, "%s", why.msg.buf);
			goto out;
		}
		/* the analysis names the commit by its label already; the chart names it too */
		msg = why.msg.len ? why.msg.buf : "unknown error";
		if (starts_with(msg, label) && !strncmp(msg + strlen(label), ": ", 2))
			msg += strlen(label) + 2;
		p->gap = 1;
		p->why = xstrdup(msg);
		if (!quiet) {
			struct strbuf detail = STRBUF_INIT;

			strbuf_addbuf_lines(&detail, &why.detail, 5);
			fprintf(stderr, "escgate: history: %s: %s; a gap in the chart\n%s", label,
				p->why, detail.buf);
			strbuf_release(&detail);
		}
		ret = 0;
		goto out;
	}
	if (store_load_findings(g->store, id, 0, &findings, err))
		goto out;
	history_count(p, &findings);
	ret = 0;
out:
	finding_list_release(&findings);
	rev_release(&rev);
	err_release(&why);
	return ret;
}

static int parse_max(const char *s, size_t *out, struct err *err)
{
	char *end = NULL;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (!*s || *end || errno || v == 0 || *s == '-' || v > 1000000)
		return usage_error(err, "history", "--max wants a positive number, not '%s'", s);
	*out = (size_t)v;
	return 0;
}

int cmd_history(int argc, char **argv)
{
	struct analysis_opts o = { 0 };
	struct err err = ERR_INIT;
	struct gate g = { 0 };
	struct revision start = { 0 }, since = { 0 };
	struct history h = { 0 };
	git_oid *oids = NULL;
	const char *spec = NULL, *since_spec = NULL, *max_spec = NULL;
	size_t max = DEFAULT_MAX, n = 0, i, gaps = 0;
	int ai, r, status = EXIT_ANALYSIS, opened = 0;
	double t0;

	for (ai = 1; ai < argc; ai++) {
		if (!strcmp(argv[ai], "-h") || !strcmp(argv[ai], "--help")) {
			fputs(usage_history, stdout);
			return EXIT_CLEAN;
		}
		if ((r = opt_value(argc, argv, &ai, "--since", &since_spec, &err)) ||
		    (r = opt_value(argc, argv, &ai, "--max", &max_spec, &err)) ||
		    (r = opt_analysis(argc, argv, &ai, &o, &err))) {
			if (r < 0)
				goto out;
			continue;
		}
		if (argv[ai][0] == '-' || spec) {
			usage_error(&err, "history", argv[ai][0] == '-' ? "unknown option '%s'" :
						      "unexpected argument '%s'", argv[ai]);
			goto out;
		}
		spec = argv[ai];
	}
	if (max_spec && parse_max(max_spec, &max, &err))
		goto out;
	if (validate_formats(&o, &err))
		goto out;
	if (gate_open(&g, &o, &err))
		goto out;
	opened = 1;
	/* one progress line per commit instead of the analysis's own */
	g.quiet = 1;
	if (rev_resolve(g.repo, spec ? spec : "HEAD", &start, &err) ||
	    (since_spec && rev_resolve(g.repo, since_spec, &since, &err)))
		goto out;
	if (walk_history(g.repo, &start, since_spec ? &since : NULL, max, &oids, &n, &err))
		goto out;
	if (since_spec && n < max && (!n || !git_oid_equal(&oids[n - 1], git_commit_id(since.commit))))
		fprintf(stderr, "escgate: history: '%s' is not on the first-parent history of '%s'\n",
			since_spec, start.label);

	h.rev = start.label;
	h.go_version = g.tc.version;
	h.goos = g.tc.goos;
	h.goarch = g.tc.goarch;
	for (i = n; i-- > 0;) {
		git_commit *c = NULL;
		char hex[GIT_OID_HEXSZ + 1];

		git_oid_tostr(hex, sizeof(hex), &oids[i]);
		if (git_commit_lookup(&c, g.repo, &oids[i])) {
			err_set(&err, EXIT_ANALYSIS, "cannot read commit %s", hex);
			goto out;
		}
		history_add(&h, hex, git_commit_summary(c), (long long)git_commit_time(c));
		git_commit_free(c);
	}
	if (!o.quiet)
		fprintf(stderr, "escgate: history: %zu %s of %s, newest first\n", n,
			n == 1 ? "commit" : "commits", start.label);
	t0 = now();
	/* newest first: the commits that matter most are charted before an interrupt */
	for (i = n; i-- > 0;) {
		/* reused commits never reach code that polls for an interrupt: check between commits */
		if (interrupt_pending()) {
			err_set(&err, EXIT_ANALYSIS, "history: interrupted after %zu of %zu commits",
				n - 1 - i, n);
			goto out;
		}
		if (chart_commit(&g, &h.points[i], o.quiet, &err))
			goto out;
		gaps += h.points[i].gap;
		if (!o.quiet)
			say_progress(n - i, n, now() - t0);
	}
	if (n && gaps == n) {
		err_set(&err, EXIT_ANALYSIS, "history: none of the %zu commits could be analysed", n);
		goto out;
	}
	if (write_formats(&o, &h, &err))
		goto out;
	if (gaps && !o.quiet)
		fprintf(stderr, "escgate: history: %zu of %zu commits could not be analysed (gaps)\n",
			gaps, n);
	status = EXIT_CLEAN;
out:
	if (err_is_set(&err))
		status = report_error(&err);
	history_release(&h);
	free(oids);
	rev_release(&start);
	rev_release(&since);
	if (opened)
		gate_close(&g);
	err_release(&err);
	return status;
}
