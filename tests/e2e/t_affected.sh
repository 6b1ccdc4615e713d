#!/usr/bin/env bash
# Affected packages only: a change compiles the packages it touches and
# those importing them, in both revisions, and the findings equal a whole
# comparison (--full). Stored analyses are reused and stderr says so.
. "$(dirname "$0")/lib.sh"

# A module with a small import graph: leaf <- mid <- cmd/app, and other
# (imports nothing of ours); a generic helper package gen.
setup_graph() {
	new_go_repo
	write_file leaf/leaf.go <<'GO'
package leaf

var sink *int

// Keep stores a pointer to a local.
func Keep() {
	v := 1
	sink = &v
}

// Double does not escape.
func Double(n int) int { return 2 * n }
GO
	write_file mid/mid.go <<'GO'
package mid

import "example.com/m/leaf"

// Twice calls into leaf.
func Twice(n int) int {
	leaf.Keep()
	return leaf.Double(n)
}
GO
	write_file cmd/app/main.go <<'GO'
package main

import (
	"fmt"

	"example.com/m/mid"
)

func main() {
	fmt.Println(mid.Twice(2))
}
GO
	write_file other/other.go <<'GO'
package other

var kept *string

// Hold keeps its argument.
func Hold(s *string) { kept = s }
GO
	write_file gen/gen.go <<'GO'
package gen

// Ptr returns a pointer to a copy: moved to heap for every instantiation.
func Ptr[T any](v T) *T { return &v }
GO
	write_file data/README.md <<'MD'
Not Go.
MD
	commit_all "base"
	git checkout -q -b feature
}

# same_as_full: the default comparison equals --full (findings and new/fixed counts).
same_as_full() {
	eg diff --base main --head feature --format json --store "$T/affected.db"
	cp "$T/stdout" "$T/affected.json"; echo "$RC" >"$T/affected.rc"
	cp "$T/stderr" "$T/affected.err"
	eg diff --base main --head feature --format json --full --store "$T/full.db"
	[ "$RC" = "$(cat "$T/affected.rc")" ] || fail "exit $(cat "$T/affected.rc") affected-only, $RC full"
	"$PY" - "$T/affected.json" "$T/stdout" <<'PY' || fail "affected-only differs from --full"
import json, sys
a, f = (json.load(open(p)) for p in sys.argv[1:3])
assert a["findings"] == f["findings"], (a["findings"], f["findings"])
for k in ("new", "fixed"):
    assert a["summary"][k] == f["summary"][k], (a["summary"], f["summary"])
PY
	cp "$T/affected.err" "$T/stderr"
}

test_leaf_change_compiles_leaf_and_importers() {
	setup_graph
	write_file leaf/leaf.go <<'GO'
package leaf

var sink *int

// Keep stores a pointer to a local.
func Keep() {
	v := 1
	sink = &v
}

// Double now keeps its result too.
func Double(n int) int {
	d := 2 * n
	sink = &d
	return d
}
GO
	commit_all "leaf escapes more"
	same_as_full
	expect_stderr_line '^escgate: scope: affected packages only: 3 of 5 packages$'
	# other and gen cannot be reached: they are not even written
	expect_stderr_line '^escgate: scope: writing what the change can reach: 3 of 5 package directories$'
	expect_json_true 'any(f["function"] == "Double" for f in F(status="new"))'
}

# Only what the change can reach is written, from an import graph read out
# of git: imports under build tags count, and a package that embeds files
# gets its whole directory, or its build could not find them.
test_partial_trees_keep_tagged_imports_and_embedded_files() {
	setup_graph
	write_file web/web.go <<'GO'
package web

import (
	"embed"

	"example.com/m/leaf"
)

//go:embed static
var files embed.FS

// Size reads an embedded file.
func Size() int {
	b, _ := files.ReadFile("static/page.html")
	return len(b) + leaf.Double(1)
}
GO
	write_file web/static/page.html <<'HTML'
<p>hello</p>
HTML
	write_file web/static/inner/inner.go <<'GO'
package inner

// Box boxes.
func Box(n int) any { return n }
GO
	write_file tagged/linux.go <<'GO'
//go:build linux

package tagged

import "example.com/m/leaf"

// Twice calls leaf on linux.
func Twice() int { return leaf.Double(2) }
GO
	write_file tagged/other.go <<'GO'
//go:build !linux

package tagged

// Twice elsewhere.
func Twice() int { return 4 }
GO
	commit_all "web and tagged" && git branch -f main HEAD && git checkout -q -B feature
	sed -i 's/^func Double(n int) int { return 2 \* n }$/func Double(n int) int {\n\td := 2 * n\n\tsink = \&d\n\treturn d\n}/' leaf/leaf.go
	commit_all "Double keeps its result"
	same_as_full
	expect_stderr_line '^escgate: scope: writing what the change can reach: 5 of 8 package directories$'
	expect_stderr_line '^escgate: scope: affected packages only: 5 of 8 packages$'
	expect_json_true 'any(f["function"] == "Double" for f in F(status="new"))'
}

test_change_in_an_unimported_package() {
	setup_graph
	sed -i 's/^func Hold(s \*string) { kept = s }$/func Hold(s *string) { kept = s }\n\nfunc Hold2(s string) any { return s }/' other/other.go
	commit_all "other boxes"
	same_as_full
	expect_stderr_line '^escgate: scope: affected packages only: 1 of 5 packages$'
	expect_json_true 'F(status="new") and all(f["function"] == "Hold2" for f in F(status="new"))'
}

