#include "logjson.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "strbuf.h"
#include "util.h"

struct inlined_record {
	char *file;
	unsigned line, col;
	char *subject;
	struct inline_pos *chain;
	size_t nchain;
};

struct inline_map {
	struct inlined_record *recs;
	size_t nr, alloc;
	int sorted;
};

struct inline_map *inline_map_new(void)
{
	return xcalloc(1, sizeof(struct inline_map));
}

size_t inline_map_size(const struct inline_map *m)
{
	return m ? m->nr : 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* "file:///a/b%20c.go" -> "/a/b c.go"; NULL for anything else. */
static char *uri_to_path(const char *uri)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	if (strncmp(uri, "file://", 7))
		return NULL;
	for (p = uri + 7; *p; p++) {
		int hi, lo;

		if (*p == '%' && (hi = hexval(p[1])) >= 0 && (lo = hexval(p[2])) >= 0) {
			strbuf_addch(&sb, hi * 16 + lo);
			p += 2;
		} else {
			strbuf_addch(&sb, *p);
		}
	}
	return strbuf_detach(&sb, NULL);
}

static int get_start(const cJSON *range, unsigned *line, unsigned *col)
{
	const cJSON *start = cJSON_GetObjectItemCaseSensitive(range, "start");
	const cJSON *l = cJSON_GetObjectItemCaseSensitive(start, "line");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(start, "character");

	if (!cJSON_IsNumber(l) || !cJSON_IsNumber(c) || l->valuedouble < 0 ||
	    c->valuedouble < 0 || l->valuedouble > 1e8 || c->valuedouble > 1e8)
		return -1;
	*line = (unsigned)l->valuedouble;
	*col = (unsigned)c->valuedouble;
	return 0;
}

/* Keeps an escape record's leading inlineLoc entries, if it has any. */
static void add_record(struct inline_map *m, const char *file, const cJSON *rec)
{
	static const char suffix[] = " escapes to heap";
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(rec, "code");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(rec, "message");
	const cJSON *range = cJSON_GetObjectItemCaseSensitive(rec, "range");
	const cJSON *related = cJSON_GetObjectItemCaseSensitive(rec, "relatedInformation");
	const cJSON *ri;
	struct inlined_record r = { NULL, 0, 0, NULL, NULL, 0 };
	size_t mlen, alloc = 0;

	if (!cJSON_IsString(code) || !cJSON_IsString(msg) || !cJSON_IsArray(related))
		return;
	if (strcmp(code->valuestring, "escape") && strcmp(code->valuestring, "escapes"))
		return;
	mlen = strlen(msg->valuestring);
	if (!mlen || get_start(range, &r.line, &r.col))
		return;
	cJSON_ArrayForEach(ri, related) {
		const cJSON *rm = cJSON_GetObjectItemCaseSensitive(ri, "message");
		const cJSON *loc = cJSON_GetObjectItemCaseSensitive(ri, "location");
		const cJSON *uri = cJSON_GetObjectItemCaseSensitive(loc, "uri");
		struct inline_pos pos = { NULL, 0, 0 };

		if (!cJSON_IsString(rm) || strcmp(rm->valuestring, "inlineLoc"))
			break;   /* the chain is the leading run; flow steps follow */
		if (!cJSON_IsString(uri) ||
		    get_start(cJSON_GetObjectItemCaseSensitive(loc, "range"), &pos.line, &pos.col) ||
		    !(pos.file = uri_to_path(uri->valuestring)))
			break;
		ALLOC_GROW(r.chain, r.nchain + 1, alloc);
		r.chain[r.nchain++] = pos;
	}
	if (!r.nchain)
		return;
	r.file = xstrdup(file);
	if (mlen > sizeof(suffix) - 1 &&
	    !strcmp(msg->valuestring + mlen - (sizeof(suffix) - 1), suffix))
		r.subject = xstrndup(msg->valuestring, mlen - (sizeof(suffix) - 1));
	else
		r.subject = xstrdup(msg->valuestring);
	ALLOC_GROW(m->recs, m->nr + 1, m->alloc);
	m->recs[m->nr++] = r;
	m->sorted = 0;
}

