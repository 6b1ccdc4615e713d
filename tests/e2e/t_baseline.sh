#!/usr/bin/env bash
# The baseline as a reviewed lockfile (escgate baseline, escgate check,
# check --strict, diff honouring the base's baseline) and the inspection
# commands: explain, list, stats.
. "$(dirname "$0")/lib.sh"

TAB=$'\t'

# main: Store (sub/keep.go:7:2) and NewPoint (sub/t.go:12:2), plus a leak (sub/leak.go).
setup_adopted_repo() {
	new_go_repo
	fixture_store
	fixture_point_pointer
	write_file sub/leak.go <<'GO'
package sub

var kept *int

// Keep stores p: p leaks.
func Keep(p *int) {
	kept = p
}
GO
	commit_all "a codebase with escapes"
}

test_baseline_writes_a_sorted_lockfile() {
	setup_adopted_repo
	eg baseline
	expect_status 0
	expect_stdout_empty
	expect_stderr_line "^escgate: wrote 3 entries to \.escgate-baseline$"
	[ -f .escgate-baseline ] || fail "no .escgate-baseline"
	grep -v '^#' .escgate-baseline >"$T/entries"
	printf '%s\n' \
		"example.com/m/sub${TAB}Keep${TAB}leak${TAB}leaking param: p${TAB}0" \
		"example.com/m/sub${TAB}NewPoint${TAB}escape${TAB}moved to heap: p${TAB}0" \
		"example.com/m/sub${TAB}Store${TAB}escape${TAB}moved to heap: v${TAB}0" >"$T/want"
	cmp -s "$T/entries" "$T/want" || fail "entries: $(diff "$T/want" "$T/entries")"
	# no line numbers: moving code does not change it
	cp .escgate-baseline "$T/first"
	write_file sub/t.go <<'GO'
package sub

// A comment that moves everything down.

type Point struct{ X, Y int }

func Sum(p Point) int {
	return p.X + p.Y
}

// NewPoint makes a Point.
func NewPoint(x, y int) *Point {
	p := Point{X: x, Y: y}
	return &p
}
GO
	eg baseline --worktree
	expect_status 0
	cmp -s .escgate-baseline "$T/first" || fail "baseline changed when lines moved"
	eg baseline --output -
	expect_status 0
	[ "$OUT" = "$(cat "$T/first")"$'\n' ] || fail "--output - differs from the file"
}

test_check_gates_against_the_baseline() {
	setup_adopted_repo
	eg check
	# no baseline yet: every finding is new
	expect_status 1
	expect_stderr_line "no \.escgate-baseline in HEAD: every finding counts as new"
	expect_summary 3 2 1 0 0
	eg baseline
	commit_all "adopt escgate: accept what is there"
	eg check
	expect_status 0
	expect_stdout_eq "escgate: 0 new (0 escapes, 0 leaks), 0 fixed, 3 unchanged"
	# a new escape the baseline does not list fails, with a single build
	write_file sub/extra.go <<'GO'
package sub

func Extra() *int {
	e := 1
	return &e
}
GO
	commit_all "an extra escape"
	eg check
	expect_status 1
	expect_contains "sub/extra.go:4:2: new escape in sub.Extra: moved to heap: e"
	expect_summary 1 1 0 0 3
	expect_stderr_line "1 finding not in \.escgate-baseline"
	[ "$(grep -c 'building' "$T/stderr")" -le 1 ] || fail "check built more than once"
	# accepting it is a visible change to the baseline
	eg baseline
	git diff --quiet -- .escgate-baseline && fail "baseline did not change"
	[ "$(git diff -U0 -- .escgate-baseline | grep -c '^+[^+]')" = 1 ] ||
		fail "want one added line: $(git diff -- .escgate-baseline)"
	git diff -U0 -- .escgate-baseline | grep -qF "+example.com/m/sub${TAB}Extra${TAB}escape${TAB}moved to heap: e${TAB}0" ||
		fail "added line: $(git diff -U0 -- .escgate-baseline)"
	eg check --worktree
	expect_status 0
	commit_all "accept Extra"
	eg check
	expect_status 0
	eg check --format json
	expect_json 'd["base"]' '{"rev": ".escgate-baseline", "commit": null}'
	expect_json_summary 0 0 4
}

