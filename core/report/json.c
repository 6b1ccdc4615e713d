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
	size_t i, nflow;
	const struct flow_step *flow_steps;

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
	flow_steps = finding_flow(f, &nflow);
	for (i = 0; i < nflow; i++) {
		cJSON *s = cJSON_CreateObject();

		add_str(s, "file", flow_steps[i].file);
		cJSON_AddNumberToObject(s, "line", flow_steps[i].line);
		cJSON_AddNumberToObject(s, "column", flow_steps[i].col);
		add_str(s, "text", flow_steps[i].text);
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

/* Prints "name":VALUE (with a leading comma unless first) and frees value. */
static int put_member(FILE *out, const char *name, cJSON *value, int first)
{
	char *text = cJSON_PrintUnformatted(value);
	int ret = text && fprintf(out, "%s\"%s\":%s", first ? "" : ",", name, text) >= 0 ? 0 : -1;

	free(text);
	cJSON_Delete(value);
	return ret;
}

/*
 * One document, written a finding at a time: memory stays that of one
 * finding however many there are (the whole tree of 100,000 findings
 * would be hundreds of megabytes).
 */
int report_json(FILE *out, const struct report_meta *meta, const struct match_result *r)
{
	cJSON *go = cJSON_CreateObject(), *summary = cJSON_CreateObject(), *value;
	size_t i, written = 0;
	int ret = -1;

	add_str(go, "version", meta->go_version);
	add_str(go, "goos", meta->goos);
	add_str(go, "goarch", meta->goarch);
	if (meta->diff) {
		cJSON_AddNumberToObject(summary, "new", (double)r->nnew);
		cJSON_AddNumberToObject(summary, "fixed", (double)r->nfixed);
		cJSON_AddNumberToObject(summary, "unchanged", (double)r->nunchanged);
	} else {
		cJSON_AddNumberToObject(summary, "present", (double)(r->nr - r->nsuppressed));
	}
	cJSON_AddNumberToObject(summary, "suppressed", (double)r->nsuppressed);

	if (fputs("{\"schema\":1", out) < 0 ||
	    (meta->diff &&
	     put_member(out, "base", revision_json(meta->base_rev, meta->base_commit), 0)) ||
	    put_member(out, "head", revision_json(meta->head_rev, meta->head_commit), 0))
		goto out;
	value = go;   /* put_member frees what it is given */
	go = NULL;
	if (put_member(out, "go", value, 0))
		goto out;
	if (fputs(",\"findings\":[", out) < 0)
		goto out;
	for (i = 0; i < r->nr; i++) {
		cJSON *f;
		char *text;
		int ok;

		if (r->items[i].status == MATCH_UNCHANGED)
			continue;
		f = finding_json(&r->items[i]);
		text = cJSON_PrintUnformatted(f);
		ok = text && fprintf(out, "%s%s", written++ ? "," : "", text) >= 0;
		free(text);
		cJSON_Delete(f);
		if (!ok)
			goto out;
	}
	if (fputc(']', out) == EOF)
		goto out;
	value = summary;
	summary = NULL;
	if (put_member(out, "summary", value, 0))
		goto out;
	if (fputs("}\n", out) < 0)
		goto out;
	ret = 0;
out:
	cJSON_Delete(go);
	cJSON_Delete(summary);
	return ret;
}
