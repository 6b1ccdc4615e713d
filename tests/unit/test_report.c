/*
 * The report formats on a synthetic match result whose repository content
 * is hostile: a file name with ',', ':', '%' and a newline, a verdict with
 * a workflow command, a table pipe, HTML, an entity, a CDATA end, a
 * backtick, a control byte, a non-character and invalid UTF-8.
 */
#define TEST_SUITE "report"
#include "test.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <unistd.h>

#include "core/match.h"
#include "core/report/escape.h"
#include "core/report/report.h"
#include "core/util.h"

#define HOSTILE_FILE "a,b:c%d\n.go"
#define HOSTILE_VERDICT \
	"\"::error::x|y<script>&amp;]]>`z\x01\xef\xbf\xbe\xff\xfe\" escapes to heap"
#define BASE_SHA "0123456789abcdef0123456789abcdef01234567"
#define HEAD_SHA "89abcdef0123456789abcdef0123456789abcdef"
#define FFFD "\xef\xbf\xbd"

static struct finding *add(struct finding_list *l, enum finding_kind kind, const char *function,
			   const char *file, unsigned line, unsigned col, const char *message,
			   const char *source)
{
	struct finding *f = finding_list_add(l);

	f->kind = kind;
	f->package = xstrdup("example.com/m/p");
	f->pkgname = xstrdup("p");
	f->function = xstrdup(function);
	f->scope = xstrdup(function);
	f->file = xstrdup(file);
	f->line = line;
	f->col = col;
	f->message = xstrdup(message);
	f->verdict = finding_normalize_verdict(message);
	f->source = xstrdup(source);
	return f;
}

/* Base: a fixed and an unchanged finding; head: the hostile escape, a leak, the unchanged one. */
static void make_result(struct finding_list *b, struct finding_list *h, struct match_result *r)
{
	struct finding *f;

	add(b, KIND_ESCAPE, "Old", "old.go", 7, 2, "moved to heap: x", "x := 1");
	add(b, KIND_ESCAPE, "Same", "same.go", 4, 2, "moved to heap: s", "s := 2");
	f = add(h, KIND_ESCAPE, "F", HOSTILE_FILE, 12, 5, HOSTILE_VERDICT,
		"fmt.Println(\"::error::x|y<script>&amp;]]>`z\xff\")");
	finding_flow_add(f, "", 0, 0, "flow: {heap} ← &{storage for \"|<b>\"}");
	finding_flow_add(f, HOSTILE_FILE, 13, 9, "from fmt.Println(\"|<b>\") (call parameter)");
	finding_flow_add(f, "/usr/local/go/src/fmt/print.go", 100, 2, "from a (assigned)");
	add(h, KIND_LEAK, "(*T).Put", "ok.go", 3, 0, "leaking param: w", "func (t *T) Put(w io.Writer) {");
	add(h, KIND_ESCAPE, "Same", "same.go", 9, 2, "moved to heap: s", "s := 2");
	match_findings(b, h, r);
}

static struct report_meta diff_meta(void)
{
	struct report_meta m = {
		"main", BASE_SHA, "feat`<b>", HEAD_SHA, "go1.26.8", "linux", "amd64", 1, NULL, NULL,
	};
	return m;
}

static char *render(report_fn fn, const struct report_meta *m, const struct match_result *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return xstrdup("");
	if (fn(f, m, r))
		FAIL_("report function failed");
	fclose(f);
	return buf;
}

static size_t count_lines_starting(const char *s, const char *prefix)
{
	size_t n = 0, len = strlen(prefix);
	const char *p = s;

	while (*p) {
		if (!strncmp(p, prefix, len))
			n++;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return n;
}

static size_t count_char(const char *s, const char *end, char c)
{
	size_t n = 0;

	for (; *s && s < end; s++)
		n += *s == c;
	return n;
}

/* Every Markdown table line ("| ...") has exactly five '|': four columns, nothing injected. */
static int table_rows_ok(const char *md, size_t *rows)
{
	const char *p = md;

	*rows = 0;
	while (p && *p) {
		const char *eol = strchr(p, '\n');

		if (!eol)
			eol = p + strlen(p);
		if (*p == '|') {
			if (count_char(p, eol, '|') != 5)
				return 0;
			++*rows;
		}
		p = *eol ? eol + 1 : NULL;
	}
	return 1;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[4096];
	size_t n;

	if (f) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			strbuf_add(&sb, buf, n);
		fclose(f);
	}
	return strbuf_detach(&sb, NULL);
}

