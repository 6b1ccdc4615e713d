#include "util.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "err.h"
#include "strbuf.h"

static void out_of_memory(size_t size)
{
	fprintf(stderr, "escgate: out of memory allocating %zu bytes\n", size);
	exit(3);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p)
		out_of_memory(size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (!p)
		out_of_memory(nmemb * size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (!p)
		out_of_memory(size);
	return p;
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

int starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int is_go_test(const char *path)
{
	return ends_with(path, "_test.go");
}

size_t hash_str(const char *s)
{
	uint64_t h = 14695981039346656037ULL;   /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return (size_t)h;
}

int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

struct cJSON *json_parse(const char *buf, size_t len, const char **end)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	cJSON *v;

	pthread_mutex_lock(&lock);
	v = cJSON_ParseWithLengthOpts(buf, len, end, 0);
	pthread_mutex_unlock(&lock);
	return v;
}

int read_regular_file(const char *path, size_t max, struct strbuf *sb, struct err *err)
{
	struct stat st;
	int fd, ret = -1;

	/* O_NONBLOCK: a FIFO must not hang us before the S_ISREG check */
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			return err_set(err, EXIT_ANALYSIS, "cannot read '%s': is a symbolic link", path);
		return err_set(err, EXIT_ANALYSIS, "cannot read '%s': %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0) {
		err_set(err, EXIT_ANALYSIS, "cannot read '%s': %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(err, EXIT_ANALYSIS, "cannot read '%s': not a regular file", path);
		goto out;
	}
	if (st.st_size > 0 && (size_t)st.st_size <= max)
		strbuf_grow(sb, (size_t)st.st_size);
	for (;;) {
		ssize_t n;

		strbuf_grow(sb, 8192);
		n = read(fd, sb->buf + sb->len, sb->alloc - sb->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set(err, EXIT_ANALYSIS, "cannot read '%s': %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		strbuf_setlen(sb, sb->len + (size_t)n);
		if (sb->len > max) {
			err_set(err, EXIT_ANALYSIS, "cannot read '%s': file too large", path);
			goto out;
		}
	}
	ret = 0;
out:
	close(fd);
	return ret;
}
