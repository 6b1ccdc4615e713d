/* Running a command under the policy: configuration, targets, merging, the gate's decision. */
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/spawn.h"
#include "core/util.h"

static const char *const env_names[3] = { "GOFLAGS", "GOOS", "GOARCH" };

/* Reads a file given on the command line (must exist, a regular file). */
static int read_given_file(const char *path, struct strbuf *out, struct err *err)
{
	struct stat st;
	char buf[8192];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC), ret = -1;

	if (fd < 0 || fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		err_set(err, EXIT_USAGE, "cannot read '%s': %s", path,
			fd < 0 ? strerror(errno) : "not a regular file");
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(err, EXIT_USAGE, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		strbuf_add(out, buf, (size_t)n);
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	return ret;
}

/* .escgate as rev has it, through a private copy that libgit2's parser reads. */
static int read_revision_policy(struct run *r, const struct revision *rev, struct err *err)
{
	struct strbuf text = STRBUF_INIT, path = STRBUF_INIT, name = STRBUF_INIT;
	int found = 0, fd = -1, ret = -1;

	if (rev_read_file(r->g->repo, rev, POLICY_FILE, &text, &found, err))
		goto out;
	if (!found) {
		ret = 0;
		goto out;
	}
	if (rev->worktree)
		strbuf_addstr(&name, POLICY_FILE);
	else
		strbuf_addf(&name, "%s:%s", rev->label, POLICY_FILE);
	strbuf_addf(&path, "%s/config-XXXXXX", r->g->tmpdir.buf);
	fd = mkstemp(path.buf);
	if (fd < 0 || write(fd, text.buf, text.len) != (ssize_t)text.len) {
		err_set(err, EXIT_ANALYSIS, "cannot copy %s to '%s': %s", name.buf, path.buf,
			strerror(errno));
		goto out;
	}
	ret = policy_read(&r->policy, path.buf, name.buf, text.buf, text.len, err);
out:
	if (fd >= 0) {
		close(fd);
		unlink(path.buf);
	}
	strbuf_release(&text);
	strbuf_release(&path);
	strbuf_release(&name);
	return ret;
}

/* "\n" + sb + "\n": every line of it then reads "\nLINE\n". */
static void strbuf_insert_nl(struct strbuf *sb)
{
	struct strbuf tmp = STRBUF_INIT;

	strbuf_addf(&tmp, "\n%s\n", sb->buf);
	strbuf_release(sb);
	*sb = tmp;
}

/* Every target must be one this Go can build for: `go tool dist list` knows them. */
static int check_targets(struct run *r, const char *from, struct err *err)
{
	const char *argv[] = { r->g->tc.go, "tool", "dist", "list", NULL };
	struct strbuf out = STRBUF_INIT, errout = STRBUF_INIT, want = STRBUF_INIT;
	struct spawn sp = { argv, NULL, NULL, &out, NULL, NULL, &errout };
	size_t i;
	int status = 0, ret = -1;

	if (!r->policy.targets.nr)
		return 0;
	if (spawn_run(&sp, &status, err))
		goto out;
	if (status) {
		strbuf_trim(&errout);
		err_set(err, EXIT_ANALYSIS, "'%s tool dist list' failed: %s", r->g->tc.go, errout.buf);
		goto out;
	}
	strbuf_insert_nl(&out);
	for (i = 0; i < r->policy.targets.nr; i++) {
		strbuf_reset(&want);
		strbuf_addf(&want, "\n%s\n", r->policy.targets.v[i]);
		if (!strstr(out.buf, want.buf)) {
			err_set(err, EXIT_USAGE,
				"%s: '%s' is not a target %s can build for (see 'go tool dist list')",
				from, r->policy.targets.v[i], r->g->tc.version);
			goto out;
		}
	}
	ret = 0;
out:
	strbuf_release(&out);
	strbuf_release(&errout);
	strbuf_release(&want);
	return ret;
}

int run_begin(struct run *r, struct gate *g, const struct analysis_opts *o,
	      const struct revision *rev, struct err *err)
{
	struct policy cli = { 0 };
	struct strbuf text = STRBUF_INIT;
	size_t i;
	int ret = -1;

	memset(r, 0, sizeof(*r));
	r->g = g;
	r->o = o;
	strbuf_init(&r->env_key, 0);
	for (i = 0; i < 3; i++) {
		const char *v = getenv(env_names[i]);

		r->saved[i] = v ? xstrdup(v) : NULL;
		strbuf_addf(&r->env_key, "%s=%s\n", env_names[i], v ? v : "");
	}
	if (o->config) {
		if (read_given_file(o->config, &text, err) ||
		    policy_read(&r->policy, o->config, o->config, text.buf, text.len, err))
			goto out;
	} else if (rev && read_revision_policy(r, rev, err)) {
		goto out;
	}
	for (i = 0; i < o->npolicy_opts; i++)
		if (policy_set_option(&cli, o->policy_opts[i][0], o->policy_opts[i][1], err))
			goto out;
	if (o->tags)
		cli.tags = xstrdup(o->tags);
	policy_override(&r->policy, &cli);
	strbuf_reset(&text);
	if (cli.targets.nr)
		strbuf_addstr(&text, "--target");
	else
		strbuf_addf(&text, "%s: gate.targets", r->policy.source ? r->policy.source : "");
	if (check_targets(r, text.buf, err))
		goto out;
	r->ntargets = r->policy.targets.nr ? r->policy.targets.nr : 1;
	if (!o->quiet && r->policy.source)
		fprintf(stderr, "escgate: policy: %s\n", r->policy.source);
	ret = 0;
out:
	policy_release(&cli);
	strbuf_release(&text);
	return ret;
}

static void restore_env(struct run *r)
{
	size_t i;

	for (i = 0; i < 3; i++) {
		if (r->saved[i])
			setenv(env_names[i], r->saved[i], 1);
		else
			unsetenv(env_names[i]);
	}
}

void run_end(struct run *r)
{
	size_t i;

	if (!r->g)
		return;
	restore_env(r);
	/* the gate goes on as it was opened (pre-push checks several refs) */
	{
		struct strbuf now = STRBUF_INIT;
		struct err ignored = ERR_INIT;

		for (i = 0; i < 3; i++)
			strbuf_addf(&now, "%s=%s\n", env_names[i], r->saved[i] ? r->saved[i] : "");
		if (strcmp(now.buf, r->env_key.buf) && r->g->tc.go) {
			char *go = xstrdup(r->g->tc.go);

			toolchain_release(&r->g->tc);
			toolchain_probe(&r->g->tc, go, &ignored);
			free(go);
		}
		strbuf_release(&now);
		err_release(&ignored);
	}
	r->g->build.tags = r->o->tags;
	for (i = 0; i < r->nlists; i++) {
		finding_list_release(r->lists[i]);
		free(r->lists[i]);
	}
	free(r->lists);
	for (i = 0; i < 3; i++)
		free(r->saved[i]);
	strbuf_release(&r->env_key);
	policy_release(&r->policy);
	memset(r, 0, sizeof(*r));
}

const char *run_target_name(const struct run *r, size_t t)
{
	return r->policy.targets.nr ? r->policy.targets.v[t] : NULL;
}

void run_label(const struct run *r, const char *label, size_t t, struct strbuf *out)
{
	const char *name = run_target_name(r, t), *p;

	strbuf_addstr(out, label);
	if (!name)
		return;
	/* a directory name too: no '/' */
	strbuf_addch(out, '-');
	for (p = name; *p; p++)
		strbuf_addch(out, *p == '/' ? '-' : *p);
}

int run_target(struct run *r, size_t t, struct err *err)
{
	const char *name = run_target_name(r, t), *slash = name ? strchr(name, '/') : NULL;
	struct strbuf goflags = STRBUF_INIT, key = STRBUF_INIT, goos = STRBUF_INIT;
	const char *value[3];
	size_t i;
	int ret = -1;

	r->target = t;
	r->g->build.tags = r->policy.tags && *r->policy.tags ? r->policy.tags : NULL;
	/* gate.goflags add to the environment's GOFLAGS: later flags win in the go command */
	if (r->saved[0])
		strbuf_addstr(&goflags, r->saved[0]);
	if (r->policy.goflags && *r->policy.goflags)
		strbuf_addf(&goflags, "%s%s", goflags.len ? " " : "", r->policy.goflags);
	value[0] = goflags.len || r->saved[0] ? goflags.buf : NULL;
	if (slash)
		strbuf_add(&goos, name, (size_t)(slash - name));
	value[1] = slash ? goos.buf : r->saved[1];
	value[2] = slash ? slash + 1 : r->saved[2];
	for (i = 0; i < 3; i++) {
		if (value[i])
			setenv(env_names[i], value[i], 1);
		else
			unsetenv(env_names[i]);
		strbuf_addf(&key, "%s=%s\n", env_names[i], value[i] ? value[i] : "");
	}
	if (strcmp(key.buf, r->env_key.buf)) {
		char *go = xstrdup(r->g->tc.go);

		toolchain_release(&r->g->tc);
		ret = toolchain_probe(&r->g->tc, go, err);
		free(go);
		if (ret)
			goto out;
		strbuf_reset(&r->env_key);
		strbuf_addstr(&r->env_key, key.buf);
	}
	ret = 0;
out:
	strbuf_release(&goflags);
	strbuf_release(&key);
	strbuf_release(&goos);
	return ret;
}

struct finding_list *run_adopt(struct run *r, struct finding_list *l, size_t t)
{
	struct finding_list *own = xmalloc(sizeof(*own));
	const char *name = t == RUN_UNTAGGED ? NULL : run_target_name(r, t);
	size_t i;

	*own = *l;
	memset(l, 0, sizeof(*l));
	for (i = 0; name && i < own->nr; i++) {
		free(own->items[i].targets);
		own->items[i].targets = xstrdup(name);
	}
	ALLOC_GROW(r->lists, r->nlists + 1, r->alists);
	r->lists[r->nlists++] = own;
	return own;
}

int run_findings(struct run *r, const struct revision *rev, const char *label, int all,
		 struct finding_list **out, struct err *err)
{
	struct finding_list l = { 0 };
	struct strbuf name = STRBUF_INIT;
	long long id = 0;
	int ret = -1;

	run_label(r, label, r->target, &name);
	if (analysis_get(r->g, rev, name.buf, &id, err) ||
	    store_load_findings(r->g->store, id, 0, &l, err))
		goto out;
	if (!all)
		policy_filter(&r->policy, &l);
	*out = run_adopt(r, &l, r->target);
	ret = 0;
out:
	finding_list_release(&l);
	strbuf_release(&name);
	return ret;
}

int run_revision(struct run *r, const struct revision *rev, const char *label, int all,
		 struct finding_list **out, struct err *err)
{
	struct finding_list **per = xcalloc(r->ntargets, sizeof(*per));
	size_t t;
	int ret = -1;

	for (t = 0; t < r->ntargets; t++)
		if (run_target(r, t, err) || run_findings(r, rev, label, all, &per[t], err))
			goto out;
	*out = run_merge(r, per, r->ntargets);
	ret = 0;
out:
	free(per);
	return ret;
}

/* --- merging targets ---------------------------------------------------------- */

/* Same finding on two targets: identity, occurrence, position and verdict. */
static int cmp_same(const struct finding *a, const struct finding *b)
{
	int c;

	if ((c = strcmp(a->package, b->package)) || (c = strcmp(a->scope, b->scope)))
		return c;
	if (a->kind != b->kind)
		return a->kind < b->kind ? -1 : 1;
	if ((c = strcmp(a->verdict, b->verdict)))
		return c;
	if (a->occurrence != b->occurrence)
		return a->occurrence < b->occurrence ? -1 : 1;
	if ((c = strcmp(a->file, b->file)))
		return c;
	if (a->line != b->line)
		return a->line < b->line ? -1 : 1;
	if (a->col != b->col)
		return a->col < b->col ? -1 : 1;
	return strcmp(a->message, b->message);
}

struct tagged {
	struct finding *f;
	size_t list;   /* which target: keeps their order in f->targets */
};

static int cmp_tagged(const void *x, const void *y)
{
	const struct tagged *a = x, *b = y;
	int c = cmp_same(a->f, b->f);

	if (c)
		return c;
	return a->list < b->list ? -1 : a->list > b->list;
}

static void add_target(struct finding *into, const struct finding *from)
{
	struct strbuf sb = STRBUF_INIT;

	if (!from->targets)
		return;
	strbuf_addstr(&sb, into->targets ? into->targets : "");
	strbuf_addf(&sb, "%s%s", sb.len ? " " : "", from->targets);
	free(into->targets);
	into->targets = strbuf_detach(&sb, NULL);
}

static int cmp_allow(const void *x, const void *y)
{
	const struct allow_comment *a = x, *b = y;
	int c = strcmp(a->file, b->file);

	return c ? c : a->line < b->line ? -1 : a->line > b->line;
}

void run_merge_allows(struct finding_list *const *lists, size_t n, struct allow_list *out)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < lists[i]->allows.nr; j++) {
			const struct allow_comment *a = &lists[i]->allows.items[j];

			allow_list_add(out, a->package, a->file, a->line, a->reason, a->used);
		}
	}
	if (out->nr)
		qsort(out->items, out->nr, sizeof(*out->items), cmp_allow);
	/* an allow comment is used when it was used on any target */
	for (i = j = 0; i < out->nr; i++) {
		struct allow_comment *a = &out->items[i];

		if (j && !cmp_allow(&out->items[j - 1], a)) {
			out->items[j - 1].used |= a->used;
			free(a->package);
			free(a->file);
			free(a->reason);
		} else {
			out->items[j++] = *a;
		}
	}
	out->nr = j;
}

