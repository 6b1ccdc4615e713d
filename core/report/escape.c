#include "escape.h"

#include <string.h>

#define REPLACEMENT "\xef\xbf\xbd"   /* U+FFFD */

size_t utf8_seq_len(const unsigned char *p)
{
	unsigned c = *p;
	size_t n = 0, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	/* overlong 3-byte forms, surrogates and past-U+10FFFF 4-byte forms */
	if (n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
		return 0;
	if (n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
		return 0;
	return n;
}

void report_add_utf8(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_seq_len(p);

		if (n) {
			strbuf_add(sb, p, n);
			p += n;
		} else {
			strbuf_addstr(sb, REPLACEMENT);
			p++;
		}
	}
}

cJSON *report_json_string(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	cJSON *item;

	report_add_utf8(&sb, s);
	item = cJSON_CreateString(sb.buf);
	strbuf_release(&sb);
	return item;
}

void report_add_xml(struct strbuf *sb, const char *s, int attr)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_seq_len(p);
		unsigned c = *p;

		if (!n) {
			strbuf_addstr(sb, REPLACEMENT);
			p++;
			continue;
		}
		switch (c) {
		case '&': strbuf_addstr(sb, "&amp;"); break;
		case '<': strbuf_addstr(sb, "&lt;"); break;
		case '>': strbuf_addstr(sb, "&gt;"); break;
		case '"': strbuf_addstr(sb, "&quot;"); break;
		case '\'': strbuf_addstr(sb, "&apos;"); break;
		case '\t': case '\n': case '\r':
			if (attr)
				strbuf_addf(sb, "&#%u;", c);
			else
				strbuf_addch(sb, c);
			break;
		default:
			if (c < 0x20)
				break;   /* not a character XML 1.0 allows, even as a reference */
			if (n == 3 && c == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
				break;   /* U+FFFE, U+FFFF: likewise */
			strbuf_add(sb, p, n);
		}
		p += n;
	}
}

/* U+202A-U+202E, U+2066-U+2069: they reorder the text around them on screen. */
static int is_bidi_control(const unsigned char *p)
{
	return p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae) ||
				(p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9));
}

void report_add_md(struct strbuf *sb, const char *s)
{
	/*
	 * '|' splits a table cell even inside <code>; '<' '>' '&' '"' '\''
	 * are HTML; '`' '*' '_' '~' '[' ']' '\\' '#' '$' start Markdown code,
	 * emphasis, strikethrough, links, escapes, headings or math (GitHub
	 * parses Markdown inside inline HTML). Character references are
	 * decoded as text in both Markdown and HTML blocks.
	 */
	static const char special[] = "|<>&\"'`*_~[]\\#$";
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_seq_len(p);
		unsigned c = *p;

		if (!n) {
			strbuf_addstr(sb, REPLACEMENT);
			p++;
			continue;
		}
		if (c < 0x20 || c == 0x7f)
			strbuf_addf(sb, "&#92;x%02x", c);
		else if (n == 3 && is_bidi_control(p))
			strbuf_addf(sb, "&#92;u%04X", 0x2000 | (p[1] & 0x3f) << 6 | (p[2] & 0x3f));
		else if (c < 0x80 && strchr(special, (int)c))
			strbuf_addf(sb, "&#%u;", c);
		else
			strbuf_add(sb, p, n);
		p += n;
	}
}

void report_add_uri_path(struct strbuf *sb, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	for (; *p; p++) {
		unsigned c = *p;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '.' || c == '_' || c == '~' || c == '/')
			strbuf_addch(sb, c);
		else
			strbuf_addf(sb, "%%%02X", c);
	}
}
