/* The matcher: which head findings are new, which base findings fixed. */
#define TEST_SUITE "match"
#include "test.h"

#include <stdlib.h>

#include "core/match.h"
#include "core/util.h"

static void add(struct finding_list *l, const char *scope, const char *file, unsigned line,
		const char *message, const char *source)
{
	struct finding *f = finding_list_add(l);

	f->kind = KIND_ESCAPE;
	f->package = xstrdup("example.com/m");
	f->pkgname = xstrdup("m");
	f->function = xstrdup(scope);
	f->scope = xstrdup(scope);
	f->file = xstrdup(file);
	f->line = line;
	f->col = 2;
	f->message = xstrdup(message);
	f->verdict = finding_normalize_verdict(message);
	f->source = xstrdup(source);
}

static const struct match_entry *nth(const struct match_result *r, enum match_status s,
				     size_t n)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		if (r->items[i].status == s && !n--)
			return &r->items[i];
	return NULL;
}

TEST(identical_revisions_have_nothing_new)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;

	add(&b, "F", "a.go", 10, "moved to heap: x", "x := 1");
	add(&h, "F", "a.go", 10, "moved to heap: x", "x := 1");
	match_findings(&b, &h, &r);
	CHECK_INT(r.nnew, 0);
	CHECK_INT(r.nfixed, 0);
	CHECK_INT(r.nunchanged, 1);
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

TEST(line_shift_and_file_move_are_not_new)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;

	add(&b, "F", "a.go", 10, "moved to heap: x", "x := 1");
	add(&b, "G", "a.go", 30, "y escapes to heap", "fmt.Println(y)");
	/* lines added above; G moved to another file */
	add(&h, "F", "a.go", 17, "moved to heap: x", "x := 1");
	add(&h, "G", "b.go", 3, "y escapes to heap", "fmt.Println(y)");
	match_findings(&b, &h, &r);
	CHECK_INT(r.nnew, 0);
	CHECK_INT(r.nfixed, 0);
	CHECK_INT(r.nunchanged, 2);
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

TEST(second_identical_verdict_is_one_new_on_the_new_line)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;

	add(&b, "F", "a.go", 10, "a escapes to heap", "fmt.Println(a)");
	add(&h, "F", "a.go", 10, "a escapes to heap", "fmt.Println(a)");
	add(&h, "F", "a.go", 11, "a escapes to heap", "fmt.Println(a)");
	match_findings(&b, &h, &r);
	CHECK_INT(r.nnew, 1);
	CHECK_INT(r.nunchanged, 1);
	CHECK(nth(&r, MATCH_NEW, 0) && nth(&r, MATCH_NEW, 0)->f->line == 11);
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

TEST(new_line_found_by_its_source_text)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;

	/* a different call with the same verdict inserted above the old one */
	add(&b, "F", "a.go", 10, "a escapes to heap", "fmt.Println(a)");
	add(&h, "F", "a.go", 10, "a escapes to heap", "log.Print(a)");
	add(&h, "F", "a.go", 11, "a escapes to heap", "fmt.Println(a)");
	match_findings(&b, &h, &r);
	CHECK_INT(r.nnew, 1);
	CHECK(nth(&r, MATCH_NEW, 0) && nth(&r, MATCH_NEW, 0)->f->line == 10);
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

TEST(edited_line_with_same_verdict_is_unchanged)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;

	add(&b, "F", "a.go", 10, "a escapes to heap", "fmt.Println(a)");
	add(&h, "F", "a.go", 10, "a escapes to heap", "fmt.Println(a, \"!\")");
	match_findings(&b, &h, &r);
	CHECK_INT(r.nnew, 0);
	CHECK_INT(r.nfixed, 0);
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

TEST(new_and_fixed_in_different_functions)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;

	add(&b, "F", "a.go", 10, "moved to heap: x", "x := 1");
	add(&h, "G", "a.go", 20, "moved to heap: x", "x := 1");
	match_findings(&b, &h, &r);
	CHECK_INT(r.nnew, 1);
	CHECK_INT(r.nfixed, 1);
	CHECK(nth(&r, MATCH_FIXED, 0) && !strcmp(nth(&r, MATCH_FIXED, 0)->f->scope, "F"));
	CHECK(nth(&r, MATCH_NEW, 0) && !strcmp(nth(&r, MATCH_NEW, 0)->f->scope, "G"));
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

