#include "cmd.h"

#include <cjson/cJSON.h>
#include <git2.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

const char usage_version[] =
	"usage: escgate version\n"
	"\n"
	"Prints escgate's version and the versions of the libraries it runs with.\n";

int cmd_version(int argc, char **argv)
{
	int major, minor, rev;

	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_version, stdout);
		return EXIT_CLEAN;
	}
	if (argc > 1) {
		fprintf(stderr, "escgate: unexpected argument '%s'\nsee 'escgate help version'\n",
			argv[1]);
		return EXIT_USAGE;
	}
	git_libgit2_version(&major, &minor, &rev);
	printf("escgate %s (libgit2 %d.%d.%d, sqlite %s, cjson %s)\n", ESCGATE_VERSION, major,
	       minor, rev, sqlite3_libversion(), cJSON_Version());
	return EXIT_CLEAN;
}
