#!/usr/bin/env bash
# Hostile repositories: what a pull request controls (its tree, its file
# names, its string literals, and through them what the compiler prints)
# must not make escgate read or write outside its private temporary
# directory, nor put raw control characters into a report.
. "$(dirname "$0")/lib.sh"

# The runs here get TMPDIR=$T/tmp, which must be empty again afterwards,
# and a directory $T/outside with a Go file that must never be compiled,
# read or changed.
setup_outside() {
	mkdir -p "$T/tmp" "$T/outside"
	cat >"$T/outside/secret.go" <<'GO'
package sub

// Secret lives outside the repository: if it is ever compiled, its escape shows.
func Secret() *int {
	leaked := 1
	return &leaked
}
GO
	sha256sum "$T/outside/secret.go" >"$T/outside.sum"
}

expect_outside_untouched() {
	local left
	sha256sum -c --quiet "$T/outside.sum" >/dev/null 2>&1 || fail "the outside file changed"
	[ "$(ls -A "$T/outside")" = secret.go ] || fail "something was written to $T/outside: $(ls -A "$T/outside")"
	left=$(ls -A "$T/tmp")
	[ -z "$left" ] || fail "left behind in TMPDIR: $left"
	left=$(find "$T" -name 'pwned*' -not -path '*/.git/*' | head -n 3)
	[ -z "$left" ] || fail "written outside the tree: $left"
}

# inspect_go: a go command that, when building, lists the tree it was given
# (every symbolic link, where it resolves, and the modes of the directories
# from TMPDIR down) into $T/seen, then runs the real go.
inspect_go() {
	local real
	real=$(command -v go)
	cat >"$T/inspectgo" <<SH
#!/usr/bin/env bash
if [ "\$1" = build ]; then
	root=\$(git rev-parse --show-toplevel 2>/dev/null || pwd)
	{
		echo "== cwd \$PWD"
		find "\$PWD" -type l | sort | while read -r l; do
			echo "link \${l#\$PWD/} -> \$(readlink "\$l") = \$(readlink -f "\$l")"
		done
		d=\$PWD
		while [ "\$d" != "$T/tmp" ] && [ "\$d" != / ]; do
			echo "mode \$(stat -c %a "\$d") \$d"
			d=\$(dirname "\$d")
		done
	} >>"$T/seen"
fi
exec "$real" "\$@"
SH
	chmod +x "$T/inspectgo"
}

# run_tmp ARGS...: eg with TMPDIR=$T/tmp.
run_tmp() { TMPDIR=$T/tmp run_escgate -C "$REPO" "$@"; }

test_symlinks_leaving_the_tree_are_dropped() {
	setup_outside
	inspect_go
	new_go_repo
	fixture_store
	ln -s /etc evil
	ln -s ../../outside up
	ln -s "$T/outside/secret.go" sub/abs.go
	ln -s ../../outside/secret.go sub/rel.go
	# Each of these stays inside lexically; together they climb one level
	# per link: a/up3 is TMPDIR, so a/s.go is $T/outside/secret.go.
	mkdir a
	printf 'package a\n' >a/a.go
	ln -s .. a/up
	ln -s up/.. a/up2
	ln -s up2/.. a/up3
	ln -s up3/../outside/secret.go a/s.go
	# links that stay inside are kept
	ln -s keep.go sub/alias.txt
	ln -s sub docs
	commit_all "links everywhere"
	run_tmp scan --go "$T/inspectgo"
	expect_status 0
	expect_contains "moved to heap: v"
	expect_not_contains "leaked"
	expect_not_contains "Secret"
	expect_outside_untouched
	[ -s "$T/seen" ] || fail "the build never ran"
	grep -q '^link sub/alias.txt -> keep.go = ' "$T/seen" || fail "an inside link was dropped: $(cat "$T/seen")"
	grep -q '^link docs -> sub = ' "$T/seen" || fail "an inside link was dropped: $(cat "$T/seen")"
	local bad
	bad=$(grep -E '^link (evil|up|sub/abs.go|sub/rel.go|a/up2|a/up3|a/s.go) ' "$T/seen")
	[ -z "$bad" ] || fail "links leaving the tree were written: $bad"
	# every link that is there resolves inside the tree
	bad=$(awk '/^== cwd /{root=$3} /^link /{ if (index($NF, root) != 1) print }' "$T/seen")
	[ -z "$bad" ] || fail "a link resolves outside the tree: $bad"
}

