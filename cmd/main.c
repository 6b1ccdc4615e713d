/*
 * escgate: a CI gate for Go heap-escape regressions.
 *
 * The pipeline, one stage per file under core/:
 *   revs.c (revision) -> tree.c (private checkout) -> gobuild.c (go build -m=2)
 *   -> mtext.c + logjson.c (compiler output) -> attribute.c (findings)
 *   -> store/ (SQLite) -> match.c (new / fixed) -> report/ (text, json)
 */
#include <errno.h>
#include <git2.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "core/interrupt.h"

const char usage_help[] =
	"usage: escgate help [COMMAND]\n";

const struct command escgate_commands[] = {
	{ "diff", cmd_diff, "report the escapes and leaks a revision introduces", usage_diff },
	{ "scan", cmd_scan, "analyse one revision and list its findings", usage_scan },
	{ "hook", cmd_hook, "install the git pre-push hook", usage_hook },
	{ "pre-push", cmd_prepush, "check what git is pushing (run by the hook)", usage_prepush },
	{ "history", cmd_history, "chart escapes and leaks along a branch's history", usage_history },
	{ "check", cmd_check, "gate one revision against its baseline", usage_check },
	{ "baseline", cmd_baseline, "write .escgate-baseline: the findings accepted as they are", usage_baseline },
	{ "explain", cmd_explain, "explain the findings at FILE:LINE in plain words", usage_explain },
	{ "list", cmd_list, "list what the store knows about a revision, for scripts", usage_list },
	{ "stats", cmd_stats, "count a revision's findings by package and kind", usage_stats },
	{ "version", cmd_version, "print version information", usage_version },
	{ "help", cmd_help, "show help for escgate or a command", usage_help },
	{ NULL, NULL, NULL, NULL },
};

const struct command *command_lookup(const char *name)
{
	const struct command *c;

	for (c = escgate_commands; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static void main_usage(FILE *out)
{
	const struct command *c;

	fputs("usage: escgate [-C DIR] COMMAND [ARGS]\n\n"
	      "Stops Go heap-escape regressions before they merge.\n\n"
	      "Commands:\n", out);
	for (c = escgate_commands; c->name; c++)
		fprintf(out, "  %-9s %s\n", c->name, c->summary);
	fputs("\nRun 'escgate help COMMAND' for a command's options.\n", out);
}

int cmd_help(int argc, char **argv)
{
	const struct command *c;

	if (argc < 2) {
		main_usage(stdout);
		return EXIT_CLEAN;
	}
	c = command_lookup(argv[1]);
	if (!c) {
		fprintf(stderr, "escgate: unknown command '%s'\nsee 'escgate help'\n", argv[1]);
		return EXIT_USAGE;
	}
	fputs(c->usage, stdout);
	return EXIT_CLEAN;
}

int main(int argc, char **argv)
{
	const struct command *c;
	int i = 1, status;

	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-C")) {
			if (i + 1 >= argc) {
				fputs("escgate: option '-C' needs a directory\n", stderr);
				return EXIT_USAGE;
			}
			if (chdir(argv[i + 1])) {
				fprintf(stderr, "escgate: cannot change to '%s': %s\n", argv[i + 1],
					strerror(errno));
				return EXIT_USAGE;
			}
			i += 2;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			main_usage(stdout);
			return EXIT_CLEAN;
		} else if (!strcmp(argv[i], "--version")) {
			return cmd_version(1, argv + i);
		} else {
			fprintf(stderr, "escgate: unknown option '%s'\nsee 'escgate help'\n", argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		main_usage(stderr);
		return EXIT_USAGE;
	}
	c = command_lookup(argv[i]);
	if (!c) {
		fprintf(stderr, "escgate: unknown command '%s'\nsee 'escgate help'\n", argv[i]);
		return EXIT_USAGE;
	}
	interrupt_install();
	/* libgit2 is started by what opens a repository (gate_open, hook) */
	status = c->run(argc - i, argv + i);
	if (interrupt_pending())
		status = interrupt_pending() == SIGINT ? EXIT_SIGINT : EXIT_SIGTERM;
	return status;
}
