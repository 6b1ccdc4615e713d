#include "match.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

/* Above this many cells the LCS table is not worth it: pair in order instead. */
#define LCS_MAX_CELLS (1u << 22)

const char *match_status_name(enum match_status s)
{
	switch (s) {
	case MATCH_NEW:
		return "new";
	case MATCH_FIXED:
		return "fixed";
	case MATCH_UNCHANGED:
		return "unchanged";
	case MATCH_SUPPRESSED:
		return "suppressed";
	default:
		return "present";
	}
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
	return strcmp(a->message, b->message);
}

static int cmp_ptr_identity(const void *x, const void *y)
{
	const struct finding *a = *(const struct finding *const *)x;
	const struct finding *b = *(const struct finding *const *)y;
	int c = cmp_identity(a, b);

	return c ? c : cmp_position(a, b);
}

static const struct finding **sorted_pointers(const struct finding_list *l)
{
	const struct finding **p = xcalloc(l->nr ? l->nr : 1, sizeof(*p));
	size_t i;

	for (i = 0; i < l->nr; i++)
		p[i] = &l->items[i];
	if (l->nr)
		qsort(p, l->nr, sizeof(*p), cmp_ptr_identity);
	return p;
}

/*
 * Pairs b[0..m) with h[0..n) (one identity, each in position order):
 * first along the longest common subsequence of their source lines,
 * then whatever is left, in order. pb[i] / ph[j] are set to 1 when paired.
 */
static void pair_group(const struct finding **b, size_t m, const struct finding **h, size_t n,
		       char *pb, char *ph)
{
	size_t i, j;

	if (m && n && (size_t)m * n <= LCS_MAX_CELLS) {
		unsigned *t = xcalloc((m + 1) * (n + 1), sizeof(*t));
#define T(i, j) t[(i) * (n + 1) + (j)]
		for (i = m; i-- > 0;)
			for (j = n; j-- > 0;)
				T(i, j) = !strcmp(b[i]->source, h[j]->source) ?
						  T(i + 1, j + 1) + 1 :
						  (T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1));
		for (i = j = 0; i < m && j < n;) {
			if (!strcmp(b[i]->source, h[j]->source) && T(i, j) == T(i + 1, j + 1) + 1) {
				pb[i++] = ph[j++] = 1;
			} else if (T(i + 1, j) >= T(i, j + 1)) {
				i++;
			} else {
				j++;
			}
		}
#undef T
		free(t);
	}
	/* what the source lines could not tell apart: the count decides */
	for (i = j = 0;; i++, j++) {
		while (i < m && pb[i])
			i++;
		while (j < n && ph[j])
			j++;
		if (i >= m || j >= n)
			break;
		pb[i] = ph[j] = 1;
	}
}

static void add_entry(struct match_result *r, enum match_status s, const struct finding *f)
{
	ALLOC_GROW(r->items, r->nr + 1, r->alloc);
	r->items[r->nr].status = s;
	r->items[r->nr].f = f;
	r->nr++;
}

void match_result_add(struct match_result *r, enum match_status s, const struct finding *f)
{
	add_entry(r, s, f);
	switch (s) {
	case MATCH_NEW:
		r->nnew++;
		if (f->kind == KIND_LEAK)
			r->new_leaks++;
		else
			r->new_escapes++;
		break;
	case MATCH_FIXED:
		r->nfixed++;
		break;
	case MATCH_UNCHANGED:
		r->nunchanged++;
		break;
	case MATCH_SUPPRESSED:
		r->nsuppressed++;
		break;
	default:
		break;
	}
}

static int cmp_entry(const void *x, const void *y)
{
	const struct match_entry *a = x, *b = y;
	int c;

	if (a->status != b->status)
		return a->status < b->status ? -1 : 1;
	c = cmp_position(a->f, b->f);
	return c ? c : cmp_identity(a->f, b->f);
}

void match_findings(const struct finding_list *base, const struct finding_list *head,
		    struct match_result *out)
{
	const struct finding **b = sorted_pointers(base), **h = sorted_pointers(head);
	char *pb = xcalloc(base->nr + 1, 1), *ph = xcalloc(head->nr + 1, 1);
	size_t i = 0, j = 0, k;

	memset(out, 0, sizeof(*out));
	while (i < base->nr || j < head->nr) {
		size_t i2 = i, j2 = j;
		int c;

		if (i == base->nr)
			c = 1;
		else if (j == head->nr)
			c = -1;
		else
			c = cmp_identity(b[i], h[j]);
		/* the group of one identity on each side (possibly empty on one) */
		if (c <= 0)
			while (i2 < base->nr && !cmp_identity(b[i], b[i2]))
				i2++;
		if (c >= 0)
			while (j2 < head->nr && !cmp_identity(h[j], h[j2]))
				j2++;
		pair_group(b + i, i2 - i, h + j, j2 - j, pb + i, ph + j);
		i = i2;
		j = j2;
	}
	for (k = 0; k < head->nr; k++) {
		if (ph[k]) {
			add_entry(out, MATCH_UNCHANGED, h[k]);
			out->nunchanged++;
		} else if (h[k]->suppressed) {
			add_entry(out, MATCH_SUPPRESSED, h[k]);
			out->nsuppressed++;
		} else {
			add_entry(out, MATCH_NEW, h[k]);
			out->nnew++;
			if (h[k]->kind == KIND_LEAK)
				out->new_leaks++;
			else
				out->new_escapes++;
		}
	}
	for (k = 0; k < base->nr; k++) {
		if (!pb[k]) {
			add_entry(out, MATCH_FIXED, b[k]);
			out->nfixed++;
		}
	}
	if (out->nr)
		qsort(out->items, out->nr, sizeof(*out->items), cmp_entry);
	free(b);
	free(h);
	free(pb);
	free(ph);
}

void match_present(const struct finding_list *list, struct match_result *out)
{
	size_t k;

	memset(out, 0, sizeof(*out));
	for (k = 0; k < list->nr; k++) {
		add_entry(out, list->items[k].suppressed ? MATCH_SUPPRESSED : MATCH_PRESENT,
			  &list->items[k]);
		out->nsuppressed += list->items[k].suppressed != NULL;
	}
	if (out->nr)
		qsort(out->items, out->nr, sizeof(*out->items), cmp_entry);
}

void match_result_sort(struct match_result *r)
{
	if (r->nr)
		qsort(r->items, r->nr, sizeof(*r->items), cmp_entry);
}

void match_result_release(struct match_result *r)
{
	if (!r)
		return;
	free(r->items);
	memset(r, 0, sizeof(*r));
}