/* The item at path: keys and array indexes separated by '.', or NULL. */
static const cJSON *at(const cJSON *obj, const char *path)
{
	char buf[256], *tok, *save = NULL;
	const cJSON *cur = obj;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && cur; tok = strtok_r(NULL, ".", &save))
		cur = (*tok >= '0' && *tok <= '9') ? cJSON_GetArrayItem(cur, atoi(tok))
						   : cJSON_GetObjectItemCaseSensitive(cur, tok);
	return cur;
}

static const char *str_at(const cJSON *obj, const char *path)
{
	const cJSON *item = at(obj, path);

	return item && cJSON_IsString(item) ? item->valuestring : NULL;
}

static double num_at(const cJSON *obj, const char *path)
{
	const cJSON *item = at(obj, path);

	return item && cJSON_IsNumber(item) ? item->valuedouble : -1;
}

/* Invalid UTF-8 anywhere in s. */
static int utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_seq_len(p);

		if (!n)
			return 0;
		p += n;
	}
	return 1;
}

TEST(escapers)
{
	struct strbuf sb = STRBUF_INIT;

	report_add_xml(&sb, "a&<>\"'\t\n\x01\xef\xbf\xbf\xff", 1);
	CHECK_STR(sb.buf, "a&amp;&lt;&gt;&quot;&apos;&#9;&#10;" FFFD);
	strbuf_reset(&sb);
	report_add_xml(&sb, "x\ty\nz\x1f", 0);
	CHECK_STR(sb.buf, "x\ty\nz");
	strbuf_reset(&sb);
	report_add_md(&sb, "a|b`c<d>&e*_~[x]\\#$\n\xc3\xa9\xc3");
	CHECK_STR(sb.buf, "a&#124;b&#96;c&#60;d&#62;&#38;e&#42;&#95;&#126;&#91;x&#93;&#92;&#35;&#36;"
			  "&#92;x0a\xc3\xa9" FFFD);
	strbuf_reset(&sb);
	report_add_md(&sb, "a\xe2\x80\xae" "b\xe2\x81\xa9" "c\xe2\x80\x94");
	CHECK_STR(sb.buf, "a&#92;u202Eb&#92;u2069c\xe2\x80\x94");
	strbuf_reset(&sb);
	report_add_uri_path(&sb, "dir/a,b:c%d\n \xc3\xa9~.go");
	CHECK_STR(sb.buf, "dir/a%2Cb%3Ac%25d%0A%20%C3%A9~.go");
	strbuf_reset(&sb);
	report_add_utf8(&sb, "\xed\xa0\x80|\xe0\x80\x80|\xf4\x90\x80\x80|\xf0\x9f\x98\x80");
	CHECK_STR(sb.buf, FFFD FFFD FFFD "|" FFFD FFFD FFFD "|" FFFD FFFD FFFD FFFD "|"
		  "\xf0\x9f\x98\x80");
	strbuf_release(&sb);
}

TEST(json_stays_valid)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;
	struct report_meta m = diff_meta();
	char *out;
	cJSON *doc;

	make_result(&b, &h, &r);
	out = render(report_json, &m, &r);
	CHECK(utf8_valid(out));
	doc = cJSON_Parse(out);
	CHECK(doc != NULL);
	CHECK_STR(str_at(doc, "findings.0.file"), HOSTILE_FILE);
	CHECK(strstr(str_at(doc, "findings.0.message") ? str_at(doc, "findings.0.message") : "",
		     "]]>`z\x01\xef\xbf\xbe" FFFD FFFD "\"") != NULL);
	cJSON_Delete(doc);
	free(out);
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

