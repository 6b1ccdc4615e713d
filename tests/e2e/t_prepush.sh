#!/usr/bin/env bash
# The pre-push hook, exercised by real `git push` to a local bare repository.
. "$(dirname "$0")/lib.sh"

# A clone of a bare remote holding a clean main, with the hook installed.
setup_pushing_clone() {
	new_go_repo src
	fixture_store
	fixture_point_value
	commit_all "base"
	git clone -q --bare "$REPO" "$T/remote.git" || fail "clone --bare"
	git clone -q "file://$T/remote.git" "$T/clone" || fail "clone"
	REPO=$T/clone
	cd "$REPO" || fail "cd clone"
	eg hook install
	expect_status 0
	expect_contains "installed the pre-push hook: $REPO/.git/hooks/pre-push"
}

# push ARGS...: git push, capturing its status and output (the hook's goes to stderr).
push() {
	git -C "$REPO" push "$@" >"$T/stdout" 2>"$T/stderr" </dev/null
	RC=$?
	OUT=$(cat "$T/stdout")
	ERR=$(cat "$T/stderr")
}

# prepush_stdin FILE ARGS...: escgate pre-push ARGS with FILE as git's protocol input.
prepush_stdin() {
	local in=$1; shift
	"$ESCGATE" -C "$REPO" pre-push "$@" <"$in" >"$T/stdout" 2>"$T/stderr"
	RC=$?
	OUT=$(cat "$T/stdout")
	ERR=$(cat "$T/stderr")
}

remote_sha() { git --git-dir="$T/remote.git" rev-parse -q --verify "$1"; }

test_push_adding_an_escape_is_refused() {
	setup_pushing_clone
	fixture_point_pointer
	commit_all "NewPoint returns a pointer"
	local before
	before=$(remote_sha refs/heads/main)
	push origin main
	[ "$RC" -ne 0 ] || fail "git push succeeded, want it refused"
	expect_line 'sub/t.go:12:2: new escape in sub.NewPoint: moved to heap: p'
	expect_stderr_line "escgate: push refused: 1 new heap escape or leak; fix them, or skip the gate with 'git push --no-verify'"
	[ "$(remote_sha refs/heads/main)" = "$before" ] || fail "the remote moved"
	# and the documented way around it works
	push --no-verify origin main
	expect_status 0
	[ "$(remote_sha refs/heads/main)" = "$(git rev-parse HEAD)" ] || fail "--no-verify push did not land"
}

test_clean_push_goes_through() {
	setup_pushing_clone
	write_file sub/doc.go <<'GO'
// Package sub is a test fixture.
package sub
GO
	commit_all "docs"
	push origin main
	expect_status 0
	expect_stderr_line "escgate: pre-push: refs/heads/main -> refs/heads/main: base: what origin has at refs/heads/main"
	[ "$(remote_sha refs/heads/main)" = "$(git rev-parse HEAD)" ] || fail "push did not land"
}

test_new_branch_compared_with_default_branch() {
	setup_pushing_clone
	git checkout -q -b topic
	fixture_point_pointer
	commit_all "topic adds an escape"
	push origin topic
	[ "$RC" -ne 0 ] || fail "push of a new branch with an escape went through"
	expect_stderr_line 'base: new branch: merge base with origin/HEAD'
	expect_contains 'new escape in sub.NewPoint'
	remote_sha refs/heads/topic >/dev/null && fail "the branch reached the remote"
	true
}

test_two_branches_both_checked() {
	setup_pushing_clone
	git checkout -q -b clean
	write_file sub/doc.go <<'GO'
// Package sub is a test fixture.
package sub
GO
	commit_all "clean change"
	git checkout -q -b dirty main
	fixture_point_pointer
	commit_all "dirty change"
	push origin clean dirty
	[ "$RC" -ne 0 ] || fail "push with one dirty branch went through"
	expect_stderr_line 'refs/heads/clean -> refs/heads/clean: base: new branch'
	expect_stderr_line 'refs/heads/dirty -> refs/heads/dirty: base: new branch'
	expect_contains 'new escape in sub.NewPoint'
}

test_delete_is_skipped() {
	setup_pushing_clone
	git push -q --no-verify origin main:gone 2>/dev/null || fail "setup push"
	push origin :gone
	expect_status 0
	expect_stderr_line 'refs/heads/gone: a delete, nothing to check'
	remote_sha refs/heads/gone >/dev/null && fail "the delete did not land"
	true
}

test_protocol_lines_directly() {
	setup_pushing_clone
	fixture_point_pointer
	commit_all "escape"
	local head base z40 z64
	head=$(git rev-parse HEAD)
	base=$(git rev-parse HEAD~)
	z40=$(printf '0%.0s' $(seq 40))
	z64=$(printf '0%.0s' $(seq 64))
	# a SHA-256 style zero oid is a delete too; every line is checked, not just the first
	printf 'refs/heads/x %s refs/heads/x %s\nrefs/heads/main %s refs/heads/main %s\n' \
		"$z64" "$z64" "$head" "$base" >"$T/in"
	prepush_stdin "$T/in" origin "file://$T/remote.git"
	expect_status 1
	expect_stderr_line 'refs/heads/x: a delete, nothing to check'
	expect_contains 'new escape in sub.NewPoint'
	printf 'refs/heads/main %s refs/heads/main %s\n' "$z40" "$z40" >"$T/in"
	prepush_stdin "$T/in" origin url
	expect_status 0
	printf 'not a protocol line\n' >"$T/in"
	prepush_stdin "$T/in" origin url
	expect_status 2
	expect_stderr_line "line 1 of standard input is not '<local ref> <local oid> <remote ref> <remote oid>': 'not a protocol line'"
}

test_hook_install_honours_hooks_path_and_foreign_hooks() {
	setup_pushing_clone
	git config core.hooksPath .githooks
	mkdir -p .githooks
	printf '#!/bin/sh\necho mine\n' >.githooks/pre-push
	eg hook install
	expect_status 2
	expect_stderr_line "hook '$REPO/.githooks/pre-push' exists and was not written by escgate: pass --force"
	grep -q 'echo mine' .githooks/pre-push || fail "the user's hook was changed"
	eg hook install --force
	expect_status 0
	expect_contains "installed the pre-push hook: $REPO/.githooks/pre-push"
	grep -q 'echo mine' .githooks/pre-push.escgate-backup || fail "the user's hook was not kept"
	[ -x .githooks/pre-push ] || fail "hook not executable"
	# reinstalling over our own hook needs no --force
	eg hook install
	expect_status 0
}

run_tests
