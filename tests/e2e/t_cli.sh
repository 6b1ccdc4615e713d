#!/usr/bin/env bash
# The command line: help, version, -C, where the store goes, the JSON
# document's shape, and `scan`.
. "$(dirname "$0")/lib.sh"

# Runs outside any repository (help and version need none).
in_no_repo() {
	mkdir -p "$T/norepo" && cd "$T/norepo" || fail "mkdir"
	export GIT_CEILING_DIRECTORIES=$T
}

test_version() {
	in_no_repo
	run_escgate version
	expect_status 0
	[[ $OUT == escgate* ]] || fail "version output does not start with 'escgate': $OUT"
	[ "$(printf '%s' "$OUT" | wc -l)" -le 1 ] || fail "version printed more than one line"
}

test_help() {
	in_no_repo
	run_escgate help
	expect_status 0
	expect_contains "diff"
	expect_contains "scan"
	expect_contains "version"
	expect_contains "-C"
}

test_help_diff() {
	in_no_repo
	local how
	for how in "help diff" "diff --help"; do
		# shellcheck disable=SC2086
		run_escgate $how
		expect_status 0
		local opt
		for opt in --base --head --worktree --go --tags --store --format; do
			expect_contains "$opt"
		done
	done
}

test_help_scan() {
	in_no_repo
	local how
	for how in "help scan" "scan --help"; do
		# shellcheck disable=SC2086
		run_escgate $how
		expect_status 0
		local opt
		for opt in --worktree --go --tags --store --format; do
			expect_contains "$opt"
		done
	done
}

test_json_shape() {
	setup_mixed_branches
	local base_sha head_sha goversion goos goarch
	base_sha=$(git_sha main)
	head_sha=$(git_sha feature)
	read -r goversion goos goarch < <(go env GOVERSION GOOS GOARCH | tr '\n' ' ')
	eg diff --base main --head feature --format json
	expect_status 1
	expect_json_doc
	expect_json '[k for k in ["schema", "base", "head", "go", "findings", "summary"] if k not in d]' '[]'
	expect_json 'd["schema"]' 1
	expect_json 'd["base"]' "{\"rev\": \"main\", \"commit\": \"$base_sha\"}"
	expect_json 'd["head"]' "{\"rev\": \"feature\", \"commit\": \"$head_sha\"}"
	expect_json 'd["go"]' "{\"version\": \"$goversion\", \"goos\": \"$goos\", \"goarch\": \"$goarch\"}"
	# Every finding has every field, with the right types.
	expect_json '[f for f in d["findings"] if [k for k in ["status", "kind", "package", "function", "file", "line", "column", "message", "flow"] if k not in f]]' '[]'
	expect_json '[f for f in d["findings"] if not (type(f["line"]) is int and type(f["column"]) is int and type(f["flow"]) is list)]' '[]'
	expect_json '[s for f in d["findings"] for s in f["flow"] if not (sorted(s) == ["column", "file", "line", "text"] and type(s["line"]) is int)]' '[]'
	# Exactly the new and fixed findings (unchanged ones are not listed).
	expect_json 'sorted([f["status"], f["kind"], f["package"], f["function"], f["file"], f["line"], f["column"], f["message"]] for f in d["findings"])' '[
		["fixed", "escape", "example.com/m/sub", "NewPoint", "sub/t.go", 12, 2, "moved to heap: p"],
		["new", "escape", "example.com/m/sub", "Counter", "sub/extra.go", 10, 9, "func literal escapes to heap"],
		["new", "escape", "example.com/m/sub", "Counter.func1", "sub/extra.go", 11, 3, "moved to heap: v"],
		["new", "escape", "example.com/m/sub", "Extra", "sub/extra.go", 5, 2, "moved to heap: e"],
		["new", "escape", "example.com/m/sub", "Put", "sub/w.go", 11, 17, "([]byte)(s) escapes to heap"],
		["new", "leak", "example.com/m/sub", "Put", "sub/w.go", 10, 10, "leaking param: w"]]'
	# Flows: the fixed finding's come from the base.
	expect_json_true '{"file": "sub/t.go", "line": 13, "column": 9, "text": "from &p (address-of)"} in F(function="NewPoint")[0]["flow"]'
	expect_json_true '{"file": "sub/w.go", "line": 11, "column": 9, "text": "from w.Write(([]byte)(s)) (call parameter)"} in F(kind="leak")[0]["flow"]'
	expect_json_summary 5 1 1
}

