/* The policy file, package patterns and the baseline lockfile. */
#define TEST_SUITE "policy"
#include "test.h"

#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/baseline.h"
#include "core/policy.h"
#include "core/util.h"

/* Reads text as a config file named "test:.escgate"; returns policy_read's result. */
static int read_text(struct policy *p, const char *text, struct err *e)
{
	char path[] = "/tmp/escgate-test-policy-XXXXXX";
	int fd = mkstemp(path), ret;

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		FAIL_("cannot write %s", path);
		return -1;
	}
	close(fd);
	ret = policy_read(p, path, "test:.escgate", text, strlen(text), e);
	unlink(path);
	return ret;
}

TEST(patterns_match_like_the_go_command)
{
	CHECK(policy_pattern_match("example.com/m/...", "example.com/m"));
	CHECK(policy_pattern_match("example.com/m/...", "example.com/m/a/b"));
	CHECK(!policy_pattern_match("example.com/m/...", "example.com/mx"));
	CHECK(policy_pattern_match(".../testutil", "example.com/m/testutil"));
	CHECK(policy_pattern_match(".../testutil", "example.com/m/a/testutil"));
	CHECK(!policy_pattern_match(".../testutil", "example.com/m/testutil/x"));
	CHECK(policy_pattern_match("...", "anything"));
	CHECK(policy_pattern_match("a/.../b", "a/x/y/b"));
	CHECK(!policy_pattern_match("a/b", "a/bc"));
}

TEST(packages_and_exclude_select)
{
	struct policy p = { 0 };
	struct err e = ERR_INIT;

	CHECK(policy_package_selected(&p, "example.com/m/x", "x"));
	CHECK(!policy_set_option(&p, "--package", "./internal/...", &e));
	CHECK(!policy_set_option(&p, "--exclude", ".../testutil", &e));
	CHECK(policy_package_selected(&p, "example.com/m/internal", "internal"));
	CHECK(policy_package_selected(&p, "example.com/m/internal/a", "internal/a"));
	CHECK(!policy_package_selected(&p, "example.com/m/internal/testutil", "internal/testutil"));
	CHECK(!policy_package_selected(&p, "example.com/m/cmd", "cmd"));
	CHECK(!policy_package_selected(&p, "example.com/m", "."));
	policy_release(&p);
	CHECK(!policy_set_option(&p, "--package", ".", &e));
	CHECK(policy_package_selected(&p, "example.com/m", "."));
	CHECK(!policy_package_selected(&p, "example.com/m/a", "a"));
	policy_release(&p);
	err_release(&e);
}

TEST(file_settings)
{
	struct policy p = { 0 };
	struct err e = ERR_INIT;

	CHECK(!read_text(&p,
			 "# the gate\n"
			 "[gate]\n"
			 "\tfailOn = leak\n"
			 "\tMAXNEW = 3\n"
			 "\tpackages = ./a/...\n"
			 "\tpackages = ./b/... , .../c\n"
			 "\texclude = .../testutil\n"
			 "\ttags = integration,slow\n"
			 "\tgoflags = -trimpath\n"
			 "\ttargets = linux/amd64 windows/arm64\n"
			 "\ttargets = linux/amd64\n", &e));
	CHECK_STR(e.msg.buf, "");
	CHECK_INT(policy_fail_on(&p), POLICY_FAIL_LEAK);
	CHECK_INT(policy_max_new(&p), 3);
	CHECK_INT(p.packages.nr, 3);
	CHECK_STR(p.packages.nr == 3 ? p.packages.v[2] : "", ".../c");
	CHECK_INT(p.exclude.nr, 1);
	CHECK_STR(p.tags, "integration,slow");
	CHECK_STR(p.goflags, "-trimpath");
	CHECK_INT(p.targets.nr, 2);
	CHECK_STR(p.source, "test:.escgate");
	policy_release(&p);
	err_release(&e);
}

