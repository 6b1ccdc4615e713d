/* git's pre-push protocol: the lines the hook reads on standard input. */
#define TEST_SUITE "prepush"
#include "test.h"

#include "core/prepush.h"

#define A40 "1111111111111111111111111111111111111111"
#define B40 "2222222222222222222222222222222222222222"
#define Z40 "0000000000000000000000000000000000000000"
#define A64 "abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789"
#define Z64 "0000000000000000000000000000000000000000000000000000000000000000"
#define SHAPE "'<local ref> <local oid> <remote ref> <remote oid>'"

/* Parses text (a C string) into *l; returns prepush_parse's result. */
static int parse(const char *text, struct push_list *l, struct err *e)
{
	return prepush_parse(text, strlen(text), l, e);
}

TEST(normal_push)
{
	struct push_list l = PUSH_LIST_INIT;
	struct err e = ERR_INIT;

	CHECK_INT(parse("refs/heads/main " A40 " refs/heads/main " B40 "\n", &l, &e), 0);
	CHECK(!err_is_set(&e));
	CHECK_INT(l.nr, 1);
	if (l.nr == 1) {
		CHECK_STR(l.items[0].local_ref, "refs/heads/main");
		CHECK_STR(l.items[0].local_oid, A40);
		CHECK_STR(l.items[0].remote_ref, "refs/heads/main");
		CHECK_STR(l.items[0].remote_oid, B40);
		CHECK_INT(l.items[0].lineno, 1);
	}
	push_list_release(&l);
	err_release(&e);
}

TEST(new_branch_delete_and_sha256)
{
	struct push_list l = PUSH_LIST_INIT;
	struct err e = ERR_INIT;

	CHECK_INT(parse("refs/heads/topic " A40 " refs/heads/topic " Z40 "\n"
			"(delete) " Z40 " refs/heads/gone " B40 "\n"
			"refs/heads/s " A64 " refs/heads/s " Z64 "\n", &l, &e), 0);
	CHECK_INT(l.nr, 3);
	if (l.nr == 3) {
		CHECK_STR(l.items[0].remote_oid, Z40);
		CHECK_STR(l.items[1].local_ref, "(delete)");
		CHECK_STR(l.items[1].local_oid, Z40);
		CHECK_STR(l.items[1].remote_ref, "refs/heads/gone");
		CHECK_STR(l.items[2].local_oid, A64);
		CHECK_STR(l.items[2].remote_oid, Z64);
		CHECK_INT(l.items[2].lineno, 3);
	}
	push_list_release(&l);
	err_release(&e);
}

TEST(empty_lines_crlf_and_no_last_newline)
{
	struct push_list l = PUSH_LIST_INIT;
	struct err e = ERR_INIT;

	CHECK_INT(parse("", &l, &e), 0);
	CHECK_INT(l.nr, 0);
	CHECK_INT(parse("\n\r\n"
			"refs/heads/a " A40 " refs/heads/a " B40 "\r\n"
			"\n"
			"refs/heads/b " A40 " refs/heads/b " B40, &l, &e), 0);
	CHECK_INT(l.nr, 2);
	if (l.nr == 2) {
		CHECK_STR(l.items[0].remote_oid, B40);
		CHECK_INT(l.items[0].lineno, 3);
		CHECK_STR(l.items[1].local_ref, "refs/heads/b");
		CHECK_INT(l.items[1].lineno, 5);
	}
	CHECK(!err_is_set(&e));
	push_list_release(&l);
	err_release(&e);
}

TEST(runs_of_spaces_separate_fields)
{
	struct push_list l = PUSH_LIST_INIT;
	struct err e = ERR_INIT;

	CHECK_INT(parse("  refs/heads/a   " A40 " refs/heads/a " B40 "  \n", &l, &e), 0);
	CHECK_INT(l.nr, 1);
	if (l.nr == 1)
		CHECK_STR(l.items[0].local_ref, "refs/heads/a");
	push_list_release(&l);
	err_release(&e);
}

