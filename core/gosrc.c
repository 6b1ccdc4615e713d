#include "gosrc.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "util.h"

/*
 * The scanner works in two passes: a lexer turns the bytes into a token
 * array (with Go's automatic semicolons, which tell a declaration from a
 * function type that ends a line), then a single walk over the tokens
 * matches brackets and recognises declarations and function literals.
 * Only the tokens that matter are told apart; everything else is T_OTHER.
 */

#define NONE SIZE_MAX

enum tok_kind {
	T_IDENT,        /* identifiers and keywords */
	T_LIT,          /* numbers, strings, runes */
	T_SEMI,         /* explicit or inserted */
	T_LPAREN, T_RPAREN,
	T_LBRACK, T_RBRACK,
	T_LBRACE, T_RBRACE,
	T_DOT,
	T_STAR,
	T_ARROW,        /* <- */
	T_OTHER,
};

struct tok {
	size_t off;
	size_t len;
	unsigned line, col;
	enum tok_kind kind;
};

struct toks {
	struct tok *v;
	size_t n, alloc;
};

/* The public struct plus what go_file_func_at needs to walk outwards. */
struct go_file_full {
	struct go_file pub;
	size_t *parent;         /* index of the enclosing function, or NONE */
};

#define FULL(f) ((struct go_file_full *)((char *)(f) - offsetof(struct go_file_full, pub)))
#define FULL_C(f) \
	((const struct go_file_full *)((const char *)(f) - offsetof(struct go_file_full, pub)))

static int is_ident_start(unsigned char c)
{
	/* Bytes >= 0x80 are taken as letters: Go identifiers may be Unicode. */
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

static int is_ident_char(unsigned char c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9');
}

static int tok_is(const char *data, const struct tok *t, const char *word)
{
	size_t n = strlen(word);

	return t->kind == T_IDENT && t->len == n && !memcmp(data + t->off, word, n);
}

static const char *const keywords[] = {
	"break", "case", "chan", "const", "continue", "default", "defer",
	"else", "fallthrough", "for", "func", "go", "goto", "if", "import",
	"interface", "map", "package", "range", "return", "select", "struct",
	"switch", "type", "var",
};

static int is_keyword(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(keywords) / sizeof(keywords[0]); i++)
		if (strlen(keywords[i]) == len && !memcmp(keywords[i], s, len))
			return 1;
	return 0;
}

/* Go inserts a semicolon at a newline after these (the spec's rule). */
static int ident_ends_stmt(const char *s, size_t len)
{
	if (!is_keyword(s, len))
		return 1;
	return (len == 5 && !memcmp(s, "break", 5)) ||
	       (len == 8 && !memcmp(s, "continue", 8)) ||
	       (len == 11 && !memcmp(s, "fallthrough", 11)) ||
	       (len == 6 && !memcmp(s, "return", 6));
}

struct lexer {
	const char *d;
	size_t len;
	size_t p;
	unsigned line;
	size_t line_off;        /* offset where the current line starts */
	int need_semi;          /* a newline here would end a statement */
	struct toks *out;
	struct go_directive *dirs;
	size_t ndirs, dirs_alloc;
};

/* A token at off, on the line that starts at line_off. */
static void emit_at(struct lexer *lx, enum tok_kind kind, size_t off, size_t len,
		    unsigned line, size_t line_off)
{
	struct tok *t = NULL;

	ALLOC_GROW(lx->out->v, lx->out->n + 1, lx->out->alloc);
	t = &lx->out->v[lx->out->n++];
	t->off = off;
	t->len = len;
	t->line = line;
	t->col = (unsigned)(off - line_off + 1);
	t->kind = kind;
}

static void emit(struct lexer *lx, enum tok_kind kind, size_t off, size_t len)
{
	emit_at(lx, kind, off, len, lx->line, lx->line_off);
}

