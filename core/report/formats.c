/* The table of report formats: a format is one file in this directory and one row here. */
#include "report.h"

#include <string.h>

#include "core/strbuf.h"

static const struct {
	const char *name;
	report_fn fn;
} formats[] = {
	{ "text", report_text },
	{ "json", report_json },
	{ "sarif", report_sarif },
	{ "github", report_github },
	{ "gitlab", report_gitlab },
	{ "junit", report_junit },
	{ "markdown", report_markdown },
	{ "html", report_html },
};

report_fn report_lookup(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(*formats); i++)
		if (!strcmp(formats[i].name, name))
			return formats[i].fn;
	return NULL;
}

void report_format_names(struct strbuf *out)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(*formats); i++)
		strbuf_addf(out, "%s%s", i ? ", " : "", formats[i].name);
}
