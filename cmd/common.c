#include "cmd.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/interrupt.h"
#include "core/policy.h"
#include "core/scope.h"
#include "core/thread.h"
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

/* The policy's settings (policy.h): checked now, applied over the file's by run_begin. */
static int opt_policy(int argc, char **argv, int *i, struct analysis_opts *o, struct err *err)
{
	static const char *const names[] = {
		"--fail-on", "--max-new", "--package", "--exclude", "--goflags", "--target",
	};
	struct policy scratch = { 0 };
	const char *value = NULL;
	size_t k;
	int r = 0;

	for (k = 0; k < sizeof(names) / sizeof(*names) && !r; k++)
		r = opt_value(argc, argv, i, names[k], &value, err);
	if (r <= 0)
		return r;
	k--;
	if (o->npolicy_opts == MAX_POLICY_OPTIONS) {
		err_set(err, EXIT_USAGE, "too many policy options (at most %d)", MAX_POLICY_OPTIONS);
		return -1;
	}
	r = policy_set_option(&scratch, names[k], value, err);
	policy_release(&scratch);
	if (r)
		return -1;
	o->policy_opts[o->npolicy_opts][0] = names[k];
	o->policy_opts[o->npolicy_opts][1] = value;
	o->npolicy_opts++;
	return 1;
}

int opt_analysis(int argc, char **argv, int *i, struct analysis_opts *o, struct err *err)
{
	const char *format = NULL;
	int r;

	if (!strcmp(argv[*i], "-q") || !strcmp(argv[*i], "--quiet")) {
		o->quiet = 1;
		return 1;
	}
	if (!strcmp(argv[*i], "--full")) {
		o->full = 1;
		return 1;
	}
	if ((r = opt_value(argc, argv, i, "--go", &o->go, err)) ||
	    (r = opt_value(argc, argv, i, "--tags", &o->tags, err)) ||
	    (r = opt_value(argc, argv, i, "--store", &o->store, err)) ||
	    (r = opt_value(argc, argv, i, "--config", &o->config, err)))
		return r;
	if ((r = opt_policy(argc, argv, i, o, err)))
		return r;
	if ((r = opt_value(argc, argv, i, "--format", &format, err)) > 0) {
		if (o->nformats == MAX_FORMATS) {
			err_set(err, EXIT_USAGE, "too many --format options (at most %d)", MAX_FORMATS);
			return -1;
		}
		o->formats[o->nformats++] = format;
	}
	return r;
}

int parse_rev_args(int argc, char **argv, const char *cmd, const char *usage,
		   own_opt_fn own, void *data, struct rev_args *a, struct analysis_opts *o,
		   struct err *err)
{
	int i, r = 0;

	for (i = 1; i < argc && !r; i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			fputs(usage, stdout);
			r = 1;
		} else if (!strcmp(argv[i], "--worktree")) {
			a->worktree = 1;
		} else if ((own && (r = own(argc, argv, &i, data, err))) ||
			   (r = opt_analysis(argc, argv, &i, o, err))) {
			r = r < 0 ? -1 : 0;   /* taken: go on, unless it failed */
		} else if (argv[i][0] == '-' || a->spec) {
			r = usage_error(err, cmd, argv[i][0] == '-' ? "unknown option '%s'" :
					"unexpected argument '%s'", argv[i]);
		} else {
			a->spec = argv[i];
		}
	}
	if (!r && a->worktree && a->spec)
		r = usage_error(err, cmd, "%s", "--worktree and a revision cannot be used together");
	return r;
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

/* "sarif=out/x.sarif" -> name "sarif", file "out/x.sarif"; "json" -> file NULL. */
static void split_format(const char *spec, struct strbuf *name, const char **file)
{
	const char *eq = strchr(spec, '=');

	strbuf_reset(name);
	strbuf_add(name, spec, eq ? (size_t)(eq - spec) : strlen(spec));
	*file = eq ? eq + 1 : NULL;
}