static void newline_at(struct lexer *lx, size_t p)
{
	lx->line++;
	lx->line_off = p + 1;
}

/* Skips an interpreted string or rune; like Go, a newline ends it unclosed. */
static void lex_quoted(struct lexer *lx, char quote)
{
	size_t p = lx->p + 1;

	while (p < lx->len && lx->d[p] != quote && lx->d[p] != '\n') {
		if (lx->d[p] == '\\' && p + 1 < lx->len && lx->d[p + 1] != '\n')
			p++;
		p++;
	}
	if (p < lx->len && lx->d[p] == quote)
		p++;
	emit(lx, T_LIT, lx->p, p - lx->p);
	lx->need_semi = 1;
	lx->p = p;
}

static void lex_raw(struct lexer *lx)
{
	size_t start = lx->p, p = lx->p + 1;
	unsigned line = lx->line;
	size_t line_off = lx->line_off;

	while (p < lx->len && lx->d[p] != '`') {
		if (lx->d[p] == '\n')
			newline_at(lx, p);
		p++;
	}
	if (p < lx->len)
		p++;
	/* the token sits where it starts, not where the lexer ended up */
	emit_at(lx, T_LIT, start, p - start, line, line_off);
	lx->need_semi = 1;
	lx->p = p;
}

/* Records a "//escgate:..." comment starting at lx->p and ending at nl. */
static void lex_directive(struct lexer *lx, size_t nl)
{
	static const char prefix[] = "//escgate:";
	size_t n = sizeof(prefix) - 1, end = nl;
	const struct tok *last = lx->out->n ? &lx->out->v[lx->out->n - 1] : NULL;
	struct go_directive *d = NULL;

	if (nl - lx->p < n || memcmp(lx->d + lx->p, prefix, n))
		return;
	if (end > lx->p + n && lx->d[end - 1] == '\r')
		end--;
	ALLOC_GROW(lx->dirs, lx->ndirs + 1, lx->dirs_alloc);
	d = &lx->dirs[lx->ndirs++];
	d->text = xstrndup(lx->d + lx->p + n, end - lx->p - n);
	d->line = lx->line;
	d->col = (unsigned)(lx->p - lx->line_off + 1);
	d->own_line = !(last && last->line == lx->line && last->len);
}

static void lex_block_comment(struct lexer *lx)
{
	size_t start = lx->p, p = lx->p + 2;
	int had_newline = 0;
	unsigned line = lx->line;
	size_t line_off = lx->line_off;

	while (p < lx->len && !(lx->d[p] == '*' && p + 1 < lx->len && lx->d[p + 1] == '/')) {
		if (lx->d[p] == '\n') {
			had_newline = 1;
			newline_at(lx, p);
		}
		p++;
	}
	p = p < lx->len ? p + 2 : p;
	/* a comment spanning lines acts like a newline */
	if (had_newline && lx->need_semi) {
		emit_at(lx, T_SEMI, start, 0, line, line_off);
		lx->need_semi = 0;
	}
	lx->p = p;
}

static void lex_number(struct lexer *lx)
{
	size_t p = lx->p;

	/* Exact number syntax is irrelevant here: swallow the whole run. */
	while (p < lx->len && (is_ident_char((unsigned char)lx->d[p]) || lx->d[p] == '.'))
		p++;
	emit(lx, T_LIT, lx->p, p - lx->p);
	lx->need_semi = 1;
	lx->p = p;
}

