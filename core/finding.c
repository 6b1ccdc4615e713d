#include "finding.h"

#include <stdlib.h>
#include <string.h>

#include <git2.h>
#include <stdio.h>

#include "util.h"

const char *finding_kind_name(enum finding_kind kind)
{
	return kind == KIND_LEAK ? "leak" : "escape";
}

int finding_kind_parse(const char *name, enum finding_kind *out)
{
	if (!strcmp(name, "escape"))
		*out = KIND_ESCAPE;
	else if (!strcmp(name, "leak"))
		*out = KIND_LEAK;
	else
		return -1;
	return 0;
}

/* Skips one shape type name: balanced brackets, stopping at a list separator. */
static const char *skip_shape(const char *p)
{
	int depth = 0;

	for (; *p; p++) {
		char c = *p;

		if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if (c == ')' || c == ']' || c == '}') {
			if (!depth)
				break;
			depth--;
		} else if (!depth && (c == ',' || c == ';')) {
			break;
		} else if (!depth && c == ' ' && p[1] != '{') {
			/* "struct {" and "interface {" keep their space; others end the type */
			break;
		}
	}
	return p;
}

char *finding_normalize_verdict(const char *message)
{
	static const char shape[] = "go.shape.";
	struct strbuf sb = STRBUF_INIT;
	const char *p = message, *hit;

	while ((hit = strstr(p, shape))) {
		strbuf_add(&sb, p, (size_t)(hit - p));
		strbuf_addstr(&sb, "go.shape");
		p = skip_shape(hit + sizeof(shape) - 1);
	}
	strbuf_addstr(&sb, p);
	return strbuf_detach(&sb, NULL);
}

void finding_identity(const struct finding *f, struct strbuf *out)
{
	strbuf_addstr(out, f->package);
	strbuf_addch(out, 0x1f);
	strbuf_addstr(out, f->scope);
	strbuf_addch(out, 0x1f);
	strbuf_addstr(out, finding_kind_name(f->kind));
	strbuf_addch(out, 0x1f);
	strbuf_addstr(out, f->verdict);
}

void finding_fingerprint(const struct finding *f, char *out)
{
	struct strbuf sb = STRBUF_INIT;
	git_oid oid;

	strbuf_addstr(&sb, "escgate finding 1\n");
	finding_identity(f, &sb);
	strbuf_addf(&sb, "%c%u", 0x1f, f->occurrence);
	git_odb_hash(&oid, sb.buf, sb.len, GIT_OBJECT_BLOB);
	git_oid_tostr(out, 41, &oid);
	strbuf_release(&sb);
}

static int cmp_identity(const struct finding *a, const struct finding *b)
{
	int c;

	if ((c = strcmp(a->package, b->package)))
		return c;
	if ((c = strcmp(a->scope, b->scope)))
		return c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->verdict, b->verdict);
}

static int cmp_position(const struct finding *a, const struct finding *b)
{
	int c;

	if ((c = strcmp(a->file, b->file)))
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	return strcmp(a->message, b->message);
}

static int cmp_identity_then_position(const void *x, const void *y)
{
	const struct finding *a = x, *b = y;
	int c = cmp_identity(a, b);

	return c ? c : cmp_position(a, b);
}

static int cmp_position_then_identity(const void *x, const void *y)
{
	const struct finding *a = x, *b = y;
	int c = cmp_position(a, b);

	return c ? c : cmp_identity(a, b);
}

void finding_list_number(struct finding_list *list)
{
	size_t i;

	if (list->nr)
		qsort(list->items, list->nr, sizeof(*list->items), cmp_identity_then_position);
	for (i = 0; i < list->nr; i++) {
		if (i && !cmp_identity(&list->items[i - 1], &list->items[i]))
			list->items[i].occurrence = list->items[i - 1].occurrence + 1;
		else
			list->items[i].occurrence = 0;
	}
}

void finding_list_sort_by_position(struct finding_list *list)
{
	if (list->nr)
		qsort(list->items, list->nr, sizeof(*list->items), cmp_position_then_identity);
}

const struct flow_step *finding_flow(const struct finding *f, size_t *n)
{
	struct flow_loader *l = f->flows;

	*n = f->nflow;
	if (f->nflow || !l || !f->id)
		return f->flow;
	if (l->loaded != f->id) {
		l->loaded = 0;
		if (err_is_set(&l->err) || l->load(l, f->id)) {
			*n = 0;
			return NULL;
		}
		l->loaded = f->id;
	}
	*n = l->nr;
	return l->steps;
}

struct finding *finding_list_add(struct finding_list *list)
{
	struct finding *f;

	ALLOC_GROW(list->items, list->nr + 1, list->alloc);
	f = &list->items[list->nr++];
	memset(f, 0, sizeof(*f));
	return f;
}

void finding_flow_add(struct finding *f, const char *file, unsigned line, unsigned col,
		      const char *text)
{
	struct flow_step *s;

	f->flow = xrealloc(f->flow, (f->nflow + 1) * sizeof(*f->flow));
	s = &f->flow[f->nflow++];
	s->file = xstrdup(file ? file : "");
	s->line = line;
	s->col = col;
	s->text = xstrdup(text);
}

void finding_release(struct finding *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nflow; i++) {
		free(f->flow[i].file);
		free(f->flow[i].text);
	}
	free(f->flow);
	if (!f->pooled) {
		free(f->package);
		free(f->pkgname);
		free(f->function);
		free(f->scope);
		free(f->file);
		free(f->message);
		free(f->verdict);
		free(f->source);
	}
	free(f->suppressed);
	free(f->targets);
	memset(f, 0, sizeof(*f));
}

void finding_list_own_texts(struct finding_list *list)
{
	size_t i;

	for (i = 0; i < list->nr; i++) {
		struct finding *f = &list->items[i];
		char **fields[] = { &f->package, &f->pkgname, &f->function, &f->scope, &f->file,
				    &f->message, &f->verdict, &f->source };
		size_t k;

		if (!f->pooled)
			continue;
		for (k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
			*fields[k] = xstrdup(*fields[k]);
		f->pooled = 0;
	}
}

void finding_list_release(struct finding_list *list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; i < list->nr; i++)
		finding_release(&list->items[i]);
	free(list->items);
	allow_list_release(&list->allows);
	memset(list, 0, sizeof(*list));
}

void allow_list_add(struct allow_list *l, const char *package, const char *file, unsigned line,
		    const char *reason, int used)
{
	struct allow_comment *a;

	ALLOC_GROW(l->items, l->nr + 1, l->alloc);
	a = &l->items[l->nr++];
	a->package = xstrdup(package);
	a->file = xstrdup(file);
	a->line = line;
	a->reason = xstrdup(reason);
	a->used = used;
}

void allow_list_release(struct allow_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->nr; i++) {
		free(l->items[i].package);
		free(l->items[i].file);
		free(l->items[i].reason);
	}
	free(l->items);
	memset(l, 0, sizeof(*l));
}
