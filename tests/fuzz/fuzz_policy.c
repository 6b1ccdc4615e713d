/*
 * The policy file (.escgate, git-config syntax read by libgit2) and the
 * package patterns in it. The input's first line is a pattern and its
 * second a package path, matched against each other; the whole input is
 * then read as a policy file (libgit2 reads it from disk: a file private
 * to this process, rewritten for every input).
 */
#include <fcntl.h>
#include <git2.h>
#include <string.h>
#include <unistd.h>

#include "core/policy.h"
#include "core/util.h"
#include "fuzz.h"

static void match_lines(const char *d, size_t size)
{
	const char *nl = memchr(d, '\n', size), *nl2;
	char *pattern, *path;

	if (!nl)
		return;
	nl2 = memchr(nl + 1, '\n', size - (size_t)(nl + 1 - d));
	pattern = xstrndup(d, (size_t)(nl - d));
	path = xstrndup(nl + 1, nl2 ? (size_t)(nl2 - nl - 1) : size - (size_t)(nl + 1 - d));
	policy_pattern_match(pattern, path);
	policy_pattern_match(path, pattern);
	/* a pattern of no wildcards matches exactly itself */
	if (!strstr(pattern, "..."))
		FUZZ_ASSERT(policy_pattern_match(pattern, pattern));
	free(pattern);
	free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[64];
	struct policy p;
	struct err err = ERR_INIT;
	int fd;

	if (!path[0]) {
		git_libgit2_init();
		snprintf(path, sizeof(path), "/tmp/escgate-fuzz-policy.%ld", (long)getpid());
	}
	match_lines((const char *)data, size);

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	FUZZ_ASSERT(fd >= 0);
	FUZZ_ASSERT(write(fd, data, size) == (ssize_t)size);
	close(fd);
	policy_init(&p);
	if (policy_read(&p, path, "fuzz:.escgate", (const char *)data, size, &err))
		FUZZ_ASSERT(err_is_set(&err));
	else
		policy_package_selected(&p, "example.com/m/sub", "sub");
	policy_release(&p);
	err_release(&err);
	unlink(path);
	return 0;
}
