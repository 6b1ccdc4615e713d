#ifndef ESCGATE_STRBUF_H
#define ESCGATE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * A growable, always NUL-terminated byte string (after git's strbuf).
 * An initialised strbuf never has a NULL buf, so callers can print it
 * without checks; strbuf_release() returns it to the initial state.
 */
struct strbuf {
	size_t alloc;
	size_t len;
	char *buf;
};

extern char strbuf_slopbuf[];
#define STRBUF_INIT { 0, 0, strbuf_slopbuf }

void strbuf_init(struct strbuf *sb, size_t hint);
void strbuf_release(struct strbuf *sb);
char *strbuf_detach(struct strbuf *sb, size_t *len);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_setlen(struct strbuf *sb, size_t len);
#define strbuf_reset(sb) strbuf_setlen((sb), 0)

void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addbuf(struct strbuf *sb, const struct strbuf *other);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_trim(struct strbuf *sb);

/* Appends at most max_lines lines of src, then a note of how many were left out. */
void strbuf_addbuf_lines(struct strbuf *sb, const struct strbuf *src, size_t max_lines);

/* Appends s with control bytes shown as \xNN: safe to print on a terminal. */
void strbuf_add_printable(struct strbuf *sb, const char *s);

#endif
