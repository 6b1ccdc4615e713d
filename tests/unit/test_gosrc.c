#define TEST_SUITE "gosrc"
#include "test.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/gosrc.h"
#include "core/strbuf.h"

static struct go_file *scan_n(const char *src, size_t len)
{
	struct go_file *f = NULL;
	struct err e = ERR_INIT;

	if (go_file_scan(&f, src, len, &e))
		FAIL_("go_file_scan: %s", e.msg.buf);
	err_release(&e);
	return f;
}

static struct go_file *scan(const char *src)
{
	return scan_n(src, strlen(src));
}

/* All function names in order, space-separated: one string to compare. */
static const char *names(const struct go_file *f, struct strbuf *sb)
{
	size_t i;

	strbuf_reset(sb);
	for (i = 0; f && i < f->nfuncs; i++)
		strbuf_addf(sb, "%s%s", i ? " " : "", f->funcs[i].name);
	return sb->buf;
}

static const struct go_func *find(const struct go_file *f, const char *name)
{
	size_t i;

	for (i = 0; f && i < f->nfuncs; i++)
		if (!strcmp(f->funcs[i].name, name))
			return &f->funcs[i];
	return NULL;
}

/* Name of the function at line:col, or "(null)". */
static const char *at(const struct go_file *f, unsigned line, unsigned col)
{
	const struct go_func *fn = go_file_func_at(f, line, col);

	return fn ? fn->name : "(null)";
}

#define CHECK_EXTENT(fn, sl, sc, el, ec) \
	do { \
		const struct go_func *fn_ = (fn); \
		CHECK(fn_ != NULL); \
		if (fn_) { \
			CHECK_INT(fn_->start_line, sl); \
			CHECK_INT(fn_->start_col, sc); \
			CHECK_INT(fn_->end_line, el); \
			CHECK_INT(fn_->end_col, ec); \
		} \
	} while (0)

TEST(plain_functions)
{
	struct strbuf sb = STRBUF_INIT;
	struct go_file *f = scan(
		"package p\n"                               /* 1 */
		"\n"                                        /* 2 */
		"func A() {}\n"                             /* 3 */
		"\n"                                        /* 4 */
		"func B(x int, y string) (int, error) {\n"  /* 5 */
		"\treturn x, nil\n"                         /* 6 */
		"}\n"                                       /* 7 */
		"\n"                                        /* 8 */
		"func asm(x int) int\n"                     /* 9: no body */
		"\n"                                        /* 10 */
		"func C() *int { x := 1; return &x }\n");   /* 11 */

	CHECK_STR(names(f, &sb), "A B C");
	CHECK_EXTENT(find(f, "A"), 3, 1, 3, 11);
	CHECK_EXTENT(find(f, "B"), 5, 1, 7, 1);
	CHECK_EXTENT(find(f, "C"), 11, 1, 11, 35);
	CHECK_STR(find(f, "B") ? find(f, "B")->scope : NULL, "B");
	CHECK_INT(find(f, "B") ? find(f, "B")->generic : 9, 0);
	CHECK_STR(at(f, 9, 6), "(null)");
	go_file_free(f);
	strbuf_release(&sb);
}

TEST(methods)
{
	struct strbuf sb = STRBUF_INIT;
	struct go_file *f = scan(
		"package p\n"
		"type Point struct{ X, Y int }\n"
		"func (p *Point) Ref() *int { return &p.X }\n"
		"func (p Point) String() string { return \"\" }\n"
		"func (Point) Zero() Point { return Point{} }\n"
		"func (*Point) Reset() {}\n"
		"func (p (*Point)) Paren() {}\n"
		"func (\n\tp *Point,\n) Multi() {}\n");

	CHECK_STR(names(f, &sb),
		  "(*Point).Ref Point.String Point.Zero (*Point).Reset (*Point).Paren (*Point).Multi");
	CHECK_EXTENT(find(f, "(*Point).Ref"), 3, 1, 3, 42);
	CHECK_STR(find(f, "Point.Zero") ? find(f, "Point.Zero")->scope : NULL, "Point.Zero");
	CHECK_INT(find(f, "(*Point).Ref") ? find(f, "(*Point).Ref")->generic : 9, 0);
	go_file_free(f);
	strbuf_release(&sb);
}

