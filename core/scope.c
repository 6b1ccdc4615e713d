#include "scope.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "affected.h"
#include "gosrc.h"
#include "strbuf.h"
#include "thread.h"
#include "treediff.h"
#include "util.h"

/* A directory holding non-test Go files in either revision. */
struct dir_node {
	char *rel;                 /* "" for the root */
	struct strset imports;     /* import paths of its files, both revisions */
	struct dir_node **edges;   /* the directories it imports, once resolved */
	size_t nedges, aedges;
	unsigned in_head : 1, embeds : 1, cgo : 1;
	unsigned affected : 1, needed : 1;
};

/*
 * A non-test Go file to read the imports of: every one of the head, queued
 * by the tree walk, and the base's changed ones before them.
 */
struct queued_file {
	struct dir_node *dir;
	char *rel;
	git_oid oid;
	struct strset imports;     /* what reading it found */
	unsigned read : 1, unreadable : 1, bad_imports : 1, embeds : 1, cgo : 1;
};

struct scan {
	git_repository *repo;
	struct strmap by_rel;      /* rel -> struct dir_node */
	struct dir_node **dirs;    /* the same, in the order they were found */
	size_t nr, alloc;
	struct queued_file *files;     /* in the order they were found */
	size_t nfiles, afiles;
	atomic_size_t next_file;   /* the first not yet taken by a reader */
	struct strbuf module;      /* the root go.mod's module path */
	struct strbuf whole;       /* why the plan is whole trees */
	struct err *err;
};

/* The node of rel, made when new. */
static struct dir_node *get_dir(struct scan *sc, const char *rel)
{
	int added;
	void **slot = strmap_put(&sc->by_rel, rel, &added);
	struct dir_node *d;

	if (!added)
		return *slot;
	d = xcalloc(1, sizeof(*d));
	d->rel = xstrdup(rel);
	*slot = d;
	ALLOC_GROW(sc->dirs, sc->nr + 1, sc->alloc);
	sc->dirs[sc->nr++] = d;
	return d;
}

/* The node of rel, or NULL. */
static struct dir_node *find_dir(struct scan *sc, const char *rel)
{
	void **slot = strmap_get(&sc->by_rel, rel);

	return slot ? *slot : NULL;
}

/* Whether go's ./... and the build skip this directory: testdata, .hidden, _hidden. */
static int ignored_component(const char *name, size_t len)
{
	return !len || name[0] == '.' || name[0] == '_' ||
	       (len == 8 && !strncmp(name, "testdata", 8));
}

static int ignored_path(const char *path)
{
	const char *p = path, *slash;

	while ((slash = strchr(p, '/'))) {
		if (ignored_component(p, (size_t)(slash - p)))
			return 1;
		p = slash + 1;
	}
	return 0;
}

/* The first reason to write whole trees: "subject text", or text alone. */
static void set_whole(struct scan *sc, const char *subject, const char *text)
{
	if (sc->whole.len)
		return;
	if (subject)
		strbuf_addf(&sc->whole, "%s ", subject);
	strbuf_addstr(&sc->whole, text);
}

/* Queues the Go file rel (blob oid) of directory dir for reading, a file of the head or not. */
static void queue_go_file(struct scan *sc, const char *dir, const char *rel, const git_oid *oid,
			  int in_head)
{
	struct queued_file *f;

	ALLOC_GROW(sc->files, sc->nfiles + 1, sc->afiles);
	f = &sc->files[sc->nfiles++];
	memset(f, 0, sizeof(*f));
	f->dir = get_dir(sc, dir);
	if (in_head)
		f->dir->in_head = 1;
	f->rel = xstrdup(rel);
	git_oid_cpy(&f->oid, oid);
}

static void add_file_import(const char *path, size_t len, void *arg)
{
	struct queued_file *f = arg;
	char *p = xstrndup(path, len);

	if (!strcmp(p, "C"))
		f->cgo = 1;
	strset_add(&f->imports, p);
	free(p);
}

