/*
 * The history page and CSV: escapes and leaks per commit, in total and
 * for the packages that have the most. The page's charts are inline SVG
 * with a tooltip (<title>) per point: no script, nothing fetched.
 */
#include "history.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/util.h"
#include "escape.h"
#include "html.h"

/* Packages charted besides the total: more lines than this are unreadable. */
#define TOP_PACKAGES 5

struct history_point *history_add(struct history *h, const char *hex, const char *subject,
				  long long time)
{
	struct history_point *p;

	ALLOC_GROW(h->points, h->nr + 1, h->alloc);
	p = &h->points[h->nr++];
	memset(p, 0, sizeof(*p));
	snprintf(p->hex, sizeof(p->hex), "%s", hex);
	p->subject = xstrdup(subject ? subject : "");
	p->time = time;
	return p;
}

static int cmp_finding_package(const void *a, const void *b)
{
	const struct finding *x = *(const struct finding *const *)a;
	const struct finding *y = *(const struct finding *const *)b;

	return strcmp(x->package, y->package);
}

void history_count(struct history_point *p, const struct finding_list *findings)
{
	const struct finding **by = xcalloc(findings->nr ? findings->nr : 1, sizeof(*by));
	size_t i;

	for (i = 0; i < findings->nr; i++)
		by[i] = &findings->items[i];
	qsort(by, findings->nr, sizeof(*by), cmp_finding_package);
	p->pkgs = xcalloc(findings->nr ? findings->nr : 1, sizeof(*p->pkgs));
	for (i = 0; i < findings->nr; i++) {
		struct history_pkg *pk = p->npkgs ? &p->pkgs[p->npkgs - 1] : NULL;

		if (!pk || strcmp(pk->package, by[i]->package)) {
			pk = &p->pkgs[p->npkgs++];
			pk->package = xstrdup(by[i]->package);
		}
		if (by[i]->kind == KIND_LEAK) {
			pk->leaks++;
			p->leaks++;
		} else {
			pk->escapes++;
			p->escapes++;
		}
	}
	free(by);
}

void history_release(struct history *h)
{
	size_t i, j;

	for (i = 0; i < h->nr; i++) {
		for (j = 0; j < h->points[i].npkgs; j++)
			free(h->points[i].pkgs[j].package);
		free(h->points[i].pkgs);
		free(h->points[i].subject);
		free(h->points[i].why);
	}
	free(h->points);
	h->points = NULL;
	h->nr = h->alloc = 0;
}

static const struct history_pkg *find_pkg(const struct history_point *p, const char *package)
{
	size_t lo = 0, hi = p->npkgs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(p->pkgs[mid].package, package);

		if (!c)
			return &p->pkgs[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* A series' value at p: the total (package NULL) or one package's, escapes or leaks. */
static size_t value_at(const struct history_point *p, const char *package, int leaks)
{
	const struct history_pkg *pk;

	if (!package)
		return leaks ? p->leaks : p->escapes;
	pk = find_pkg(p, package);
	return !pk ? 0 : leaks ? pk->leaks : pk->escapes;
}

struct ranked {
	const char *package;
	size_t sum;
};

static int cmp_ranked(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	if (x->sum != y->sum)
		return x->sum > y->sum ? -1 : 1;
	return strcmp(x->package, y->package);
}

/* The packages with the most escapes and leaks summed over the history, most first. */
static size_t top_packages(const struct history *h, const char **out, size_t max)
{
	struct ranked *r = NULL;
	size_t nr = 0, alloc = 0, i, j, k, n;

	for (i = 0; i < h->nr; i++) {
		for (j = 0; j < h->points[i].npkgs; j++) {
			const struct history_pkg *pk = &h->points[i].pkgs[j];

			for (k = 0; k < nr && strcmp(r[k].package, pk->package); k++)
				;
			if (k == nr) {
				ALLOC_GROW(r, nr + 1, alloc);
				r[nr].package = pk->package;
				r[nr++].sum = 0;
			}
			r[k].sum += pk->escapes + pk->leaks;
		}
	}
	if (nr)
		qsort(r, nr, sizeof(*r), cmp_ranked);
	for (n = 0; n < nr && n < max; n++)
		out[n] = r[n].package;
	free(r);
	return n;
}

/* ISO 8601 in UTC; for people (short) "2024-01-01 00:01". */
static void format_date(char *buf, size_t len, long long t, int short_form)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) ||
	    !strftime(buf, len, short_form ? "%Y-%m-%d %H:%M" : "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%lld", t);
}

