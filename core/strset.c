#include "strset.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void strset_add(struct strset *s, const char *item)
{
	ALLOC_GROW(s->items, s->nr + 1, s->alloc);
	s->items[s->nr++] = xstrdup(item);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void strset_seal(struct strset *s)
{
	size_t i, j = 0;

	if (!s->nr)
		return;
	qsort(s->items, s->nr, sizeof(*s->items), cmp_str);
	for (i = 0; i < s->nr; i++) {
		if (j && !strcmp(s->items[j - 1], s->items[i]))
			free(s->items[i]);
		else
			s->items[j++] = s->items[i];
	}
	s->nr = j;
}

int strset_has(const struct strset *s, const char *item)
{
	return s->nr && bsearch(&item, s->items, s->nr, sizeof(*s->items), cmp_str) != NULL;
}

void strset_release(struct strset *s)
{
	size_t i;

	for (i = 0; i < s->nr; i++)
		free(s->items[i]);
	free(s->items);
	memset(s, 0, sizeof(*s));
}

int strset_insert(struct strset *s, const char *item)
{
	size_t lo = 0, hi = s->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->items[mid], item);

		if (!c)
			return 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	ALLOC_GROW(s->items, s->nr + 1, s->alloc);
	memmove(s->items + lo + 1, s->items + lo, (s->nr - lo) * sizeof(*s->items));
	s->items[lo] = xstrdup(item);
	s->nr++;
	return 1;
}
