#ifndef ESCGATE_POLICY_H
#define ESCGATE_POLICY_H

#include <stddef.h>
#include "err.h"
#include "finding.h"
#include "strbuf.h"

/*
 * The gate's policy: what fails it, which packages it looks at and how
 * the code is built. It is read from `.escgate` (git-config syntax, read
 * with libgit2's parser) and every setting can be overridden on the
 * command line:
 *
 *   gate.failOn    escape, leak or both (default): the kinds that fail
 *   gate.maxNew    fail only above N new findings (default 0)
 *   gate.packages  package patterns to look at (repeatable; default all)
 *   gate.exclude   package patterns to skip (repeatable)
 *   gate.tags      build tags, as for go build -tags
 *   gate.goflags   added to $GOFLAGS for every go command
 *   gate.targets   GOOS/GOARCH pairs, each analysed (repeatable)
 *
 * Package patterns are the go command's: "..." matches any string, and
 * "x/..." matches x too. One starting with "./" names directories from
 * the repository root (./internal/...); any other matches import paths
 * (.../testutil).
 */
#define POLICY_FILE ".escgate"

enum {
	POLICY_FAIL_ESCAPE = 1 << KIND_ESCAPE,
	POLICY_FAIL_LEAK = 1 << KIND_LEAK,
	POLICY_FAIL_BOTH = POLICY_FAIL_ESCAPE | POLICY_FAIL_LEAK,
};

struct policy_strings {
	char **v;
	size_t nr, alloc;
};

/* Unset fields (0, NULL, empty) take the defaults above; { 0 } is an empty policy. */
struct policy {
	int fail_on;                    /* POLICY_FAIL_* bits; 0 when not set */
	long max_new;
	int has_max_new;
	struct policy_strings packages, exclude;
	char *tags, *goflags;           /* NULL when not set */
	struct policy_strings targets;  /* "goos/goarch" */
	char *source;                   /* where it was read ("main:.escgate"), or NULL */
};

void policy_init(struct policy *p);
void policy_release(struct policy *p);

/*
 * Reads a configuration file's text. name is how messages call the file
 * ("main:.escgate", "ci/gate.conf"); path is a private copy of it on disk
 * for libgit2 to read. Unknown keys and bad values are EXIT_USAGE naming
 * the file, the line and the key.
 */
int policy_read(struct policy *p, const char *path, const char *name, const char *text,
		size_t len, struct err *err);

/*
 * Sets one setting from the command line: option is the flag ("--fail-on")
 * for messages. A repeatable setting given on the command line replaces
 * the file's list, it does not add to it.
 */
int policy_set_option(struct policy *p, const char *option, const char *value,
		      struct err *err);
/* Takes every setting cli has over p. */
void policy_override(struct policy *p, const struct policy *cli);

int policy_fail_on(const struct policy *p);    /* the bits, default both */
long policy_max_new(const struct policy *p);   /* default 0 */

/* Whether the gate looks at a package: its import path and repository-relative directory. */
int policy_package_selected(const struct policy *p, const char *import_path, const char *dir);
/* Removes the findings (and allow comments) of packages the policy skips. */
void policy_filter(const struct policy *p, struct finding_list *l);

/* The go command's pattern match ("..." any string; "x/..." also x). */
int policy_pattern_match(const char *pattern, const char *s);

#endif