/* Reads one queued file through odb; touches nothing but *f. */
static void read_go_file(git_odb *odb, struct queued_file *f)
{
	git_odb_object *obj = NULL;
	const char *data;
	size_t len;

	f->read = 1;
	if (git_odb_read(&obj, odb, &f->oid) || git_odb_object_type(obj) != GIT_OBJECT_BLOB) {
		f->unreadable = 1;
		goto out;
	}
	data = git_odb_object_data(obj);
	len = git_odb_object_size(obj);
	if (go_scan_imports(data, len, add_file_import, f) < 0)
		f->bad_imports = 1;
	if (memmem(data, len, "//go:embed", 10))
		f->embeds = 1;
out:
	git_odb_object_free(obj);
}

/* Takes queued files, a few at a time, until none is left. */
#define READ_BATCH 16

static void read_go_files(struct scan *sc, git_odb *odb)
{
	size_t i, end;

	while ((i = atomic_fetch_add(&sc->next_file, READ_BATCH)) < sc->nfiles) {
		end = i + READ_BATCH < sc->nfiles ? i + READ_BATCH : sc->nfiles;
		for (; i < end; i++)
			read_go_file(odb, &sc->files[i]);
	}
}

struct file_reader {
	struct scan *sc;
	const char *objects_dir;
	pthread_t thread;
};

/* A reader beside the walker's thread, through an object database of its own. */
static void *file_reader_thread(void *arg)
{
	struct file_reader *r = arg;
	git_odb *odb = NULL;

	if (!git_odb_open(&odb, r->objects_dir))
		read_go_files(r->sc, odb);
	git_odb_free(odb);
	return NULL;
}

/*
 * Reading and inflating the Go files is most of a plan's time (600
 * files, 6-7 ms on one core): they are read on as many threads as there
 * are CPUs, up to READERS, one per READ_PER_THREAD files. libgit2 objects
 * are for one thread at a time, so each extra reader opens the object
 * database again (about 0.3 ms); measured on the benchmark's 2 cores, the
 * 600 files took 6.5 ms on one thread and 4.5 ms on two.
 */
#define READERS 4
#define READ_PER_THREAD 128

static void read_queued_files(struct scan *sc)
{
	struct file_reader readers[READERS - 1];
	struct strbuf objects = STRBUF_INIT;
	const char *common = git_repository_commondir(sc->repo);
	git_odb *odb = NULL;
	size_t nthreads = 0, others = (size_t)thread_cpus() - 1, want, i;

	want = sc->nfiles / READ_PER_THREAD;
	if (want > others)
		want = others;
	if (want > READERS - 1)
		want = READERS - 1;
	strbuf_addf(&objects, "%s%sobjects", common,
		    *common && common[strlen(common) - 1] == '/' ? "" : "/");
	atomic_store(&sc->next_file, 0);
	for (i = 0; i < want; i++) {
		readers[nthreads].sc = sc;
		readers[nthreads].objects_dir = objects.buf;
		if (!thread_start(&readers[nthreads].thread, file_reader_thread, &readers[nthreads]))
			nthreads++;
	}
	if (!git_repository_odb(&odb, sc->repo))
		read_go_files(sc, odb);
	for (i = 0; i < nthreads; i++)
		pthread_join(readers[i].thread, NULL);
	git_odb_free(odb);
	strbuf_release(&objects);
	/* in the order queued, as one thread would have: the first reason to go whole wins */
	for (i = 0; i < sc->nfiles; i++) {
		struct queued_file *f = &sc->files[i];

		if (!f->read || f->unreadable)
			set_whole(sc, f->rel, "cannot be read");
		else if (f->bad_imports)
			set_whole(sc, f->rel, "has imports that cannot be read");
		f->dir->embeds |= f->embeds;
		f->dir->cgo |= f->cgo;
		strset_take(&f->dir->imports, &f->imports);
	}
}

