/*
 * gowrap: stands in for the go command (escgate --go PATH) in escgate's
 * benchmark, so that the time escgate spends outside the Go toolchain can
 * be told apart from the time it waits for go.
 *
 * Runs $ESCGATE_BENCH_GO (the real go) with the same arguments, environment,
 * standard streams and working directory, and appends one line to
 * $ESCGATE_BENCH_GOLOG when it ends:
 *
 *   START END STATUS ARG1 [ARG2]
 *
 * START and END are CLOCK_MONOTONIC seconds taken just before the fork and
 * just after the wait, so the fork, exec and wait belong to go's interval;
 * only this wrapper's own start-up is counted as escgate's: about 0.5 ms,
 * linked statically as go is (the Makefile; 0.8 ms through the dynamic
 * loader). Exits with go's status (128+N if go was killed by signal N).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *go = getenv("ESCGATE_BENCH_GO"), *log = getenv("ESCGATE_BENCH_GOLOG");
	double start, end;
	int status = 0, rc, fd;
	char line[512];
	pid_t pid;

	if (!go || !*go) {
		fprintf(stderr, "gowrap: ESCGATE_BENCH_GO is not set\n");
		return 127;
	}
	argv[0] = (char *)go;
	start = now();
	pid = fork();
	if (pid < 0) {
		perror("gowrap: fork");
		return 127;
	}
	if (pid == 0) {
		execv(go, argv);
		fprintf(stderr, "gowrap: cannot run %s: %s\n", go, strerror(errno));
		_exit(127);
	}
	/* escgate stops its children on SIGINT/SIGTERM; let go see them, not us */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			perror("gowrap: waitpid");
			return 127;
		}
	end = now();
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (log && *log) {
		int n = snprintf(line, sizeof(line), "%.6f %.6f %d %s %s\n", start, end, rc,
				 argc > 1 ? argv[1] : "-", argc > 2 ? argv[2] : "-");

		if (n > (int)sizeof(line) - 1) {
			n = sizeof(line) - 1;
			line[n - 1] = '\n';
		}
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (fd >= 0) {
			if (write(fd, line, (size_t)n) != n)
				perror("gowrap: log");
			close(fd);
		}
	}
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		raise(WTERMSIG(status));
	}
	return rc;
}
