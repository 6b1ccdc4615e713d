#ifndef ESCGATE_REPORT_ESCAPE_H
#define ESCGATE_REPORT_ESCAPE_H

/*
 * Escaping shared by the report formats. Everything that comes from the
 * analysed repository (file and function names, verdicts with string
 * literals, source lines, flow text) goes through one of these: none of
 * it is trusted to be UTF-8 or free of the output syntax.
 */
#include <cjson/cJSON.h>
#include <stddef.h>

#include "core/strbuf.h"

/* Length of the well-formed UTF-8 sequence at s (1 for ASCII), 0 when s does not start one. */
size_t utf8_seq_len(const unsigned char *s);

/* Appends s with every byte that does not start a well-formed UTF-8 sequence as U+FFFD. */
void report_add_utf8(struct strbuf *sb, const char *s);

/* A cJSON string of s made valid UTF-8; cJSON escapes the rest. */
cJSON *report_json_string(const char *s);

/*
 * XML 1.0 text: & < > " ' as entities, characters XML 1.0 forbids (control
 * characters but tab, LF, CR; U+FFFE, U+FFFF) dropped, invalid UTF-8 as
 * U+FFFD. In an attribute (attr != 0) tab, LF and CR become character
 * references, which a parser would otherwise normalize to spaces.
 */
void report_add_xml(struct strbuf *sb, const char *s, int attr);

/*
 * Text for inside <code> in GitHub- or GitLab-flavoured Markdown, in a
 * table cell or an HTML block: HTML-special characters and the Markdown
 * punctuation that could start emphasis, code, links, math or a table
 * cell become numeric character references; control characters are shown
 * as \xNN and bidirectional overrides as \uNNNN; invalid UTF-8 as U+FFFD. The result never contains a raw '|',
 * '<', '`' or newline.
 */
void report_add_md(struct strbuf *sb, const char *s);

/*
 * A repository-relative path as a URI path: every byte but the unreserved
 * ones (RFC 3986: A-Z a-z 0-9 - . _ ~) and '/' percent-encoded, so the
 * result is a valid relative reference (no ':' in a first segment) and
 * safe inside a Markdown link.
 */
void report_add_uri_path(struct strbuf *sb, const char *s);

#endif