/* --- CSV --------------------------------------------------------------------- */

/*
 * RFC 4180 quoting; text that a spreadsheet would run as a formula
 * (= + - @ first) gets a leading apostrophe. Invalid UTF-8 becomes U+FFFD.
 */
static void csv_field(struct strbuf *sb, const char *s, int text)
{
	struct strbuf u = STRBUF_INIT;
	const char *p;

	if (text && strchr("=+-@\t\r", *s) && *s)
		strbuf_addch(&u, '\'');
	report_add_utf8(&u, s);
	if (!strpbrk(u.buf, ",\"\r\n") && u.len && u.buf[0] != ' ' && u.buf[u.len - 1] != ' ') {
		strbuf_add(sb, u.buf, u.len);
	} else {
		strbuf_addch(sb, '"');
		for (p = u.buf; *p; p++) {
			if (*p == '"')
				strbuf_addch(sb, '"');
			strbuf_addch(sb, *p);
		}
		strbuf_addch(sb, '"');
	}
	strbuf_release(&u);
}

int history_write_csv(FILE *out, const struct history *h)
{
	struct strbuf sb = STRBUF_INIT, col = STRBUF_INIT;
	const char *top[TOP_PACKAGES];
	size_t ntop = top_packages(h, top, TOP_PACKAGES), i, k;
	int ret;

	strbuf_addstr(&sb, "commit,date,subject,status,escapes,leaks");
	for (k = 0; k < ntop; k++) {
		strbuf_reset(&col);
		strbuf_addf(&col, "escapes %s", top[k]);
		strbuf_addch(&sb, ',');
		csv_field(&sb, col.buf, 1);
		strbuf_reset(&col);
		strbuf_addf(&col, "leaks %s", top[k]);
		strbuf_addch(&sb, ',');
		csv_field(&sb, col.buf, 1);
	}
	strbuf_addstr(&sb, "\r\n");
	for (i = 0; i < h->nr; i++) {
		const struct history_point *p = &h->points[i];
		char date[32];

		format_date(date, sizeof(date), p->time, 0);
		strbuf_addf(&sb, "%s,%s,", p->hex, date);
		csv_field(&sb, p->subject, 1);
		if (p->gap) {
			strbuf_addstr(&sb, ",gap,,");
			for (k = 0; k < ntop; k++)
				strbuf_addstr(&sb, ",,");
		} else {
			strbuf_addf(&sb, ",ok,%zu,%zu", p->escapes, p->leaks);
			for (k = 0; k < ntop; k++)
				strbuf_addf(&sb, ",%zu,%zu", value_at(p, top[k], 0), value_at(p, top[k], 1));
		}
		strbuf_addstr(&sb, "\r\n");
	}
	ret = fwrite(sb.buf, 1, sb.len, out) == sb.len ? 0 : -1;
	strbuf_release(&col);
	strbuf_release(&sb);
	return ret;
}

/* --- HTML --------------------------------------------------------------------- */

