#include "store.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/strset.h"
#include "core/thread.h"
#include "core/util.h"
#include "schema.h"

/* A concurrent gate (another CI job on a shared cache, a hook) may hold the write lock. */
#define BUSY_TIMEOUT_MS 30000

enum stmt_id {
	STMT_FIND,
	STMT_INSERT_ANALYSIS,
	STMT_INSERT_FINDING,
	STMT_INSERT_FLOW,
	STMT_LOAD_FINDINGS,
	STMT_LOAD_FLOWS,
	STMT_INSERT_ALLOW,
	STMT_LOAD_ALLOWS,
	STMT_BEGIN,
	STMT_COMMIT,
	STMT_ROLLBACK,
	STMT_STAGE_CANDIDATE,
	STMT_STAGE_FLOW,
	STMT_STAGE_DROP_COPIES,
	STMT_STAGE_ORDER,
	STMT_STAGE_RANK,
	STMT_LAST_FINDING,
	STMT_STAGE_MOVE_FINDINGS,
	STMT_STAGE_MOVE_FLOWS,
	STMT_LOAD_FLOW,
	STMT_COUNT
};

static const char *const stmt_sql[STMT_COUNT] = {
	[STMT_FIND] = "SELECT id FROM analysis WHERE key = ?1",
	[STMT_INSERT_ANALYSIS] =
		"INSERT INTO analysis (key, commit_id, content_id, go_version, goos, goarch,"
		" build_flags) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (key) DO NOTHING",
	[STMT_INSERT_FINDING] =
		"INSERT INTO finding (analysis_id, kind, package, pkgname, function, scope, verdict,"
		" occurrence, file, line, col, message, source, suppressed)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[STMT_INSERT_FLOW] =
		"INSERT INTO flow_step (finding_id, seq, file, line, col, text)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_LOAD_FINDINGS] =
		"SELECT id, kind, package, pkgname, function, scope, verdict, occurrence, file, line,"
		" col, message, source, suppressed FROM finding WHERE analysis_id = ?1 ORDER BY id",
	[STMT_LOAD_FLOWS] =
		"SELECT s.finding_id, s.file, s.line, s.col, s.text FROM flow_step s"
		" JOIN finding f ON f.id = s.finding_id WHERE f.analysis_id = ?1"
		" ORDER BY s.finding_id, s.seq",
	[STMT_INSERT_ALLOW] =
		"INSERT OR IGNORE INTO allow_comment (analysis_id, package, file, line, reason, used)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	[STMT_LOAD_ALLOWS] =
		"SELECT package, file, line, reason, used FROM allow_comment WHERE analysis_id = ?1"
		" ORDER BY file, line",
	[STMT_BEGIN] = "BEGIN IMMEDIATE",
	[STMT_COMMIT] = "COMMIT",
	[STMT_ROLLBACK] = "ROLLBACK",
	[STMT_STAGE_CANDIDATE] =
		"INSERT INTO candidate (kind, package, pkgname, function, scope, verdict, file, line,"
		" col, message, source, suppressed, inlined, generic)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
	[STMT_STAGE_FLOW] =
		"INSERT INTO candidate_flow (candidate_id, seq, file, line, col, text)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
	/*
	 * attribute.h's rule, ordered as it states it: at one spot the own report
	 * comes first; a copy made by inlining after it goes, and so does an
	 * instantiation of generic code repeating the verdict before it. Only
	 * spots holding such a copy can lose a row: the others are not sorted.
	 */
	[STMT_STAGE_DROP_COPIES] =
		"DELETE FROM candidate WHERE id IN ("
		" SELECT id FROM ("
		"  SELECT id, inlined, generic, verdict, row_number() OVER spot AS nth,"
		"   lag(verdict) OVER spot AS previous FROM candidate"
		"  WHERE (file, line, col, kind) IN"
		"   (SELECT file, line, col, kind FROM candidate WHERE inlined OR generic)"
		"  WINDOW spot AS (PARTITION BY file, line, col, kind"
		"   ORDER BY inlined, verdict, message, id))"
		" WHERE nth > 1 AND (inlined OR (generic AND previous = verdict)))",
	/* the order findings are stored in: identity, then position (stage_number) */
	[STMT_STAGE_ORDER] =
		"SELECT id, package, scope, kind, verdict FROM candidate"
		" ORDER BY package, scope, kind, verdict, file, line, col, message, id",
	[STMT_STAGE_RANK] =
		"INSERT INTO ranked (rank, candidate_id, occurrence) VALUES (?1, ?2, ?3)",
	[STMT_LAST_FINDING] = "SELECT coalesce(max(id), 0) FROM finding",
	/* ranked is read in rank order and the rest looked up: nothing is sorted */
	[STMT_STAGE_MOVE_FINDINGS] =
		"INSERT INTO finding (id, analysis_id, kind, package, pkgname, function, scope,"
		" verdict, occurrence, file, line, col, message, source, suppressed)"
		" SELECT ?1 + r.rank, ?2, c.kind, c.package, c.pkgname, c.function, c.scope,"
		" c.verdict, r.occurrence, c.file, c.line, c.col, c.message, c.source, c.suppressed"
		" FROM ranked r JOIN candidate c ON c.id = r.candidate_id ORDER BY r.rank",
	[STMT_STAGE_MOVE_FLOWS] =
		"INSERT INTO flow_step (finding_id, seq, file, line, col, text)"
		" SELECT ?1 + r.rank, f.seq, f.file, f.line, f.col, f.text"
		" FROM ranked r JOIN candidate_flow f ON f.candidate_id = r.candidate_id"
		" ORDER BY r.rank, f.seq",
	[STMT_LOAD_FLOW] =
		"SELECT file, line, col, text FROM flow_step WHERE finding_id = ?1 ORDER BY seq",
};