static void lex_punct(struct lexer *lx)
{
	const char *d = lx->d;
	size_t p = lx->p, len = 1;
	char c = d[p], next = p + 1 < lx->len ? d[p + 1] : '\0';
	enum tok_kind kind = T_OTHER;
	int semi = 0;

	switch (c) {
	case '(': kind = T_LPAREN; break;
	case ')': kind = T_RPAREN; semi = 1; break;
	case '[': kind = T_LBRACK; break;
	case ']': kind = T_RBRACK; semi = 1; break;
	case '{': kind = T_LBRACE; break;
	case '}': kind = T_RBRACE; semi = 1; break;
	case ';': kind = T_SEMI; break;
	case '*': kind = T_STAR; break;
	case '.':
		if (next == '.' && p + 2 < lx->len && d[p + 2] == '.')
			len = 3;
		else
			kind = T_DOT;
		break;
	case '<':
		if (next == '-') {
			kind = T_ARROW;
			len = 2;
		}
		break;
	case '+':
	case '-':
		if (next == c) {
			len = 2;
			semi = 1;
		}
		break;
	default:
		break;
	}
	emit(lx, kind, p, len);
	lx->need_semi = semi;
	lx->p = p + len;
}

static void lex(const char *d, size_t len, struct toks *out, struct go_file *f)
{
	struct lexer lx = { d, len, 0, 1, 0, 0, out, NULL, 0, 0 };

	/* The compiler skips a leading BOM but still counts its bytes. */
	if (len >= 3 && !memcmp(d, "\xef\xbb\xbf", 3))
		lx.p = 3;
	while (lx.p < len) {
		unsigned char c = (unsigned char)d[lx.p];
		unsigned char next = lx.p + 1 < len ? (unsigned char)d[lx.p + 1] : 0;

		if (c == '\n') {
			if (lx.need_semi)
				emit(&lx, T_SEMI, lx.p, 0);
			lx.need_semi = 0;
			newline_at(&lx, lx.p);
			lx.p++;
		} else if (c == '/' && next == '/') {
			const char *nl = memchr(d + lx.p, '\n', len - lx.p);
			size_t end = nl ? (size_t)(nl - d) : len;

			lex_directive(&lx, end);
			lx.p = end;
		} else if (c == '/' && next == '*') {
			lex_block_comment(&lx);
		} else if (c == '"' || c == '\'') {
			lex_quoted(&lx, (char)c);
		} else if (c == '`') {
			lex_raw(&lx);
		} else if (is_ident_start(c)) {
			size_t p = lx.p;

			while (p < len && is_ident_char((unsigned char)d[p]))
				p++;
			emit(&lx, T_IDENT, lx.p, p - lx.p);
			lx.need_semi = ident_ends_stmt(d + lx.p, p - lx.p);
			lx.p = p;
		} else if ((c >= '0' && c <= '9') || (c == '.' && next >= '0' && next <= '9')) {
			lex_number(&lx);
		} else if (c <= ' ' || c == 0x7f) {
			/* whitespace, and control bytes that no valid file has */
			lx.p++;
		} else {
			lex_punct(&lx);
		}
	}
	/* End-of-file ends a statement too; the parser relies on it. */
	emit(&lx, T_SEMI, len, 0);
	f->directives = lx.dirs;
	f->ndirectives = lx.ndirs;
}

/* Index just past the bracket matching the opener at i, or n if unclosed. */
static size_t skip_balanced(const struct toks *t, size_t i)
{
	size_t depth = 0;

	for (; i < t->n; i++) {
		switch (t->v[i].kind) {
		case T_LPAREN: case T_LBRACK: case T_LBRACE:
			depth++;
			break;
		case T_RPAREN: case T_RBRACK: case T_RBRACE:
			if (--depth == 0)
				return i + 1;
			break;
		default:
			break;
		}
	}
	return t->n;
}

/*
 * Walks the result type that follows a parameter list at j. Returns the
 * index of the body's '{' and sets *body, or the index of the first token
 * that cannot belong to a type (a function type or a body-less declaration).
 * The braces of struct{...} and interface{...} belong to the type.
 */
