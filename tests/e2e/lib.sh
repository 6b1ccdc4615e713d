# Shared helpers for escgate's end-to-end tests (plain bash, in the manner
# of jq's tests/shtest). Each t_*.sh sources this file, defines functions
# named test_* and ends with `run_tests`.
#
# Every test runs in its own subshell, in its own directory under one
# temporary root that is removed on exit, and prints exactly one line:
#   PASS: e2e:<name>
#   PASS: e2e:<name> (skipped: <reason>)     (see skip)
#   FAIL: e2e:<name>: <reason>
# (<name> is the function name without "test_"). Diagnostics after a FAIL
# line are indented with "  | " so that no counter mistakes them for results.
#
# Assertions (expect_*) end the test at the first failure, so call them at
# the top level of a test function, not inside $(...) or a pipeline.
#
# Environment:
#   ESCGATE              binary under test (default: <repo root>/escgate)
#   ESCGATE_E2E_GOCACHE  share one GOCACHE between scripts (default: a fresh
#                        one per script, under the temporary root)
#   ESCGATE_E2E_TIMEOUT  seconds one escgate run may take (default: 180)
#   ESCGATE_E2E_KEEP=1   keep the temporary root for inspection
#   ESCGATE_E2E_ONLY     run only tests whose name contains this string
#
# JSON is checked with python3's json module (python3 is on the project's
# machine image; Debian: apt-get install python3).

E2E_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$E2E_LIB_DIR/../.." && pwd)
ESCGATE=${ESCGATE:-$TOP/escgate}
case $ESCGATE in
/*) ;;
*/*) ESCGATE=$PWD/$ESCGATE ;;
*) ESCGATE=$(command -v "$ESCGATE" || echo "$PWD/$ESCGATE") ;;
esac

export LC_ALL=C
export TZ=UTC

# --- Go toolchain, hermetic settings ---------------------------------------
if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
	PATH=$PATH:/usr/local/go/bin
fi
export PATH
export GOTOOLCHAIN=local GOFLAGS=-mod=mod GOWORK=off GOENV=off GOPROXY=off
unset GOOS GOARCH
# The CI running these tests must not choose bases or write annotations for them.
unset CI GITHUB_ACTIONS GITHUB_EVENT_NAME GITHUB_EVENT_PATH GITHUB_BASE_REF GITHUB_HEAD_REF \
	GITHUB_STEP_SUMMARY GITHUB_OUTPUT GITHUB_SERVER_URL GITHUB_REPOSITORY GITHUB_SHA \
	GITLAB_CI CI_MERGE_REQUEST_DIFF_BASE_SHA CI_COMMIT_BEFORE_SHA CI_PIPELINE_SOURCE

# --- git, hermetic settings -----------------------------------------------
export GIT_CONFIG_NOSYSTEM=1
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY GIT_CEILING_DIRECTORIES
export GIT_AUTHOR_NAME="E2E Tester" GIT_AUTHOR_EMAIL="e2e@example.com"
export GIT_COMMITTER_NAME="E2E Tester" GIT_COMMITTER_EMAIL="e2e@example.com"
E2E_EPOCH=1704067200 # 2024-01-01T00:00:00Z; commit_all adds one minute per commit
export GIT_AUTHOR_DATE="@$E2E_EPOCH +0000" GIT_COMMITTER_DATE="@$E2E_EPOCH +0000"
E2E_COMMITS=0

PY=$(command -v python3 || true)

# --- temporary root ----------------------------------------------------------
E2E_TMP=$(mktemp -d "${TMPDIR:-/tmp}/escgate-e2e.XXXXXX") || exit 2
E2E_TMP=$(cd "$E2E_TMP" && pwd -P)
e2e_cleanup() {
	if [ "${ESCGATE_E2E_KEEP:-}" = 1 ]; then
		echo "  | kept $E2E_TMP" >&2
	else
		chmod -R u+w "$E2E_TMP" 2>/dev/null
		rm -rf "$E2E_TMP"
	fi
}
trap e2e_cleanup EXIT
trap 'exit 130' INT TERM

export GIT_CONFIG_GLOBAL=$E2E_TMP/gitconfig
: >"$GIT_CONFIG_GLOBAL"
export GOCACHE=${ESCGATE_E2E_GOCACHE:-$E2E_TMP/gocache}
mkdir -p "$GOCACHE"

# Set per test by run_tests.
T=          # the test's own directory
REPO=       # the repository made by the last new_repo / new_go_repo
RC= OUT= ERR=   # exit status, stdout and stderr of the last run_escgate