TEST(sarif_results_locations_flows_fingerprints)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;
	struct report_meta m = diff_meta();
	char *out, fp[41];
	const cJSON *res, *locs;
	cJSON *doc;

	make_result(&b, &h, &r);
	out = render(report_sarif, &m, &r);
	CHECK(utf8_valid(out));
	doc = cJSON_Parse(out);
	CHECK(doc != NULL);
	CHECK_STR(str_at(doc, "version"), "2.1.0");
	CHECK_STR(str_at(doc, "runs.0.tool.driver.name"), "escgate");
	CHECK(str_at(doc, "runs.0.tool.driver.version") != NULL);
	CHECK_STR(str_at(doc, "runs.0.tool.driver.rules.0.id"), "escape");
	CHECK_STR(str_at(doc, "runs.0.tool.driver.rules.1.id"), "leak");
	CHECK(str_at(doc, "runs.0.tool.driver.rules.1.fullDescription.text") != NULL);
	CHECK(str_at(doc, "runs.0.tool.driver.rules.0.help.text") != NULL);
	/* new findings only: the fixed and the unchanged ones are not results */
	CHECK_INT(cJSON_GetArraySize(at(doc, "runs.0.results")), 2);

	res = at(doc, "runs.0.results.0");
	CHECK_STR(str_at(res, "ruleId"), "escape");
	CHECK_INT(num_at(res, "ruleIndex"), 0);
	CHECK_STR(str_at(res, "level"), "error");
	CHECK_STR(str_at(res, "locations.0.physicalLocation.artifactLocation.uri"),
		  "a%2Cb%3Ac%25d%0A.go");
	CHECK_STR(str_at(res, "locations.0.physicalLocation.artifactLocation.uriBaseId"),
		  "%SRCROOT%");
	CHECK_INT(num_at(res, "locations.0.physicalLocation.region.startLine"), 12);
	CHECK_INT(num_at(res, "locations.0.physicalLocation.region.startColumn"), 5);
	CHECK_STR(str_at(res, "locations.0.logicalLocations.0.fullyQualifiedName"),
		  "example.com/m/p.F");
	finding_fingerprint(r.items[0].f, fp);
	CHECK_STR(str_at(res, "partialFingerprints.escgateFinding/v1"), fp);
	/* one flow: its header the message, the repository step, the standard library step */
	CHECK_INT(cJSON_GetArraySize(at(res, "codeFlows")), 1);
	CHECK_STR(str_at(res, "codeFlows.0.message.text"), "flow: {heap} ← &{storage for \"|<b>\"}");
	locs = at(res, "codeFlows.0.threadFlows.0.locations");
	CHECK_INT(cJSON_GetArraySize(locs), 2);
	CHECK_INT(num_at(locs, "0.location.physicalLocation.region.startLine"), 13);
	CHECK_STR(str_at(locs, "0.location.message.text"),
		  "from fmt.Println(\"|<b>\") (call parameter)");
	CHECK_STR(str_at(locs, "1.location.physicalLocation.artifactLocation.uri"),
		  "a%2Cb%3Ac%25d%0A.go");
	CHECK_STR(str_at(locs, "1.location.message.text"),
		  "from a (assigned) at /usr/local/go/src/fmt/print.go:100:2");

	/* column 0: unknown, no startColumn */
	res = at(doc, "runs.0.results.1");
	CHECK_STR(str_at(res, "ruleId"), "leak");
	CHECK_INT(num_at(res, "locations.0.physicalLocation.region.startLine"), 3);
	CHECK(!at(res, "locations.0.physicalLocation.region.startColumn"));
	CHECK(!at(res, "codeFlows"));
	cJSON_Delete(doc);
	free(out);
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

