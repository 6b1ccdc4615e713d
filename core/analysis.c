#include "analysis.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "affected.h"
#include "attribute.h"
#include "logjson.h"
#include "scope.h"
#include "strset.h"
#include "thread.h"
#include "tree.h"
#include "util.h"

void analysis_default_store(git_repository *repo, struct strbuf *out)
{
	const char *common = git_repository_commondir(repo);
	size_t n = strlen(common);

	strbuf_add(out, common, n);
	if (n && common[n - 1] != '/')
		strbuf_addch(out, '/');
	strbuf_addstr(out, "escgate/store.db");
}

/* Everything that decides the compiler's verdicts, hashed into the store's key. */
static void analysis_key(const struct gate *g, const char *content_id, struct strbuf *key,
			 struct strbuf *flags)
{
	struct strbuf text = STRBUF_INIT;
	git_oid oid;

	strbuf_addf(flags, "tags=%s %s", g->build.tags ? g->build.tags : "", g->tc.build_env);
	strbuf_addf(&text, "escgate analysis %d\ncontent %s\ngo %s\ntarget %s/%s\nflags %s\n",
		    ANALYZER_VERSION, content_id, g->tc.version, g->tc.goos, g->tc.goarch,
		    flags->buf);
	git_odb_hash(&oid, text.buf, text.len, GIT_OBJECT_BLOB);
	strbuf_addstr(key, git_oid_tostr_s(&oid));
	strbuf_release(&text);
}

/* Progress on stderr, unless --quiet. */
static void say(const struct gate *g, const char *label, const char *what, const char *doing)
{
	if (!g->quiet)
		fprintf(stderr, "escgate: %s: %s: %s\n", label, what, doing);
}

/* One revision on its way to an analysis. */
struct side {
	const struct revision *rev;
	const char *label;
	struct strbuf dir;          /* where the tree is written */
	int written;
	char root[PATH_MAX];        /* dir, resolved: the compiler reports resolved paths */
	struct strbuf content;      /* the tree id, or a digest of the working tree */
	struct strbuf key, flags;   /* the whole-tree analysis's key and build flags */
	struct strbuf what;         /* for messages */
	long long full_id;          /* its stored whole-tree analysis, or 0 */
	struct build_output list;   /* go list (and then go build) of the written tree */
	int listed;
	struct tree_files files;    /* what writing the tree created, for the other side to link */
	const struct scope_plan *scope;   /* write only these directories, or NULL for all */
};

static void side_release(struct side *s)
{
	tmpdir_remove(s->dir.buf);
	strbuf_release(&s->dir);
	strbuf_release(&s->content);
	strbuf_release(&s->key);
	strbuf_release(&s->flags);
	strbuf_release(&s->what);
	build_output_release(&s->list);
	tree_files_release(&s->files);
}

/* Names the revision's content and looks for a stored whole-tree analysis of it. */
static int side_prepare(struct gate *g, struct side *s, const struct revision *rev,
			const char *label, struct err *err)
{
	s->rev = rev;
	s->label = label;
	strbuf_addf(&s->dir, "%s/%s", g->tmpdir.buf, label);
	if (rev->worktree) {
		/* the working tree's identity is its content, so copy it first */
		if (mkdir(s->dir.buf, 0700))
			return err_set(err, EXIT_ANALYSIS, "cannot create '%s'", s->dir.buf);
		s->written = 1;
		if (tree_write_worktree(g->repo, s->dir.buf, &s->content, err))
			return -1;
		strbuf_addstr(&s->what, "the working tree");
	} else {
		strbuf_addstr(&s->content, git_oid_tostr_s(git_commit_tree_id(rev->commit)));
		strbuf_addf(&s->what, "%.12s", rev->hex);
	}
	analysis_key(g, s->content.buf, &s->key, &s->flags);
	return store_find_analysis(g->store, s->key.buf, &s->full_id, err);
}