/* "module example.com/m" from go.mod; a replace by a local path makes the plan whole. */
static void read_go_mod(struct scan *sc, const git_oid *oid)
{
	git_blob *blob = NULL;
	const char *p, *end;

	if (git_blob_lookup(&blob, sc->repo, oid)) {
		set_whole(sc, "go.mod", "cannot be read");
		return;
	}
	p = git_blob_rawcontent(blob);
	end = p + git_blob_rawsize(blob);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *eol = nl ? nl : end;
		const char *arrow = memmem(p, (size_t)(eol - p), "=>", 2), *q;

		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		if (eol - p > 7 && !strncmp(p, "module", 6) && (p[6] == ' ' || p[6] == '\t')) {
			for (p += 7; p < eol && (*p == ' ' || *p == '\t' || *p == '"'); p++)
				;
			for (q = p; q < eol && *q != ' ' && *q != '\t' && *q != '"' && *q != '\r'; q++)
				;
			strbuf_reset(&sc->module);
			strbuf_add(&sc->module, p, (size_t)(q - p));
		}
		if (arrow) {
			for (q = arrow + 2; q < eol && (*q == ' ' || *q == '\t'); q++)
				;
			if (q < eol && (*q == '.' || *q == '/'))
				set_whole(sc, "go.mod", "replaces a module by a directory");
		}
		p = eol + (nl ? 1 : 0);
	}
	git_blob_free(blob);
}

static int is_go_source(const char *name)
{
	return ends_with(name, ".go") && !is_go_test(name);
}

static int head_entry(const char *root, const git_tree_entry *entry, void *payload)
{
	struct scan *sc = payload;
	const char *name = git_tree_entry_name(entry);
	git_filemode_t mode = git_tree_entry_filemode(entry);
	struct strbuf rel = STRBUF_INIT, dir = STRBUF_INIT;
	int ret = 0;

	strbuf_addf(&rel, "%s%s", root, name);
	if (mode == GIT_FILEMODE_TREE) {
		if (!*root && !strcmp(name, "vendor"))
			set_whole(sc, NULL, "the module vendors its dependencies");
		/* what go ignores cannot be a package of ours (a go.mod in testdata is a fixture) */
		ret = ignored_component(name, strlen(name)) ? 1 : 0;
		goto out;
	}
	if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE)
		goto out;
	if (!strcmp(name, "go.mod")) {
		if (*root)
			set_whole(sc, rel.buf, "is a second module");
		else
			read_go_mod(sc, git_tree_entry_id(entry));
	} else if (!*root && !strcmp(name, "go.work")) {
		set_whole(sc, NULL, "the repository is a Go workspace");
	} else if (is_go_source(name)) {
		strbuf_add(&dir, root, *root ? strlen(root) - 1 : 0);
		queue_go_file(sc, dir.buf, rel.buf, git_tree_entry_id(entry), 1);
	}
out:
	strbuf_release(&rel);
	strbuf_release(&dir);
	return ret;
}

struct change_scan {
	struct scan *sc;
	struct strset *changed;
};

/* One changed file: go.mod and the like decide the plan at once (nothing else needs reading). */
static int scan_change(const char *path, const git_tree_entry *old, const git_tree_entry *new,
		       void *data)
{
	struct change_scan *cs = data;
	const char *why = whole_module_reason(path), *slash;

	(void)new;
	if (why) {
		set_whole(cs->sc, path, why);
		return 1;
	}
	strset_add(cs->changed, path);
	slash = strrchr(path, '/');
	if (old && is_go_source(slash ? slash + 1 : path) && !ignored_path(path)) {
		char *dir = xstrndup(path, slash ? (size_t)(slash - path) : 0);

		queue_go_file(cs->sc, dir, path, git_tree_entry_id(old), 0);
		free(dir);
	}
	return 0;
}

/* The changed paths of both revisions; the base's changed Go files are queued too. */
static int scan_changes(struct scan *sc, git_tree *base_tree, git_tree *head_tree,
			struct strset *changed)
{
	struct change_scan cs = { sc, changed };

