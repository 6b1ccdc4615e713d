/*
 * html: one self-contained page for a reviewer. For each file with a new
 * or fixed finding, the source of the functions around it, each finding
 * drawn above its line like an editor's code lens with its flow folded
 * under it; then escapes and leaks per package, base against head.
 *
 * Flows fold with <details> and steps are plain #anchors, so the page
 * works with JavaScript off; the script only adds expand/collapse-all
 * and re-highlights a line that is clicked again.
 */
#include "report.h"

#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"   /* ESCGATE_VERSION */
#include "core/gosrc.h"
#include "core/util.h"
#include "escape.h"
#include "html.h"

/* A function longer than this shows only its first line and the lines near each finding. */
#define FUNC_LINES_SHOWN 60
#define CONTEXT_LINES 6
/* Revision names come from the command line: shown up to this many bytes. */
#define REV_SHOWN 100

/* --- shared with the history page (html.h) ------------------------------------ */

/* The bidirectional controls of "Trojan Source": they reorder how code reads. */
static int is_bidi_control(const unsigned char *p, size_t n)
{
	return n == 3 && p[0] == 0xe2 &&
	       ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
		(p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9));
}

void html_add(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		unsigned char seq[5] = { 0 };
		size_t n, k;

		switch (*p) {
		case '&': strbuf_addstr(sb, "&amp;"); p++; continue;
		case '<': strbuf_addstr(sb, "&lt;"); p++; continue;
		case '>': strbuf_addstr(sb, "&gt;"); p++; continue;
		case '"': strbuf_addstr(sb, "&quot;"); p++; continue;
		case '\'': strbuf_addstr(sb, "&#39;"); p++; continue;
		}
		if ((*p < 0x20 && *p != '\t') || *p == 0x7f) {
			strbuf_addf(sb, "<span class=\"ctl\">\\x%02x</span>", *p);
			p++;
			continue;
		}
		/* s need not be NUL-terminated: look at a padded copy of the next bytes */
		for (k = 0; k < 4 && p + k < end; k++)
			seq[k] = p[k];
		n = utf8_seq_len(seq);
		if (!n) {
			strbuf_addstr(sb, "\xef\xbf\xbd");
			p++;
		} else if (is_bidi_control(p, n) || (n == 2 && p[0] == 0xc2 && p[1] < 0xa0)) {
			/* C1 controls are parse errors in HTML; bidi controls mislead */
			strbuf_addf(sb, "<span class=\"ctl\">\\u%04X</span>",
				    n == 2 ? p[1] : ((p[1] & 0x3fu) << 6 | (p[2] & 0x3fu)) | 0x2000u);
			p += n;
		} else {
			strbuf_add(sb, p, n);
			p += n;
		}
	}
}

void html_addstr(struct strbuf *sb, const char *s)
{
	html_add(sb, s, strlen(s));
}

/* Okabe-Ito colours (distinguishable with every common colour-vision deficiency). */
static const char page_css[] =
	":root{--fg:#1f2328;--muted:#59636e;--bg:#fff;--panel:#f6f8fa;--rule:#d1d9e0;"
	"--link:#0550ae;--new:#d55e00;--new-bg:#fce6d6;--fixed:#0072b2;--fixed-bg:#dcecf8;"
	"--present:#6f6f6f;--present-bg:#ececec;color-scheme:light dark}\n"
	"@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;"
	"--panel:#151b23;--rule:#3d444d;--link:#79b8ff;--new:#f0883e;--new-bg:#3a2314;"
	"--fixed:#56b4e9;--fixed-bg:#10283a;--present:#aaa;--present-bg:#262b31}}\n"
	"body{margin:0 auto;max-width:80rem;padding:1.25rem;background:var(--bg);color:var(--fg);"
	"font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\n"
	"code,.code,kbd{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,'DejaVu Sans Mono',"
	"'Liberation Mono',monospace;font-size:13px}\n"
	"a{color:var(--link)}h1{font-size:1.45rem;margin:0 0 .4rem}\n"
	"h2{font-size:1.15rem;margin:2rem 0 .6rem;padding-bottom:.2rem;border-bottom:1px solid var(--rule)}\n"
	"table.grid{border-collapse:collapse}\n"
	".grid th,.grid td{padding:.2rem .65rem;border-bottom:1px solid var(--rule);text-align:left;"
	"vertical-align:top}\n"
	".grid th{background:var(--panel)}.num{text-align:right!important;font-variant-numeric:tabular-nums}\n"
	".muted{color:var(--muted)}\n"
	".ctl{color:var(--new);outline:1px dotted currentColor;font-size:85%}\n"
	"dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;margin:.5rem 0}\n"
	"dl.meta dt{color:var(--muted)}dl.meta dd{margin:0}\n"
	"footer{margin-top:2.5rem;font-size:13px;color:var(--muted)}\n";