test_check_strict_fails_on_stale_entries() {
	setup_adopted_repo
	eg baseline
	commit_all "adopt"
	fixture_point_value
	commit_all "fix NewPoint"
	eg check
	expect_status 0
	expect_block ".escgate-baseline:5: fixed escape in sub.NewPoint: moved to heap: p"
	expect_stderr_line "1 \.escgate-baseline entry no longer occurs: drop it with 'escgate baseline'"
	eg check --strict
	expect_status 1
	expect_stderr_line "no longer occurs \(--strict\)"
	eg check --strict --format json
	expect_json '[[f["status"], f["file"], f["line"], f["function"]] for f in d["findings"]]' \
		'[["fixed", ".escgate-baseline", 5, "NewPoint"]]'
	eg baseline
	commit_all "drop the fixed entry"
	eg check --strict
	expect_status 0
	expect_summary 0 0 0 0 2
	# a hand-edited entry that matches nothing is stale too
	printf 'example.com/m/sub\tGone\tescape\tmoved to heap: g\t0\n' >>.escgate-baseline
	eg check --strict --worktree
	expect_status 1
	expect_contains "fixed escape in sub.Gone"
	printf 'example.com/m/sub Gone escape moved to heap: g 0\n' >>.escgate-baseline
	eg check --worktree
	expect_status 2
	expect_stderr_line "^escgate: \.escgate-baseline:7: not a baseline entry"
}

test_check_honours_suppressions_and_policy() {
	setup_adopted_repo
	eg baseline
	commit_all "adopt"
	write_file sub/extra.go <<'GO'
package sub

func Extra() *int {
	//escgate:allow returned to the caller by design
	e := 1
	return &e
}

func Extra2() *int {
	f := 1
	return &f
}
GO
	commit_all "two escapes, one accepted"
	eg check
	expect_status 1
	expect_contains "suppressed escape in sub.Extra: moved to heap: e"
	expect_contains "new escape in sub.Extra2: moved to heap: f"
	printf '[gate]\n\tmaxNew = 1\n' >.escgate
	commit_all "allow one"
	eg check
	expect_status 0
	eg check --config /dev/null
	expect_status 2
	eg check --max-new 0
	expect_status 1
}

test_diff_honours_the_base_baseline() {
	setup_adopted_repo
	# the baseline already lists an escape that main does not have yet
	git checkout -q -b prepare
	write_file sub/extra.go <<'GO'
package sub

func Extra() *int {
	e := 1
	return &e
}
GO
	eg baseline --worktree
	expect_status 0
	cp .escgate-baseline "$T/baseline"
	git checkout -q main
	rm -f sub/extra.go
	cp "$T/baseline" .escgate-baseline
	commit_all "baseline accepting Extra"
	git checkout -q -b feature
	write_file sub/extra.go <<'GO'
package sub

func Extra() *int {
	e := 1
	return &e
}

func Extra2() *int {
	f := 2
	return &f
}
GO
	commit_all "Extra and Extra2"
	eg diff --base main --head feature --format json
	expect_status 1
	expect_json 'sorted([f["status"], f["function"], f.get("reason")] for f in d["findings"])' \
		'[["new", "Extra2", null], ["suppressed", "Extra", "listed in the base'"'"'s .escgate-baseline"]]'
	# the head's own baseline does not count: a change cannot accept its own escapes
	eg baseline
	commit_all "accept Extra2 in the change itself"
	eg diff --base main --head feature
	expect_status 1
	expect_contains "new escape in sub.Extra2"
}

# --- inspection ----------------------------------------------------------------------

