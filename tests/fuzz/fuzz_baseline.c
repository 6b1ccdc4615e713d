/*
 * The baseline file (.escgate-baseline), which a pull request can edit:
 * parsed, then every line of it looked up, then written back out from
 * findings made of its own fields.
 */
#include <string.h>

#include "core/baseline.h"
#include "core/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baseline b = { NULL, 0, 0 };
	struct err err = ERR_INIT;
	const char *p = (const char *)data, *end = p + size;
	size_t i;

	if (baseline_parse(&b, "fuzz", (const char *)data, size, &err)) {
		FUZZ_ASSERT(err_is_set(&err) && err.status == EXIT_USAGE);
		goto out;
	}
	for (i = 1; i < b.nr; i++)
		FUZZ_ASSERT(strcmp(b.items[i - 1].line, b.items[i].line) < 0);
	/* every line it kept is found again, by its text */
	for (i = 0; i < b.nr; i++)
		FUZZ_ASSERT(baseline_has(&b, b.items[i].line));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		char *line = xstrndup(p, nl ? (size_t)(nl - p) : (size_t)(end - p));

		baseline_has(&b, line);
		free(line);
		p = nl ? nl + 1 : end;
	}
out:
	baseline_release(&b);
	err_release(&err);
	return 0;
}
