#ifndef ESCGATE_SPAWN_H
#define ESCGATE_SPAWN_H

#include <stddef.h>
#include "err.h"
#include "strbuf.h"

/* Called once per line of the child's stderr, without the newline. */
typedef void (*spawn_line_fn)(const char *line, size_t len, void *data);

/*
 * A child process, run with an argv (never through a shell), in its own
 * process group so that an interrupt can stop it and all its children.
 */
struct spawn {
	const char *const *argv;   /* argv[0] is looked up on PATH unless it has a '/' */
	const char *cwd;           /* NULL: ours */
	char *const *env;          /* NULL: ours */
	struct strbuf *out;        /* collects stdout, or NULL to discard it */
	spawn_line_fn on_err_line; /* gets stderr line by line ... */
	void *data;
	struct strbuf *err;        /* ... and/or collects it, or NULL */
};

/*
 * Runs the child to completion. *status is its exit status, or 128+signal.
 * Returns -1 (with err set) only when it could not be started or we were
 * interrupted; a child that fails is not an error here.
 */
int spawn_run(const struct spawn *sp, int *status, struct err *err);

#endif