/* len bytes of text must be refused with this message; returns how many lines came before. */
static size_t refused_bytes(const char *text, size_t len, const char *want)
{
	struct push_list l = PUSH_LIST_INIT;
	struct err e = ERR_INIT;
	size_t nr;

	CHECK_INT(prepush_parse(text, len, &l, &e), -1);
	CHECK_INT(e.status, EXIT_USAGE);
	CHECK_STR(e.msg.buf, want);
	nr = l.nr;
	push_list_release(&l);
	CHECK_INT(l.nr, 0);
	err_release(&e);
	return nr;
}

static size_t refused(const char *text, const char *want)
{
	return refused_bytes(text, strlen(text), want);
}

TEST(malformed_lines)
{
	static const char nul[] = "refs/heads/a " A40 "\0 refs/heads/a " B40 "\n";

	refused("not a protocol line\n",
		"pre-push: line 1 of standard input is not " SHAPE ": 'not a protocol line'");
	refused("a " A40 " b\n",
		"pre-push: line 1 of standard input is not " SHAPE ": 'a " A40 " b'");
	/* a fifth field, an oid of the wrong length, upper case, not hex */
	refused("a " A40 " b " B40 " c",
		"pre-push: line 1 of standard input is not " SHAPE ": 'a " A40 " b " B40 " c'");
	refused("a " A40 " b 222",
		"pre-push: line 1 of standard input is not " SHAPE ": 'a " A40 " b 222'");
	refused("a ABCDEF0123456789ABCDEF0123456789ABCDEF01 b " B40,
		"pre-push: line 1 of standard input is not " SHAPE
		": 'a ABCDEF0123456789ABCDEF0123456789ABCDEF01 b " B40 "'");
	refused("a " A40 " b g222222222222222222222222222222222222222",
		"pre-push: line 1 of standard input is not " SHAPE
		": 'a " A40 " b g222222222222222222222222222222222222222'");
	/* tabs do not separate fields; control bytes are shown escaped; a NUL ends what is shown */
	refused("a\t" A40 "\tb\t" B40,
		"pre-push: line 1 of standard input is not " SHAPE ": 'a\\x09" A40 "\\x09b\\x09" B40 "'");
	refused("refs/heads/\033[2J " A40,
		"pre-push: line 1 of standard input is not " SHAPE ": 'refs/heads/\\x1b[2J " A40 "'");
	refused_bytes(nul, sizeof(nul) - 1,
		"pre-push: line 1 of standard input is not " SHAPE ": 'refs/heads/a " A40 "'");
}

TEST(malformed_line_keeps_the_lines_before_it)
{
	const char *text = "refs/heads/a " A40 " refs/heads/a " B40 "\n"
			   "\n"
			   "refs/heads/b " A40 " refs/heads/b " B40 "\r\n"
			   "garbage\r\n"
			   "refs/heads/c " A40 " refs/heads/c " B40 "\n";

	CHECK_INT(refused(text, "pre-push: line 4 of standard input is not " SHAPE ": 'garbage'"), 2);
}

TEST(long_line_is_shown_cut)
{
	char line[1001], want[400];

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	snprintf(want, sizeof(want),
		 "pre-push: line 1 of standard input is not " SHAPE ": '%.200s'", line);
	refused(line, want);
}

TEST(release_takes_null_and_twice)
{
	struct push_list l = PUSH_LIST_INIT;

	push_list_release(NULL);
	push_list_release(&l);
	push_list_release(&l);
	CHECK_INT(l.nr, 0);
}

int main(void)
{
	RUN(normal_push);
	RUN(new_branch_delete_and_sha256);
	RUN(empty_lines_crlf_and_no_last_newline);
	RUN(runs_of_spaces_separate_fields);
	RUN(malformed_lines);
	RUN(malformed_line_keeps_the_lines_before_it);
	RUN(long_line_is_shown_cut);
	RUN(release_takes_null_and_twice);
	TEST_EXIT();
}