/* Writes the tree of s, unless it is; files it shares with reuse's are linked. */
static int side_write(struct gate *g, struct side *s, const struct side *reuse, struct err *err)
{
	if (s->written)
		return 0;
	if (mkdir(s->dir.buf, 0700))
		return err_set(err, EXIT_ANALYSIS, "cannot create '%s'", s->dir.buf);
	s->written = 1;
	return tree_write_commit_scoped(g->repo, s->rev->commit, s->dir.buf, s->scope,
					reuse ? &reuse->files : NULL, &s->files, err);
}

/* Forgets a partial tree of s (written or listed): what comes next needs all of it. */
static void side_unscope(struct side *s)
{
	if (!s->scope)
		return;
	s->scope = NULL;
	if (s->written) {
		tmpdir_remove(s->dir.buf);
		s->written = 0;
	}
	if (s->listed) {
		build_output_release(&s->list);
		s->listed = 0;
	}
}

static int side_resolve(struct side *s, struct err *err)
{
	if (!realpath(s->dir.buf, s->root))
		return err_set(err, EXIT_ANALYSIS, "cannot resolve '%s'", s->dir.buf);
	return 0;
}

/* Runs go list on the written, resolved tree of s; gobuild_list_parse reads its output. */
static int side_list_run(struct gate *g, struct side *s, struct err *err)
{
	return gobuild_list_run(&g->tc, &g->build, s->root, s->label, &s->list, err);
}

struct list_job {
	struct gate *g;
	struct side *s;
	struct err err;
	int ret;
	pthread_t thread;
	int running;
	struct store *store;                /* what the stream below stages in */
	struct attribute_stream **stream;   /* made once the listing is read (side_compile) */
};

static void *list_thread(void *arg)
{
	struct list_job *job = arg;

	job->ret = side_list_run(job->g, job->s, &job->err);
	return NULL;
}

/*
 * Writes and lists a and b (when not NULL and not listed yet). b's tree is
 * written while a's go list runs, linking the files it shares with a's, and
 * then both go lists run at once. Only this thread uses the repository and
 * parses JSON: the other just runs go. Errors are a's first, as a
 * sequential run would report them.
 */
static int sides_list(struct gate *g, struct side *a, struct side *b, struct err *err)
{
	struct list_job job = { g, a, ERR_INIT, 0, 0, 0, NULL, NULL };
	struct err berr = ERR_INIT;
	pthread_t thread;
	int threaded = 0, bret = 0, ret = -1;

	if (a->listed)
		a = NULL;
	if (b && b->listed)
		b = NULL;
	if (a && (side_write(g, a, NULL, err) || side_resolve(a, err)))
		goto out;
	if (a && b && !thread_start(&thread, list_thread, &job))
		threaded = 1;
	else if (a)
		job.ret = side_list_run(g, a, &job.err);
	if (b && (threaded || !job.ret))
		bret = side_write(g, b, a, &berr) || side_resolve(b, &berr) ||
		       side_list_run(g, b, &berr);
	if (threaded)
		pthread_join(thread, NULL);
	if (job.ret) {
		ret = err_move(err, &job.err);
		goto out;
	}
	if (bret) {
		ret = err_move(err, &berr);
		goto out;
	}
	if (a) {
		gobuild_list_parse(&a->list);
		a->listed = 1;
	}
	if (b) {
		gobuild_list_parse(&b->list);
		b->listed = 1;
	}
	ret = 0;
out:
	/* written: nothing links to them any more */
	if (a)
		tree_files_release(&a->files);
	if (b)
		tree_files_release(&b->files);
	err_release(&job.err);
	err_release(&berr);
	return ret;
}

/*
 * A compile of one side's listed tree and its recording under key, with
 * these flags, through store (a connection of its own when it runs in a
 * thread of its own); several may run at once.
 */
struct compile_job {
	struct gate *g;
	struct side *s;
	const struct strset *only;
	struct store *store;
	const char *key, *flags;
	long long *id;
	int last_use;   /* nothing reads the tree after this build: removed during the commit */
	struct strbuf json_dir;
	struct err err;
	int ret;
};