/*
 * Where an analysis waits while attribution produces it: per connection,
 * never in the store file, so staging takes no lock on it.
 */
static const char stage_tables[] =
	"CREATE TEMP TABLE candidate ("
	"  id INTEGER PRIMARY KEY,"
	"  kind TEXT NOT NULL, package TEXT NOT NULL, pkgname TEXT NOT NULL,"
	"  function TEXT NOT NULL, scope TEXT NOT NULL, verdict TEXT NOT NULL,"
	"  file TEXT NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL,"
	"  message TEXT NOT NULL, source TEXT NOT NULL, suppressed TEXT,"
	"  inlined INTEGER NOT NULL, generic INTEGER NOT NULL"
	");"
	"CREATE TEMP TABLE candidate_flow ("
	"  candidate_id INTEGER NOT NULL, seq INTEGER NOT NULL,"
	"  file TEXT NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL, text TEXT NOT NULL,"
	"  PRIMARY KEY (candidate_id, seq)"
	") WITHOUT ROWID;"
	"CREATE TEMP TABLE ranked ("
	"  rank INTEGER PRIMARY KEY, candidate_id INTEGER NOT NULL, occurrence INTEGER NOT NULL"
	");";

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[STMT_COUNT];
	struct flow_loader flows;   /* for findings loaded without their flows */
	struct strmap texts;        /* the loaded findings' texts, each once (load_strings) */
	pthread_t checkpointer;     /* store_checkpoint_start's */
	int checkpointing;
	pthread_t creator;          /* connects to a new store file: store_open */
	int creating;               /* the creator runs: store_ready waits for it */
	int broken;                 /* it failed: every use reports created's error */
	struct err created;         /* the creator's error */
};

/* What to do about a failing store, from SQLite's error code. */
static const char *store_hint(int code)
{
	switch (code & 0xff) {
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return " (the store is damaged or not escgate's: remove it or pass another --store)";
	case SQLITE_CANTOPEN:
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_IOERR:
	case SQLITE_FULL:
		return " (the file and its directory must be writable: fix that or pass another --store)";
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return " (another process holds it: try again)";
	default:
		return "";
	}
}

static int db_error(struct store *s, struct err *err, const char *what)
{
	return err_set(err, EXIT_ANALYSIS, "store '%s': %s: %s%s", s->path, what,
		       sqlite3_errmsg(s->db), store_hint(sqlite3_extended_errcode(s->db)));
}

static int newer_schema(struct store *s, int version, struct err *err)
{
	return err_set(err, EXIT_ANALYSIS,
		       "store '%s' has schema %d, newer than this escgate's %d: upgrade escgate or pass another --store",
		       s->path, version, store_schema_version);
}