TEST(generics)
{
	struct strbuf sb = STRBUF_INIT;
	const struct go_func *fn = NULL;
	struct go_file *f = scan(
		"package p\n"
		"func Map[T, U any](xs []T, fn func(T) U) []U { return nil }\n"
		"type Stack[T any] struct{ items []T }\n"
		"func (s *Stack[T]) Push(v T) { s.items = append(s.items, v) }\n"
		"type Pair[K comparable, V any] struct{}\n"
		"func (s Pair[K, V]) Get() {}\n"
		"func (Pair[_, _]) Anon() {}\n"
		"func Plain() List[int] { return nil }\n"
		"func Index[S ~[]E, E comparable](s S, v E) int {\n"
		"\tf := func() {}\n"
		"\t_ = f\n"
		"\treturn 0\n"
		"}\n");

	CHECK_STR(names(f, &sb),
		  "Map (*Stack).Push Pair.Get Pair.Anon Plain Index Index.func1");
	fn = find(f, "Map");
	CHECK(fn && fn->generic);
	fn = find(f, "(*Stack).Push");
	CHECK(fn && fn->generic);
	fn = find(f, "Pair.Get");
	CHECK(fn && fn->generic);
	fn = find(f, "Pair.Anon");
	CHECK(fn && fn->generic);
	fn = find(f, "Plain");
	CHECK(fn && !fn->generic);
	fn = find(f, "Index.func1");
	CHECK(fn && fn->generic);
	CHECK_STR(fn ? fn->scope : NULL, "Index");
	go_file_free(f);
	strbuf_release(&sb);
}

TEST(closures_numbered_in_order)
{
	struct strbuf sb = STRBUF_INIT;
	const struct go_func *fn = NULL;
	struct go_file *f = scan(
		"package p\n"
		"func F() {\n"
		"\ta := func() {}\n"
		"\tgo func() {\n"
		"\t}()\n"
		"\tdefer func(x int) { _ = x }(1)\n"
		"\t_ = a\n"
		"}\n"
		"func G() { _ = func() {} }\n");

	CHECK_STR(names(f, &sb), "F F.func1 F.func2 F.func3 G G.func1");
	fn = find(f, "F.func2");
	CHECK_EXTENT(fn, 4, 5, 5, 2);
	CHECK_STR(fn ? fn->scope : NULL, "F");
	CHECK_EXTENT(find(f, "F"), 2, 1, 8, 1);
	go_file_free(f);
	strbuf_release(&sb);
}

TEST(nested_closures)
{
	struct strbuf sb = STRBUF_INIT;
	const struct go_func *fn = NULL;
	struct go_file *f = scan(
		"package p\n"
		"func F() {\n"
		"\tf := func() {\n"
		"\t\tg := func() {\n"
		"\t\t\th := func() {}\n"
		"\t\t\t_ = h\n"
		"\t\t}\n"
		"\t\tk := func() {}\n"
		"\t\t_, _ = g, k\n"
		"\t}\n"
		"\tm := func() {}\n"
		"\tn := func() {}\n"
		"\t_, _, _ = f, m, n\n"
		"}\n"
		"type Point struct{}\n"
		"func (p *Point) Ref() { _ = func() { _ = func() {} } }\n"
		"func (s *Stack[T]) Push() { _ = func() {} }\n");

	CHECK_STR(names(f, &sb),
		  "F F.func1 F.func1.1 F.func1.1.1 F.func1.2 F.func2 F.func3 "
		  "(*Point).Ref (*Point).Ref.func1 (*Point).Ref.func1.1 "
		  "(*Stack).Push (*Stack).Push.func1");
	fn = find(f, "F.func1.1.1");
	CHECK_STR(fn ? fn->scope : NULL, "F");
	CHECK_EXTENT(fn, 5, 9, 5, 17);
	fn = find(f, "(*Point).Ref.func1.1");
	CHECK_STR(fn ? fn->scope : NULL, "(*Point).Ref");
	fn = find(f, "(*Stack).Push.func1");
	CHECK(fn && fn->generic);
	CHECK_STR(fn ? fn->scope : NULL, "(*Stack).Push");
	go_file_free(f);
	strbuf_release(&sb);
}

TEST(package_level_closures)
{
	struct strbuf sb = STRBUF_INIT;
	const struct go_func *fn = NULL;
	struct go_file *f = scan(
		"package p\n"
		"var Glob = func() *int { x := 1; return &x }\n"
		"func F() { _ = func() {} }\n"
		"var (\n"
		"\tA = func() {\n"
		"\t\t_ = func() {}\n"
		"\t}\n"
		"\tB, C = func() {}, func() {}\n"
		")\n"
		"var H = []func() *int{func() *int { return nil }}\n");

	CHECK_STR(names(f, &sb),
		  "init.func1 F F.func1 init.func2 init.func2.1 init.func3 init.func4 init.func5");
	fn = find(f, "init.func1");
	CHECK_EXTENT(fn, 2, 12, 2, 44);
	CHECK_STR(fn ? fn->scope : NULL, "init");
	CHECK(fn && !fn->generic);
	fn = find(f, "init.func2.1");
	CHECK_STR(fn ? fn->scope : NULL, "init");
	go_file_free(f);
	strbuf_release(&sb);
}