TEST(results_ordered_new_then_fixed_by_position)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;

	add(&b, "Old", "z.go", 5, "moved to heap: o", "o := 1");
	add(&h, "B", "b.go", 9, "moved to heap: b", "b := 1");
	add(&h, "A", "a.go", 3, "moved to heap: a", "a := 1");
	match_findings(&b, &h, &r);
	CHECK_INT(r.nr, 3);
	CHECK(r.items[0].status == MATCH_NEW && !strcmp(r.items[0].f->file, "a.go"));
	CHECK(r.items[1].status == MATCH_NEW && !strcmp(r.items[1].f->file, "b.go"));
	CHECK(r.items[2].status == MATCH_FIXED);
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

TEST(large_group_falls_back_to_counting)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;
	unsigned i;

	/* 3000 x 3001 cells is past the LCS budget: the count still decides */
	for (i = 0; i < 3000; i++)
		add(&b, "F", "a.go", i + 1, "a escapes to heap", "fmt.Println(a)");
	for (i = 0; i < 3001; i++)
		add(&h, "F", "a.go", i + 1, "a escapes to heap", "fmt.Println(a)");
	match_findings(&b, &h, &r);
	CHECK_INT(r.nnew, 1);
	CHECK_INT(r.nunchanged, 3000);
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

TEST(generic_shapes_normalize_to_one_verdict)
{
	char *a = finding_normalize_verdict("make([]go.shape.int, 0, len(xs)) escapes to heap");
	char *b = finding_normalize_verdict("make([]go.shape.string_0, 0, len(xs)) escapes to heap");
	char *c = finding_normalize_verdict("make(map[go.shape.int]go.shape.struct { X int }, 1) escapes to heap");
	char *d = finding_normalize_verdict("moved to heap: x");

	CHECK_STR(a, "make([]go.shape, 0, len(xs)) escapes to heap");
	CHECK_STR(b, a);
	CHECK_STR(c, "make(map[go.shape]go.shape, 1) escapes to heap");
	CHECK_STR(d, "moved to heap: x");
	free(a);
	free(b);
	free(c);
	free(d);
}

TEST(occurrences_number_within_identity)
{
	struct finding_list l = { 0 };

	add(&l, "F", "a.go", 11, "a escapes to heap", "x");
	add(&l, "G", "a.go", 30, "a escapes to heap", "x");
	add(&l, "F", "a.go", 10, "a escapes to heap", "x");
	finding_list_number(&l);
	CHECK(l.items[0].line == 10 && l.items[0].occurrence == 0);
	CHECK(l.items[1].line == 11 && l.items[1].occurrence == 1);
	CHECK(l.items[2].line == 30 && l.items[2].occurrence == 0);
	finding_list_release(&l);
}

TEST(suppressed_new_findings_are_listed_not_counted)
{
	struct finding_list b = { 0 }, h = { 0 };
	struct match_result r;

	add(&b, "F", "a.go", 10, "moved to heap: x", "x := 1");
	add(&h, "F", "a.go", 10, "moved to heap: x", "x := 1");
	add(&h, "G", "a.go", 20, "moved to heap: y", "y := 1");
	add(&h, "H", "a.go", 30, "moved to heap: z", "z := 1");
	h.items[1].suppressed = xstrdup("kept for the cache");
	/* an unchanged finding stays unchanged, with or without a reason */
	h.items[0].suppressed = xstrdup("old");
	match_findings(&b, &h, &r);
	CHECK_INT(r.nnew, 1);
	CHECK_INT(r.nunchanged, 1);
	CHECK_INT(r.nsuppressed, 1);
	CHECK(nth(&r, MATCH_SUPPRESSED, 0) && nth(&r, MATCH_SUPPRESSED, 0)->f->line == 20);
	CHECK(nth(&r, MATCH_NEW, 0) && nth(&r, MATCH_NEW, 0)->f->line == 30);
	CHECK_STR(match_status_name(MATCH_SUPPRESSED), "suppressed");
	/* new first, suppressed last */
	CHECK(r.items[r.nr - 1].status == MATCH_SUPPRESSED);
	match_result_release(&r);
	match_present(&h, &r);
	CHECK_INT(r.nr, 3);
	CHECK_INT(r.nsuppressed, 2);
	match_result_release(&r);
	finding_list_release(&b);
	finding_list_release(&h);
}

int main(void)
{
	RUN(identical_revisions_have_nothing_new);
	RUN(line_shift_and_file_move_are_not_new);
	RUN(second_identical_verdict_is_one_new_on_the_new_line);
	RUN(new_line_found_by_its_source_text);
	RUN(edited_line_with_same_verdict_is_unchanged);
	RUN(new_and_fixed_in_different_functions);
	RUN(results_ordered_new_then_fixed_by_position);
	RUN(large_group_falls_back_to_counting);
	RUN(generic_shapes_normalize_to_one_verdict);
	RUN(occurrences_number_within_identity);
	RUN(suppressed_new_findings_are_listed_not_counted);
	TEST_EXIT();
}