/* Runs a prepared statement that returns no rows, and resets it. */
static int step_done(struct store *s, enum stmt_id id, struct err *err, const char *what)
{
	sqlite3_stmt *st = s->stmt[id];
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE)
		return db_error(s, err, what);
	return 0;
}

/*
 * The busy handler does not cover every lock: a connection opening while
 * another gate checkpoints the WAL or closes the store can be told
 * "locked" at once. Whether to try rc's statement again after a pause,
 * for as long as the busy timeout would have waited in all.
 */
static int wait_if_busy(int rc, int *waited)
{
	if (((rc & 0xff) != SQLITE_BUSY && (rc & 0xff) != SQLITE_LOCKED) ||
	    *waited >= BUSY_TIMEOUT_MS)
		return 0;
	sqlite3_sleep(20);
	*waited += 20;
	return 1;
}

static int exec_sql(struct store *s, const char *sql, struct err *err, const char *what)
{
	int rc, waited = 0;

	while ((rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL)) != SQLITE_OK &&
	       wait_if_busy(rc, &waited))
		;
	if (rc != SQLITE_OK)
		return db_error(s, err, what);
	return 0;
}

static int user_version(struct store *s, int *version, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc = SQLITE_ERROR, waited = 0, ret = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) == SQLITE_OK) {
		while ((rc = sqlite3_step(st)) != SQLITE_ROW && wait_if_busy(rc, &waited))
			sqlite3_reset(st);
	}
	if (rc != SQLITE_ROW) {
		db_error(s, err, "cannot read it");
		goto out;
	}
	*version = sqlite3_column_int(st, 0);
	ret = 0;
out:
	sqlite3_finalize(st);
	return ret;
}

/* Brings the schema up to date; an older store is migrated in place. */
static int migrate(struct store *s, struct err *err)
{
	struct strbuf sql = STRBUF_INIT;
	int version, ret = -1;

	if (user_version(s, &version, err))
		return -1;
	if (version == store_schema_version)
		return 0;
	if (exec_sql(s, "BEGIN IMMEDIATE", err, "cannot start the migration"))
		return -1;
	/* read again under the lock: another process may have migrated meanwhile */
	if (user_version(s, &version, err))
		goto out;
	if (version > store_schema_version) {
		newer_schema(s, version, err);
		goto out;
	}
	for (; version < store_schema_version; version++) {
		if (exec_sql(s, store_migrations[version], err, "cannot migrate the schema"))
			goto out;
	}
	strbuf_addf(&sql, "PRAGMA user_version = %d", store_schema_version);
	if (exec_sql(s, sql.buf, err, "cannot migrate the schema") ||
	    exec_sql(s, "COMMIT", err, "cannot commit the migration"))
		goto out;
	ret = 0;
out:
	if (ret)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	strbuf_release(&sql);
	return ret;
}

static int make_parent_dir(const char *path, struct err *err)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int ret = 0;

	if (slash && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) && errno != EEXIST)
			ret = err_set(err, EXIT_ANALYSIS,
				      "cannot create the directory of store '%s': %s (pass another --store)",
				      path, strerror(errno));
	}
	free(dir);
	return ret;
}

static void flow_steps_clear(struct flow_loader *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		free(l->steps[i].file);
		free(l->steps[i].text);
	}
	l->nr = 0;
}

static char *column_dup(sqlite3_stmt *st, int i);

/* The flow_loader of findings loaded without their flows: one finding's steps at a time. */
static int load_flow(struct flow_loader *l, long long finding_id)
{
	struct store *s = l->data;
	sqlite3_stmt *st = s->stmt[STMT_LOAD_FLOW];
	int rc;

	flow_steps_clear(l);
	sqlite3_bind_int64(st, 1, finding_id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct flow_step *f;

		ALLOC_GROW(l->steps, l->nr + 1, l->alloc);
		f = &l->steps[l->nr++];
		f->file = column_dup(st, 0);
		f->line = (unsigned)sqlite3_column_int(st, 1);
		f->col = (unsigned)sqlite3_column_int(st, 2);
		f->text = column_dup(st, 3);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		flow_steps_clear(l);
		return db_error(s, &l->err, "cannot load a flow");
	}
	return 0;
}