/* The compiler renames init functions init.0, init.1, ... */
TEST(init_functions)
{
	struct strbuf sb = STRBUF_INIT;
	const struct go_func *fn = NULL;
	struct go_file *f = scan(
		"package p\n"
		"func init() { _ = func() {} }\n"
		"func init() {}\n"
		"var X = func() {}\n");

	CHECK_STR(names(f, &sb), "init.0 init.0.func1 init.1 init.func1");
	fn = find(f, "init.0.func1");
	CHECK_STR(fn ? fn->scope : NULL, "init.0");
	go_file_free(f);
	strbuf_release(&sb);
}

TEST(comments_and_strings)
{
	struct strbuf sb = STRBUF_INIT;
	struct go_file *f = scan(
		"package p\n"
		"// func Fake() {\n"
		"/* } func Fake2() { ` */\n"
		"func A() {\n"
		"\ts := \"func() { } ` }\"\n"
		"\tt := \"\\\"}\\\\\" // }\n"
		"\t/* { */ _ = func() {}\n"
		"\t_, _ = s, t\n"
		"}\n"
		"/*\n"
		"func Hidden() {}\n"
		"*/\n"
		"func B() {}\n");

	CHECK_STR(names(f, &sb), "A A.func1 B");
	CHECK_EXTENT(find(f, "A"), 4, 1, 9, 1);
	CHECK_EXTENT(find(f, "A.func1"), 7, 14, 7, 22);
	CHECK_EXTENT(find(f, "B"), 13, 1, 13, 11);
	go_file_free(f);
	strbuf_release(&sb);
}

TEST(raw_strings_spanning_lines)
{
	struct strbuf sb = STRBUF_INIT;
	struct go_file *f = scan(
		"package p\n"
		"var tmpl = `\n"
		"func NotReal() {\n"
		"}}} {{ \" '\n"
		"`\n"
		"func A() {\n"
		"\tq := `{\n"
		"}`; _ = func() {}\n"
		"\t_ = q\n"
		"}\n");

	CHECK_STR(names(f, &sb), "A A.func1");
	CHECK_EXTENT(find(f, "A"), 6, 1, 10, 1);
	CHECK_EXTENT(find(f, "A.func1"), 8, 9, 8, 17);
	go_file_free(f);
	strbuf_release(&sb);
}

TEST(rune_literals)
{
	struct strbuf sb = STRBUF_INIT;
	struct go_file *f = scan(
		"package p\n"
		"func A() {\n"
		"\ta, b, c, d := '{', '\\'', '}', '\"'\n"
		"\te := '\\\\'\n"
		"\t_ = func() {}\n"
		"\t_, _, _, _, _ = a, b, c, d, e\n"
		"}\n"
		"func B() {}\n");

	CHECK_STR(names(f, &sb), "A A.func1 B");
	CHECK_EXTENT(find(f, "A"), 2, 1, 7, 1);
	go_file_free(f);
	strbuf_release(&sb);
}

TEST(func_types_not_counted)
{
	struct strbuf sb = STRBUF_INIT;
	struct go_file *f = scan(
		"package p\n"
		"type H func()\n"
		"type I interface { M() func() int; N(func(int) error) }\n"
		"type S struct { f func(); g func() (int, error) }\n"
		"var f func(int) int\n"
		"var g func() func() int\n"
		"func A(cb func() error, more ...func()) func() int {\n"
		"\tvar h func(x int) (int, error)\n"
		"\tx := (func())(nil)\n"
		"\tif y, ok := v.(func() int); ok {\n"
		"\t\t_ = y\n"
		"\t}\n"
		"\tch := make(chan func(), 1)\n"
		"\t_, _, _ = h, x, ch\n"
		"\treturn nil\n"
		"}\n"
		"func B() func() (int, error) { return nil }\n"
		"type J func() struct{ X int }\n"
		"func C() {}\n");

	CHECK_STR(names(f, &sb), "A B C");
	CHECK_EXTENT(find(f, "A"), 7, 1, 16, 1);
	CHECK_EXTENT(find(f, "C"), 19, 1, 19, 11);
	go_file_free(f);
	strbuf_release(&sb);
}

TEST(composite_literal_of_func_type)
{
	struct strbuf sb = STRBUF_INIT;
	struct go_file *f = scan(
		"package p\n"
		"func A() {\n"
		"\tm := map[string]func(){ \"a\": f }\n"
		"\tl := []func(){f, g}\n"
		"\tc := []chan func(){nil}\n"
		"\td := []chan<- func(){nil}\n"
		"\tp := []*func(){nil}\n"
		"\tr := [2]func() int{func() int { return 1 }, nil}\n"
		"\t_, _, _, _, _, _ = m, l, c, d, p, r\n"
		"}\n");

	CHECK_STR(names(f, &sb), "A A.func1");
	CHECK_EXTENT(find(f, "A.func1"), 8, 21, 8, 43);
	go_file_free(f);
	strbuf_release(&sb);
}

