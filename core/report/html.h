#ifndef ESCGATE_REPORT_HTML_H
#define ESCGATE_REPORT_HTML_H

/*
 * What the HTML pages (the html report, the history page) share: escaping
 * and a self-contained page frame. A page makes no network request: its
 * style and script are inline and its Content-Security-Policy forbids
 * loading anything, so it reads the same as a CI artifact, offline.
 */
#include <stddef.h>

#include "core/strbuf.h"

/*
 * Appends len bytes of s as HTML text or attribute value: & < > " ' as
 * references; control characters (but tab) and the bidirectional
 * overrides that could make source read differently from what it is
 * (U+202A-U+202E, U+2066-U+2069) shown as \xNN or \u202E in a span of
 * class "ctl"; invalid UTF-8 as U+FFFD.
 */
void html_add(struct strbuf *sb, const char *s, size_t len);
void html_addstr(struct strbuf *sb, const char *s);

/*
 * Starts a page: doctype, charset, the policy, the title (escaped), the
 * shared style and then css, the page's own; ends with <body> opened.
 */
void html_page_start(struct strbuf *sb, const char *title, const char *css);
/* Closes the page, with script (trusted, ours) inline when not NULL. */
void html_page_end(struct strbuf *sb, const char *script);

#endif