/* Connects s to its file: opens, creates and migrates it, prepares the statements. */
static int store_connect(struct store *s, struct err *err)
{
	int i, version;

	if (sqlite3_open_v2(s->path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK)
		return err_set(err, EXIT_ANALYSIS,
			       "cannot open store '%s': %s (its directory must exist and be writable: fix that or pass another --store)",
			       s->path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	if (user_version(s, &version, err))
		return -1;
	/* refuse a newer store before anything (its journal mode) is written to it */
	if (version > store_schema_version)
		return newer_schema(s, version, err);
	if (exec_sql(s, "PRAGMA synchronous = NORMAL", err, "cannot set synchronous") ||
	    exec_sql(s, "PRAGMA journal_mode = WAL", err, "cannot enable WAL") ||
	    exec_sql(s, "PRAGMA foreign_keys = ON", err, "cannot enable foreign keys"))
		return -1;
	if (migrate(s, err) ||
	    exec_sql(s, stage_tables, err, "cannot create its staging tables"))
		return -1;
	for (i = 0; i < STMT_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &s->stmt[i], NULL) != SQLITE_OK)
			return db_error(s, err, "cannot prepare a statement");
	}
	return 0;
}

static void *create_thread(void *arg)
{
	struct store *s = arg;

	store_connect(s, &s->created);
	return NULL;
}

int store_ready(struct store *s, struct err *err)
{
	if (s->creating) {
		pthread_join(s->creator, NULL);
		s->creating = 0;
		s->broken = err_is_set(&s->created);
	}
	if (s->broken)
		return err_set(err, s->created.status, "%s", s->created.msg.buf);
	return 0;
}

/*
 * Whether the store at path is to be made, in a directory we can write
 * to: then creating it (SQLite syncs the new file, its journal and its
 * directory eight times, 5-12 ms) can run beside the first steps of a
 * run, since nothing can be found in it before this run records something.
 */
static int is_new_store(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	struct stat st;
	int creatable;

	if (slash)
		*slash = '\0';
	creatable = strcmp(path, ":memory:") && lstat(path, &st) && errno == ENOENT &&
		    !access(slash ? (*dir ? dir : "/") : ".", W_OK | X_OK);
	free(dir);
	return creatable;
}

int store_open(struct store **out, const char *path, struct err *err)
{
	struct store *s = xcalloc(1, sizeof(*s));

	s->path = xstrdup(path);
	s->flows.load = load_flow;
	s->flows.data = s;
	strbuf_init(&s->flows.err.msg, 0);
	strbuf_init(&s->flows.err.detail, 0);
	strbuf_init(&s->created.msg, 0);
	strbuf_init(&s->created.detail, 0);
	if (make_parent_dir(path, err))
		goto fail;
	if (is_new_store(path) && !thread_start(&s->creator, create_thread, s))
		s->creating = 1;
	else if (store_connect(s, err))
		goto fail;
	*out = s;
	return 0;
fail:
	store_close(s);
	return -1;
}

const char *store_path(const struct store *s)
{
	return s->path;
}

struct checkpoint_job {
	const char *path;   /* the store's: a connection of its own is opened */
	struct store *via;  /* or this one's is used, and closed */
};