int formats_validate(const struct analysis_opts *o, const char *cmd, struct err *err)
{
	struct strbuf name = STRBUF_INIT;
	const char *file, *to_stdout = NULL;
	size_t i;
	int ret = 0;

	for (i = 0; i < o->nformats && !ret; i++) {
		split_format(o->formats[i], &name, &file);
		if (!report_lookup(name.buf)) {
			struct strbuf known = STRBUF_INIT;

			report_format_names(&known);
			ret = usage_error(err, cmd, "unknown format '%s' (%s)", name.buf, known.buf);
			strbuf_release(&known);
		}
		else if (file && !*file)
			ret = usage_error(err, cmd, "--format %s= needs a file name", name.buf);
		else if (!file && to_stdout)
			ret = usage_error(err, cmd,
					  "--format %s and --format %s both write to standard output: give one a file (NAME=FILE)",
					  to_stdout, o->formats[i]);
		else if (!file)
			to_stdout = o->formats[i];
	}
	strbuf_release(&name);
	return ret;
}

static int write_failed(struct err *err, const char *what, const char *path)
{
	return err_set(err, EXIT_ANALYSIS, "cannot write %s%s'%s': %s", what ? what : "",
		       what ? " " : "", path, strerror(errno));
}

int write_file_atomic(const char *path, const char *what, mode_t mode,
		      int (*fn)(FILE *out, const void *data), const void *data, struct err *err)
{
	struct strbuf tmp = STRBUF_INIT;
	FILE *f = NULL;
	int fd, ret = -1;

	strbuf_addf(&tmp, "%s.tmp-XXXXXX", path);
	fd = mkstemp(tmp.buf);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		write_failed(err, what, path);
		if (fd >= 0)
			close(fd);
		goto out;
	}
	if (fchmod(fd, mode) || fn(f, data) || fflush(f) || ferror(f) || fsync(fd)) {
		write_failed(err, what, path);
		goto out;
	}
	if (fclose(f)) {
		f = NULL;
		write_failed(err, what, path);
		goto out;
	}
	f = NULL;
	if (rename(tmp.buf, path)) {
		write_failed(err, what, path);
		goto out;
	}
	ret = 0;
out:
	if (f)
		fclose(f);
	if (ret && fd >= 0)
		unlink(tmp.buf);
	strbuf_release(&tmp);
	return ret;
}

int write_strbuf(FILE *out, const void *sb)
{
	const struct strbuf *s = sb;

	return fwrite(s->buf, 1, s->len, out) == s->len ? 0 : -1;
}

struct report_call {
	report_fn fn;
	const struct report_meta *meta;
	const struct match_result *r;
};

static int call_report(FILE *out, const void *data)
{
	const struct report_call *c = data;

	return c->fn(out, c->meta, c->r);
}

/*
 * A flow the store could not give while the reports were written: they
 * lack it, so the command fails rather than passing on less than it knows.
 */
static int flows_check(const struct match_result *r, struct err *err)
{
	size_t i;

	for (i = 0; i < r->nr; i++) {
		const struct flow_loader *l = r->items[i].f->flows;

		if (l && err_is_set(&l->err))
			return err_set(err, l->err.status, "%s", l->err.msg.buf);
	}
	return 0;
}

int formats_write(const struct analysis_opts *o, const struct report_meta *meta,
		  const struct match_result *r, struct err *err)
{
	static const char *const text_only[] = { "text" };
	const char *const *specs = o->nformats ? o->formats : text_only;
	size_t n = o->nformats ? o->nformats : 1, i;
	struct strbuf name = STRBUF_INIT;
	const char *file;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		report_fn fn;

		split_format(specs[i], &name, &file);
		fn = report_lookup(name.buf);
		if (file) {
			struct report_call call = { fn, meta, r };

			ret = write_file_atomic(file, "report", 0644, call_report, &call, err);
		} else if (fn(stdout, meta, r) || fflush(stdout)) {
			ret = err_set(err, EXIT_ANALYSIS, "cannot write the %s report to standard output",
				      name.buf);
		}
	}
	strbuf_release(&name);
	return ret ? ret : flows_check(r, err);
}

