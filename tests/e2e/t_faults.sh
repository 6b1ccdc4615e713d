#!/usr/bin/env bash
# Faults around the analysis: gates sharing a store, stores that cannot be
# used (no directory, unwritable, corrupt, from a newer escgate), stores
# from an older escgate, a Go toolchain that is missing or failing, a
# module whose dependencies cannot be had, and a very large output.
# Whatever goes wrong: exit 3 (never 0), one line saying what and what to
# do, the toolchain's own words when it failed, and nothing of the user's
# lost. (Compile errors in the base or the head: t_errors.sh.)
. "$(dirname "$0")/lib.sh"

# py_sqlite DB SQL...: runs SQL on DB with python3's sqlite3, printing rows.
py_sqlite() {
	[ -n "$PY" ] || fail "python3 not found (needed to prepare stores)"
	"$PY" - "$@" <<'PY' || fail "sqlite3 on $1 failed"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
for sql in sys.argv[2:]:
    for row in db.execute(sql):
        print("|".join(str(c) for c in row))
db.close()
PY
}

# expect_one_line_error: with -q, stderr is exactly one "escgate: ..." line.
expect_one_line_error() {
	local n
	n=$(wc -l <"$T/stderr")
	[ "$n" -eq 1 ] || fail "stderr has $n lines, want one"
	expect_stderr_line '^escgate: '
}

# --- two gates at once ---------------------------------------------------

# concurrent N ARGS...: starts N escgate runs at once on $REPO (each with
# the environment as it is) and waits; run i leaves $T/out.i, $T/err.i, $T/rc.i.
concurrent() {
	local n=$1 i pids=()
	shift
	for i in $(seq 1 "$n"); do
		(
			timeout -k 5 "${ESCGATE_E2E_TIMEOUT:-180}" "$ESCGATE" -C "$REPO" "$@" \
				</dev/null >"$T/out.$i" 2>"$T/err.$i"
			echo $? >"$T/rc.$i"
		) &
		pids+=($!)
	done
	wait "${pids[@]}"
}

test_two_gates_share_a_store() {
	setup_mixed_branches
	local round i
	# Round 1 races on creating the store, migrating it and saving the same
	# analyses; round 2 on reading them back.
	for round in 1 2; do
		concurrent 2 diff --base main --head feature
		for i in 1 2; do
			[ "$(cat "$T/rc.$i")" = 1 ] ||
				fail "round $round: gate $i exited $(cat "$T/rc.$i"), want 1: $(head -c 300 "$T/err.$i")"
			cp "$T/out.$i" "$T/stdout"
			OUT=$(cat "$T/stdout"; printf x); OUT=${OUT%x}
			expect_summary 5 4 1 1 1
		done
		cmp -s "$T/out.1" "$T/out.2" || fail "round $round: the two gates disagree"
		cp "$T/out.1" "$T/round$round"
	done
	cmp -s "$T/round1" "$T/round2" || fail "a warm store changed the answer"
	# Exactly one analysis per revision was kept.
	[ "$(py_sqlite "$ESCGATE_STORE" 'SELECT count(*) FROM analysis')" = 2 ] ||
		fail "the store holds $(py_sqlite "$ESCGATE_STORE" 'SELECT count(*) FROM analysis') analyses, want 2"
}

# --- stores that cannot be used ---------------------------------------------

test_store_directory_is_a_file() {
	new_go_repo
	fixture_store
	commit_all "base"
	: >"$T/plainfile"
	eg scan -q --store "$T/plainfile/store.db"
	expect_status 3
	expect_one_line_error
	expect_contains "$T/plainfile/store.db" stderr
	expect_contains "pass another --store" stderr
	expect_stdout_empty
	[ -f "$T/plainfile" ] && [ ! -s "$T/plainfile" ] || fail "the file in the way was changed"
	eg scan -q --store /dev/null/store.db
	expect_status 3
	expect_one_line_error
	expect_contains "/dev/null/store.db" stderr
	expect_contains "pass another --store" stderr
	# a directory that cannot be made
	eg scan -q --store "$T/plainfile/sub/store.db"
	expect_status 3
	expect_one_line_error
	expect_contains "pass another --store" stderr
}

# in_new_mounts SETUP DIR ARGS...: escgate ARGS in a mount namespace of its
# own, after the shell commands SETUP have run with DIR as their $1. Sets RC
# and ERR like run_escgate; RC is 97 when SETUP could not mount.
in_new_mounts() {
	local setup=$1 dir=$2
	shift 2
	unshare -m --propagation private sh -c "$setup || exit 97
		shift
		exec \"\$@\"" sh "$dir" "$ESCGATE" -C "$REPO" "$@" \
		</dev/null >"$T/stdout" 2>"$T/stderr"
	RC=$?
	ERR=$(cat "$T/stderr")
}