void html_page_start(struct strbuf *sb, const char *title, const char *css)
{
	/* the policy is the guarantee that nothing is fetched: no fonts, images or scripts from outside */
	strbuf_addstr(sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
		      "base-uri 'none'; form-action 'none'\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<meta name=\"generator\" content=\"escgate " ESCGATE_VERSION "\">\n"
		      "<link rel=\"icon\" href=\"data:,\">\n<title>");
	html_addstr(sb, title);
	strbuf_addstr(sb, "</title>\n<style>\n");
	strbuf_addstr(sb, page_css);
	if (css)
		strbuf_addstr(sb, css);
	strbuf_addstr(sb, "</style>\n</head>\n<body>\n");
}

void html_page_end(struct strbuf *sb, const char *script)
{
	strbuf_addstr(sb, "<footer>made by escgate " ESCGATE_VERSION
		      " from the Go compiler's escape analysis (go build -gcflags=-m=2)</footer>\n");
	if (script) {
		strbuf_addstr(sb, "<script>\n");
		strbuf_addstr(sb, script);
		strbuf_addstr(sb, "</script>\n");
	}
	strbuf_addstr(sb, "</body>\n</html>\n");
}

/* --- the report ------------------------------------------------------------------ */

static const char report_css[] =
	".verdict{display:inline-block;font-weight:600;padding:.15rem .6rem;border-radius:4px;"
	"border:2px solid}\n"
	".verdict.fail{color:var(--new);border-color:var(--new);background:var(--new-bg)}\n"
	".verdict.pass{color:var(--fg);border-color:var(--rule);background:var(--panel)}\n"
	"ul.counts{list-style:none;padding:0;margin:.6rem 0;display:flex;flex-wrap:wrap;gap:.5rem}\n"
	"ul.counts li{border:1px solid var(--rule);border-radius:4px;padding:.1rem .6rem;"
	"background:var(--panel)}\n"
	"ul.counts b{font-size:1.1rem;font-variant-numeric:tabular-nums}\n"
	"ul.counts li.new{border:2px solid var(--new)}ul.counts li.fixed{border:2px dashed var(--fixed)}\n"
	"#controls{margin:.5rem 0}#controls button{font:inherit;font-size:13px;margin-right:.4rem}\n"
	"ol.index{padding-left:1.5rem}ol.index li{margin:.1rem 0}\n"
	"section.file{margin:1.25rem 0;border:1px solid var(--rule);border-radius:6px;overflow:hidden}\n"
	"section.file h3{margin:0;padding:.4rem .75rem;font-size:14px;font-weight:600;"
	"background:var(--panel);border-bottom:1px solid var(--rule)}\n"
	"section.file h3 .side{font-weight:400;color:var(--muted);margin-left:.5rem}\n"
	".scroll{overflow-x:auto}p.nosrc{margin:.4rem .75rem}\n"
	"table.code{border-collapse:collapse;width:100%;tab-size:4;-moz-tab-size:4}\n"
	"table.code td{padding:0 .75rem 0 .5rem;vertical-align:top}\n"
	"table.code td.src{white-space:pre;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
	"'DejaVu Sans Mono','Liberation Mono',monospace;font-size:13px;line-height:1.55;width:100%}\n"
	"table.code td.ln{text-align:right;user-select:none;color:var(--muted);min-width:3.5em;"
	"font-family:ui-monospace,monospace;font-size:12px;line-height:1.7;border-right:1px solid var(--rule)}\n"
	"td.ln a{color:inherit;text-decoration:none}\n"
	"tr.line{scroll-margin-top:40vh}\n"
	"tr.line.new td{background:var(--new-bg)}tr.line.fixed td{background:var(--fixed-bg)}\n"
	"tr.line.present td{background:var(--present-bg)}\n"
	"tr.line.new td.ln{box-shadow:inset 4px 0 0 var(--new)}\n"
	"tr.line.fixed td.ln{background-image:repeating-linear-gradient(180deg,var(--fixed) 0 4px,"
	"transparent 4px 7px);background-size:4px 100%;background-repeat:no-repeat}\n"
	"tr.line.new td.ln::before{content:'+ ';color:var(--new);font-weight:700}\n"
	"tr.line.fixed td.ln::before{content:'\\2212  ';color:var(--fixed);font-weight:700}\n"
	"tr.line:target td,tr.line.hit td{outline:2px solid var(--link);outline-offset:-2px}\n"
	"tr.gap td{color:var(--muted);background:var(--panel);font-size:12px;line-height:1.4}\n"
	"tr.lens td.src{font-family:system-ui,sans-serif;font-size:12.5px;line-height:1.4;"
	"padding-top:.35rem;white-space:pre}\n"
	".lensbody{display:inline-block;white-space:normal;vertical-align:top}\n"
	".tag{font-weight:700;padding:0 .35rem;border-radius:3px}\n"
	".new .tag{color:#fff;background:var(--new)}\n"
	".fixed .tag{color:var(--fixed);border:1.5px dashed var(--fixed)}\n"
	".present .tag{color:var(--fg);border:1px solid var(--present)}\n"
	".suppressed .tag{color:var(--muted);border:1px dotted var(--muted)}\n"
	"tr.line.suppressed td{background:var(--present-bg)}.lens .reason{color:var(--muted)}\n"
	".lens .msg{font-family:ui-monospace,monospace;font-size:12.5px}\n"
	".lens .where{color:var(--muted)}\n"
	"details.flow{margin:.15rem 0 .25rem}details.flow summary{cursor:pointer;color:var(--link)}\n"
	"details.flow ol{margin:.2rem 0;padding-left:1rem;list-style:none}\n"
	"details.flow li{font-family:ui-monospace,monospace;font-size:12.5px}\n"
	"details.flow li.from{margin-left:1.25rem}\n"
	"@keyframes hit{from{background:var(--link)}}\n"
	"tr.line.hit td.src{animation:hit .8s ease-out}\n"
	"table.pkgs td.up{color:var(--new);font-weight:600}table.pkgs td.down{color:var(--fixed);font-weight:600}\n"
	"table.pkgs tfoot td{font-weight:600}\n"
	"@media (prefers-reduced-motion:no-preference){html{scroll-behavior:smooth}}\n";

