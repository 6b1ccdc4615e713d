#include "policy.h"

#include <ctype.h>
#include <errno.h>
#include <git2.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util.h"

void policy_init(struct policy *p)
{
	memset(p, 0, sizeof(*p));
}

static void strings_add(struct policy_strings *l, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		if (strlen(l->v[i]) == n && !memcmp(l->v[i], s, n))
			return;   /* given twice: once is enough */
	ALLOC_GROW(l->v, l->nr + 1, l->alloc);
	l->v[l->nr++] = xstrndup(s, n);
}

static void strings_release(struct policy_strings *l)
{
	size_t i;

	for (i = 0; i < l->nr; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void strings_copy(struct policy_strings *dst, const struct policy_strings *src)
{
	size_t i;

	strings_release(dst);
	for (i = 0; i < src->nr; i++)
		strings_add(dst, src->v[i], strlen(src->v[i]));
}

void policy_release(struct policy *p)
{
	if (!p)
		return;
	strings_release(&p->packages);
	strings_release(&p->exclude);
	strings_release(&p->targets);
	free(p->tags);
	free(p->goflags);
	free(p->source);
	policy_init(p);
}

/* --- values ---------------------------------------------------------------- */

/* Calls fn on each word of v (separated by blanks or commas); stops at the first failure. */
static int each_word(const char *v, int (*fn)(void *data, const char *w, size_t n,
					       struct strbuf *why),
		     void *data, struct strbuf *why)
{
	int words = 0;

	while (*v) {
		size_t n;

		v += strspn(v, " \t,");
		n = strcspn(v, " \t,");
		if (!n)
			break;
		if (fn(data, v, n, why))
			return -1;
		words++;
		v += n;
	}
	return words;
}

static int fail_on_word(void *data, const char *w, size_t n, struct strbuf *why)
{
	int *bits = data;

	if (n == 6 && !strncasecmp(w, "escape", n))
		*bits |= POLICY_FAIL_ESCAPE;
	else if (n == 4 && !strncasecmp(w, "leak", n))
		*bits |= POLICY_FAIL_LEAK;
	else if (n == 4 && !strncasecmp(w, "both", n))
		*bits |= POLICY_FAIL_BOTH;
	else {
		strbuf_addf(why, "'%.*s' is not escape, leak or both", (int)n, w);
		return -1;
	}
	return 0;
}

static int set_fail_on(struct policy *p, const char *v, struct strbuf *why)
{
	int bits = 0, n = each_word(v, fail_on_word, &bits, why);

	if (n < 0)
		return -1;
	if (!n) {
		strbuf_addstr(why, "needs escape, leak or both");
		return -1;
	}
	p->fail_on = bits;
	return 0;
}

static int set_max_new(struct policy *p, const char *v, struct strbuf *why)
{
	char *end = NULL;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *end || errno || n < 0) {
		strbuf_addf(why, "'%s' is not a number of findings (0 or more)", v);
		return -1;
	}
	p->max_new = n;
	p->has_max_new = 1;
	return 0;
}

static int pattern_word(void *data, const char *w, size_t n, struct strbuf *why)
{
	(void)why;
	strings_add(data, w, n);
	return 0;
}

static int add_patterns(struct policy_strings *l, const char *v, struct strbuf *why)
{
	int n = each_word(v, pattern_word, l, why);

	if (!n)
		strbuf_addstr(why, "needs a package pattern (./dir/..., example.com/m/..., .../name)");
	return n > 0 ? 0 : -1;
}

static int set_packages(struct policy *p, const char *v, struct strbuf *why)
{
	return add_patterns(&p->packages, v, why);
}

static int set_exclude(struct policy *p, const char *v, struct strbuf *why)
{
	return add_patterns(&p->exclude, v, why);
}

static int set_tags(struct policy *p, const char *v, struct strbuf *why)
{
	const char *c;

	/* build tags are identifiers; go build -tags separates them with commas */
	for (c = v; *c; c++) {
		if (!isalnum((unsigned char)*c) && !strchr("_.,", *c)) {
			strbuf_addf(why, "'%s' is not a comma-separated list of build tags", v);
			return -1;
		}
	}
	free(p->tags);
	p->tags = xstrdup(v);
	return 0;
}

static int set_goflags(struct policy *p, const char *v, struct strbuf *why)
{
	(void)why;
	free(p->goflags);
	p->goflags = xstrdup(v);
	return 0;
}

static int target_word(void *data, const char *w, size_t n, struct strbuf *why)
{
	size_t i, slash = n;

	for (i = 0; i < n; i++) {
		if (w[i] == '/' && slash == n)
			slash = i;
		else if (!islower((unsigned char)w[i]) && !isdigit((unsigned char)w[i]))
			break;
	}
	if (i < n || !slash || slash >= n - 1) {
		strbuf_addf(why, "'%.*s' is not GOOS/GOARCH (e.g. linux/amd64)", (int)n, w);
		return -1;
	}
	strings_add(data, w, n);
	return 0;
}

static int set_targets(struct policy *p, const char *v, struct strbuf *why)
{
	int n = each_word(v, target_word, &p->targets, why);

	if (!n)
		strbuf_addstr(why, "needs GOOS/GOARCH pairs (e.g. linux/amd64 windows/arm64)");
	return n > 0 ? 0 : -1;
}

static const struct setting {
	const char *key;      /* as libgit2 names it: section and variable lowercased */
	const char *name;     /* as documented */
	const char *option;   /* the command-line flag that overrides it */
	int (*set)(struct policy *p, const char *value, struct strbuf *why);
} settings[] = {
	{ "gate.failon", "gate.failOn", "--fail-on", set_fail_on },
	{ "gate.maxnew", "gate.maxNew", "--max-new", set_max_new },
	{ "gate.packages", "gate.packages", "--package", set_packages },
	{ "gate.exclude", "gate.exclude", "--exclude", set_exclude },
	{ "gate.tags", "gate.tags", "--tags", set_tags },
	{ "gate.goflags", "gate.goflags", "--goflags", set_goflags },
	{ "gate.targets", "gate.targets", "--target", set_targets },
};

#define NSETTINGS (sizeof(settings) / sizeof(*settings))

int policy_set_option(struct policy *p, const char *option, const char *value,
		      struct err *err)
{
	struct strbuf why = STRBUF_INIT;
	size_t i;
	int ret = -1;

	for (i = 0; i < NSETTINGS; i++) {
		if (strcmp(settings[i].option, option))
			continue;
		if (settings[i].set(p, value, &why))
			err_set(err, EXIT_USAGE, "bad value for %s: %s", option, why.buf);
		else
			ret = 0;
		break;
	}
	if (i == NSETTINGS)
		err_set(err, EXIT_USAGE, "unknown policy option '%s'", option);
	strbuf_release(&why);
	return ret;
}

/* --- the configuration file ------------------------------------------------ */

/*
 * The line of the nth entry called key ("section[.sub].var", as libgit2
 * names it) in text, or 0. libgit2 keeps no line numbers for entries, so
 * they are looked up here; this does not parse values, libgit2 did that.
 */
static unsigned key_line(const char *text, size_t len, const char *key, unsigned nth)
{
	const char *dot1 = strchr(key, '.'), *dot2 = strrchr(key, '.');
	const char *end = text + len, *p = text;
	struct strbuf sec = STRBUF_INIT, sub = STRBUF_INIT;
	unsigned line = 0, seen = 0, found = 0;
	size_t var_len;
	int has_sub = 0;

	if (!dot1)
		return 0;
	var_len = strlen(dot2 + 1);
	while (p < end && !found) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q = p, *stop = eol ? eol : end;

		line++;
		while (q < stop && (*q == ' ' || *q == '\t'))
			q++;
		if (q < stop && *q == '[') {
			const char *name = ++q;

			while (q < stop && *q != ']' && *q != ' ' && *q != '\t' && *q != '"')
				q++;
			strbuf_reset(&sec);
			strbuf_reset(&sub);
			strbuf_add(&sec, name, (size_t)(q - name));
			has_sub = 0;
			while (q < stop && (*q == ' ' || *q == '\t'))
				q++;
			if (q < stop && *q == '"') {
				for (q++; q < stop && *q != '"'; q++) {
					if (*q == '\\' && q + 1 < stop)
						q++;
					strbuf_addch(&sub, *q);
				}
				has_sub = 1;
			} else if (memchr(sec.buf, '.', sec.len)) {
				/* [section.sub]: the old form, its subsection lowercased */
				char *d = memchr(sec.buf, '.', sec.len);
				size_t i;

				strbuf_addstr(&sub, d + 1);
				for (i = 0; i < sub.len; i++)
					sub.buf[i] = (char)tolower((unsigned char)sub.buf[i]);
				strbuf_setlen(&sec, (size_t)(d - sec.buf));
				has_sub = 1;
			}
			q = memchr(q, ']', (size_t)(stop - q));
			q = q ? q + 1 : stop;
			while (q < stop && (*q == ' ' || *q == '\t'))
				q++;
		}
		/* an entry (possibly after its section header on the same line) */
		if ((size_t)(stop - q) >= var_len && !strncasecmp(q, dot2 + 1, var_len) &&
		    (q + var_len == stop || strchr(" \t=#;\r", q[var_len])) &&
		    sec.len == (size_t)(dot1 - key) && !strncasecmp(sec.buf, key, sec.len) &&
		    (dot1 == dot2 ? !has_sub :
		     has_sub && sub.len == (size_t)(dot2 - dot1 - 1) &&
		     !memcmp(sub.buf, dot1 + 1, sub.len)) &&
		    ++seen == nth)
			found = line;
		p = eol ? eol + 1 : end;
	}
	strbuf_release(&sec);
	strbuf_release(&sub);
	return found;
}

