#include "attribute.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gosrc.h"
#include "strset.h"
#include "tree.h"
#include "store/store.h"
#include "util.h"

/*
 * Scanned source files by absolute path (NULL where a file could not be
 * read): a file is read and scanned once however many findings it holds. The
 * compiler reports package by package, so a cache that starts over when
 * it holds SOURCE_CACHE_MAX files rereads little and keeps memory bounded
 * whatever the size of the repository.
 */
#define SOURCE_CACHE_MAX 256

struct source_cache {
	struct strmap files;
};

static void free_go_file(void *f)
{
	go_file_free(f);
}

static void source_cache_release(struct source_cache *sc)
{
	strmap_release(&sc->files, free_go_file);
}

/* The scanned file at path, or NULL when unreadable; valid until the next call. */
static const struct go_file *source_get(struct source_cache *sc, const char *path)
{
	struct err ignored = ERR_INIT;
	void **slot = strmap_get(&sc->files, path);
	struct go_file *gf = NULL;
	int added;

	if (slot)
		return *slot;
	if (sc->files.nr >= SOURCE_CACHE_MAX)
		source_cache_release(sc);
	if (go_file_load(&gf, path, &ignored))
		gf = NULL;
	err_release(&ignored);
	*strmap_put(&sc->files, path, &added) = gf;
	return gf;
}

/* The path below root ("root/" + rel), or NULL when outside. */
static const char *inside(const char *root, size_t rootlen, const char *path)
{
	if (strncmp(path, root, rootlen) || path[rootlen] != '/' || !path[rootlen + 1])
		return NULL;
	return path + rootlen + 1;
}

static int cmp_package_dir(const void *a, const void *b)
{
	return strcmp(((const struct package_info *)a)->dir, ((const struct package_info *)b)->dir);
}

static const struct package_info *package_of(const struct package_info *pkgs, size_t n,
					     const char *file)
{
	struct package_info key = { NULL, NULL, NULL };
	const char *slash = strrchr(file, '/');
	const struct package_info *hit;

	if (!slash || !n)
		return NULL;   /* bsearch may not be given a NULL array, even empty */
	key.dir = xstrndup(file, (size_t)(slash - file));
	hit = bsearch(&key, pkgs, n, sizeof(*pkgs), cmp_package_dir);
	free(key.dir);
	return hit;
}

static const char *last_element(const char *import_path)
{
	const char *slash = strrchr(import_path, '/');

	return slash ? slash + 1 : import_path;
}

struct candidate {
	struct finding f;
	int inlined;    /* a copy reported at a call site */
	int generic;    /* in a generic function: one report per instantiation */
};

static void trim_into(char **out, const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	*out = xstrndup(s, n);
}

static int make_candidate(struct raw_verdict *r, const struct inline_map *inl,
			  const char *root, size_t rootlen, const struct package_info *pkgs,
			  size_t npkgs, struct source_cache *sc, struct candidate *c)
{
	const char *file = r->file, *rel;
	unsigned line = r->line, col = r->col;
	const struct inline_pos *chain;
	const struct package_info *pkg;
	const struct go_file *gf;
	const struct go_func *fn = NULL;
	const char *text;
	size_t n = 0, i, tlen;

	if (!inside(root, rootlen, r->file))
		return -1;
	chain = inline_map_lookup(inl, r->file, r->line, r->col, r->subject, &n);
	for (i = n; chain && i-- > 0;) {
		if (inside(root, rootlen, chain[i].file)) {
			file = chain[i].file;
			line = chain[i].line;
			col = chain[i].col >= 255 ? 0 : chain[i].col;
			c->inlined = 1;
			break;
		}
	}
	rel = inside(root, rootlen, file);
	memset(&c->f, 0, sizeof(c->f));
	c->f.kind = r->kind;
	pkg = package_of(pkgs, npkgs, file);
	c->f.package = xstrdup(pkg ? pkg->import_path : r->package);
	c->f.pkgname = xstrdup(pkg ? pkg->name : last_element(r->package));
	c->f.file = xstrdup(rel);
	c->f.line = line;
	c->f.col = col;
	c->f.message = xstrdup(r->message);
	c->f.verdict = finding_normalize_verdict(r->message);
	gf = source_get(sc, file);
	if (gf)
		fn = go_file_func_at(gf, line, col);
	/*
	 * "func literal escapes to heap" sits on the literal's own `func`
	 * keyword, but the closure is allocated by the function around it.
	 */
	if (fn && col > 1 && fn->start_line == line && fn->start_col == col &&
	    strcmp(fn->name, fn->scope))
		fn = go_file_func_at(gf, line, col - 1);
	c->f.function = xstrdup(fn ? fn->name : "init");
	c->f.scope = xstrdup(fn ? fn->scope : "init");
	c->generic = fn ? fn->generic : 0;
	if (gf && !go_file_line(gf, line, &text, &tlen))
		trim_into(&c->f.source, text, tlen);
	else
		c->f.source = xstrdup("");
	/* the flow moves over, its paths made repository-relative in place */
	for (i = 0; i < r->nflow; i++) {
		struct flow_step *s = &r->flow[i];
		const char *srel = inside(root, rootlen, s->file);

		if (srel) {
			char *rel = xstrdup(srel);

			free(s->file);
			s->file = rel;
		}
	}
	c->f.flow = r->flow;
	c->f.nflow = r->nflow;
	r->flow = NULL;
	r->nflow = 0;
	return 0;
}

