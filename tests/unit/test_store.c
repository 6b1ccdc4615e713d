/*
 * The store's recording path (staging, dropping copies, numbering, flows
 * left in the store until asked for) and the verdict spill file, on an
 * in-memory store: what keeps a 100,000-finding analysis out of memory
 * must give exactly what the in-memory rules gave.
 */
#define TEST_SUITE "store"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/tree.h"
#include "core/util.h"
#include "core/verdictlog.h"
#include "store/store.h"
#include "test.h"

static const struct analysis_meta meta = { "k", NULL, "c", "go1", "linux", "amd64", "" };

/* A finding at file:line:col with one flow step naming it. */
static void make(struct finding *f, const char *scope, const char *file, unsigned line,
		 unsigned col, const char *message, const char *step)
{
	memset(f, 0, sizeof(*f));
	f->kind = KIND_ESCAPE;
	f->package = xstrdup("example.com/p");
	f->pkgname = xstrdup("p");
	f->function = xstrdup(scope);
	f->scope = xstrdup(scope);
	f->file = xstrdup(file);
	f->line = line;
	f->col = col;
	f->message = xstrdup(message);
	f->verdict = xstrdup(message);
	f->source = xstrdup("");
	if (step)
		finding_flow_add(f, file, line, col, step);
}

/* Stages one finding (inlined copy? generic?) and releases it. */
static int stage(struct store *s, const char *scope, const char *file, unsigned line,
		 unsigned col, const char *message, const char *step, int inlined, int generic)
{
	struct finding f;
	struct err err = ERR_INIT;
	int ret;

	make(&f, scope, file, line, col, message, step);
	ret = store_stage_add(s, &f, inlined, generic, &err);
	finding_release(&f);
	err_release(&err);
	return ret;
}

static int commit_and_load(struct store *s, const char *key, int with_flows,
			   struct finding_list *out)
{
	struct analysis_meta m = meta;
	struct err err = ERR_INIT;
	long long id = 0;
	int ret;

	m.key = key;
	ret = store_stage_commit(s, &m, NULL, &id, &err) ||
	      store_load_findings(s, id, with_flows, out, &err);
	if (ret)
		printf("# %s\n", err.msg.buf);
	err_release(&err);
	return ret;
}

TEST(copies_dropped_as_attribution_says)
{
	struct store *s = NULL;
	struct err err = ERR_INIT;
	struct finding_list l = { 0 };

	CHECK(!store_open(&s, ":memory:", &err));
	CHECK(!store_stage_begin(s, &err));
	/* an inlined copy at the callee's own report: goes */
	CHECK(!stage(s, "F", "a.go", 3, 9, "&x escapes to heap", "own", 0, 0));
	CHECK(!stage(s, "F", "a.go", 3, 9, "&x escapes to heap", "copy", 1, 0));
	/* two identical verdicts at one spot of ordinary code: two allocations, both stay */
	CHECK(!stage(s, "G", "a.go", 7, 5, "s + t escapes to heap", NULL, 0, 0));
	CHECK(!stage(s, "G", "a.go", 7, 5, "s + t escapes to heap", NULL, 0, 0));
	/* generic instantiations of one verdict: one stays */
	CHECK(!stage(s, "H", "b.go", 2, 2, "v escapes to heap", NULL, 0, 1));
	CHECK(!stage(s, "H", "b.go", 2, 2, "v escapes to heap", NULL, 0, 1));
	/* an inlined copy with nothing of its own at the spot: stays */
	CHECK(!stage(s, "K", "c.go", 1, 1, "y escapes to heap", NULL, 1, 0));
	CHECK(!commit_and_load(s, "k1", 1, &l));
	CHECK_INT(l.nr, 5);
	if (l.nr == 5) {
		/* stored by identity (scope F < G < H < K), then position */
		CHECK_STR(l.items[0].scope, "F");
		CHECK_INT(l.items[0].nflow, 1);
		CHECK_STR(l.items[0].flow[0].text, "own");
		CHECK_STR(l.items[1].scope, "G");
		CHECK_INT(l.items[1].occurrence, 0);
		CHECK_STR(l.items[2].scope, "G");
		CHECK_INT(l.items[2].occurrence, 1);
		CHECK_STR(l.items[3].scope, "H");
		CHECK_STR(l.items[4].scope, "K");
	}
	finding_list_release(&l);
	store_close(s);
	err_release(&err);
}

