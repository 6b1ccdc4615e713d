#ifndef ESCGATE_LOGJSON_H
#define ESCGATE_LOGJSON_H

#include <stddef.h>
#include "err.h"

/*
 * Reader of the compiler's JSON optimization logs (-json=0,file://DIR),
 * used for the one thing the -m text cannot tell: where an escape reported
 * at a call site really comes from when the callee was inlined. The text
 * prints only the outermost position; the JSON adds "inlineLoc" entries
 * down to the innermost one. Without this, every caller of a small
 * escaping function would repeat the callee's finding as its own.
 */
struct inline_pos {
	char *file;        /* absolute path, as the compiler saw it */
	unsigned line, col;
};

struct inline_map;

/* Reads every *.json below dir (a missing dir is an empty map). */
int inline_map_load(struct inline_map **out, const char *dir, struct err *err);
/* Parses one log file's contents; exposed for tests and fuzzing. */
void inline_map_add_log(struct inline_map *m, const char *data, size_t len);
struct inline_map *inline_map_new(void);
void inline_map_free(struct inline_map *m);

/*
 * The inlining chain of an escape about subject reported at abs_file:line:col,
 * from the next-outer position to the innermost, or NULL when it was not
 * inlined. col 0 (not printed) matches any column on the line.
 */
const struct inline_pos *inline_map_lookup(const struct inline_map *m, const char *abs_file,
					   unsigned line, unsigned col, const char *subject,
					   size_t *n);
size_t inline_map_size(const struct inline_map *m);

#endif