static const char report_js[] =
	"'use strict';\n"
	"(function () {\n"
	"  var controls = document.getElementById('controls');\n"
	"  if (!controls) return;\n"
	"  controls.hidden = false;\n"
	"  function all(open) {\n"
	"    document.querySelectorAll('details.flow').forEach(function (d) { d.open = open; });\n"
	"  }\n"
	"  document.getElementById('expand-all').addEventListener('click', function () { all(true); });\n"
	"  document.getElementById('collapse-all').addEventListener('click', function () { all(false); });\n"
	"  // :target highlights a line once; clicking the same step again should show it again\n"
	"  document.addEventListener('click', function (ev) {\n"
	"    var a = ev.target.closest && ev.target.closest('a[href^=\"#\"]');\n"
	"    if (!a) return;\n"
	"    var t = document.getElementById(a.getAttribute('href').slice(1));\n"
	"    if (!t || !t.classList.contains('line')) return;\n"
	"    document.querySelectorAll('tr.hit').forEach(function (r) { r.classList.remove('hit'); });\n"
	"    void t.offsetWidth;\n"
	"    t.classList.add('hit');\n"
	"  });\n"
	"})();\n";

struct line_range {
	unsigned from, to;
};

/* One file at one revision, as the page shows it. */
struct view {
	const char *path;
	int at_base;                       /* fixed findings are shown in the base's source */
	struct go_file *go;                /* NULL when the source cannot be read */
	struct strbuf why;                 /* ... and why */
	const struct match_entry **ents;   /* its findings, by line and column */
	size_t nents;
	struct line_range *ranges;         /* the lines shown: sorted, disjoint */
	size_t nranges, aranges;
};

struct page {
	const struct report_meta *meta;
	const struct match_result *r;
	const struct match_entry **shown;  /* new, fixed or present, by path, side, line */
	size_t nshown;
	struct view *views;
	size_t nviews;
};

static int at_base(const struct match_entry *e)
{
	return e->status == MATCH_FIXED;
}

static const char *status_class(enum match_status s)
{
	switch (s) {
	case MATCH_NEW: return "new";
	case MATCH_FIXED: return "fixed";
	case MATCH_UNCHANGED: return "unchanged";
	case MATCH_SUPPRESSED: return "suppressed";
	default: return "present";
	}
}