	if (tree_changes(sc->repo, base_tree, head_tree, scan_change, &cs, sc->err) < 0)
		return -1;
	strset_seal(changed);
	return 0;
}

/* Resolves every directory's imports of this module to edges between directories. */
static void resolve_imports(struct scan *sc)
{
	size_t mlen = sc->module.len, i, j;

	for (i = 0; i < sc->nr && !sc->whole.len; i++) {
		struct dir_node *d = sc->dirs[i];

		for (j = 0; j < d->imports.nr; j++) {
			const char *p = d->imports.items[j], *rel;
			struct dir_node *to;

			if (strncmp(p, sc->module.buf, mlen) || (p[mlen] && p[mlen] != '/'))
				continue;   /* the standard library or another module */
			rel = p[mlen] ? p + mlen + 1 : "";
			to = find_dir(sc, rel);
			if (!to) {
				set_whole(sc, p, "is imported but has no Go files");
				break;
			}
			ALLOC_GROW(d->edges, d->nedges + 1, d->aedges);
			d->edges[d->nedges++] = to;
		}
	}
}

/* Marks the directories whose packages can change: those of the changed files and their importers. */
static void mark_affected(struct scan *sc, const struct strset *changed)
{
	size_t i, j, changed_any;

	for (i = 0; i < changed->nr && !sc->whole.len; i++) {
		const char *path = changed->items[i];
		struct strbuf prefix = STRBUF_INIT;
		const char *p;
		int owned = 0;

		if (is_go_test(path))
			continue;   /* never compiled, never written (tree.h) */
		/* the deepest directory above the file that holds Go files owns it (embedding) */
		strbuf_addstr(&prefix, path);
		while (!owned) {
			struct dir_node *d;

			p = strrchr(prefix.buf, '/');
			strbuf_setlen(&prefix, p ? (size_t)(p - prefix.buf) : 0);
			if ((d = find_dir(sc, prefix.buf))) {
				d->affected = 1;
				owned = 1;
			}
			if (!p)
				break;
		}
		if (!owned && is_build_input(path))
			set_whole(sc, path, "is in no package");
		strbuf_release(&prefix);
	}
	/* importers, transitively: few rounds over the edges on real import graphs */
	do {
		changed_any = 0;
		for (i = 0; i < sc->nr; i++) {
			struct dir_node *d = sc->dirs[i];

			for (j = 0; !d->affected && j < d->nedges; j++)
				if (d->edges[j]->affected)
					d->affected = changed_any = 1;
		}
	} while (changed_any);
}

/* What the affected directories import, transitively. */
static void mark_needed(struct scan *sc)
{
	struct dir_node **stack = xcalloc(sc->nr + 1, sizeof(*stack));
	size_t n = 0, i, j;

	for (i = 0; i < sc->nr; i++)
		if (sc->dirs[i]->affected) {
			sc->dirs[i]->needed = 1;
			stack[n++] = sc->dirs[i];
		}
	while (n) {
		struct dir_node *d = stack[--n];

		for (j = 0; j < d->nedges; j++) {
			struct dir_node *to = d->edges[j];

			if (!to->needed) {
				to->needed = 1;
				stack[n++] = to;
			}
		}
	}
	free(stack);
}

static void add_ancestors(struct strset *set, const char *rel)
{
	const char *p;

	strset_add(set, "");
	for (p = rel; (p = strchr(p, '/')); p++) {
		char *up = xstrndup(rel, (size_t)(p - rel));

		strset_add(set, up);
		free(up);
	}
}

static void free_dir(void *p)
{
	struct dir_node *d = p;

	free(d->rel);
	strset_release(&d->imports);
	free(d->edges);
	free(d);
}

static void scan_release(struct scan *sc)
{
	size_t i;

	for (i = 0; i < sc->nfiles; i++) {
		free(sc->files[i].rel);
		strset_release(&sc->files[i].imports);
	}
	free(sc->files);
	strmap_release(&sc->by_rel, free_dir);
	free(sc->dirs);
	strbuf_release(&sc->module);
	strbuf_release(&sc->whole);
}