/* go env on a thread of its own, from gate_open_begin to gate_open_finish. */
struct gate_probe {
	struct toolchain *tc;
	char *go;
	struct err err;
	int ret;
	pthread_t thread;
	int running;
};

static void *probe_thread(void *arg)
{
	struct gate_probe *p = arg;

	p->ret = toolchain_probe(p->tc, p->go, &p->err);
	return NULL;
}

/* Waits for go env; its error, if any, into err. Frees the probe. */
static int probe_finish(struct gate *g, struct err *err)
{
	struct gate_probe *p = g->probe;
	int ret = 0;

	if (!p)
		return 0;
	if (p->running)
		pthread_join(p->thread, NULL);
	else
		p->ret = toolchain_probe(p->tc, p->go, &p->err);
	if (p->ret)
		ret = err_move(err, &p->err);
	err_release(&p->err);
	free(p->go);
	free(p);
	g->probe = NULL;
	return ret;
}

int gate_open_begin(struct gate *g, const struct analysis_opts *o, struct err *err)
{
	struct strbuf store = STRBUF_INIT;
	const char *env_store = getenv("ESCGATE_STORE");
	struct gate_probe *p = xcalloc(1, sizeof(*p));
	char cwd[4096];
	int ret = -1;

	memset(g, 0, sizeof(*g));
	strbuf_init(&g->tmpdir, 0);
	g->quiet = o->quiet;
	g->build.tags = o->tags;
	/* go env (5-8 ms) runs while libgit2 starts and the revisions are read */
	p->tc = &g->tc;
	p->go = xstrdup(o->go ? o->go : "go");
	strbuf_init(&p->err.msg, 0);
	strbuf_init(&p->err.detail, 0);
	g->probe = p;
	p->running = !thread_start(&p->thread, probe_thread, p);
	git_libgit2_init();
	g->libgit2 = 1;
	/*
	 * libgit2 hashes every object it reads again; git does not, and zlib's
	 * checksum still catches a damaged pack. Reading the 600 Go files of a
	 * 200-package module took 8.4 ms with the check, 5.6 ms without.
	 */
	git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
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
	if (store_open(&g->store, store.buf, err) || tmpdir_create(&g->tmpdir, err))
		goto out;
	ret = 0;
out:
	/* callers close only a gate that opened: undo a partial one here */
	if (ret)
		gate_close(g);
	strbuf_release(&store);
	return ret;
}

int gate_open_finish(struct gate *g, struct err *err)
{
	if (!probe_finish(g, err))
		return 0;
	gate_close(g);
	return -1;
}

int gate_open(struct gate *g, const struct analysis_opts *o, struct err *err)
{
	return gate_open_begin(g, o, err) || gate_open_finish(g, err) ? -1 : 0;
}

int gate_open_rev(struct gate *g, const struct analysis_opts *o, const struct rev_args *a,
		  struct revision *rev, struct err *err)
{
	int ret = gate_open(g, o, err);

	if (!ret && a->worktree)
		rev_worktree(rev);
	else if (!ret && rev_resolve(g->repo, a->spec ? a->spec : "HEAD", rev, err)) {
		gate_close(g);
		ret = -1;
	}
	return ret;
}

void gate_close(struct gate *g)
{
	struct err ignored = ERR_INIT;

	probe_finish(g, &ignored);
	err_release(&ignored);
	scope_job_free(g->planned);
	tmpdir_remove(g->tmpdir.buf);
	strbuf_release(&g->tmpdir);
	toolchain_release(&g->tc);
	/* libgit2 first: it stops while the store's last checkpoint syncs */
	git_repository_free(g->repo);
	if (g->libgit2)
		git_libgit2_shutdown();
	store_close(g->store);
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