static int cmp_shown(const void *a, const void *b)
{
	const struct match_entry *x = *(const struct match_entry *const *)a;
	const struct match_entry *y = *(const struct match_entry *const *)b;
	int c = strcmp(x->f->file, y->f->file);

	if (c)
		return c;
	if (at_base(x) != at_base(y))
		return at_base(x) - at_base(y);
	if (x->f->line != y->f->line)
		return x->f->line < y->f->line ? -1 : 1;
	if (x->f->col != y->f->col)
		return x->f->col < y->f->col ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* A repository-relative path that stays inside the working tree. */
static int path_stays_inside(const char *p)
{
	const char *seg = p;

	if (!*p || *p == '/')
		return 0;
	while (seg) {
		if (!strncmp(seg, "..", 2) && (seg[2] == '/' || !seg[2]))
			return 0;
		seg = strchr(seg, '/');
		if (seg)
			seg++;
	}
	return 1;
}

/*
 * The file as the finding's revision has it: the head's (a commit, or the
 * working tree on disk) or, for fixed findings, the base's.
 */
static void load_source(const struct report_meta *meta, struct view *v)
{
	const char *hex = v->at_base ? meta->base_commit : meta->head_commit;
	git_commit *commit = NULL;
	git_tree *tree = NULL;
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	struct strbuf path = STRBUF_INIT;
	struct err err = ERR_INIT;
	git_oid oid;

	if (!meta->repo) {
		strbuf_addstr(&v->why, "no repository");
		goto out;
	}
	if (!hex) {
		const char *wd = git_repository_workdir(meta->repo);

		if (!wd || !path_stays_inside(v->path)) {
			strbuf_addstr(&v->why, "not in the working tree");
			goto out;
		}
		strbuf_addf(&path, "%s%s", wd, v->path);
		if (go_file_load(&v->go, path.buf, &err))
			strbuf_addstr(&v->why, err.msg.buf);
		goto out;
	}
	if (git_oid_fromstr(&oid, hex) || git_commit_lookup(&commit, meta->repo, &oid) ||
	    git_commit_tree(&tree, commit) || git_tree_entry_bypath(&entry, tree, v->path) ||
	    git_tree_entry_type(entry) != GIT_OBJECT_BLOB ||
	    git_blob_lookup(&blob, meta->repo, git_tree_entry_id(entry))) {
		strbuf_addf(&v->why, "not in commit %.12s", hex);
		goto out;
	}
	if (go_file_scan(&v->go, git_blob_rawcontent(blob), (size_t)git_blob_rawsize(blob), &err))
		strbuf_addstr(&v->why, err.msg.buf);
out:
	git_blob_free(blob);
	git_tree_entry_free(entry);
	git_tree_free(tree);
	git_commit_free(commit);
	strbuf_release(&path);
	err_release(&err);
}

static void add_range(struct view *v, long from, long to)
{
	if (from < 1)
		from = 1;
	if (to > (long)v->go->nlines)
		to = (long)v->go->nlines;
	if (from > to)
		return;
	ALLOC_GROW(v->ranges, v->nranges + 1, v->aranges);
	v->ranges[v->nranges].from = (unsigned)from;
	v->ranges[v->nranges].to = (unsigned)to;
	v->nranges++;
}

static int cmp_range(const void *a, const void *b)
{
	const struct line_range *x = a, *y = b;

	return x->from < y->from ? -1 : x->from > y->from;
}

/* Whether the view shows line (as a source line with an anchor). */
static int view_shows(const struct view *v, unsigned line)
{
	size_t i;

	if (!v->go) {
		for (i = 0; i < v->nents; i++)
			if (v->ents[i]->f->line == line)
				return 1;
		return 0;
	}
	for (i = 0; i < v->nranges; i++)
		if (v->ranges[i].from <= line && line <= v->ranges[i].to)
			return 1;
	return 0;
}

/* The declaration the finding belongs to (its scope), else the outermost function holding line. */
static const struct go_func *enclosing_decl(const struct go_file *go, const struct finding *f)
{
	const struct go_func *outer = NULL;
	size_t i;

	for (i = 0; i < go->nfuncs; i++) {
		const struct go_func *fn = &go->funcs[i];

		if (fn->start_line > f->line || f->line > fn->end_line)
			continue;
		if (!strcmp(fn->name, f->scope))
			return fn;
		if (!outer)
			outer = fn;   /* funcs are by start: the first that holds line is the outermost */
	}
	return outer;
}

/* The first line of the comment right above a declaration: its doc comment, shown with it. */
static unsigned doc_start(const struct go_file *go, const struct go_func *fn)
{
	unsigned line = fn->start_line, n = 0;

	while (line > 1 && n < CONTEXT_LINES) {
		const char *text;
		size_t len, i = 0;

		if (go_file_line(go, line - 1, &text, &len))
			break;
		while (i < len && (text[i] == ' ' || text[i] == '\t'))
			i++;
		if (len - i < 2 || text[i] != '/' || text[i + 1] != '/')
			break;
		line--;
		n++;
	}
	return line;
}

/*
 * The lines to show: each finding's whole function when it is short,
 * else its first line and the lines near the finding; then the lines its
 * flow names in this file, so that every step can link to its line.
 */
static void plan_ranges(struct view *v)
{
	size_t i, j, n;

	for (i = 0; i < v->nents; i++) {
		const struct finding *f = v->ents[i]->f;
		const struct go_func *fn = enclosing_decl(v->go, f);

		if (!fn)
			add_range(v, (long)f->line - 3, (long)f->line + 3);
		else if (fn->end_line - fn->start_line < FUNC_LINES_SHOWN)
			add_range(v, doc_start(v->go, fn), fn->end_line);
		else {
			long from = (long)f->line - CONTEXT_LINES, to = (long)f->line + CONTEXT_LINES;

			add_range(v, fn->start_line, fn->start_line);
			add_range(v, from < (long)fn->start_line ? (long)fn->start_line : from,
				  to > (long)fn->end_line ? (long)fn->end_line : to);
		}
	}
	for (i = 0; i < v->nents; i++) {
		const struct finding *f = v->ents[i]->f;
		size_t nflow;
		const struct flow_step *flow = finding_flow(f, &nflow);

		for (j = 0; j < nflow; j++) {
			const struct flow_step *s = &flow[j];

			if (!s->line || strcmp(s->file, v->path) || view_shows(v, s->line))
				continue;
			add_range(v, (long)s->line - 2, (long)s->line + 2);
		}
	}
	if (!v->nranges)
		return;
	qsort(v->ranges, v->nranges, sizeof(*v->ranges), cmp_range);
	/* merge overlaps, and gaps of one line: a "⋯" row would hide no more than the line itself */
	for (i = 1, n = 0; i < v->nranges; i++) {
		if (v->ranges[i].from <= v->ranges[n].to + 2) {
			if (v->ranges[i].to > v->ranges[n].to)
				v->ranges[n].to = v->ranges[i].to;
		} else {
			v->ranges[++n] = v->ranges[i];
		}
	}
	v->nranges = n + 1;
}

static void build_page(struct page *pg)
{
	const struct match_result *r = pg->r;
	size_t i, start;

	pg->shown = xcalloc(r->nr ? r->nr : 1, sizeof(*pg->shown));
	for (i = 0; i < r->nr; i++)
		if (r->items[i].status != MATCH_UNCHANGED)
			pg->shown[pg->nshown++] = &r->items[i];
	qsort(pg->shown, pg->nshown, sizeof(*pg->shown), cmp_shown);
	pg->views = xcalloc(pg->nshown ? pg->nshown : 1, sizeof(*pg->views));
	for (start = 0; start < pg->nshown; start = i) {
		struct view *v = &pg->views[pg->nviews++];

		for (i = start + 1; i < pg->nshown; i++)
			if (strcmp(pg->shown[i]->f->file, pg->shown[start]->f->file) ||
			    at_base(pg->shown[i]) != at_base(pg->shown[start]))
				break;
		v->path = pg->shown[start]->f->file;
		v->at_base = at_base(pg->shown[start]);
		v->ents = &pg->shown[start];
		v->nents = i - start;
		strbuf_init(&v->why, 0);
		load_source(pg->meta, v);
		if (v->go)
			plan_ranges(v);
	}
}

static void release_page(struct page *pg)
{
	size_t i;

	for (i = 0; i < pg->nviews; i++) {
		go_file_free(pg->views[i].go);
		strbuf_release(&pg->views[i].why);
		free(pg->views[i].ranges);
	}
	free(pg->views);
	free(pg->shown);
}

/* The view showing line of path at the same revision as from, or NULL. */
static const struct view *find_view(const struct page *pg, const struct view *from,
				    const char *path, unsigned line)
{
	size_t i;

	for (i = 0; i < pg->nviews; i++)
		if (pg->views[i].at_base == from->at_base && !strcmp(pg->views[i].path, path) &&
		    view_shows(&pg->views[i], line))
			return &pg->views[i];
	return NULL;
}

static void add_position(struct strbuf *sb, const char *file, unsigned line, unsigned col)
{
	html_addstr(sb, file);
	strbuf_addf(sb, ":%u", line);
	if (col)
		strbuf_addf(sb, ":%u", col);
}

static void add_flow(struct strbuf *sb, const struct page *pg, const struct view *v,
		     const struct finding *f)
{
	size_t i, nflow;
	const struct flow_step *flow = finding_flow(f, &nflow);

	strbuf_addf(sb, "<details class=\"flow\"><summary>flow: %zu %s</summary><ol>", nflow,
		    nflow == 1 ? "step" : "steps");
	for (i = 0; i < nflow; i++) {
		const struct flow_step *s = &flow[i];
		int is_flow = !strncmp(s->text, "flow:", 5);
		const struct view *to = s->line ? find_view(pg, v, s->file, s->line) : NULL;

		strbuf_addf(sb, "<li class=\"step %s\" data-line=\"%u\">", is_flow ? "flow" : "from",
			    s->line);
		html_addstr(sb, s->text);
		if (s->line) {
			strbuf_addstr(sb, " <span class=\"muted\">at</span> ");
			if (to)
				strbuf_addf(sb, "<a class=\"pos\" href=\"#v%zu-L%u\">",
					    (size_t)(to - pg->views), s->line);
			add_position(sb, s->file, s->line, s->col);
			if (to)
				strbuf_addstr(sb, "</a>");
		}
		strbuf_addstr(sb, "</li>");
	}
	strbuf_addstr(sb, "</ol></details>");
}

/* The lens over a line: "new escape: moved to heap: p", where, and the flow folded. */
static void add_lens(struct strbuf *sb, const struct page *pg, const struct view *v,
		     const struct match_entry *e, const char *indent, size_t indent_len)
{
	const struct finding *f = e->f;
	const char *st = status_class(e->status), *kind = finding_kind_name(f->kind);
	size_t nflow;

	strbuf_addf(sb, "<tr class=\"lens %s\" id=\"f%zu\" data-status=\"%s\" data-kind=\"%s\" "
		    "data-line=\"%u\"><td class=\"ln\"></td><td class=\"src\">", st,
		    (size_t)(e - pg->r->items), st, kind, f->line);
	html_add(sb, indent, indent_len);
	strbuf_addstr(sb, "<span class=\"lensbody\"><span class=\"tag\">");
	if (e->status != MATCH_PRESENT)
		strbuf_addf(sb, "%s ", st);
	strbuf_addf(sb, "%s</span> <span class=\"msg\">", kind);
	html_addstr(sb, f->message);
	strbuf_addstr(sb, "</span> <span class=\"where\">in ");
	html_addstr(sb, f->pkgname);
	strbuf_addch(sb, '.');
	html_addstr(sb, f->function);
	strbuf_addf(sb, " &middot; %u:%u</span>", f->line, f->col);
	if (f->targets) {
		strbuf_addstr(sb, " <span class=\"where\">on ");
		html_addstr(sb, f->targets);
		strbuf_addstr(sb, "</span>");
	}
	if (e->status == MATCH_SUPPRESSED && f->suppressed) {
		strbuf_addstr(sb, "<div class=\"reason\">allowed: ");
		html_addstr(sb, f->suppressed);
		strbuf_addstr(sb, "</div>");
	}
	finding_flow(f, &nflow);
	if (nflow)
		add_flow(sb, pg, v, f);
	strbuf_addstr(sb, "</span></td></tr>\n");
}

static void add_line_row(struct strbuf *sb, size_t vi, unsigned line, const char *cls,
			 const char *text, size_t len)
{
	strbuf_addf(sb, "<tr class=\"line%s%s\" id=\"v%zu-L%u\" data-line=\"%u\"><td class=\"ln\">"
		    "<a href=\"#v%zu-L%u\">%u</a></td><td class=\"src\">", cls ? " " : "",
		    cls ? cls : "", vi, line, line, vi, line, line);
	html_add(sb, text, len);
	strbuf_addstr(sb, "</td></tr>\n");
}

/* "at base <code>main</code> 1234abcd5678"; without "at base" in the header, which says it. */
static void add_side(struct strbuf *sb, const struct report_meta *meta, int base, int say_side)
{
	const char *rev = base ? meta->base_rev : meta->head_rev;
	const char *hex = base ? meta->base_commit : meta->head_commit;

	if (!base && !hex) {
		strbuf_addstr(sb, say_side ? "in the working tree" : "the working tree");
		return;
	}
	if (say_side)
		strbuf_addf(sb, "at %s", base ? "base " : meta->diff ? "head " : "");
	strbuf_addstr(sb, "<code>");
	html_add(sb, rev ? rev : "", rev ? strnlen(rev, REV_SHOWN) : 0);
	strbuf_addf(sb, "</code> <span title=\"%s\">%.12s</span>", hex ? hex : "", hex ? hex : "");
}

static void add_view(struct strbuf *sb, const struct page *pg, const struct view *v)
{
	size_t vi = (size_t)(v - pg->views), i, e = 0;
	unsigned line;

	strbuf_addf(sb, "<section class=\"file\" id=\"v%zu\" data-path=\"", vi);
	html_addstr(sb, v->path);
	strbuf_addstr(sb, "\">\n<h3><code class=\"path\">");
	html_addstr(sb, v->path);
	strbuf_addstr(sb, "</code><span class=\"side\">");
	add_side(sb, pg->meta, v->at_base, 1);
	strbuf_addstr(sb, "</span></h3>\n");
	if (!v->go) {
		strbuf_addstr(sb, "<p class=\"muted nosrc\">source not shown: ");
		html_addstr(sb, v->why.buf);
		strbuf_addstr(sb, "</p>\n");
	}
	strbuf_addstr(sb, "<div class=\"scroll\"><table class=\"code\">\n");
	if (!v->go) {
		/* only the line the compiler recorded */
		while (e < v->nents) {
			const struct finding *f = v->ents[e]->f;

			for (i = e; i < v->nents && v->ents[i]->f->line == f->line; i++)
				add_lens(sb, pg, v, v->ents[i], "", 0);
			add_line_row(sb, vi, f->line, status_class(v->ents[e]->status), f->source,
				     strlen(f->source));
			e = i;
		}
	}
	for (i = 0; v->go && i < v->nranges; i++) {
		if (i || v->ranges[i].from > 1)
			strbuf_addstr(sb, "<tr class=\"gap\"><td class=\"ln\">&#8943;</td><td class=\"src\"></td></tr>\n");
		for (line = v->ranges[i].from; line <= v->ranges[i].to; line++) {
			const char *text = "", *cls = NULL;
			size_t len = 0, ind = 0;

			go_file_line(v->go, line, &text, &len);
			while (ind < len && (text[ind] == '\t' || text[ind] == ' '))
				ind++;
			/* findings (sorted by line) on lines not shown cannot happen: ranges cover them */
			while (e < v->nents && v->ents[e]->f->line < line)
				e++;
			for (; e < v->nents && v->ents[e]->f->line == line; e++) {
				add_lens(sb, pg, v, v->ents[e], text, ind);
				cls = status_class(v->ents[e]->status);
			}
			add_line_row(sb, vi, line, cls, text, len);
		}
	}
	if (v->go && v->nranges && v->ranges[v->nranges - 1].to < v->go->nlines)
		strbuf_addstr(sb, "<tr class=\"gap\"><td class=\"ln\">&#8943;</td><td class=\"src\"></td></tr>\n");
	strbuf_addstr(sb, "</table></div>\n</section>\n");
}

/* Escapes and leaks of one package: [0] the base, [1] the head. */
struct pkg_count {
	const char *package;
	size_t escapes[2], leaks[2];
};

static int cmp_by_package(const void *a, const void *b)
{
	const struct match_entry *x = *(const struct match_entry *const *)a;
	const struct match_entry *y = *(const struct match_entry *const *)b;

	return strcmp(x->f->package, y->f->package);
}

static void add_delta_cell(struct strbuf *sb, size_t base, size_t head)
{
	if (head > base)
		strbuf_addf(sb, "<td class=\"num up\">+%zu</td>", head - base);
	else if (head < base)
		strbuf_addf(sb, "<td class=\"num down\">&minus;%zu</td>", base - head);
	else
		strbuf_addstr(sb, "<td class=\"num\">0</td>");
}

static void add_count_cells(struct strbuf *sb, const struct pkg_count *c, int diff)
{
	if (diff) {
		strbuf_addf(sb, "<td class=\"num\">%zu</td><td class=\"num\">%zu</td>", c->escapes[0],
			    c->escapes[1]);
		add_delta_cell(sb, c->escapes[0], c->escapes[1]);
		strbuf_addf(sb, "<td class=\"num\">%zu</td><td class=\"num\">%zu</td>", c->leaks[0],
			    c->leaks[1]);
		add_delta_cell(sb, c->leaks[0], c->leaks[1]);
	} else {
		strbuf_addf(sb, "<td class=\"num\">%zu</td><td class=\"num\">%zu</td>", c->escapes[1],
			    c->leaks[1]);
	}
}

/* Base counts are unchanged + fixed, head counts unchanged + new (a scan: present). */
static void add_packages(struct strbuf *sb, const struct report_meta *meta,
			 const struct match_result *r)
{
	const struct match_entry **by = xcalloc(r->nr ? r->nr : 1, sizeof(*by));
	struct pkg_count total = { "" }, c = { NULL };
	size_t i, listed_unchanged = 0;

	for (i = 0; i < r->nr; i++)
		by[i] = &r->items[i];
	qsort(by, r->nr, sizeof(*by), cmp_by_package);
	strbuf_addstr(sb, "<h2 id=\"packages\">Packages</h2>\n");
	if (!r->nr) {
		strbuf_addstr(sb, "<p class=\"muted\">No escapes or leaks in any package.</p>\n");
		goto out;
	}
	strbuf_addstr(sb, "<table class=\"grid pkgs\">\n<thead>");
	if (meta->diff)
		strbuf_addstr(sb, "<tr><th rowspan=\"2\">package</th><th colspan=\"3\" class=\"num\">escapes</th>"
			      "<th colspan=\"3\" class=\"num\">leaks</th></tr>\n<tr><th class=\"num\">base</th>"
			      "<th class=\"num\">head</th><th class=\"num\">&Delta;</th><th class=\"num\">base</th>"
			      "<th class=\"num\">head</th><th class=\"num\">&Delta;</th></tr>");
	else
		strbuf_addstr(sb, "<tr><th>package</th><th class=\"num\">escapes</th>"
			      "<th class=\"num\">leaks</th></tr>");
	strbuf_addstr(sb, "</thead>\n<tbody>\n");
	for (i = 0; i <= r->nr; i++) {
		const struct finding *f = i < r->nr ? by[i]->f : NULL;
		int sides[2];
		size_t s;

		if (c.package && (!f || strcmp(c.package, f->package))) {
			strbuf_addstr(sb, "<tr><td><code>");
			html_addstr(sb, c.package);
			strbuf_addstr(sb, "</code></td>");
			add_count_cells(sb, &c, meta->diff);
			strbuf_addstr(sb, "</tr>\n");
			memset(&c, 0, sizeof(c));
		}
		if (!f)
			break;
		c.package = f->package;
		sides[0] = by[i]->status == MATCH_UNCHANGED || by[i]->status == MATCH_FIXED;
		sides[1] = by[i]->status != MATCH_FIXED;
		for (s = 0; s < 2; s++) {
			if (!sides[s])
				continue;
			if (f->kind == KIND_LEAK) {
				c.leaks[s]++;
				total.leaks[s]++;
			} else {
				c.escapes[s]++;
				total.escapes[s]++;
			}
		}
	}
	strbuf_addstr(sb, "</tbody>\n<tfoot><tr><td>total</td>");
	add_count_cells(sb, &total, meta->diff);
	strbuf_addstr(sb, "</tr></tfoot>\n</table>\n");
	/* packages the change cannot affect are not rebuilt: their findings are counted, not listed */
	for (i = 0; i < r->nr; i++)
		listed_unchanged += r->items[i].status == MATCH_UNCHANGED;
	if (meta->diff && r->nunchanged > listed_unchanged)
		strbuf_addf(sb, "<p class=\"muted\" id=\"elsewhere\">and %zu unchanged %s in packages "
			    "the change cannot affect, which were not rebuilt</p>\n",
			    r->nunchanged - listed_unchanged,
			    r->nunchanged - listed_unchanged == 1 ? "finding" : "findings");
out:
	free(by);
}

static void add_header(struct strbuf *sb, const struct report_meta *meta,
		       const struct match_result *r)
{
	strbuf_addstr(sb, "<header>\n<h1>escgate report</h1>\n");
	if (meta->diff && r->nnew)
		strbuf_addf(sb, "<p class=\"verdict fail\" id=\"verdict\">gate: fail &mdash; the head "
			    "introduces %zu %s (%zu %s, %zu %s)</p>\n", r->nnew,
			    r->nnew == 1 ? "finding" : "findings", r->new_escapes,
			    r->new_escapes == 1 ? "escape" : "escapes", r->new_leaks,
			    r->new_leaks == 1 ? "leak" : "leaks");
	else if (meta->diff)
		strbuf_addstr(sb, "<p class=\"verdict pass\" id=\"verdict\">gate: pass &mdash; nothing new</p>\n");
	strbuf_addstr(sb, "<dl class=\"meta\">\n");
	if (meta->diff) {
		strbuf_addstr(sb, "<dt>base</dt><dd>");
		add_side(sb, meta, 1, 0);
		if (meta->base_rule) {
			strbuf_addstr(sb, " <span class=\"muted\">(");
			html_addstr(sb, meta->base_rule);
			strbuf_addstr(sb, ")</span>");
		}
		strbuf_addstr(sb, "</dd>\n<dt>head</dt><dd>");
	} else {
		strbuf_addstr(sb, "<dt>revision</dt><dd>");
	}
	add_side(sb, meta, 0, 0);
	strbuf_addstr(sb, "</dd>\n<dt>go</dt><dd>");
	html_addstr(sb, meta->go_version ? meta->go_version : "");
	strbuf_addstr(sb, " <span class=\"muted\">for</span> ");
	html_addstr(sb, meta->goos ? meta->goos : "");
	strbuf_addch(sb, '/');
	html_addstr(sb, meta->goarch ? meta->goarch : "");
	strbuf_addstr(sb, "</dd>\n</dl>\n<ul class=\"counts\" id=\"counts\">");
	if (meta->diff)
		strbuf_addf(sb, "<li class=\"new\"><b>%zu</b> new</li><li class=\"fixed\"><b>%zu</b> fixed</li>"
			    "<li class=\"unchanged\"><b>%zu</b> unchanged</li>"
			    "<li class=\"suppressed\"><b>%zu</b> suppressed</li>",
			    r->nnew, r->nfixed, r->nunchanged, r->nsuppressed);
	else
		strbuf_addf(sb, "<li class=\"present\"><b>%zu</b> %s</li>", r->nr,
			    r->nr == 1 ? "finding" : "findings");
	strbuf_addstr(sb, "</ul>\n</header>\n");
}

/* New then fixed, each by position, as the match result orders them: links to the lenses. */
static void add_index(struct strbuf *sb, const struct match_result *r)
{
	size_t i;

	strbuf_addstr(sb, "<ol class=\"index\">\n");
	for (i = 0; i < r->nr; i++) {
		const struct match_entry *e = &r->items[i];
		const struct finding *f = e->f;

		if (e->status == MATCH_UNCHANGED)
			continue;
		strbuf_addf(sb, "<li class=\"%s\"><span class=\"tag\">", status_class(e->status));
		if (e->status != MATCH_PRESENT)
			strbuf_addf(sb, "%s ", status_class(e->status));
		strbuf_addf(sb, "%s</span> <a href=\"#f%zu\"><code>", finding_kind_name(f->kind), i);
		add_position(sb, f->file, f->line, f->col);
		strbuf_addstr(sb, "</code></a> <code>");
		html_addstr(sb, f->message);
		strbuf_addstr(sb, "</code></li>\n");
	}
	strbuf_addstr(sb, "</ol>\n");
}

int report_html(FILE *out, const struct report_meta *meta, const struct match_result *r)
{
	struct strbuf sb = STRBUF_INIT, title = STRBUF_INIT;
	struct page pg = { meta, r };
	size_t i;
	int ret;

	build_page(&pg);
	if (meta->diff)
		strbuf_addf(&title, "escgate: %zu new, %zu fixed", r->nnew, r->nfixed);
	else
		strbuf_addf(&title, "escgate: %zu %s", r->nr, r->nr == 1 ? "finding" : "findings");
	html_page_start(&sb, title.buf, report_css);
	add_header(&sb, meta, r);
	strbuf_addstr(&sb, "<main>\n<h2 id=\"findings\">Findings</h2>\n");
	if (!pg.nshown) {
		strbuf_addf(&sb, "<p class=\"muted\">%s</p>\n", meta->diff ?
			    "No new or fixed findings." : "No findings.");
	} else {
		add_index(&sb, r);
		strbuf_addstr(&sb, "<div id=\"controls\" hidden><button type=\"button\" id=\"expand-all\">"
			      "expand all flows</button><button type=\"button\" id=\"collapse-all\">"
			      "collapse all</button></div>\n");
		for (i = 0; i < pg.nviews; i++)
			add_view(&sb, &pg, &pg.views[i]);
	}
	add_packages(&sb, meta, r);
	strbuf_addstr(&sb, "</main>\n");
	html_page_end(&sb, report_js);
	ret = fwrite(sb.buf, 1, sb.len, out) == sb.len ? 0 : -1;
	release_page(&pg);
	strbuf_release(&title);
	strbuf_release(&sb);
	return ret;
}
