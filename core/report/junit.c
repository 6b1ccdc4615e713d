/*
 * JUnit XML, as the GitLab merge request test widget reads it: one failed
 * test case per new finding (its flow the failure's body) and, when there
 * is none, one passing test case so that the widget shows the gate ran.
 */
#include "report.h"

#include <string.h>

#include "core/strbuf.h"
#include "escape.h"

static void add_attr(struct strbuf *sb, const char *name, const char *value)
{
	strbuf_addf(sb, " %s=\"", name);
	report_add_xml(sb, value, 1);
	strbuf_addch(sb, '"');
}

/* The failure's body: the finding as the text format shows it. */
static void add_body(struct strbuf *sb, const struct match_entry *e)
{
	const struct finding *f = e->f;
	struct strbuf raw = STRBUF_INIT;
	size_t i, nflow;
	const struct flow_step *flow;

	strbuf_addf(&raw, "%s:%u", f->file, f->line);
	if (f->col)
		strbuf_addf(&raw, ":%u", f->col);
	strbuf_addf(&raw, ": %s %s in %s.%s: %s\n", match_status_name(e->status),
		    finding_kind_name(f->kind), f->pkgname, f->function, f->message);
	if (*f->source)
		strbuf_addf(&raw, "\t%s\n", f->source);
	flow = finding_flow(f, &nflow);
	for (i = 0; i < nflow; i++) {
		const struct flow_step *s = &flow[i];
		int is_flow = !strncmp(s->text, "flow:", 5);

		strbuf_addf(&raw, "%s%s", is_flow ? "\t" : "\t  ", s->text);
		if (!is_flow && s->line) {
			strbuf_addf(&raw, " at %s:%u", s->file, s->line);
			if (s->col)
				strbuf_addf(&raw, ":%u", s->col);
		}
		strbuf_addch(&raw, '\n');
	}
	report_add_xml(sb, raw.buf, 0);
	strbuf_release(&raw);
}

static void add_testcase(struct strbuf *sb, const struct match_entry *e)
{
	const struct finding *f = e->f;
	struct strbuf v = STRBUF_INIT;

	strbuf_addstr(sb, "    <testcase");
	add_attr(sb, "classname", f->package);
	strbuf_addf(&v, "%s: %s (%s:%u)", f->function, f->message, f->file, f->line);
	add_attr(sb, "name", v.buf);
	add_attr(sb, "file", f->file);
	strbuf_addstr(sb, ">\n");
	if (e->status == MATCH_NEW) {
		strbuf_reset(&v);
		strbuf_addf(&v, "new %s in %s.%s: %s", finding_kind_name(f->kind), f->pkgname,
			    f->function, f->message);
		strbuf_addstr(sb, "      <failure");
		add_attr(sb, "message", v.buf);
		add_attr(sb, "type", finding_kind_name(f->kind));
		strbuf_addch(sb, '>');
		add_body(sb, e);
		strbuf_addstr(sb, "</failure>\n");
	} else {
		strbuf_addstr(sb, "      <system-out>");
		add_body(sb, e);
		strbuf_addstr(sb, "</system-out>\n");
	}
	strbuf_addstr(sb, "    </testcase>\n");
	strbuf_release(&v);
}

int report_junit(FILE *out, const struct report_meta *meta, const struct match_result *r)
{
	struct strbuf cases = STRBUF_INIT, sb = STRBUF_INIT;
	size_t i, tests = 0, failures = 0;
	int ret;

	/*
	 * A diff's new findings fail. A scan's findings (present) are listed
	 * as passing cases with the finding as their output: a scan reports,
	 * it does not gate.
	 */
	for (i = 0; i < r->nr; i++) {
		const struct match_entry *e = &r->items[i];

		if (e->status != MATCH_NEW && e->status != MATCH_PRESENT)
			continue;
		add_testcase(&cases, e);
		tests++;
		failures += e->status == MATCH_NEW;
	}
	if (!tests) {
		strbuf_addstr(&cases, "    <testcase classname=\"escgate\" name=\"");
		strbuf_addstr(&cases, meta->diff ? "no new heap escapes or parameter leaks"
						 : "no heap escapes or parameter leaks");
		strbuf_addstr(&cases, "\"/>\n");
		tests = 1;
	}
	strbuf_addstr(&sb, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	strbuf_addf(&sb, "<testsuites name=\"escgate\" tests=\"%zu\" failures=\"%zu\">\n", tests,
		    failures);
	strbuf_addf(&sb, "  <testsuite name=\"escgate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"0\">\n",
		    tests, failures);
	strbuf_addstr(&sb, cases.buf);
	strbuf_addstr(&sb, "  </testsuite>\n</testsuites>\n");
	ret = fwrite(sb.buf, 1, sb.len, out) == sb.len ? 0 : -1;
	strbuf_release(&cases);
	strbuf_release(&sb);
	return ret;
}