# hostile_commit: a commit whose tree git itself would never make, written
# with `git hash-object --literally`: names that climb ("..", "a/b"), .git
# in any case, a name given twice (blob and tree, link and tree), and a
# chain of links with a tree of the same name, which a writer following
# links would fill from outside the temporary directory. Prints its id.
hostile_commit() {
	"$PY" - <<'PY' || fail "could not write the hostile tree"
import os, subprocess
def obj(kind, data):
    return subprocess.run(["git", "hash-object", "-t", kind, "--literally", "-w", "--stdin"],
                          input=data, capture_output=True, check=True).stdout.decode().strip()
def tree(entries):
    return obj("tree", b"".join(m.encode() + b" " + n + b"\0" + bytes.fromhex(s)
                                for m, n, s in entries))
blob = lambda data: obj("blob", data)
pwned = tree([("100644", b"pwned.go", blob(b"package pwned\n"))])
sub = tree([("100644", b"keep.go", blob(b"package sub\n\nvar sink *int\n\nfunc Store() {\n\tv := 7\n\tsink = &v\n}\n"))])
a = tree([
    ("100644", b"a.go", blob(b"package a\n")),
    ("120000", b"up", blob(b"..")),
    ("120000", b"up2", blob(b"up/..")),
    ("120000", b"up3", blob(b"up2/..")),
    ("120000", b"up4", blob(b"up3/..")),
    ("40000", b"up4", pwned),
    ("120000", b"in", blob(b"../sub")),
    ("40000", b"in", pwned),
])
root = tree([
    ("40000", b"..", pwned),
    ("40000", b".", pwned),
    ("40000", b".git", pwned),
    ("40000", b".GIT", pwned),
    ("100644", b"../pwned-dotdot.go", blob(b"package pwned\n")),
    ("100644", b"/tmp/pwned-abs.go", blob(b"package pwned\n")),
    ("40000", b"a", a),
    ("100644", b"go.mod", blob(b"module example.com/m\n\ngo 1.19\n")),
    ("100644", b"pwned-twice.go", blob(b"package m\n")),
    ("40000", b"pwned-twice.go", pwned),
    ("40000", b"sub", sub),
    ("40000", b"sub", pwned),
])
env = dict(os.environ)
print(subprocess.run(["git", "commit-tree", root, "-m", "hostile"], capture_output=True,
                     check=True, env=env).stdout.decode().strip())
PY
}

test_hostile_tree_entries() {
	setup_outside
	new_go_repo
	fixture_store
	commit_all "base"
	local c
	c=$(hostile_commit)
	[ -n "$c" ] || fail "no hostile commit"
	git update-ref refs/heads/hostile "$c" || fail "update-ref"
	git ls-tree hostile >"$T/ls-tree"
	grep -q '	\.\.$' "$T/ls-tree" || fail "git would not keep the hostile names: $(cat "$T/ls-tree")"
	run_tmp scan hostile
	expect_status 0
	expect_line "sub/keep.go:6:2: escape in sub.Store: moved to heap: v"
	expect_not_contains "pwned"
	expect_outside_untouched
	[ ! -e /tmp/pwned-abs.go ] || fail "/tmp/pwned-abs.go was written"
	# and as a diff head, against an ordinary base
	run_tmp diff --base main --head hostile
	expect_status_in "0 1"
	expect_not_contains "pwned"
	expect_outside_untouched
}

# fake_positions_go: the real go, then, after a build, lines as if the
# compiler had reported positions outside the tree (absolute, climbing,
# and through $GOROOT) in a package of the module.
fake_positions_go() {
	local real
	real=$(command -v go)
	cat >"$T/fakego" <<SH
#!/usr/bin/env bash
"$real" "\$@"
rc=\$?
if [ "\$1" = build ] && [ \$rc -eq 0 ]; then
	{
		echo "# example.com/m/sub"
		echo "$T/outside/secret.go:5:2: leaked escapes to heap:"
		echo "$T/outside/secret.go:5:2:   flow: {heap} ← &leaked:"
		echo "$T/outside/secret.go:5:2:     from &leaked (address-of) at $T/outside/secret.go:6:9"
		echo "$T/outside/secret.go:5:2: moved to heap: leaked"
		echo "../../../../outside/secret.go:5:2: moved to heap: climbed"
		echo "./../../../../../../../../../etc/passwd.go:1:1: moved to heap: rootfile"
		echo "sub/../../outside/secret.go:5:2: moved to heap: dotdot"
		echo "\\\$GOROOT/src/fmt/print.go:1:1: moved to heap: goroot"
	} >&2
fi
exit \$rc
SH
	chmod +x "$T/fakego"
}