struct read_state {
	struct policy *p;
	const char *name, *text;
	size_t len;
	struct err *err;
	struct strbuf seen;   /* "key\n" for every entry read so far: for their line numbers */
};

/* How many entries called key were read before, this one included. */
static unsigned count_seen(struct strbuf *seen, const char *key)
{
	const char *p = seen->buf;
	size_t n = strlen(key);
	unsigned count = 1;

	while ((p = strstr(p, key))) {
		if ((p == seen->buf || p[-1] == '\n') && p[n] == '\n')
			count++;
		p += n;
	}
	strbuf_addf(seen, "%s\n", key);
	return count;
}

static void where(struct strbuf *sb, struct read_state *st, const char *key)
{
	unsigned line = key_line(st->text, st->len, key, count_seen(&st->seen, key));

	strbuf_addstr(sb, st->name);
	if (line)
		strbuf_addf(sb, ":%u", line);
}

/*
 * The go flags a policy file may set. A repository's .escgate is read from
 * the revision analysed (check, scan, baseline), so from a pull request:
 * a flag that runs a program (-toolexec, -exec, -ldflags=-extld=...) or
 * reads or writes files of its choosing (-overlay, -modfile,
 * -gcflags=-cpuprofile=...) would hand it the machine running the gate.
 * Any flag can still be given with --goflags or GOFLAGS.
 */
