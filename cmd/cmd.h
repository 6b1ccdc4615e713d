#ifndef ESCGATE_CMD_H
#define ESCGATE_CMD_H

#include <sys/types.h>

#include "core/analysis.h"
#include "core/err.h"
#include "core/report/report.h"

#define ESCGATE_VERSION "0.1.0"

/* A subcommand: parses its own arguments, returns the exit status. */
struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const char *usage;
};

extern const struct command escgate_commands[];
const struct command *command_lookup(const char *name);

int cmd_diff(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_prepush(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_help(int argc, char **argv);

extern const char usage_diff[], usage_scan[], usage_hook[], usage_prepush[], usage_version[],
	usage_help[];
extern const char usage_history[];
extern const char usage_baseline[], usage_check[], usage_explain[], usage_list[], usage_stats[];

/* --- shared by the subcommands (common.c) --- */

/* The options every analysing subcommand takes. */
#define MAX_FORMATS 16
#define MAX_POLICY_OPTIONS 64

struct analysis_opts {
	const char *go;       /* --go PATH */
	const char *tags;     /* --tags LIST */
	const char *store;    /* --store FILE */
	const char *formats[MAX_FORMATS];   /* --format NAME or NAME=FILE, repeatable */
	size_t nformats;
	int quiet;            /* -q */
	const char *config;   /* --config FILE */
	const char *policy_opts[MAX_POLICY_OPTIONS][2];   /* --fail-on, --package...: option, value */
	size_t npolicy_opts;
	int full;             /* --full: whole modules, not the affected packages */
};

/*
 * Matches argv[*i] against --name / --name=VALUE (value options take the
 * next argument when no '=' is given). Returns 1 when it matched, 0 when
 * not, -1 on a missing value (err set).
 */
int opt_value(int argc, char **argv, int *i, const char *name, const char **value,
	      struct err *err);
/* Parses an option shared by analysing subcommands; same returns as opt_value. */
int opt_analysis(int argc, char **argv, int *i, struct analysis_opts *o, struct err *err);

/*
 * A command's own option, tried before the analysis options: 1 when it took
 * argv[*i] (and its value), 0 when not, -1 on error (err set), as opt_value.
 */
typedef int (*own_opt_fn)(int argc, char **argv, int *i, void *data, struct err *err);

/* The revision a command that analyses one was given: REV or --worktree. */
struct rev_args {
	const char *spec;   /* REV; NULL for HEAD */
	int worktree;       /* --worktree */
};

/*
 * Parses such a command's arguments: -h or --help, --worktree, its own
 * options (own with data, or NULL), the analysis options and at most one
 * REV. Returns 0; 1 when it printed usage (exit 0); -1 on a usage error.
 */
int parse_rev_args(int argc, char **argv, const char *cmd, const char *usage,
		   own_opt_fn own, void *data, struct rev_args *a, struct analysis_opts *o,
		   struct err *err);

/* A usage error (exit 2) with a pointer to the command's help. */
int usage_error(struct err *err, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Checks every --format before anything is built: known names, one stdout at most. */
int formats_validate(const struct analysis_opts *o, const char *cmd, struct err *err);
/*
 * Writes path through a temporary file in its directory, synced and renamed
 * into place with mode, so a reader never sees half of it; fn writes the
 * content. Failures read "cannot write WHAT 'PATH': why" (no WHAT when NULL).
 */
int write_file_atomic(const char *path, const char *what, mode_t mode,
		      int (*fn)(FILE *out, const void *data), const void *data, struct err *err);
/* A write_file_atomic fn writing a struct strbuf. */
int write_strbuf(FILE *out, const void *sb);
/* Writes every requested report (text to stdout when none was asked for). */
int formats_write(const struct analysis_opts *o, const struct report_meta *meta,
		  const struct match_result *r, struct err *err);

/*
 * Opens the repository, the store and the toolchain; creates the private
 * directory. On failure nothing is left open: gate_close is for a gate that opened.
 */
int gate_open(struct gate *g, const struct analysis_opts *o, struct err *err);
/*
 * gate_open in two steps: begin leaves go env running (g->tc is not to be
 * read), finish waits for it. Between them the repository can be used,
 * to start what does not need the toolchain. Each closes the gate on failure.
 */
int gate_open_begin(struct gate *g, const struct analysis_opts *o, struct err *err);
int gate_open_finish(struct gate *g, struct err *err);
void gate_close(struct gate *g);
/* gate_open, then the revision a names into *rev; on failure nothing is left open. */
int gate_open_rev(struct gate *g, const struct analysis_opts *o, const struct rev_args *a,
		  struct revision *rev, struct err *err);

/*
 * Analyses base and head (reusing stored analyses), matches them and writes
 * the requested reports; *nnew is how many findings the head introduces.
 */
int diff_revisions(struct gate *g, const struct analysis_opts *o, const struct revision *base,
		   const struct revision *head, const char *base_rule, size_t *nnew,
		   struct err *err);

/* Prints the error (and its detail) on stderr and returns the exit status to use. */
int report_error(const struct err *err);

#endif