TEST(defaults)
{
	struct policy p = { 0 };
	struct err e = ERR_INIT;

	CHECK(!read_text(&p, "", &e));
	CHECK_INT(policy_fail_on(&p), POLICY_FAIL_BOTH);
	CHECK_INT(policy_max_new(&p), 0);
	CHECK(!p.tags && !p.goflags && !p.targets.nr && !p.packages.nr);
	policy_release(&p);
	err_release(&e);
}

/* Each bad file, and the message it must give: file, line, key. */
TEST(errors_name_file_line_and_key)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		{ "[gate]\n\tfailOn = escape\n\tfailOnn = leak\n",
		  "test:.escgate:3: unknown key 'gate.failonn'" },
		{ "[gate]\nmaxNew = lots\n",
		  "test:.escgate:2: bad value for gate.maxNew: 'lots' is not a number of findings (0 or more)" },
		{ "[gate]\n\tmaxNew = -1\n", "test:.escgate:2: bad value for gate.maxNew" },
		{ "[gate]\n\tfailOn = escapes\n",
		  "test:.escgate:2: bad value for gate.failOn: 'escapes' is not escape, leak or both" },
		{ "[gate]\n\ttargets = linux/amd64\n\ttargets = linux\n",
		  "test:.escgate:3: bad value for gate.targets: 'linux' is not GOOS/GOARCH" },
		{ "[gate]\n\tpackages\n", "test:.escgate:2: gate.packages needs a value" },
		{ "[gate]\n\tpackages =\n", "test:.escgate:2: bad value for gate.packages: needs a package pattern" },
		{ "[gate]\n\ttags = a b\n", "test:.escgate:2: bad value for gate.tags" },
		{ "[gate \"sub\"]\n\tfailOn = leak\n", "test:.escgate:2: unknown key 'gate.sub.failon'" },
		{ "[core]\n\tbare = false\n", "test:.escgate:2: unknown key 'core.bare'" },
		{ "[gate\n\tfailOn = leak\n", "test:.escgate:1: " },
		{ "[gate] maxNew = x\n", "test:.escgate:1: bad value for gate.maxNew" },
		{ "[gate]\n[include]\n\tpath = /etc/passwd\n", "test:.escgate:2: [include] is not allowed" },
		{ " [ IncludeIf \"gitdir:/\"]\n\tpath = /etc/passwd\n",
		  "test:.escgate:1: [IncludeIf] is not allowed" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct policy p = { 0 };
		struct err e = ERR_INIT;

		if (!read_text(&p, cases[i].text, &e))
			FAIL_("case %zu: accepted", i);
		else if (strncmp(e.msg.buf, cases[i].msg, strlen(cases[i].msg)))
			FAIL_("case %zu: '%s', want '%s...'", i, e.msg.buf, cases[i].msg);
		else if (e.status != EXIT_USAGE)
			FAIL_("case %zu: status %d", i, e.status);
		policy_release(&p);
		err_release(&e);
	}
}

TEST(command_line_overrides_the_file)
{
	struct policy p = { 0 }, cli = { 0 };
	struct err e = ERR_INIT;

	CHECK(!read_text(&p, "[gate]\nfailOn = leak\nmaxNew = 2\npackages = ./a/...\n", &e));
	CHECK(!policy_set_option(&cli, "--max-new", "0", &e));
	CHECK(!policy_set_option(&cli, "--package", "./b/...", &e));
	policy_override(&p, &cli);
	CHECK_INT(policy_max_new(&p), 0);
	CHECK_INT(policy_fail_on(&p), POLICY_FAIL_LEAK);
	CHECK_INT(p.packages.nr, 1);
	CHECK_STR(p.packages.nr ? p.packages.v[0] : "", "./b/...");
	CHECK(policy_set_option(&cli, "--fail-on", "nothing", &e));
	CHECK_STR(e.msg.buf, "bad value for --fail-on: 'nothing' is not escape, leak or both");
	policy_release(&p);
	policy_release(&cli);
	err_release(&e);
}