static size_t scan_result(const char *data, const struct toks *t, size_t j, int *body)
{
	*body = 0;
	while (j < t->n) {
		const struct tok *k = &t->v[j];

		switch (k->kind) {
		case T_LPAREN: case T_LBRACK:
			j = skip_balanced(t, j);
			continue;
		case T_LBRACE:
			*body = 1;
			return j;
		case T_IDENT:
			if ((tok_is(data, k, "struct") || tok_is(data, k, "interface")) &&
			    j + 1 < t->n && t->v[j + 1].kind == T_LBRACE)
				j = skip_balanced(t, j + 1);
			else
				j++;
			continue;
		case T_DOT: case T_STAR: case T_ARROW:
			j++;
			continue;
		default:
			return j;
		}
	}
	return j;
}

/*
 * A `func` at i that is a type in a composite literal's type, where the
 * '{' after it opens the literal: []func(){...}, map[K]func(){...},
 * []chan func(){...}, []*func(){...}.
 */
static int composite_elem_type(const char *data, const struct toks *t, size_t i)
{
	size_t j = i;

	while (j > 0 && t->v[j - 1].kind == T_STAR)
		j--;
	if (j == 0)
		return 0;
	if (t->v[j - 1].kind == T_RBRACK)
		return 1;
	if (j != i)
		return 0;
	if (tok_is(data, &t->v[j - 1], "chan"))
		return 1;
	return t->v[j - 1].kind == T_ARROW && j >= 2 && tok_is(data, &t->v[j - 2], "chan");
}

struct open {
	enum tok_kind kind;
	int body;               /* a function body: closing it ends a function */
};

struct frame {
	size_t fn;              /* index into funcs */
	unsigned nclosures;
	int decl;               /* a top-level declaration, not a literal */
};

struct parser {
	const char *data;
	const struct toks *t;
	struct go_func *funcs;
	size_t *parent;
	size_t nfuncs, alloc, parent_alloc;
	struct open *opens;
	size_t nopens, opens_alloc, nbraces;
	struct frame *frames;
	size_t nframes, frames_alloc;
	unsigned pkg_closures;
	unsigned inits;
};

static size_t add_func(struct parser *ps, char *name, char *scope,
		       const struct tok *start, int generic)
{
	struct go_func *fn = NULL;
	size_t idx = ps->nfuncs;

	ALLOC_GROW(ps->funcs, ps->nfuncs + 1, ps->alloc);
	ALLOC_GROW(ps->parent, ps->nfuncs + 1, ps->parent_alloc);
	fn = &ps->funcs[ps->nfuncs++];
	memset(fn, 0, sizeof(*fn));
	fn->name = name;
	fn->scope = scope;
	fn->start_line = start->line;
	fn->start_col = start->col;
	fn->generic = generic ? 1 : 0;
	ps->parent[idx] = ps->nframes ? ps->frames[ps->nframes - 1].fn : NONE;
	return idx;
}

static void push_open(struct parser *ps, enum tok_kind kind, int body)
{
	ALLOC_GROW(ps->opens, ps->nopens + 1, ps->opens_alloc);
	ps->opens[ps->nopens].kind = kind;
	ps->opens[ps->nopens].body = body;
	ps->nopens++;
	if (kind == T_LBRACE)
		ps->nbraces++;
}

static void open_body(struct parser *ps, size_t fn, int decl)
{
	push_open(ps, T_LBRACE, 1);
	ALLOC_GROW(ps->frames, ps->nframes + 1, ps->frames_alloc);
	ps->frames[ps->nframes].fn = fn;
	ps->frames[ps->nframes].nclosures = 0;
	ps->frames[ps->nframes].decl = decl;
	ps->nframes++;
}

static void close_body(struct parser *ps, unsigned line, unsigned col)
{
	struct go_func *fn = &ps->funcs[ps->frames[--ps->nframes].fn];

	fn->end_line = line;
	fn->end_col = col;
}

/*
 * A '}' closes the innermost '{' and anything left open inside it; an
 * unmatched ')' or ']' is ignored. Broken code thus still yields extents
 * that nest, which go_file_func_at relies on.
 */
