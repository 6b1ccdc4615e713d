#!/usr/bin/env bash
# demo/make-demo.sh builds a repository on which escgate shows the blog
# post's io.Writer example.
. "$(dirname "$0")/lib.sh"

DEMO=$TOP/demo/make-demo.sh

test_demo_diff() {
	bash "$DEMO" "$T/demo" >"$T/make.out" 2>&1 || fail "make-demo.sh failed: $(cat "$T/make.out")"
	REPO=$T/demo
	[ "$(git -C "$REPO" rev-parse --abbrev-ref HEAD)" = feature ] || fail "demo: feature is not checked out"
	[ -z "$(git -C "$REPO" status --porcelain)" ] || fail "demo: work tree not clean"
	[ "$(git -C "$REPO" rev-list --count main)" = 2 ] || fail "demo: main does not have two commits"
	eg diff --base main --head feature
	expect_status 1
	expect_block \
		"greet/greet.go:13:20: new leak in greet.WriteGreeting: leaking param: w" \
		$'\tfunc WriteGreeting(w io.Writer, name string) {'
	expect_block \
		'greet/greet.go:14:27: new escape in greet.WriteGreeting: ([]byte)("hello, " + name) escapes to heap' \
		$'\tw.Write([]byte("hello, " + name))'
	expect_count ': (new|fixed) (escape|leak) in ' 2
	expect_summary 2 1 1 0 0
	save_output explicit
	# The default base is main as well.
	eg diff
	expect_status 1
	expect_contains "main" stderr
	save_output default
	expect_same_file explicit default
}

test_demo_is_reproducible() {
	bash "$DEMO" "$T/demo" >/dev/null 2>&1 || fail "make-demo.sh failed"
	local first
	first=$(git -C "$T/demo" rev-parse feature main)
	echo stray >"$T/demo/stray.txt"
	# A directory the script made is replaced.
	bash "$DEMO" "$T/demo" >/dev/null 2>&1 || fail "make-demo.sh refused its own directory"
	[ ! -e "$T/demo/stray.txt" ] || fail "the old demo directory was not replaced"
	[ "$(git -C "$T/demo" rev-parse feature main)" = "$first" ] ||
		fail "commit ids differ between two runs (dates not pinned?)"
}

test_demo_refuses_other_directories() {
	mkdir -p "$T/mine" && echo precious >"$T/mine/file.txt"
	bash "$DEMO" "$T/mine" >/dev/null 2>"$T/err" && fail "make-demo.sh took a directory it did not make"
	[ "$(cat "$T/mine/file.txt" 2>/dev/null)" = precious ] || fail "make-demo.sh touched a foreign directory"
	[ ! -e "$T/mine/.git" ] || fail "make-demo.sh made a repository in a foreign directory"
	# Nor a git repository that merely looks similar.
	git init -q "$T/other"
	bash "$DEMO" "$T/other" >/dev/null 2>&1 && fail "make-demo.sh took a foreign repository"
	[ -d "$T/other/.git" ] || fail "make-demo.sh removed a foreign repository"
	# An empty directory is fine.
	mkdir -p "$T/empty"
	bash "$DEMO" "$T/empty" >/dev/null 2>&1 || fail "make-demo.sh refused an empty directory"
	bash "$DEMO" >/dev/null 2>&1 && fail "make-demo.sh without DIR succeeded"
	return 0
}

run_tests