struct finding_list *run_merge(struct run *r, struct finding_list **lists, size_t n)
{
	struct finding_list merged = { 0 };
	struct tagged *all = NULL;
	size_t total = 0, i, j, k;

	if (n == 1)
		return lists[0];
	for (i = 0; i < n; i++)
		total += lists[i]->nr;
	all = xcalloc(total + 1, sizeof(*all));
	for (i = k = 0; i < n; i++)
		for (j = 0; j < lists[i]->nr; j++, k++) {
			all[k].f = &lists[i]->items[j];
			all[k].list = i;
		}
	if (total)
		qsort(all, total, sizeof(*all), cmp_tagged);
	for (i = 0; i < total; i = j) {
		struct finding *f = finding_list_add(&merged);

		*f = *all[i].f;
		memset(all[i].f, 0, sizeof(*all[i].f));
		for (j = i + 1; j < total && !cmp_same(f, all[j].f); j++)
			add_target(f, all[j].f);
	}
	run_merge_allows(lists, n, &merged.allows);
	for (i = 0; i < n; i++) {
		finding_list_release(lists[i]);
	}
	free(all);
	return run_adopt(r, &merged, RUN_UNTAGGED);
}

struct tagged_entry {
	const struct match_entry *e;
	size_t result;
};

static int cmp_tagged_entry(const void *x, const void *y)
{
	const struct tagged_entry *a = x, *b = y;
	int c;

	if (a->e->status != b->e->status)
		return a->e->status < b->e->status ? -1 : 1;
	if ((c = cmp_same(a->e->f, b->e->f)))
		return c;
	return a->result < b->result ? -1 : a->result > b->result;
}

