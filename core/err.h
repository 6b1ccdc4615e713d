#ifndef ESCGATE_ERR_H
#define ESCGATE_ERR_H

#include "strbuf.h"

/* Exit statuses: the contract every caller (CI, hooks, scripts) relies on. */
enum exit_status {
	EXIT_CLEAN = 0,      /* nothing new */
	EXIT_NEW = 1,        /* the head introduces findings */
	EXIT_USAGE = 2,      /* bad flag, unknown revision, bad configuration */
	EXIT_ANALYSIS = 3,   /* could not analyse: no repo, no module, no toolchain, build failed */
	EXIT_SIGINT = 130,
	EXIT_SIGTERM = 143,
};

/*
 * The one error a pipeline stage reports: a lowercase message without a
 * full stop that names the culprit, and the exit status it maps to.
 * Only cmd/ prints it. The first error set wins: later ones are usually
 * consequences of it.
 */
struct err {
	int status;
	struct strbuf msg;
	struct strbuf detail;   /* optional extra lines (e.g. the compiler's errors) */
};
#define ERR_INIT { 0, STRBUF_INIT, STRBUF_INIT }

int err_set(struct err *e, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Moves from's error (another thread's) into e, unless e has one: -1. */
int err_move(struct err *e, struct err *from);
int err_is_set(const struct err *e);
void err_release(struct err *e);

#endif
