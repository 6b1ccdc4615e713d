/*
 * The compiler's -m=2 text, as go build prints it on stderr, through
 * everything that handles it: line splitting and the mtext parser
 * (build_output_add_text), path cleaning, then attribution against a
 * root that does not exist, so that no source file is ever read.
 */
#include <string.h>

#include "core/attribute.h"
#include "core/gobuild.h"
#include "core/logjson.h"
#include "core/mtext.h"
#include "core/util.h"
#include "fuzz.h"

#define ROOT "/nonexistent/escgate-fuzz"

static void add_package(struct build_output *bo, const char *dir, const char *path,
			const char *name)
{
	struct package_info *pi;

	ALLOC_GROW(bo->packages, bo->npackages + 1, bo->apackages);
	pi = &bo->packages[bo->npackages++];
	memset(pi, 0, sizeof(*pi));
	pi->dir = xstrdup(dir);
	pi->import_path = xstrdup(path);
	pi->name = xstrdup(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct build_output bo = { 0 };
	struct finding_list findings = { 0 };
	struct inline_map *inl = inline_map_new();
	struct err err = ERR_INIT;
	unsigned line, col;
	size_t rest, i;
	int flen;

	build_output_add_text(&bo, ROOT, (const char *)data, size);
	/* with the packages go list would give, or (odd sizes) none at all */
	if (size & 1) {
		add_package(&bo, ROOT, "example.com/fx", "fx");
		add_package(&bo, ROOT "/sub", "example.com/fx/sub", "sub");
	}
	if (bo.verdicts.fp) {
		struct raw_verdict r;

		while (verdict_log_next(&bo.verdicts, &r, &err) > 0) {
			FUZZ_ASSERT(r.file && r.message && r.subject && r.package);
			raw_verdict_release(&r);
		}
		FUZZ_ASSERT(!err_is_set(&err));
	}
	FUZZ_ASSERT(!attribute_findings(&bo, inl, ROOT, &findings, &err));
	for (i = 0; i < findings.nr; i++) {
		const struct finding *f = &findings.items[i];

		/* only positions inside the root become findings */
		FUZZ_ASSERT(f->file && *f->file && f->verdict && f->source && f->function);
	}

	flen = mtext_parse_position((const char *)data, size, &line, &col, &rest);
	FUZZ_ASSERT(flen < 0 || ((size_t)flen < size && rest <= size));

	finding_list_release(&findings);
	build_output_release(&bo);
	inline_map_free(inl);
	err_release(&err);
	return 0;
}