/* An allow comment and the lines it covers. */
struct allow_span {
	const char *package;  /* borrowed from the package list */
	const char *file;     /* repository-relative, owned by struct allow_spans */
	unsigned line;
	unsigned first, last; /* the lines whose findings it accepts */
	int whole_function;
	char *reason;
	int used;
};

struct allow_spans {
	struct allow_span *v;
	size_t nr, alloc;
	char **files;         /* owned copies of the relative paths */
	size_t nfiles, afiles;
};

/* Whether the file at path mentions "//escgate:" at all: most files do not. */
static int has_directive(const char *path)
{
	static const char needle[] = "//escgate:";
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC), found = 0;
	ssize_t n;

	if (fd < 0)
		return 0;
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		/* keep a needle's length of the previous block: a match may straddle */
		strbuf_add(&sb, buf, (size_t)n);
		if (memmem(sb.buf, sb.len, needle, sizeof(needle) - 1)) {
			found = 1;
			break;
		}
		if (sb.len >= sizeof(needle)) {
			memmove(sb.buf, sb.buf + sb.len - (sizeof(needle) - 1), sizeof(needle) - 1);
			strbuf_setlen(&sb, sizeof(needle) - 1);
		}
	}
	close(fd);
	strbuf_release(&sb);
	return found;
}

/* Whether line holds nothing but a // comment. */
static int comment_line(const struct go_file *gf, unsigned line)
{
	const char *text;
	size_t len, i = 0;

	if (go_file_line(gf, line, &text, &len))
		return 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	return i + 1 < len && text[i] == '/' && text[i + 1] == '/';
}

/*
 * The top-level function declared right below the comment block holding
 * line, or NULL: its `func` must start the first line after the block.
 */
static const struct go_func *declared_below(const struct go_file *gf, unsigned line)
{
	const struct go_func *fn;
	const char *text;
	size_t len, i = 0;

	while (comment_line(gf, line + 1))
		line++;
	if (go_file_line(gf, line + 1, &text, &len))
		return NULL;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	fn = go_file_func_at(gf, line + 1, (unsigned)i + 1);
	if (!fn || fn->start_line != line + 1 || fn->start_col != i + 1 || strcmp(fn->name, fn->scope))
		return NULL;
	return fn;
}

static void add_spans(struct allow_spans *sp, const char *package, const char *rel,
		      const struct go_file *gf)
{
	const char *file = NULL;
	size_t i;

	for (i = 0; i < gf->ndirectives; i++) {
		const struct go_directive *d = &gf->directives[i];
		const struct go_func *fn = NULL;
		struct allow_span *a;

		/* "allow" then a space or the end: other words are not ours */
		if (strncmp(d->text, "allow", 5) || (d->text[5] && d->text[5] != ' ' &&
						     d->text[5] != '\t'))
			continue;
		if (!file) {
			ALLOC_GROW(sp->files, sp->nfiles + 1, sp->afiles);
			file = sp->files[sp->nfiles++] = xstrdup(rel);
		}
		ALLOC_GROW(sp->v, sp->nr + 1, sp->alloc);
		a = &sp->v[sp->nr++];
		memset(a, 0, sizeof(*a));
		a->package = package;
		a->file = file;
		a->line = d->line;
		trim_into(&a->reason, d->text + 5, strlen(d->text + 5));
		if (!d->own_line) {
			a->first = a->last = d->line;   /* a trailing comment: its own line */
		} else if ((fn = declared_below(gf, d->line))) {
			a->first = fn->start_line;
			a->last = fn->end_line;
			a->whole_function = 1;
		} else {
			a->first = a->last = d->line + 1;
		}
	}
}

static int cmp_span(const void *x, const void *y)
{
	const struct allow_span *a = x, *b = y;
	int c = strcmp(a->file, b->file);

	if (c)
		return c;
	return a->line < b->line ? -1 : a->line > b->line;
}