int scope_plan(git_repository *repo, const struct revision *base, const struct revision *head,
	       struct scope_plan *plan, struct strbuf *why, struct err *err)
{
	struct scan sc = { repo, { NULL, NULL, 0, 0 }, NULL, 0, 0, NULL, 0, 0, 0,
			   STRBUF_INIT, STRBUF_INIT, err };
	struct strset changed = { 0 };
	git_tree *base_tree = NULL, *head_tree = NULL;
	size_t i;
	int ret = -1;

	memset(plan, 0, sizeof(*plan));
	if (head->worktree || !base->commit) {
		set_whole(&sc, NULL, "the head is the working tree");
		goto decided;
	}
	if (git_commit_tree(&base_tree, base->commit) || git_commit_tree(&head_tree, head->commit)) {
		err_set(err, EXIT_ANALYSIS, "cannot read the trees of %s and %s: %s", base->label,
			head->label, git_error_last() ? git_error_last()->message : "unknown error");
		goto out;
	}
	/* the changes first: one to go.mod or vendored code decides it at once */
	if (scan_changes(&sc, base_tree, head_tree, &changed))
		goto out;
	if (sc.whole.len)
		goto decided;
	if (git_tree_walk(head_tree, GIT_TREEWALK_PRE, head_entry, &sc)) {
		err_set(err, EXIT_ANALYSIS, "cannot read the tree of %s: %s", head->label,
			git_error_last() ? git_error_last()->message : "unknown error");
		goto out;
	}
	if (!sc.whole.len)
		read_queued_files(&sc);
	if (!sc.whole.len && !sc.module.len)
		set_whole(&sc, NULL, "no go.mod with a module path at the root");
	if (sc.whole.len)
		goto decided;
	for (i = 0; i < sc.nr; i++)
		if (sc.dirs[i]->in_head)
			plan->npackages++;
	resolve_imports(&sc);
	if (!sc.whole.len)
		mark_affected(&sc, &changed);
	if (!sc.whole.len)
		mark_needed(&sc);
	for (i = 0; i < sc.nr && !sc.whole.len; i++) {
		struct dir_node *d = sc.dirs[i];

		if (!d->needed)
			continue;
		if (d->cgo)
			set_whole(&sc, *d->rel ? d->rel : ".", "uses cgo");
		strset_add(d->embeds ? &plan->subtrees : &plan->dirs, d->rel);
		add_ancestors(&plan->ancestors, d->rel);
		if (d->in_head)
			plan->nwritten++;
	}
	if (!sc.whole.len && plan->nwritten == plan->npackages)
		set_whole(&sc, NULL, "every package is needed");
decided:
	if (sc.whole.len) {
		scope_plan_release(plan);
		plan->whole = 1;
		strbuf_addbuf(why, &sc.whole);
	} else {
		strset_seal(&plan->dirs);
		strset_seal(&plan->subtrees);
		strset_seal(&plan->ancestors);
	}
	ret = 0;
out:
	strset_release(&changed);
	git_tree_free(base_tree);
	git_tree_free(head_tree);
	scan_release(&sc);
	return ret;
}

struct scope_job {
	char *gitdir;            /* the repository's common directory: its objects */
	git_oid base, head;
	char *base_label, *head_label;
	struct scope_plan plan;
	struct strbuf why;
	struct err err;
	int ret;                 /* scope_plan's, or 1: the revisions could not be read */
	pthread_t thread;
};

static void *scope_job_thread(void *arg)
{
	struct scope_job *job = arg;
	git_repository *repo = NULL;
	git_commit *b = NULL, *h = NULL;
	struct revision base, head;

	job->ret = 1;
	if (git_repository_open_ext(&repo, job->gitdir, GIT_REPOSITORY_OPEN_NO_SEARCH, NULL) ||
	    git_commit_lookup(&b, repo, &job->base) || git_commit_lookup(&h, repo, &job->head))
		goto out;
	memset(&base, 0, sizeof(base));
	memset(&head, 0, sizeof(head));
	base.label = job->base_label;
	base.commit = b;
	head.label = job->head_label;
	head.commit = h;
	job->ret = scope_plan(repo, &base, &head, &job->plan, &job->why, &job->err);
out:
	git_commit_free(b);
	git_commit_free(h);
	git_repository_free(repo);
	return NULL;
}

