/*
 * One compiler JSON log (-json=0,file://DIR): a header line, then LSP
 * diagnostics, one per line. Lookups then walk what was kept, with keys
 * taken from the input so that they can hit.
 */
#include <string.h>

#include "core/logjson.h"
#include "core/strbuf.h"
#include "fuzz.h"

static void lookup(const struct inline_map *m, const char *file, unsigned line, unsigned col,
		   const char *subject)
{
	const struct inline_pos *chain;
	size_t n = 0, i;

	chain = inline_map_lookup(m, file, line, col, subject, &n);
	if (!chain)
		return;
	FUZZ_ASSERT(n > 0);
	for (i = 0; i < n; i++)
		FUZZ_ASSERT(chain[i].file != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct inline_map *m = inline_map_new();
	struct strbuf key = STRBUF_INIT;
	const char *d = (const char *)data;
	const char *nl = memchr(d, '\n', size);

	inline_map_add_log(m, d, size);
	/* the same log twice: records at one position must sort and search */
	inline_map_add_log(m, d, size);

	lookup(m, "/tmp/escgate-fixture/fx/esc.go", 88, 17, "&sub.T{}");
	lookup(m, "/tmp/escgate-fixture/fx/esc.go", 88, 0, "&sub.T{}");
	lookup(m, "/tmp/escgate-fixture/fx/generic.go", 15, 18, "append");
	lookup(m, "", 0, 0, "");
	/* a key made of the input's first line */
	strbuf_add(&key, d, nl ? (size_t)(nl - d) : size);
	lookup(m, key.buf, size & 0xff, (size >> 8) & 0xff, key.buf);
	lookup(m, key.buf, size & 0xff, 0, "");

	strbuf_release(&key);
	inline_map_free(m);
	return 0;
}
