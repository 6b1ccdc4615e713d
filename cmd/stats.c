#include "cmd.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/report/escape.h"
#include "core/util.h"
#include "policy.h"

const char usage_stats[] =
	"usage: escgate [-C DIR] stats [REV | --worktree] [--format text|json] [options]\n"
	"\n"
	"Counts the findings of a revision (default: HEAD) by package and kind,\n"
	"analysing it first unless the store has it. Escapes and leaks that an\n"
	"//escgate:allow comment accepts are counted as suppressed, not as escapes or\n"
	"leaks. Every package is counted, whatever gate.packages and gate.exclude say.\n"
	"\n"
	"  --worktree       the working tree as it is on disk\n"
	"  --format text|json  a table (the default), or a JSON document\n"
	"  --go PATH        the go command (default: go on PATH)\n"
	"  --tags LIST      build tags, as for go build -tags (gate.tags)\n"
	"  --store FILE     the store (default: $ESCGATE_STORE, else .git/escgate/store.db)\n"
	"  --config FILE    the policy file, instead of .escgate: its build settings\n"
	"  --goflags FLAGS, --target OS/ARCH  as for the other commands\n"
	"  -q, --quiet      no progress on stderr\n"
	"\n"
	"Exit status: 0 counted, 2 usage error or bad configuration, 3 could not analyse.\n";

struct count {
	const char *package;
	size_t escapes, leaks, suppressed;
};

static int cmp_package(const void *x, const void *y)
{
	const struct finding *a = x, *b = y;

	return strcmp(a->package, b->package);
}

static void count_one(struct count *c, const struct finding *f)
{
	if (f->suppressed)
		c->suppressed++;
	else if (f->kind == KIND_LEAK)
		c->leaks++;
	else
		c->escapes++;
}

static cJSON *count_json(const struct count *c)
{
	cJSON *o = cJSON_CreateObject();

	if (c->package)
		cJSON_AddItemToObject(o, "package", report_json_string(c->package));
	cJSON_AddNumberToObject(o, "escapes", (double)c->escapes);
	cJSON_AddNumberToObject(o, "leaks", (double)c->leaks);
	cJSON_AddNumberToObject(o, "suppressed", (double)c->suppressed);
	return o;
}

static int write_stats(const struct count *c, size_t n, const struct count *total,
		       const struct revision *rev, int json)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, width = strlen("PACKAGE");
	int ret = -1;

	if (json) {
		cJSON *doc = cJSON_CreateObject(), *head = cJSON_CreateObject();
		cJSON *pkgs = cJSON_CreateArray();
		char *text;

		cJSON_AddNumberToObject(doc, "schema", 1);
		cJSON_AddItemToObject(head, "rev", report_json_string(rev->label));
		cJSON_AddItemToObject(head, "commit", rev->worktree ? cJSON_CreateNull() :
								      cJSON_CreateString(rev->hex));
		cJSON_AddItemToObject(doc, "head", head);
		for (i = 0; i < n; i++)
			cJSON_AddItemToArray(pkgs, count_json(&c[i]));
		cJSON_AddItemToObject(doc, "packages", pkgs);
		cJSON_AddItemToObject(doc, "total", count_json(total));
		text = cJSON_PrintUnformatted(doc);
		if (text)
			strbuf_addf(&sb, "%s\n", text);
		free(text);
		cJSON_Delete(doc);
	} else {
		for (i = 0; i < n; i++)
			if (strlen(c[i].package) > width)
				width = strlen(c[i].package);
		strbuf_addf(&sb, "%-*s  %7s  %5s  %10s\n", (int)width, "PACKAGE", "ESCAPES", "LEAKS",
			    "SUPPRESSED");
		for (i = 0; i < n; i++) {
			size_t before = sb.len;

			strbuf_add_printable(&sb, c[i].package);
			while (sb.len - before < width)
				strbuf_addch(&sb, ' ');
			strbuf_addf(&sb, "  %7zu  %5zu  %10zu\n", c[i].escapes, c[i].leaks,
				    c[i].suppressed);
		}
		strbuf_addf(&sb, "%-*s  %7zu  %5zu  %10zu\n", (int)width, "total", total->escapes,
			    total->leaks, total->suppressed);
	}
	if (sb.len && fwrite(sb.buf, 1, sb.len, stdout) == sb.len && !fflush(stdout))
		ret = 0;
	strbuf_release(&sb);
	return ret;
}

/* --format, before the analysis options: here it is text or json. */
static int stats_opt(int argc, char **argv, int *i, void *format, struct err *err)
{
	return opt_value(argc, argv, i, "--format", format, err);
}

int cmd_stats(int argc, char **argv)
{
	struct analysis_opts o = { 0 };
	struct err err = ERR_INIT;
	struct gate g = { 0 };
	struct revision rev = { 0 };
	struct run run = { 0 };
	struct finding_list *findings = NULL;
	struct count *counts = NULL, total = { NULL, 0, 0, 0 };
	struct rev_args a = { 0 };
	const char *format = "text";
	int r, status = EXIT_ANALYSIS, opened = 0;
	size_t n = 0, k;

	r = parse_rev_args(argc, argv, "stats", usage_stats, stats_opt, &format, &a, &o, &err);
	if (r > 0)
		status = EXIT_CLEAN;   /* --help */
	if (r)
		goto out;
	if (strcmp(format, "text") && strcmp(format, "json")) {
		usage_error(&err, "stats", "unknown format '%s' (text or json)", format);
		goto out;
	}
	if (gate_open_rev(&g, &o, &a, &rev, &err))
		goto out;
	opened = 1;
	if (run_begin(&run, &g, &o, &rev, &err) ||
	    run_revision(&run, &rev, rev.worktree ? "worktree" : "revision", 1, &findings, &err))
		goto out;
	if (findings->nr)
		qsort(findings->items, findings->nr, sizeof(*findings->items), cmp_package);
	counts = xcalloc(findings->nr + 1, sizeof(*counts));
	for (k = 0; k < findings->nr; k++) {
		const struct finding *f = &findings->items[k];

		if (!n || strcmp(counts[n - 1].package, f->package))
			counts[n++].package = f->package;
		count_one(&counts[n - 1], f);
		count_one(&total, f);
	}
	if (write_stats(counts, n, &total, &rev, !strcmp(format, "json"))) {
		err_set(&err, EXIT_ANALYSIS, "cannot write the counts to standard output");
		goto out;
	}
	status = EXIT_CLEAN;
out:
	if (err_is_set(&err))
		status = report_error(&err);
	free(counts);
	run_end(&run);
	rev_release(&rev);
	if (opened)
		gate_close(&g);
	err_release(&err);
	return status;
}