TEST(occurrences_numbered_by_position_within_identity)
{
	struct store *s = NULL;
	struct err err = ERR_INIT;
	struct finding_list l = { 0 };

	CHECK(!store_open(&s, ":memory:", &err));
	CHECK(!store_stage_begin(s, &err));
	/* staged out of order: numbering follows file, line, column */
	CHECK(!stage(s, "F", "b.go", 1, 1, "x escapes to heap", NULL, 0, 0));
	CHECK(!stage(s, "F", "a.go", 9, 1, "x escapes to heap", NULL, 0, 0));
	CHECK(!stage(s, "F", "a.go", 2, 7, "x escapes to heap", NULL, 0, 0));
	CHECK(!stage(s, "F", "a.go", 2, 3, "x escapes to heap", NULL, 0, 0));
	CHECK(!commit_and_load(s, "k2", 1, &l));
	CHECK_INT(l.nr, 4);
	if (l.nr == 4) {
		CHECK_INT(l.items[0].line * 100 + l.items[0].col, 203);
		CHECK_INT(l.items[1].line * 100 + l.items[1].col, 207);
		CHECK_INT(l.items[2].line, 9);
		CHECK_STR(l.items[3].file, "b.go");
		CHECK_INT(l.items[3].occurrence, 3);
	}
	finding_list_release(&l);
	store_close(s);
	err_release(&err);
}

/* The staging tables start empty for every analysis a connection records. */
TEST(second_analysis_ranked_on_its_own)
{
	struct store *s = NULL;
	struct err err = ERR_INIT;
	struct finding_list a = { 0 }, b = { 0 };

	CHECK(!store_open(&s, ":memory:", &err));
	CHECK(!store_stage_begin(s, &err));
	CHECK(!stage(s, "F", "a.go", 1, 1, "x escapes to heap", "one", 0, 0));
	CHECK(!stage(s, "F", "a.go", 2, 1, "x escapes to heap", "two", 0, 0));
	CHECK(!commit_and_load(s, "first", 1, &a));
	CHECK(!store_stage_begin(s, &err));
	CHECK(!stage(s, "F", "a.go", 5, 1, "x escapes to heap", "five", 0, 0));
	CHECK(!commit_and_load(s, "second", 1, &b));
	CHECK_INT(a.nr, 2);
	CHECK_INT(b.nr, 1);
	if (b.nr == 1) {
		CHECK_INT(b.items[0].occurrence, 0);
		CHECK_INT(b.items[0].line, 5);
		CHECK_INT(b.items[0].nflow, 1);
		if (b.items[0].nflow == 1)
			CHECK_STR(b.items[0].flow[0].text, "five");
	}
	finding_list_release(&a);
	finding_list_release(&b);
	store_close(s);
	err_release(&err);
}

TEST(flows_stay_in_the_store_until_asked)
{
	struct store *s = NULL;
	struct err err = ERR_INIT;
	struct finding_list l = { 0 };
	const struct flow_step *steps;
	size_t n = 0;

	CHECK(!store_open(&s, ":memory:", &err));
	/* a first analysis, so that the second's finding ids do not start at 1 */
	CHECK(!store_stage_begin(s, &err));
	CHECK(!stage(s, "A", "a.go", 1, 1, "a escapes to heap", "first", 0, 0));
	CHECK(!commit_and_load(s, "k3", 0, &l));
	finding_list_release(&l);
	CHECK(!store_stage_begin(s, &err));
	CHECK(!stage(s, "B", "b.go", 1, 1, "b escapes to heap", "flow: b", 0, 0));
	CHECK(!stage(s, "C", "c.go", 1, 1, "c escapes to heap", "flow: c", 0, 0));
	CHECK(!commit_and_load(s, "k4", 0, &l));
	CHECK_INT(l.nr, 2);
	if (l.nr == 2) {
		CHECK_INT(l.items[0].nflow, 0);
		CHECK(l.items[0].flows != NULL);
		/* verdict and message share their text */
		CHECK(l.items[0].verdict == l.items[0].message);
		steps = finding_flow(&l.items[1], &n);
		CHECK_INT(n, 1);
		if (n == 1)
			CHECK_STR(steps[0].text, "flow: c");
		steps = finding_flow(&l.items[0], &n);
		CHECK_INT(n, 1);
		if (n == 1)
			CHECK_STR(steps[0].text, "flow: b");
	}
	finding_list_release(&l);
	store_close(s);
	err_release(&err);
}

