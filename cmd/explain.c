#include "cmd.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/util.h"
#include "policy.h"

const char usage_explain[] =
	"usage: escgate [-C DIR] explain FILE:LINE [REV | --worktree] [options]\n"
	"\n"
	"Explains every heap escape and parameter leak at a line, in plain words: what\n"
	"the compiler decided and, step by step, the flow that made it so. FILE is\n"
	"relative to the current directory or the repository root. The revision is\n"
	"the working tree by default, analysed first unless the store has it.\n"
	"\n"
	"  --worktree       the working tree as it is on disk (the default)\n"
	"  --go PATH        the go command (default: go on PATH)\n"
	"  --tags LIST      build tags, as for go build -tags (gate.tags)\n"
	"  --store FILE     the store (default: $ESCGATE_STORE, else .git/escgate/store.db)\n"
	"  --config FILE    the policy file, instead of .escgate: its build settings\n"
	"  --goflags FLAGS, --target OS/ARCH  as for the other commands\n"
	"  -q, --quiet      no progress on stderr\n"
	"\n"
	"Exit status: 0 explained (or nothing at that line), 2 usage error or bad\n"
	"configuration, 3 could not analyse.\n";

/* What the compiler's reasons mean, as the step that makes the value move. */
static const struct {
	const char *reason, *words;
} reasons[] = {
	{ "address-of", "its address is taken" },
	{ "assign", "it is assigned" },
	{ "assign-pair", "it is assigned" },
	{ "assign-pair-dot-type", "it is assigned from a type assertion" },
	{ "assign-pair-func-call", "it is assigned from a call's results" },
	{ "assign-pair-mapr", "it is assigned from a map read" },
	{ "assign-pair-receive", "it is assigned from a channel receive" },
	{ "call parameter", "it is passed to a call whose parameter leaks, or that the compiler cannot see into (an interface method, a function value)" },
	{ "call part", "it is part of a call" },
	{ "captured by a closure", "a closure captures it by reference" },
	{ "closure call", "a closure is called" },
	{ "copied slice", "it is copied into a slice" },
	{ "defer func", "a defer statement keeps it" },
	{ "defer func arg", "a defer statement keeps it as an argument" },
	{ "dot", "a field of it is taken" },
	{ "dot of pointer", "a field is read through a pointer" },
	{ "go func", "a go statement keeps it" },
	{ "go func arg", "a go statement keeps it as an argument" },
	{ "indirection", "a pointer is dereferenced" },
	{ "interface-converted", "it is converted to an interface, which holds a pointer to a copy" },
	{ "key of map put", "it is stored as a map key" },
	{ "value of map put", "it is stored as a map value" },
	{ "map literal key", "it is a key of a map literal" },
	{ "map literal value", "it is a value of a map literal" },
	{ "range", "it is ranged over" },
	{ "range-deref", "it is ranged over through a pointer" },
	{ "reference", "it is referenced" },
	{ "return", "it is returned" },
	{ "slice", "it is sliced" },
	{ "slice-element-equals", "it is stored in a slice element" },
	{ "slice-literal-element", "it is an element of a slice literal" },
	{ "array-literal-element", "it is an element of an array literal" },
	{ "struct literal element", "it is a field of a struct literal" },
	{ "spill", "it is kept in a temporary" },
	{ "star-dot-equals", "it is stored in a field through a pointer" },
	{ "star-equals", "it is stored through a pointer" },
	{ "switch case", "it is a switch case" },
	{ "too large for stack", "it is too large for the stack" },
};

