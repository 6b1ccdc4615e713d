#include "strset.h"

#include <stdlib.h>
#include <string.h>

#include "util.h"

void strset_add(struct strset *s, const char *item)
{
	ALLOC_GROW(s->items, s->nr + 1, s->alloc);
	s->items[s->nr++] = xstrdup(item);
}

void strset_take(struct strset *dst, struct strset *src)
{
	ALLOC_GROW(dst->items, dst->nr + src->nr, dst->alloc);
	if (src->nr)
		memcpy(dst->items + dst->nr, src->items, src->nr * sizeof(*src->items));
	dst->nr += src->nr;
	free(src->items);
	memset(src, 0, sizeof(*src));
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

/* Where key is in keys (size a power of two), or the empty slot where it would go. */
static size_t strmap_slot(char *const *keys, size_t size, const char *key)
{
	size_t i = hash_str(key) & (size - 1);

	while (keys[i] && strcmp(keys[i], key))
		i = (i + 1) & (size - 1);
	return i;
}

void **strmap_get(const struct strmap *m, const char *key)
{
	size_t i;

	if (!m->size)
		return NULL;
	i = strmap_slot(m->keys, m->size, key);
	return m->keys[i] ? &m->values[i] : NULL;
}

void **strmap_put(struct strmap *m, const char *key, int *added)
{
	size_t i;

	if (2 * (m->nr + 1) > m->size) {
		struct strmap bigger = { NULL, NULL, m->nr, m->size ? 2 * m->size : 64 };

		bigger.keys = xcalloc(bigger.size, sizeof(*bigger.keys));
		bigger.values = xcalloc(bigger.size, sizeof(*bigger.values));
		for (i = 0; i < m->size; i++) {
			size_t j;

			if (!m->keys[i])
				continue;
			j = strmap_slot(bigger.keys, bigger.size, m->keys[i]);
			bigger.keys[j] = m->keys[i];
			bigger.values[j] = m->values[i];
		}
		free(m->keys);
		free(m->values);
		*m = bigger;
	}
	i = strmap_slot(m->keys, m->size, key);
	*added = !m->keys[i];
	if (*added) {
		m->keys[i] = xstrdup(key);
		m->nr++;
	}
	return &m->values[i];
}

const char *strmap_intern(struct strmap *m, const char *key)
{
	int added;
	void **slot = strmap_put(m, key, &added);

	return m->keys[slot - m->values];
}

void strmap_release(struct strmap *m, void (*free_value)(void *))
{
	size_t i;

	for (i = 0; i < m->size; i++) {
		if (m->keys[i] && free_value)
			free_value(m->values[i]);
		free(m->keys[i]);
	}
	free(m->keys);
	free(m->values);
	memset(m, 0, sizeof(*m));
}
