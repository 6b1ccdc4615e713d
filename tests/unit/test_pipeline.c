/*
 * Text + JSON + attribution on real compiler output recorded from Go 1.26.8
 * and Go 1.19.8 (tests/fixtures/, linux/amd64; see its README).
 */
#define TEST_SUITE "pipeline"
#include "test.h"
#include "fixture.h"

static const char *const versions[] = { "go1.26.8", "go1.19.8" };

/* How many findings match; NULL fields match anything. */
static size_t count(const struct finding_list *l, const char *file, unsigned line,
		    const char *function, const char *message)
{
	size_t i, n = 0;

	for (i = 0; i < l->nr; i++) {
		const struct finding *f = &l->items[i];

		if ((!file || !strcmp(f->file, file)) && (!line || f->line == line) &&
		    (!function || !strcmp(f->function, function)) &&
		    (!message || !strcmp(f->message, message)))
			n++;
	}
	return n;
}

static const struct finding *find(const struct finding_list *l, const char *file,
				  unsigned line, const char *message)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (!strcmp(l->items[i].file, file) && l->items[i].line == line &&
		    !strcmp(l->items[i].message, message))
			return &l->items[i];
	return NULL;
}

/* Both recorded builds, loaded once; each test checks each release. */
static struct finding_list recorded[2];

#define EACH_VERSION(l) \
	for (size_t v_ = 0; v_ < 2; v_++) \
		for (const struct finding_list *lp_ = &recorded[v_]; lp_; lp_ = NULL) \
			for (struct finding_list l = *lp_; lp_; lp_ = NULL)

TEST(moved_to_heap_with_flow)
{
	EACH_VERSION(l) {
		const struct finding *f = find(&l, "esc.go", 19, "moved to heap: p");

		CHECK(f != NULL);
		if (!f)
			continue;
		CHECK_STR(f->function, "NewPoint");
		CHECK_STR(f->package, "example.com/fx");
		CHECK_STR(f->source, "p := Point{X: x, Y: y}");
		CHECK_INT(f->col, 2);
		CHECK_INT(f->nflow, 3);
		/* both wordings come out in the newer form */
		CHECK_STR(f->flow[0].text, "flow: ~r0 \xe2\x86\x90 &p");
		CHECK_STR(f->flow[1].text, "from &p (address-of)");
		CHECK_STR(f->flow[1].file, "esc.go");
		CHECK_INT(f->flow[1].line, 20);
	}
}

TEST(leak_verdicts_all_three_forms)
{
	EACH_VERSION(l) {
		CHECK_INT(count(&l, "esc.go", 41, "LeakHeap", "leaking param: p"), 1);
		CHECK_INT(count(&l, "esc.go", 46, "LeakContent", "leaking param content: p"), 1);
		CHECK_INT(count(&l, "esc.go", 51, "Identity",
				"leaking param: p to result ~r0 level=0"), 1);
		CHECK(find(&l, "esc.go", 51, "leaking param: p to result ~r0 level=0")->nflow > 0);
		/* leaking to the heap through a heap location still has its why */
		CHECK(find(&l, "generic.go", 41, "leaking param: b")->nflow > 0);
	}
}

TEST(interface_parameter_blog_example)
{
	EACH_VERSION(l) {
		CHECK_INT(count(&l, "esc.go", 29, "WriteTo", "leaking param: w"), 1);
		CHECK_INT(count(&l, "esc.go", 30, "WriteTo", "([]byte)(s) escapes to heap"), 1);
		CHECK_INT(count(&l, NULL, 0, "WriteBuf", NULL), 0);
	}
}

TEST(methods_and_closures_named_like_the_compiler)
{
	EACH_VERSION(l) {
		CHECK_INT(count(&l, "esc.go", 62, "(*Counter).Ptr", NULL), 1);
		CHECK_INT(count(&l, "esc.go", 68, "Counter.Describe", "c.n escapes to heap"), 1);
		CHECK_INT(count(&l, "closure.go", 5, "MakeCounter", "moved to heap: n"), 1);
		/* a func literal is allocated by the function around it */
		CHECK_INT(count(&l, "closure.go", 6, "MakeCounter", "func literal escapes to heap"), 1);
		CHECK_INT(count(&l, "closure.go", 16, "Nested.func1", "func literal escapes to heap"), 1);
		CHECK_INT(count(&l, "closure.go", 24, "init.func1", NULL), 2);
	}
}

TEST(generic_instantiations_collapse)
{
	EACH_VERSION(l) {
		/* Box is instantiated with int and string: one finding */
		CHECK_INT(count(&l, "generic.go", 7, "Box", NULL), 1);
		CHECK_INT(count(&l, "generic.go", 0, "(*Stack).Push", NULL), v_ == 0 ? 1 : 0);
	}
}