/* "{heap}", "~r0", "{storage for X}", "&x" in plain words. */
static void add_location(struct strbuf *sb, const char *s, size_t n)
{
	static const char storage[] = "{storage for ";

	if (n > 1 && s[0] == '&') {
		strbuf_addstr(sb, "the address of ");
		add_location(sb, s + 1, n - 1);
	} else if (n == 6 && !memcmp(s, "{heap}", 6)) {
		strbuf_addstr(sb, "the heap");
	} else if (n > sizeof(storage) && !memcmp(s, storage, sizeof(storage) - 1) &&
		   s[n - 1] == '}') {
		struct strbuf inner = STRBUF_INIT;

		strbuf_add(&inner, s + sizeof(storage) - 1, n - sizeof(storage));
		strbuf_addstr(sb, "the storage for ");
		strbuf_add_printable(sb, inner.buf);
		strbuf_release(&inner);
	} else if (n > 2 && s[0] == '~' && s[1] == 'r') {
		struct strbuf name = STRBUF_INIT;

		strbuf_add(&name, s, n);
		strbuf_addstr(sb, "the function's result (");
		strbuf_add_printable(sb, name.buf);
		strbuf_addch(sb, ')');
		strbuf_release(&name);
	} else {
		struct strbuf name = STRBUF_INIT;

		strbuf_add(&name, s, n);
		strbuf_add_printable(sb, name.buf);
		strbuf_release(&name);
	}
}

/* The verdict in words: what the compiler decided, and what it costs. */
static void add_meaning(struct strbuf *sb, const struct finding *f)
{
	const char *m = f->message, *to;
	struct strbuf fn = STRBUF_INIT;

	strbuf_add_printable(&fn, f->function);
	if (!strncmp(m, "moved to heap: ", 15)) {
		strbuf_addf(sb, "  The variable %s lives on the heap, not on %s's stack: something "
			    "keeps its address beyond the call, so each call allocates it.\n",
			    m + 15, fn.buf);
	} else if (!strncmp(m, "leaking param content: ", 23)) {
		strbuf_addf(sb, "  What the parameter %s points to leaks: %s keeps something reachable "
			    "from it beyond the call, so callers must allocate that on the heap "
			    "(the parameter itself does not escape).\n", m + 23, fn.buf);
	} else if (!strncmp(m, "leaking param: ", 15) && (to = strstr(m, " to result "))) {
		strbuf_addf(sb, "  The parameter %.*s flows to %s's result: what a caller passes "
			    "escapes only where the caller lets that result escape.\n",
			    (int)(to - m - 15), m + 15, fn.buf);
	} else if (!strncmp(m, "leaking param: ", 15)) {
		strbuf_addf(sb, "  The parameter %s leaks: %s keeps it (or hands it where the "
			    "compiler cannot follow) beyond the call, so whatever a caller passes "
			    "as %s must be allocated on the heap.\n", m + 15, fn.buf, m + 15);
	} else if ((to = strstr(m, " escapes to heap"))) {
		strbuf_addf(sb, "  The value of %.*s is allocated on the heap, not on %s's stack: "
			    "it is kept beyond the call, or too large (or of unknown size) for "
			    "the stack.\n", (int)(to - m), m, fn.buf);
	} else {
		strbuf_addstr(sb, "  The compiler reports: ");
		strbuf_add_printable(sb, m);
		strbuf_addch(sb, '\n');
	}
	strbuf_release(&fn);
}

/* "flow: DST ← SRC" as "SRC flows to DST". */
static void add_flow(struct strbuf *sb, const char *text)
{
	const char *arrow = strstr(text, " \xe2\x86\x90 ");   /* " ← " */
	const char *dst = text + 5;

	while (*dst == ' ')
		dst++;
	if (!arrow) {
		strbuf_addstr(sb, "  ");
		strbuf_add_printable(sb, text);
		strbuf_addch(sb, '\n');
		return;
	}
	strbuf_addstr(sb, "  ");
	add_location(sb, arrow + 5, strcspn(arrow + 5, ":"));
	strbuf_addstr(sb, " reaches ");
	add_location(sb, dst, (size_t)(arrow - dst));
	strbuf_addstr(sb, ":\n");
}

