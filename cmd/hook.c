#include "cmd.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/util.h"

const char usage_hook[] =
	"usage: escgate [-C DIR] hook install [--force]\n"
	"\n"
	"Writes git's pre-push hook (into core.hooksPath when it is set, else the\n"
	"repository's hooks directory) so that 'git push' runs 'escgate pre-push' and\n"
	"is refused when the pushed commits introduce heap escapes or leaks.\n"
	"A pre-push hook that escgate did not write is left alone unless --force is\n"
	"given; it is then kept as pre-push.escgate-backup.\n";

/* How escgate recognises a hook it wrote. */
static const char hook_marker[] = "# installed by 'escgate hook install'";

/* The hooks directory as git uses it: core.hooksPath (relative to the work tree) or the git dir's. */
static int hooks_dir(git_repository *repo, struct strbuf *out, struct err *err)
{
	git_config *cfg = NULL;
	git_buf path = { 0 };
	int ret = -1;

	if (git_repository_config_snapshot(&cfg, repo)) {
		err_set(err, EXIT_ANALYSIS, "cannot read the git configuration: %s",
			git_error_last()->message);
		goto out;
	}
	if (!git_config_get_path(&path, cfg, "core.hooksPath") && path.size) {
		if (path.ptr[0] != '/' && git_repository_workdir(repo))
			strbuf_addstr(out, git_repository_workdir(repo));
		else if (path.ptr[0] != '/')
			strbuf_addf(out, "%s/", git_repository_path(repo));
		strbuf_addstr(out, path.ptr);
	} else {
		git_buf_dispose(&path);
		if (git_repository_item_path(&path, repo, GIT_REPOSITORY_ITEM_HOOKS)) {
			err_set(err, EXIT_ANALYSIS, "cannot find the hooks directory: %s",
				git_error_last()->message);
			goto out;
		}
		strbuf_addstr(out, path.ptr);
	}
	while (out->len > 1 && out->buf[out->len - 1] == '/')
		strbuf_setlen(out, out->len - 1);
	ret = 0;
out:
	git_buf_dispose(&path);
	git_config_free(cfg);
	return ret;
}

/* s quoted for sh: 'it'\''s' */
static void add_sh_quoted(struct strbuf *sb, const char *s)
{
	strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			strbuf_addstr(sb, "'\\''");
		else
			strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '\'');
}

static int read_file(const char *path, struct strbuf *out)
{
	FILE *f = fopen(path, "rb");
	char buf[4096];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(out, buf, n);
	fclose(f);
	return 0;
}

static int install(git_repository *repo, int force, struct err *err)
{
	struct strbuf dir = STRBUF_INIT, hook = STRBUF_INIT;
	struct strbuf body = STRBUF_INIT, old = STRBUF_INIT, backup = STRBUF_INIT;
	char self[PATH_MAX];
	ssize_t n;
	int ret = -1;

	if (hooks_dir(repo, &dir, err))
		goto out;
	if (mkdir(dir.buf, 0755) && errno != EEXIST) {
		err_set(err, EXIT_ANALYSIS, "cannot create hooks directory '%s': %s", dir.buf,
			strerror(errno));
		goto out;
	}
	strbuf_addf(&hook, "%s/pre-push", dir.buf);
	if (!read_file(hook.buf, &old) && !strstr(old.buf, hook_marker)) {
		if (!force) {
			err_set(err, EXIT_USAGE,
				"hook '%s' exists and was not written by escgate: pass --force to replace it (it is kept as pre-push.escgate-backup)",
				hook.buf);
			goto out;
		}
		strbuf_addf(&backup, "%s.escgate-backup", hook.buf);
		if (rename(hook.buf, backup.buf)) {
			err_set(err, EXIT_ANALYSIS, "cannot keep '%s' as '%s': %s", hook.buf,
				backup.buf, strerror(errno));
			goto out;
		}
	}

	/* the hook runs this very binary, so it works without escgate on PATH */
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	strbuf_addf(&body, "#!/bin/sh\n%s\n"
			   "# Refuses a push that introduces Go heap escapes or parameter leaks;\n"
			   "# 'git push --no-verify' skips it.\n"
			   "exec ", hook_marker);
	if (n > 0) {
		self[n] = '\0';
		add_sh_quoted(&body, self);
	} else {
		strbuf_addstr(&body, "escgate");
	}
	strbuf_addstr(&body, " pre-push \"$@\"\n");

	if (write_file_atomic(hook.buf, "hook", 0755, write_strbuf, &body, err))
		goto out;
	printf("installed the pre-push hook: %s\n", hook.buf);
	if (backup.len)
		printf("the previous hook is kept as %s\n", backup.buf);
	ret = 0;
out:
	strbuf_release(&dir);
	strbuf_release(&hook);
	strbuf_release(&body);
	strbuf_release(&old);
	strbuf_release(&backup);
	return ret;
}

int cmd_hook(int argc, char **argv)
{
	struct err err = ERR_INIT;
	git_repository *repo = NULL;
	int force = 0, i, status = EXIT_CLEAN, started = 0;
	char cwd[4096];

	if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_hook, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : EXIT_CLEAN;
	}
	if (strcmp(argv[1], "install")) {
		usage_error(&err, "hook", "unknown hook command '%s' (install)", argv[1]);
		goto out;
	}
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--force") || !strcmp(argv[i], "-f")) {
			force = 1;
		} else {
			usage_error(&err, "hook", "unknown option '%s'", argv[i]);
			goto out;
		}
	}
	git_libgit2_init();
	started = 1;
	if (git_repository_open_ext(&repo, ".", 0, NULL)) {
		err_set(&err, EXIT_ANALYSIS, "not a git repository: '%s'",
			getcwd(cwd, sizeof(cwd)) ? cwd : ".");
		goto out;
	}
	install(repo, force, &err);
out:
	if (err_is_set(&err))
		status = report_error(&err);
	git_repository_free(repo);
	if (started)
		git_libgit2_shutdown();
	err_release(&err);
	return status;
}