/* Frees a job whose thread is joined. */
static void scope_job_release(struct scope_job *job)
{
	scope_plan_release(&job->plan);
	strbuf_release(&job->why);
	err_release(&job->err);
	free(job->gitdir);
	free(job->base_label);
	free(job->head_label);
	free(job);
}

struct scope_job *scope_job_start(git_repository *repo, const struct revision *base,
				  const struct revision *head)
{
	struct scope_job *job;

	if (head->worktree || !base->commit || !head->commit)
		return NULL;
	job = xcalloc(1, sizeof(*job));
	job->gitdir = xstrdup(git_repository_commondir(repo));
	git_oid_cpy(&job->base, git_commit_id(base->commit));
	git_oid_cpy(&job->head, git_commit_id(head->commit));
	job->base_label = xstrdup(base->label ? base->label : "base");
	job->head_label = xstrdup(head->label ? head->label : "head");
	strbuf_init(&job->why, 0);
	strbuf_init(&job->err.msg, 0);
	strbuf_init(&job->err.detail, 0);
	if (thread_start(&job->thread, scope_job_thread, job)) {
		scope_job_release(job);
		return NULL;
	}
	return job;
}

void scope_job_free(struct scope_job *job)
{
	if (!job)
		return;
	pthread_join(job->thread, NULL);
	scope_job_release(job);
}

int scope_job_finish(struct scope_job *job, const struct revision *base,
		     const struct revision *head, struct scope_plan *plan, struct strbuf *why,
		     struct err *err)
{
	int ret = 1;

	if (!job)
		return 1;
	pthread_join(job->thread, NULL);
	if (head->worktree || !base->commit || !head->commit ||
	    !git_oid_equal(&job->base, git_commit_id(base->commit)) ||
	    !git_oid_equal(&job->head, git_commit_id(head->commit)) || job->ret > 0)
		goto out;
	ret = job->ret;
	if (ret) {
		err_move(err, &job->err);
		goto out;
	}
	*plan = job->plan;
	memset(&job->plan, 0, sizeof(job->plan));
	strbuf_addbuf(why, &job->why);
out:
	scope_job_release(job);
	return ret;
}

void scope_plan_release(struct scope_plan *plan)
{
	if (!plan)
		return;
	strset_release(&plan->dirs);
	strset_release(&plan->subtrees);
	strset_release(&plan->ancestors);
	memset(plan, 0, sizeof(*plan));
}

/* Whether rel or a directory above it is written whole. */
static int in_subtree(const struct scope_plan *plan, const char *rel)
{
	struct strbuf up = STRBUF_INIT;
	const char *p;
	int hit = plan->subtrees.nr && strset_has(&plan->subtrees, rel);

	for (p = rel; !hit && plan->subtrees.nr && (p = strchr(p, '/')); p++) {
		strbuf_reset(&up);
		strbuf_add(&up, rel, (size_t)(p - rel));
		hit = strset_has(&plan->subtrees, up.buf);
	}
	strbuf_release(&up);
	return hit;
}

int scope_wants_dir(const struct scope_plan *plan, const char *rel)
{
	return strset_has(&plan->dirs, rel) || strset_has(&plan->ancestors, rel) ||
	       in_subtree(plan, rel);
}

int scope_wants_file(const struct scope_plan *plan, const char *dir, const char *name)
{
	if (!*dir && (!strcmp(name, "go.mod") || !strcmp(name, "go.sum")))
		return 1;
	return strset_has(&plan->dirs, dir) || in_subtree(plan, dir);
}
