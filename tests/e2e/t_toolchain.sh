#!/usr/bin/env bash
# The toolchain: an older Go (1.19, whose -m text is worded differently)
# gives the same report for verdicts both releases agree on; the target
# (GOOS/GOARCH) passes through and is recorded; analyses made with different
# toolchains or targets are stored apart.
. "$(dirname "$0")/lib.sh"

GO119=${ESCGATE_GO119:-/usr/lib/go-1.19/bin/go}

setup_leak_branches() {
	new_go_repo
	fixture_store
	fixture_point_value
	write_file sub/id.go <<'GO'
package sub

var kept *int

// Keep stores p: "leaking param: p".
func Keep(p *int) { kept = p }
GO
	commit_all "base"
	git checkout -q -b feature
	fixture_point_pointer
	write_file sub/id.go <<'GO'
package sub

var kept *int

// Keep stores p: "leaking param: p".
func Keep(p *int) { kept = p }

// Same returns p: "leaking param: p to result ~r0 level=0".
func Same(p *int) *int { return p }
GO
	commit_all "feature"
}

test_go119_same_report() {
	[ -x "$GO119" ] || fail "Go 1.19 not found at $GO119 (.ci/run installs golang-1.19-go)"
	setup_leak_branches
	(unset GOROOT; eg diff --base main --head feature --go "$GO119" --format json; save_output old.json; echo "$RC" >"$T/old.rc")
	[ "$(cat "$T/old.rc")" = 1 ] || fail "go1.19 diff exited $(cat "$T/old.rc")"
	cp "$T/old.json" "$T/stdout"
	expect_json_true 'd["go"]["version"].startswith("go1.19")'
	eg diff --base main --head feature --format json
	expect_status 1
	expect_json_true 'not d["go"]["version"].startswith("go1.19")'
	# the findings (with their why) are the same across the two wordings
	"$PY" - "$T/old.json" "$T/stdout" <<'PY' || fail "go1.19 and the newer Go disagree"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["findings"] == b["findings"], (a["findings"], b["findings"])
counts = lambda d: {k: d["summary"][k] for k in ("new", "fixed", "unchanged")}
assert counts(a) == counts(b) == {"new": 2, "fixed": 0, "unchanged": 2}, (a["summary"], b["summary"])
kinds = sorted((f["kind"], f["function"], f["message"]) for f in a["findings"])
assert kinds == [("escape", "NewPoint", "moved to heap: p"),
                 ("leak", "Same", "leaking param: p to result ~r0 level=0")], kinds
PY
}

test_goarch_recorded_and_stored_apart() {
	setup_leak_branches
	GOARCH=arm64 eg scan feature --format json
	expect_status 0
	expect_json 'd["go"]["goarch"]' '"arm64"'
	expect_stderr_line 'building'
	eg scan feature --format json
	expect_status 0
	expect_json 'd["go"]["goarch"]' '"amd64"'
	# amd64 was not answered from the arm64 analysis
	expect_stderr_line 'building'
	GOARCH=arm64 eg scan feature
	expect_stderr_line 'reusing'
}

run_tests
