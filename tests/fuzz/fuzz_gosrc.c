/*
 * The Go source scanner on any bytes, then every query attribution makes:
 * the function at each line (column 0: the compiler gave none) and at
 * positions on it, and each line's text. The answers are checked against
 * what the header promises: a function returned holds the position.
 */
#include <string.h>

#include "core/gosrc.h"
#include "fuzz.h"

static int before_or_at(unsigned l1, unsigned c1, unsigned l2, unsigned c2)
{
	return l1 < l2 || (l1 == l2 && c1 <= c2);
}

static void check_at(const struct go_file *f, unsigned line, unsigned col)
{
	const struct go_func *fn = go_file_func_at(f, line, col);

	if (!fn)
		return;
	FUZZ_ASSERT(fn->name && fn->scope);
	if (col) {
		FUZZ_ASSERT(before_or_at(fn->start_line, fn->start_col, line, col));
		FUZZ_ASSERT(before_or_at(line, col, fn->end_line, fn->end_col));
	} else {
		FUZZ_ASSERT(fn->start_line <= line && line <= fn->end_line);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct go_file *f = NULL;
	struct err err = ERR_INIT;
	unsigned line;
	size_t i;

	FUZZ_ASSERT(!go_file_scan(&f, (const char *)data, size, &err));
	for (i = 0; i < f->nfuncs; i++) {
		const struct go_func *fn = &f->funcs[i];

		FUZZ_ASSERT(before_or_at(fn->start_line, fn->start_col, fn->end_line, fn->end_col));
		if (i)
			FUZZ_ASSERT(before_or_at(f->funcs[i - 1].start_line, f->funcs[i - 1].start_col,
						 fn->start_line, fn->start_col));
		/* its own start is inside it, or inside something nested in it */
		check_at(f, fn->start_line, fn->start_col);
		check_at(f, fn->end_line, fn->end_col);
	}
	for (line = 0; line <= f->nlines + 1; line++) {
		const char *text = NULL;
		size_t len = 0, c;

		check_at(f, line, 0);
		check_at(f, line, 1);
		check_at(f, line, 255);
		if (go_file_line(f, line, &text, &len)) {
			FUZZ_ASSERT(line == 0 || line > f->nlines);
			continue;
		}
		FUZZ_ASSERT(text >= f->data && text + len <= f->data + f->len);
		FUZZ_ASSERT(!memchr(text, '\n', len));
		for (c = 1; c <= len + 1 && c < 64; c++)
			check_at(f, line, (unsigned)c);
	}
	go_file_free(f);
	err_release(&err);
	return 0;
}