/* The total is drawn thick in the text colour; packages in Okabe-Ito colours with distinct dashes. */
static const char history_css[] =
	"figure.chart{margin:1rem 0 2rem}figure.chart figcaption{font-weight:600;margin-bottom:.3rem}\n"
	".chart svg.plot{width:100%;height:auto;display:block;max-width:980px}\n"
	".chart .axis line{stroke:var(--rule)}.chart .axis text{fill:var(--muted);font:11px system-ui,sans-serif}\n"
	".ser{fill:none;stroke-width:2;stroke-linejoin:round;stroke-linecap:round}\n"
	".pt{stroke-width:2;fill:var(--bg)}\n"
	".s0{stroke:var(--fg);stroke-width:3}.s1{stroke:#e69f00}.s2{stroke:#56b4e9;stroke-dasharray:7 4}\n"
	".s3{stroke:#009e73;stroke-dasharray:2 4}.s4{stroke:#cc79a7;stroke-dasharray:9 4 2 4}\n"
	".s5{stroke:#0072b2;stroke-dasharray:1 4}\n"
	".gapband{fill:var(--new-bg);stroke:var(--new);stroke-dasharray:3 3}\n"
	".gaptext{fill:var(--new)!important;color:var(--new);font-weight:600}\n"
	"ul.legend{list-style:none;padding:0;margin:.4rem 0;display:flex;flex-wrap:wrap;gap:.3rem 1.2rem;"
	"font-size:13px}\nul.legend svg{vertical-align:middle;margin-right:.35rem}\n"
	"td.date{white-space:nowrap}tr.gap td{color:var(--new)}td.up{color:var(--new);font-weight:600}"
	"td.down{color:var(--fixed);font-weight:600}\n";

#define CHART_W 980.0
#define CHART_H 230.0
#define PAD_L 52.0
#define PAD_R 20.0
#define PAD_T 14.0
#define PAD_B 48.0

/* The step between gridlines: 1, 2 or 5 times a power of ten, for at most 5 of them. */
static size_t nice_step(size_t max)
{
	size_t step = 1;

	for (;;) {
		if (max <= step * 5)
			return step;
		if (max <= step * 2 * 5)
			return step * 2;
		if (max <= step * 5 * 5)
			return step * 5;
		step *= 10;
	}
}

/* Points are inset from the axes, so that a gap's band at either end hides no label. */
#define INSET 18.0

static double x_of(const struct history *h, size_t i)
{
	double from = PAD_L + INSET, width = CHART_W - PAD_R - INSET - from;

	if (h->nr < 2)
		return from + width / 2;
	return from + width * (double)i / (double)(h->nr - 1);
}

static void add_point_title(struct strbuf *sb, const struct history_point *p, const char *package,
			    size_t v, int leaks)
{
	strbuf_addf(sb, "<title>%.12s ", p->hex);
	html_addstr(sb, p->subject);
	strbuf_addf(sb, "\n%zu %s", v, leaks ? (v == 1 ? "leak" : "leaks") :
					       (v == 1 ? "escape" : "escapes"));
	if (package) {
		strbuf_addstr(sb, " in ");
		html_addstr(sb, package);
	}
	strbuf_addstr(sb, "</title>");
}

static void add_legend_swatch(struct strbuf *sb, size_t series)
{
	strbuf_addf(sb, "<svg width=\"30\" height=\"10\" aria-hidden=\"true\"><line x1=\"1\" y1=\"5\" "
		    "x2=\"29\" y2=\"5\" class=\"ser s%zu\"/></svg>", series);
}