static void close_bracket(struct parser *ps, const struct tok *k)
{
	enum tok_kind want = k->kind == T_RPAREN ? T_LPAREN :
			     k->kind == T_RBRACK ? T_LBRACK : T_LBRACE;

	if (want != T_LBRACE) {
		if (ps->nopens && ps->opens[ps->nopens - 1].kind == want)
			ps->nopens--;
		return;
	}
	if (!ps->nbraces)
		return;
	while (ps->nopens) {
		struct open o = ps->opens[--ps->nopens];

		if (o.kind != T_LBRACE)
			continue;
		ps->nbraces--;
		if (o.body)
			close_body(ps, k->line, k->col);
		break;
	}
}

/* The compiler's name for a method: (*T).M or T.M, type arguments dropped. */
static char *method_name(struct parser *ps, size_t lp, size_t rp, size_t name_tok, int *generic)
{
	const struct toks *t = ps->t;
	size_t j, type_tok = NONE, depth = 0;
	int star = 0;
	struct strbuf sb = STRBUF_INIT;
	const struct tok *m = &t->v[name_tok];

	for (j = lp + 1; j + 1 < rp; j++) {
		const struct tok *k = &t->v[j];

		if (k->kind == T_LBRACK) {
			if (!depth)
				*generic = 1;
			depth++;
		} else if (k->kind == T_RBRACK) {
			if (depth)
				depth--;
		} else if (depth) {
			continue;
		} else if (k->kind == T_STAR) {
			star = 1;
		} else if (k->kind == T_IDENT) {
			type_tok = j;
		}
	}
	if (type_tok == NONE)
		return NULL;
	if (star)
		strbuf_addstr(&sb, "(*");
	strbuf_add(&sb, ps->data + t->v[type_tok].off, t->v[type_tok].len);
	if (star)
		strbuf_addch(&sb, ')');
	strbuf_addch(&sb, '.');
	strbuf_add(&sb, ps->data + m->off, m->len);
	return strbuf_detach(&sb, NULL);
}

static int is_name(struct parser *ps, size_t j)
{
	const struct tok *k = NULL;

	if (j >= ps->t->n)
		return 0;
	k = &ps->t->v[j];
	return k->kind == T_IDENT && !is_keyword(ps->data + k->off, k->len);
}

/*
 * A top-level declaration whose `func` is at i. Returns where the walk
 * resumes: after the body's '{', or at the first token that does not fit
 * (a declaration without a body, or broken code).
 */
static size_t parse_decl(struct parser *ps, size_t i)
{
	const struct toks *t = ps->t;
	size_t j = i + 1, lp = NONE, rp = NONE, name_tok;
	int generic = 0, body = 0;
	char *name = NULL;

	if (j < t->n && t->v[j].kind == T_LPAREN) {
		lp = j;
		j = rp = skip_balanced(t, j);
	}
	if (j >= t->n || !is_name(ps, j))
		return j;
	name_tok = j++;
	if (j < t->n && t->v[j].kind == T_LBRACK) {
		generic = 1;
		j = skip_balanced(t, j);
	}
	if (j >= t->n || t->v[j].kind != T_LPAREN)
		return j;
	j = scan_result(ps->data, t, skip_balanced(t, j), &body);
	if (!body)
		return j;

	if (lp != NONE) {
		name = method_name(ps, lp, rp, name_tok, &generic);
		if (!name)
			return j;
	} else if (tok_is(ps->data, &t->v[name_tok], "init")) {
		/* The compiler renames each init function: init.0, init.1, ... */
		struct strbuf sb = STRBUF_INIT;

		strbuf_addf(&sb, "init.%u", ps->inits++);
		name = strbuf_detach(&sb, NULL);
	} else {
		name = xstrndup(ps->data + t->v[name_tok].off, t->v[name_tok].len);
	}
	open_body(ps, add_func(ps, name, xstrdup(name), &t->v[i], generic), 1);
	return j + 1;
}

