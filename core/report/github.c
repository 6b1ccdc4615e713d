/*
 * GitHub Actions: workflow commands on stdout that annotate the first new
 * findings, a Markdown job summary appended to $GITHUB_STEP_SUMMARY and
 * step outputs appended to $GITHUB_OUTPUT.
 */
#include "report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "escape.h"

/* GitHub shows at most 10 error annotations of a step. */
#define MAX_ANNOTATIONS 10
/* GitHub refuses a step's summary over 1 MiB; room is left for other tools. */
#define SUMMARY_LIMIT (1024 * 1024 - 16 * 1024)

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* A command's message (the runner's escapeData); made UTF-8 first. */
static void add_data(struct strbuf *sb, const char *s)
{
	struct strbuf u = STRBUF_INIT;
	const char *p;

	report_add_utf8(&u, s);
	for (p = u.buf; *p; p++) {
		if (*p == '%')
			strbuf_addstr(sb, "%25");
		else if (*p == '\r')
			strbuf_addstr(sb, "%0D");
		else if (*p == '\n')
			strbuf_addstr(sb, "%0A");
		else
			strbuf_addch(sb, *p);
	}
	strbuf_release(&u);
}

/* A command's property value (escapeProperty): ':' and ',' end it otherwise. */
static void add_property(struct strbuf *sb, const char *name, const char *s)
{
	struct strbuf data = STRBUF_INIT;
	const char *p;

	add_data(&data, s);
	strbuf_addstr(sb, name);
	strbuf_addch(sb, '=');
	for (p = data.buf; *p; p++) {
		if (*p == ':')
			strbuf_addstr(sb, "%3A");
		else if (*p == ',')
			strbuf_addstr(sb, "%2C");
		else
			strbuf_addch(sb, *p);
	}
	strbuf_release(&data);
}

static void add_annotation(struct strbuf *sb, const struct match_entry *e)
{
	const struct finding *f = e->f;
	struct strbuf v = STRBUF_INIT;
	size_t i, nflow;
	const struct flow_step *flow;

	/* a scan's findings are an inventory, not a regression */
	strbuf_addstr(sb, e->status == MATCH_NEW ? "::error " : "::notice ");
	add_property(sb, "file", f->file);
	strbuf_addf(sb, ",line=%u", f->line);
	if (f->col)
		strbuf_addf(sb, ",col=%u", f->col);
	if (e->status == MATCH_NEW)
		strbuf_addstr(&v, "new ");
	strbuf_addf(&v, "%s in %s.%s", finding_kind_name(f->kind), f->pkgname, f->function);
	strbuf_addch(sb, ',');
	add_property(sb, "title", v.buf);
	strbuf_addstr(sb, "::");
	strbuf_reset(&v);
	strbuf_addstr(&v, f->message);
	if (*f->source)
		strbuf_addf(&v, "\n    %s", f->source);
	flow = finding_flow(f, &nflow);
	for (i = 0; i < nflow; i++) {
		const struct flow_step *s = &flow[i];
		int is_flow = !strncmp(s->text, "flow:", 5);

		strbuf_addf(&v, "\n%s%s", is_flow ? "" : "  ", s->text);
		if (!is_flow && s->line) {
			strbuf_addf(&v, " at %s:%u", s->file, s->line);
			if (s->col)
				strbuf_addf(&v, ":%u", s->col);
		}
	}
	add_data(sb, v.buf);
	strbuf_addch(sb, '\n');
	strbuf_release(&v);
}

/*
 * The runner's files are appended to, never written over: other steps'
 * summaries and outputs are in them. Failing to write them is a warning:
 * the annotations and the exit status still tell the verdict.
 */