test_json_defaults_and_worktree() {
	setup_mixed_branches
	eg diff --base main --format json
	expect_status 1
	expect_json 'd["head"]' "{\"rev\": \"HEAD\", \"commit\": \"$(git_sha HEAD)\"}"
	expect_json_summary 5 1 1
	eg diff --base main --worktree --format json
	expect_status 1
	expect_json 'd["head"]' '{"rev": "worktree", "commit": null}'
	expect_json_summary 5 1 1
}

test_json_nothing_new() {
	setup_mixed_branches
	eg diff --base feature --head feature --format json
	expect_status 0
	expect_json_doc
	expect_json 'd["findings"]' '[]'
	expect_json_summary 0 0 6
}

test_text_report_layout() {
	setup_mixed_branches
	eg diff --base main --head feature
	expect_status 1
	expect_report_lines_only
	# New findings come first, then fixed ones, then the summary.
	local last_new first_fixed
	last_new=$(grep -nE '^[^	]+: new (escape|leak) in ' "$T/stdout" | tail -n 1 | cut -d: -f1)
	first_fixed=$(grep -nE '^[^	]+: fixed (escape|leak) in ' "$T/stdout" | head -n 1 | cut -d: -f1)
	[ -n "$last_new" ] && [ -n "$first_fixed" ] && [ "$last_new" -lt "$first_fixed" ] ||
		fail "new findings (last at line $last_new) do not all come before fixed ones (first at line $first_fixed)"
	expect_block \
		"sub/w.go:10:10: new leak in sub.Put: leaking param: w" \
		$'\tfunc Put(w Writer, s string) {' \
		$'\tflow: {heap} ← w' \
		$'\t  from w.Write(([]byte)(s)) (call parameter) at sub/w.go:11:9'
	expect_block \
		"sub/t.go:12:2: fixed escape in sub.NewPoint: moved to heap: p" \
		$'\tp := Point{X: x, Y: y}' \
		$'\tflow: ~r0 ← &p' \
		$'\t  from &p (address-of) at sub/t.go:13:9'
	expect_summary 5 4 1 1 1
}

test_scan() {
	setup_mixed_branches
	eg scan feature --format json
	expect_status_in "0 1"
	expect_json_doc
	expect_json '[f["status"] for f in d["findings"] if f["status"] != "present"]' '[]'
	expect_json 'sorted([f["kind"], f["function"], f["file"], f["line"], f["column"], f["message"]] for f in d["findings"])' '[
		["escape", "Counter", "sub/extra.go", 10, 9, "func literal escapes to heap"],
		["escape", "Counter.func1", "sub/extra.go", 11, 3, "moved to heap: v"],
		["escape", "Extra", "sub/extra.go", 5, 2, "moved to heap: e"],
		["escape", "Put", "sub/w.go", 11, 17, "([]byte)(s) escapes to heap"],
		["escape", "Store", "sub/keep.go", 7, 2, "moved to heap: v"],
		["leak", "Put", "sub/w.go", 10, 10, "leaking param: w"]]'

	eg scan main
	expect_status_in "0 1"
	expect_count '^[^	 ][^:]*:[0-9]+:[0-9]+: ' 2
	expect_count '^sub/t\.go:12:2: .*sub\.NewPoint.*: moved to heap: p$' 1
	expect_count '^sub/keep\.go:7:2: .*sub\.Store.*: moved to heap: v$' 1

	# Without a revision: HEAD (feature is checked out).
	eg scan
	expect_status_in "0 1"
	expect_count '^[^	 ][^:]*:[0-9]+:[0-9]+: ' 6
	expect_count '^sub/w\.go:10:10: .*leak.*sub\.Put.*: leaking param: w$' 1
}

