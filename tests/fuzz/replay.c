/*
 * Runs one fuzz target over its committed corpus (FUZZ_CORPUS: seeds made
 * from recorded compiler output, and every input that ever crashed it),
 * without libFuzzer: `make check` replays them with whatever compiler and
 * sanitizers it was given. Prints one "PASS:" line for the corpus; a
 * crash or a broken invariant ends the program, which tests/run.sh counts
 * as a failure. FUZZ_REPLAY_VERBOSE=1 names each input before running it,
 * to tell which one did.
 */
#include <dirent.h>
#include <string.h>

#include "core/strbuf.h"
#include "core/util.h"
#include "fuzz.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int read_all(const char *path, struct strbuf *out)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(out, buf, n);
	fclose(f);
	return 0;
}

int main(void)
{
	DIR *d = opendir(FUZZ_CORPUS);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, alloc = 0, i;
	int failed = 0, verbose = getenv("FUZZ_REPLAY_VERBOSE") != NULL;

	if (!d) {
		printf("FAIL: fuzz-corpus:%s: cannot open %s\n", FUZZ_TARGET, FUZZ_CORPUS);
		return 1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		ALLOC_GROW(names, n + 1, alloc);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		struct strbuf path = STRBUF_INIT, data = STRBUF_INIT;
		uint8_t *copy;

		strbuf_addf(&path, "%s/%s", FUZZ_CORPUS, names[i]);
		if (read_all(path.buf, &data)) {
			printf("FAIL: fuzz-corpus:%s: cannot read %s\n", FUZZ_TARGET, path.buf);
			failed = 1;
		} else {
			/* an exact-size copy, so that a sanitizer sees any read past the end */
			copy = xmalloc(data.len);
			memcpy(copy, data.buf, data.len);
			if (verbose)
				fprintf(stderr, "%s\n", path.buf);
			LLVMFuzzerTestOneInput(copy, data.len);
			free(copy);
		}
		strbuf_release(&path);
		strbuf_release(&data);
		free(names[i]);
	}
	free(names);
	if (!n) {
		printf("FAIL: fuzz-corpus:%s: %s is empty\n", FUZZ_TARGET, FUZZ_CORPUS);
		return 1;
	}
	if (!failed)
		printf("PASS: fuzz-corpus:%s (%zu inputs)\n", FUZZ_TARGET, n);
	return failed;
}