test_positions_outside_the_tree_are_never_opened() {
	setup_outside
	fake_positions_go
	new_go_repo
	fixture_store
	commit_all "base"
	local tracer=()
	if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
		tracer=(strace -f -qq -e trace=%file -o "$T/trace")
	else
		echo "note: strace not usable; what escgate opens is not checked"
	fi
	E2E_LAST_CMD="escgate scan --format json --go fakego (traced)"
	# LeakSanitizer cannot work under ptrace (make check SANITIZE=1)
	TMPDIR=$T/tmp ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		"${tracer[@]}" "$ESCGATE" -C "$REPO" scan -q --format json --go "$T/fakego" \
		</dev/null >"$T/stdout" 2>"$T/stderr"
	RC=$?
	OUT=$(cat "$T/stdout")
	expect_status 0
	expect_json_doc
	expect_json '[f["message"] for f in d["findings"]]' '["moved to heap: v"]'
	expect_outside_untouched
	if [ ${#tracer[@]} -gt 0 ]; then
		local opened
		# the fake go script only echoes these names; escgate must not touch them
		opened=$(grep -E 'outside/secret\.go|etc/passwd\.go|print\.go' "$T/trace" | grep -v 'execve' | head -n 3)
		[ -z "$opened" ] || fail "escgate looked at a path outside the tree: $opened"
	fi
}

test_control_characters_in_literals_and_names() {
	new_go_repo
	fixture_store
	commit_all "base"
	git checkout -q -b feature
	# A string literal with an ANSI colour sequence and a carriage return,
	# raw in the source; a file name with an escape sequence; one with a
	# newline (the compiler's text splits its lines: see the README).
	printf 'package sub\n\nfunc Paint(s string) any {\n\treturn "\033[31mred\r" + s\n}\n' >sub/paint.go
	printf 'package sub\n\nfunc Esc() {\n\tv := 1\n\tsink = &v\n}\n' >"sub/e$(printf '\033')[2Jx.go"
	printf 'package sub\n\nfunc Nl() {\n\tw := 1\n\tsink = &w\n}\n' >"sub/n$(printf '\n')l.go"
	commit_all "control characters"
	eg diff --base main --head feature
	expect_status 1
	if LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$T/stdout"; then
		fail "raw control characters in the text report: $(LC_ALL=C grep "$(printf '[\001-\010\013-\037\177]')" "$T/stdout" | cat -v | head -n 3)"
	fi
	expect_contains $'\treturn "\\x1b[31mred\\x0d" + s\n'
	expect_contains 'sub/e\x1b[2Jx.go:4:2: new escape in sub.Esc: moved to heap: v'
	expect_contains 'new escape in sub.Paint: "\x1b[31mred\r" + s escapes to heap'
	expect_contains 'moved to heap: w'
	expect_report_lines_only
	eg diff --base main --head feature --format json
	expect_status 1
	expect_json_doc
	expect_json '[f["file"] for f in d["findings"] if f["message"] == "moved to heap: v"]' \
		'["sub/e\u001b[2Jx.go"]'
	expect_json '[f["source"] for f in d["findings"] if f["function"] == "Paint"]' \
		'["return \"\u001b[31mred\r\" + s", "return \"\u001b[31mred\r\" + s"]'
}

test_tmpdir_is_private() {
	setup_outside
	inspect_go
	new_go_repo
	fixture_store
	commit_all "base"
	git checkout -q -b feature
	fixture_point_pointer
	commit_all "feature"
	run_tmp diff --base main --head feature --go "$T/inspectgo"
	expect_status 1
	[ -s "$T/seen" ] || fail "the build never ran"
	# $T/tmp/escgate-XXXXXX (and base/, head/ in it) must be 0700
	local bad
	bad=$(awk '/^mode / && $3 ~ "/escgate-[^/]*$" && $2 != "700"' "$T/seen")
	[ -z "$bad" ] || fail "temporary directory not private: $bad"
	bad=$(awk '/^mode / && $3 ~ "/escgate-[^/]*/(base|head)$" && $2 != "700"' "$T/seen")
	[ -z "$bad" ] || fail "revision directory not private: $bad"
	grep -qE '^mode 700 .*/escgate-[^/]*$' "$T/seen" || fail "no escgate-XXXXXX directory seen: $(cat "$T/seen")"
	expect_outside_untouched
}

# A pull request's .escgate is read by check, scan and baseline: its
# gate.goflags must not make the go command run the pull request's code.
test_policy_file_cannot_run_programs() {
	new_go_repo
	fixture_store
	printf '#!/bin/sh\n: >"%s/pwned-toolexec"\nexec "$@"\n' "$T" >pwn.sh
	chmod +x pwn.sh
	local flags
	for flags in "-toolexec=./pwn.sh" "-trimpath --toolexec=./pwn.sh" "-exec=./pwn.sh" \
		"-overlay=$T/pwned-overlay.json" "-gcflags=-cpuprofile=$T/pwned-profile" \
		"-ldflags=-extld=./pwn.sh" "-tags='x -toolexec=./pwn.sh'"; do
		printf '[gate]\n\tgoflags = %s\n' "$flags" >.escgate
		commit_all "goflags $flags"
		eg scan -q
		expect_status 2
		expect_contains "gate.goflags" stderr
		expect_contains "pass it with --goflags" stderr
		eg check -q
		expect_status 2
		[ -z "$(find "$T" -maxdepth 1 -name 'pwned*')" ] || fail "goflags '$flags' ran: $(ls "$T")"
	done
	# the harmless ones still work
	printf '[gate]\n\tgoflags = -trimpath -mod=mod --buildvcs=false -tags=a,b -p=2\n' >.escgate
	commit_all "harmless goflags"
	eg scan -q
	expect_status 0
	expect_contains "moved to heap: v"
}

run_tests
