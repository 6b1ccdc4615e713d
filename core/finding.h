#ifndef ESCGATE_FINDING_H
#define ESCGATE_FINDING_H

#include <stddef.h>
#include "err.h"
#include "strbuf.h"

/*
 * A finding: one heap escape or parameter leak the compiler reported,
 * attributed to a package and function of the repository. This is the
 * unit the store records, the matcher compares and every report prints.
 */
enum finding_kind {
	KIND_ESCAPE = 0,   /* moved to heap: x; EXPR escapes to heap */
	KIND_LEAK = 1,     /* leaking param[ content]: p[ to result ~rN level=N] */
};

/* One step of the compiler's explanation: "flow: dst ← src" or "from EXPR (reason)". */
struct flow_step {
	char *file;        /* repository-relative; as printed when outside the repository */
	unsigned line, col;
	char *text;
};

/*
 * Where the flows of stored findings stay until a report asks for one:
 * they are most of a finding's memory, and a gate with 100,000 findings
 * prints few of them. load fills steps with the flow of one finding.
 */
struct flow_loader {
	int (*load)(struct flow_loader *l, long long finding_id);
	void *data;
	struct flow_step *steps;
	size_t nr, alloc;
	long long loaded;        /* whose steps these are */
	struct err err;          /* the first failure: reports written since are incomplete */
};

struct finding {
	enum finding_kind kind;
	char *package;     /* import path */
	char *pkgname;     /* package name, as in pkgname.Func */
	char *function;    /* as the compiler names it, without the package: (*T).M, F.func1 */
	char *scope;       /* the enclosing declaration: what closures are matched within */
	char *file;        /* repository-relative, '/' separators */
	unsigned line, col;   /* 1-based; col 0 when the compiler gave none (past column 255) */
	char *message;     /* the verdict as the compiler printed it */
	char *verdict;     /* the verdict normalized for matching (see finding_normalize_verdict) */
	char *source;      /* the source line, whitespace-trimmed */
	unsigned occurrence;  /* 0-based rank among findings of the same identity, by position */
	struct flow_step *flow;
	size_t nflow;
	char *suppressed;  /* the reason of the //escgate:allow accepting it, or NULL */
	char *targets;     /* "linux/amd64 windows/amd64": where it occurs, when a run has
			      several targets; NULL otherwise (never stored) */
	long long id;      /* its row in the store, 0 when it has none */
	struct flow_loader *flows;   /* where flow is, when not loaded with the finding */
	unsigned pooled : 1;   /* package..source belong to the store that loaded it */
};

/*
 * A "//escgate:allow REASON" comment in a compiled file of the analysed
 * tree. It accepts the findings on its own line (a trailing comment), on
 * the line below (a comment alone on its line), or, when it is part of
 * the comment block right above a function declaration, in the whole
 * function and its closures.
 */
struct allow_comment {
	char *package;     /* import path of the package compiling the file */
	char *file;        /* repository-relative */
	unsigned line;
	char *reason;      /* "" when none was given: an error, and it accepts nothing */
	int used;          /* it accepted at least one finding */
};

struct allow_list {
	struct allow_comment *items;
	size_t nr, alloc;
};

/*
 * What one analysis found: its findings, and the allow comments of the
 * tree (which the store keeps with them, so unused ones can be reported
 * from a stored analysis too).
 */
struct finding_list {
	struct finding *items;
	size_t nr, alloc;
	struct allow_list allows;
};

const char *finding_kind_name(enum finding_kind kind);
int finding_kind_parse(const char *name, enum finding_kind *out);

/*
 * Verdict normalization: what must not make two reports of one decision
 * look different. Generic shape types (go.shape.int vs go.shape.string,
 * go.shape.int_0 in older releases) become "go.shape".
 */
char *finding_normalize_verdict(const char *message);

/*
 * The identity of a finding, without its occurrence: package, enclosing
 * declaration, kind and normalized verdict, joined by US (0x1f). Computed
 * only here; the store, the matcher and every fingerprint use it.
 */
void finding_identity(const struct finding *f, struct strbuf *out);

/*
 * A stable fingerprint of a finding: a hex digest of its identity and
 * occurrence, never of a line number, so CI systems (SARIF
 * partialFingerprints, GitLab Code Quality) track it across edits.
 * out must hold 41 bytes.
 */
void finding_fingerprint(const struct finding *f, char *out);

/* Sorts by identity then position, and numbers occurrences within each identity. */
void finding_list_number(struct finding_list *list);
/* Sorts by file, line, column, kind, message: the order reports print in. */
void finding_list_sort_by_position(struct finding_list *list);

/*
 * The flow of f: its own steps, or else those its loader reads from the
 * store, valid until the next call for another finding. A failed load
 * gives none and is kept in the loader's err.
 */
const struct flow_step *finding_flow(const struct finding *f, size_t *n);

struct finding *finding_list_add(struct finding_list *list);
void finding_flow_add(struct finding *f, const char *file, unsigned line, unsigned col,
		      const char *text);
void finding_release(struct finding *f);
/* Copies the texts a store lent (pooled findings), so that the list can outlive the store. */
void finding_list_own_texts(struct finding_list *list);
void finding_list_release(struct finding_list *list);

void allow_list_add(struct allow_list *l, const char *package, const char *file, unsigned line,
		    const char *reason, int used);
void allow_list_release(struct allow_list *l);

#endif