/*
 * The allow comment accepting f: one for its line before one for its
 * whole function, and of those the innermost (the latest to start).
 */
static struct allow_span *covering(struct allow_spans *sp, const struct finding *f)
{
	struct allow_span *best = NULL;
	size_t lo = 0, hi = sp->nr, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strcmp(sp->v[mid].file, f->file) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < sp->nr && !strcmp(sp->v[i].file, f->file); i++) {
		struct allow_span *a = &sp->v[i];

		if (!*a->reason || f->line < a->first || f->line > a->last)
			continue;
		if (!best || (best->whole_function && !a->whole_function) ||
		    (best->whole_function == a->whole_function && a->first >= best->first))
			best = a;
	}
	return best;
}

/* The allow comments of every file the build compiled, sorted for covering(). */
static void collect_spans(const struct build_output *bo, const char *root, size_t rootlen,
			  struct source_cache *sc, struct allow_spans *sp)
{
	struct strbuf path = STRBUF_INIT;
	size_t i, j;

	for (i = 0; i < bo->npackages; i++) {
		const struct package_info *p = &bo->packages[i];

		for (j = 0; j < p->nfiles; j++) {
			const struct go_file *gf;
			const char *rel;

			strbuf_reset(&path);
			strbuf_addf(&path, "%s/%s", p->dir, p->files[j]);
			rel = inside(root, rootlen, path.buf);
			if (!rel || !has_directive(path.buf) || !(gf = source_get(sc, path.buf)))
				continue;
			add_spans(sp, p->import_path, rel, gf);
		}
	}
	if (sp->nr)
		qsort(sp->v, sp->nr, sizeof(*sp->v), cmp_span);
	strbuf_release(&path);
}

/* Lists every allow comment, used or not, in *out (unless NULL); releases the spans. */
static void spans_to_allows(struct allow_spans *sp, struct allow_list *out)
{
	size_t i;

	for (i = 0; out && i < sp->nr; i++) {
		/* a file listed twice (a package built for two modules) adds its comments once */
		if (i && !cmp_span(&sp->v[i - 1], &sp->v[i])) {
			out->items[out->nr - 1].used |= sp->v[i].used;
			continue;
		}
		allow_list_add(out, sp->v[i].package, sp->v[i].file, sp->v[i].line, sp->v[i].reason,
			       sp->v[i].used);
	}
	for (i = 0; i < sp->nr; i++)
		free(sp->v[i].reason);
	for (i = 0; i < sp->nfiles; i++)
		free(sp->files[i]);
	free(sp->v);
	free(sp->files);
	memset(sp, 0, sizeof(*sp));
}

/* The state of attributing one build's verdicts. */
struct attributor {
	const char *root;
	size_t rootlen;
	struct package_info *pkgs;   /* bo's, sorted by directory (shallow copies) */
	size_t npkgs;
	struct source_cache sc;
	struct allow_spans sp;
	struct store *store;
};

static void attributor_init(struct attributor *a, const struct build_output *bo,
			    const char *root, struct store *store)
{
	memset(a, 0, sizeof(*a));
	a->root = root;
	a->rootlen = strlen(root);
	while (a->rootlen > 1 && root[a->rootlen - 1] == '/')
		a->rootlen--;
	a->store = store;
	if (bo->npackages) {
		a->pkgs = xcalloc(bo->npackages, sizeof(*a->pkgs));
		memcpy(a->pkgs, bo->packages, bo->npackages * sizeof(*a->pkgs));
		qsort(a->pkgs, bo->npackages, sizeof(*a->pkgs), cmp_package_dir);
		a->npkgs = bo->npackages;
	}
	collect_spans(bo, root, a->rootlen, &a->sc, &a->sp);
}

/* Stages the finding r makes, if any, with inl the inline map of the compile that printed it. */
static int attributor_add(struct attributor *a, struct raw_verdict *r,
			  const struct inline_map *inl, struct err *err)
{
	struct candidate c = { 0 };
	struct allow_span *span;
	int ret;

	if (make_candidate(r, inl, a->root, a->rootlen, a->pkgs, a->npkgs, &a->sc, &c))
		return 0;
	span = a->sp.nr ? covering(&a->sp, &c.f) : NULL;
	if (span) {
		c.f.suppressed = xstrdup(span->reason);
		span->used = 1;
	}
	ret = store_stage_add(a->store, &c.f, c.inlined, c.generic, err);
	finding_release(&c.f);
	return ret;
}