/* A function literal whose `func` is token i; its body opens next. */
static void add_closure(struct parser *ps, size_t i)
{
	struct strbuf sb = STRBUF_INIT;
	char *scope = NULL;
	int generic = 0;

	if (!ps->nframes) {
		strbuf_addf(&sb, "init.func%u", ++ps->pkg_closures);
		scope = xstrdup("init");
	} else {
		struct frame *fr = &ps->frames[ps->nframes - 1];
		const struct go_func *outer = &ps->funcs[fr->fn];

		fr->nclosures++;
		strbuf_addf(&sb, fr->decl ? "%s.func%u" : "%s.%u", outer->name, fr->nclosures);
		scope = xstrdup(outer->scope);
		generic = outer->generic;
	}
	open_body(ps, add_func(ps, strbuf_detach(&sb, NULL), scope, &ps->t->v[i], generic), 0);
}

static void parse(struct parser *ps, unsigned eof_line, unsigned eof_col)
{
	const struct toks *t = ps->t;
	size_t i = 0;

	while (i < t->n) {
		const struct tok *k = &t->v[i];

		switch (k->kind) {
		case T_LPAREN: case T_LBRACK: case T_LBRACE:
			push_open(ps, k->kind, 0);
			i++;
			continue;
		case T_RPAREN: case T_RBRACK: case T_RBRACE:
			close_bracket(ps, k);
			i++;
			continue;
		default:
			break;
		}
		if (!tok_is(ps->data, k, "func")) {
			i++;
			continue;
		}
		if (!ps->nopens && (i == 0 || t->v[i - 1].kind == T_SEMI)) {
			size_t next = parse_decl(ps, i);

			i = next > i ? next : i + 1;
		} else if (composite_elem_type(ps->data, t, i) ||
			   i + 1 >= t->n || t->v[i + 1].kind != T_LPAREN) {
			i++;
		} else {
			int body = 0;
			size_t j = scan_result(ps->data, t, skip_balanced(t, i + 1), &body);

			if (body) {
				add_closure(ps, i);
				i = j + 1;
			} else {
				/* a function type: nothing in it can hold a body */
				i = j;
			}
		}
	}
	/* Unclosed bodies run to the end of the file. */
	while (ps->nframes)
		close_body(ps, eof_line, eof_col);
}

static void index_lines(struct go_file *f)
{
	size_t p = 0, n = 0;

	for (p = 0; p < f->len; p++)
		if (f->data[p] == '\n')
			n++;
	if (f->len && f->data[f->len - 1] != '\n')
		n++;
	f->line_start = xmalloc((n ? n : 1) * sizeof(*f->line_start));
	f->nlines = n;
	n = 0;
	for (p = 0; p < f->len && n < f->nlines; p++)
		if (p == 0 || f->data[p - 1] == '\n')
			f->line_start[n++] = p;
}

/* Scans data (owned by the result from now on; data[len] must be NUL). */
static struct go_file *scan_owned(char *data, size_t len)
{
	struct go_file_full *full = xcalloc(1, sizeof(*full));
	struct go_file *f = &full->pub;
	struct toks t = { NULL, 0, 0 };
	struct parser ps;
	unsigned eof_line, eof_col;

	f->data = data;
	f->len = len;
	index_lines(f);
	lex(data, len, &t, f);
	/* the final token is the semicolon lex puts at end of file */
	eof_line = t.v[t.n - 1].line;
	eof_col = t.v[t.n - 1].col;

	memset(&ps, 0, sizeof(ps));
	ps.data = data;
	ps.t = &t;
	parse(&ps, eof_line, eof_col);

	f->funcs = ps.funcs;
	f->nfuncs = ps.nfuncs;
	full->parent = ps.parent;
	free(ps.opens);
	free(ps.frames);
	free(t.v);
	return f;
}

