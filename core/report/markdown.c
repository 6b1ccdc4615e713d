/*
 * Markdown: a pull or merge request comment. The same body is the github
 * format's job summary, with links to the lines.
 */
#include "report.h"

#include <string.h>

#include "cmd/cmd.h"   /* ESCGATE_VERSION */
#include "core/strbuf.h"
#include "escape.h"

/* GitHub refuses a comment over 65536 characters; a byte is at most one. */
#define COMMENT_LIMIT 65000
/* Room kept for the note on what was left out and the footer. */
#define TAIL_RESERVE 4096
/* Revision names come from the command line: shown up to this many bytes. */
#define REV_SHOWN 100

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void add_code(struct strbuf *sb, const char *s)
{
	strbuf_addstr(sb, "<code>");
	report_add_md(sb, s);
	strbuf_addstr(sb, "</code>");
}

static void add_position(struct strbuf *sb, const char *file, unsigned line, unsigned col)
{
	strbuf_addf(sb, "%s:%u", file, line);
	if (col)
		strbuf_addf(sb, ":%u", col);
}

/*
 * One table row: kind, where (a link to the line when link_base and
 * commit are known), function, then the verdict, the source line and the
 * flow folded in <details>. Everything from the repository is escaped, so
 * a row always has exactly five '|'.
 */
static void add_row(struct strbuf *row, const struct match_entry *e, const char *link_base,
		    const char *commit)
{
	const struct finding *f = e->f;
	struct strbuf tmp = STRBUF_INIT;
	size_t i, nflow;
	const struct flow_step *flow;

	strbuf_addf(row, "| %s | ", finding_kind_name(f->kind));
	add_position(&tmp, f->file, f->line, f->col);
	if (link_base && commit) {
		strbuf_addch(row, '[');
		add_code(row, tmp.buf);
		strbuf_addf(row, "](%s%s/", link_base, commit);
		report_add_uri_path(row, f->file);
		strbuf_addf(row, "#L%u)", f->line);
	} else {
		add_code(row, tmp.buf);
	}
	strbuf_addstr(row, " | ");
	strbuf_reset(&tmp);
	strbuf_addf(&tmp, "%s.%s", f->pkgname, f->function);
	add_code(row, tmp.buf);
	strbuf_addstr(row, " | ");
	add_code(row, f->message);
	if (*f->source) {
		strbuf_addstr(row, "<br>");
		add_code(row, f->source);
	}
	flow = finding_flow(f, &nflow);
	if (nflow) {
		strbuf_addstr(row, "<details><summary>flow</summary>");
		for (i = 0; i < nflow; i++) {
			const struct flow_step *s = &flow[i];
			int is_flow = !strncmp(s->text, "flow:", 5);

			strbuf_reset(&tmp);
			strbuf_addstr(&tmp, s->text);
			if (!is_flow && s->line) {
				strbuf_addstr(&tmp, " at ");
				add_position(&tmp, s->file, s->line, s->col);
			}
			if (i)
				strbuf_addstr(row, "<br>");
			if (!is_flow)
				strbuf_addstr(row, "&nbsp;&nbsp;");
			add_code(row, tmp.buf);
		}
		strbuf_addstr(row, "</details>");
	}
	strbuf_addstr(row, " |\n");
	strbuf_release(&tmp);
}

/* Appends the rows of one status as a table; counts those left out for the size limit. */
static void add_table(struct strbuf *out, const struct match_result *r, enum match_status status,
		      const char *title, const char *link_base, const char *commit, size_t limit,
		      size_t *left_out)
{
	struct strbuf row = STRBUF_INIT;
	size_t i, n = 0;

	for (i = 0; i < r->nr; i++)
		n += r->items[i].status == status;
	if (!n)
		return;
	strbuf_addf(out, "\n### %s (%zu)\n\n", title, n);
	if (*left_out) {
		*left_out += n;
		strbuf_addstr(out, "*Not shown: see the note below.*\n");
		return;
	}
	strbuf_addstr(out, "| kind | where | function | finding |\n| --- | --- | --- | --- |\n");
	for (i = 0; i < r->nr; i++) {
		if (r->items[i].status != status)
			continue;
		if (*left_out) {
			++*left_out;
			continue;
		}
		strbuf_reset(&row);
		add_row(&row, &r->items[i], link_base, commit);
		if (out->len + row.len + TAIL_RESERVE > limit)
			++*left_out;
		else
			strbuf_addstr(out, row.buf);
	}
	strbuf_release(&row);
}