# DIR read-only: a bind mount of itself, remounted read-only.
READ_ONLY='mount --bind "$1" "$1" && mount -o remount,bind,ro "$1"'

# Root ignores permissions: a read-only bind mount is what stops root from
# writing. It needs a mount namespace; without one only the rest is checked.
test_store_directory_read_only() {
	new_go_repo
	fixture_store
	commit_all "base"
	mkdir -p "$T/ro"
	# a store made while writable, then read-only: it must not pass for empty
	ESCGATE_STORE=$T/ro/store.db eg scan -q
	expect_status 0
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "note: no mount namespace; read-only directory not checked"
		return 0
	fi
	local sum
	sum=$(sha256sum "$T/ro/store.db")
	E2E_LAST_CMD="escgate scan -q (in a read-only $T/ro)"
	in_new_mounts "$READ_ONLY" "$T/ro" scan -q --store "$T/ro/new.db"
	[ "$RC" != 97 ] || { echo "note: cannot remount read-only; not checked"; return 0; }
	expect_status 3
	expect_one_line_error
	expect_contains "$T/ro/new.db" stderr
	expect_contains "pass another --store" stderr
	# an existing store there: SQLite opens it read-only, and writing fails
	in_new_mounts "$READ_ONLY" "$T/ro" scan -q --store "$T/ro/store.db" --tags other
	expect_status 3
	expect_one_line_error
	expect_contains "$T/ro/store.db" stderr
	expect_contains "writable" stderr
	[ "$(sha256sum "$T/ro/store.db")" = "$sum" ] || fail "the read-only store changed"
}

# A store that does not exist yet is created while the trees are written
# and listed (store.h). When creating it fails, as in a directory with room
# for 4 KiB, its first use says so as opening it would have: exit 3, one
# line naming the store; for a comparison as for a scan.
test_new_store_cannot_be_created() {
	new_go_repo
	fixture_store
	commit_all "base"
	git checkout -q -b feature
	write_file sub/extra.go <<'GO'
package sub

func Extra() *int { n := 1; return &n }
GO
	commit_all "feature"
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "note: no mount namespace; a store that cannot be created not checked"
		return 0
	fi
	mkdir -p "$T/full"
	local cmd
	for cmd in "scan -q" "diff -q --base main --head feature"; do
		E2E_LAST_CMD="escgate $cmd --store $T/full/store.db (in a 4 KiB tmpfs)"
		# shellcheck disable=SC2086 # cmd is split on purpose
		in_new_mounts 'mount -t tmpfs -o size=4k tmpfs "$1"' "$T/full" \
			$cmd --store "$T/full/store.db"
		[ "$RC" != 97 ] || { echo "note: cannot mount a tmpfs; not checked"; return 0; }
		expect_status 3
		expect_one_line_error
		expect_contains "store '$T/full/store.db'" stderr
		expect_contains "pass another --store" stderr
	done
}

# Without TMPDIR the trees go to /dev/shm when it has 2 GiB free (tree.c).
# A tmpfs that says so but holds 16 files runs out of room while the tree is
# written: the error names the file and says to set TMPDIR.
test_memory_trees_out_of_room() {
	new_go_repo
	fixture_store
	commit_all "base"
	local i
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
		write_file "p$i/p.go" <<GO
package p$i
GO
	done
	commit_all "twenty packages"
	if ! unshare -m --propagation private true 2>/dev/null; then
		echo "note: no mount namespace; a full /dev/shm not checked"
		return 0
	fi
	E2E_LAST_CMD="escgate scan -q (with a /dev/shm of 16 inodes)"
	# an empty TMPDIR counts as none
	TMPDIR= in_new_mounts 'mount -t tmpfs -o size=3g,nr_inodes=16 tmpfs "$1"' /dev/shm \
		scan -q --store "$T/shm.db"
	[ "$RC" != 97 ] || { echo "note: cannot mount a tmpfs; a full /dev/shm not checked"; return 0; }
	expect_status 3
	expect_one_line_error
	expect_contains "/dev/shm/escgate-" stderr
	expect_contains "No space left on device" stderr
	expect_contains "set TMPDIR to a directory with room" stderr
	# chosen by TMPDIR itself: the same error, without advice to set it
	TMPDIR=/dev/shm in_new_mounts 'mount -t tmpfs -o size=3g,nr_inodes=16 tmpfs "$1"' /dev/shm \
		scan -q --store "$T/shm.db"
	expect_status 3
	expect_one_line_error
	expect_contains "No space left on device" stderr
	! grep -q "set TMPDIR" "$T/stderr" || fail "advises setting the TMPDIR that was set: $ERR"
}