/* A passive checkpoint through another connection: see store_checkpoint_start. */
static void *checkpoint_thread(void *arg)
{
	struct checkpoint_job *job = arg;
	sqlite3 *db = NULL;

	/* a failure is left to the last connection's own checkpoint, at its close */
	if (job->via) {
		sqlite3_wal_checkpoint_v2(job->via->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL,
					  NULL);
		store_close(job->via);
	} else {
		/* the pragma reads the schema first: a new connection does not know of the WAL before */
		if (sqlite3_open_v2(job->path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
			sqlite3_exec(db, "PRAGMA wal_checkpoint(PASSIVE)", NULL, NULL, NULL);
		sqlite3_close(db);
	}
	free(job);
	return NULL;
}

static void checkpoint_wait(struct store *s)
{
	if (s->checkpointing)
		pthread_join(s->checkpointer, NULL);
	s->checkpointing = 0;
}

void store_checkpoint_start(struct store *s, struct store *via)
{
	struct err ignored = ERR_INIT;
	struct checkpoint_job *job = NULL;
	const char *file;

	if (!s || store_ready(s, &ignored))
		goto out;
	checkpoint_wait(s);
	file = sqlite3_db_filename(s->db, "main");
	if (!file || !*file)
		goto out;   /* an in-memory store */
	job = xcalloc(1, sizeof(*job));
	job->path = file;
	job->via = via && !via->creating && !via->broken ? via : NULL;
	if (!thread_start(&s->checkpointer, checkpoint_thread, job)) {
		s->checkpointing = 1;
		if (job->via)
			via = NULL;   /* the thread closes it */
		job = NULL;
	}
out:
	free(job);
	store_close(via);
	err_release(&ignored);
}

void store_close(struct store *s)
{
	int i;

	if (!s)
		return;
	if (s->creating)
		pthread_join(s->creator, NULL);
	err_release(&s->created);
	checkpoint_wait(s);
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	flow_steps_clear(&s->flows);
	free(s->flows.steps);
	err_release(&s->flows.err);
	sqlite3_close(s->db);
	strmap_release(&s->texts, NULL);
	free(s->path);
	free(s);
}

int store_find_analysis(struct store *s, const char *key, long long *id, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (s->creating) {
		*id = 0;   /* nothing to find before this run records something */
		return 0;
	}
	if (store_ready(s, err))
		return -1;
	st = s->stmt[STMT_FIND];

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return db_error(s, err, "cannot look up an analysis");
	return 0;
}

static void bind_str(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void stage_clear(struct store *s)
{
	sqlite3_exec(s->db, "DELETE FROM candidate; DELETE FROM candidate_flow; DELETE FROM ranked",
		     NULL, NULL, NULL);
}

int store_stage_begin(struct store *s, struct err *err)
{
	if (store_ready(s, err))
		return -1;
	stage_clear(s);
	/* a transaction of the temporary tables only: cheap, and no lock on the store */
	return exec_sql(s, "BEGIN", err, "cannot start staging an analysis");
}

void store_stage_abort(struct store *s)
{
	if (!s || s->creating || s->broken)
		return;   /* nothing was staged */
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	stage_clear(s);
}

int store_stage_add(struct store *s, const struct finding *f, int inlined, int generic,
		    struct err *err)
{
	sqlite3_stmt *st = s->stmt[STMT_STAGE_CANDIDATE];
	long long cid;
	size_t i;

	bind_str(st, 1, finding_kind_name(f->kind));
	bind_str(st, 2, f->package);
	bind_str(st, 3, f->pkgname);
	bind_str(st, 4, f->function);
	bind_str(st, 5, f->scope);
	bind_str(st, 6, f->verdict);
	bind_str(st, 7, f->file);
	sqlite3_bind_int(st, 8, (int)f->line);
	sqlite3_bind_int(st, 9, (int)f->col);
	bind_str(st, 10, f->message);
	bind_str(st, 11, f->source);
	bind_str(st, 12, f->suppressed);
	sqlite3_bind_int(st, 13, !!inlined);
	sqlite3_bind_int(st, 14, !!generic);
	if (step_done(s, STMT_STAGE_CANDIDATE, err, "cannot stage a finding"))
		return -1;
	cid = sqlite3_last_insert_rowid(s->db);
	for (i = 0; i < f->nflow; i++) {
		st = s->stmt[STMT_STAGE_FLOW];
		sqlite3_bind_int64(st, 1, cid);
		sqlite3_bind_int(st, 2, (int)i);
		bind_str(st, 3, f->flow[i].file);
		sqlite3_bind_int(st, 4, (int)f->flow[i].line);
		sqlite3_bind_int(st, 5, (int)f->flow[i].col);
		bind_str(st, 6, f->flow[i].text);
		if (step_done(s, STMT_STAGE_FLOW, err, "cannot stage a flow step"))
			return -1;
	}
	return 0;
}

/*
 * Ranks the staged findings in the order they are stored in: the rank gives
 * their ids, so that flows move with one statement, and the occurrence
 * counts the findings of the same identity before them. One sorted scan:
 * SQLite's window functions took three times as long (an ephemeral table
 * per partition).
 */
static int stage_number(struct store *s, struct err *err)
{
	sqlite3_stmt *order = s->stmt[STMT_STAGE_ORDER], *rank = s->stmt[STMT_STAGE_RANK];
	struct strbuf identity = STRBUF_INIT, previous = STRBUF_INIT;
	long long n = 0, occurrence = 0;
	int rc, col, ret = -1;

	while ((rc = sqlite3_step(order)) == SQLITE_ROW) {
		/* package, scope, kind, verdict, each preceded by its length */
		strbuf_reset(&identity);
		for (col = 1; col <= 4; col++) {
			/* text before bytes, as SQLite asks: the length is then the text's */
			const unsigned char *text = sqlite3_column_text(order, col);
			int len = sqlite3_column_bytes(order, col);

			strbuf_addf(&identity, "%d:", len);
			if (len)
				strbuf_add(&identity, text, (size_t)len);
		}
		if (n && identity.len == previous.len && !memcmp(identity.buf, previous.buf, identity.len))
			occurrence++;
		else
			occurrence = 0;
		strbuf_reset(&previous);
		strbuf_addbuf(&previous, &identity);
		sqlite3_bind_int64(rank, 1, ++n);
		sqlite3_bind_int64(rank, 2, sqlite3_column_int64(order, 0));
		sqlite3_bind_int64(rank, 3, occurrence);
		if (step_done(s, STMT_STAGE_RANK, err, "cannot number staged findings"))
			goto out;
	}
	if (rc != SQLITE_DONE) {
		db_error(s, err, "cannot number staged findings");
		goto out;
	}
	ret = 0;
out:
	sqlite3_reset(order);
	strbuf_release(&identity);
	strbuf_release(&previous);
	return ret;
}

int store_stage_commit(struct store *s, const struct analysis_meta *m,
		       const struct allow_list *allows, long long *id, struct err *err)
{
	sqlite3_stmt *st = NULL;
	long long last = 0;
	size_t i;
	int rc;

	if (step_done(s, STMT_STAGE_DROP_COPIES, err, "cannot deduplicate staged findings") ||
	    stage_number(s, err) ||
	    exec_sql(s, "COMMIT", err, "cannot stage an analysis"))
		goto fail;
	if (step_done(s, STMT_BEGIN, err, "cannot start a transaction"))
		goto fail;
	st = s->stmt[STMT_INSERT_ANALYSIS];
	bind_str(st, 1, m->key);
	bind_str(st, 2, m->commit);
	bind_str(st, 3, m->content_id);
	bind_str(st, 4, m->go_version);
	bind_str(st, 5, m->goos);
	bind_str(st, 6, m->goarch);
	bind_str(st, 7, m->build_flags);
	if (step_done(s, STMT_INSERT_ANALYSIS, err, "cannot record an analysis"))
		goto fail;
	if (!sqlite3_changes(s->db)) {
		/* recorded by a concurrent gate while we were compiling: theirs is as good */
		store_stage_abort(s);
		return store_find_analysis(s, m->key, id, err);
	}
	*id = sqlite3_last_insert_rowid(s->db);
	/* under the write lock: nobody else adds findings until we commit */
	st = s->stmt[STMT_LAST_FINDING];
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		last = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc != SQLITE_ROW) {
		db_error(s, err, "cannot record findings");
		goto fail;
	}
	st = s->stmt[STMT_STAGE_MOVE_FINDINGS];
	sqlite3_bind_int64(st, 1, last);
	sqlite3_bind_int64(st, 2, *id);
	if (step_done(s, STMT_STAGE_MOVE_FINDINGS, err, "cannot record findings"))
		goto fail;
	sqlite3_bind_int64(s->stmt[STMT_STAGE_MOVE_FLOWS], 1, last);
	if (step_done(s, STMT_STAGE_MOVE_FLOWS, err, "cannot record flow steps"))
		goto fail;
	for (i = 0; allows && i < allows->nr; i++) {
		const struct allow_comment *a = &allows->items[i];

		st = s->stmt[STMT_INSERT_ALLOW];
		sqlite3_bind_int64(st, 1, *id);
		bind_str(st, 2, a->package);
		bind_str(st, 3, a->file);
		sqlite3_bind_int(st, 4, (int)a->line);
		bind_str(st, 5, a->reason);
		sqlite3_bind_int(st, 6, a->used);
		if (step_done(s, STMT_INSERT_ALLOW, err, "cannot record an allow comment"))
			goto fail;
	}
	if (step_done(s, STMT_COMMIT, err, "cannot commit the analysis"))
		goto fail;
	stage_clear(s);
	return 0;
fail:
	store_stage_abort(s);
	return -1;
}

int store_save_analysis(struct store *s, const struct analysis_meta *m,
			const struct finding_list *findings, long long *id, struct err *err)
{
	size_t i;

	if (store_stage_begin(s, err))
		return -1;
	for (i = 0; i < findings->nr; i++) {
		if (store_stage_add(s, &findings->items[i], 0, 0, err)) {
			store_stage_abort(s);
			return -1;
		}
	}
	return store_stage_commit(s, m, &findings->allows, id, err);
}

static char *column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return xstrdup(v ? (const char *)v : "");
}

/* The text columns of a finding row, in the order struct finding lists them. */
static const int text_columns[] = { 2, 3, 4, 5, 6, 8, 11, 12 };

/*
 * Points the text columns of a row at the store's one copy of each text:
 * findings repeat their package, file, function and verdict, and often
 * their source line (105,582 findings of the benchmark hold 11,000
 * distinct texts), and a comparison holds two analyses at once.
 */
static void load_strings(struct store *s, sqlite3_stmt *st, struct finding *f)
{
	char **fields[] = { &f->package, &f->pkgname, &f->function, &f->scope, &f->verdict,
			    &f->file, &f->message, &f->source };
	size_t i;

	for (i = 0; i < 8; i++) {
		const unsigned char *v = sqlite3_column_text(st, text_columns[i]);

		*fields[i] = (char *)strmap_intern(&s->texts, v ? (const char *)v : "");
	}
	f->pooled = 1;
}

int store_load_findings(struct store *s, long long id, int with_flows, struct finding_list *out,
			struct err *err)
{
	sqlite3_stmt *st = NULL, *fl = NULL;
	long long *ids = NULL;
	size_t first = out->nr, n = 0, alloc = 0, k = 0;
	int rc, ret = -1;

	if (store_ready(s, err))
		return -1;
	st = s->stmt[STMT_LOAD_FINDINGS];
	fl = s->stmt[STMT_LOAD_FLOWS];
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct finding *f = finding_list_add(out);
		const unsigned char *kind = sqlite3_column_text(st, 1);

		f->id = sqlite3_column_int64(st, 0);
		if (with_flows) {
			ALLOC_GROW(ids, n + 1, alloc);
			ids[n++] = f->id;
		} else {
			f->flows = &s->flows;
		}
		finding_kind_parse(kind ? (const char *)kind : "", &f->kind);
		load_strings(s, st, f);
		f->occurrence = (unsigned)sqlite3_column_int(st, 7);
		f->line = (unsigned)sqlite3_column_int(st, 9);
		f->col = (unsigned)sqlite3_column_int(st, 10);
		if (sqlite3_column_type(st, 13) != SQLITE_NULL)
			f->suppressed = column_dup(st, 13);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		db_error(s, err, "cannot load findings");
		goto out;
	}
	/* both queries are ordered by finding id: merge them (n is 0 without with_flows) */
	sqlite3_bind_int64(fl, 1, id);
	while (n && (rc = sqlite3_step(fl)) == SQLITE_ROW) {
		long long fid = sqlite3_column_int64(fl, 0);
		char *file, *text;

		while (k < n && ids[k] < fid)
			k++;
		if (k == n || ids[k] != fid)
			continue;
		file = column_dup(fl, 1);
		text = column_dup(fl, 4);
		finding_flow_add(&out->items[first + k], file, (unsigned)sqlite3_column_int(fl, 2),
				 (unsigned)sqlite3_column_int(fl, 3), text);
		free(file);
		free(text);
	}
	sqlite3_reset(fl);
	sqlite3_clear_bindings(fl);
	if (n && rc != SQLITE_DONE) {
		db_error(s, err, "cannot load flow steps");
		goto out;
	}
	st = s->stmt[STMT_LOAD_ALLOWS];
	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char *package = column_dup(st, 0), *file = column_dup(st, 1), *reason = column_dup(st, 3);

		allow_list_add(&out->allows, package, file, (unsigned)sqlite3_column_int(st, 2), reason,
			       sqlite3_column_int(st, 4));
		free(package);
		free(file);
		free(reason);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		db_error(s, err, "cannot load allow comments");
		goto out;
	}
	ret = 0;
out:
	free(ids);
	return ret;
}
