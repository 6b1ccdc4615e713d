#include "baseline.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

void baseline_line(const struct finding *f, struct strbuf *out)
{
	const unsigned char *p;

	strbuf_addf(out, "%s\t%s\t%s\t", f->package, f->scope, finding_kind_name(f->kind));
	/* one line per finding, whatever the verdict quotes */
	for (p = (const unsigned char *)f->verdict; *p; p++) {
		if (*p < 0x20 || *p == 0x7f)
			strbuf_addf(out, "\\x%02x", *p);
		else
			strbuf_addch(out, (char)*p);
	}
	strbuf_addf(out, "\t%u", f->occurrence);
}

static int cmp_entry(const void *x, const void *y)
{
	return strcmp(((const struct baseline_entry *)x)->line,
		      ((const struct baseline_entry *)y)->line);
}

static int cmp_str(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Splits a line into its five fields; 0 when it has them and they make sense. */
static int split_fields(char *line, char **field)
{
	enum finding_kind kind;
	int i;

	for (i = 0; i < 5; i++) {
		char *tab = strchr(line, '\t');

		field[i] = line;
		if (i < 4 && !tab)
			return -1;
		if (tab)
			*tab = '\0';
		if (i == 4 && tab)
			return -1;   /* a sixth field */
		line = tab ? tab + 1 : line + strlen(line);
		if (!*field[i])
			return -1;
	}
	if (finding_kind_parse(field[2], &kind))
		return -1;
	for (i = 0; field[4][i]; i++)
		if (!isdigit((unsigned char)field[4][i]))
			return -1;
	return 0;
}

int baseline_parse(struct baseline *b, const char *name, const char *text, size_t len,
		   struct err *err)
{
	const char *p = text, *end = text + len;
	unsigned lineno = 0;
	size_t i, j;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
		char *line, *copy, *field[5];
		struct baseline_entry *e;
		int bad;

		lineno++;
		if (n && p[n - 1] == '\r')
			n--;
		line = xstrndup(p, n);
		p = eol ? eol + 1 : end;
		if (!*line || *line == '#') {
			free(line);
			continue;
		}
		copy = xstrdup(line);
		bad = split_fields(copy, field);
		free(copy);
		if (bad) {
			free(line);
			return err_set(err, EXIT_USAGE,
				       "%s:%u: not a baseline entry (PACKAGE, FUNCTION, KIND, VERDICT and OCCURRENCE, separated by tabs): rewrite it with 'escgate baseline'",
				       name, lineno);
		}
		ALLOC_GROW(b->items, b->nr + 1, b->alloc);
		e = &b->items[b->nr++];
		e->line = line;
		e->lineno = lineno;
		e->seen = 0;
	}
	if (b->nr)
		qsort(b->items, b->nr, sizeof(*b->items), cmp_entry);
	/* a line given twice is one entry */
	for (i = j = 0; i < b->nr; i++) {
		if (j && !strcmp(b->items[j - 1].line, b->items[i].line))
			free(b->items[i].line);
		else
			b->items[j++] = b->items[i];
	}
	b->nr = j;
	return 0;
}

static struct baseline_entry *find(const struct baseline *b, const char *line)
{
	struct baseline_entry key = { (char *)line, 0, 0 };

	if (!b->nr)
		return NULL;
	return bsearch(&key, b->items, b->nr, sizeof(*b->items), cmp_entry);
}

int baseline_has(const struct baseline *b, const char *line)
{
	return find(b, line) != NULL;
}

void baseline_release(struct baseline *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->nr; i++)
		free(b->items[i].line);
	free(b->items);
	memset(b, 0, sizeof(*b));
}

void baseline_format(const struct finding_list *l, struct strbuf *out)
{
	char **lines = xcalloc(l->nr + 1, sizeof(*lines));
	size_t i, n = 0;

	strbuf_addstr(out,
		      "# escgate baseline: the heap escapes and parameter leaks accepted as they are.\n"
		      "# Written by 'escgate baseline'; 'escgate check' fails on any finding not listed.\n"
		      "# PACKAGE\tFUNCTION\tKIND\tVERDICT\tOCCURRENCE\n");
	for (i = 0; i < l->nr; i++) {
		struct strbuf sb = STRBUF_INIT;

		if (l->items[i].suppressed)
			continue;
		baseline_line(&l->items[i], &sb);
		lines[n++] = strbuf_detach(&sb, NULL);
	}
	if (n)
		qsort(lines, n, sizeof(*lines), cmp_str);
	/* several targets can report one finding at different places: one line */
	for (i = 0; i < n; i++)
		if (!i || strcmp(lines[i - 1], lines[i]))
			strbuf_addf(out, "%s\n", lines[i]);
	for (i = 0; i < n; i++)
		free(lines[i]);
	free(lines);
}

/* A stale entry as a finding at its line of the baseline file. */
static void add_stale(struct finding_list *stale, const struct baseline_entry *e)
{
	struct finding *f = finding_list_add(stale);
	char *copy = xstrdup(e->line), *field[5], *slash;

	split_fields(copy, field);
	finding_kind_parse(field[2], &f->kind);
	f->package = xstrdup(field[0]);
	slash = strrchr(field[0], '/');
	f->pkgname = xstrdup(slash ? slash + 1 : field[0]);
	f->function = xstrdup(field[1]);
	f->scope = xstrdup(field[1]);
	f->verdict = xstrdup(field[3]);
	f->message = xstrdup(field[3]);
	f->occurrence = (unsigned)strtoul(field[4], NULL, 10);
	f->file = xstrdup(BASELINE_FILE);
	f->line = e->lineno;
	f->source = xstrdup("");
	free(copy);
}

void baseline_match(struct baseline *b, const struct finding_list *findings,
		    struct finding_list *stale, struct match_result *out)
{
	struct strbuf line = STRBUF_INIT;
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < b->nr; i++)
		b->items[i].seen = 0;
	for (i = 0; i < findings->nr; i++) {
		const struct finding *f = &findings->items[i];
		struct baseline_entry *e;

		strbuf_reset(&line);
		baseline_line(f, &line);
		e = find(b, line.buf);
		if (f->suppressed) {
			/* its comment accepts it: an entry for it is stale, as a rewrite would drop it */
			match_result_add(out, MATCH_SUPPRESSED, f);
			continue;
		}
		if (e)
			e->seen = 1;
		match_result_add(out, e ? MATCH_UNCHANGED : MATCH_NEW, f);
	}
	/* all stale findings first: out points into stale, which must not move after */
	for (i = 0; i < b->nr; i++)
		if (!b->items[i].seen)
			add_stale(stale, &b->items[i]);
	for (i = 0; i < stale->nr; i++)
		match_result_add(out, MATCH_FIXED, &stale->items[i]);
	match_result_sort(out);
	strbuf_release(&line);
}