/* "from EXPR (REASON)" at a position, as "FILE:LINE:COL: EXPR: what happens". */
static void add_step(struct strbuf *sb, const struct flow_step *s, unsigned n)
{
	const char *open = strrchr(s->text, '('), *expr = s->text + 5;
	size_t i, len;

	strbuf_addf(sb, "    %u. ", n);
	if (s->line) {
		strbuf_add_printable(sb, s->file);
		strbuf_addf(sb, ":%u", s->line);
		if (s->col)
			strbuf_addf(sb, ":%u", s->col);
		strbuf_addstr(sb, ": ");
	}
	if (!open || strncmp(s->text, "from ", 5) || open < expr) {
		strbuf_add_printable(sb, s->text);
		strbuf_addch(sb, '\n');
		return;
	}
	len = strlen(open + 1);
	if (len && open[len] == ')')
		len--;
	{
		struct strbuf e = STRBUF_INIT;

		strbuf_add(&e, expr, (size_t)(open - expr));
		strbuf_trim(&e);
		strbuf_add_printable(sb, e.buf);
		strbuf_release(&e);
	}
	strbuf_addstr(sb, ": ");
	for (i = 0; i < sizeof(reasons) / sizeof(*reasons); i++) {
		if (strlen(reasons[i].reason) == len && !strncmp(reasons[i].reason, open + 1, len)) {
			strbuf_addf(sb, "%s (%s)\n", reasons[i].words, reasons[i].reason);
			return;
		}
	}
	strbuf_add(sb, open, len + 2);
	strbuf_addch(sb, '\n');
}

static void explain_one(struct strbuf *sb, const struct finding *f)
{
	size_t i, nflow;
	const struct flow_step *flow;
	unsigned n = 0;

	strbuf_add_printable(sb, f->file);
	strbuf_addf(sb, ":%u", f->line);
	if (f->col)
		strbuf_addf(sb, ":%u", f->col);
	strbuf_addf(sb, ": %s in ", f->kind == KIND_LEAK ? "leak" : "escape");
	strbuf_add_printable(sb, f->pkgname);
	strbuf_addch(sb, '.');
	strbuf_add_printable(sb, f->function);
	strbuf_addstr(sb, ": ");
	strbuf_add_printable(sb, f->message);
	strbuf_addch(sb, '\n');
	if (*f->source) {
		strbuf_addch(sb, '\t');
		strbuf_add_printable(sb, f->source);
		strbuf_addch(sb, '\n');
	}
	strbuf_addch(sb, '\n');
	add_meaning(sb, f);
	if (f->targets) {
		strbuf_addstr(sb, "  On: ");
		strbuf_add_printable(sb, f->targets);
		strbuf_addch(sb, '\n');
	}
	flow = finding_flow(f, &nflow);
	if (nflow) {
		strbuf_addstr(sb, "\n  Why, as the compiler followed it:\n");
		for (i = 0; i < nflow; i++) {
			if (!strncmp(flow[i].text, "flow:", 5)) {
				n = 0;
				add_flow(sb, flow[i].text);
			} else {
				add_step(sb, &flow[i], ++n);
			}
		}
	}
	strbuf_addch(sb, '\n');
	if (f->suppressed) {
		strbuf_addstr(sb, "  Suppressed by //escgate:allow: ");
		strbuf_add_printable(sb, f->suppressed);
		strbuf_addch(sb, '\n');
	} else {
		strbuf_addstr(sb, "  To accept it deliberately: an //escgate:allow REASON comment on "
			      "the line above.\n");
	}
	strbuf_addch(sb, '\n');
}

/* Lexically cleans a relative path: "./" and "x/../" go. */
static void clean_relative(struct strbuf *sb, const char *path)
{
	const char *p = path;

	while (*p) {
		size_t n = strcspn(p, "/");

		if ((n == 1 && p[0] == '.') || !n) {
			/* nothing */
		} else if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *slash = strrchr(sb->buf, '/');

			strbuf_setlen(sb, slash ? (size_t)(slash - sb->buf) : 0);
		} else {
			if (sb->len)
				strbuf_addch(sb, '/');
			strbuf_add(sb, p, n);
		}
		p += n + (p[n] == '/');
	}
}

