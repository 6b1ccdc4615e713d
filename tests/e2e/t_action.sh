#!/usr/bin/env bash
# The GitHub Action (action.yml), its steps run as a runner would
# (tests/e2e/run_action.py) against a real repository and a sample
# pull_request event; and the ci-examples, run as far as this machine allows.
. "$(dirname "$0")/lib.sh"

YPY=/usr/bin/python3   # Debian's python3 has python3-yaml

# A clone of a remote whose feature branch adds one escape to a clean main.
setup_pr() {
	new_go_repo origin-src
	fixture_store
	fixture_point_value
	commit_all "base"
	BASE=$(git rev-parse HEAD)
	git clone -q --bare "$REPO" "$T/remote.git" || fail "clone --bare"
	git clone -q "file://$T/remote.git" "$T/clone" || fail "clone"
	REPO=$T/clone
	cd "$REPO" || fail "cd clone"
	git checkout -q -b feature
	fixture_point_pointer
	commit_all "NewPoint returns a pointer"
	FEATURE=$(git rev-parse HEAD)
	printf '{"pull_request":{"number":7,"base":{"ref":"main","sha":"%s"},"head":{"sha":"%s"}}}' \
		"$BASE" "$FEATURE" >"$T/event.json"
	mkdir -p "$T/runner"
	: >"$T/summary.md"
}

# run_action INPUTS_JSON: the action's steps in a pull_request runner environment.
run_action() {
	CI=true GITHUB_ACTIONS=true GITHUB_WORKSPACE=$REPO GITHUB_EVENT_NAME=pull_request \
		GITHUB_EVENT_PATH=$T/event.json GITHUB_BASE_REF=main GITHUB_HEAD_REF=feature \
		GITHUB_SHA=$FEATURE GITHUB_SERVER_URL=https://github.example GITHUB_REPOSITORY=acme/widgets \
		GITHUB_STEP_SUMMARY=$T/summary.md RUNNER_TEMP=$T/runner ESCGATE_STORE=$T/store.db \
		"$YPY" "$TOP/tests/e2e/run_action.py" "$TOP" "$1" "$T/result.json" \
		>"$T/stdout" 2>"$T/stderr"
	RC=$?
	OUT=$(cat "$T/stdout")
	ERR=$(cat "$T/stderr")
	[ "$RC" -eq 0 ] || fail "run_action.py failed: $(tail -3 "$T/stderr")"
}

