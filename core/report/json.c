#include "report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "escape.h"

/* Repository content need not be UTF-8 (file names, string literals): JSON must be. */
static void add_str(cJSON *obj, const char *key, const char *value)
{
	cJSON_AddItemToObject(obj, key, value ? report_json_string(value) : cJSON_CreateNull());
}

static cJSON *finding_json(const struct match_entry *e)
{
	const struct finding *f = e->f;
	cJSON *o = cJSON_CreateObject(), *flow = cJSON_CreateArray();
	size_t i;

	add_str(o, "status", match_status_name(e->status));
	add_str(o, "kind", finding_kind_name(f->kind));
	add_str(o, "package", f->package);
	add_str(o, "function", f->function);
	add_str(o, "file", f->file);
	cJSON_AddNumberToObject(o, "line", f->line);
	cJSON_AddNumberToObject(o, "column", f->col);
	add_str(o, "message", f->message);
	add_str(o, "verdict", f->verdict);
	cJSON_AddNumberToObject(o, "occurrence", f->occurrence);
	add_str(o, "source", f->source);
	if (e->status == MATCH_SUPPRESSED)
		add_str(o, "reason", f->suppressed);
	if (f->targets) {
		cJSON *targets = cJSON_CreateArray();
		const char *p = f->targets;

		while (*p) {
			size_t n = strcspn(p, " ");
			char *t = xstrndup(p, n);

			if (n)
				cJSON_AddItemToArray(targets, report_json_string(t));
			free(t);
			p += n + (p[n] == ' ');
		}
		cJSON_AddItemToObject(o, "targets", targets);
	}
	for (i = 0; i < f->nflow; i++) {
		cJSON *s = cJSON_CreateObject();

		add_str(s, "file", f->flow[i].file);
		cJSON_AddNumberToObject(s, "line", f->flow[i].line);
		cJSON_AddNumberToObject(s, "column", f->flow[i].col);
		add_str(s, "text", f->flow[i].text);
		cJSON_AddItemToArray(flow, s);
	}
	cJSON_AddItemToObject(o, "flow", flow);
	return o;
}

static cJSON *revision_json(const char *rev, const char *commit)
{
	cJSON *o = cJSON_CreateObject();

	add_str(o, "rev", rev);
	add_str(o, "commit", commit);
	return o;
}

int report_json(FILE *out, const struct report_meta *meta, const struct match_result *r)
{
	cJSON *doc = cJSON_CreateObject(), *go = cJSON_CreateObject();
	cJSON *findings = cJSON_CreateArray(), *summary = cJSON_CreateObject();
	char *text = NULL;
	size_t i;
	int ret = -1;

	cJSON_AddNumberToObject(doc, "schema", 1);
	if (meta->diff)
		cJSON_AddItemToObject(doc, "base", revision_json(meta->base_rev, meta->base_commit));
	cJSON_AddItemToObject(doc, "head", revision_json(meta->head_rev, meta->head_commit));
	add_str(go, "version", meta->go_version);
	add_str(go, "goos", meta->goos);
	add_str(go, "goarch", meta->goarch);
	cJSON_AddItemToObject(doc, "go", go);
	for (i = 0; i < r->nr; i++)
		if (r->items[i].status != MATCH_UNCHANGED)
			cJSON_AddItemToArray(findings, finding_json(&r->items[i]));
	cJSON_AddItemToObject(doc, "findings", findings);
	if (meta->diff) {
		cJSON_AddNumberToObject(summary, "new", (double)r->nnew);
		cJSON_AddNumberToObject(summary, "fixed", (double)r->nfixed);
		cJSON_AddNumberToObject(summary, "unchanged", (double)r->nunchanged);
	} else {
		cJSON_AddNumberToObject(summary, "present", (double)(r->nr - r->nsuppressed));
	}
	cJSON_AddNumberToObject(summary, "suppressed", (double)r->nsuppressed);
	cJSON_AddItemToObject(doc, "summary", summary);
	text = cJSON_PrintUnformatted(doc);
	if (text && fputs(text, out) >= 0 && fputc('\n', out) != EOF)
		ret = 0;
	free(text);
	cJSON_Delete(doc);
	return ret;
}
