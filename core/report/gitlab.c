/*
 * GitLab Code Quality: a JSON array of issues, one per new finding, which
 * the merge request widget compares with the target branch's report by
 * fingerprint.
 */
#include "report.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

#include "core/strbuf.h"
#include "escape.h"

static void add_str(cJSON *obj, const char *key, const char *value)
{
	cJSON_AddItemToObject(obj, key, report_json_string(value));
}

static cJSON *issue_json(const struct match_entry *e)
{
	const struct finding *f = e->f;
	cJSON *o = cJSON_CreateObject(), *loc = cJSON_CreateObject(), *lines = cJSON_CreateObject();
	struct strbuf sb = STRBUF_INIT;
	char fp[41];

	strbuf_addf(&sb, "%s %s in %s.%s: %s", match_status_name(e->status),
		    finding_kind_name(f->kind), f->pkgname, f->function, f->message);
	add_str(o, "description", sb.buf);
	add_str(o, "check_name", finding_kind_name(f->kind));
	/* the identity and its occurrence, never a line: an issue follows the code */
	finding_fingerprint(f, fp);
	add_str(o, "fingerprint", fp);
	/* a scan's findings are an inventory, not a regression */
	add_str(o, "severity", e->status == MATCH_NEW ? "major" : "minor");
	add_str(loc, "path", f->file);
	cJSON_AddNumberToObject(lines, "begin", f->line);
	cJSON_AddItemToObject(loc, "lines", lines);
	cJSON_AddItemToObject(o, "location", loc);
	strbuf_release(&sb);
	return o;
}

int report_gitlab(FILE *out, const struct report_meta *meta, const struct match_result *r)
{
	cJSON *doc = cJSON_CreateArray();
	char *text = NULL;
	size_t i;
	int ret = -1;

	(void)meta;
	/*
	 * A diff lists the new findings. A scan lists every finding of the
	 * revision (present): GitLab itself compares a branch's report with
	 * the target branch's, which is what a scan on both gives it.
	 */
	for (i = 0; i < r->nr; i++) {
		const struct match_entry *e = &r->items[i];

		if (e->status == MATCH_NEW || e->status == MATCH_PRESENT)
			cJSON_AddItemToArray(doc, issue_json(e));
	}
	text = cJSON_Print(doc);
	if (text && fputs(text, out) >= 0 && fputc('\n', out) != EOF)
		ret = 0;
	free(text);
	cJSON_Delete(doc);
	return ret;
}