/* Positions are unsigned: refuse what could overflow a line or column. */
static int too_large(size_t len)
{
	return len >= UINT_MAX;
}

int go_file_scan(struct go_file **out, const char *data, size_t len, struct err *err)
{
	char *copy = NULL;

	*out = NULL;
	if (too_large(len))
		return err_set(err, EXIT_ANALYSIS, "go source too large: %zu bytes", len);
	copy = xmalloc(len + 1);
	if (len)
		memcpy(copy, data, len);
	copy[len] = '\0';
	*out = scan_owned(copy, len);
	return 0;
}

int go_file_load(struct go_file **out, const char *path, struct err *err)
{
	struct strbuf sb = STRBUF_INIT;
	char *data;
	size_t len = 0;

	*out = NULL;
	/* positions are unsigned: too_large's bound */
	if (read_regular_file(path, UINT_MAX - 1, &sb, err)) {
		strbuf_release(&sb);
		return -1;
	}
	data = strbuf_detach(&sb, &len);
	*out = scan_owned(data, len);
	return 0;
}

void go_file_free(struct go_file *f)
{
	struct go_file_full *full = NULL;
	size_t i;

	if (!f)
		return;
	full = FULL(f);
	for (i = 0; i < f->nfuncs; i++) {
		free(f->funcs[i].name);
		free(f->funcs[i].scope);
	}
	free(f->funcs);
	for (i = 0; i < f->ndirectives; i++)
		free(f->directives[i].text);
	free(f->directives);
	free(f->line_start);
	free(f->data);
	free(full->parent);
	free(full);
}

/* Compares (line, col) with a function's start: <0 before, 0 at, >0 after. */
static int cmp_start(const struct go_func *fn, unsigned line, unsigned col)
{
	if (line != fn->start_line)
		return line < fn->start_line ? -1 : 1;
	return col < fn->start_col ? -1 : col > fn->start_col;
}

static int ends_at_or_after(const struct go_func *fn, unsigned line, unsigned col)
{
	return fn->end_line > line || (fn->end_line == line && fn->end_col >= col);
}

/* The last function starting at or before line:col, or NONE. */
static size_t last_starting_by(const struct go_file *f, unsigned line, unsigned col)
{
	size_t lo = 0, hi = f->nfuncs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_start(&f->funcs[mid], line, col) >= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? lo - 1 : NONE;
}

/*
 * Functions are in start order and their extents nest, so the innermost
 * one holding a position is the last to start by it, or an ancestor of it:
 * a binary search, then a walk outwards.
 */
const struct go_func *go_file_func_at(const struct go_file *f, unsigned line, unsigned col)
{
	const size_t *parent = NULL;
	size_t i, j;

	if (!f || !f->nfuncs || !line)
		return NULL;
	parent = FULL_C(f)->parent;

	if (col) {
		for (i = last_starting_by(f, line, col); i != NONE; i = parent[i])
			if (ends_at_or_after(&f->funcs[i], line, col))
				return &f->funcs[i];
		return NULL;
	}

	/*
	 * Line only: first the innermost function open when the line begins
	 * (column 0 sorts before every real column) ...
	 */
	for (i = last_starting_by(f, line, 0); i != NONE; i = parent[i])
		if (f->funcs[i].end_line >= line)
			break;
	/*
	 * ... then down through first children starting on the line. Only the
	 * first function to start on the line can be a child of i; if it is
	 * not, i ends on this line before it does.
	 */
	j = last_starting_by(f, line, 0);
	j = j == NONE ? 0 : j + 1;
	if (j >= f->nfuncs || f->funcs[j].start_line != line || parent[j] != i)
		return i == NONE ? NULL : &f->funcs[i];
	while (j + 1 < f->nfuncs && parent[j + 1] == j && f->funcs[j + 1].start_line == line)
		j++;
	return &f->funcs[j];
}