# --- failing -------------------------------------------------------------
fail() {
	local reason=$*
	reason=${reason//$'\n'/ | }
	[ ${#reason} -le 400 ] || reason="${reason:0:400}..."
	printf '%s\n' "$reason" >"$T/.fail"
	{
		if [ -n "${E2E_LAST_CMD:-}" ]; then
			echo "last command: $E2E_LAST_CMD (exit ${RC:-?})"
			echo "--- stdout"; head -c 4000 "$T/stdout" 2>/dev/null
			echo "--- stderr"; head -c 4000 "$T/stderr" 2>/dev/null
		fi
	} | sed 's/^/  | /' >"$T/.diag"
	exit 1
}

# skip REASON: ends the test without running the rest, reported as passed
# with the reason. Only for what the machine cannot provide (a browser that
# cannot be installed), never for a failure.
skip() {
	printf '%s\n' "$*" >"$T/.skip"
	exit 0
}

# --- repositories ------------------------------------------------------------
# new_repo [NAME]: a fresh git repository with branch main; cd into it.
new_repo() {
	local name=${1:-repo}
	REPO=$T/$name
	mkdir -p "$REPO" || fail "mkdir $REPO"
	cd "$REPO" || fail "cd $REPO"
	git init -q -b main . || fail "git init"
	git config user.name "E2E Tester"
	git config user.email "e2e@example.com"
	git config commit.gpgsign false
	git config core.autocrlf false
}

# new_go_repo [NAME] [MODULE]: new_repo plus a go.mod (go 1.19), not committed.
new_go_repo() {
	new_repo "${1:-repo}"
	printf 'module %s\n\ngo 1.19\n' "${2:-example.com/m}" >go.mod
}

# write_file PATH <<'EOF' ... EOF: writes stdin to PATH (relative to the cwd).
write_file() {
	mkdir -p "$(dirname "$1")" || fail "mkdir for $1"
	cat >"$1" || fail "write $1"
}

# commit_all MSG: stage everything and commit with a pinned date (one minute
# later than the previous commit), so commit ids are the same on every run.
commit_all() {
	E2E_COMMITS=$((E2E_COMMITS + 1))
	local d="@$((E2E_EPOCH + 60 * E2E_COMMITS)) +0000"
	git add -A || fail "git add"
	GIT_AUTHOR_DATE=$d GIT_COMMITTER_DATE=$d git commit -q --allow-empty -m "$1" ||
		fail "git commit $1"
}

git_sha() { git -C "$REPO" rev-parse --verify -q "$1^{commit}"; }

# --- running escgate -------------------------------------------------------
# run_escgate ARGS...: runs the binary from the cwd; sets RC, OUT, ERR and
# leaves $T/stdout and $T/stderr. Stdin is /dev/null.
run_escgate() {
	E2E_LAST_CMD="escgate $*"
	if [ ! -x "$ESCGATE" ]; then
		: >"$T/stdout"; echo "no binary" >"$T/stderr"; RC=127
		fail "escgate binary not found or not executable: $ESCGATE"
	fi
	local to=()
	command -v timeout >/dev/null 2>&1 && to=(timeout -k 5 "${ESCGATE_E2E_TIMEOUT:-180}")
	"${to[@]}" "$ESCGATE" "$@" </dev/null >"$T/stdout" 2>"$T/stderr"
	RC=$?
	OUT=$(cat "$T/stdout"; printf x); OUT=${OUT%x}
	ERR=$(cat "$T/stderr"; printf x); ERR=${ERR%x}
	[ "$RC" -ne 124 ] || fail "escgate timed out: $*"
	return 0
}

# eg ARGS...: run_escgate -C "$REPO" ARGS...
eg() { run_escgate -C "$REPO" "$@"; }

# save_output NAME: copies the last stdout to $T/NAME (for comparisons).
save_output() { cp "$T/stdout" "$T/$1"; }

# --- assertions --------------------------------------------------------------
expect_status() {
	[ "$RC" = "$1" ] || fail "exit status $RC, want $1 (escgate ${E2E_LAST_CMD#escgate })"
}

# expect_status_in "0 1": one of several acceptable statuses.
expect_status_in() {
	local s
	for s in $1; do [ "$RC" = "$s" ] && return 0; done
	fail "exit status $RC, want one of: $1"
}

# expect_contains TEXT [stdout|stderr]: a substring.
expect_contains() {
	local where=${2:-stdout} text
	if [ "$where" = stderr ]; then text=$ERR; else text=$OUT; fi
	[[ $text == *"$1"* ]] || fail "$where lacks: $1"
}

expect_not_contains() {
	local where=${2:-stdout} text
	if [ "$where" = stderr ]; then text=$ERR; else text=$OUT; fi
	[[ $text != *"$1"* ]] || fail "$where should not contain: $1"
}

# expect_stderr_contains_ci TEXT: case-insensitive substring of stderr.
expect_stderr_contains_ci() {
	local e=${ERR,,} t=${1,,}
	[[ $e == *"$t"* ]] || fail "stderr lacks (any case): $1"
}

# expect_stderr_line REGEX: some line of stderr matches the extended REGEX,
# case-insensitively.
expect_stderr_line() {
	grep -qiE -- "$1" "$T/stderr" || fail "no line of stderr matches /$1/i"
}

# expect_line LINE: stdout has LINE as a whole line.
expect_line() {
	grep -qxF -- "$1" "$T/stdout" || fail "stdout lacks line: $1"
}

expect_no_line() {
	! grep -qxF -- "$1" "$T/stdout" || fail "stdout should not have line: $1"
}

# expect_block LINE...: stdout has these whole lines, consecutively.
expect_block() {
	local block
	block=$(printf '%s\n' "$@")
	[[ $'\n'$OUT == *$'\n'"$block"$'\n'* ]] ||
		fail "stdout lacks block: $(printf '%s⏎' "$@")"
}

# expect_count REGEX N: exactly N lines of stdout match the (extended) REGEX.
expect_count() {
	local n
	n=$(grep -cE -- "$1" "$T/stdout")
	[ "$n" = "$2" ] || fail "$n lines of stdout match /$1/, want $2"
}

# expect_last_line LINE: the last line of stdout (which must end in \n).
expect_last_line() {
	[[ $OUT == *$'\n' ]] || fail "stdout does not end with a newline"
	local last
	last=$(tail -n 1 "$T/stdout")
	[ "$last" = "$1" ] || fail "last line of stdout is '$last', want '$1'"
}

# expect_summary NEW ESCAPES LEAKS FIXED UNCHANGED: the text report's last line,
#   escgate: N new (E escapes, L leaks), F fixed, U unchanged
# A count of exactly 1 may read "1 escape" / "1 leak" as well.
expect_summary() {
	local want="escgate: $1 new ($2 escapes, $3 leaks), $4 fixed, $5 unchanged" last
	[[ $OUT == *$'\n' ]] || fail "stdout does not end with a newline"
	last=$(tail -n 1 "$T/stdout")
	local norm=${last/"(1 escape,"/"(1 escapes,"}
	norm=${norm/", 1 leak)"/", 1 leaks)"}
	[ "$norm" = "$want" ] || fail "last line of stdout is '$last', want '$want'"
}

# expect_stdout_eq TEXT: stdout is exactly TEXT plus a final newline.
expect_stdout_eq() {
	[ "$OUT" = "$1"$'\n' ] || fail "stdout is '${OUT//$'\n'/⏎}', want '$1⏎'"
}

# expect_stdout_empty: nothing at all on stdout.
expect_stdout_empty() {
	[ -z "$OUT" ] || fail "stdout should be empty, has: ${OUT:0:200}"
}

# expect_same_file A B: two saved outputs are byte-identical.
expect_same_file() {
	cmp -s "$T/$1" "$T/$2" ||
		fail "$1 and $2 differ: $(diff "$T/$1" "$T/$2" | head -n 6)"
}

# expect_report_lines_only: every stdout line of a text report is a finding
# header, an indented detail line, an empty line (between findings) or the
# summary: no progress or log lines on stdout.
expect_report_lines_only() {
	local bad
	bad=$(grep -vE '^(|	.*|[^	 ][^:]*:[0-9]+:[0-9]+: (new|fixed) (escape|leak) in .+: .+|escgate: [0-9]+ new \([0-9]+ escapes?, [0-9]+ leaks?\), [0-9]+ fixed, [0-9]+ unchanged)$' \
		"$T/stdout" | head -n 3)
	[ -z "$bad" ] || fail "unexpected stdout line(s): $bad"
}

# --- JSON (python3) ------------------------------------------------------------
# Expressions see `d`, the document parsed from stdout, and helpers:
#   F(**kw) -> findings whose fields equal kw;  keys(x) -> sorted keys.
E2E_PY_PRELUDE='
import json, sys
raw = open(sys.argv[1], encoding="utf-8").read()
try:
    d = json.loads(raw)
except Exception as e:
    print("stdout is not exactly one JSON document: %s" % e); sys.exit(3)
def F(**kw):
    return [f for f in d.get("findings", []) if all(f.get(k) == v for k, v in kw.items())]
def keys(x):
    return sorted(x.keys())
'

# expect_json_doc: stdout is exactly one JSON document (an object).
expect_json_doc() {
	[ -n "$PY" ] || fail "python3 not found (needed for JSON checks)"
	local msg
	msg=$("$PY" -c "$E2E_PY_PRELUDE"'
if not isinstance(d, dict): print("top level is not an object"); sys.exit(1)
' "$T/stdout" 2>&1) || fail "$msg"
}

# expect_json EXPR WANT: python EXPR over `d` equals the JSON value WANT.
expect_json() {
	[ -n "$PY" ] || fail "python3 not found (needed for JSON checks)"
	local msg
	msg=$("$PY" -c "$E2E_PY_PRELUDE"'
expr, want = sys.argv[2], json.loads(sys.argv[3])
try:
    got = eval(expr)
except Exception as e:
    print("%s: %s: %s" % (expr, type(e).__name__, e)); sys.exit(1)
if got != want:
    print("%s = %s, want %s" % (expr, json.dumps(got, ensure_ascii=False), json.dumps(want, ensure_ascii=False))); sys.exit(1)
' "$T/stdout" "$1" "$2" 2>&1) || fail "$msg"
}

# expect_json_true EXPR: python EXPR over `d` is truthy.
expect_json_true() {
	[ -n "$PY" ] || fail "python3 not found (needed for JSON checks)"
	local msg
	msg=$("$PY" -c "$E2E_PY_PRELUDE"'
expr = sys.argv[2]
try:
    ok = eval(expr)
except Exception as e:
    print("%s: %s: %s" % (expr, type(e).__name__, e)); sys.exit(1)
if not ok:
    print("not true: %s" % expr); sys.exit(1)
' "$T/stdout" "$1" 2>&1) || fail "$msg"
}

# expect_finding STATUS KIND PACKAGE FUNCTION FILE LINE COL MESSAGE: exactly
# one finding in the JSON document has these fields.
expect_finding() {
	expect_json "len(F(status='$1', kind='$2', package='$3', function='$4', file='$5', line=$6, column=$7, message=$(json_str "$8")))" 1
}

# expect_json_summary NEW FIXED UNCHANGED: the JSON summary's three counts
# (other keys, if any, are not looked at).
expect_json_summary() {
	expect_json '{k: d["summary"].get(k) for k in ("new", "fixed", "unchanged")}' \
		"{\"new\": $1, \"fixed\": $2, \"unchanged\": $3}"
}

# json_str S: S as a Python/JSON string literal.
json_str() { "$PY" -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$1"; }

# json_get EXPR: prints a value of the last stdout's JSON (for use in $(...)).
json_get() {
	"$PY" -c "$E2E_PY_PRELUDE"'
v = eval(sys.argv[2])
print(v if isinstance(v, str) else json.dumps(v))
' "$T/stdout" "$1"
}

# --- the user's repository must not change -------------------------------------
# snapshot_repo FILE: records everything escgate must leave alone. The index
# checksum is taken first, and git runs without optional locks, so taking a
# snapshot does not itself rewrite the index.
snapshot_repo() {
	(
		cd "$REPO" || exit 1
		export GIT_OPTIONAL_LOCKS=0
		echo "== index"; sha256sum .git/index 2>/dev/null | cut -d' ' -f1; stat -c %Y .git/index
		echo "== HEAD"; cat .git/HEAD; git rev-parse -q --verify HEAD
		echo "== refs"; git for-each-ref --format='%(refname) %(objectname) %(symref)'
		echo "== packed-refs"; cat .git/packed-refs 2>/dev/null
		echo "== stash"; git stash list --format='%gd %H %s'
		echo "== status"; git status --porcelain=v1 --untracked-files=all --ignored
		echo "== worktrees"; git worktree list --porcelain
		echo "== config"; sha256sum .git/config | cut -d' ' -f1
		echo "== files"
		find . -path ./.git -prune -o -print0 | sort -z |
			xargs -0 stat -c '%n %F %a %s %Y' 2>&1
		echo "== file contents"
		find . -path ./.git -prune -o -type f -print0 | sort -z | xargs -0 -r sha256sum
	) >"$1" 2>&1
}

# --- runner --------------------------------------------------------------------
# run_tests: runs every test_* function of the calling script, in the order
# of definition, each in a subshell of its own; prints one line per test.
run_tests() {
	local fn name line file order=() status=0
	shopt -s extdebug
	while read -r _ _ fn; do
		case $fn in test_*) ;; *) continue ;; esac
		read -r _ line file < <(declare -F "$fn")
		order+=("$(printf '%08d %s' "$line" "$fn")")
	done < <(declare -F)
	shopt -u extdebug
	local sorted
	sorted=$(printf '%s\n' "${order[@]}" | sort | cut -d' ' -f2)
	for fn in $sorted; do
		name=${fn#test_}
		if [ -n "${ESCGATE_E2E_ONLY:-}" ] && [[ $name != *"$ESCGATE_E2E_ONLY"* ]]; then
			continue
		fi
		local dir=$E2E_TMP/t/$name
		mkdir -p "$dir"
		(
			T=$dir
			cd "$T" || exit 1
			export ESCGATE_STORE=$T/store.db
			"$fn"
		) >"$dir/.log" 2>&1
		local rc=$?
		if [ $rc -eq 0 ] && [ ! -e "$dir/.fail" ] && [ -s "$dir/.skip" ]; then
			echo "PASS: e2e:$name (skipped: $(cat "$dir/.skip"))"
		elif [ $rc -eq 0 ] && [ ! -e "$dir/.fail" ]; then
			echo "PASS: e2e:$name"
		else
			status=1
			if [ -s "$dir/.fail" ]; then
				echo "FAIL: e2e:$name: $(cat "$dir/.fail")"
			else
				echo "FAIL: e2e:$name: test exited with status $rc"
			fi
			[ -s "$dir/.diag" ] && cat "$dir/.diag"
			[ -s "$dir/.log" ] && sed 's/^/  | log: /' "$dir/.log" | head -n 20
		fi
	done
	return $status
}

# --- fixture files shared by several scripts ------------------------------------
# sub/keep.go: Store's v is moved to the heap (sub/keep.go:7:2).
fixture_store() {
	write_file sub/keep.go <<'GO'
package sub

var sink *int

// Store keeps a pointer to a local: v is moved to the heap.
func Store() {
	v := 7
	sink = &v
}
GO
}

# sub/t.go, NewPoint returning a value: nothing escapes.
fixture_point_value() {
	write_file sub/t.go <<'GO'
package sub

type Point struct{ X, Y int }

func Sum(p Point) int {
	return p.X + p.Y
}

// NewPoint makes a Point.
//
func NewPoint(x, y int) Point {
	p := Point{X: x, Y: y}
	return p
}
GO
}

# sub/t.go, NewPoint returning &p: sub/t.go:12:2: moved to heap: p.
fixture_point_pointer() {
	write_file sub/t.go <<'GO'
package sub

type Point struct{ X, Y int }

func Sum(p Point) int {
	return p.X + p.Y
}

// NewPoint makes a Point.
//
func NewPoint(x, y int) *Point {
	p := Point{X: x, Y: y}
	return &p
}
GO
}

# The blog post's example: sub/w.go with a *bytes.Buffer parameter (nothing
# escapes) or an io.Writer one (([]byte)(s) escapes, w leaks).
fixture_write_buffer() {
	write_file sub/w.go <<'GO'
package sub

import "bytes"

// Write copies s into w; a concrete *bytes.Buffer keeps everything local.
func Write(w *bytes.Buffer, s string) {
	w.Write([]byte(s))
}
GO
}

fixture_write_writer() {
	write_file sub/w.go <<'GO'
package sub

import "io"

// Write copies s into w; behind io.Writer the compiler must assume the worst.
func Write(w io.Writer, s string) {
	w.Write([]byte(s))
}
GO
}

# main → feature: 5 new (4 escapes: sub/extra.go:5:2 Extra, 10:9 Counter,
# 11:3 Counter.func1, sub/w.go:11:17 Put; 1 leak: sub/w.go:10:10 Put), 1 fixed
# (sub/t.go:12:2 NewPoint), 1 unchanged (sub/keep.go:7:2 Store). No imports
# at all, so that a cold GOCACHE costs no standard-library build.
setup_mixed_branches() {
	new_go_repo
	fixture_store
	fixture_point_pointer
	write_file sub/w.go <<'GO'
package sub

type Writer interface{ Write(p []byte) (int, error) }

type Buffer struct{ b []byte }

func (b *Buffer) Write(p []byte) (int, error) { return len(p), nil }

// Put copies s into w.
func Put(w *Buffer, s string) {
	w.Write([]byte(s))
}
GO
	commit_all "base"
	git checkout -q -b feature
	fixture_point_value
	sed -i 's/^func Put(w \*Buffer, s string) {$/func Put(w Writer, s string) {/' sub/w.go
	write_file sub/extra.go <<'GO'
package sub

// Extra and Counter are new.
func Extra() *int {
	e := 3
	return &e
}

func Counter() func() *int {
	return func() *int {
		v := 1
		return &v
	}
}
GO
	commit_all "feature"
}