test_go_mod_change_compiles_whole_modules() {
	setup_graph
	printf '\n// a comment changes nothing, but go.mod is the module graph\n' >>go.mod
	commit_all "touch go.mod"
	same_as_full
	expect_stderr_line '^escgate: scope: whole modules: go.mod changes the module graph: compiling everything$'
}

test_docs_change_compiles_nothing() {
	setup_graph
	echo "More." >>data/README.md
	commit_all "docs"
	same_as_full
	expect_stderr_line '^escgate: scope: affected packages only: 0 of 5 packages$'
}

# go build never compiles tests: a change to them alone compiles nothing,
# and trees are written without them.
test_test_only_change_compiles_nothing() {
	setup_graph
	write_file leaf/leaf_test.go <<'GO'
package leaf

import "testing"

func TestKeep(t *testing.T) {
	v := 5
	sink = &v
	Keep()
}
GO
	commit_all "a test"
	same_as_full
	expect_stderr_line '^escgate: scope: affected packages only: 0 of 5 packages$'
	expect_json 'len(d["findings"])' 0
}

test_embedded_file_counts_for_its_package() {
	setup_graph
	mkdir -p other/static
	echo v1 >other/static/x.txt
	cat >>other/other.go <<'GO'

//go:embed static/x.txt
var blob string
GO
	sed -i 's/^package other$/package other\n\nimport _ "embed"/' other/other.go
	git checkout -q main && git merge -q --ff-only feature 2>/dev/null || true
	commit_all "embed" && git branch -f main HEAD && git checkout -q -B feature
	echo v2 >other/static/x.txt
	commit_all "change the embedded file"
	same_as_full
	expect_stderr_line '^escgate: scope: affected packages only: 1 of 5 packages$'
}

test_new_and_deleted_packages() {
	setup_graph
	git rm -q -r other
	write_file fresh/fresh.go <<'GO'
package fresh

// New escapes.
func New() *int {
	n := 4
	return &n
}
GO
	commit_all "replace other with fresh"
	same_as_full
	expect_json 'len(F(status="new"))' 1
	expect_json 'len(F(status="fixed"))' 1
}

test_new_instantiation_of_unchanged_generic_code() {
	setup_graph
	# mid now instantiates gen.Ptr, which nothing did before: the finding is
	# gen's, a package the change did not touch.
	sed -i 's/^\treturn leaf.Double(n)$/\t_ = gen.Ptr(n)\n\treturn leaf.Double(n)/; s#^import "example.com/m/leaf"$#import (\n\t"example.com/m/gen"\n\t"example.com/m/leaf"\n)#' mid/mid.go
	commit_all "mid uses gen"
	same_as_full
	expect_stderr_line 'whole modules: the change reaches code outside the affected packages'
	expect_json_true 'any(f["function"] == "Ptr" for f in F(status="new"))'
}

test_worktree_edit() {
	setup_graph
	git checkout -q main
	sed -i 's/^func Double(n int) int { return 2 \* n }$/func Double(n int) any { return 2 * n }/' leaf/leaf.go
	sed -i 's/return leaf.Double(n)/return leaf.Double(n).(int)/' mid/mid.go
	eg diff --base main --worktree --format json --store "$T/a.db"
	expect_status 1
	cp "$T/stdout" "$T/a.json"
	expect_stderr_line 'affected packages only: 3 of 5 packages'
	eg diff --base main --worktree --format json --full --store "$T/f.db"
	expect_status 1
	"$PY" -c 'import json,sys; a,b=(json.load(open(p)) for p in sys.argv[1:]); assert a["findings"]==b["findings"]' \
		"$T/a.json" "$T/stdout" || fail "worktree: affected-only differs from --full"
}

test_reuse_says_what_was_reused() {
	setup_graph
	sed -i 's/^func Hold(s \*string) { kept = s }$/func Hold(s *string) { kept = s }\n\nfunc Hold2(s string) any { return s }/' other/other.go
	commit_all "other boxes"
	# the base recorded in advance (e.g. on pushes to main)
	eg scan main -q
	expect_status 0
	eg diff --base main --head feature
	expect_status 1
	expect_stderr_line '^escgate: base: [0-9a-f]{12}: reusing the stored analysis$'
	expect_stderr_line '^escgate: head: [0-9a-f]{12}: building the affected packages with escape analysis$'
	# with a whole base, unchanged counts everything, as --full does
	save_output with_base
	eg diff --base main --head feature --full --store "$T/full.db"
	expect_same_file with_base stdout
	# a new store has nothing to reuse, and says so: both sides build, once
	if grep -q 'reusing' "$T/stderr"; then fail "claims a reuse: $(cat "$T/stderr")"; fi
	[ "$(grep -c 'building with escape analysis$' "$T/stderr")" = 2 ] ||
		fail "expected two builds: $(cat "$T/stderr")"
	# the same comparison again compiles nothing
	eg diff --base main --head feature
	expect_status 1
	expect_stderr_line '^escgate: head: [0-9a-f]{12}: reusing the stored analysis of the affected packages$'
	if grep -q 'building' "$T/stderr"; then fail "compiled again: $(cat "$T/stderr")"; fi
}

run_tests
