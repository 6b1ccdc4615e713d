#ifndef ESCGATE_STRSET_H
#define ESCGATE_STRSET_H

#include <stddef.h>

/* A set of strings: add freely, then strset_seal() sorts and dedupes for lookups. */
struct strset {
	char **items;
	size_t nr, alloc;
};

void strset_add(struct strset *s, const char *item);
void strset_seal(struct strset *s);
/* Moves src's items, unsealed, to the end of dst; src is left empty. */
void strset_take(struct strset *dst, struct strset *src);
/* Inserts item in order into a sealed set; 1 when it was not there yet. */
int strset_insert(struct strset *s, const char *item);
/* Only after strset_seal(). */
int strset_has(const struct strset *s, const char *item);
void strset_release(struct strset *s);

/*
 * A hash map from strings (copied) to pointers, by open addressing: for
 * lookups while it grows, where a sealed strset would need sorting again.
 */
struct strmap {
	char **keys;
	void **values;
	size_t nr, size;   /* size: 0 or a power of two, at least twice nr */
};

/* The value slot of key, added holding NULL when new (*added says which); valid until the next put. */
void **strmap_put(struct strmap *m, const char *key, int *added);
/* The value slot of key, or NULL when it is not there. */
void **strmap_get(const struct strmap *m, const char *key);
/* m's own copy of key, made when new: one copy of a text however often it recurs. */
const char *strmap_intern(struct strmap *m, const char *key);
/* Empties m, freeing each value with free_value when it is not NULL. */
void strmap_release(struct strmap *m, void (*free_value)(void *));

#endif