TEST(same_key_twice_keeps_the_first)
{
	struct store *s = NULL;
	struct err err = ERR_INIT;
	struct finding_list l = { 0 };

	CHECK(!store_open(&s, ":memory:", &err));
	CHECK(!store_stage_begin(s, &err));
	CHECK(!stage(s, "A", "a.go", 1, 1, "a escapes to heap", NULL, 0, 0));
	CHECK(!commit_and_load(s, "same", 1, &l));
	finding_list_release(&l);
	/* a concurrent gate recorded it meanwhile: theirs is used, the staging is dropped */
	CHECK(!store_stage_begin(s, &err));
	CHECK(!stage(s, "B", "b.go", 1, 1, "b escapes to heap", NULL, 0, 0));
	CHECK(!commit_and_load(s, "same", 1, &l));
	CHECK_INT(l.nr, 1);
	if (l.nr == 1)
		CHECK_STR(l.items[0].scope, "A");
	finding_list_release(&l);
	/* an aborted staging leaves nothing behind for the next */
	CHECK(!store_stage_begin(s, &err));
	CHECK(!stage(s, "C", "c.go", 1, 1, "c escapes to heap", NULL, 0, 0));
	store_stage_abort(s);
	CHECK(!store_stage_begin(s, &err));
	CHECK(!commit_and_load(s, "empty", 1, &l));
	CHECK_INT(l.nr, 0);
	finding_list_release(&l);
	store_close(s);
	err_release(&err);
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
}

/* When path was last written, in ns (0 when it is not there). */
static long long written_at(const char *path)
{
	struct stat st;

	return stat(path, &st) ? 0 : (long long)st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec;
}

/*
 * A checkpoint started after a commit copies the WAL into the store file
 * while the connection stays open (through another connection, given or
 * its own); the last close leaves no WAL, and every analysis is there.
 */
TEST(checkpoint_through_another_connection)
{
	struct strbuf dir = STRBUF_INIT, db = STRBUF_INIT, wal = STRBUF_INIT;
	struct store *s = NULL, *other = NULL;
	struct finding_list l = { 0 };
	struct err err = ERR_INIT;
	long long before, id = 0;
	int round, waited;

	if (tmpdir_create(&dir, &err)) {
		FAIL_("%s", err.msg.buf);
		goto out;
	}
	strbuf_addf(&db, "%s/store.db", dir.buf);
	strbuf_addf(&wal, "%s-wal", db.buf);
	CHECK(!store_open(&s, db.buf, &err) && !store_ready(s, &err));
	for (round = 0; round < 2 && s; round++) {
		const char *key = round ? "second" : "first";

		CHECK(!store_stage_begin(s, &err));
		CHECK(!stage(s, "A", "a.go", 1, 1, "a escapes to heap", "flow: a", 0, 0));
		CHECK(!commit_and_load(s, key, 1, &l));
		finding_list_release(&l);
		before = written_at(db.buf);
		CHECK(file_size(wal.buf) > 0);
		other = NULL;
		if (round == 0)
			CHECK(!store_open(&other, db.buf, &err));
		/* round 0 through other, which it closes; round 1 through a connection of its own */
		store_checkpoint_start(s, other);
		for (waited = 0; written_at(db.buf) == before && waited < 5000; waited += 10)
			usleep(10 * 1000);
		CHECK(written_at(db.buf) != before);
	}
	store_close(s);
	s = NULL;
	CHECK(file_size(wal.buf) < 0);
	CHECK(!store_open(&s, db.buf, &err));
	CHECK(!store_find_analysis(s, "first", &id, &err) && id > 0);
	CHECK(!store_find_analysis(s, "second", &id, &err) && id > 0);
out:
	store_close(s);
	tmpdir_remove(dir.buf);
	strbuf_release(&dir);
	strbuf_release(&db);
	strbuf_release(&wal);
	err_release(&err);
}

