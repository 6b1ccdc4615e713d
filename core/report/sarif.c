/*
 * SARIF 2.1.0, for GitHub code scanning and other SARIF viewers: two rules
 * (escape, leak), one result per new finding with its flow as code flows,
 * and a fingerprint of the finding's identity so that an alert survives
 * lines moving.
 */
#include "report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"   /* ESCGATE_VERSION */
#include "core/strbuf.h"
#include "escape.h"

#define SARIF_SCHEMA \
	"https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
/* Where repository-relative URIs are rooted: the checkout the SARIF is uploaded from. */
#define SRCROOT "%SRCROOT%"

static const struct {
	const char *id, *name, *short_text, *full_text, *help_text, *help_markdown;
} rules[] = {
	[KIND_ESCAPE] = {
		"escape", "HeapEscape",
		"A value is allocated on the heap",
		"The Go compiler's escape analysis moved a variable to the heap, or decided that a "
		"value escapes to the heap: it is allocated and garbage-collected where it could "
		"have lived on the stack.",
		"The flow is the compiler's own explanation (go build -gcflags=-m=2), from the "
		"allocation to what makes it escape. Common causes: returning or storing the "
		"address of a local, converting a value to an interface (any, io.Writer), a "
		"closure capturing a variable and outliving the call, a slice or map whose size "
		"the compiler cannot bound. Keep the value local, or accept the allocation.",
		"The flow is the compiler's own explanation (`go build -gcflags=-m=2`), from the "
		"allocation to what makes it escape. Common causes:\n\n"
		"- returning or storing the address of a local;\n"
		"- converting a value to an interface (`any`, `io.Writer`);\n"
		"- a closure capturing a variable and outliving the call;\n"
		"- a slice or map whose size the compiler cannot bound.\n\n"
		"Keep the value local, or accept the allocation.",
	},
	[KIND_LEAK] = {
		"leak", "ParameterLeak",
		"A parameter leaks",
		"The Go compiler's escape analysis found that a parameter, or what it points to, "
		"leaks: it may be stored on the heap or returned, so callers' arguments may have "
		"to be allocated on the heap.",
		"The flow is the compiler's own explanation (go build -gcflags=-m=2) of where the "
		"parameter goes. A call through an interface method, storing the parameter in a "
		"global or a heap object, or returning it makes it leak. A concrete parameter "
		"type, or not keeping the pointer, keeps callers' values on the stack.",
		"The flow is the compiler's own explanation (`go build -gcflags=-m=2`) of where "
		"the parameter goes. A call through an interface method, storing the parameter "
		"in a global or a heap object, or returning it makes it leak. A concrete "
		"parameter type, or not keeping the pointer, keeps callers' values on the stack.",
	},
};

static void add_str(cJSON *obj, const char *key, const char *value)
{
	cJSON_AddItemToObject(obj, key, report_json_string(value));
}

static cJSON *message(const char *text)
{
	cJSON *m = cJSON_CreateObject();

	add_str(m, "text", text);
	return m;
}

/* Positions outside the repository (the standard library) are printed as absolute paths. */
static int in_repository(const char *file)
{
	return *file && *file != '/';
}

/* A physicalLocation; column 0 means the compiler gave none. */
static cJSON *physical_location(const char *file, unsigned line, unsigned col)
{
	struct strbuf uri = STRBUF_INIT;
	cJSON *loc = cJSON_CreateObject(), *art = cJSON_CreateObject(), *region;

	report_add_uri_path(&uri, file);
	add_str(art, "uri", uri.buf);
	add_str(art, "uriBaseId", SRCROOT);
	cJSON_AddItemToObject(loc, "artifactLocation", art);
	if (line) {
		region = cJSON_CreateObject();
		cJSON_AddNumberToObject(region, "startLine", line);
		if (col)
			cJSON_AddNumberToObject(region, "startColumn", col);
		cJSON_AddItemToObject(loc, "region", region);
	}
	strbuf_release(&uri);
	return loc;
}

/* A threadFlowLocation: one step of a flow. */
static cJSON *flow_location(const char *file, unsigned line, unsigned col, const char *text)
{
	cJSON *tfl = cJSON_CreateObject(), *loc = cJSON_CreateObject();

	cJSON_AddItemToObject(loc, "physicalLocation", physical_location(file, line, col));
	cJSON_AddItemToObject(loc, "message", message(text));
	cJSON_AddItemToObject(tfl, "location", loc);
	return tfl;
}