/* One chart: escapes (leaks 0) or leaks per commit, the total and the top packages. */
static void add_chart(struct strbuf *sb, const struct history *h, const char **top, size_t ntop,
		      int leaks)
{
	const char *what = leaks ? "leaks" : "escapes";
	double plot_h = CHART_H - PAD_T - PAD_B, band;
	size_t max = 0, step, axis_max, i, s, label_every;

	for (i = 0; i < h->nr; i++)
		if (!h->points[i].gap && value_at(&h->points[i], NULL, leaks) > max)
			max = value_at(&h->points[i], NULL, leaks);
	step = nice_step(max ? max : 1);
	axis_max = ((max ? max : 1) + step - 1) / step * step;
	band = h->nr > 1 ? x_of(h, 1) - x_of(h, 0) : 24.0;
	if (band > 24.0)
		band = 24.0;

	strbuf_addf(sb, "<figure class=\"chart\" id=\"chart-%s\"><figcaption>%s per commit</figcaption>\n"
		    "<svg class=\"plot\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"%s per commit, "
		    "oldest to newest\">\n<g class=\"axis\">", what, what, CHART_W, CHART_H, what);
	for (i = 0; i <= axis_max; i += step) {
		double y = PAD_T + plot_h * (1.0 - (double)i / (double)axis_max);

		strbuf_addf(sb, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
			    "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%zu</text>",
			    PAD_L, y, CHART_W - PAD_R, y, PAD_L - 8, y + 4, i);
	}
	/* about a dozen commit labels at most, always the newest */
	label_every = h->nr > 12 ? (h->nr + 11) / 12 : 1;
	for (i = 0; i < h->nr; i++) {
		if ((h->nr - 1 - i) % label_every)
			continue;
		strbuf_addf(sb, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\" transform=\"rotate(-35 %.1f %.1f)\""
			    "%s>%.7s</text>", x_of(h, i), CHART_H - PAD_B + 16, x_of(h, i),
			    CHART_H - PAD_B + 16, h->points[i].gap ? " class=\"gaptext\"" : "",
			    h->points[i].hex);
	}
	strbuf_addstr(sb, "</g>\n");
	for (i = 0; i < h->nr; i++) {
		const struct history_point *p = &h->points[i];

		if (!p->gap)
			continue;
		strbuf_addf(sb, "<rect class=\"gapband\" data-commit=\"%s\" x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"%.1f\"><title>%.12s ", p->hex, x_of(h, i) - band / 2,
			    PAD_T, band, plot_h, p->hex);
		html_addstr(sb, p->subject);
		strbuf_addstr(sb, "\nnot analysed: ");
		html_addstr(sb, p->why ? p->why : "");
		strbuf_addstr(sb, "</title></rect>\n");
	}
	/* the total last, on top of the packages */
	for (s = ntop + 1; s-- > 0;) {
		const char *package = s ? top[s - 1] : NULL;
		int pen_down = 0;

		strbuf_addf(sb, "<path class=\"ser s%zu\" d=\"", s);
		/* a gap breaks the line: there is no value to draw through */
		for (i = 0; i < h->nr; i++) {
			const struct history_point *p = &h->points[i];

			if (p->gap) {
				pen_down = 0;
				continue;
			}
			strbuf_addf(sb, "%s%.1f %.1f ", pen_down ? "L" : "M", x_of(h, i),
				    PAD_T + plot_h * (1.0 - (double)value_at(p, package, leaks) /
						      (double)axis_max));
			pen_down = 1;
		}
		strbuf_addstr(sb, "\"/>\n");
		for (i = 0; i < h->nr; i++) {
			const struct history_point *p = &h->points[i];
			size_t v;

			if (p->gap)
				continue;
			v = value_at(p, package, leaks);
			strbuf_addf(sb, "<circle class=\"pt s%zu\" cx=\"%.1f\" cy=\"%.1f\" r=\"%s\">", s,
				    x_of(h, i), PAD_T + plot_h * (1.0 - (double)v / (double)axis_max),
				    s ? "2.5" : "3.5");
			add_point_title(sb, p, package, v, leaks);
			strbuf_addstr(sb, "</circle>\n");
		}
	}
	strbuf_addstr(sb, "</svg>\n<ul class=\"legend\"><li>");
	add_legend_swatch(sb, 0);
	strbuf_addstr(sb, "total</li>");
	for (s = 1; s <= ntop; s++) {
		strbuf_addstr(sb, "<li>");
		add_legend_swatch(sb, s);
		strbuf_addstr(sb, "<code>");
		html_addstr(sb, top[s - 1]);
		strbuf_addstr(sb, "</code></li>");
	}
	strbuf_addstr(sb, "</ul>\n</figure>\n");
}

static void add_delta(struct strbuf *sb, const struct history_point *p,
		      const struct history_point *prev, int leaks)
{
	size_t v, was;

	if (!prev) {
		strbuf_addstr(sb, "<td class=\"num\"></td>");
		return;
	}
	v = value_at(p, NULL, leaks);
	was = value_at(prev, NULL, leaks);
	if (v > was)
		strbuf_addf(sb, "<td class=\"num up\">+%zu</td>", v - was);
	else if (v < was)
		strbuf_addf(sb, "<td class=\"num down\">&minus;%zu</td>", was - v);
	else
		strbuf_addstr(sb, "<td class=\"num\">0</td>");
}