static void add_revision(struct strbuf *sb, const char *what, const char *rev, const char *commit)
{
	struct strbuf shown = STRBUF_INIT;

	strbuf_add(&shown, rev, strnlen(rev, REV_SHOWN));
	if (strlen(rev) > REV_SHOWN)
		strbuf_addstr(&shown, "...");
	strbuf_addf(sb, "%s ", what);
	add_code(sb, shown.buf);
	if (commit)
		strbuf_addf(sb, " %.12s", commit);
	strbuf_release(&shown);
}

void report_markdown_body(struct strbuf *out, const struct report_meta *meta,
			  const struct match_result *r, const char *link_base, size_t limit)
{
	size_t i, escapes = 0, leaks = 0, left_out = 0;

	if (meta->diff) {
		if (r->nnew)
			strbuf_addf(out, "## escgate: %zu new heap %s\n\n", r->nnew,
				    plural(r->nnew, "escape or parameter leak",
					   "escapes or parameter leaks"));
		else
			strbuf_addstr(out, "## escgate: no new heap escapes or parameter leaks\n\n");
		strbuf_addf(out, "**%zu new** (%zu %s, %zu %s) · %zu fixed · %zu unchanged",
			    r->nnew, r->new_escapes, plural(r->new_escapes, "escape", "escapes"),
			    r->new_leaks, plural(r->new_leaks, "leak", "leaks"), r->nfixed,
			    r->nunchanged);
		/* accepted by //escgate:allow: counted, not listed */
		if (r->nsuppressed)
			strbuf_addf(out, " · %zu suppressed", r->nsuppressed);
		strbuf_addch(out, '\n');
		add_table(out, r, MATCH_NEW, "New", link_base, meta->head_commit, limit, &left_out);
		add_table(out, r, MATCH_FIXED, "Fixed", link_base, meta->base_commit, limit,
			  &left_out);
	} else {
		for (i = 0; i < r->nr; i++) {
			if (r->items[i].status != MATCH_PRESENT)
				continue;
			if (r->items[i].f->kind == KIND_LEAK)
				leaks++;
			else
				escapes++;
		}
		strbuf_addf(out, "## escgate: %zu heap %s\n\n", escapes + leaks,
			    plural(escapes + leaks, "escape or parameter leak",
				   "escapes and parameter leaks"));
		strbuf_addf(out, "%zu %s, %zu %s", escapes, plural(escapes, "escape", "escapes"),
			    leaks, plural(leaks, "leak", "leaks"));
		/* accepted by //escgate:allow: counted, not listed */
		if (r->nsuppressed)
			strbuf_addf(out, " · %zu suppressed", r->nsuppressed);
		strbuf_addch(out, '\n');
		add_table(out, r, MATCH_PRESENT, "Findings", link_base, meta->head_commit, limit,
			  &left_out);
	}
	if (left_out)
		strbuf_addf(out, "\n> %zu %s not shown: this report is kept under %zu KiB. "
			    "The text, json and sarif formats list every finding.\n",
			    left_out, plural(left_out, "finding is", "findings are"), limit / 1024);

	strbuf_addstr(out, "\n<sub>");
	if (meta->diff) {
		add_revision(out, "base", meta->base_rev ? meta->base_rev : "", meta->base_commit);
		strbuf_addstr(out, " · ");
	}
	add_revision(out, meta->diff ? "head" : "revision",
		     meta->head_rev ? meta->head_rev : "", meta->head_commit);
	strbuf_addstr(out, " · ");
	report_add_md(out, meta->go_version ? meta->go_version : "go");
	strbuf_addch(out, ' ');
	report_add_md(out, meta->goos ? meta->goos : "");
	strbuf_addch(out, '/');
	report_add_md(out, meta->goarch ? meta->goarch : "");
	strbuf_addstr(out, " · escgate " ESCGATE_VERSION "</sub>\n");
}

int report_markdown(FILE *out, const struct report_meta *meta, const struct match_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	int ret;

	report_markdown_body(&sb, meta, r, NULL, COMMENT_LIMIT);
	ret = fwrite(sb.buf, 1, sb.len, out) == sb.len ? 0 : -1;
	strbuf_release(&sb);
	return ret;
}