static void *remove_thread(void *path)
{
	tmpdir_remove(path);
	return NULL;
}

/*
 * The listing of a tree whose whole build started while go list ran
 * (build_output.await_listing): parsed, and the attribution of the
 * build's verdicts made from it.
 */
static int await_listing(void *data, struct err *err)
{
	struct list_job *job = data;
	struct side *s = job->s;

	s->list.await_listing = NULL;
	if (job->running) {
		pthread_join(job->thread, NULL);
		job->running = 0;
	}
	if (job->ret)
		return err_move(err, &job->err);
	gobuild_list_parse(&s->list);
	s->listed = 1;
	*job->stream = attribute_stream_new(&s->list, s->root, job->store);
	s->list.sink.data = *job->stream;
	return 0;
}

/*
 * Compiles the tree of job->s (only the packages in *only, when given)
 * and records what it printed under key. Verdicts are attributed and
 * staged in the store as the compiler prints them (attribute.h), so that
 * when the build ends only the store's commit is left to do. A tree not
 * listed yet is built whole while go list runs beside the build: on one
 * side alone, its cores would otherwise idle through the listing.
 */
static int side_compile(struct compile_job *job)
{
	struct gate *g = job->g;
	struct store *store = job->store;
	struct err *err = &job->err;
	struct side *s = job->s;
	struct attribute_stream *st = NULL;
	struct list_job list = { g, s, ERR_INIT, 0, 0, 0, store, &st };
	struct allow_list allows = { 0 };
	struct analysis_meta meta;
	pthread_t remover;
	int ret = -1, removing = 0;

	/*
	 * A new -json directory for every build: the path is part of the flags,
	 * so the compiler really runs (a cached compile writes no JSON).
	 */
	strbuf_addf(&job->json_dir, "%s-json-XXXXXX", s->dir.buf);
	if (!mkdtemp(job->json_dir.buf))
		return err_set(err, EXIT_ANALYSIS, "cannot create '%s': %s", job->json_dir.buf,
			       strerror(errno));
	if (store_stage_begin(store, err))
		return -1;
	s->list.sink.fn = attribute_stream_verdict;
	if (s->listed) {
		st = attribute_stream_new(&s->list, s->root, store);
		s->list.sink.data = st;
	} else {
		s->list.await_listing = await_listing;
		s->list.await_data = &list;
		if (!thread_start(&list.thread, list_thread, &list))
			list.running = 1;
		else
			list_thread(&list);
	}
	ret = gobuild_build(&g->tc, &g->build, s->root, job->json_dir.buf, s->label, job->only,
			    &s->list, err);
	if (s->list.await_listing) {
		/* the build ended before it read the listing: a failed listing explains it */
		struct err lerr = ERR_INIT;

		if (await_listing(&list, &lerr)) {
			err_release(err);
			err_move(err, &lerr);
			ret = -1;
		}
	}
	memset(&s->list.sink, 0, sizeof(s->list.sink));
	if (ret || attribute_stream_finish(st, &allows, err)) {
		ret = -1;
		store_stage_abort(store);
		goto out;
	}
	/* the sources are read: the tree can go while the store commits */
	if (job->last_use && !thread_start(&remover, remove_thread, s->dir.buf))
		removing = 1;
	meta.key = job->key;
	meta.commit = s->rev->worktree ? NULL : s->rev->hex;
	meta.content_id = s->content.buf;
	meta.go_version = g->tc.version;
	meta.goos = g->tc.goos;
	meta.goarch = g->tc.goarch;
	meta.build_flags = job->flags;
	ret = store_stage_commit(store, &meta, &allows, job->id, err);
	if (removing) {
		pthread_join(remover, NULL);
		s->written = 0;
	}
out:
	attribute_stream_free(st);
	allow_list_release(&allows);
	err_release(&list.err);
	return ret;
}

static void *compile_thread(void *arg)
{
	struct compile_job *job = arg;

	job->ret = side_compile(job);
	/* thousands of JSON logs: removed while the other side may still compile */
	tmpdir_remove(job->json_dir.buf);
	strbuf_setlen(&job->json_dir, 0);
	return NULL;
}

