#include "store.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
};

struct store {
	sqlite3 *db;
	char *path;
	sqlite3_stmt *stmt[STMT_COUNT];
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

static int exec_sql(struct store *s, const char *sql, struct err *err, const char *what)
{
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return db_error(s, err, what);
	return 0;
}

static int user_version(struct store *s, int *version, struct err *err)
{
	sqlite3_stmt *st = NULL;
	int ret = -1;

	if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW) {
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

int store_open(struct store **out, const char *path, struct err *err)
{
	struct store *s = xcalloc(1, sizeof(*s));
	int i, version;

	s->path = xstrdup(path);
	if (make_parent_dir(path, err))
		goto fail;
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		err_set(err, EXIT_ANALYSIS,
			"cannot open store '%s': %s (its directory must exist and be writable: fix that or pass another --store)",
			path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	sqlite3_busy_timeout(s->db, BUSY_TIMEOUT_MS);
	if (user_version(s, &version, err))
		goto fail;
	/* refuse a newer store before anything (its journal mode) is written to it */
	if (version > store_schema_version) {
		newer_schema(s, version, err);
		goto fail;
	}
	if (exec_sql(s, "PRAGMA journal_mode = WAL", err, "cannot enable WAL") ||
	    exec_sql(s, "PRAGMA synchronous = NORMAL", err, "cannot set synchronous") ||
	    exec_sql(s, "PRAGMA foreign_keys = ON", err, "cannot enable foreign keys"))
		goto fail;
	if (migrate(s, err))
		goto fail;
	for (i = 0; i < STMT_COUNT; i++) {
		if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
				       &s->stmt[i], NULL) != SQLITE_OK) {
			db_error(s, err, "cannot prepare a statement");
			goto fail;
		}
	}
	*out = s;
	return 0;
fail:
	store_close(s);
	return -1;
}

void store_close(struct store *s)
{
	int i;

	if (!s)
		return;
	for (i = 0; i < STMT_COUNT; i++)
		sqlite3_finalize(s->stmt[i]);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
}

int store_find_analysis(struct store *s, const char *key, long long *id, struct err *err)
{
	sqlite3_stmt *st = s->stmt[STMT_FIND];
	int rc;

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

static int insert_finding(struct store *s, long long analysis, const struct finding *f,
			  struct err *err)
{
	sqlite3_stmt *st = s->stmt[STMT_INSERT_FINDING];
	long long fid;
	size_t i;

	sqlite3_bind_int64(st, 1, analysis);
	bind_str(st, 2, finding_kind_name(f->kind));
	bind_str(st, 3, f->package);
	bind_str(st, 4, f->pkgname);
	bind_str(st, 5, f->function);
	bind_str(st, 6, f->scope);
	bind_str(st, 7, f->verdict);
	sqlite3_bind_int(st, 8, (int)f->occurrence);
	bind_str(st, 9, f->file);
	sqlite3_bind_int(st, 10, (int)f->line);
	sqlite3_bind_int(st, 11, (int)f->col);
	bind_str(st, 12, f->message);
	bind_str(st, 13, f->source);
	bind_str(st, 14, f->suppressed);
	if (step_done(s, STMT_INSERT_FINDING, err, "cannot record a finding"))
		return -1;
	fid = sqlite3_last_insert_rowid(s->db);
	for (i = 0; i < f->nflow; i++) {
		st = s->stmt[STMT_INSERT_FLOW];
		sqlite3_bind_int64(st, 1, fid);
		sqlite3_bind_int(st, 2, (int)i);
		bind_str(st, 3, f->flow[i].file);
		sqlite3_bind_int(st, 4, (int)f->flow[i].line);
		sqlite3_bind_int(st, 5, (int)f->flow[i].col);
		bind_str(st, 6, f->flow[i].text);
		if (step_done(s, STMT_INSERT_FLOW, err, "cannot record a flow step"))
			return -1;
	}
	return 0;
}

int store_save_analysis(struct store *s, const struct analysis_meta *m,
			const struct finding_list *findings, long long *id, struct err *err)
{
	sqlite3_stmt *st = s->stmt[STMT_INSERT_ANALYSIS];
	size_t i;

	if (step_done(s, STMT_BEGIN, err, "cannot start a transaction"))
		return -1;
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
		step_done(s, STMT_ROLLBACK, err, "cannot roll back");
		return store_find_analysis(s, m->key, id, err);
	}
	*id = sqlite3_last_insert_rowid(s->db);
	for (i = 0; i < findings->nr; i++)
		if (insert_finding(s, *id, &findings->items[i], err))
			goto fail;
	for (i = 0; i < findings->allows.nr; i++) {
		const struct allow_comment *a = &findings->allows.items[i];

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
	return 0;
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return -1;
}

static char *column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *v = sqlite3_column_text(st, i);

	return xstrdup(v ? (const char *)v : "");
}

int store_load_findings(struct store *s, long long id, struct finding_list *out,
			struct err *err)
{
	sqlite3_stmt *st = s->stmt[STMT_LOAD_FINDINGS], *fl = s->stmt[STMT_LOAD_FLOWS];
	long long *ids = NULL;
	size_t first = out->nr, n = 0, alloc = 0, k = 0;
	int rc, ret = -1;

	sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct finding *f = finding_list_add(out);
		char *kind = column_dup(st, 1);

		ALLOC_GROW(ids, n + 1, alloc);
		ids[n++] = sqlite3_column_int64(st, 0);
		finding_kind_parse(kind, &f->kind);
		free(kind);
		f->package = column_dup(st, 2);
		f->pkgname = column_dup(st, 3);
		f->function = column_dup(st, 4);
		f->scope = column_dup(st, 5);
		f->verdict = column_dup(st, 6);
		f->occurrence = (unsigned)sqlite3_column_int(st, 7);
		f->file = column_dup(st, 8);
		f->line = (unsigned)sqlite3_column_int(st, 9);
		f->col = (unsigned)sqlite3_column_int(st, 10);
		f->message = column_dup(st, 11);
		f->source = column_dup(st, 12);
		if (sqlite3_column_type(st, 13) != SQLITE_NULL)
			f->suppressed = column_dup(st, 13);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		db_error(s, err, "cannot load findings");
		goto out;
	}
	/* both queries are ordered by finding id: merge them */
	sqlite3_bind_int64(fl, 1, id);
	while ((rc = sqlite3_step(fl)) == SQLITE_ROW) {
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
	if (rc != SQLITE_DONE) {
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