test_scan_worktree() {
	setup_mixed_branches
	write_file sub/more.go <<'GO'
package sub

// More is not committed.
func More() *int {
	m := 4
	return &m
}
GO
	eg scan --worktree --format json
	expect_status_in "0 1"
	expect_json 'len(d["findings"])' 7
	expect_json 'len(F(file="sub/more.go", line=5, column=2, message="moved to heap: m", function="More"))' 1
	eg scan --format json
	expect_json 'len(d["findings"])' 6
}

test_store_locations() {
	setup_mixed_branches
	# $ESCGATE_STORE
	ESCGATE_STORE=$T/env.db eg diff --base main --head feature
	expect_status 1
	[ -s "$T/env.db" ] || fail "\$ESCGATE_STORE ($T/env.db) was not written"
	# --store wins over $ESCGATE_STORE
	ESCGATE_STORE=$T/env2.db eg diff --base main --head feature --store "$T/flag.db"
	expect_status 1
	[ -s "$T/flag.db" ] || fail "--store $T/flag.db was not written"
	[ ! -e "$T/env2.db" ] || fail "\$ESCGATE_STORE was written although --store was given"
	# neither: .git/escgate/store.db
	[ ! -e .git/escgate/store.db ] || fail "fixture: default store exists too early"
	(unset ESCGATE_STORE; eg diff --base main --head feature; echo "$RC" >"$T/rc")
	[ "$(cat "$T/rc")" = 1 ] || fail "exit status $(cat "$T/rc") with the default store, want 1"
	[ -s .git/escgate/store.db ] || fail ".git/escgate/store.db was not written"
	[ ! -e "$T/store.db" ] || fail "the test's own \$ESCGATE_STORE was written although unset"
}

test_dash_C_and_subdirectory() {
	setup_mixed_branches
	eg diff --base main --head feature
	expect_status 1
	save_output from-C
	# A relative -C.
	cd "$T" || fail "cd"
	run_escgate -C repo diff --base main --head feature
	expect_status 1
	save_output relative-C
	expect_same_file from-C relative-C
	# From a subdirectory of the repository, without -C: paths stay
	# relative to the repository root.
	cd "$REPO/sub" || fail "cd"
	run_escgate diff --base main --head feature
	expect_status 1
	save_output subdir
	expect_same_file from-C subdir
	# -C to a subdirectory.
	cd "$T" || fail "cd"
	run_escgate -C "$REPO/sub" diff --base main --head feature
	expect_status 1
	save_output C-subdir
	expect_same_file from-C C-subdir
}

# The static escgate puts off what libgit2 sets up for talking to servers
# (cmd/link/): a run neither reads the system's CA bundle nor loads the
# Kerberos libraries, both of which a link against the shared libgit2 does.
test_start_sets_up_no_network() {
	if ldd "$ESCGATE" 2>/dev/null | grep -q 'libgit2'; then
		skip "escgate is linked with the shared libgit2 (a sanitized build, or STATIC_DEPS=0)"
	fi
	if ! command -v strace >/dev/null 2>&1 || ! strace -o /dev/null true 2>/dev/null; then
		skip "strace is not usable here"
	fi
	new_go_repo
	fixture_store
	commit_all "base"
	E2E_LAST_CMD="escgate scan (traced)"
	# the main thread: where libgit2 starts and the loader maps libraries
	strace -qq -e trace=open,openat -o "$T/trace" "$ESCGATE" -C "$REPO" scan -q \
		</dev/null >"$T/stdout" 2>"$T/stderr"
	RC=$?
	expect_status 0
	grep -q '\.git/config' "$T/trace" || fail "the trace saw no repository: $(head -c 300 "$T/trace")"
	if grep -E 'ca-certificates|/certs/|libgssapi|libkrb5' "$T/trace" >"$T/network"; then
		fail "escgate set up the network at start: $(head -n 3 "$T/network")"
	fi
}

run_tests