static void job_release(struct compile_job *job)
{
	tmpdir_remove(job->json_dir.buf);
	strbuf_release(&job->json_dir);
	err_release(&job->err);
}

/* A build request for one side: record the result under key, with these flags. */
struct build_request {
	struct side *s;
	const char *key, *flags;
	long long *id;
	int last_use;   /* the tree is not needed after this build */
};

/*
 * A second connection to the store, for the second side's build: opening
 * one takes 1-2 ms (the schema, the prepared statements), so it is opened
 * on a thread while the trees are written and listed.
 */
struct opener {
	const char *path;
	struct store *store;
	struct err err;
	pthread_t thread;
	int running;
};

static void *open_thread(void *arg)
{
	struct opener *o = arg;

	if (store_open(&o->store, o->path, &o->err))
		o->store = NULL;
	return NULL;
}

static void opener_start(struct opener *o, struct gate *g)
{
	if (o->path)
		return;
	o->path = store_path(g->store);
	strbuf_init(&o->err.msg, 0);
	strbuf_init(&o->err.detail, 0);
	o->running = !thread_start(&o->thread, open_thread, o);
}

/* The connection, opened now if it was not started; NULL if it cannot be had. */
static struct store *opener_take(struct opener *o, struct gate *g)
{
	struct store *store;

	opener_start(o, g);
	if (o->running)
		pthread_join(o->thread, NULL);
	else if (!o->store && !err_is_set(&o->err))
		open_thread(o);
	o->running = 0;
	store = o->store;
	o->store = NULL;
	return store;
}

static void opener_release(struct opener *o)
{
	if (o->running)
		pthread_join(o->thread, NULL);
	o->running = 0;
	store_close(o->store);
	o->store = NULL;
	err_release(&o->err);
}

/*
 * Compiles one or two sides and records them. Two run at once: on two
 * cores a go build -m=2 leaves them idle much of the time, and measured on
 * a 200-package module two concurrent builds took half the time of two in
 * a row. Each side is parsed and recorded in its own thread, the second
 * through a store connection of its own (SQLite serializes their commits),
 * so that the side which finishes first is recorded while the other
 * still compiles.
 */
static int sides_build(struct gate *g, struct build_request *req, size_t n,
		       const struct strset *only, struct opener *second, struct err *err)
{
	struct compile_job jobs[2];
	struct opener own = { 0 };
	struct store *second_store = NULL;
	pthread_t thread;
	int threaded = 0, ret = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		memset(&jobs[i], 0, sizeof(jobs[i]));
		jobs[i].g = g;
		jobs[i].s = req[i].s;
		jobs[i].only = only;
		jobs[i].store = g->store;
		jobs[i].key = req[i].key;
		jobs[i].flags = req[i].flags;
		jobs[i].id = req[i].id;
		jobs[i].last_use = req[i].last_use;
		strbuf_init(&jobs[i].json_dir, 0);
		strbuf_init(&jobs[i].err.msg, 0);
		strbuf_init(&jobs[i].err.detail, 0);
	}
	for (i = 0; i < n; i++) {
		struct side *s = req[i].s;

		if (s->listed && s->list.built) {
			/* compiled before (a partial build): start from a fresh listing */
			build_output_release(&s->list);
			s->listed = 0;
		}
	}
	if (!second)
		second = &own;
	if (n == 2)
		opener_start(second, g);
	/*
	 * A partial build needs the listing first: it names the packages to
	 * build. A whole build of one side starts at once, with go list beside
	 * it (side_compile); two sides keep both cores busy by themselves, and
	 * measured, four go commands at once were slower than both listings
	 * first and then both builds.
	 */
	if ((only || n == 2) && sides_list(g, req[0].s, n == 2 ? req[1].s : NULL, err))
		goto out;
	if (!only && n == 1) {
		struct side *s = req[0].s;
		int bad = side_write(g, s, NULL, err) || side_resolve(s, err);

		tree_files_release(&s->files);   /* no other tree links to it */
		if (bad)
			goto out;
	}
	for (i = 0; i < n; i++)
		say(g, req[i].s->label, req[i].s->what.buf,
		    only ? "building the affected packages with escape analysis" :
			   "building with escape analysis");
	if (n == 2) {
		second_store = opener_take(second, g);
		if (store_ready(g->store, err))
			goto out;
		/* without a second connection (or thread) the two run one after the other */
		if (second_store) {
			jobs[1].store = second_store;
			if (!thread_start(&thread, compile_thread, &jobs[1]))
				threaded = 1;
			else
				jobs[1].store = g->store;
		}
	}
	compile_thread(&jobs[0]);
	if (threaded)
		pthread_join(thread, NULL);
	else if (n == 2)
		compile_thread(&jobs[1]);
	for (i = 0; i < n; i++) {
		if (jobs[i].ret) {
			/* the first side's error, as a sequential run would have reported */
			err_move(err, &jobs[i].err);
			goto out;
		}
	}
	/* what is recorded is copied into the store file while the comparison reads */
	store_checkpoint_start(g->store, second_store);
	second_store = NULL;
	ret = 0;
