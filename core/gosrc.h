#ifndef ESCGATE_GOSRC_H
#define ESCGATE_GOSRC_H

#include <stddef.h>
#include "err.h"

/*
 * A small Go source scanner: just enough lexing (comments, interpreted and
 * raw strings, runes, brace matching) to find every function declaration
 * and function literal with its extent, and to name it the way the
 * compiler does. The compiler's JSON log names no enclosing function, and
 * its text does so only in some releases, so attribution is done here.
 *
 * Positions are the compiler's: 1-based lines, 1-based byte columns.
 */
struct go_func {
	char *name;     /* NewPoint, (*Point).Ref, Point.String, Counter.func1, Counter.func1.1, init.func1 */
	char *scope;    /* the enclosing top-level declaration: NewPoint, (*Point).Ref, Counter, init */
	unsigned start_line, start_col;   /* the `func` keyword */
	unsigned end_line, end_col;       /* the closing brace of the body */
	unsigned generic : 1;             /* the declaration has type parameters or a generic receiver */
};

/*
 * A line comment addressed to escgate ("//escgate:allow reason"), found by
 * the lexer so that text inside a string literal never counts as one.
 */
struct go_directive {
	char *text;                /* after "//escgate:", to the end of the line */
	unsigned line, col;        /* of the comment's first slash */
	unsigned own_line : 1;     /* nothing but the comment on its line */
};

struct go_file {
	char *data;                /* the file's bytes, NUL-terminated */
	size_t len;
	size_t *line_start;        /* byte offset where each line starts; line N is line_start[N-1] */
	size_t nlines;
	struct go_func *funcs;     /* ordered by start position */
	size_t nfuncs;
	struct go_directive *directives;   /* in file order */
	size_t ndirectives;
};

/* Scans a copy of data; never fails on malformed Go (it scans what it can). */
int go_file_scan(struct go_file **out, const char *data, size_t len, struct err *err);
/* Reads and scans the file at path (a regular file; symlinks are refused). */
int go_file_load(struct go_file **out, const char *path, struct err *err);
void go_file_free(struct go_file *f);

/*
 * The innermost function whose extent holds line:col, or NULL (package
 * level, outside any function). col 0 means "unknown column" (the compiler
 * omits columns past 255): the line alone decides, innermost first.
 */
const struct go_func *go_file_func_at(const struct go_file *f, unsigned line, unsigned col);

/* The text of a line without its newline; 0 on success, -1 if out of range. */
int go_file_line(const struct go_file *f, unsigned line, const char **start, size_t *len);

/* The name in a file's package clause, within data; -1 when it has none. */
int go_package_name(const char *data, size_t len, const char **name, size_t *namelen);

/*
 * The import paths of a file's import declarations, which come before any
 * other declaration, each passed to fn (the path as written between its
 * quotes). Build constraints are not looked at. Returns how many there
 * were, or -1 when the file does not start like Go ("package name", then
 * well-formed import declarations).
 */
typedef void (*go_import_fn)(const char *path, size_t len, void *arg);
int go_scan_imports(const char *data, size_t len, go_import_fn fn, void *arg);

#endif