void run_merge_results(struct match_result *results, size_t n, struct match_result *out)
{
	struct tagged_entry *all = NULL;
	size_t total = 0, i, j, k;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < n; i++)
		total += results[i].nr;
	all = xcalloc(total + 1, sizeof(*all));
	for (i = k = 0; i < n; i++)
		for (j = 0; j < results[i].nr; j++, k++) {
			all[k].e = &results[i].items[j];
			all[k].result = i;
		}
	if (total)
		qsort(all, total, sizeof(*all), cmp_tagged_entry);
	for (i = 0; i < total; i = j) {
		/* the findings are the run's own lists: their targets can be joined in place */
		struct finding *f = (struct finding *)all[i].e->f;

		for (j = i + 1; j < total && all[j].e->status == all[i].e->status &&
				!cmp_same(f, all[j].e->f);
		     j++)
			add_target(f, all[j].e->f);
		match_result_add(out, all[i].e->status, f);
	}
	match_result_sort(out);
	free(all);
}

/* --- checks and the decision ---------------------------------------------------- */

int run_check_allows(const struct allow_list *l, struct err *err)
{
	size_t i;

	for (i = 0; i < l->nr; i++) {
		const struct allow_comment *a = &l->items[i];

		if (!*a->reason)
			return err_set(err, EXIT_USAGE,
				       "%s:%u: //escgate:allow needs a reason: say why this escape is acceptable",
				       a->file, a->line);
	}
	for (i = 0; i < l->nr; i++) {
		const struct allow_comment *a = &l->items[i];

		if (!a->used)
			fprintf(stderr,
				"escgate: warning: %s:%u: unused //escgate:allow: no escape or leak here to suppress\n",
				a->file, a->line);
	}
	return 0;
}