# expect_line_prefix PREFIX: some line of stdout starts with PREFIX.
expect_line_prefix() {
	grep -qF -- "$1" <(grep -- "^" "$T/stdout" | cut -c1-${#1}) ||
		fail "no line of stdout starts with '$1'"
}

result() { "$YPY" -c 'import json,sys; r=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$T/result.json" "$1"; }

test_action_pull_request_with_a_new_escape() {
	setup_pr
	run_action "{\"formats\": \"junit=$T/junit.xml\"}"
	[ "$(result 'r["status"]')" = 1 ] || fail "status $(result 'r["status"]'), want 1 (fail-on-new)"
	[ "$(result 'r["failed_step"]')" = "Run escgate" ] || fail "failed step: $(result 'r["failed_step"]')"
	[ "$(result 'r["outputs"]["new"]')" = 1 ] || fail "output new: $(result 'r["outputs"]')"
	[ "$(result 'r["outputs"]["fixed"]')" = 0 ] || fail "output fixed: $(result 'r["outputs"]')"
	[ "$(result 'r["outputs"]["unchanged"]')" = 1 ] || fail "output unchanged: $(result 'r["outputs"]')"
	[ "$(result 'r["outputs"]["sarif-file"]')" = "$T/runner/escgate.sarif" ] || fail "sarif-file output"
	[ -s "$T/runner/escgate.sarif" ] || fail "no SARIF file"
	[ -s "$T/junit.xml" ] || fail "the extra format was not written"
	expect_stderr_line 'escgate: base: GitHub pull request: merge base of the head and origin/main'
	expect_line_prefix '::error file=sub/t.go,line=12,col=2,'
	grep -q 'NewPoint' "$T/summary.md" || fail "job summary lacks the finding"
	grep -q "https://github.example/acme/widgets/blob/$FEATURE/sub/t.go#L12" "$T/summary.md" ||
		fail "job summary does not link the line"
}

test_action_fail_on_new_false() {
	setup_pr
	run_action '{"fail-on-new": "false", "args": "-q"}'
	[ "$(result 'r["status"]')" = 0 ] || fail "status $(result 'r["status"]'), want 0"
	[ "$(result 'r["outputs"]["new"]')" = 1 ] || fail "output new: $(result 'r["outputs"]')"
	expect_line_prefix '::error file=sub/t.go,line=12,col=2,'
}

test_action_inputs_are_data_not_code() {
	setup_pr
	run_action "{\"head\": \"\$(touch $T/pwned1)\", \"args\": \"; touch $T/pwned2\"}"
	[ ! -e "$T/pwned1" ] && [ ! -e "$T/pwned2" ] || fail "an input was executed"
	[ "$(result 'r["status"]')" = 2 ] || fail "status $(result 'r["status"]'), want 2 (usage)"
}

test_action_shallow_checkout_fails_closed() {
	setup_pr
	git push -q origin feature || fail "push"
	git clone -q --depth 1 --branch feature "file://$T/remote.git" "$T/shallow" || fail "shallow clone"
	REPO=$T/shallow
	run_action '{}'
	[ "$(result 'r["status"]')" = 3 ] || fail "status $(result 'r["status"]'), want 3"
	expect_stderr_line 'fetch-depth: 0'
}

test_action_metadata() {
	"$YPY" - "$TOP/action.yml" <<'PY' || fail "action.yml metadata"
import sys, yaml
a = yaml.safe_load(open(sys.argv[1]))
assert a["runs"]["using"] == "composite"
assert set(a["inputs"]) == {"base", "head", "working-directory", "formats", "fail-on-new", "args"}, a["inputs"]
assert a["inputs"]["fail-on-new"]["default"] == "true"
assert set(a["outputs"]) == {"new", "fixed", "unchanged", "sarif-file"}
assert a["branding"]["icon"] and a["branding"]["color"]
for s in a["runs"]["steps"]:
    assert s["shell"] == "bash" and "${{" not in s["run"], s
PY
}

test_examples_parse_and_say_what_they_must() {
	"$YPY" - "$TOP/ci-examples" <<'PY' || fail "ci-examples"
import sys, yaml
d = sys.argv[1]
gh = yaml.safe_load(open(d + "/github/escgate.yml"))
steps = gh["jobs"]["escapes"]["steps"]
uses = [s.get("uses", "") for s in steps]
assert any(u.startswith("actions/checkout") for u in uses)
assert [s for s in steps if s.get("uses", "").startswith("actions/checkout")][0]["with"]["fetch-depth"] == 0
assert any(u.startswith("actions/setup-go") for u in uses)
assert any(u.startswith("github/codeql-action/upload-sarif") for u in uses)
assert gh["permissions"]["security-events"] == "write"
assert True in gh or "on" in gh   # YAML 1.1 reads the key 'on' as True
gl = yaml.safe_load(open(d + "/gitlab/.gitlab-ci.yml"))["escgate"]
assert gl["rules"][0]["if"] == '$CI_PIPELINE_SOURCE == "merge_request_event"'
assert gl["variables"]["GIT_DEPTH"] == 0
assert set(gl["artifacts"]["reports"]) == {"codequality", "junit"}
PY
}

test_gitlab_example_script_runs() {
	setup_pr
	# the job's script, with escgate where the job builds it
	"$YPY" -c 'import sys,yaml; print("\n".join(yaml.safe_load(open(sys.argv[1]))["escgate"]["script"]))' \
		"$TOP/ci-examples/gitlab/.gitlab-ci.yml" | sed "s|/tmp/escgate/escgate|$ESCGATE|" >"$T/job.sh"
	(cd "$REPO" && CI=true GITLAB_CI=true CI_PIPELINE_SOURCE=merge_request_event \
		CI_MERGE_REQUEST_DIFF_BASE_SHA=$BASE bash -e "$T/job.sh") >"$T/stdout" 2>"$T/stderr"
	RC=$?
	expect_status 1
	expect_stderr_line 'GitLab merge request: CI_MERGE_REQUEST_DIFF_BASE_SHA'
	"$YPY" -c 'import json,sys; a=json.load(open(sys.argv[1])); assert len(a)==1 and a[0]["location"]["path"]=="sub/t.go", a' \
		"$REPO/gl-code-quality-report.json" || fail "code quality report"
	"$YPY" -c 'import sys,xml.dom.minidom as m; d=m.parse(sys.argv[1]); assert d.getElementsByTagName("failure")' \
		"$REPO/escgate-junit.xml" || fail "junit report"
}

test_pre_push_example_refuses_a_push() {
	setup_pr
	cp "$TOP/ci-examples/pre-push" "$REPO/.git/hooks/pre-push"
	git checkout -q main
	fixture_point_pointer
	commit_all "escape on main"
	PATH="$(dirname "$ESCGATE"):$PATH" git push origin main >"$T/stdout" 2>"$T/stderr"
	RC=$?
	[ "$RC" -ne 0 ] || fail "the example hook let the push through"
	expect_stderr_line 'push refused'
}

run_tests
