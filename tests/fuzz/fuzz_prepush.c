/*
 * The pre-push hook's standard input, which git writes from the refs being
 * pushed: parsed whole. Whatever the bytes (NULs, CRs, no last newline,
 * huge lines), every line kept has four fields without spaces and two
 * 40- or 64-digit lowercase hex oids, in input order; a refusal is a usage
 * error that names a line after them. The lines kept, written back out,
 * parse to the same lines.
 */
#include <string.h>

#include "core/prepush.h"
#include "core/strbuf.h"
#include "fuzz.h"

static int is_oid(const char *s)
{
	size_t n = strlen(s);

	return (n == 40 || n == 64) && strspn(s, "0123456789abcdef") == n;
}

static int is_field(const char *s)
{
	return *s && !strchr(s, ' ');
}

/* Writes l back out as protocol lines and checks that they parse to the same. */
static void round_trip(const struct push_list *l)
{
	struct push_list again = PUSH_LIST_INIT;
	struct strbuf text = STRBUF_INIT;
	struct err err = ERR_INIT;
	size_t i;

	for (i = 0; i < l->nr; i++)
		strbuf_addf(&text, "%s %s %s %s\n", l->items[i].local_ref, l->items[i].local_oid,
			    l->items[i].remote_ref, l->items[i].remote_oid);
	FUZZ_ASSERT(!prepush_parse(text.buf, text.len, &again, &err));
	FUZZ_ASSERT(again.nr == l->nr);
	for (i = 0; i < l->nr; i++) {
		FUZZ_ASSERT(!strcmp(again.items[i].local_ref, l->items[i].local_ref));
		FUZZ_ASSERT(!strcmp(again.items[i].local_oid, l->items[i].local_oid));
		FUZZ_ASSERT(!strcmp(again.items[i].remote_ref, l->items[i].remote_ref));
		FUZZ_ASSERT(!strcmp(again.items[i].remote_oid, l->items[i].remote_oid));
		FUZZ_ASSERT(again.items[i].lineno == i + 1);
	}
	push_list_release(&again);
	strbuf_release(&text);
	err_release(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct push_list l = PUSH_LIST_INIT;
	struct err err = ERR_INIT;
	size_t i, nlines = 0, bad = 0;

	for (i = 0; i < size; i++)
		nlines += data[i] == '\n';
	if (size && data[size - 1] != '\n')
		nlines++;
	if (prepush_parse((const char *)data, size, &l, &err)) {
		FUZZ_ASSERT(err_is_set(&err) && err.status == EXIT_USAGE);
		FUZZ_ASSERT(sscanf(err.msg.buf, "pre-push: line %zu of", &bad) == 1);
		FUZZ_ASSERT(bad >= 1 && bad <= nlines);
		FUZZ_ASSERT(!l.nr || l.items[l.nr - 1].lineno < bad);
	} else {
		FUZZ_ASSERT(!err_is_set(&err));
	}
	for (i = 0; i < l.nr; i++) {
		const struct push_line *p = &l.items[i];

		FUZZ_ASSERT(is_field(p->local_ref) && is_field(p->remote_ref));
		FUZZ_ASSERT(is_oid(p->local_oid) && is_oid(p->remote_oid));
		FUZZ_ASSERT(p->lineno >= 1 && p->lineno <= nlines);
		FUZZ_ASSERT(!i || l.items[i - 1].lineno < p->lineno);
	}
	round_trip(&l);
	push_list_release(&l);
	err_release(&err);
	return 0;
}
