#!/usr/bin/env bash
# The policy: .escgate read from the base revision (or --config), every
# setting and its command-line override, and //escgate:allow suppressions.
. "$(dirname "$0")/lib.sh"

# sub/leak.go: Keep's p leaks (sub/leak.go:6:11: leaking param: p).
fixture_leak() {
	write_file sub/leak.go <<'GO'
package sub

var kept *int

// Keep stores p: p leaks.
func Keep(p *int) {
	kept = p
}
GO
}

# An escape in package DIR (a directory below the root): DIR/esc.go:5:2.
fixture_escape_in() {
	local dir=$1 pkg=${1##*/}
	write_file "$dir/esc.go" <<GO
package $pkg

// New returns a pointer to a local: v is moved to the heap.
func New() *int {
	v := 1
	return &v
}
GO
}

# main: Store; feature: + a leak (Keep) and an escape (NewPoint).
setup_escape_and_leak() {
	new_go_repo
	fixture_store
	fixture_point_value
	commit_all "base"
	git checkout -q -b feature
	fixture_point_pointer
	fixture_leak
	commit_all "feature: an escape and a leak"
}

# Commits .escgate (stdin) on main, then rebases feature onto it.
base_policy() {
	git checkout -q main || fail "checkout main"
	write_file .escgate
	commit_all "policy"
	git checkout -q feature || fail "checkout feature"
	git rebase -q main >/dev/null 2>&1 || fail "rebase feature onto main"
}

# --- configuration ----------------------------------------------------------------

test_default_policy_fails_on_both_kinds() {
	setup_escape_and_leak
	eg diff --base main --head feature
	expect_status 1
	expect_summary 2 1 1 0 1
}

test_fail_on_escape_lets_a_new_leak_pass() {
	setup_escape_and_leak
	base_policy <<'EOF'
[gate]
	failOn = leak
EOF
	eg diff --base main --head feature
	# the escape is new and reported, but leaks alone fail
	expect_status 1
	expect_contains "new leak in sub.Keep: leaking param: p"
	expect_contains "new escape in sub.NewPoint: moved to heap: p"
	expect_stderr_line "1 new finding of kinds gate.failOn does not fail on"
	git checkout -q main && printf '[gate]\n\tfailOn = escape\n' >.escgate && commit_all "escapes only"
	git checkout -q feature && git rebase -q main >/dev/null 2>&1 || fail "rebase"
	git rm -q sub/t.go && commit_all "no NewPoint"
	eg diff --base main --head feature
	expect_status 0
	expect_contains "new leak in sub.Keep: leaking param: p"
	expect_summary 1 0 1 0 1
	expect_stderr_line "1 new finding of kinds gate.failOn does not fail on"
}

test_max_new() {
	setup_escape_and_leak
	base_policy <<'EOF'
[gate]
	maxNew = 2
EOF
	eg diff --base main --head feature
	expect_status 0
	expect_summary 2 1 1 0 1
	expect_stderr_line "2 new findings, within gate.maxNew = 2"
	# the command line overrides the file
	eg diff --base main --head feature --max-new 1
	expect_status 1
	git checkout -q main && printf '[gate]\n\tmaxNew = 1\n' >.escgate && commit_all "max 1"
	git checkout -q feature && git rebase -q main >/dev/null 2>&1 || fail "rebase"
	eg diff --base main --head feature
	expect_status 1
}

test_packages_and_exclude() {
	new_go_repo
	fixture_store
	commit_all "base"
	git checkout -q -b feature
	fixture_escape_in internal/a
	fixture_escape_in internal/testutil
	fixture_escape_in cmdlib
	commit_all "three new escapes"
	base_policy <<'EOF'
[gate]
	packages = ./internal/...
	exclude = .../testutil
EOF
	eg diff --base main --head feature --format json
	expect_status 1
	expect_json '[f["package"] for f in d["findings"]]' '["example.com/m/internal/a"]'
	# patterns on the command line replace the file's (gate.exclude still applies)
	eg diff --base main --head feature --package ./cmdlib --package example.com/m/internal/...
	expect_status 1
	expect_count ': new escape in ' 2
	expect_contains "cmdlib/esc.go:5:2: new escape in cmdlib.New"
	expect_contains "internal/a/esc.go:5:2: new escape in a.New"
	eg diff --base main --head feature --exclude './...'
	expect_status 0
	expect_summary 0 0 0 0 0
}

# sub/tagged.go is built only with the tag "special".
fixture_tagged() {
	write_file sub/tagged.go <<'GO'
//go:build special

package sub

// Tagged exists only with -tags special.
func Tagged() *int {
	t := 2
	return &t
}
GO
}

test_tags_and_goflags() {
	new_go_repo
	fixture_store
	fixture_tagged
	commit_all "base"
	eg scan
	expect_status 0
	expect_not_contains "Tagged"
	printf '[gate]\n\ttags = special\n' >.escgate
	commit_all "tags"
	eg scan
	expect_status 0
	expect_contains "sub/tagged.go:7:2: escape in sub.Tagged: moved to heap: t"
	# goflags reach every go command, on top of the environment's GOFLAGS
	printf '[gate]\n\tgoflags = -tags=special\n' >.escgate
	commit_all "goflags"
	eg scan
	expect_status 0
	expect_contains "sub/tagged.go:7:2: escape in sub.Tagged: moved to heap: t"
	eg scan --goflags=-tags=other
	expect_not_contains "Tagged"
	eg scan --tags ''
	expect_contains "Tagged"
}

test_targets() {
	new_go_repo
	fixture_store
	write_file sub/only_windows.go <<'GO'
package sub

// Win builds only for windows (by its file name).
func Win() *int {
	w := 3
	return &w
}
GO
	commit_all "base"
	printf '[gate]\n\ttargets = linux/amd64 windows/amd64\n' >.escgate
	commit_all "targets"
	eg scan --format json
	expect_status 0
	expect_json '[[f["function"], f["targets"]] for f in d["findings"]]' \
		'[["Store", ["linux/amd64", "windows/amd64"]], ["Win", ["windows/amd64"]]]'
	eg scan
	expect_block "sub/only_windows.go:5:2: escape in sub.Win: moved to heap: w" $'\tw := 3' \
		$'\ttargets: windows/amd64'
	# a finding new on one target only
	git checkout -q -b feature
	write_file sub/only_windows.go <<'GO'
package sub

// Win builds only for windows (by its file name).
func Win() *int {
	w := 3
	return &w
}

func Win2() *int {
	w2 := 4
	return &w2
}
GO
	commit_all "another windows escape"
	eg diff --base main --head feature --format json
	expect_status 1
	expect_json '[[f["status"], f["function"], f["targets"]] for f in d["findings"]]' \
		'[["new", "Win2", ["windows/amd64"]]]'
	eg diff --base main --head feature --target linux/amd64
	expect_status 0
	eg diff --base main --head feature --target plan8/amd64
	expect_status 2
	expect_stderr_line "'plan8/amd64' is not a target go[0-9.]+ can build for"
	eg diff --base main --head feature --target linux
	expect_status 2
	expect_stderr_line "bad value for --target: 'linux' is not GOOS/GOARCH"
}

test_base_revision_policy_wins() {
	setup_escape_and_leak
	# the change tries to loosen its own gate: it does not count
	write_file .escgate <<'EOF'
[gate]
	maxNew = 100
	exclude = ./...
EOF
	commit_all "loosen the gate"
	eg diff --base main --head feature
	expect_status 1
	expect_summary 2 1 1 0 1
	expect_not_contains "policy"
	# once the base has it, it applies
	git checkout -q main && git checkout -q feature -- .escgate && commit_all "policy on main"
	git checkout -q feature && git rebase -q main >/dev/null 2>&1 || fail "rebase"
	eg diff --base main --head feature
	expect_status 0
	expect_stderr_line "^escgate: policy: main:\.escgate$"
	# --config replaces the base's file
	printf '[gate]\n\tfailOn = leak\n' >"$T/strict.conf"
	eg diff --base main --head feature --config "$T/strict.conf"
	expect_status 1
	expect_stderr_line "^escgate: policy: .*/strict\.conf$"
	expect_summary 2 1 1 0 1
}

test_config_errors_name_file_line_and_key() {
	setup_escape_and_leak
	base_policy <<'EOF'
# escgate policy
[gate]
	failOn = escape
	failOnn = leak
EOF
	eg diff --base main --head feature
	expect_status 2
	expect_stderr_line "^escgate: main:\.escgate:4: unknown key 'gate\.failonn'"
	expect_stdout_empty
	printf '[gate]\n\tmaxNew = lots\n' >"$T/bad.conf"
	eg diff --base main --head feature --config "$T/bad.conf"
	expect_status 2
	expect_stderr_line "bad\.conf:2: bad value for gate\.maxNew: 'lots' is not a number"
	printf '[gate\n' >"$T/broken.conf"
	eg scan --config "$T/broken.conf"
	expect_status 2
	expect_stderr_line "broken\.conf:1: "
	eg scan --config "$T/missing.conf"
	expect_status 2
	expect_stderr_line "cannot read '.*missing\.conf'"
	eg diff --base main --head feature --fail-on sometimes
	expect_status 2
	expect_stderr_line "bad value for --fail-on: 'sometimes' is not escape, leak or both"
	printf '[include]\n\tpath = /etc/gitconfig\n' >"$T/inc.conf"
	eg scan --config "$T/inc.conf"
	expect_status 2
	expect_stderr_line "inc\.conf:1: \[include\] is not allowed"
}

# --- suppressions -----------------------------------------------------------------

test_allow_on_the_line_above_and_trailing() {
	new_go_repo
	fixture_store
	commit_all "base"
	git checkout -q -b feature
	write_file sub/new.go <<'GO'
package sub

var sunk *int

func Cached() *int {
	//escgate:allow the cache owns it for the lifetime of the process
	c := 1
	d := 2 //escgate:allow handed to the sink on purpose
	sunk = &d
	return &c
}
GO
	commit_all "two accepted escapes"
	eg diff --base main --head feature
	expect_status 0
	expect_block "sub/new.go:7:2: suppressed escape in sub.Cached: moved to heap: c" $'\tc := 1' \
		$'\treason: the cache owns it for the lifetime of the process'
	expect_block "sub/new.go:8:2: suppressed escape in sub.Cached: moved to heap: d" \
		$'\td := 2 //escgate:allow handed to the sink on purpose' \
		$'\treason: handed to the sink on purpose'
	expect_last_line "escgate: 0 new (0 escapes, 0 leaks), 0 fixed, 1 unchanged, 2 suppressed"
	eg diff --base main --head feature --format json
	expect_json '[[f["status"], f["line"], f["reason"]] for f in d["findings"]]' \
		'[["suppressed", 7, "the cache owns it for the lifetime of the process"], ["suppressed", 8, "handed to the sink on purpose"]]'
	expect_json 'd["summary"]["suppressed"]' 2
	expect_json 'd["summary"]["new"]' 0
	# scan lists them too
	eg scan
	expect_contains "sub/new.go:7:2: suppressed escape in sub.Cached"
	expect_last_line "escgate: 1 finding (1 escape, 0 leaks), 2 suppressed"
}

test_allow_above_a_function() {
	new_go_repo
	fixture_store
	commit_all "base"
	git checkout -q -b feature
	write_file sub/pool.go <<'GO'
package sub

var pool []*int

// Fill keeps its values in the pool.
//
//escgate:allow the pool holds them for reuse
func Fill(n int) func() *int {
	a := n
	pool = append(pool, &a)
	return func() *int {
		b := n + 1
		return &b
	}
}

func Other() *int {
	o := 5
	return &o
}
GO
	commit_all "escapes in Fill and Other"
	eg diff --base main --head feature --format json
	expect_status 1
	# Fill's own escapes and its closure's are accepted; Other's is not
	expect_json 'sorted([f["status"], f["function"], f["message"]] for f in d["findings"])' \
		'[["new", "Other", "moved to heap: o"], ["suppressed", "Fill", "append escapes to heap"], ["suppressed", "Fill", "func literal escapes to heap"], ["suppressed", "Fill", "moved to heap: a"], ["suppressed", "Fill.func1", "moved to heap: b"]]'
	expect_json 'sorted(set(f.get("reason") for f in d["findings"] if f["status"] == "suppressed"))' \
		'["the pool holds them for reuse"]'
}

test_allow_without_reason_is_an_error() {
	new_go_repo
	fixture_store
	commit_all "base"
	git checkout -q -b feature
	write_file sub/new.go <<'GO'
package sub

func Bare() *int {
	//escgate:allow
	x := 1
	return &x
}
GO
	commit_all "allow without a reason"
	eg diff --base main --head feature
	expect_status 2
	expect_stderr_line "^escgate: sub/new\.go:4: //escgate:allow needs a reason"
	expect_stdout_empty
	eg scan
	expect_status 2
	# a reasonless allow in the base does not stop the gate: the head is what is checked
	git checkout -q main && git merge -q --ff-only feature && git checkout -q feature
	sed -i 's|//escgate:allow$|//escgate:allow kept on purpose|' sub/new.go
	commit_all "give it a reason"
	eg diff --base main --head feature
	expect_status 0
	expect_summary 0 0 0 0 2
}

test_unused_allow_is_a_warning() {
	new_go_repo
	fixture_store
	write_file sub/old.go <<'GO'
package sub

func Old() *int {
	//escgate:allow this used to escape
	y := 1
	_ = y
	return nil
}

//escgate:allow nothing in here escapes
func Quiet() int { return 1 }
GO
	commit_all "base"
	git checkout -q -b feature
	fixture_point_pointer
	commit_all "an unrelated escape"
	eg diff --base main --head feature
	expect_status 1
	expect_stderr_line "^escgate: warning: sub/old\.go:4: unused //escgate:allow"
	expect_stderr_line "^escgate: warning: sub/old\.go:10: unused //escgate:allow"
	expect_summary 1 1 0 0 1
	# a used one raises no warning; a string is not a comment
	write_file sub/old.go <<'GO'
package sub

var s = "//escgate:allow in a string"

func Old() *int {
	//escgate:allow this escapes on purpose
	y := 1
	return &y
}
GO
	commit_all "used"
	eg diff --base main --head feature
	expect_status 1
	expect_not_contains "warning" stderr
	expect_contains "suppressed escape in sub.Old"
}

run_tests