test_store_corrupt() {
	new_go_repo
	fixture_store
	commit_all "base"
	head -c 8192 /dev/urandom >"$T/garbage.db"
	printf 'my notes, not a database\n' >"$T/notes.db"
	local f sum
	for f in garbage notes; do
		sum=$(sha256sum "$T/$f.db")
		snapshot_repo "$T/before"
		eg scan -q --store "$T/$f.db"
		expect_status 3
		expect_one_line_error
		expect_contains "$T/$f.db" stderr
		expect_contains "remove it or pass another --store" stderr
		expect_stdout_empty
		[ "$(sha256sum "$T/$f.db")" = "$sum" ] || fail "the corrupt store $f.db was rewritten"
		snapshot_repo "$T/after"
		cmp -s "$T/before" "$T/after" || fail "the repository changed"
	done
	# A real store cut short: its header reads, its pages do not.
	ESCGATE_STORE=$T/whole.db eg scan -q
	expect_status 0
	head -c 6000 "$T/whole.db" >"$T/cut.db"
	sum=$(sha256sum "$T/cut.db")
	eg scan -q --store "$T/cut.db"
	expect_status 3
	expect_one_line_error
	expect_contains "$T/cut.db" stderr
	expect_contains "damaged" stderr
	[ "$(sha256sum "$T/cut.db")" = "$sum" ] || fail "the damaged store was rewritten"
}

test_store_from_a_newer_escgate() {
	new_go_repo
	fixture_store
	commit_all "base"
	eg scan -q
	expect_status 0
	py_sqlite "$ESCGATE_STORE" 'PRAGMA user_version = 999' >/dev/null
	local sum
	sum=$(sha256sum "$ESCGATE_STORE")
	eg scan -q
	expect_status 3
	expect_one_line_error
	expect_contains "$ESCGATE_STORE" stderr
	expect_contains "schema 999" stderr
	expect_contains "upgrade escgate or pass another --store" stderr
	[ "$(sha256sum "$ESCGATE_STORE")" = "$sum" ] || fail "the newer store was changed"
	[ "$(py_sqlite "$ESCGATE_STORE" 'PRAGMA user_version')" = 999 ] || fail "user_version changed"
	eg diff -q --base main --head main
	expect_status 3
}

test_store_without_schema_is_migrated() {
	new_go_repo
	fixture_store
	commit_all "base"
	# An SQLite file with user_version 0 and no tables at all.
	py_sqlite "$T/empty.db" 'PRAGMA page_size = 4096' 'VACUUM' >/dev/null
	[ -s "$T/empty.db" ] || fail "could not make an empty database"
	eg scan --store "$T/empty.db"
	expect_status 0
	expect_contains "moved to heap: v"
	[ "$(py_sqlite "$T/empty.db" 'PRAGMA user_version')" -ge 2 ] || fail "not migrated"
	eg scan --store "$T/empty.db"
	expect_status 0
	expect_contains "reusing the stored analysis" stderr
}

# Migration 1 exactly as it shipped (migrations are append-only, so this
# copy stays true): a store escgate 0.1 made.
V1_SCHEMA="CREATE TABLE analysis (
  id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, commit_id TEXT, content_id TEXT NOT NULL,
  go_version TEXT NOT NULL, goos TEXT NOT NULL, goarch TEXT NOT NULL, build_flags TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')));
CREATE TABLE finding (
  id INTEGER PRIMARY KEY,
  analysis_id INTEGER NOT NULL REFERENCES analysis(id) ON DELETE CASCADE,
  kind TEXT NOT NULL CHECK (kind IN ('escape', 'leak')), package TEXT NOT NULL,
  pkgname TEXT NOT NULL, function TEXT NOT NULL, scope TEXT NOT NULL, verdict TEXT NOT NULL,
  occurrence INTEGER NOT NULL, file TEXT NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL,
  message TEXT NOT NULL, source TEXT NOT NULL);
CREATE INDEX finding_by_analysis ON finding(analysis_id);
CREATE TABLE flow_step (
  finding_id INTEGER NOT NULL REFERENCES finding(id) ON DELETE CASCADE, seq INTEGER NOT NULL,
  file TEXT NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL, text TEXT NOT NULL,
  PRIMARY KEY (finding_id, seq)) WITHOUT ROWID;"