static void append_env_file(const char *var, const struct strbuf *data)
{
	const char *path = getenv(var);
	FILE *f = NULL;

	if (!path || !*path)
		return;
	f = fopen(path, "a");
	if (!f || fwrite(data->buf, 1, data->len, f) != data->len || fflush(f)) {
		fprintf(stderr, "escgate: warning: cannot append to $%s '%s': %s\n", var, path,
			strerror(errno));
	}
	if (f && fclose(f))
		fprintf(stderr, "escgate: warning: cannot append to $%s '%s': %s\n", var, path,
			strerror(errno));
}

/* Only plain URL characters: the values go into Markdown links unescaped. */
static int url_safe(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~:/", *s))
			return 0;
	return 1;
}

static int is_hex(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return 0;
	return 1;
}

int report_github(FILE *out, const struct report_meta *meta, const struct match_result *r)
{
	struct strbuf sb = STRBUF_INIT, summary = STRBUF_INIT, link = STRBUF_INIT;
	const char *server = getenv("GITHUB_SERVER_URL"), *repo = getenv("GITHUB_REPOSITORY");
	const char *summary_file = getenv("GITHUB_STEP_SUMMARY");
	struct report_meta m = *meta;
	enum match_status annotated = meta->diff ? MATCH_NEW : MATCH_PRESENT;
	size_t i, shown = 0, total = 0, escapes = 0, leaks = 0;
	int ret;

	for (i = 0; i < r->nr; i++) {
		const struct match_entry *e = &r->items[i];

		if (e->status != annotated)
			continue;
		total++;
		if (e->f->kind == KIND_LEAK)
			leaks++;
		else
			escapes++;
		if (shown < MAX_ANNOTATIONS) {
			add_annotation(&sb, e);
			shown++;
		}
	}
	if (total > shown)
		strbuf_addf(&sb, "::notice::%zu more %s not annotated: %s\n", total - shown,
			    meta->diff ? plural(total - shown, "new finding", "new findings")
				       : plural(total - shown, "finding", "findings"),
			    summary_file && *summary_file ? "the job summary lists them all"
				: "the text, json or sarif format lists them all");
	if (meta->diff)
		strbuf_addf(&sb, "escgate: %zu new (%zu %s, %zu %s), %zu fixed, %zu unchanged",
			    r->nnew, r->new_escapes, plural(r->new_escapes, "escape", "escapes"),
			    r->new_leaks, plural(r->new_leaks, "leak", "leaks"), r->nfixed,
			    r->nunchanged);
	else
		strbuf_addf(&sb, "escgate: %zu %s (%zu %s, %zu %s)", total,
			    plural(total, "finding", "findings"), escapes,
			    plural(escapes, "escape", "escapes"), leaks, plural(leaks, "leak", "leaks"));
	/* as the text format's summary line: suppressions only when there are some */
	if (r->nsuppressed)
		strbuf_addf(&sb, ", %zu suppressed", r->nsuppressed);
	strbuf_addch(&sb, '\n');
	ret = fwrite(sb.buf, 1, sb.len, out) == sb.len ? 0 : -1;

	/* links to the lines only to a commit: the working tree is nowhere on GitHub */
	if (url_safe(server) && url_safe(repo))
		strbuf_addf(&link, "%s/%s/blob/", server, repo);
	if (!is_hex(m.base_commit))
		m.base_commit = NULL;
	if (!is_hex(m.head_commit))
		m.head_commit = NULL;
	if (summary_file && *summary_file) {
		report_markdown_body(&summary, &m, r, link.len ? link.buf : NULL, SUMMARY_LIMIT);
		append_env_file("GITHUB_STEP_SUMMARY", &summary);
	}
	strbuf_reset(&sb);
	if (meta->diff)
		strbuf_addf(&sb, "new=%zu\nfixed=%zu\nunchanged=%zu\n", r->nnew, r->nfixed,
			    r->nunchanged);
	else
		strbuf_addf(&sb, "present=%zu\n", total);
	append_env_file("GITHUB_OUTPUT", &sb);

	strbuf_release(&sb);
	strbuf_release(&summary);
	strbuf_release(&link);
	return ret;
}