int go_file_line(const struct go_file *f, unsigned line, const char **start, size_t *len)
{
	const char *s = NULL, *nl = NULL;
	size_t off, n;

	if (!f || !line || line > f->nlines)
		return -1;
	off = f->line_start[line - 1];
	s = f->data + off;
	nl = memchr(s, '\n', f->len - off);
	n = nl ? (size_t)(nl - s) : f->len - off;
	if (n && s[n - 1] == '\r')
		n--;
	*start = s;
	*len = n;
	return 0;
}

/* --- the import declarations --------------------------------------------- */

/* Skips spaces, semicolons and comments; returns the position after them. */
static size_t skip_blank(const char *s, size_t len, size_t i)
{
	while (i < len) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' || s[i] == ';') {
			i++;
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') {
			while (i < len && s[i] != '\n')
				i++;
		} else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			const char *end = i + 2 <= len ? memmem(s + i + 2, len - i - 2, "*/", 2) : NULL;

			i = end ? (size_t)(end - s) + 2 : len;
		} else {
			break;
		}
	}
	return i;
}

static int ident_byte(unsigned char c)
{
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80;
}

/* The length of the identifier at s[i], 0 when there is none. */
static size_t ident_len(const char *s, size_t len, size_t i)
{
	size_t j = i;

	while (j < len && ident_byte((unsigned char)s[j]))
		j++;
	return j - i;
}

/* One import spec at s[*i]: [name | "." | "_"] "path". 0, or -1 when it is not one. */
static int import_spec(const char *s, size_t len, size_t *i, go_import_fn fn, void *arg)
{
	size_t j = *i, n, start;
	char quote;

	if (j < len && s[j] == '.')
		j++;
	else
		j += ident_len(s, len, j);
	j = skip_blank(s, len, j);
	if (j >= len || (s[j] != '"' && s[j] != '`'))
		return -1;
	quote = s[j++];
	start = j;
	while (j < len && s[j] != quote && s[j] != '\n')
		j += (quote == '"' && s[j] == '\\' && j + 1 < len) ? 2 : 1;
	if (j >= len || s[j] != quote)
		return -1;
	n = j - start;
	fn(s + start, n, arg);
	*i = j + 1;
	return 0;
}

/* The name in the package clause, at *i (after comments), with *i past it; 0 if none. */
static size_t package_clause(const char *s, size_t len, size_t *i)
{
	size_t start = 0;

	/* the compiler ignores a byte order mark that starts the file */
	if (len >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		start = 3;
	*i = skip_blank(s, len, start);
	if (ident_len(s, len, *i) != 7 || strncmp(s + *i, "package", 7))
		return 0;
	*i = skip_blank(s, len, *i + 7);
	return ident_len(s, len, *i);
}

int go_package_name(const char *s, size_t len, const char **name, size_t *namelen)
{
	size_t i, n = package_clause(s, len, &i);

	if (!n)
		return -1;
	*name = s + i;
	*namelen = n;
	return 0;
}

int go_scan_imports(const char *s, size_t len, go_import_fn fn, void *arg)
{
	size_t i, n = package_clause(s, len, &i);
	int found = 0;

	if (!n)
		return -1;
	for (i = skip_blank(s, len, i + n); i < len; i = skip_blank(s, len, i)) {
		if (ident_len(s, len, i) != 6 || strncmp(s + i, "import", 6))
			break;   /* the first other declaration ends the imports */
		i = skip_blank(s, len, i + 6);
		if (i < len && s[i] == '(') {
			for (i = skip_blank(s, len, i + 1); i < len && s[i] != ')';
			     i = skip_blank(s, len, i)) {
				if (import_spec(s, len, &i, fn, arg))
					return -1;
				found++;
			}
			if (i >= len)
				return -1;
			i++;
		} else {
			if (import_spec(s, len, &i, fn, arg))
				return -1;
			found++;
		}
	}
	return found;
}
