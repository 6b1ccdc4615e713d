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
/* Inserts item in order into a sealed set; 1 when it was not there yet. */
int strset_insert(struct strset *s, const char *item);
/* Only after strset_seal(). */
int strset_has(const struct strset *s, const char *item);
void strset_release(struct strset *s);

#endif
