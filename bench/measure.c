/*
 * measure: runs a command and reports its wall time and peak memory, for
 * escgate's benchmark (bench/bench.py).
 *
 *   measure OUT -- COMMAND [ARG...]
 *
 * Writes one line of JSON to OUT when COMMAND has ended:
 *
 *   {"start": S, "end": E, "wall": W, "status": N,
 *    "rss_self_kib": K, "rss_tree_kib": K, "self_method": "ptrace-exit",
 *    "user": U, "sys": S}
 *
 * start and end are CLOCK_MONOTONIC seconds (the clock bench/gowrap.c
 * logs the go command's runs with); status is the exit status, or 128+N
 * when COMMAND was killed by signal N.
 *
 * rss_self_kib is the peak resident set of COMMAND's own process (VmHWM),
 * not of the processes it starts: escgate's memory, not the compiler's.
 * It is read from /proc/PID/status at the moment the process exits, which
 * a ptrace(PTRACE_O_TRACEEXIT) stop makes exact; only that process is
 * traced, never its children. Where ptrace is not allowed, VmHWM is polled
 * every 5 ms instead ("self_method": "poll"), which can miss growth in the
 * last few milliseconds.
 *
 * rss_tree_kib is what wait4() reports: the largest peak of COMMAND and of
 * every descendant it waited for (for escgate, usually the compiler).
 * user and sys are the CPU seconds of the whole tree.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
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

/* VmHWM of pid in KiB, or -1. */
static long vm_hwm(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmHWM:", 6)) {
			kib = strtol(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return kib;
}

int main(int argc, char **argv)
{
	const char *out;
	int status = 0, traced = 0;
	long self = -1;
	struct rusage ru;
	double start, end;
	pid_t pid;
	FILE *f;

	if (argc < 4 || strcmp(argv[2], "--")) {
		fprintf(stderr, "usage: measure OUT -- COMMAND [ARG...]\n");
		return 2;
	}
	out = argv[1];
	/*
	 * Whether ptrace is allowed here (seccomp, yama), probed with a child of
	 * our own before the clock starts: the probe is not COMMAND's time.
	 */
	{
		pid_t probe = fork();
		int pst;

		if (probe == 0) {
			_exit(ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0 ? 0 : 1);
		}
		traced = probe > 0 && waitpid(probe, &pst, 0) == probe && WIFEXITED(pst) &&
			 WEXITSTATUS(pst) == 0;
	}
	start = now();
	pid = fork();
	if (pid < 0) {
		perror("measure: fork");
		return 2;
	}
	if (pid == 0) {
		if (traced)
			ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execvp(argv[3], argv + 3);
		fprintf(stderr, "measure: cannot run %s: %s\n", argv[3], strerror(errno));
		_exit(127);
	}

	if (traced) {
		/* the exec stops the child with SIGTRAP: set our options then */
		for (;;) {
			pid_t w = wait4(pid, &status, 0, &ru);

			if (w < 0) {
				if (errno == EINTR)
					continue;
				perror("measure: wait4");
				return 2;
			}
			if (!WIFSTOPPED(status))
				break;
			if (status >> 8 == (SIGTRAP | (PTRACE_EVENT_EXIT << 8))) {
				self = vm_hwm(pid);
				ptrace(PTRACE_CONT, pid, NULL, NULL);
			} else if (WSTOPSIG(status) == SIGTRAP && self == -1 &&
				   !ptrace(PTRACE_SETOPTIONS, pid, NULL,
					   (void *)(long)(PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL))) {
				self = -2; /* options set: from now on, only the exit stop matters */
				ptrace(PTRACE_CONT, pid, NULL, NULL);
			} else {
				int sig = WSTOPSIG(status);

				ptrace(PTRACE_CONT, pid, NULL, (void *)(long)(sig == SIGTRAP ? 0 : sig));
			}
		}
		if (self == -2)
			self = -1;
	} else {
		struct timespec tick = { 0, 5 * 1000 * 1000 };

		for (;;) {
			pid_t w = wait4(pid, &status, WNOHANG, &ru);
			long k;

			if (w == pid)
				break;
			if (w < 0 && errno != EINTR) {
				perror("measure: wait4");
				return 2;
			}
			k = vm_hwm(pid);
			if (k > self)
				self = k;
			nanosleep(&tick, NULL);
		}
	}
	end = now();

	f = fopen(out, "w");
	if (!f) {
		perror(out);
		return 2;
	}
	fprintf(f,
		"{\"start\": %.6f, \"end\": %.6f, \"wall\": %.6f, \"status\": %d, "
		"\"rss_self_kib\": %ld, \"rss_tree_kib\": %ld, \"self_method\": \"%s\", "
		"\"user\": %.3f, \"sys\": %.3f}\n",
		start, end, end - start,
		WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), self,
		ru.ru_maxrss, traced ? "ptrace-exit" : "poll",
		(double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
		(double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	if (fclose(f)) {
		perror(out);
		return 2;
	}
	return 0;
}
