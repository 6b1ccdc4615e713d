#include "prepush.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* An object id as git writes them: 40 (SHA-1) or 64 (SHA-256) hex digits. */
static int is_oid_hex(const char *s)
{
	size_t n = strspn(s, "0123456789abcdef");

	return !s[n] && (n == 40 || n == 64);
}

/* Splits one line (without its newline) into *out; -1 when it is not a protocol line. */
static int parse_line(const char *line, size_t n, struct push_line *out)
{
	char *copy = xstrndup(line, n), *save = NULL, *f[4];
	int i, ret = -1;

	for (i = 0; i < 4; i++) {
		f[i] = strtok_r(i ? NULL : copy, " ", &save);
		if (!f[i])
			goto out;
	}
	if (strtok_r(NULL, " ", &save) || !is_oid_hex(f[1]) || !is_oid_hex(f[3]))
		goto out;
	out->local_ref = xstrdup(f[0]);
	out->local_oid = xstrdup(f[1]);
	out->remote_ref = xstrdup(f[2]);
	out->remote_oid = xstrdup(f[3]);
	ret = 0;
out:
	free(copy);
	return ret;
}

int prepush_parse(const char *buf, size_t len, struct push_list *out, struct err *err)
{
	const char *p = buf, *end = buf + len;
	size_t lineno = 0;
	int ret = 0;

	while (p < end && !ret) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		struct push_line line = { 0 };

		lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		if (n && parse_line(p, n, &line)) {
			/* a ref name can hold any byte but NUL: none reaches the terminal raw */
			char *head = xstrndup(p, n < 200 ? n : 200);
			struct strbuf shown = STRBUF_INIT;

			strbuf_add_printable(&shown, head);
			ret = err_set(err, EXIT_USAGE, "pre-push: line %zu of standard input is not "
				      "'<local ref> <local oid> <remote ref> <remote oid>': '%s'",
				      lineno, shown.buf);
			strbuf_release(&shown);
			free(head);
		} else if (n) {   /* an empty line says nothing */
			line.lineno = lineno;
			ALLOC_GROW(out->items, out->nr + 1, out->alloc);
			out->items[out->nr++] = line;
		}
		p = nl ? nl + 1 : end;
	}
	return ret;
}

void push_list_release(struct push_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nr; i++) {
		free(l->items[i].local_ref);
		free(l->items[i].local_oid);
		free(l->items[i].remote_ref);
		free(l->items[i].remote_oid);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}
