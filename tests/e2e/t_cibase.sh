#!/usr/bin/env bash
# --base auto: each CI's notion of the base, said on stderr; and a base the
# clone lacks (shallow checkouts) fails closed with the exact fix.
. "$(dirname "$0")/lib.sh"

# A remote with main, a clone with a feature branch that adds one escape,
# and main moving on after the branch point (so merge base != main's tip).
setup_remote() {
	new_go_repo origin-src
	fixture_store
	commit_all "base"
	BRANCH_POINT=$(git rev-parse HEAD)
	git clone -q --bare "$REPO" "$T/remote.git" || fail "clone --bare"
	git clone -q "file://$T/remote.git" "$T/clone" || fail "clone"
	REPO=$T/clone
	cd "$REPO" || fail "cd clone"
	git checkout -q -b feature
	fixture_point_pointer
	commit_all "feature: NewPoint returns a pointer"
	FEATURE=$(git rev-parse HEAD)
	# main moves on upstream with an escape of its own, which is not the PR's
	git checkout -q main
	write_file sub/later.go <<'GO'
package sub

var later *int

func Later() {
	v := 1
	later = &v
}
GO
	commit_all "main moves on"
	git push -q origin main || fail "push main"
	git checkout -q feature
	git fetch -q origin || fail "fetch"
}

event() {
	printf '%s' "$1" >"$T/event.json"
	echo "$T/event.json"
}

test_github_pull_request_merge_base() {
	setup_remote
	CI=true GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request GITHUB_BASE_REF=main \
		GITHUB_EVENT_PATH=$(event '{"pull_request":{"base":{"sha":"0000000000000000000000000000000000000000"}}}') \
		eg diff --format json
	expect_status 1
	expect_stderr_line "^escgate: base: GitHub pull request: merge base of the head and origin/main: ${BRANCH_POINT:0:12}$"
	expect_json 'd["base"]["commit"]' "\"$BRANCH_POINT\""
	expect_json_summary 1 0 1
	expect_finding new escape example.com/m/sub NewPoint sub/t.go 12 2 "moved to heap: p"
}

test_github_pull_request_payload_sha() {
	setup_remote
	CI=true GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request \
		GITHUB_EVENT_PATH=$(event "{\"pull_request\":{\"base\":{\"sha\":\"$BRANCH_POINT\"}}}") \
		eg diff --format json
	expect_status 1
	expect_stderr_line "^escgate: base: GitHub pull request: pull_request.base.sha of the event"
	expect_json 'd["base"]["commit"]' "\"$BRANCH_POINT\""
}

test_github_push_before() {
	setup_remote
	CI=true GITHUB_ACTIONS=true GITHUB_EVENT_NAME=push \
		GITHUB_EVENT_PATH=$(event "{\"before\":\"$BRANCH_POINT\",\"after\":\"$FEATURE\"}") \
		eg diff --format json
	expect_status 1
	expect_stderr_line '^escgate: base: GitHub push: "before" of the event'
	expect_json 'd["base"]["commit"]' "\"$BRANCH_POINT\""
}

test_github_push_new_branch_uses_local_default() {
	setup_remote
	CI=true GITHUB_ACTIONS=true GITHUB_EVENT_NAME=push \
		GITHUB_EVENT_PATH=$(event '{"before":"0000000000000000000000000000000000000000"}') \
		eg diff --format json
	expect_status 1
	expect_stderr_line '^escgate: base: merge base of HEAD and origin/'
	expect_json 'd["base"]["commit"]' "\"$BRANCH_POINT\""
}

test_gitlab_merge_request() {
	setup_remote
	CI=true GITLAB_CI=true CI_MERGE_REQUEST_DIFF_BASE_SHA=$BRANCH_POINT eg diff --format json
	expect_status 1
	expect_stderr_line '^escgate: base: GitLab merge request: CI_MERGE_REQUEST_DIFF_BASE_SHA'
	expect_json 'd["base"]["commit"]' "\"$BRANCH_POINT\""
}

test_gitlab_branch_pipeline() {
	setup_remote
	CI=true GITLAB_CI=true CI_COMMIT_BEFORE_SHA=$BRANCH_POINT eg diff -q
	expect_status 1
	CI=true GITLAB_CI=true CI_COMMIT_BEFORE_SHA=0000000000000000000000000000000000000000 eg diff
	expect_status 1
	expect_stderr_line '^escgate: base: merge base of HEAD and origin/'
}

test_explicit_base_auto_outside_ci() {
	setup_remote
	eg diff --base auto -q
	expect_status 1
	expect_summary 1 1 0 0 1
}

test_shallow_github_fails_closed() {
	setup_remote
	git clone -q --depth 1 --branch feature "file://$T/remote.git" "$T/shallow" 2>/dev/null ||
		{ git push -q origin feature && git clone -q --depth 1 --branch feature "file://$T/remote.git" "$T/shallow"; } ||
		fail "shallow clone"
	REPO=$T/shallow
	CI=true GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request GITHUB_BASE_REF=main eg diff
	expect_status 3
	expect_stdout_empty
	expect_stderr_line '^escgate: base branch origin/main is not in this clone: refusing to report every existing finding as new$'
	expect_stderr_line '^      fetch-depth: 0$'
	expect_stderr_line '^  git fetch --no-tags origin main:refs/remotes/origin/main$'
}

test_shallow_gitlab_fails_closed_then_fix_works() {
	setup_remote
	git push -q origin feature || fail "push feature"
	git clone -q --depth 1 --branch feature "file://$T/remote.git" "$T/shallow" || fail "shallow clone"
	REPO=$T/shallow
	CI=true GITLAB_CI=true CI_MERGE_REQUEST_DIFF_BASE_SHA=$BRANCH_POINT eg diff
	expect_status 3
	expect_stderr_line "^escgate: base commit $BRANCH_POINT is not in this clone \\(a shallow clone\\)"
	expect_stderr_line '^    GIT_DEPTH: 0$'
	expect_stderr_line "^  git fetch --no-tags --depth=1 origin $BRANCH_POINT$"
	# the printed fix is enough
	git -C "$REPO" fetch -q --no-tags --depth=1 origin "$BRANCH_POINT" || fail "fetch the base"
	CI=true GITLAB_CI=true CI_MERGE_REQUEST_DIFF_BASE_SHA=$BRANCH_POINT eg diff -q
	expect_status 1
	expect_summary 1 1 0 0 1
}

run_tests