out:
	for (i = 0; i < n; i++)
		job_release(&jobs[i]);
	store_close(second_store);
	opener_release(&own);
	return ret;
}

static int side_build(struct gate *g, struct side *s, const struct strset *only, const char *key,
		      const char *flags, long long *id, struct err *err)
{
	/* a whole analysis is the last thing done with a tree; a partial one may be redone whole */
	struct build_request req = { s, key, flags, id, !only };

	return sides_build(g, &req, 1, only, NULL, err);
}

/* The stored whole-tree analysis of s, made now if there is none. */
static int side_full(struct gate *g, struct side *s, struct err *err)
{
	if (s->full_id) {
		say(g, s->label, s->what.buf, "reusing the stored analysis");
		return 0;
	}
	return side_build(g, s, NULL, s->key.buf, s->flags.buf, &s->full_id, err);
}

int analysis_get(struct gate *g, const struct revision *rev, const char *label,
		 long long *id, struct err *err)
{
	struct side s = { 0 };
	int ret = -1;

	strbuf_init(&s.dir, 0);
	if (side_prepare(g, &s, rev, label, err) || side_full(g, &s, err))
		goto out;
	*id = s.full_id;
	ret = 0;
out:
	side_release(&s);
	return ret;
}

/* Splits a revision's findings into those of the compared packages and the rest. */
static void split_findings(struct finding_list *all, const struct strset *only,
			   struct finding_list *in, struct finding_list *rest)
{
	size_t i;

	for (i = 0; i < all->nr; i++)
		*finding_list_add(strset_has(only, all->items[i].package) ? in : rest) =
			all->items[i];
	/* allow comments go with their package: only compiled ones can have been used */
	for (i = 0; i < all->allows.nr; i++) {
		const struct allow_comment *a = &all->allows.items[i];

		allow_list_add(strset_has(only, a->package) ? &in->allows : &rest->allows, a->package,
			       a->file, a->line, a->reason, a->used);
	}
	allow_list_release(&all->allows);
	free(all->items);
	memset(all, 0, sizeof(*all));
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The identities (with occurrence left out) of a list, sorted. */
static char **sorted_identities(const struct finding_list *l)
{
	char **ids = xcalloc(l->nr + 1, sizeof(*ids));
	size_t i;

	for (i = 0; i < l->nr; i++) {
		struct strbuf sb = STRBUF_INIT;

		finding_identity(&l->items[i], &sb);
		ids[i] = strbuf_detach(&sb, NULL);
	}
	if (l->nr)
		qsort(ids, l->nr, sizeof(*ids), cmp_str);
	return ids;
}

/* Whether multiset a is within multiset b (equal when same_size). */
static int identities_within(const struct finding_list *a, const struct finding_list *b,
			     int same_size)
{
	char **x = sorted_identities(a), **y = sorted_identities(b);
	size_t i = 0, j = 0;
	int ok = 1;

	if (same_size && a->nr != b->nr)
		ok = 0;
	while (ok && i < a->nr) {
		int c = j < b->nr ? strcmp(x[i], y[j]) : -1;

		if (c < 0)
			ok = 0;
		else if (c > 0)
			j++;
		else
			i++, j++;
	}
	for (i = 0; i < a->nr; i++)
		free(x[i]);
	for (j = 0; j < b->nr; j++)
		free(y[j]);
	free(x);
	free(y);
	return ok;
}

/* Loads analysis id of one side and splits it into the compared packages and the rest. */
static int load_split(struct gate *g, long long id, const struct strset *only,
		      struct finding_list *in, struct finding_list *rest, struct err *err)
{
	struct finding_list all = { 0 };