/* A scan: its findings listed at a lower severity; a suppressed one counted apart, not listed. */
TEST(scan_lists_present_not_suppressed)
{
	struct finding_list h = { 0 };
	struct match_result r;
	struct report_meta m = diff_meta();
	const char *want = NULL;
	char *out;
	cJSON *doc;

	m.diff = 0;
	m.base_rev = m.base_commit = NULL;
	add(&h, KIND_ESCAPE, "F", "f.go", 3, 2, "moved to heap: x", "x := 1");
	add(&h, KIND_ESCAPE, "G", "g.go", 5, 2, "moved to heap: y", "y := 1")->suppressed =
		xstrdup("cached on purpose");
	match_present(&h, &r);
	CHECK_INT(r.nsuppressed, 1);

	out = render(report_sarif, &m, &r);
	doc = cJSON_Parse(out);
	CHECK(doc != NULL);
	CHECK_INT(cJSON_GetArraySize(at(doc, "runs.0.results")), 1);
	CHECK_STR(str_at(doc, "runs.0.results.0.level"), "warning");
	CHECK(!at(doc, "runs.0.properties.base"));
	CHECK_INT(num_at(doc, "runs.0.properties.present"), 1);
	CHECK_INT(num_at(doc, "runs.0.properties.suppressed"), 1);
	cJSON_Delete(doc);
	free(out);

	out = render(report_gitlab, &m, &r);
	doc = cJSON_Parse(out);
	CHECK_INT(cJSON_GetArraySize(doc), 1);
	CHECK_STR(str_at(doc, "0.severity"), "minor");
	cJSON_Delete(doc);
	free(out);

	out = render(report_markdown, &m, &r);
	want = "## escgate: 1 heap escape or parameter leak\n\n1 escape, 0 leaks · 1 suppressed\n";
	CHECK(!strncmp(out, want, strlen(want)));
	CHECK(!strstr(out, "g.go"));
	free(out);

	out = render(report_github, &m, &r);
	CHECK_STR(out, "::notice file=f.go,line=3,col=2,title=escape in p.F::moved to heap: x%0A"
		       "    x := 1\nescgate: 1 finding (1 escape, 0 leaks), 1 suppressed\n");
	free(out);

	out = render(report_junit, &m, &r);
	CHECK(strstr(out, "tests=\"1\" failures=\"0\"") != NULL);
	CHECK(!strstr(out, "g.go"));
	free(out);
	match_result_release(&r);
	finding_list_release(&h);
}

TEST(gitlab_code_quality)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;
	struct report_meta m = diff_meta();
	char *out, fp[41];
	cJSON *doc;

	make_result(&b, &h, &r);
	out = render(report_gitlab, &m, &r);
	CHECK(utf8_valid(out));
	doc = cJSON_Parse(out);
	CHECK(cJSON_IsArray(doc));
	CHECK_INT(cJSON_GetArraySize(doc), 2);
	finding_fingerprint(r.items[0].f, fp);
	CHECK_STR(str_at(doc, "0.fingerprint"), fp);
	CHECK_STR(str_at(doc, "0.check_name"), "escape");
	CHECK_STR(str_at(doc, "0.severity"), "major");
	CHECK_STR(str_at(doc, "0.location.path"), HOSTILE_FILE);
	CHECK_INT(num_at(doc, "0.location.lines.begin"), 12);
	CHECK(strstr(str_at(doc, "0.description") ? str_at(doc, "0.description") : "",
		     "new escape in p.F: \"::error::x|y<script>") != NULL);
	CHECK_STR(str_at(doc, "1.check_name"), "leak");
	CHECK(strcmp(str_at(doc, "0.fingerprint"), str_at(doc, "1.fingerprint")));
	cJSON_Delete(doc);
	free(out);
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

TEST(junit_escapes_and_counts)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;
	struct report_meta m = diff_meta();
	char *out;

	make_result(&b, &h, &r);
	out = render(report_junit, &m, &r);
	CHECK(utf8_valid(out));
	CHECK(strstr(out, "<testsuite name=\"escgate\" tests=\"2\" failures=\"2\"") != NULL);
	CHECK(strstr(out, "<testcase classname=\"example.com/m/p\" name=\"F: &quot;::error::x|y"
			  "&lt;script&gt;&amp;amp;]]&gt;`z" FFFD FFFD "&quot; escapes to heap "
			  "(a,b:c%d&#10;.go:12)\"") != NULL);
	CHECK(strstr(out, "type=\"escape\">a,b:c%d\n.go:12:5: new escape in p.F:") != NULL);
	CHECK(strstr(out, "type=\"leak\"") != NULL);
	CHECK(strstr(out, "  from fmt.Println(&quot;|&lt;b&gt;&quot;) (call parameter) at "
			  "a,b:c%d\n.go:13:9\n") != NULL);
	/* nothing raw: no markup from the repository, no CDATA end, no forbidden characters */
	CHECK(!strstr(out, "<script>"));
	CHECK(!strstr(out, "<b>"));
	CHECK(!strstr(out, "]]>"));
	CHECK(!strchr(out, '\x01'));
	CHECK(!strstr(out, "\xef\xbf\xbe"));
	free(out);
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

