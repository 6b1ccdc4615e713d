#include "report.h"

#include <string.h>

#include "core/strbuf.h"

/* "file:line:col" (no column when the compiler gave none), made safe for a terminal. */
static void add_position(struct strbuf *sb, const char *file, unsigned line, unsigned col)
{
	strbuf_add_printable(sb, file);
	strbuf_addf(sb, ":%u", line);
	if (col)
		strbuf_addf(sb, ":%u", col);
}

static void add_finding(struct strbuf *sb, const struct match_entry *e)
{
	const struct finding *f = e->f;
	size_t i, nflow;
	const struct flow_step *flow;

	add_position(sb, f->file, f->line, f->col);
	strbuf_addstr(sb, ": ");
	if (e->status != MATCH_PRESENT) {
		strbuf_addstr(sb, match_status_name(e->status));
		strbuf_addch(sb, ' ');
	}
	strbuf_addf(sb, "%s in ", finding_kind_name(f->kind));
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
	if (e->status == MATCH_SUPPRESSED && f->suppressed) {
		strbuf_addstr(sb, "\treason: ");
		strbuf_add_printable(sb, f->suppressed);
		strbuf_addch(sb, '\n');
	}
	if (f->targets) {
		strbuf_addstr(sb, "\ttargets: ");
		strbuf_add_printable(sb, f->targets);
		strbuf_addch(sb, '\n');
	}
	flow = finding_flow(f, &nflow);
	for (i = 0; i < nflow; i++) {
		const struct flow_step *s = &flow[i];
		int is_flow = !strncmp(s->text, "flow:", 5);

		strbuf_addstr(sb, is_flow ? "\t" : "\t  ");
		strbuf_add_printable(sb, s->text);
		if (!is_flow && s->line) {
			strbuf_addstr(sb, " at ");
			add_position(sb, s->file, s->line, s->col);
		}
		strbuf_addch(sb, '\n');
	}
	strbuf_addch(sb, '\n');
}

static const char *plural(size_t n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

int report_text(FILE *out, const struct report_meta *meta, const struct match_result *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i, escapes = 0, leaks = 0;
	int ret = 0;

	/* finding by finding: a scan of 100,000 findings is tens of megabytes of text */
	for (i = 0; i < r->nr && !ret; i++) {
		const struct match_entry *e = &r->items[i];

		if (e->status == MATCH_UNCHANGED)
			continue;
		if (e->status == MATCH_PRESENT && e->f->kind == KIND_LEAK)
			leaks++;
		else if (e->status == MATCH_PRESENT)
			escapes++;
		strbuf_reset(&sb);
		add_finding(&sb, e);
		ret = fwrite(sb.buf, 1, sb.len, out) == sb.len ? 0 : -1;
	}
	strbuf_reset(&sb);
	if (meta->diff)
		strbuf_addf(&sb, "escgate: %zu new (%zu %s, %zu %s), %zu fixed, %zu unchanged",
			    r->nnew, r->new_escapes, plural(r->new_escapes, "escape", "escapes"),
			    r->new_leaks, plural(r->new_leaks, "leak", "leaks"), r->nfixed,
			    r->nunchanged);
	else
		strbuf_addf(&sb, "escgate: %zu %s (%zu %s, %zu %s)", escapes + leaks,
			    plural(escapes + leaks, "finding", "findings"), escapes,
			    plural(escapes, "escape", "escapes"), leaks, plural(leaks, "leak", "leaks"));
	/* only when there are some: the summary of a run without suppressions is unchanged */
	if (r->nsuppressed)
		strbuf_addf(&sb, ", %zu suppressed", r->nsuppressed);
	strbuf_addch(&sb, '\n');
	if (!ret)
		ret = fwrite(sb.buf, 1, sb.len, out) == sb.len ? 0 : -1;
	strbuf_release(&sb);
	return ret;
}