	if (store_load_findings(g->store, id, 0, &all, err)) {
		finding_list_release(&all);
		return -1;
	}
	split_findings(&all, only, in, rest);
	return 0;
}

static int compare_whole(struct gate *g, struct side *b, struct side *h, struct opener *second,
			 struct comparison *out, struct err *err)
{
	side_unscope(b);
	side_unscope(h);
	if (!b->full_id && !h->full_id && strcmp(b->key.buf, h->key.buf)) {
		struct build_request req[2] = {
			{ b, b->key.buf, b->flags.buf, &b->full_id, 1 },
			{ h, h->key.buf, h->flags.buf, &h->full_id, 1 },
		};

		if (sides_build(g, req, 2, NULL, second, err))
			return -1;
	} else {
		if (side_full(g, b, err))
			return -1;
		if (!strcmp(b->key.buf, h->key.buf))
			h->full_id = b->full_id;   /* the same content: one build serves both */
		if (side_full(g, h, err))
			return -1;
	}
	if (store_load_findings(g->store, b->full_id, 0, &out->base, err) ||
	    store_load_findings(g->store, h->full_id, 0, &out->head, err))
		return -1;
	return 0;
}

int analysis_compare(struct gate *g, const struct revision *base, const struct revision *head,
		     int full, struct comparison *out, struct err *err)
{
	struct side b = { 0 }, h = { 0 };
	struct strset affected = { 0 };
	struct strbuf whole = STRBUF_INIT, scope = STRBUF_INIT, msg = STRBUF_INIT;
	struct strbuf scope_key[2] = { STRBUF_INIT, STRBUF_INIT };
	struct strbuf scope_flags[2] = { STRBUF_INIT, STRBUF_INIT };
	struct build_request req[2];
	long long ids[2] = { 0, 0 };
	size_t nreq = 0;
	struct finding_list base_rest = { 0 }, head_rest = { 0 };
	struct scope_plan plan = { 0 };
	struct opener second = { 0 };
	size_t i;
	int ret = -1, exact, planned;
	git_oid oid;

	memset(out, 0, sizeof(*out));
	strbuf_init(&b.dir, 0);
	strbuf_init(&h.dir, 0);
	if (side_prepare(g, &b, base, "base", err) || side_prepare(g, &h, head, "head", err))
		goto out;
	/* identical content compares whole: exact counts for the price of one build */
	if (full || (b.full_id && h.full_id) || !strcmp(b.key.buf, h.key.buf)) {
		ret = compare_whole(g, &b, &h, &second, out, err);
		goto out;
	}
	/* only what the change can reach is written, when that can be told from git alone */
	planned = scope_job_finish(g->planned, base, head, &plan, &whole, err);
	g->planned = NULL;
	if (planned < 0 || (planned > 0 && scope_plan(g->repo, base, head, &plan, &whole, err)))
		goto out;
	strbuf_reset(&whole);
	if (!plan.whole) {
		b.scope = h.scope = &plan;
		strbuf_addf(&msg, "%zu of %zu package directories", plan.nwritten, plan.npackages);
		say(g, "scope", "writing what the change can reach", msg.buf);
		strbuf_reset(&msg);
	}
	/* neither side is stored: both are likely to be built */
	if (!b.full_id && !h.full_id)
		opener_start(&second, g);
	if (sides_list(g, &b, &h, err) ||
	    affected_packages(g->repo, base, head, &b.list, b.root, &h.list, h.root, &affected,
			      &whole, err))
		goto out;
	if (whole.len) {
		strbuf_addf(&msg, "whole modules: %s", whole.buf);
		say(g, "scope", msg.buf, "compiling everything");
		ret = compare_whole(g, &b, &h, &second, out, err);
		goto out;
	}
	out->packages_compared = affected.nr;
	out->packages_total = h.scope ? plan.npackages : h.list.npackages;
	strbuf_addf(&msg, "%zu of %zu packages", affected.nr, out->packages_total);
	say(g, "scope", "affected packages only", msg.buf);

	/* a partial analysis is stored under the whole key plus its package set */
	strbuf_addstr(&scope, "\npackages");
	for (i = 0; i < affected.nr; i++)
		strbuf_addf(&scope, " %s", affected.items[i]);
	for (i = 0; i < 2; i++) {
		struct side *s = i ? &h : &b;
		struct strbuf text = STRBUF_INIT;

		strbuf_addf(&text, "%s%s", s->key.buf, scope.buf);
		git_odb_hash(&oid, text.buf, text.len, GIT_OBJECT_BLOB);
		strbuf_addstr(&scope_key[i], git_oid_tostr_s(&oid));
		strbuf_addf(&scope_flags[i], "%s packages=%zu", s->flags.buf, affected.nr);
		strbuf_release(&text);
		ids[i] = s->full_id;
		if (ids[i]) {
			say(g, s->label, s->what.buf, "reusing the stored analysis");
			continue;
		}
		if (store_find_analysis(g->store, scope_key[i].buf, &ids[i], err))
			goto out;
		if (ids[i]) {
			say(g, s->label, s->what.buf, "reusing the stored analysis of the affected packages");
			continue;
		}
		req[nreq].s = s;
		req[nreq].key = scope_key[i].buf;
		req[nreq].flags = scope_flags[i].buf;
		req[nreq].id = &ids[i];
		req[nreq].last_use = 0;   /* a whole comparison may follow */
		nreq++;
	}
	if (nreq && sides_build(g, req, nreq, &affected, &second, err))
		goto out;
	if (load_split(g, ids[0], &affected, &out->base, &base_rest, err) ||
	    load_split(g, ids[1], &affected, &out->head, &head_rest, err))
		goto out;
	/*
	 * Outside the affected packages, findings can only come from generic or
	 * inlined code that an affected package compiled. If those differ, or a
	 * whole base cannot vouch for them, only a whole comparison is exact.
	 */
	if (b.full_id)
		exact = !h.full_id && identities_within(&head_rest, &base_rest, 0);
	else
		exact = !h.full_id && identities_within(&head_rest, &base_rest, 1);
	if (!exact) {
		say(g, "scope", "whole modules",
		    "the change reaches code outside the affected packages");
		finding_list_release(&out->base);
		finding_list_release(&out->head);
		out->packages_compared = 0;
		ret = compare_whole(g, &b, &h, &second, out, err);
		goto out;
	}
	if (b.full_id)
		out->unchanged_elsewhere = base_rest.nr;
	ret = 0;
out:
	finding_list_release(&base_rest);
	finding_list_release(&head_rest);
	strset_release(&affected);
	strbuf_release(&whole);
	strbuf_release(&scope);
	for (i = 0; i < 2; i++) {
		strbuf_release(&scope_key[i]);
		strbuf_release(&scope_flags[i]);
	}
	strbuf_release(&msg);
	side_release(&b);
	side_release(&h);
	scope_plan_release(&plan);
	opener_release(&second);
	return ret;
}

void comparison_release(struct comparison *c)
{
	if (!c)
		return;
	finding_list_release(&c->base);
	finding_list_release(&c->head);
	memset(c, 0, sizeof(*c));
}