TEST(junit_passes_when_nothing_is_new)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;
	struct report_meta m = diff_meta();
	char *out;

	add(&b, KIND_ESCAPE, "Old", "old.go", 7, 2, "moved to heap: x", "x := 1");
	match_findings(&b, &h, &r);
	out = render(report_junit, &m, &r);
	CHECK(strstr(out, "tests=\"1\" failures=\"0\"") != NULL);
	CHECK(strstr(out, "<testcase classname=\"escgate\" name=\"no new heap escapes or parameter leaks\"/>") != NULL);
	CHECK(!strstr(out, "<failure"));
	free(out);
	match_result_release(&r);
	finding_list_release(&b);
}

static void temp_file(char *path, const char *content)
{
	int fd;

	strcpy(path, "/tmp/escgate-test-report-XXXXXX");
	fd = mkstemp(path);
	if (fd >= 0) {
		if (write(fd, content, strlen(content)) < 0)
			FAIL_("write %s", path);
		close(fd);
	}
}

TEST(github_annotations_summary_outputs)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;
	struct report_meta m = diff_meta();
	char summary_path[64], output_path[64], *out, *summary, *outputs, *line;
	size_t rows;

	temp_file(summary_path, "earlier step\n");
	temp_file(output_path, "other=1\n");
	setenv("GITHUB_STEP_SUMMARY", summary_path, 1);
	setenv("GITHUB_OUTPUT", output_path, 1);
	setenv("GITHUB_SERVER_URL", "https://github.com", 1);
	setenv("GITHUB_REPOSITORY", "o/r", 1);
	make_result(&b, &h, &r);
	out = render(report_github, &m, &r);
	CHECK(utf8_valid(out));
	/* two annotations, one line each, and the summary line: nothing injected */
	CHECK_INT(count_lines_starting(out, "::"), 2);
	CHECK_INT(count_char(out, out + strlen(out), '\n'), 3);
	line = strstr(out, "::error file=a%2Cb%3Ac%25d%0A.go,line=12,col=5,"
			   "title=new escape in p.F::\"::error::x|y<script>&amp;]]>`z");
	CHECK(line == out);
	CHECK(strstr(out, "%0Aflow: {heap} ← &{storage for \"|<b>\"}%0A  from fmt.Println(\"|<b>\") "
			  "(call parameter) at a,b:c%25d%0A.go:13:9%0A") != NULL);
	CHECK(strstr(out, "\n::error file=ok.go,line=3,title=new leak in p.(*T).Put::leaking param: w%0A") != NULL);
	CHECK(strstr(out, "\nescgate: 2 new (1 escape, 1 leak), 1 fixed, 1 unchanged\n") != NULL);

	summary = read_file(summary_path);
	CHECK(!strncmp(summary, "earlier step\n## escgate: 2 new heap escapes or parameter leaks\n", 63));
	CHECK(table_rows_ok(summary, &rows));
	CHECK_INT(rows, 2 + 2 + 3);   /* two header and rule lines, two new, one fixed */
	CHECK(strstr(summary, "](https://github.com/o/r/blob/" HEAD_SHA "/a%2Cb%3Ac%25d%0A.go#L12)") != NULL);
	CHECK(strstr(summary, "](https://github.com/o/r/blob/" BASE_SHA "/old.go#L7)") != NULL);
	CHECK(strstr(summary, "<details><summary>flow</summary>") != NULL);
	CHECK(!strstr(summary, "<script>"));
	CHECK(!strstr(summary, "<b>"));
	CHECK(!strchr(summary, '`'));
	outputs = read_file(output_path);
	CHECK_STR(outputs, "other=1\nnew=2\nfixed=1\nunchanged=1\n");

	free(out);
	free(summary);
	free(outputs);
	unlink(summary_path);
	unlink(output_path);
	unsetenv("GITHUB_STEP_SUMMARY");
	unsetenv("GITHUB_OUTPUT");
	unsetenv("GITHUB_SERVER_URL");
	unsetenv("GITHUB_REPOSITORY");
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