TEST(inlined_copies_collapse_onto_the_callee)
{
	EACH_VERSION(l) {
		/* newPointInl, sub.New and sub.Wrap(sub.New) are inlined into callers */
		CHECK_INT(count(&l, "esc.go", 73, "newPointInl", "&Point{...} escapes to heap"), 1);
		CHECK_INT(count(&l, NULL, 0, "UsePoint", NULL), 0);
		CHECK_INT(count(&l, NULL, 0, "UseSub", NULL), 0);
		CHECK_INT(count(&l, NULL, 0, "UseWrap", NULL), 0);
		CHECK_INT(count(&l, "sub/sub.go", 9, "New", "&T{} escapes to heap"), 1);
		CHECK_STR(find(&l, "sub/sub.go", 9, "&T{} escapes to heap")->package,
			  "example.com/fx/sub");
	}
}

TEST(identical_verdicts_at_one_position_stay_two)
{
	EACH_VERSION(l) {
		CHECK_INT(count(&l, "esc.go", 93, "Concat", "\"x\" + s escapes to heap"), 2);
		CHECK_INT(count(&l, "esc.go", 98, "Strange",
				"\"<&> h\xc3\xa9llo \xe2\x9c\x93 \" + s escapes to heap"), 2);
		CHECK_INT(count(&l, "esc.go", 103, "Tricky", "\"a in b: \" + s escapes to heap"), 2);
	}
}

TEST(two_main_packages_both_reported)
{
	EACH_VERSION(l) {
		CHECK_INT(count(&l, "cmd/a/main.go", 8, "main", NULL), 1);
		CHECK_INT(count(&l, "cmd/b/main.go", 7, "main", "moved to heap: n"), 1);
		CHECK_STR(find(&l, "cmd/b/main.go", 7, "moved to heap: n")->package,
			  "example.com/fx/cmd/b");
	}
}

TEST(outside_positions_dropped)
{
	EACH_VERSION(l) {
		size_t i;

		for (i = 0; i < l.nr; i++) {
			CHECK(l.items[i].file[0] != '/' && l.items[i].file[0] != '$' &&
			      l.items[i].file[0] != '<');
			CHECK(strstr(l.items[i].file, "..") == NULL);
		}
	}
}

TEST(columns_past_254_have_none)
{
	EACH_VERSION(l) {
		CHECK_INT(count(&l, "long.go", 6, "LongCol", "s + \"a\" escapes to heap"), 2);
		CHECK_INT(find(&l, "long.go", 6, "s + \"a\" escapes to heap")->col, 0);
		CHECK_INT(find(&l, "long.go", 12, "s + \"c\" escapes to heap")->col, 0);
		CHECK_INT(find(&l, "long.go", 18, "s + \"d\" escapes to heap")->col, 254);
	}
}

TEST(both_releases_agree_on_stable_verdicts)
{
	struct finding_list a = { 0 }, b = { 0 };
	size_t i;

	CHECK_INT(fixture_findings("go1.26.8", &a), 0);
	CHECK_INT(fixture_findings("go1.19.8", &b), 0);
	/* every moved-to-heap and leak verdict is worded and placed alike */
	for (i = 0; i < a.nr; i++) {
		const struct finding *f = &a.items[i];

		if (strncmp(f->message, "moved to heap", 13) && f->kind != KIND_LEAK)
			continue;
		if (!find(&b, f->file, f->line, f->message))
			FAIL_("%s:%u %s missing in go1.19.8", f->file, f->line, f->message);
	}
	finding_list_release(&a);
	finding_list_release(&b);
}

int main(void)
{
	size_t i;

	for (i = 0; i < 2; i++) {
		if (fixture_findings(versions[i], &recorded[i])) {
			printf("FAIL: %s:load: cannot load tests/fixtures/%s\n", TEST_SUITE, versions[i]);
			return 1;
		}
	}
	RUN(moved_to_heap_with_flow);
	RUN(leak_verdicts_all_three_forms);
	RUN(interface_parameter_blog_example);
	RUN(methods_and_closures_named_like_the_compiler);
	RUN(generic_instantiations_collapse);
	RUN(inlined_copies_collapse_onto_the_callee);
	RUN(identical_verdicts_at_one_position_stay_two);
	RUN(two_main_packages_both_reported);
	RUN(outside_positions_dropped);
	RUN(columns_past_254_have_none);
	RUN(both_releases_agree_on_stable_verdicts);
	for (i = 0; i < 2; i++)
		finding_list_release(&recorded[i]);
	TEST_EXIT();
}
