#ifndef ESCGATE_GOBUILD_H
#define ESCGATE_GOBUILD_H

#include <stddef.h>
#include "err.h"
#include "finding.h"
#include "verdictlog.h"

/* The Go toolchain as the builds will see it: what an analysis is recorded with. */
struct toolchain {
	char *go;          /* the command: "go" or --go PATH */
	char *version;     /* go1.26.8 */
	char *goos, *goarch;
	char *build_env;   /* everything else in the environment that can change verdicts */
};

/* Runs `go env -json` once. A missing toolchain is EXIT_ANALYSIS. */
int toolchain_probe(struct toolchain *tc, const char *go, struct err *err);
void toolchain_release(struct toolchain *tc);

struct build_opts {
	const char *tags;  /* --tags, or NULL */
	int verbose;
};

struct package_info {
	char *dir;         /* absolute */
	char *import_path;
	char *name;
	char **imports;    /* import paths, as go list gives them */
	size_t nimports;
	char **files;      /* the Go files the build compiles (GoFiles, CgoFiles), names in dir */
	size_t nfiles;
	size_t module;     /* index into build_output.modules */
};

/*
 * Where a build's verdicts go when not to the spill file: fn is called for
 * each, in the building thread, as soon as the package that printed it is
 * compiled, with the directory of that package's JSON logs (which may not
 * exist: a package can log nothing). fn may take what it wants from *r.
 */
struct verdict_sink {
	void (*fn)(void *data, struct raw_verdict *r, const char *json_dir);
	void *data;
};

struct build_output {
	struct verdict_log verdicts;   /* what the builds printed, spilled to a file */
	struct verdict_sink sink;      /* instead of verdicts, when fn is set */
	int built;                     /* gobuild_build ran on this listing */
	struct package_info *packages;
	size_t npackages, apackages;
	char **modules;    /* module directories, absolute, sorted */
	size_t nmodules;
	struct strbuf *listings;   /* go list's output per module, until gobuild_list_parse */
	/*
	 * Set while go list of the tree still runs: gobuild_build may then start
	 * a whole build at once, and calls this (once) before it reads the
	 * listing; it returns when the packages are parsed, or -1 with err set.
	 */
	int (*await_listing)(void *data, struct err *err);
	void *await_data;
};

/*
 * Builds every Go module in tree (each go.mod outside vendor/ and testdata/,
 * or the modules of tree/go.work when there is one) with escape diagnostics,
 * writing the JSON logs below json_dir. label ("base", "head") names the
 * revision in messages. A failed build is EXIT_ANALYSIS with the compiler's
 * own error lines in err->detail.
 */
int gobuild_tree(const struct toolchain *tc, const struct build_opts *o, const char *tree,
		 const char *json_dir, const char *label, struct build_output *out,
		 struct err *err);

/*
 * The two halves of gobuild_tree. gobuild_list finds the modules and their
 * packages (with imports, for the import graph); gobuild_build then builds
 * them, or only the packages in *only when it is not NULL (affected-only
 * analysis: one go build per module naming just those packages).
 */
struct strset;
int gobuild_list(const struct toolchain *tc, const struct build_opts *o, const char *tree,
		 const char *label, struct build_output *out, struct err *err);
/*
 * gobuild_list in two steps, so that two trees can be listed at once:
 * gobuild_list_run runs the go commands and keeps what they print; it
 * parses no JSON (cJSON's parser keeps global state), so it can run in a
 * thread of its own. gobuild_list_parse then reads the packages from it.
 */
int gobuild_list_run(const struct toolchain *tc, const struct build_opts *o, const char *tree,
		     const char *label, struct build_output *out, struct err *err);
void gobuild_list_parse(struct build_output *out);
int gobuild_build(const struct toolchain *tc, const struct build_opts *o, const char *tree,
		  const char *json_dir, const char *label, const struct strset *only,
		  struct build_output *out, struct err *err);
void build_output_release(struct build_output *out);

/* Parses recorded go build output as if built in moddir (tests, fuzzing). */
void build_output_add_text(struct build_output *out, const char *moddir, const char *data,
			   size_t len);

#endif