static const char *const file_goflags[] = {
	"-trimpath", "-mod", "-modcacherw", "-buildvcs", "-tags", "-p", "-race",
};

static int file_goflags_allowed(const char *v, struct strbuf *why)
{
	while (*v) {
		const char *w;
		size_t n, name, i;

		v += strspn(v, " \t");
		n = strcspn(v, " \t");
		if (!n)
			break;
		w = v;
		v += n;
		if (n >= 2 && w[0] == '-' && w[1] == '-') {
			w++;   /* the go command takes --flag as -flag */
			n--;
		}
		for (name = 0; name < n && w[name] != '='; name++)
			;
		for (i = 0; i < sizeof(file_goflags) / sizeof(*file_goflags); i++)
			if (strlen(file_goflags[i]) == name && !strncmp(w, file_goflags[i], name))
				break;
		/* quotes would let one word of ours be several of the go command's */
		if (i < sizeof(file_goflags) / sizeof(*file_goflags) && !memchr(w, '\'', n) &&
		    !memchr(w, '"', n))
			continue;
		strbuf_addf(why,
			    "'%.*s' cannot come from a policy file, which a pull request can change (allowed: -trimpath, -mod, -modcacherw, -buildvcs, -tags, -p, -race); pass it with --goflags or GOFLAGS",
			    (int)n, w);
		return -1;
	}
	return 0;
}

