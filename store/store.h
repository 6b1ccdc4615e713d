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

/* Opens (creating and migrating as needed). Errors name the file and say what to do. */
int store_open(struct store **out, const char *path, struct err *err);
void store_close(struct store *s);

/* *id = the analysis with this key, or 0 when there is none. */
int store_find_analysis(struct store *s, const char *key, long long *id, struct err *err);
/*
 * Records an analysis, its findings and its allow comments in one
 * transaction. When another process recorded the same key meanwhile, *id
 * is that one.
 */
int store_save_analysis(struct store *s, const struct analysis_meta *meta,
			const struct finding_list *findings, long long *id, struct err *err);
/* Appends the findings of analysis id, with their flows, in stored order, and its allow comments. */
int store_load_findings(struct store *s, long long id, struct finding_list *out,
			struct err *err);

#endif
