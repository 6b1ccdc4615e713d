#include "cibase.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int oid_hex_is_zero(const char *hex)
{
	size_t n = strlen(hex);

	if (n != 40 && n != 64)
		return 0;
	return strspn(hex, "0") == n;
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* The exact fix for a base missing from a shallow clone, for the CI we are in. */
static void shallow_fix(struct strbuf *detail, const char *sha, const char *branch)
{
	if (env("GITHUB_ACTIONS")) {
		strbuf_addstr(detail, "fix: check out the full history in the workflow:\n"
				      "  - uses: actions/checkout@v4\n"
				      "    with:\n"
				      "      fetch-depth: 0\n");
		if (sha)
			strbuf_addf(detail, "or fetch just the base before escgate runs:\n"
					    "  git fetch --no-tags --depth=1 origin %s\n", sha);
		else if (branch)
			strbuf_addf(detail, "or fetch the base branch before escgate runs:\n"
					    "  git fetch --no-tags origin %s:refs/remotes/origin/%s\n",
				    branch, branch);
	} else if (env("GITLAB_CI")) {
		strbuf_addstr(detail, "fix: clone the full history in .gitlab-ci.yml:\n"
				      "  variables:\n"
				      "    GIT_DEPTH: 0\n");
		if (sha)
			strbuf_addf(detail, "or fetch just the base before escgate runs:\n"
					    "  git fetch --no-tags --depth=1 origin %s\n", sha);
	} else if (sha) {
		strbuf_addf(detail, "fix: git fetch --no-tags origin %s (or clone without --depth)\n",
			    sha);
	} else if (branch) {
		strbuf_addf(detail, "fix: git fetch --no-tags origin %s:refs/remotes/origin/%s\n",
			    branch, branch);
	}
}

/* The base named by sha, which must be in the clone. */
static int base_from_sha(git_repository *repo, const char *sha, struct revision *out,
			 struct err *err)
{
	struct err lookup = ERR_INIT;
	int ret = rev_resolve(repo, sha, out, &lookup);

	if (ret) {
		err_set(err, EXIT_ANALYSIS,
			"base commit %s is not in this clone%s: refusing to report every existing finding as new",
			sha, git_repository_is_shallow(repo) == 1 ? " (a shallow clone)" : "");
		shallow_fix(&err->detail, sha, NULL);
	}
	err_release(&lookup);
	return ret;
}

static int merge_base_with(git_repository *repo, const struct revision *head,
			   const char *branch, struct revision *out, struct err *err)
{
	struct strbuf ref = STRBUF_INIT;
	struct revision other = { 0 };
	struct err lookup = ERR_INIT;
	git_oid base;
	int ret = -1;

	strbuf_addf(&ref, "refs/remotes/origin/%s", branch);
	if (rev_resolve(repo, ref.buf, &other, &lookup)) {
		err_set(err, EXIT_ANALYSIS,
			"base branch origin/%s is not in this clone: refusing to report every existing finding as new",
			branch);
		shallow_fix(&err->detail, NULL, branch);
		goto out;
	}
	if (!head->commit || git_merge_base(&base, repo, git_commit_id(head->commit),
					    git_commit_id(other.commit))) {
		err_set(err, EXIT_ANALYSIS,
			"no merge base of the head and origin/%s in this clone%s: refusing to report every existing finding as new",
			branch, git_repository_is_shallow(repo) == 1 ? " (a shallow clone)" : "");
		shallow_fix(&err->detail, NULL, branch);
		goto out;
	}
	ret = base_from_sha(repo, git_oid_tostr_s(&base), out, err);
out:
	rev_release(&other);
	err_release(&lookup);
	strbuf_release(&ref);
	return ret;
}

/* The string at a path of keys in the GitHub event payload, or NULL. */
static char *event_string(const char *const *keys)
{
	const char *path = env("GITHUB_EVENT_PATH");
	struct strbuf data = STRBUF_INIT;
	cJSON *doc = NULL;
	const cJSON *v;
	char *res = NULL;
	char buf[8192];
	size_t n;
	FILE *f;

	if (!path || !(f = fopen(path, "rb")))
		return NULL;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&data, buf, n);
	fclose(f);
	v = doc = json_parse(data.buf, data.len, NULL);
	for (; *keys && v; keys++)
		v = cJSON_GetObjectItemCaseSensitive(v, *keys);
	if (cJSON_IsString(v) && *v->valuestring)
		res = xstrdup(v->valuestring);
	cJSON_Delete(doc);
	strbuf_release(&data);
	return res;
}

/* Sets *decided when the event named a base (or failed to). */
static int github_base(git_repository *repo, const struct revision *head, struct revision *out,
		       struct strbuf *why, struct err *err, int *decided)
{
	static const char *const pr_base_sha[] = { "pull_request", "base", "sha", NULL };
	static const char *const push_before[] = { "before", NULL };
	const char *event = env("GITHUB_EVENT_NAME"), *base_ref = env("GITHUB_BASE_REF");
	char *sha = NULL;
	int ret = 0;

	*decided = 0;
	if (!event)
		return 0;
	if (!strcmp(event, "pull_request") || !strcmp(event, "pull_request_target")) {
		*decided = 1;
		if (base_ref) {
			/* pull_request.base.sha can be stale: the merge base is the honest base */
			strbuf_addf(why, "GitHub pull request: merge base of the head and origin/%s",
				    base_ref);
			ret = merge_base_with(repo, head, base_ref, out, err);
		} else if ((sha = event_string(pr_base_sha))) {
			strbuf_addstr(why, "GitHub pull request: pull_request.base.sha of the event");
			ret = base_from_sha(repo, sha, out, err);
		} else {
			ret = err_set(err, EXIT_USAGE,
				      "GitHub pull request without GITHUB_BASE_REF or pull_request.base.sha in $GITHUB_EVENT_PATH: pass --base REV");
		}
	} else if (!strcmp(event, "push")) {
		sha = event_string(push_before);
		if (sha && !oid_hex_is_zero(sha)) {
			*decided = 1;
			strbuf_addstr(why, "GitHub push: \"before\" of the event");
			ret = base_from_sha(repo, sha, out, err);
		}
	}
	free(sha);
	return ret;
}

int ci_base(git_repository *repo, const struct revision *head, struct revision *out,
	    struct strbuf *why, struct err *err)
{
	const char *sha;
	int decided = 0;

	memset(out, 0, sizeof(*out));
	if (env("GITHUB_ACTIONS")) {
		int ret = github_base(repo, head, out, why, err, &decided);

		if (ret || decided)
			return ret;
	} else if (env("GITLAB_CI")) {
		if ((sha = env("CI_MERGE_REQUEST_DIFF_BASE_SHA"))) {
			strbuf_addstr(why, "GitLab merge request: CI_MERGE_REQUEST_DIFF_BASE_SHA");
			return base_from_sha(repo, sha, out, err);
		}
		if ((sha = env("CI_COMMIT_BEFORE_SHA")) && !oid_hex_is_zero(sha)) {
			strbuf_addstr(why, "GitLab branch pipeline: CI_COMMIT_BEFORE_SHA");
			return base_from_sha(repo, sha, out, err);
		}
	}
	return rev_default_base(repo, out, why, err);
}
