#ifndef ESCGATE_STORE_H
#define ESCGATE_STORE_H

#include "core/err.h"
#include "core/finding.h"

/*
 * The store: every analysis escgate has made, with its findings, in one
 * SQLite file. An analysis is written in a single transaction, so a store
 * never holds half of one; analyses are looked up by a key naming
 * everything that decides the compiler's verdicts (see analysis.h).
 */
struct store;

struct analysis_meta {
	const char *key;
	const char *commit;       /* NULL for a working tree */
	const char *content_id;   /* the tree id, or a digest of the working tree */
	const char *go_version, *goos, *goarch;
	const char *build_flags;
};

/*
 * Opens (creating and migrating as needed). Errors name the file and say
 * what to do. A store that does not exist yet is created on a thread of
 * its own while the caller goes on: until it is ready, store_find_analysis
 * finds nothing (there is nothing to find) and every other use waits for
 * it, reporting a failed creation as store_open would have.
 */
int store_open(struct store **out, const char *path, struct err *err);
/* Waits for a store being created: 0, or -1 with its error. */
int store_ready(struct store *s, struct err *err);
/*
 * Starts copying the WAL into the store file on a thread and connection of
 * its own, while this one goes on reading: then closing, which copies what
 * is left, has next to nothing to do (35 ms after a 200-package analysis).
 * store_close waits for it. via, when not NULL, is another connection to
 * the same store, done with: the checkpoint goes through it instead of a
 * new one (opening one takes up to a millisecond) and closes it; it is
 * closed in any case.
 */
void store_checkpoint_start(struct store *s, struct store *via);
void store_close(struct store *s);
/* The file it was opened from: another connection to it, for another thread. */
const char *store_path(const struct store *s);

/* *id = the analysis with this key, or 0 when there is none. */
int store_find_analysis(struct store *s, const char *key, long long *id, struct err *err);
/*
 * Records an analysis, its findings and its allow comments in one
 * transaction (staged as above, none of them a copy). When another process
 * recorded the same key meanwhile, *id is that one.
 */
int store_save_analysis(struct store *s, const struct analysis_meta *meta,
			const struct finding_list *findings, long long *id, struct err *err);
/*
 * Recording an analysis as attribution produces it, without holding it in
 * memory: findings are staged one by one (with whether each is a copy
 * made by inlining and whether it is in generic code), then commit drops
 * the copies as attribute.h says, numbers occurrences and records the
 * analysis with the allow comments in one transaction. Abort (or a failed
 * commit) leaves the store as it was. When another process recorded the
 * same key meanwhile, *id is that one.
 */
int store_stage_begin(struct store *s, struct err *err);
int store_stage_add(struct store *s, const struct finding *f, int inlined, int generic,
		    struct err *err);
int store_stage_commit(struct store *s, const struct analysis_meta *meta,
		       const struct allow_list *allows, long long *id, struct err *err);
void store_stage_abort(struct store *s);

/*
 * Appends the findings of analysis id in stored order, and its allow
 * comments. Their texts belong to the store, each kept once however many
 * findings share it, so the store must outlive the findings; without
 * with_flows their flows also stay in the store until finding_flow asks.
 */
int store_load_findings(struct store *s, long long id, int with_flows, struct finding_list *out,
			struct err *err);


#endif