static struct finding *add(struct finding_list *l, const char *pkg, const char *fn,
			   const char *verdict, unsigned occ, unsigned line)
{
	struct finding *f = finding_list_add(l);

	f->kind = KIND_ESCAPE;
	f->package = xstrdup(pkg);
	f->pkgname = xstrdup("m");
	f->function = xstrdup(fn);
	f->scope = xstrdup(fn);
	f->file = xstrdup("a.go");
	f->line = line;
	f->message = xstrdup(verdict);
	f->verdict = xstrdup(verdict);
	f->source = xstrdup("");
	f->occurrence = occ;
	return f;
}

TEST(baseline_round_trip)
{
	struct finding_list l = { 0 }, stale = { 0 };
	struct strbuf text = STRBUF_INIT;
	struct baseline b = { 0 };
	struct match_result r = { 0 };
	struct err e = ERR_INIT;

	add(&l, "example.com/m", "F", "moved to heap: x", 0, 10);
	add(&l, "example.com/m", "F", "moved to heap: x", 1, 12);
	add(&l, "example.com/m", "B", "\"a\\tb\x01\" escapes to heap", 0, 20);
	add(&l, "example.com/m", "S", "moved to heap: s", 0, 30)->suppressed = xstrdup("why");
	baseline_format(&l, &text);
	CHECK(strstr(text.buf, "example.com/m\tB\tescape\t\"a\\tb\\x01\" escapes to heap\t0\n"
			       "example.com/m\tF\tescape\tmoved to heap: x\t0\n"
			       "example.com/m\tF\tescape\tmoved to heap: x\t1\n") != NULL);
	CHECK(!strstr(text.buf, "moved to heap: s"));
	CHECK(!baseline_parse(&b, "x", text.buf, text.len, &e));
	CHECK_INT(b.nr, 3);
	baseline_match(&b, &l, &stale, &r);
	CHECK_INT(r.nnew, 0);
	CHECK_INT(r.nunchanged, 3);
	CHECK_INT(r.nsuppressed, 1);
	CHECK_INT(r.nfixed, 0);
	match_result_release(&r);
	/* a third x is new; B gone is a stale entry, reported at its line */
	add(&l, "example.com/m", "F", "moved to heap: x", 2, 14);
	free(l.items[2].verdict);
	l.items[2].verdict = xstrdup("changed escapes to heap");
	baseline_match(&b, &l, &stale, &r);
	CHECK_INT(r.nnew, 2);
	CHECK_INT(r.nfixed, 1);
	CHECK_INT(stale.nr, 1);
	CHECK_STR(stale.nr ? stale.items[0].file : "", BASELINE_FILE);
	CHECK_INT(stale.nr ? stale.items[0].line : 0, 4);
	CHECK_STR(stale.nr ? stale.items[0].function : "", "B");
	match_result_release(&r);
	finding_list_release(&stale);
	baseline_release(&b);
	finding_list_release(&l);
	strbuf_release(&text);
	err_release(&e);
}

TEST(baseline_syntax_errors)
{
	struct baseline b = { 0 };
	struct err e = ERR_INIT;
	const char *text = "# comment\n\nexample.com/m\tF\tescape\tmoved to heap: x\t0\r\n"
			   "example.com/m F escape moved to heap: y 0\n";

	CHECK(baseline_parse(&b, "main:.escgate-baseline", text, strlen(text), &e));
	CHECK(!strncmp(e.msg.buf, "main:.escgate-baseline:4: not a baseline entry", 46));
	CHECK_INT(e.status, EXIT_USAGE);
	baseline_release(&b);
	err_release(&e);
}

int main(void)
{
	git_libgit2_init();
	RUN(patterns_match_like_the_go_command);
	RUN(packages_and_exclude_select);
	RUN(file_settings);
	RUN(defaults);
	RUN(errors_name_file_line_and_key);
	RUN(command_line_overrides_the_file);
	RUN(baseline_round_trip);
	RUN(baseline_syntax_errors);
	git_libgit2_shutdown();
	TEST_EXIT();
}