void inline_map_add_log(struct inline_map *m, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	char *file = NULL;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		cJSON *obj;

		/*
		 * Only records with an inlining chain are kept, and most lines
		 * (inlining decisions, flow-less records) have none: skip them
		 * unparsed. The compiler writes that key literally.
		 */
		if (file && !memmem(p, n, "\"inlineLoc\"", 11)) {
			p += n + (nl ? 1 : 0);
			continue;
		}
		obj = json_parse(p, n, NULL);
		p += n + (nl ? 1 : 0);
		if (!cJSON_IsObject(obj)) {
			cJSON_Delete(obj);
			continue;
		}
		if (!file) {
			/* the header: {"version":0,"package":...,"file":"/abs/x.go"} */
			const cJSON *f = cJSON_GetObjectItemCaseSensitive(obj, "file");

			if (cJSON_IsString(f))
				file = xstrdup(f->valuestring);
		} else {
			add_record(m, file, obj);
		}
		cJSON_Delete(obj);
	}
	free(file);
}

static int load_dir(struct inline_map *m, const char *dir, struct err *err)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
	int ret = -1;

	if (!d) {
		if (errno == ENOENT)
			return 0;
		return err_set(err, EXIT_ANALYSIS, "cannot read '%s': %s", dir, strerror(errno));
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, de->d_name);
		if (lstat(path.buf, &st))
			continue;
		if (S_ISDIR(st.st_mode)) {
			if (load_dir(m, path.buf, err))
				goto out;
		} else if (S_ISREG(st.st_mode) && ends_with(de->d_name, ".json")) {
			strbuf_reset(&data);
			if (read_regular_file(path.buf, SIZE_MAX, &data, err))
				goto out;
			inline_map_add_log(m, data.buf, data.len);
		}
	}
	ret = 0;
out:
	closedir(d);
	strbuf_release(&path);
	strbuf_release(&data);
	return ret;
}

int inline_map_load(struct inline_map **out, const char *dir, struct err *err)
{
	struct inline_map *m = inline_map_new();

	if (load_dir(m, dir, err)) {
		inline_map_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

static int cmp_pos(const char *fa, unsigned la, unsigned ca, const char *fb, unsigned lb,
		   unsigned cb)
{
	int c = strcmp(fa, fb);

	if (c)
		return c;
	if (la != lb)
		return la < lb ? -1 : 1;
	if (ca != cb)
		return ca < cb ? -1 : 1;
	return 0;
}

static int cmp_record(const void *x, const void *y)
{
	const struct inlined_record *a = x, *b = y;
	int c = cmp_pos(a->file, a->line, a->col, b->file, b->line, b->col);

	return c ? c : strcmp(a->subject, b->subject);
}

static int same_innermost(const struct inlined_record *a, const struct inlined_record *b)
{
	const struct inline_pos *x = &a->chain[a->nchain - 1], *y = &b->chain[b->nchain - 1];

	return !cmp_pos(x->file, x->line, x->col, y->file, y->line, y->col);
}

const struct inline_pos *inline_map_lookup(const struct inline_map *cm, const char *abs_file,
					   unsigned line, unsigned col, const char *subject,
					   size_t *n)
{
	struct inline_map *m = (struct inline_map *)cm;   /* sorting is a cache */
	const struct inlined_record *prefixed = NULL, *first = NULL;
	size_t lo = 0, hi, i, slen = strlen(subject);
	int agree = 1;

	if (!m || !m->nr)
		return NULL;
	if (!m->sorted) {
		qsort(m->recs, m->nr, sizeof(*m->recs), cmp_record);
		m->sorted = 1;
	}
	hi = m->nr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct inlined_record *r = &m->recs[mid];

		if (cmp_pos(r->file, r->line, col ? r->col : 0, abs_file, line, col) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i < m->nr; i++) {
		const struct inlined_record *r = &m->recs[i];

		if (cmp_pos(r->file, r->line, col ? r->col : 0, abs_file, line, col))
			break;
		if (!strcmp(r->subject, subject)) {
			*n = r->nchain;
			return r->chain;
		}
		/* the text abbreviates calls: "append" for "append(s.items, v)" */
		if (!prefixed && !strncmp(r->subject, subject, slen) && r->subject[slen] == '(')
			prefixed = r;
		if (!first)
			first = r;
		else if (!same_innermost(first, r))
			agree = 0;
	}
	if (!prefixed && first && agree)
		prefixed = first;   /* every record at the spot comes from one place */
	if (!prefixed)
		return NULL;
	*n = prefixed->nchain;
	return prefixed->chain;
}

void inline_map_free(struct inline_map *m)
{
	size_t i, j;

	if (!m)
		return;
	for (i = 0; i < m->nr; i++) {
		for (j = 0; j < m->recs[i].nchain; j++)
			free(m->recs[i].chain[j].file);
		free(m->recs[i].chain);
		free(m->recs[i].file);
		free(m->recs[i].subject);
	}
	free(m->recs);
	free(m);
}
