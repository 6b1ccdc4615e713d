#!/usr/bin/env bash
# Exit statuses: 2 for usage errors, 3 when the analysis cannot be done.
. "$(dirname "$0")/lib.sh"

# main: Store; feature: Store plus a file that does not compile.
setup_broken_feature() {
	new_go_repo
	fixture_store
	commit_all "base"
	git checkout -q -b feature
	write_file sub/broken.go <<'GO'
package sub

func Broken() int {
	return undefinedThing
}
GO
	commit_all "does not compile"
}

test_compile_error_in_head() {
	setup_broken_feature
	eg diff --base main --head feature
	expect_status 3
	expect_stderr_line 'head.*(fail|error|could not|cannot)|(fail|error|could not|cannot).*head'
	expect_contains "undefined: undefinedThing" stderr
	expect_contains "broken.go:4:9" stderr
	expect_not_contains "escgate: " stdout
}

test_compile_error_in_base() {
	setup_broken_feature
	eg diff --base feature --head main
	expect_status 3
	expect_stderr_line 'base.*(fail|error|could not|cannot)|(fail|error|could not|cannot).*base'
	expect_contains "undefined: undefinedThing" stderr
	expect_not_contains "escgate: " stdout
}

test_compile_error_in_scan() {
	setup_broken_feature
	eg scan feature
	expect_status 3
	expect_contains "undefined: undefinedThing" stderr
}

test_unknown_head_revision() {
	new_go_repo
	fixture_store
	commit_all "base"
	eg diff --base main --head no-such-rev-42
	expect_status 2
	expect_contains "no-such-rev-42" stderr
	expect_stdout_empty
}

test_unknown_base_revision() {
	new_go_repo
	fixture_store
	commit_all "base"
	eg diff --base no-such-base-7 --head main
	expect_status 2
	expect_contains "no-such-base-7" stderr
	expect_stdout_empty
}

test_unknown_scan_revision() {
	new_go_repo
	fixture_store
	commit_all "base"
	eg scan no-such-rev-9
	expect_status 2
	expect_contains "no-such-rev-9" stderr
}

test_unknown_flag() {
	new_go_repo
	fixture_store
	commit_all "base"
	eg diff --base main --bogus-flag
	expect_status 2
	expect_contains "--bogus-flag" stderr
	expect_stdout_empty
	eg scan --no-such-option
	expect_status 2
	expect_contains "--no-such-option" stderr
}

test_unknown_command() {
	new_go_repo
	eg frobnicate
	expect_status 2
	expect_contains "frobnicate" stderr
}

test_no_command() {
	new_go_repo
	eg
	expect_status 2
}

test_bad_format() {
	new_go_repo
	fixture_store
	commit_all "base"
	eg diff --base main --format xml
	expect_status 2
	expect_contains "xml" stderr
}

test_missing_option_value() {
	new_go_repo
	fixture_store
	commit_all "base"
	eg diff --base
	expect_status 2
}

test_head_and_worktree_together() {
	new_go_repo
	fixture_store
	commit_all "base"
	eg diff --base main --head main --worktree
	expect_status 2
}

test_not_a_git_repository() {
	mkdir -p "$T/plain/sub" && cd "$T/plain" || fail "mkdir"
	printf 'module example.com/m\n\ngo 1.19\n' >go.mod
	fixture_store
	# Keep git from finding a repository above the temporary directory.
	GIT_CEILING_DIRECTORIES=$T run_escgate -C "$T/plain" diff --base main --head main
	expect_status 3
	GIT_CEILING_DIRECTORIES=$T run_escgate -C "$T/plain" scan --worktree
	expect_status 3
}

# main: a go.mod go list cannot read; feature: a different one. The two
# go lists run at once: the base's error is the one reported, each time.
test_list_error_in_base_and_head() {
	new_repo
	printf 'modul example.com/m\n' >go.mod
	fixture_store
	commit_all "base"
	git checkout -q -b feature
	printf 'modle example.com/m\n' >go.mod
	commit_all "head"
	for i in 1 2 3; do
		eg diff --base main --head feature
		expect_status 3
		expect_contains "escgate: base: cannot list the packages of module '.'" stderr
		expect_contains "modul" stderr
		expect_not_contains "modle" stderr
		expect_not_contains "head" stderr
	done
}

test_list_error_in_head() {
	new_go_repo
	fixture_store
	commit_all "base"
	git checkout -q -b feature
	printf 'modle example.com/m\n' >go.mod
	commit_all "head"
	eg diff --base main --head feature
	expect_status 3
	expect_contains "escgate: head: cannot list the packages of module '.'" stderr
	expect_contains "modle" stderr
	expect_stdout_empty
}

test_not_a_go_module() {
	new_repo
	write_file README <<'EOF'
Not Go at all.
EOF
	write_file sub/keep.go <<'EOF'
package sub

var sink *int
EOF
	commit_all "no go.mod"
	git checkout -q -b feature
	commit_all "empty"
	eg diff --base main --head feature
	expect_status 3
	expect_stdout_empty
}

test_no_go_toolchain() {
	new_go_repo
	fixture_store
	commit_all "base"
	eg diff --base main --head main --go "$T/no/such/go"
	expect_status 3
	expect_stdout_empty
}

test_go_flag_uses_that_toolchain() {
	new_go_repo
	fixture_store
	commit_all "base"
	# The toolchain given by --go is used even when PATH has none.
	local gobin gitdir
	gobin=$(command -v go)
	gitdir=$(dirname "$(command -v git)")
	PATH=$gitdir:/usr/bin:/bin run_escgate -C "$REPO" diff --base main --head main --go "$gobin"
	expect_status 0
	expect_stdout_eq "escgate: 0 new (0 escapes, 0 leaks), 0 fixed, 1 unchanged"
}

run_tests
