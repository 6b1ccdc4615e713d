#ifndef ESCGATE_TEST_FIXTURE_H
#define ESCGATE_TEST_FIXTURE_H

/*
 * Loads a build recorded by tests/fixtures/record.sh as if it had just run:
 * the -m text, the JSON logs (their recorded absolute paths moved to where
 * the fixture source is now), the package list, and attributes findings.
 */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/attribute.h"
#include "core/gobuild.h"
#include "core/logjson.h"
#include "core/util.h"

#define FIXTURE_RECORDED_ROOT "/tmp/escgate-fixture/fx"

static int fixture_read(const char *path, struct strbuf *out)
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

static void fixture_add_json_dir(struct inline_map *m, const char *dir, const char *src)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	while (d && (de = readdir(d))) {
		struct strbuf path = STRBUF_INIT, data = STRBUF_INIT, moved = STRBUF_INIT;
		struct stat st;
		const char *p, *hit;

		if (de->d_name[0] == '.')
			continue;
		strbuf_addf(&path, "%s/%s", dir, de->d_name);
		if (!stat(path.buf, &st) && S_ISDIR(st.st_mode)) {
			fixture_add_json_dir(m, path.buf, src);
		} else if (ends_with(de->d_name, ".json") && !fixture_read(path.buf, &data)) {
			for (p = data.buf; (hit = strstr(p, FIXTURE_RECORDED_ROOT));
			     p = hit + strlen(FIXTURE_RECORDED_ROOT)) {
				strbuf_add(&moved, p, (size_t)(hit - p));
				strbuf_addstr(&moved, src);
			}
			strbuf_addstr(&moved, p);
			inline_map_add_log(m, moved.buf, moved.len);
		}
		strbuf_release(&path);
		strbuf_release(&data);
		strbuf_release(&moved);
	}
	if (d)
		closedir(d);
}

static void fixture_add_package(struct build_output *bo, const char *src, const char *rel,
				const char *path, const char *name)
{
	struct package_info *pi;

	ALLOC_GROW(bo->packages, bo->npackages + 1, bo->apackages);
	pi = &bo->packages[bo->npackages++];
	memset(pi, 0, sizeof(*pi));
	pi->dir = xmalloc(strlen(src) + strlen(rel) + 2);
	sprintf(pi->dir, "%s%s%s", src, *rel ? "/" : "", rel);
	pi->import_path = xstrdup(path);
	pi->name = xstrdup(name);
}

/* Findings of the recorded build of go<version>; 0 on success. */
static int fixture_findings(const char *version, struct finding_list *out)
{
	char src[PATH_MAX];
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct build_output bo = { 0 };
	struct inline_map *inl = inline_map_new();
	struct err err = ERR_INIT;
	int ret = -1;

	if (!realpath("tests/fixtures/src", src))
		goto out;
	strbuf_addf(&path, "tests/fixtures/%s/m2.txt", version);
	if (fixture_read(path.buf, &text))
		goto out;
	build_output_add_text(&bo, src, text.buf, text.len);
	fixture_add_package(&bo, src, "", "example.com/fx", "fx");
	fixture_add_package(&bo, src, "sub", "example.com/fx/sub", "sub");
	fixture_add_package(&bo, src, "cmd/a", "example.com/fx/cmd/a", "main");
	fixture_add_package(&bo, src, "cmd/b", "example.com/fx/cmd/b", "main");
	strbuf_reset(&path);
	strbuf_addf(&path, "tests/fixtures/%s/json", version);
	fixture_add_json_dir(inl, path.buf, src);
	ret = attribute_findings(&bo, inl, src, out, &err);
out:
	build_output_release(&bo);
	inline_map_free(inl);
	strbuf_release(&path);
	strbuf_release(&text);
	err_release(&err);
	return ret;
}

#endif