static int read_entry(const git_config_entry *e, void *data)
{
	struct read_state *st = data;
	struct strbuf at = STRBUF_INIT, why = STRBUF_INIT;
	size_t i;
	int ret = -1;

	where(&at, st, e->name);
	for (i = 0; i < NSETTINGS; i++)
		if (!strcmp(settings[i].key, e->name))
			break;
	if (i == NSETTINGS) {
		struct strbuf known = STRBUF_INIT;
		size_t k;

		for (k = 0; k < NSETTINGS; k++)
			strbuf_addf(&known, "%s%s", k ? ", " : "", settings[k].name);
		err_set(st->err, EXIT_USAGE, "%s: unknown key '%s' (known: %s)", at.buf, e->name,
			known.buf);
		strbuf_release(&known);
	} else if (!e->value) {
		err_set(st->err, EXIT_USAGE, "%s: %s needs a value", at.buf, settings[i].name);
	} else if ((settings[i].set == set_goflags && file_goflags_allowed(e->value, &why)) ||
		   settings[i].set(st->p, e->value, &why)) {
		err_set(st->err, EXIT_USAGE, "%s: bad value for %s: %s", at.buf, settings[i].name,
			why.buf);
	} else {
		ret = 0;
	}
	strbuf_release(&at);
	strbuf_release(&why);
	return ret;
}

/*
 * libgit2's parse errors end "(in PATH:LINE)" and name our private copy:
 * say NAME:LINE instead, the way every other message names a place.
 */
static void parse_error(struct err *err, const char *path, const char *name)
{
	static const char prefix[] = "failed to parse config file: ";
	const git_error *e = git_error_last();
	const char *msg = e && e->message ? e->message : "cannot parse", *in;
	struct strbuf what = STRBUF_INIT, needle = STRBUF_INIT;
	unsigned long line = 0;

	if (!strncmp(msg, prefix, sizeof(prefix) - 1))
		msg += sizeof(prefix) - 1;
	strbuf_addf(&needle, " (in %s:", path);
	in = strstr(msg, needle.buf);
	strbuf_add(&what, msg, in ? (size_t)(in - msg) : strlen(msg));
	if (in)
		line = strtoul(in + needle.len, NULL, 10);
	if (line)
		err_set(err, EXIT_USAGE, "%s:%lu: %s", name, line, what.buf);
	else
		err_set(err, EXIT_USAGE, "%s: %s", name, what.buf);
	strbuf_release(&what);
	strbuf_release(&needle);
}

/*
 * libgit2 follows [include] and [includeIf] while it parses, so they are
 * refused before it reads the file: a revision's policy must not read
 * files of the machine it is checked on.
 */
static int refuse_includes(const char *name, const char *text, size_t len, struct err *err)
{
	const char *p = text, *end = text + len;
	unsigned line = 0;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q = p;
		const char *stop = eol ? eol : end;
		size_t n;

		line++;
		while (q < stop && isspace((unsigned char)*q))
			q++;
		if (q < stop && *q == '[') {
			for (q++; q < stop && isspace((unsigned char)*q); q++)
				;
			/* not strspn: text need not be NUL-terminated at len */
			for (n = 0; q + n < stop && isalpha((unsigned char)q[n]); n++)
				;
			if ((n == 7 && !strncasecmp(q, "include", 7)) ||
			    (n == 9 && !strncasecmp(q, "includeif", 9)))
				return err_set(err, EXIT_USAGE,
					       "%s:%u: [%.*s] is not allowed: the policy is this one file",
					       name, line, (int)n, q);
		}
		p = eol ? eol + 1 : end;
	}
	return 0;
}

int policy_read(struct policy *p, const char *path, const char *name, const char *text,
		size_t len, struct err *err)
{
	struct read_state st = { p, name, text, len, err, STRBUF_INIT };
	git_config *cfg = NULL;
	int ret = -1;

	if (refuse_includes(name, text, len, err))
		goto out;
	if (git_config_open_ondisk(&cfg, path)) {
		parse_error(err, path, name);
		goto out;
	}
	if (git_config_foreach(cfg, read_entry, &st)) {
		if (!err_is_set(err))
			err_set(err, EXIT_USAGE, "%s: cannot read: %s", name,
				git_error_last() ? git_error_last()->message : "unknown error");
		goto out;
	}
	free(p->source);
	p->source = xstrdup(name);
	ret = 0;
out:
	git_config_free(cfg);
	strbuf_release(&st.seen);
	return ret;
}