TEST(literal_with_struct_or_interface_signature)
{
	struct strbuf sb = STRBUF_INIT;
	struct go_file *f = scan(
		"package p\n"
		"func A() struct{ X int } {\n"
		"\tg := func() struct{ X int } { return struct{ X int }{1} }\n"
		"\th := func(x interface{}) {}\n"
		"\tk := func(x interface{ M() }) (int, error) { return 0, nil }\n"
		"\tm := func() interface {\n"
		"\t\tM()\n"
		"\t} { return nil }\n"
		"\t_, _, _, _ = g, h, k, m\n"
		"\treturn struct{ X int }{}\n"
		"}\n");

	CHECK_STR(names(f, &sb), "A A.func1 A.func2 A.func3 A.func4");
	CHECK_EXTENT(find(f, "A"), 2, 1, 11, 1);
	CHECK_EXTENT(find(f, "A.func1"), 3, 7, 3, 58);
	CHECK_EXTENT(find(f, "A.func4"), 6, 7, 8, 17);
	go_file_free(f);
	strbuf_release(&sb);
}

/* A function type at the end of a line must not swallow the next declaration. */
TEST(semicolon_insertion)
{
	struct strbuf sb = STRBUF_INIT;
	struct go_file *f = scan(
		"package p\n"
		"type H func()\n"
		"func A() {}\n"
		"var v func() /* a\n"
		"comment */ func B() {}\n"
		"func C() (\n"
		"\tint,\n"
		"\terror,\n"
		") {\n"
		"\treturn 0, nil\n"
		"}\n");

	CHECK_STR(names(f, &sb), "A B C");
	CHECK_EXTENT(find(f, "B"), 5, 12, 5, 22);
	CHECK_EXTENT(find(f, "C"), 6, 1, 11, 1);
	go_file_free(f);
	strbuf_release(&sb);
}

static const char nested_src[] =
	"package p\n"                       /* 1 */
	"func F() {\n"                      /* 2 */
	"\tx := 1\n"                        /* 3 */
	"\tf := func() {\n"                 /* 4 */
	"\t\t_ = func() { _ = x }\n"        /* 5 */
	"\t}\n"                             /* 6 */
	"\ta(func() {}, func() {})\n"      /* 7 */
	"}\n"                               /* 8 */
	"var Y = 2\n";                      /* 9 */

TEST(func_at_exact_columns)
{
	struct go_file *f = scan(nested_src);

	CHECK_STR(at(f, 2, 1), "F");                /* the func keyword */
	CHECK_STR(at(f, 8, 1), "F");                /* the closing brace */
	CHECK_STR(at(f, 8, 2), "(null)");
	CHECK_STR(at(f, 3, 2), "F");
	CHECK_STR(at(f, 4, 2), "F");                /* f itself */
	CHECK_STR(at(f, 4, 6), "F");
	CHECK_STR(at(f, 4, 7), "F.func1");          /* its func keyword */
	CHECK_STR(at(f, 5, 3), "F.func1");
	CHECK_STR(at(f, 5, 7), "F.func1.1");
	CHECK_STR(at(f, 5, 21), "F.func1.1");
	CHECK_STR(at(f, 5, 22), "F.func1.1");       /* its closing brace */
	CHECK_STR(at(f, 5, 23), "F.func1");
	CHECK_STR(at(f, 6, 2), "F.func1");
	CHECK_STR(at(f, 6, 3), "F");
	CHECK_STR(at(f, 7, 4), "F.func2");
	CHECK_STR(at(f, 7, 12), "F.func2");
	CHECK_STR(at(f, 7, 13), "F");
	CHECK_STR(at(f, 7, 16), "F.func3");
	CHECK_STR(at(f, 7, 50), "F");
	go_file_free(f);
}

TEST(func_at_line_only)
{
	struct go_file *f = scan(nested_src);
	struct go_file *g = scan(
		"package p\n"
		"func A() {}; func B() { a(func() {}) }\n"
		"func C() {\n"
		"}; func D() {}\n"
		"func E() { a(func() {}, func() { b(func() {}) }) }\n");

	CHECK_STR(at(f, 1, 0), "(null)");
	CHECK_STR(at(f, 2, 0), "F");
	CHECK_STR(at(f, 3, 0), "F");
	CHECK_STR(at(f, 4, 0), "F.func1");
	CHECK_STR(at(f, 5, 0), "F.func1.1");
	CHECK_STR(at(f, 6, 0), "F.func1");
	CHECK_STR(at(f, 7, 0), "F.func2");          /* the first sibling */
	CHECK_STR(at(f, 8, 0), "F");
	CHECK_STR(at(f, 9, 0), "(null)");
	CHECK_STR(at(f, 100, 0), "(null)");
	CHECK_STR(at(f, 0, 0), "(null)");

	CHECK_STR(at(g, 2, 0), "A");
	CHECK_STR(at(g, 4, 0), "C");                /* C's end comes before D */
	CHECK_STR(at(g, 5, 0), "E.func1");
	go_file_free(f);
	go_file_free(g);
}

