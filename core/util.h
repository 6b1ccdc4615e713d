#ifndef ESCGATE_UTIL_H
#define ESCGATE_UTIL_H

#include <stddef.h>

/*
 * Allocation that cannot fail: out of memory is not an input error, so
 * like git we report it and exit rather than thread it through every caller.
 */
void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Grows *arr (of *alloc elements of size elem) to hold at least nr elements. */
#define ALLOC_GROW(arr, nr, alloc) \
	do { \
		if ((nr) > (alloc)) { \
			(alloc) = (alloc) < 16 ? 16 : (alloc) * 2; \
			if ((alloc) < (nr)) \
				(alloc) = (nr); \
			(arr) = xrealloc((arr), (alloc) * sizeof(*(arr))); \
		} \
	} while (0)

/*
 * cJSON_ParseWithLengthOpts for any thread: cJSON keeps the position of
 * the last parse error in a global that every parse writes, and base and
 * head read their JSON logs in threads of their own. Every parse goes
 * through here, under one lock.
 */
struct cJSON;
struct cJSON *json_parse(const char *buf, size_t len, const char **end);

int starts_with(const char *s, const char *prefix);
int ends_with(const char *s, const char *suffix);
/* Whether path is a Go test file, which go build never compiles. */
int is_go_test(const char *path);
/* A string's hash for open-addressing tables (FNV-1a). */
size_t hash_str(const char *s);

/*
 * Appends the bytes of the regular file at path to *sb, refusing one of
 * more than max bytes. A link is not followed (it could lead out of the
 * tree being analysed) and a FIFO is refused without blocking. Errors
 * (EXIT_ANALYSIS) name the file.
 */
struct strbuf;
struct err;
int read_regular_file(const char *path, size_t max, struct strbuf *sb, struct err *err);

#endif
