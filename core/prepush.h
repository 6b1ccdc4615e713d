#ifndef ESCGATE_PREPUSH_H
#define ESCGATE_PREPUSH_H

#include <stddef.h>
#include "err.h"

/*
 * git's pre-push protocol: the hook reads one line per ref being pushed
 * on standard input,
 *
 *   <local ref> SP <local oid> SP <remote ref> SP <remote oid> LF
 *
 * an oid being 40 (SHA-1) or 64 (SHA-256) lowercase hex digits, all zeros
 * for no object (a delete's local oid, a new branch's remote oid).
 */
struct push_line {
	char *local_ref, *local_oid, *remote_ref, *remote_oid;
	size_t lineno;   /* 1-based, counting empty lines */
};

struct push_list {
	struct push_line *items;
	size_t nr, alloc;
};
#define PUSH_LIST_INIT { NULL, 0, 0 }

/*
 * Parses the hook's whole standard input into *out, which the caller
 * releases. Empty lines are skipped; a CR before the LF and a missing last
 * LF are accepted. A malformed line is EXIT_USAGE naming its line number
 * and showing it (at most 200 bytes); the lines before it stay in *out, so
 * that the caller can act on them first, as a reader line by line would.
 */
int prepush_parse(const char *buf, size_t len, struct push_list *out, struct err *err);
void push_list_release(struct push_list *l);

#endif
