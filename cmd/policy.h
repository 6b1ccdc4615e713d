#ifndef ESCGATE_CMD_POLICY_H
#define ESCGATE_CMD_POLICY_H

#include "cmd.h"
#include "core/baseline.h"
#include "core/policy.h"

/* The policy options every analysing subcommand takes, for its --help. */
#define USAGE_POLICY_OPTIONS \
	"  --config FILE    the policy file, instead of .escgate (see 'Configuration')\n" \
	"  --fail-on KINDS  escape, leak or both: what fails the gate (gate.failOn)\n" \
	"  --max-new N      fail only above N new findings (gate.maxNew)\n" \
	"  --package PAT    look only at packages matching PAT; repeatable (gate.packages)\n" \
	"  --exclude PAT    skip packages matching PAT; repeatable (gate.exclude)\n" \
	"  --goflags FLAGS  added to $GOFLAGS for every go command (gate.goflags)\n" \
	"  --target OS/ARCH analyse for GOOS/GOARCH; repeatable (gate.targets)\n"

/*
 * One run of a command under a policy. The policy's build settings are
 * applied per target: build tags on the gate, GOFLAGS, GOOS and GOARCH in
 * the environment (which every go command inherits and the analysis key
 * records), restored by run_end. Finding lists the run loads are its own,
 * so results can point into them until run_end.
 */
struct run {
	struct gate *g;
	const struct analysis_opts *o;
	struct policy policy;
	size_t ntargets;          /* targets of the policy, or 1: the environment's own */
	size_t target;            /* the one set up last */
	struct strbuf env_key;    /* GOFLAGS, GOOS, GOARCH the toolchain was probed with */
	char *saved[3];           /* the environment's own GOFLAGS, GOOS, GOARCH (NULL: unset) */
	struct finding_list **lists;
	size_t nlists, alists;
};

/*
 * Starts a run: reads the policy (--config FILE, else .escgate as rev has
 * it: the base revision for diff, so that a change cannot loosen its own
 * gate), then the command line's settings over it, and checks the targets.
 */
int run_begin(struct run *r, struct gate *g, const struct analysis_opts *o,
	      const struct revision *rev, struct err *err);
void run_end(struct run *r);

/* "linux/amd64" for target t, or NULL when the policy names no targets. */
const char *run_target_name(const struct run *r, size_t t);
/* Sets up the environment and toolchain for target t. */
int run_target(struct run *r, size_t t, struct err *err);
/* label for target t ("base", "base-windows-arm64"): messages and directory names. */
void run_label(const struct run *r, const char *label, size_t t, struct strbuf *out);

/*
 * A list the run owns from now on (*l is emptied); with targets, each
 * finding is tagged with target t, unless t is RUN_UNTAGGED.
 */
#define RUN_UNTAGGED ((size_t)-1)
struct finding_list *run_adopt(struct run *r, struct finding_list *l, size_t t);

/*
 * The findings of rev for the current target (run_target), filtered by
 * the policy's packages unless all is set.
 */
int run_findings(struct run *r, const struct revision *rev, const char *label, int all,
		 struct finding_list **out, struct err *err);
/* The findings of rev on every target, as one list (see run_merge). */
int run_revision(struct run *r, const struct revision *rev, const char *label, int all,
		 struct finding_list **out, struct err *err);

/*
 * One list of the findings of several targets: a finding reported alike
 * on several is one, with all their names in f->targets. The lists are
 * emptied into the result.
 */
struct finding_list *run_merge(struct run *r, struct finding_list **lists, size_t n);
/* One result from per-target results, merged the same way. */
void run_merge_results(struct match_result *results, size_t n, struct match_result *out);

/* The allow comments of several targets' lists: used when used on any. */
void run_merge_allows(struct finding_list *const *lists, size_t n, struct allow_list *out);

/*
 * Checks the allow comments of the gated revision: one without a reason
 * is an error (EXIT_USAGE), an unused one a warning on stderr.
 */
int run_check_allows(const struct allow_list *l, struct err *err);

/*
 * Reads the baseline as rev has it (or from file, when given); a missing
 * one is empty and *found is 0.
 */
int run_read_baseline(struct run *r, const struct revision *rev, const char *file,
		      struct baseline *b, int *found, struct err *err);

/*
 * How many new findings fail the gate under the policy: those of the
 * kinds gate.failOn names, when there are more than gate.maxNew of them
 * (else 0). Says on stderr when new findings pass because of the policy.
 */
size_t run_failing(const struct run *r, const struct match_result *res);

#endif