test_store_v1_keeps_its_analyses() {
	new_go_repo
	fixture_store
	commit_all "base"
	"$PY" - "$T/v1.db" "$V1_SCHEMA" <<'PY' || fail "could not make a v1 store"
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
db.executescript(sys.argv[2])
db.execute("INSERT INTO analysis (id, key, commit_id, content_id, go_version, goos, goarch,"
           " build_flags) VALUES (7, 'old-key', 'c0ffee', 't0', 'go1.19', 'linux', 'amd64', '')")
db.execute("INSERT INTO finding VALUES (70, 7, 'escape', 'example.com/m/sub', 'sub', 'Old', 'Old',"
           " 'moved to heap: x', 0, 'sub/old.go', 3, 2, 'moved to heap: x', 'x := 1')")
db.execute("INSERT INTO flow_step VALUES (70, 0, 'sub/old.go', 4, 9, 'from &x (address-of)')")
db.execute("PRAGMA user_version = 1")
db.commit()
db.close()
PY
	eg scan --store "$T/v1.db"
	expect_status 0
	expect_contains "moved to heap: v"
	[ "$(py_sqlite "$T/v1.db" 'PRAGMA user_version')" -ge 2 ] || fail "not migrated"
	[ "$(py_sqlite "$T/v1.db" "SELECT key, commit_id FROM analysis WHERE id = 7")" = "old-key|c0ffee" ] ||
		fail "the v1 analysis was lost"
	[ "$(py_sqlite "$T/v1.db" "SELECT function, message FROM finding WHERE analysis_id = 7")" = \
		"Old|moved to heap: x" ] || fail "the v1 finding was lost"
	[ "$(py_sqlite "$T/v1.db" "SELECT text FROM flow_step WHERE finding_id = 70")" = \
		"from &x (address-of)" ] || fail "the v1 flow step was lost"
	[ "$(py_sqlite "$T/v1.db" 'PRAGMA integrity_check')" = ok ] || fail "integrity check failed"
	# and the analysis just made is reused, in the migrated store
	eg scan --store "$T/v1.db"
	expect_status 0
	expect_contains "reusing the stored analysis" stderr
}

# --- the Go toolchain ------------------------------------------------------------

test_go_missing_from_path() {
	new_go_repo
	fixture_store
	commit_all "base"
	local gitdir
	gitdir=$(dirname "$(command -v git)")
	mkdir -p "$T/emptybin"
	PATH=$T/emptybin:$gitdir run_escgate -C "$REPO" diff -q --base main --head main
	expect_status 3
	expect_one_line_error
	expect_stderr_line "go toolchain not found: 'go'.*PATH"
	expect_stdout_empty
	eg diff -q --base main --head main --go /nonexistent/go
	expect_status 3
	expect_one_line_error
	expect_contains "/nonexistent/go" stderr
}

# fake_go NAME SCRIPT: $T/NAME, a go command made of SCRIPT (bash).
fake_go() {
	{ echo '#!/usr/bin/env bash'; cat; } >"$T/$1"
	chmod +x "$T/$1"
}

test_go_failing() {
	new_go_repo
	fixture_store
	commit_all "base"
	# fails at once, as a broken installation does
	fake_go brokengo <<'SH'
echo "go: cannot find GOROOT directory: /usr/local/broken" >&2
exit 1
SH
	eg diff -q --base main --head main --go "$T/brokengo"
	expect_status 3
	expect_contains "cannot find GOROOT directory: /usr/local/broken" stderr
	expect_stdout_empty
	# answers `go env` and `go list`, then dies building
	local real
	real=$(command -v go)
	fake_go dyinggo <<SH
if [ "\$1" = build ]; then echo "go: build crashed: out of cheese" >&2; exit 2; fi
exec "$real" "\$@"
SH
	eg diff -q --base main --head main --go "$T/dyinggo"
	expect_status 3
	expect_contains "out of cheese" stderr
	expect_stdout_empty
	# killed by a signal
	fake_go killedgo <<SH
if [ "\$1" = build ]; then kill -9 \$\$; fi
exec "$real" "\$@"
SH
	eg scan -q --go "$T/killedgo"
	expect_status 3
	expect_stdout_empty
}