test_explain_in_plain_words() {
	new_go_repo
	fixture_write_writer
	commit_all "the blog post's example"
	eg explain sub/w.go:7
	expect_status 0
	expect_contains "sub/w.go:7:17: escape in sub.Write: ([]byte)(s) escapes to heap"
	expect_contains "The value of ([]byte)(s) is allocated on the heap, not on Write's stack"
	expect_contains "the storage for ([]byte)(s) reaches the heap:"
	expect_contains "it is passed to a call whose parameter leaks, or that the compiler cannot see into"
	expect_contains "To accept it deliberately: an //escgate:allow REASON comment"
	expect_not_contains "leaking param"
	eg explain sub/w.go:6
	expect_status 0
	expect_contains "sub/w.go:6:12: leak in sub.Write: leaking param: w"
	expect_contains "The parameter w leaks: Write keeps it"
	expect_contains "w reaches the heap:"
	# relative to the current directory, in the working tree by default
	mkdir -p "$REPO/sub" && cd "$REPO/sub" || fail "cd"
	sed -i 's|^	w.Write|	//escgate:allow the writer is a file\n	w.Write|' w.go
	run_escgate explain w.go:8
	expect_status 0
	expect_contains "sub/w.go:8:17: escape in sub.Write"
	expect_contains "Suppressed by //escgate:allow: the writer is a file"
	run_escgate explain w.go:8 HEAD
	expect_contains "sub/w.go:8: no heap escape or parameter leak at this line in HEAD"
	run_escgate explain w.go
	expect_status 2
	expect_stderr_line "'w.go' is not FILE:LINE"
}

test_list_for_scripts() {
	setup_adopted_repo
	write_file sub/more/more.go <<'GO'
package more

func Make() *int {
	//escgate:allow made for the caller
	m := 1
	return &m
}
GO
	commit_all "another package"
	eg list
	expect_status 0
	expect_stdout_eq "sub/keep.go:7:2${TAB}escape${TAB}example.com/m/sub${TAB}Store${TAB}moved to heap: v
sub/leak.go:6:11${TAB}leak${TAB}example.com/m/sub${TAB}Keep${TAB}leaking param: p
sub/more/more.go:5:2${TAB}escape${TAB}example.com/m/sub/more${TAB}Make${TAB}moved to heap: m${TAB}suppressed: made for the caller
sub/t.go:12:2${TAB}escape${TAB}example.com/m/sub${TAB}NewPoint${TAB}moved to heap: p"
	eg list --kind leak
	expect_stdout_eq "sub/leak.go:6:11${TAB}leak${TAB}example.com/m/sub${TAB}Keep${TAB}leaking param: p"
	eg list --package ./sub/more --format json
	expect_json '[[f["status"], f["function"], f["reason"]] for f in d["findings"]]' \
		'[["suppressed", "Make", "made for the caller"]]'
	eg list --function 'New*' HEAD~0
	expect_stdout_eq "sub/t.go:12:2${TAB}escape${TAB}example.com/m/sub${TAB}NewPoint${TAB}moved to heap: p"
	eg list --kind pointer
	expect_status 2
	# the gate's exclusions do not hide anything from list
	printf '[gate]\n\texclude = ./sub/more\n' >.escgate
	commit_all "exclude more"
	eg list --package ./sub/more
	expect_count "Make" 1
}

test_stats_by_package_and_kind() {
	setup_adopted_repo
	write_file sub/more/more.go <<'GO'
package more

func Make() *int {
	//escgate:allow made for the caller
	m := 1
	return &m
}

func Make2() *int {
	n := 1
	return &n
}
GO
	commit_all "another package"
	eg stats
	expect_status 0
	expect_stdout_eq "PACKAGE                 ESCAPES  LEAKS  SUPPRESSED
example.com/m/sub             2      1           0
example.com/m/sub/more        1      0           1
total                         3      1           1"
	eg stats --format json
	expect_json 'd["packages"]' '[{"package": "example.com/m/sub", "escapes": 2, "leaks": 1, "suppressed": 0}, {"package": "example.com/m/sub/more", "escapes": 1, "leaks": 0, "suppressed": 1}]'
	expect_json 'd["total"]' '{"escapes": 3, "leaks": 1, "suppressed": 1}'
}

test_help_of_the_new_commands() {
	mkdir -p "$T/norepo" && cd "$T/norepo" || fail "mkdir"
	local c
	for c in baseline check explain list stats; do
		run_escgate help "$c"
		expect_status 0
		expect_contains "usage: escgate [-C DIR] $c"
		run_escgate "$c" --help
		expect_status 0
	done
	run_escgate help
	for c in baseline check explain list stats; do
		expect_contains "  $c "
	done
	run_escgate check --help
	for c in --strict --baseline --config --fail-on --max-new --package --exclude --goflags --target; do
		expect_contains "$c"
	done
}

run_tests