/* Starts a codeFlow with one threadFlow; returns the threadFlow's locations. */
static cJSON *start_flow(cJSON *code_flows, const char *header)
{
	cJSON *cf = cJSON_CreateObject(), *tfs = cJSON_CreateArray();
	cJSON *tf = cJSON_CreateObject(), *locs = cJSON_CreateArray();

	if (header)
		cJSON_AddItemToObject(cf, "message", message(header));
	cJSON_AddItemToObject(tf, "locations", locs);
	cJSON_AddItemToArray(tfs, tf);
	cJSON_AddItemToObject(cf, "threadFlows", tfs);
	cJSON_AddItemToArray(code_flows, cf);
	return locs;
}

/*
 * The compiler's flow as code flows: each "flow: DST ← SRC" step starts
 * one (its text the flow's message), each "from EXPR (REASON)" step is a
 * location of it. GitHub shows a step only with a place in the
 * repository, so a step without one (no position, or in the standard
 * library) is placed at the finding, its text saying where it is.
 */
static cJSON *code_flows(const struct finding *f)
{
	cJSON *flows = cJSON_CreateArray(), *locs = NULL;
	struct strbuf text = STRBUF_INIT;
	const char *header = NULL;
	size_t i, nflow;
	const struct flow_step *flow = finding_flow(f, &nflow);

	for (i = 0; i <= nflow; i++) {
		const struct flow_step *s = i < nflow ? &flow[i] : NULL;
		int is_header = s && !strncmp(s->text, "flow:", 5);

		/* a header with no step after it: the schema wants a location */
		if ((!s || is_header) && locs && !cJSON_GetArraySize(locs))
			cJSON_AddItemToArray(locs, flow_location(f->file, f->line, f->col, header));
		if (!s)
			break;
		if (is_header) {
			header = s->text;
			locs = start_flow(flows, header);
			continue;
		}
		if (!locs)
			locs = start_flow(flows, NULL);
		if (s->line && in_repository(s->file)) {
			cJSON_AddItemToArray(locs, flow_location(s->file, s->line, s->col, s->text));
			continue;
		}
		strbuf_reset(&text);
		strbuf_addstr(&text, s->text);
		if (s->line) {
			strbuf_addf(&text, " at %s:%u", s->file, s->line);
			if (s->col)
				strbuf_addf(&text, ":%u", s->col);
		}
		cJSON_AddItemToArray(locs, flow_location(f->file, f->line, f->col, text.buf));
	}
	strbuf_release(&text);
	if (!cJSON_GetArraySize(flows)) {
		cJSON_Delete(flows);
		return NULL;
	}
	return flows;
}

static cJSON *result_json(const struct match_entry *e)
{
	const struct finding *f = e->f;
	cJSON *res = cJSON_CreateObject(), *locs = cJSON_CreateArray(), *loc = cJSON_CreateObject();
	cJSON *logical = cJSON_CreateArray(), *ll = cJSON_CreateObject();
	cJSON *fps = cJSON_CreateObject(), *props = cJSON_CreateObject(), *flows;
	struct strbuf sb = STRBUF_INIT;
	char fp[41];

	add_str(res, "ruleId", rules[f->kind].id);
	cJSON_AddNumberToObject(res, "ruleIndex", f->kind);
	/* a scan lists what is there, not what a change introduced: a warning, not an error */
	add_str(res, "level", e->status == MATCH_NEW ? "error" : "warning");
	strbuf_addf(&sb, "%s in %s.%s", f->message, f->pkgname, f->function);
	cJSON_AddItemToObject(res, "message", message(sb.buf));

	cJSON_AddItemToObject(loc, "physicalLocation", physical_location(f->file, f->line, f->col));
	strbuf_reset(&sb);
	strbuf_addf(&sb, "%s.%s", f->package, f->function);
	add_str(ll, "fullyQualifiedName", sb.buf);
	add_str(ll, "kind", "function");
	cJSON_AddItemToArray(logical, ll);
	cJSON_AddItemToObject(loc, "logicalLocations", logical);
	cJSON_AddItemToArray(locs, loc);
	cJSON_AddItemToObject(res, "locations", locs);

	/* the identity and its occurrence, never a line: the alert follows the code */
	finding_fingerprint(f, fp);
	add_str(fps, "escgateFinding/v1", fp);
	cJSON_AddItemToObject(res, "partialFingerprints", fps);
	if ((flows = code_flows(f)))
		cJSON_AddItemToObject(res, "codeFlows", flows);

	add_str(props, "status", match_status_name(e->status));
	add_str(props, "package", f->package);
	add_str(props, "function", f->function);
	add_str(props, "verdict", f->verdict);
	add_str(props, "source", f->source);
	cJSON_AddItemToObject(res, "properties", props);
	strbuf_release(&sb);
	return res;
}