TEST(func_at_package_level)
{
	struct go_file *f = scan(nested_src);
	struct go_file *empty = scan("");

	CHECK_STR(at(f, 1, 1), "(null)");
	CHECK_STR(at(f, 9, 5), "(null)");
	CHECK_STR(at(f, 1000, 5), "(null)");
	CHECK(go_file_func_at(empty, 1, 1) == NULL);
	CHECK(go_file_func_at(empty, 1, 0) == NULL);
	CHECK(go_file_func_at(NULL, 1, 1) == NULL);
	go_file_free(f);
	go_file_free(empty);
}

/* Byte columns like the compiler: a tab is one, UTF-8 counts its bytes. */
TEST(byte_columns)
{
	struct go_file *f = scan(
		"\xef\xbb\xbfpackage p; func B() {}\n"
		"func A() {\n"
		"\ts := \"h\xc3\xa9llo\"; _ = func() {}\n"
		"}\n");

	/* the BOM is 3 bytes, "package p; " 11 */
	CHECK_EXTENT(find(f, "B"), 1, 15, 1, 25);
	/* "\ts := \"h" is 8 bytes, the e-acute 2, "llo\"; _ = " 10 */
	CHECK_EXTENT(find(f, "A.func1"), 3, 21, 3, 29);
	go_file_free(f);
}