void policy_override(struct policy *p, const struct policy *cli)
{
	if (cli->fail_on)
		p->fail_on = cli->fail_on;
	if (cli->has_max_new) {
		p->max_new = cli->max_new;
		p->has_max_new = 1;
	}
	if (cli->packages.nr)
		strings_copy(&p->packages, &cli->packages);
	if (cli->exclude.nr)
		strings_copy(&p->exclude, &cli->exclude);
	if (cli->targets.nr)
		strings_copy(&p->targets, &cli->targets);
	if (cli->tags) {
		free(p->tags);
		p->tags = xstrdup(cli->tags);
	}
	if (cli->goflags) {
		free(p->goflags);
		p->goflags = xstrdup(cli->goflags);
	}
}

int policy_fail_on(const struct policy *p)
{
	return p->fail_on ? p->fail_on : POLICY_FAIL_BOTH;
}

long policy_max_new(const struct policy *p)
{
	return p->has_max_new ? p->max_new : 0;
}

/* --- packages -------------------------------------------------------------- */

/*
 * "..." matches any string, everything else itself. Greedy, going back
 * only to the last "..." seen: a pattern from a pull request's .escgate
 * (check, scan and baseline read the revision they look at) must not take
 * time exponential in its number of "..." as trying every split would.
 */
static int glob_match(const char *pat, const char *s)
{
	const char *star = NULL, *mark = NULL;

	while (*s) {
		if (!strncmp(pat, "...", 3)) {
			star = pat += 3;
			mark = s;
		} else if (*pat == *s) {
			pat++;
			s++;
		} else if (star) {
			pat = star;
			s = ++mark;
		} else {
			return 0;
		}
	}
	while (!strncmp(pat, "...", 3))
		pat += 3;
	return !*pat;
}

int policy_pattern_match(const char *pattern, const char *s)
{
	size_t n = strlen(pattern);

	if (glob_match(pattern, s))
		return 1;
	/* "x/..." matches x itself, as for the go command */
	return n > 4 && !strcmp(pattern + n - 4, "/...") && strlen(s) == n - 4 &&
	       !strncmp(pattern, s, n - 4) && !strstr(s, "...");
}

static int pattern_selects(const char *pattern, const char *import_path, const char *dir)
{
	if (!strcmp(pattern, "."))
		return !strcmp(dir, ".");
	if (!strncmp(pattern, "./", 2))
		return policy_pattern_match(pattern + 2, dir);
	return policy_pattern_match(pattern, import_path);
}

int policy_package_selected(const struct policy *p, const char *import_path, const char *dir)
{
	size_t i;
	int in = !p->packages.nr;

	for (i = 0; i < p->packages.nr && !in; i++)
		in = pattern_selects(p->packages.v[i], import_path, dir);
	for (i = 0; i < p->exclude.nr && in; i++)
		in = !pattern_selects(p->exclude.v[i], import_path, dir);
	return in;
}

/* Whether the package of a file (its directory from the repository root) is looked at. */
static int file_selected(const struct policy *p, const char *package, const char *file)
{
	const char *slash = strrchr(file, '/');
	char *dir = slash ? xstrndup(file, (size_t)(slash - file)) : xstrdup(".");
	int in = policy_package_selected(p, package, dir);

	free(dir);
	return in;
}

void policy_filter(const struct policy *p, struct finding_list *l)
{
	size_t i, j;

	if (!p->packages.nr && !p->exclude.nr)
		return;
	for (i = j = 0; i < l->nr; i++) {
		if (file_selected(p, l->items[i].package, l->items[i].file))
			l->items[j++] = l->items[i];
		else
			finding_release(&l->items[i]);
	}
	l->nr = j;
	for (i = j = 0; i < l->allows.nr; i++) {
		struct allow_comment *a = &l->allows.items[i];

		if (file_selected(p, a->package, a->file)) {
			l->allows.items[j++] = *a;
		} else {
			free(a->package);
			free(a->file);
			free(a->reason);
		}
	}
	l->allows.nr = j;
}