static cJSON *rule_json(enum finding_kind k)
{
	cJSON *r = cJSON_CreateObject(), *help = cJSON_CreateObject();
	cJSON *conf = cJSON_CreateObject(), *props = cJSON_CreateObject();
	const char *tags[] = { "go", "performance", "escape-analysis" };

	add_str(r, "id", rules[k].id);
	add_str(r, "name", rules[k].name);
	cJSON_AddItemToObject(r, "shortDescription", message(rules[k].short_text));
	cJSON_AddItemToObject(r, "fullDescription", message(rules[k].full_text));
	add_str(help, "text", rules[k].help_text);
	add_str(help, "markdown", rules[k].help_markdown);
	cJSON_AddItemToObject(r, "help", help);
	add_str(conf, "level", "error");
	cJSON_AddItemToObject(r, "defaultConfiguration", conf);
	cJSON_AddItemToObject(props, "tags", cJSON_CreateStringArray(tags, 3));
	add_str(props, "precision", "very-high");
	cJSON_AddItemToObject(r, "properties", props);
	return r;
}

static void add_revision(cJSON *obj, const char *key, const char *rev, const char *commit)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "rev", rev ? rev : "");
	cJSON_AddItemToObject(o, "commit", commit ? report_json_string(commit) : cJSON_CreateNull());
	cJSON_AddItemToObject(obj, key, o);
}

int report_sarif(FILE *out, const struct report_meta *meta, const struct match_result *r)
{
	cJSON *doc = cJSON_CreateObject(), *runs = cJSON_CreateArray(), *run = cJSON_CreateObject();
	cJSON *tool = cJSON_CreateObject(), *driver = cJSON_CreateObject();
	cJSON *rule_list = cJSON_CreateArray(), *results = cJSON_CreateArray();
	cJSON *props = cJSON_CreateObject(), *go = cJSON_CreateObject();
	char *text = NULL;
	size_t i, present = 0;
	int ret = -1;

	add_str(doc, "$schema", SARIF_SCHEMA);
	add_str(doc, "version", "2.1.0");
	add_str(driver, "name", "escgate");
	add_str(driver, "version", ESCGATE_VERSION);
	add_str(driver, "semanticVersion", ESCGATE_VERSION);
	cJSON_AddItemToArray(rule_list, rule_json(KIND_ESCAPE));
	cJSON_AddItemToArray(rule_list, rule_json(KIND_LEAK));
	cJSON_AddItemToObject(driver, "rules", rule_list);
	cJSON_AddItemToObject(tool, "driver", driver);
	cJSON_AddItemToObject(run, "tool", tool);

	/*
	 * A diff reports what the head introduces: new findings. A scan
	 * reports a revision's findings (present), as warnings, which suits
	 * code scanning's own comparison of a branch with its base.
	 */
	for (i = 0; i < r->nr; i++) {
		const struct match_entry *e = &r->items[i];

		if (e->status == MATCH_NEW || e->status == MATCH_PRESENT)
			cJSON_AddItemToArray(results, result_json(e));
		present += e->status == MATCH_PRESENT;
	}
	cJSON_AddItemToObject(run, "results", results);

	if (meta->diff)
		add_revision(props, "base", meta->base_rev, meta->base_commit);
	add_revision(props, "head", meta->head_rev, meta->head_commit);
	add_str(go, "version", meta->go_version ? meta->go_version : "");
	add_str(go, "goos", meta->goos ? meta->goos : "");
	add_str(go, "goarch", meta->goarch ? meta->goarch : "");
	cJSON_AddItemToObject(props, "go", go);
	if (meta->diff) {
		cJSON_AddNumberToObject(props, "new", (double)r->nnew);
		cJSON_AddNumberToObject(props, "fixed", (double)r->nfixed);
		cJSON_AddNumberToObject(props, "unchanged", (double)r->nunchanged);
	} else {
		cJSON_AddNumberToObject(props, "present", (double)present);
	}
	cJSON_AddNumberToObject(props, "suppressed", (double)r->nsuppressed);
	cJSON_AddItemToObject(run, "properties", props);
	cJSON_AddItemToArray(runs, run);
	cJSON_AddItemToObject(doc, "runs", runs);

	text = cJSON_Print(doc);
	if (text && fputs(text, out) >= 0 && fputc('\n', out) != EOF)
		ret = 0;
	free(text);
	cJSON_Delete(doc);
	return ret;
}