TEST(verdict_log_round_trip)
{
	struct verdict_log log;
	struct err err = ERR_INIT;
	struct raw_verdict r = { 0 }, back;
	struct flow_step steps[2] = {
		{ "/t/a.go", 3, 4, "flow: x ← &y" },
		{ "/t/b.go", 0, 0, "from &y (address-of) at \"\x01\"" },
	};
	int i, n = 0;

	CHECK(!verdict_log_open(&log, NULL, &err));
	r.kind = KIND_LEAK;
	r.package = "example.com/p";
	r.file = "/t/a.go";
	r.line = 3;
	r.col = 255;
	r.message = "leaking param: p";
	r.subject = "p";
	r.flow = steps;
	r.nflow = 2;
	for (i = 0; i < 3; i++)
		verdict_log_append(&log, &r);
	CHECK(!verdict_log_finish(&log, &err));
	while (verdict_log_next(&log, &back, &err) > 0) {
		n++;
		CHECK_INT(back.kind, KIND_LEAK);
		CHECK_STR(back.package, "example.com/p");
		CHECK_INT(back.col, 255);
		CHECK_INT(back.nflow, 2);
		if (back.nflow == 2)
			CHECK_STR(back.flow[1].text, steps[1].text);
		raw_verdict_release(&back);
	}
	CHECK_INT(n, 3);
	CHECK(!err_is_set(&err));
	/* appending after reading starts again at the end, not over the start */
	verdict_log_append(&log, &r);
	CHECK(!verdict_log_finish(&log, &err));
	for (n = 0; verdict_log_next(&log, &back, &err) > 0; n++)
		raw_verdict_release(&back);
	CHECK_INT(n, 4);
	verdict_log_close(&log);
	/* a directory that cannot hold it is named */
	CHECK(verdict_log_open(&log, "/nonexistent/escgate", &err));
	CHECK(strstr(err.msg.buf, "/nonexistent/escgate") != NULL);
	err_release(&err);
}

TEST(truncated_verdict_log_is_an_error)
{
	struct verdict_log log;
	struct err err = ERR_INIT;
	struct raw_verdict r = { KIND_ESCAPE, "p", "/t/a.go", 1, 1, "x escapes to heap", "x",
				 NULL, 0 }, back;
	struct stat st;

	CHECK(!verdict_log_open(&log, NULL, &err));
	verdict_log_append(&log, &r);
	/* cut short underneath the stream, before it has read (and buffered) anything */
	CHECK(!verdict_log_finish(&log, &err));
	CHECK(!fstat(fileno(log.fp), &st));
	CHECK(!ftruncate(fileno(log.fp), st.st_size - 3));
	CHECK_INT(verdict_log_next(&log, &back, &err), -1);
	CHECK(strstr(err.msg.buf, "truncated") != NULL);
	verdict_log_close(&log);
	err_release(&err);
}

int main(void)
{
	RUN(copies_dropped_as_attribution_says);
	RUN(occurrences_numbered_by_position_within_identity);
	RUN(second_analysis_ranked_on_its_own);
	RUN(flows_stay_in_the_store_until_asked);
	RUN(same_key_twice_keeps_the_first);
	RUN(checkpoint_through_another_connection);
	RUN(verdict_log_round_trip);
	RUN(truncated_verdict_log_is_an_error);
	TEST_EXIT();
}
