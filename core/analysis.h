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

struct gate_probe;
struct scope_job;

/* What one run needs, passed explicitly from stage to stage. */
struct gate {
	git_repository *repo;
	struct store *store;
	struct toolchain tc;
	struct build_opts build;
	struct strbuf tmpdir;    /* private to this run, removed on every exit path */
	int quiet;
	int libgit2;             /* gate_open started libgit2: gate_close stops it */
	struct gate_probe *probe;    /* go env, until gate_open_finish has tc (cmd/common.c) */
	struct scope_job *planned;   /* a plan started early: analysis_compare takes it */
};

/*
 * The analysis of rev: reused from the store when one with the same key
 * exists (same tree content, toolchain, target and flags), else made by
 * writing the revision into the temporary directory, building it and
 * recording the findings. label names the revision in messages.
 */
int analysis_get(struct gate *g, const struct revision *rev, const char *label,
		 long long *id, struct err *err);

/* Base and head findings, ready to be matched. */
struct comparison {
	struct finding_list base, head;
	size_t unchanged_elsewhere;   /* findings outside the compared packages known unchanged */
	size_t packages_compared;     /* 0: whole modules */
	size_t packages_total;
};

/*
 * The findings of base and head to compare. Unless full is set, only the
 * packages a change can affect are compiled (affected.h), in both revisions;
 * a stored whole-tree analysis of either revision is reused instead of
 * compiling it. Results equal a whole-tree comparison; when they might not
 * (a changed instantiation of generic code outside the affected packages)
 * the comparison is redone on whole modules.
 */
int analysis_compare(struct gate *g, const struct revision *base, const struct revision *head,
		     int full, struct comparison *out, struct err *err);
void comparison_release(struct comparison *c);

/* The default store: <git common dir>/escgate/store.db. */
void analysis_default_store(git_repository *repo, struct strbuf *out);

#endif