int run_read_baseline(struct run *r, const struct revision *rev, const char *file,
		      struct baseline *b, int *found, struct err *err)
{
	struct strbuf text = STRBUF_INIT, name = STRBUF_INIT;
	int ret = -1;

	*found = 0;
	if (file) {
		if (read_given_file(file, &text, err))
			goto out;
		*found = 1;
		strbuf_addstr(&name, file);
	} else {
		if (rev_read_file(r->g->repo, rev, BASELINE_FILE, &text, found, err))
			goto out;
		if (rev->worktree)
			strbuf_addstr(&name, BASELINE_FILE);
		else
			strbuf_addf(&name, "%s:%s", rev->label, BASELINE_FILE);
	}
	if (*found && baseline_parse(b, name.buf, text.buf, text.len, err))
		goto out;
	ret = 0;
out:
	strbuf_release(&text);
	strbuf_release(&name);
	return ret;
}

size_t run_failing(const struct run *r, const struct match_result *res)
{
	int kinds = policy_fail_on(&r->policy);
	long max = policy_max_new(&r->policy);
	size_t i, n = 0;

	for (i = 0; i < res->nr; i++)
		if (res->items[i].status == MATCH_NEW && (kinds & (1 << res->items[i].f->kind)))
			n++;
	if (n < res->nnew && !r->o->quiet)
		fprintf(stderr, "escgate: %zu new finding%s of kinds gate.failOn does not fail on\n",
			res->nnew - n, res->nnew - n == 1 ? "" : "s");
	if (n && (long)n <= max && !r->o->quiet)
		fprintf(stderr, "escgate: %zu new finding%s, within gate.maxNew = %ld\n", n,
			n == 1 ? "" : "s", max);
	return (long)n > max ? n : 0;
}