/* Lists every allow comment, used or not, in *allows (unless NULL), and frees the rest. */
static void attributor_release(struct attributor *a, struct allow_list *allows)
{
	spans_to_allows(&a->sp, allows);
	free(a->pkgs);
	source_cache_release(&a->sc);
	memset(a, 0, sizeof(*a));
}

int attribute_verdicts(struct build_output *bo, const struct inline_map *inl, const char *root,
		       struct store *store, struct allow_list *allows, struct err *err)
{
	struct attributor a;
	struct raw_verdict r = { 0 };
	int more = 0, ret = -1;

	attributor_init(&a, bo, root, store);
	if (bo->verdicts.fp && verdict_log_finish(&bo->verdicts, err))
		goto out;
	/* one verdict at a time from the spill file to the store's staging */
	while (bo->verdicts.fp && (more = verdict_log_next(&bo->verdicts, &r, err)) > 0) {
		int failed = attributor_add(&a, &r, inl, err);

		raw_verdict_release(&r);
		if (failed)
			goto out;
	}
	if (bo->verdicts.fp && more < 0)
		goto out;
	attributor_release(&a, allows);
	return 0;
out:
	attributor_release(&a, NULL);
	return ret;
}

struct attribute_stream {
	struct attributor a;
	const struct build_output *bo;   /* what a is made from, at the first verdict */
	const char *root;
	struct store *store;
	int ready;
	struct inline_map *inl;      /* of the package whose verdicts arrive now */
	struct strbuf json_dir;      /* where inl was read from */
	struct err err;              /* the first failure: later verdicts are dropped */
	int failed;
};

/*
 * The attributor reads the listed packages' sources (function spans,
 * allow comments). Made when the first verdict arrives, that reading
 * overlaps the compiler instead of delaying its start.
 */
static void stream_ready(struct attribute_stream *st)
{
	if (st->ready)
		return;
	attributor_init(&st->a, st->bo, st->root, st->store);
	st->ready = 1;
}

struct attribute_stream *attribute_stream_new(const struct build_output *bo, const char *root,
					      struct store *store)
{
	struct attribute_stream *st = xcalloc(1, sizeof(*st));

	st->bo = bo;
	st->root = root;
	st->store = store;
	strbuf_init(&st->json_dir, 0);
	strbuf_init(&st->err.msg, 0);
	strbuf_init(&st->err.detail, 0);
	return st;
}

void attribute_stream_verdict(void *data, struct raw_verdict *r, const char *json_dir)
{
	struct attribute_stream *st = data;

	if (st->failed)
		return;
	stream_ready(st);
	if (!st->inl || strcmp(st->json_dir.buf, json_dir)) {
		/* the previous package is done: its logs are read, and are not read again */
		inline_map_free(st->inl);
		st->inl = NULL;
		if (st->json_dir.len)
			tmpdir_remove(st->json_dir.buf);
		strbuf_reset(&st->json_dir);
		strbuf_addstr(&st->json_dir, json_dir);
		if (inline_map_load(&st->inl, json_dir, &st->err)) {
			st->failed = 1;
			return;
		}
	}
	if (attributor_add(&st->a, r, st->inl, &st->err))
		st->failed = 1;
}

int attribute_stream_finish(struct attribute_stream *st, struct allow_list *allows,
			    struct err *err)
{
	if (st->failed) {
		err->status = st->err.status;
		strbuf_addbuf(&err->msg, &st->err.msg);
		strbuf_addbuf(&err->detail, &st->err.detail);
		return -1;
	}
	stream_ready(st);   /* no verdicts: the allow comments are still listed */
	attributor_release(&st->a, allows);
	return 0;
}

void attribute_stream_free(struct attribute_stream *st)
{
	if (!st)
		return;
	attributor_release(&st->a, NULL);
	inline_map_free(st->inl);
	strbuf_release(&st->json_dir);
	err_release(&st->err);
	free(st);
}

int attribute_findings(struct build_output *bo, const struct inline_map *inl,
		       const char *root, struct finding_list *out, struct err *err)
{
	static const struct analysis_meta meta = { "attribute", NULL, "-", "-", "-", "-", "-" };
	struct allow_list allows = { 0 };
	struct store *s = NULL;
	long long id = 0;
	int ret = -1;

	if (store_open(&s, ":memory:", err) || store_stage_begin(s, err))
		goto out;
	if (attribute_verdicts(bo, inl, root, s, &allows, err)) {
		store_stage_abort(s);
		goto out;
	}
	if (store_stage_commit(s, &meta, &allows, &id, err) ||
	    store_load_findings(s, id, 1, out, err))
		goto out;
	finding_list_own_texts(out);   /* the store goes now */
	ret = 0;
out:
	allow_list_release(&allows);
	store_close(s);
	return ret;
}