/* FILE as the user typed it, from the current directory, to a repository path. */
static void repo_path(git_repository *repo, const char *file, struct strbuf *out)
{
	const char *workdir = git_repository_workdir(repo);
	char cwd[PATH_MAX], root[PATH_MAX];
	struct strbuf joined = STRBUF_INIT;
	size_t n;

	if (workdir && realpath(workdir, root) && getcwd(cwd, sizeof(cwd))) {
		n = strlen(root);
		if (file[0] == '/') {
			if (!strncmp(file, root, n) && file[n] == '/')
				file += n + 1;
		} else if (!strncmp(cwd, root, n) && cwd[n] == '/') {
			strbuf_addf(&joined, "%s/%s", cwd + n + 1, file);
			file = joined.buf;
		}
	}
	clean_relative(out, file);
	strbuf_release(&joined);
}

int cmd_explain(int argc, char **argv)
{
	struct analysis_opts o = { 0 };
	struct err err = ERR_INIT;
	struct gate g = { 0 };
	struct revision rev = { 0 };
	struct run run = { 0 };
	struct finding_list *findings = NULL;
	struct strbuf file = STRBUF_INIT, out = STRBUF_INIT;
	const char *spec = NULL, *where = NULL, *colon;
	char *end = NULL;
	unsigned long line = 0;
	int worktree = 0, i, r, status = EXIT_ANALYSIS, opened = 0;
	size_t k, shown = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage_explain, stdout);
			return EXIT_CLEAN;
		}
		if (!strcmp(argv[i], "--worktree")) {
			worktree = 1;
			continue;
		}
		if ((r = opt_analysis(argc, argv, &i, &o, &err))) {
			if (r < 0)
				goto out;
			continue;
		}
		if (argv[i][0] == '-' || (where && spec)) {
			usage_error(&err, "explain", argv[i][0] == '-' ? "unknown option '%s'" :
						     "unexpected argument '%s'", argv[i]);
			goto out;
		}
		if (!where)
			where = argv[i];
		else
			spec = argv[i];
	}
	if (!where) {
		usage_error(&err, "explain", "%s", "missing FILE:LINE");
		goto out;
	}
	colon = strrchr(where, ':');
	if (colon)
		line = strtoul(colon + 1, &end, 10);
	if (!colon || colon == where || !line || *end || colon[1] < '0' || colon[1] > '9') {
		usage_error(&err, "explain", "'%s' is not FILE:LINE", where);
		goto out;
	}
	if (worktree && spec) {
		usage_error(&err, "explain", "%s", "--worktree and a revision cannot be used together");
		goto out;
	}
	if (o.nformats) {
		usage_error(&err, "explain", "%s", "--format: explain writes plain words only");
		goto out;
	}
	if (gate_open(&g, &o, &err))
		goto out;
	opened = 1;
	{
		char *name = xstrndup(where, (size_t)(colon - where));

		repo_path(g.repo, name, &file);
		free(name);
	}
	if (!spec)
		rev_worktree(&rev);
	else if (rev_resolve(g.repo, spec, &rev, &err))
		goto out;
	if (run_begin(&run, &g, &o, &rev, &err) ||
	    run_revision(&run, &rev, rev.worktree ? "worktree" : "revision", 1, &findings, &err))
		goto out;
	finding_list_sort_by_position(findings);
	for (k = 0; k < findings->nr; k++) {
		const struct finding *f = &findings->items[k];

		if (f->line != line || strcmp(f->file, file.buf))
			continue;
		explain_one(&out, f);
		shown++;
	}
	if (!shown) {
		strbuf_add_printable(&out, file.buf);
		strbuf_addf(&out, ":%lu: no heap escape or parameter leak at this line in %s\n", line,
			    rev.worktree ? "the working tree" : rev.label);
	}
	if (fwrite(out.buf, 1, out.len, stdout) != out.len || fflush(stdout)) {
		err_set(&err, EXIT_ANALYSIS, "cannot write to standard output");
		goto out;
	}
	status = EXIT_CLEAN;
out:
	if (err_is_set(&err))
		status = report_error(&err);
	run_end(&run);
	rev_release(&rev);
	if (opened)
		gate_close(&g);
	strbuf_release(&file);
	strbuf_release(&out);
	err_release(&err);
	return status;
}
