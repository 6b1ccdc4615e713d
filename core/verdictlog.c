#include "verdictlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "strbuf.h"
#include "util.h"

/* No string the compiler prints comes near this: a larger length means a damaged file. */
#define MAX_FIELD (64u << 20)

int verdict_log_open(struct verdict_log *log, const char *dir, struct err *err)
{
	struct strbuf path = STRBUF_INIT;
	int fd = -1, ret = -1;

	memset(log, 0, sizeof(*log));
	if (!dir) {
		const char *tmp = getenv("TMPDIR");

		dir = tmp && *tmp ? tmp : "/tmp";
	}
	strbuf_addf(&path, "%s/verdicts-XXXXXX", dir);
	fd = mkostemp(path.buf, O_CLOEXEC);
	if (fd < 0) {
		err_set(err, EXIT_ANALYSIS, "cannot create a temporary file in '%s': %s", dir,
			strerror(errno));
		goto out;
	}
	unlink(path.buf);
	log->fp = fdopen(fd, "w+b");
	if (!log->fp) {
		err_set(err, EXIT_ANALYSIS, "cannot open '%s': %s", path.buf, strerror(errno));
		close(fd);
		goto out;
	}
	ret = 0;
out:
	strbuf_release(&path);
	return ret;
}

static void put_u32(struct verdict_log *log, uint32_t v)
{
	if (!log->write_errno && fwrite(&v, sizeof(v), 1, log->fp) != 1)
		log->write_errno = errno ? errno : EIO;
}

static void put_str(struct verdict_log *log, const char *s)
{
	size_t n = s ? strlen(s) : 0;

	put_u32(log, (uint32_t)n);
	if (n && !log->write_errno && fwrite(s, 1, n, log->fp) != n)
		log->write_errno = errno ? errno : EIO;
}

void verdict_log_append(struct verdict_log *log, const struct raw_verdict *r)
{
	size_t i;

	if (log->reading && !log->write_errno && fseek(log->fp, 0, SEEK_END))
		log->write_errno = errno ? errno : EIO;
	log->reading = 0;
	put_u32(log, (uint32_t)r->kind);
	put_u32(log, r->line);
	put_u32(log, r->col);
	put_u32(log, (uint32_t)r->nflow);
	put_str(log, r->package);
	put_str(log, r->file);
	put_str(log, r->message);
	put_str(log, r->subject);
	for (i = 0; i < r->nflow; i++) {
		put_str(log, r->flow[i].file);
		put_u32(log, r->flow[i].line);
		put_u32(log, r->flow[i].col);
		put_str(log, r->flow[i].text);
	}
	log->nr++;
}

int verdict_log_finish(struct verdict_log *log, struct err *err)
{
	if (!log->write_errno && fflush(log->fp))
		log->write_errno = errno ? errno : EIO;
	if (log->write_errno)
		return err_set(err, EXIT_ANALYSIS,
			       "cannot keep the compiler's output in a temporary file: %s",
			       strerror(log->write_errno));
	rewind(log->fp);
	log->reading = 1;
	return 0;
}

static int get_u32(FILE *fp, uint32_t *v)
{
	return fread(v, sizeof(*v), 1, fp) == 1 ? 0 : -1;
}

static int get_str(FILE *fp, char **out)
{
	uint32_t n;
	char *s;

	if (get_u32(fp, &n) || n > MAX_FIELD)
		return -1;
	s = xmalloc((size_t)n + 1);
	if (n && fread(s, 1, n, fp) != n) {
		free(s);
		return -1;
	}
	s[n] = '\0';
	*out = s;
	return 0;
}

int verdict_log_next(struct verdict_log *log, struct raw_verdict *r, struct err *err)
{
	uint32_t kind, nflow, i;
	int c;

	memset(r, 0, sizeof(*r));
	if ((c = getc(log->fp)) == EOF)
		return 0;
	ungetc(c, log->fp);
	if (get_u32(log->fp, &kind) || get_u32(log->fp, &r->line) || get_u32(log->fp, &r->col) ||
	    get_u32(log->fp, &nflow) || nflow > MAX_FIELD)
		goto fail;
	r->kind = kind ? KIND_LEAK : KIND_ESCAPE;
	if (get_str(log->fp, &r->package) || get_str(log->fp, &r->file) ||
	    get_str(log->fp, &r->message) || get_str(log->fp, &r->subject))
		goto fail;
	if (nflow)
		r->flow = xcalloc(nflow, sizeof(*r->flow));
	for (i = 0; i < nflow; i++) {
		struct flow_step *s = &r->flow[i];

		r->nflow = i + 1;   /* what raw_verdict_release frees on failure */
		if (get_str(log->fp, &s->file) || get_u32(log->fp, &s->line) ||
		    get_u32(log->fp, &s->col) || get_str(log->fp, &s->text))
			goto fail;
	}
	return 1;
fail:
	raw_verdict_release(r);
	return err_set(err, EXIT_ANALYSIS, "cannot read back the compiler's output from its temporary file: %s",
		       ferror(log->fp) ? strerror(errno) : "truncated");
}

void verdict_log_close(struct verdict_log *log)
{
	if (log && log->fp)
		fclose(log->fp);
	if (log)
		memset(log, 0, sizeof(*log));
}

void raw_verdict_release(struct raw_verdict *r)
{
	size_t j;

	for (j = 0; j < r->nflow; j++) {
		free(r->flow[j].file);
		free(r->flow[j].text);
	}
	free(r->flow);
	free(r->package);
	free(r->file);
	free(r->message);
	free(r->subject);
	memset(r, 0, sizeof(*r));
}