test_dependencies_cannot_be_downloaded() {
	new_go_repo
	fixture_store
	printf 'module example.com/m\n\ngo 1.19\n\nrequire example.invalid/nowhere v1.2.3\n' >go.mod
	write_file sub/use.go <<'GO'
package sub

import "example.invalid/nowhere"

var _ = nowhere.Thing
GO
	commit_all "needs a module that cannot be had"
	# GOPROXY=off and GOFLAGS=-mod=mod come from lib.sh
	eg scan -q
	expect_status 3
	expect_stdout_empty
	expect_contains "example.invalid/nowhere" stderr
	expect_stderr_contains_ci "GOPROXY=off"
}

test_compile_error_in_one_package_of_many() {
	new_go_repo
	fixture_store
	fixture_point_pointer
	commit_all "base"
	git checkout -q -b feature
	write_file other/bad.go <<'GO'
package other

func Bad() string {
	return 42
}
GO
	commit_all "one package of three does not compile"
	eg diff -q --base main --head feature
	expect_status 3
	expect_contains "other/bad.go:4:9" stderr
	expect_stderr_contains_ci "cannot use 42"
	expect_stdout_empty
	eg diff -q --base main --head feature --format json
	expect_status 3
	expect_stdout_empty
}

# --- very large output -------------------------------------------------------

# A package of NF functions, each with NV-1 variables moved to the heap and
# one leaking parameter: NF*NV findings. Run under valgrind
# (ESCGATE_E2E_SLOW) it is made ten times smaller.
test_huge_output() {
	local nf=2000 nv=10 want
	[ -z "${ESCGATE_E2E_SLOW:-}" ] || nf=200
	new_go_repo
	mkdir -p big
	"$PY" - "$nf" "$nv" >big/big.go <<'PY' || fail "generating the package"
import sys
nf, nv = int(sys.argv[1]), int(sys.argv[2])
print("package big\n\nvar sink *int\n")
for i in range(nf):
    print("func F%d(p *int) *int {" % i)
    for j in range(nv - 1):
        print("\tv%d := %d\n\tsink = &v%d" % (j, j, j))
    print("\tsink = p\n\treturn nil\n}\n")
PY
	commit_all "big"
	# what the compiler itself says, counted at -m=1
	want=$(cd "$REPO" && go build -gcflags=-m ./... 2>&1 |
		grep -cE '^[^#].*: (moved to heap: |leaking param|.* escapes to heap$)')
	[ "$want" -eq $((nf * nv)) ] || fail "the compiler reports $want findings, the generator meant $((nf * nv))"
	local measure=()
	# not under a sanitizer or valgrind: LeakSanitizer cannot run under ptrace
	[ -z "${ESCGATE_MEASURE:-}" ] || [ -n "${ESCGATE_SANITIZER_LOGS:-}" ] ||
		measure=("$ESCGATE_MEASURE" "$T/measure" --)
	E2E_LAST_CMD="escgate scan --format json (big)"
	"${measure[@]}" "$ESCGATE" -C "$REPO" scan -q --format json </dev/null >"$T/stdout" 2>"$T/stderr"
	RC=$?
	# measure exits 0 and records escgate's own status
	[ ${#measure[@]} -eq 0 ] || [ "$RC" -ne 0 ] ||
		RC=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["status"])' "$T/measure")
	expect_status 0
	expect_json 'd["summary"]["present"]' "$want"
	expect_json 'len(d["findings"])' "$want"
	expect_json 'len(set((f["file"], f["line"], f["column"], f["message"]) for f in d["findings"]))' "$want"
	expect_json 'len(F(kind="leak"))' "$nf"
	expect_json 'len([f for f in d["findings"] if not f["flow"]])' 0
	if [ -n "${ESCGATE_SANITIZER_LOGS:-}" ]; then
		echo "note: under a sanitizer or valgrind; peak RSS not checked"
	elif [ ${#measure[@]} -eq 0 ]; then
		echo "note: ESCGATE_MEASURE not set (make check sets it); peak RSS not checked"
	else
		local kb
		kb=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["rss_self_kib"])' \
			"$T/measure") || fail "no measurement"
		echo "peak RSS: ${kb} kB (escgate's own, not the compiler's) for $want findings"
		# about 40 MB measured, most of it the -m text of this one package,
		# which the parser holds until the package ends (verdicts and their
		# explanations come apart); the findings themselves spill to a file,
		# stream into the store and leave their flows there until printed.
		# Holding every finding with its flow again adds 40 MB or more.
		[ -n "$kb" ] && [ "$kb" -lt 65536 ] || fail "peak RSS ${kb} kB, want < 65536 kB"
	fi
}

run_tests