TEST(line_text)
{
	struct go_file *f = scan("package p\r\n\r\nfunc A() {}\r\nlast");
	struct go_file *g = scan("one\n\ntwo\n");
	const char *s = NULL;
	size_t n = 0;

	CHECK_INT(f->nlines, 4);
	CHECK_INT(go_file_line(f, 1, &s, &n), 0);
	CHECK(n == 9 && !memcmp(s, "package p", 9));
	CHECK_INT(go_file_line(f, 2, &s, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(go_file_line(f, 3, &s, &n), 0);
	CHECK(n == 11 && !memcmp(s, "func A() {}", 11));
	CHECK_INT(go_file_line(f, 4, &s, &n), 0);
	CHECK(n == 4 && !memcmp(s, "last", 4));
	CHECK_INT(go_file_line(f, 5, &s, &n), -1);
	CHECK_INT(go_file_line(f, 0, &s, &n), -1);
	CHECK_EXTENT(find(f, "A"), 3, 1, 3, 11);

	CHECK_INT(g->nlines, 3);
	CHECK_INT(go_file_line(g, 2, &s, &n), 0);
	CHECK_INT(n, 0);
	CHECK_INT(go_file_line(g, 3, &s, &n), 0);
	CHECK(n == 3 && !memcmp(s, "two", 3));
	CHECK_INT(go_file_line(g, 4, &s, &n), -1);
	go_file_free(f);
	go_file_free(g);
}

/* Positions the Go 1.26 compiler reported for this source (-m=2 -l). */
TEST(matches_compiler)
{
	struct go_file *f = scan(
		"package gsx\n"                                            /* 1 */
		"\n"
		"type Point struct{ X, Y int }\n"
		"\n"
		"var Glob = func() *int { x := 1; return &x }\n"           /* 5 */
		"\n"
		"func init() {\n"
		"\tf := func() *int { y := 3; return &y }\n"
		"\tsink = f()\n"
		"}\n"                                                      /* 10 */
		"\n"
		"var sink *int\n"
		"\n"
		"func (p *Point) Ref() *int {\n"
		"\tf := func() *int {\n"                                   /* 15 */
		"\t\tg := func() *int { z := 1; return &z }\n"
		"\t\th := func() *int { z := 1; return &z }\n"
		"\t\t_ = h\n"
		"\t\treturn g()\n"
		"\t}\n"                                                    /* 20 */
		"\tk := func() *int { z := 1; return &z }\n"
		"\tsink = k()\n"
		"\treturn f()\n"
		"}\n");

	CHECK_STR(at(f, 5, 26), "init.func1");
	CHECK_STR(at(f, 8, 21), "init.0.func1");
	CHECK_STR(at(f, 16, 22), "(*Point).Ref.func1.1");
	CHECK_STR(at(f, 17, 22), "(*Point).Ref.func1.2");
	CHECK_STR(at(f, 21, 21), "(*Point).Ref.func2");
	CHECK_STR(at(f, 22, 2), "(*Point).Ref");
	go_file_free(f);
}

TEST(robustness)
{
	static const struct { const char *src; size_t len; } cases[] = {
#define C(s) { s, sizeof(s) - 1 }
		C(""),
		C("}"),
		C("}}}))]]"),
		C("(((([[[{{{"),
		C("func"),
		C("func ("),
		C("func (p"),
		C("func (p *T)"),
		C("func F"),
		C("func F["),
		C("func F("),
		C("func F()"),
		C("func F() {"),
		C("func F() { func() {"),
		C("func F() { _ = func"),
		C("func F() { _ = func("),
		C("func F() { x := 1 /* unterminated"),
		C("func F() { s := \"unterminated\n}\nfunc G() {}"),
		C("func F() { s := `unterminated raw { }"),
		C("func F() { r := '\n}"),
		C("func F() { s := \"\\"),
		C("func F() { r := '\\"),
		C("/"),
		C("/*"),
		C("//"),
		C("`"),
		C("\""),
		C("'"),
		C("\xef\xbb"),
		C("\xef\xbb\xbf"),
		C("func \xff\xfe() { \xc3 }"),
		C("func F() { a\0b := func() {\0} }\0}"),
		C("\0\0\0func\0F()\0{\0}"),
		C("func F() { ( } ) ] func() {} }"),
		C("func F() { [ ( ] ) } func G() {}"),
		C("func (}) F() {}"),
		C("func () F() {}"),
		C("func (*) F() {}"),
		C("func F() struct {"),
		C("func F() interface"),
		C("var x = []func"),
		C("var x = chan"),
		C("func F() { ... .5 1e+5 0x1p-3 <- ++ -- }"),
		C("\r\r\r\n\n\r"),
#undef C
	};
	size_t i;
	unsigned line, col;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct go_file *f = scan_n(cases[i].src, cases[i].len);
		const char *s = NULL;
		size_t n, k;

		if (!f) {
			FAIL_("case %zu: no file", i);
			continue;
		}
		CHECK(f->data[f->len] == '\0');
		for (k = 0; k < f->nfuncs; k++) {
			const struct go_func *fn = &f->funcs[k];

			if (fn->end_line < fn->start_line ||
			    (fn->end_line == fn->start_line && fn->end_col < fn->start_col))
				FAIL_("case %zu: %s ends before it starts", i, fn->name);
		}
		for (line = 0; line < 5; line++) {
			for (col = 0; col < 40; col++)
				(void)go_file_func_at(f, line, col);
			if (!go_file_line(f, line, &s, &n) && n > f->len)
				FAIL_("case %zu: line %u too long", i, line);
		}
		go_file_free(f);
	}
}

TEST(unclosed_body_runs_to_eof)
{
	struct strbuf sb = STRBUF_INIT;
	struct go_file *f = scan("package p\nfunc F() {\n\t_ = func() {\n\tx := 1\n");

	CHECK_STR(names(f, &sb), "F F.func1");
	CHECK_STR(at(f, 4, 2), "F.func1");
	CHECK_STR(at(f, 4, 0), "F.func1");
	go_file_free(f);
	strbuf_release(&sb);
}

TEST(many_functions_fast)
{
	struct strbuf src = STRBUF_INIT, want = STRBUF_INIT;
	struct go_file *f = NULL;
	clock_t t0 = clock();
	double secs;
	unsigned i, bad = 0;

	strbuf_addstr(&src, "package p\n");
	for (i = 0; i < 5000; i++)
		strbuf_addf(&src, "func F%u() {\n\t_ = func() { x := 1; _ = x }\n}\n", i);
	f = scan_n(src.buf, src.len);
	CHECK_INT(f ? f->nfuncs : 0, 10000);
	for (i = 0; f && i < 5000; i++) {
		const struct go_func *fn = NULL;

		strbuf_reset(&want);
		strbuf_addf(&want, "F%u.func1", i);
		fn = go_file_func_at(f, 3 + 3 * i, 15);
		bad += !fn || strcmp(fn->name, want.buf);
		fn = go_file_func_at(f, 3 + 3 * i, 0);
		bad += !fn || strcmp(fn->name, want.buf);
		/* the closing brace of F<i> */
		fn = go_file_func_at(f, 4 + 3 * i, 1);
		want.buf[want.len - 6] = '\0';
		bad += !fn || strcmp(fn->name, want.buf);
	}
	CHECK_INT(bad, 0);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	if (secs > 2.0)
		FAIL_("took %.2fs", secs);
	go_file_free(f);
	strbuf_release(&src);
	strbuf_release(&want);
}

static int write_file(const char *path, const char *data)
{
	FILE *fp = fopen(path, "w");
	int ret = -1;

	if (!fp)
		return -1;
	if (fputs(data, fp) >= 0)
		ret = 0;
	if (fclose(fp))
		ret = -1;
	return ret;
}

TEST(load_from_disk)
{
	char dir[] = "/tmp/escgate-gosrc-XXXXXX";
	struct strbuf path = STRBUF_INIT, missing = STRBUF_INIT, want = STRBUF_INIT;
	struct strbuf sb = STRBUF_INIT;
	struct go_file *f = NULL;
	struct err e = ERR_INIT;

	if (!mkdtemp(dir)) {
		FAIL_("mkdtemp");
		return;
	}
	strbuf_addf(&path, "%s/a.go", dir);
	strbuf_addf(&missing, "%s/missing.go", dir);
	CHECK_INT(write_file(path.buf, "package p\n\nfunc (p *T) M() { _ = func() {} }\n"), 0);

	CHECK_INT(go_file_load(&f, path.buf, &e), 0);
	CHECK_STR(names(f, &sb), "(*T).M (*T).M.func1");
	CHECK_INT(f ? f->nlines : 0, 3);
	CHECK_STR(at(f, 3, 22), "(*T).M");
	CHECK_STR(at(f, 3, 23), "(*T).M.func1");
	go_file_free(f);
	f = NULL;

	CHECK_INT(go_file_load(&f, missing.buf, &e), -1);
	CHECK(f == NULL);
	CHECK_INT(e.status, EXIT_ANALYSIS);
	strbuf_addf(&want, "cannot read '%s': No such file or directory", missing.buf);
	CHECK_STR(e.msg.buf, want.buf);
	err_release(&e);

	CHECK_INT(go_file_load(&f, dir, &e), -1);
	CHECK(f == NULL);
	strbuf_reset(&want);
	strbuf_addf(&want, "cannot read '%s': not a regular file", dir);
	CHECK_STR(e.msg.buf, want.buf);
	err_release(&e);

	unlink(path.buf);
	rmdir(dir);
	strbuf_release(&path);
	strbuf_release(&missing);
	strbuf_release(&want);
	strbuf_release(&sb);
}

TEST(symlink_refused)
{
	char dir[] = "/tmp/escgate-gosrc-XXXXXX";
	struct strbuf target = STRBUF_INIT, link = STRBUF_INIT, want = STRBUF_INIT;
	struct go_file *f = NULL;
	struct err e = ERR_INIT;

	if (!mkdtemp(dir)) {
		FAIL_("mkdtemp");
		return;
	}
	strbuf_addf(&target, "%s/real.go", dir);
	strbuf_addf(&link, "%s/link.go", dir);
	CHECK_INT(write_file(target.buf, "package p\nfunc F() {}\n"), 0);
	CHECK_INT(symlink(target.buf, link.buf), 0);

	CHECK_INT(go_file_load(&f, link.buf, &e), -1);
	CHECK(f == NULL);
	CHECK_INT(e.status, EXIT_ANALYSIS);
	strbuf_addf(&want, "cannot read '%s': is a symbolic link", link.buf);
	CHECK_STR(e.msg.buf, want.buf);
	err_release(&e);

	/* the target itself is fine */
	CHECK_INT(go_file_load(&f, target.buf, &e), 0);
	CHECK_INT(f ? f->nfuncs : 0, 1);
	go_file_free(f);
	err_release(&e);

	unlink(link.buf);
	unlink(target.buf);
	rmdir(dir);
	strbuf_release(&target);
	strbuf_release(&link);
	strbuf_release(&want);
}

TEST(escgate_directives)
{
	struct go_file *f = scan(
		"package p\n"
		"\n"
		"//escgate:allow kept for the cache\n"
		"func F() *int {\n"
		"\tx := 1 //escgate:allow trailing\r\n"
		"\ts := \"//escgate:allow in a string\"\n"
		"\t/* //escgate:allow in a block comment */\n"
		"\t// escgate:allow with a space is prose\n"
		"\t//escgate:allow\n"
		"\t_ = s\n"
		"\treturn &x\n"
		"}\n");

	CHECK(f != NULL);
	if (!f)
		return;
	CHECK_INT(f->ndirectives, 3);
	if (f->ndirectives != 3)
		goto out;
	CHECK_STR(f->directives[0].text, "allow kept for the cache");
	CHECK_INT(f->directives[0].line, 3);
	CHECK_INT(f->directives[0].col, 1);
	CHECK_INT(f->directives[0].own_line, 1);
	CHECK_STR(f->directives[1].text, "allow trailing");
	CHECK_INT(f->directives[1].line, 5);
	CHECK_INT(f->directives[1].col, 9);
	CHECK_INT(f->directives[1].own_line, 0);
	CHECK_STR(f->directives[2].text, "allow");
	CHECK_INT(f->directives[2].line, 9);
	CHECK_INT(f->directives[2].own_line, 1);
	CHECK_STR(at(f, 11, 9), "F");
out:
	go_file_free(f);
}

TEST(free_null)
{
	go_file_free(NULL);
	CHECK(1);
}

struct imports_seen {
	char buf[512];
};

static void note_import(const char *path, size_t len, void *arg)
{
	struct imports_seen *seen = arg;
	size_t n = strlen(seen->buf);

	snprintf(seen->buf + n, sizeof(seen->buf) - n, "%s%.*s", n ? " " : "", (int)len, path);
}

/* go_scan_imports: what scope.c builds the import graph from. */
static int imports_of(const char *src, struct imports_seen *seen)
{
	seen->buf[0] = 0;
	return go_scan_imports(src, strlen(src), note_import, seen);
}

TEST(imports)
{
	struct imports_seen seen;

	CHECK_INT(imports_of("// Package a.\n/* x */ package a\n\nimport \"fmt\"\n"
			     "import (\n\t\"os\" // comment\n\tio2 \"io\"\n\t. \"strings\"; _ \"embed\"\n"
			     "\t/* c */ `example.com/m/raw`\n)\nimport \"C\"\n\nfunc F() {}\n"
			     "import \"not/an/import\"\n", &seen), 7);
	CHECK_STR(seen.buf, "fmt os io strings embed example.com/m/raw C");
	CHECK_INT(imports_of("//go:build linux\n\npackage b\n\nvar x = 1\n", &seen), 0);
	CHECK_STR(seen.buf, "");
	/* the imports end at the first other declaration, even "importer" */
	CHECK_INT(imports_of("package c; import \"a\"; type importer int; import \"b\"", &seen), 1);
	CHECK_INT(imports_of("package d\nimport (\"a\"; \"b\")", &seen), 2);
	CHECK_STR(seen.buf, "a b");
	/* what is not Go, or breaks off, is an error: the caller then writes everything */
	CHECK_INT(imports_of("", &seen), -1);
	CHECK_INT(imports_of("packag e", &seen), -1);
	CHECK_INT(imports_of("package\n", &seen), -1);
	CHECK_INT(imports_of("package e\nimport (\n\"a\"\n", &seen), -1);
	CHECK_INT(imports_of("package e\nimport \"unterminated\n\"", &seen), -1);
	CHECK_INT(imports_of("package e\nimport x y\n", &seen), -1);
	CHECK_INT(imports_of("package e /* unterminated", &seen), 0);
}

/* go_package_name: how a whole build finds its commands before go list has ended. */
static const char *package_of(const char *src, char *buf, size_t size)
{
	const char *name;
	size_t n;

	if (go_package_name(src, strlen(src), &name, &n))
		return "(none)";
	snprintf(buf, size, "%.*s", (int)n, name);
	return buf;
}

TEST(package_clause)
{
	char buf[64];

	CHECK_STR(package_of("package main\n\nfunc main() {}\n", buf, sizeof(buf)), "main");
	CHECK_STR(package_of("// Copyright.\n\n//go:build ignore\n\n/* a\n   b */ package main\n",
			     buf, sizeof(buf)), "main");
	CHECK_STR(package_of("package mainly\n", buf, sizeof(buf)), "mainly");
	CHECK_STR(package_of("package main_test\n", buf, sizeof(buf)), "main_test");
	/* the compiler ignores a byte order mark before it, and so does a command's search */
	CHECK_STR(package_of("\xef\xbb\xbfpackage main\n", buf, sizeof(buf)), "main");
	CHECK_STR(package_of("\xef\xbb\xbf", buf, sizeof(buf)), "(none)");
	CHECK_STR(package_of("// package main\npackage lib\n", buf, sizeof(buf)), "lib");
	CHECK_STR(package_of("var s = \"package main\"\n", buf, sizeof(buf)), "(none)");
	CHECK_STR(package_of("package\n", buf, sizeof(buf)), "(none)");
	CHECK_STR(package_of("", buf, sizeof(buf)), "(none)");
}

int main(void)
{
	RUN(plain_functions);
	RUN(methods);
	RUN(generics);
	RUN(closures_numbered_in_order);
	RUN(nested_closures);
	RUN(package_level_closures);
	RUN(init_functions);
	RUN(comments_and_strings);
	RUN(raw_strings_spanning_lines);
	RUN(rune_literals);
	RUN(func_types_not_counted);
	RUN(composite_literal_of_func_type);
	RUN(literal_with_struct_or_interface_signature);
	RUN(semicolon_insertion);
	RUN(func_at_exact_columns);
	RUN(func_at_line_only);
	RUN(func_at_package_level);
	RUN(byte_columns);
	RUN(line_text);
	RUN(matches_compiler);
	RUN(robustness);
	RUN(unclosed_body_runs_to_eof);
	RUN(many_functions_fast);
	RUN(load_from_disk);
	RUN(symlink_refused);
	RUN(escgate_directives);
	RUN(free_null);
	RUN(imports);
	RUN(package_clause);
	TEST_EXIT();
}
