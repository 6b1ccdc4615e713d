#include "spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "interrupt.h"
#include "util.h"

extern char **environ;

struct line_splitter {
	struct strbuf pending;
	const struct spawn *sp;
};

static void feed_stderr(struct line_splitter *ls, const char *buf, size_t n)
{
	const struct spawn *sp = ls->sp;
	size_t start = 0, i;

	if (sp->err)
		strbuf_add(sp->err, buf, n);
	if (!sp->on_err_line)
		return;
	for (i = 0; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		if (ls->pending.len) {
			strbuf_add(&ls->pending, buf + start, i - start);
			sp->on_err_line(ls->pending.buf, ls->pending.len, sp->data);
			strbuf_reset(&ls->pending);
		} else {
			sp->on_err_line(buf + start, i - start, sp->data);
		}
		start = i + 1;
	}
	strbuf_add(&ls->pending, buf + start, n - start);
}

static int stop_child(pid_t pid, int sig, struct err *err)
{
	int st;

	kill(-pid, SIGTERM);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return err_set(err, sig == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM,
		       "interrupted by signal %d", sig);
}

int spawn_run(const struct spawn *sp, int *status, struct err *err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	struct line_splitter ls = { STRBUF_INIT, sp };
	int outp[2] = { -1, -1 }, errp[2] = { -1, -1 };
	int fa_init = 0, attr_init = 0, ret = -1, rc, st;
	pid_t pid = -1;
	char buf[65536];

	if (pipe2(outp, O_CLOEXEC) || pipe2(errp, O_CLOEXEC)) {
		err_set(err, EXIT_ANALYSIS, "cannot create pipe: %s", strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	fa_init = 1;
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, outp[1], 1);
	posix_spawn_file_actions_adddup2(&fa, errp[1], 2);
	if (sp->cwd)
		posix_spawn_file_actions_addchdir_np(&fa, sp->cwd);
	posix_spawnattr_init(&attr);
	attr_init = 1;
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);

	rc = posix_spawnp(&pid, sp->argv[0], &fa, &attr, (char *const *)sp->argv,
			  sp->env ? sp->env : environ);
	if (rc) {
		err_set(err, EXIT_ANALYSIS, "cannot run '%s': %s", sp->argv[0], strerror(rc));
		pid = -1;
		goto out;
	}
	close(outp[1]);
	close(errp[1]);
	outp[1] = errp[1] = -1;

	while (outp[0] >= 0 || errp[0] >= 0) {
		struct pollfd pfd[2] = { { outp[0], POLLIN, 0 }, { errp[0], POLLIN, 0 } };
		int i;

		if (interrupt_pending()) {
			stop_child(pid, interrupt_pending(), err);
			pid = -1;
			goto out;
		}
		/* a timeout, so a signal taken by another thread is still seen */
		if (poll(pfd, 2, 250) < 0) {
			if (errno == EINTR)
				continue;
			err_set(err, EXIT_ANALYSIS, "poll: %s", strerror(errno));
			goto out;
		}
		for (i = 0; i < 2; i++) {
			int *fd = i ? &errp[0] : &outp[0];
			ssize_t n;

			if (*fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(*fd, buf, sizeof(buf));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(*fd);
				*fd = -1;
				continue;
			}
			if (i)
				feed_stderr(&ls, buf, (size_t)n);
			else if (sp->out)
				strbuf_add(sp->out, buf, (size_t)n);
		}
	}
	if (ls.pending.len && sp->on_err_line)
		sp->on_err_line(ls.pending.buf, ls.pending.len, sp->data);

	while (waitpid(pid, &st, 0) < 0) {
		if (errno != EINTR) {
			err_set(err, EXIT_ANALYSIS, "waitpid: %s", strerror(errno));
			goto out;
		}
		if (interrupt_pending()) {
			stop_child(pid, interrupt_pending(), err);
			pid = -1;
			goto out;
		}
	}
	pid = -1;
	if (interrupt_pending()) {
		err_set(err, interrupt_pending() == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM,
			"interrupted by signal %d", interrupt_pending());
		goto out;
	}
	*status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	ret = 0;
out:
	if (pid > 0)
		stop_child(pid, SIGTERM, err);
	for (int i = 0; i < 2; i++) {
		if (outp[i] >= 0)
			close(outp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
	}
	if (fa_init)
		posix_spawn_file_actions_destroy(&fa);
	if (attr_init)
		posix_spawnattr_destroy(&attr);
	strbuf_release(&ls.pending);
	return ret;
}
