/*
 * Verdict normalization (what makes two reports of one decision compare
 * equal), and the identity and fingerprint built from it.
 */
#include <string.h>

#include "core/finding.h"
#include "core/util.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *message = xstrndup((const char *)data, size);
	char *verdict = finding_normalize_verdict(message);
	struct finding f;
	struct strbuf id = STRBUF_INIT;
	char fp[41], fp2[41];

	/* normalizing only ever shortens: each shape name becomes "go.shape" */
	FUZZ_ASSERT(strlen(verdict) <= strlen(message));
	memset(&f, 0, sizeof(f));
	f.package = message;
	f.scope = message;
	f.verdict = verdict;
	f.occurrence = (unsigned)size;
	finding_identity(&f, &id);
	finding_fingerprint(&f, fp);
	finding_fingerprint(&f, fp2);
	FUZZ_ASSERT(strlen(fp) == 40 && !strcmp(fp, fp2));

	strbuf_release(&id);
	free(verdict);
	free(message);
	return 0;
}