/* Newest first, each with the change from the commit before it (the last one analysed). */
static void add_table(struct strbuf *sb, const struct history *h)
{
	size_t i, j;

	strbuf_addstr(sb, "<h2 id=\"commits\">Commits</h2>\n<table class=\"grid commits\">\n"
		      "<thead><tr><th>commit</th><th>date</th><th>subject</th><th class=\"num\">escapes</th>"
		      "<th class=\"num\">leaks</th><th class=\"num\">&Delta; escapes</th>"
		      "<th class=\"num\">&Delta; leaks</th></tr></thead>\n<tbody>\n");
	for (i = h->nr; i-- > 0;) {
		const struct history_point *p = &h->points[i], *prev = NULL;
		char date[32];

		for (j = i; j-- > 0;)
			if (!h->points[j].gap) {
				prev = &h->points[j];
				break;
			}
		format_date(date, sizeof(date), p->time, 1);
		strbuf_addf(sb, "<tr%s data-commit=\"%s\"><td><code title=\"%s\">%.12s</code></td>"
			    "<td class=\"date\">%s</td><td>", p->gap ? " class=\"gap\"" : "", p->hex, p->hex, p->hex, date);
		html_addstr(sb, p->subject);
		strbuf_addstr(sb, "</td>");
		if (p->gap) {
			strbuf_addstr(sb, "<td colspan=\"4\">not analysed: ");
			html_addstr(sb, p->why ? p->why : "");
			strbuf_addstr(sb, "</td>");
		} else {
			strbuf_addf(sb, "<td class=\"num\">%zu</td><td class=\"num\">%zu</td>", p->escapes,
				    p->leaks);
			add_delta(sb, p, prev, 0);
			add_delta(sb, p, prev, 1);
		}
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</tbody>\n</table>\n");
}

int history_write_html(FILE *out, const struct history *h)
{
	struct strbuf sb = STRBUF_INIT, title = STRBUF_INIT;
	const char *top[TOP_PACKAGES];
	size_t ntop = top_packages(h, top, TOP_PACKAGES), gaps = 0, i;
	int ret;

	for (i = 0; i < h->nr; i++)
		gaps += h->points[i].gap;
	strbuf_addstr(&title, "escgate history: ");
	strbuf_add(&title, h->rev, strnlen(h->rev, 100));
	html_page_start(&sb, title.buf, history_css);
	strbuf_addstr(&sb, "<header>\n<h1>escgate history</h1>\n<dl class=\"meta\">\n<dt>revision</dt><dd><code>");
	html_add(&sb, h->rev, strnlen(h->rev, 100));
	strbuf_addf(&sb, "</code>, its first-parent history</dd>\n<dt>commits</dt><dd id=\"ncommits\">%zu"
		    "%s", h->nr, h->nr ? ", " : "");
	if (h->nr) {
		char from[32], to[32];

		format_date(from, sizeof(from), h->points[0].time, 1);
		format_date(to, sizeof(to), h->points[h->nr - 1].time, 1);
		strbuf_addf(&sb, "%s to %s (UTC)", from, to);
	}
	if (gaps)
		strbuf_addf(&sb, "; <span class=\"gaptext\">%zu not analysed (failed to build)</span>", gaps);
	strbuf_addstr(&sb, "</dd>\n<dt>go</dt><dd>");
	html_addstr(&sb, h->go_version ? h->go_version : "");
	strbuf_addstr(&sb, " <span class=\"muted\">for</span> ");
	html_addstr(&sb, h->goos ? h->goos : "");
	strbuf_addch(&sb, '/');
	html_addstr(&sb, h->goarch ? h->goarch : "");
	strbuf_addstr(&sb, "</dd>\n</dl>\n</header>\n<main>\n");
	add_chart(&sb, h, top, ntop, 0);
	add_chart(&sb, h, top, ntop, 1);
	add_table(&sb, h);
	strbuf_addstr(&sb, "</main>\n");
	html_page_end(&sb, NULL);
	ret = fwrite(sb.buf, 1, sb.len, out) == sb.len ? 0 : -1;
	strbuf_release(&title);
	strbuf_release(&sb);
	return ret;
}
