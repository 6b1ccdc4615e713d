#ifndef ESCGATE_ANALYSIS_H
#define ESCGATE_ANALYSIS_H

#include <git2.h>
#include "err.h"
#include "finding.h"
#include "gobuild.h"
#include "revs.h"
#include "store/store.h"

/*
 * Bump when parsing or attribution changes what findings an analysis
 * yields: stored analyses made by an older escgate are then not reused.
 */
#define ANALYZER_VERSION 2

/* What one run needs, passed explicitly from stage to stage. */
struct gate {
	git_repository *repo;
	struct store *store;
	struct toolchain tc;
	struct build_opts build;
	struct strbuf tmpdir;    /* private to this run, removed on every exit path */
	int quiet;
};

/*
 * The analysis of rev: reused from the store when one with the same key
 * exists (same tree content, toolchain, target and flags), else made by
 * writing the revision into the temporary directory, building it and
 * recording the findings. label names the revision in messages.
 */
int analysis_get(struct gate *g, const struct revision *rev, const char *label,
		 long long *id, struct err *err);

/* The default store: <git common dir>/escgate/store.db. */
void analysis_default_store(git_repository *repo, struct strbuf *out);

#endif
