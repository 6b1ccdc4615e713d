#include "cmd.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/interrupt.h"
#include "core/tree.h"
#include "core/util.h"

int opt_value(int argc, char **argv, int *i, const char *name, const char **value,
	      struct err *err)
{
	const char *arg = argv[*i];
	size_t n = strlen(name);

	if (strncmp(arg, name, n))
		return 0;
	if (arg[n] == '=') {
		*value = arg + n + 1;
		return 1;
	}
	if (arg[n])
		return 0;
	if (*i + 1 >= argc) {
		err_set(err, EXIT_USAGE, "option '%s' needs a value", name);
		return -1;
	}
	*value = argv[++*i];
	return 1;
}

int opt_analysis(int argc, char **argv, int *i, struct analysis_opts *o, struct err *err)
{
	int r;

	if (!strcmp(argv[*i], "-q") || !strcmp(argv[*i], "--quiet")) {
		o->quiet = 1;
		return 1;
	}
	if ((r = opt_value(argc, argv, i, "--go", &o->go, err)) ||
	    (r = opt_value(argc, argv, i, "--tags", &o->tags, err)) ||
	    (r = opt_value(argc, argv, i, "--store", &o->store, err)) ||
	    (r = opt_value(argc, argv, i, "--format", &o->format, err)))
		return r;
	return 0;
}

int usage_error(struct err *err, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	if (err_is_set(err))
		return -1;
	err->status = EXIT_USAGE;
	va_start(ap, fmt);
	strbuf_vaddf(&err->msg, fmt, ap);
	va_end(ap);
	strbuf_addf(&err->detail, "see 'escgate help %s'\n", cmd);
	return -1;
}

int gate_open(struct gate *g, const struct analysis_opts *o, struct err *err)
{
	struct strbuf store = STRBUF_INIT;
	const char *env_store = getenv("ESCGATE_STORE");
	char cwd[4096];
	int ret = -1;

	memset(g, 0, sizeof(*g));
	strbuf_init(&g->tmpdir, 0);
	g->quiet = o->quiet;
	g->build.tags = o->tags;
	if (git_repository_open_ext(&g->repo, ".", 0, NULL)) {
		err_set(err, EXIT_ANALYSIS, "not a git repository: '%s'",
			getcwd(cwd, sizeof(cwd)) ? cwd : ".");
		goto out;
	}
	if (o->store)
		strbuf_addstr(&store, o->store);
	else if (env_store && *env_store)
		strbuf_addstr(&store, env_store);
	else
		analysis_default_store(g->repo, &store);
	if (store_open(&g->store, store.buf, err))
		goto out;
	if (toolchain_probe(&g->tc, o->go ? o->go : "go", err))
		goto out;
	if (tmpdir_create(&g->tmpdir, err))
		goto out;
	ret = 0;
out:
	strbuf_release(&store);
	return ret;
}

void gate_close(struct gate *g)
{
	tmpdir_remove(g->tmpdir.buf);
	strbuf_release(&g->tmpdir);
	toolchain_release(&g->tc);
	store_close(g->store);
	git_repository_free(g->repo);
	memset(g, 0, sizeof(*g));
}

int report_error(const struct err *err)
{
	int status = err->status ? err->status : EXIT_ANALYSIS;

	/* an interrupt outranks whatever error it caused on the way out */
	if (interrupt_pending())
		status = interrupt_pending() == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM;
	fprintf(stderr, "escgate: %s\n", err->msg.len ? err->msg.buf : "unknown error");
	if (err->detail.len)
		fputs(err->detail.buf, stderr);
	return status;
}