TEST(github_annotates_ten_then_notice)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;
	struct report_meta m = diff_meta();
	char fn[16], *out;
	unsigned i;

	for (i = 0; i < 12; i++) {
		snprintf(fn, sizeof(fn), "F%u", i);
		add(&h, KIND_ESCAPE, fn, "f.go", 10 + i, 2, "moved to heap: x", "x := 1");
	}
	match_findings(&b, &h, &r);
	out = render(report_github, &m, &r);
	CHECK_INT(count_lines_starting(out, "::error "), 10);
	CHECK_INT(count_lines_starting(out, "::"), 11);
	CHECK(strstr(out, "\n::notice::2 more new findings not annotated: the text, json or sarif "
			  "format lists them all\n") != NULL);
	free(out);
	match_result_release(&r);
	finding_list_release(&h);
}

TEST(markdown_comment)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;
	struct report_meta m = diff_meta();
	char *out;
	size_t rows;

	make_result(&b, &h, &r);
	out = render(report_markdown, &m, &r);
	CHECK(utf8_valid(out));
	CHECK(!strncmp(out, "## escgate: 2 new heap escapes or parameter leaks\n", 50));
	CHECK(strstr(out, "**2 new** (1 escape, 1 leak) · 1 fixed · 1 unchanged") != NULL);
	CHECK(table_rows_ok(out, &rows));
	CHECK_INT(rows, 7);
	CHECK(strstr(out, "| escape | <code>a,b:c%d&#92;x0a.go:12:5</code> | <code>p.F</code> | "
			  "<code>&#34;::error::x&#124;y&#60;script&#62;&#38;amp;&#93;&#93;&#62;&#96;z&#92;x01"
			  "\xef\xbf\xbe" FFFD FFFD "&#34; escapes to heap</code><br>") != NULL);
	CHECK(strstr(out, "| leak | <code>ok.go:3</code> | <code>p.(&#42;T).Put</code> |") != NULL);
	/* link-free, and the footer names both commits and the Go release */
	CHECK(!strstr(out, "]("));
	CHECK(strstr(out, "base <code>main</code> 0123456789ab · head <code>feat&#96;&#60;b&#62;</code> "
			  "89abcdef0123 · go1.26.8 linux/amd64") != NULL);
	CHECK(!strstr(out, "<script>"));
	CHECK(!strchr(out, '`'));
	free(out);
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

TEST(markdown_stays_under_the_comment_limit)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;
	struct report_meta m = diff_meta();
	char fn[32], *out;
	size_t rows;
	unsigned i;

	for (i = 0; i < 2000; i++) {
		snprintf(fn, sizeof(fn), "Function%u", i);
		add(&h, KIND_ESCAPE, fn, "some/long/directory/name/file.go", 10 + i, 2,
		    "moved to heap: aVariableWithALongName", "aVariableWithALongName := makeIt()");
	}
	match_findings(&b, &h, &r);
	out = render(report_markdown, &m, &r);
	CHECK(strlen(out) <= 65000);
	CHECK(table_rows_ok(out, &rows));
	CHECK(rows > 100);
	CHECK(strstr(out, "findings are not shown: this report is kept under") != NULL);
	CHECK(strstr(out, "· escgate ") != NULL);
	free(out);
	match_result_release(&r);
	finding_list_release(&h);
}

TEST(formats_are_registered)
{
	struct strbuf names = STRBUF_INIT;
	const char *each[] = { "text", "json", "sarif", "github", "gitlab", "junit", "markdown" };
	size_t i;

	report_format_names(&names);
	for (i = 0; i < sizeof(each) / sizeof(*each); i++) {
		CHECK(report_lookup(each[i]) != NULL);
		CHECK(strstr(names.buf, each[i]) != NULL);
	}
	CHECK(!report_lookup("xml"));
	strbuf_release(&names);
}

int main(void)
{
	/* the runner's variables of the environment this test runs in must not leak in */
	unsetenv("GITHUB_STEP_SUMMARY");
	unsetenv("GITHUB_OUTPUT");
	RUN(escapers);
	RUN(json_stays_valid);
	RUN(sarif_results_locations_flows_fingerprints);
	RUN(scan_lists_present_not_suppressed);
	RUN(gitlab_code_quality);
	RUN(junit_escapes_and_counts);
	RUN(junit_passes_when_nothing_is_new);
	RUN(github_annotations_summary_outputs);
	RUN(github_annotates_ten_then_notice);
	RUN(markdown_comment);
	RUN(markdown_stays_under_the_comment_limit);
	RUN(formats_are_registered);
	TEST_EXIT();
}
