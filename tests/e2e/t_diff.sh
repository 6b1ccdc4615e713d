#!/usr/bin/env bash
# How `escgate diff` matches base and head findings: what is new, what is
# fixed, and what merely moved.
. "$(dirname "$0")/lib.sh"

# main: Store (escapes) + NewPoint by value; feature: NewPoint returns &p.
setup_point_branches() {
	new_go_repo
	fixture_store
	fixture_point_value
	commit_all "base"
	git checkout -q -b feature
	fixture_point_pointer
	commit_all "NewPoint returns a pointer"
}

test_new_escape() {
	setup_point_branches
	eg diff --base main --head feature
	expect_status 1
	expect_block \
		"sub/t.go:12:2: new escape in sub.NewPoint: moved to heap: p" \
		$'\tp := Point{X: x, Y: y}' \
		$'\tflow: ~r0 ← &p' \
		$'\t  from &p (address-of) at sub/t.go:13:9' \
		$'\t  from return &p (return) at sub/t.go:13:2'
	expect_count ': new (escape|leak) in ' 1
	expect_count ': fixed (escape|leak) in ' 0
	expect_not_contains "sub/keep.go"
	expect_report_lines_only
	expect_summary 1 1 0 0 1
}

test_fixed_escape() {
	new_go_repo
	fixture_store
	fixture_point_pointer
	commit_all "base"
	git checkout -q -b feature
	# Back to a value, and three lines added above: the fixed finding must be
	# reported at the base's position, with the base's source line.
	write_file sub/t.go <<'GO'
package sub

// Origin is the zero point.
var Origin Point

type Point struct{ X, Y int }

func Sum(p Point) int {
	return p.X + p.Y
}

// NewPoint makes a Point.
//
func NewPoint(x, y int) Point {
	p := Point{X: x, Y: y}
	return p
}
GO
	commit_all "NewPoint returns a value again"
	[ "$(sed -n 12p sub/t.go)" = "// NewPoint makes a Point." ] || fail "fixture: line 12 of head is $(sed -n 12p sub/t.go)"
	eg diff --base main --head feature
	expect_status 0
	expect_block \
		"sub/t.go:12:2: fixed escape in sub.NewPoint: moved to heap: p" \
		$'\tp := Point{X: x, Y: y}'
	expect_count ': fixed (escape|leak) in ' 1
	expect_count ': new (escape|leak) in ' 0
	expect_report_lines_only
	expect_summary 0 0 0 1 1
}

test_line_shift_is_not_new() {
	new_go_repo
	fixture_store
	fixture_point_pointer
	commit_all "base"
	git checkout -q -b feature
	# Lines added inside NewPoint, above its finding...
	write_file sub/t.go <<'GO'
package sub

type Point struct{ X, Y int }

func Sum(p Point) int {
	return p.X + p.Y
}

// NewPoint makes a Point.
//
func NewPoint(x, y int) *Point {
	if x < 0 {
		x = -x
	}
	p := Point{X: x, Y: y}
	return &p
}
GO
	# ...and elsewhere in the file of the other finding.
	write_file sub/keep.go <<'GO'
package sub

// Limit has nothing to do with escapes.
const Limit = 10

var sink *int

// Clamp has no findings.
func Clamp(n int) int {
	if n > Limit {
		return Limit
	}
	return n
}

// Store keeps a pointer to a local: v is moved to the heap.
func Store() {
	v := 7
	sink = &v
}
GO
	commit_all "shift lines"
	eg diff --base main --head feature
	expect_status 0
	expect_stdout_eq "escgate: 0 new (0 escapes, 0 leaks), 0 fixed, 2 unchanged"
}

test_file_rename_is_not_new() {
	new_go_repo
	fixture_store
	fixture_point_pointer
	commit_all "base"
	git checkout -q -b feature
	git mv sub/t.go sub/point.go || fail "git mv"
	commit_all "rename t.go to point.go"
	eg diff --base main --head feature
	expect_status 0
	expect_stdout_eq "escgate: 0 new (0 escapes, 0 leaks), 0 fixed, 2 unchanged"
}

test_function_moved_to_other_file() {
	new_go_repo
	fixture_store
	fixture_point_pointer
	commit_all "base"
	git checkout -q -b feature
	write_file sub/t.go <<'GO'
package sub

type Point struct{ X, Y int }

func Sum(p Point) int {
	return p.X + p.Y
}
GO
	write_file sub/newpoint.go <<'GO'
package sub

// This file now holds the constructor.

// NewPoint makes a Point.
func NewPoint(x, y int) *Point {
	p := Point{X: x, Y: y}
	return &p
}
GO
	commit_all "move NewPoint to its own file"
	eg diff --base main --head feature
	expect_status 0
	expect_stdout_eq "escgate: 0 new (0 escapes, 0 leaks), 0 fixed, 2 unchanged"
}

test_unrelated_functions_added() {
	new_go_repo
	fixture_store
	fixture_point_pointer
	commit_all "base"
	git checkout -q -b feature
	# Added above NewPoint: one function without findings and one whose only
	# verdict has the very same text as NewPoint's ("moved to heap: p").
	write_file sub/t.go <<'GO'
package sub

type Point struct{ X, Y int }

func Sum(p Point) int {
	return p.X + p.Y
}

// Double has no findings.
func Double(n int) int { return 2 * n }

// NewOther has a verdict worded like NewPoint's.
func NewOther() *Point {
	p := Point{X: 1}
	return &p
}

// NewPoint makes a Point.
//
func NewPoint(x, y int) *Point {
	p := Point{X: x, Y: y}
	return &p
}
GO
	write_file sub/more.go <<'GO'
package sub

// Triple has no findings.
func Triple(n int) int { return 3 * n }
GO
	commit_all "add functions"
	eg diff --base main --head feature
	expect_status 1
	expect_line "sub/t.go:14:2: new escape in sub.NewOther: moved to heap: p"
	expect_count ': new (escape|leak) in ' 1
	expect_count ': fixed (escape|leak) in ' 0
	expect_summary 1 1 0 0 2
}

# The blog post: *bytes.Buffer keeps []byte(s) on the stack; io.Writer does not.
test_blog_interface_param_leak() {
	new_go_repo
	fixture_write_buffer
	commit_all "base"
	git checkout -q -b feature
	fixture_write_writer
	commit_all "take an io.Writer"
	eg diff --base main --head feature
	expect_status 1
	expect_block \
		"sub/w.go:7:17: new escape in sub.Write: ([]byte)(s) escapes to heap" \
		$'\tw.Write([]byte(s))'
	expect_block \
		"sub/w.go:6:12: new leak in sub.Write: leaking param: w" \
		$'\tfunc Write(w io.Writer, s string) {'
	expect_count ': new (escape|leak) in ' 2
	expect_report_lines_only
	expect_summary 2 1 1 0 0

	eg diff --base main --head feature --format json
	expect_status 1
	expect_finding new escape example.com/m/sub Write sub/w.go 7 17 "([]byte)(s) escapes to heap"
	expect_finding new leak example.com/m/sub Write sub/w.go 6 12 "leaking param: w"
	expect_json 'len(d["findings"])' 2
	expect_json_summary 2 0 0

	# The other way round, both are fixed.
	eg diff --base feature --head main
	expect_status 0
	expect_line "sub/w.go:7:17: fixed escape in sub.Write: ([]byte)(s) escapes to heap"
	expect_line "sub/w.go:6:12: fixed leak in sub.Write: leaking param: w"
	expect_summary 0 0 0 2 0
}

test_leak_to_result() {
	new_go_repo
	write_file sub/first.go <<'GO'
package sub

// First returns the first element; the head returns a pointer to it, which
// leaks xs to the result without moving anything to the heap.
func First(xs []int) int {
	return xs[0]
}
GO
	commit_all "base"
	git checkout -q -b feature
	sed -i 's/^func First(xs \[\]int) int {$/func First(xs []int) *int {/; s/^\treturn xs\[0\]$/\treturn \&xs[0]/' sub/first.go
	commit_all "return a pointer"
	eg diff --base main --head feature
	expect_status 1
	expect_line "sub/first.go:5:12: new leak in sub.First: leaking param: xs to result ~r0 level=0"
	expect_count ': new (escape|leak) in ' 1
	expect_summary 1 0 1 0 0
}

test_method_and_closure() {
	new_go_repo
	write_file sub/t.go <<'GO'
package sub

type T struct{ n int }

func (t *T) Get() int {
	x := t.n
	return x
}

func (t T) M() int {
	y := t.n
	return y
}

func Counter() func() int {
	return func() int {
		v := 1
		return v
	}
}
GO
	commit_all "base"
	git checkout -q -b feature
	write_file sub/t.go <<'GO'
package sub

type T struct{ n int }

func (t *T) Get() *int {
	x := t.n
	return &x
}

func (t T) M() *int {
	y := t.n
	return &y
}

func Counter() func() *int {
	return func() *int {
		v := 1
		return &v
	}
}
GO
	commit_all "return pointers"
	eg diff --base main --head feature
	expect_status 1
	expect_line "sub/t.go:6:2: new escape in sub.(*T).Get: moved to heap: x"
	expect_line "sub/t.go:11:2: new escape in sub.T.M: moved to heap: y"
	expect_line "sub/t.go:17:3: new escape in sub.Counter.func1: moved to heap: v"
	# The compiler's wrapper for (*T).M reports at <autogenerated>:1; the
	# closure itself ("func literal escapes to heap", in Counter) is unchanged.
	expect_not_contains "autogenerated"
	expect_count ': new (escape|leak) in ' 3
	expect_summary 3 3 0 0 1

	eg diff --base main --head feature --format json
	expect_finding new escape example.com/m/sub '(*T).Get' sub/t.go 6 2 "moved to heap: x"
	expect_finding new escape example.com/m/sub 'T.M' sub/t.go 11 2 "moved to heap: y"
	expect_finding new escape example.com/m/sub 'Counter.func1' sub/t.go 17 3 "moved to heap: v"
	expect_json_summary 3 0 1
}

test_generic_instantiated_twice() {
	new_go_repo
	write_file sub/g.go <<'GO'
package sub

//go:noinline
func Ptr[E any](v E) E {
	return v
}

func UseInt() int       { return Ptr(1) }
func UseString() string { return Ptr("s") }
GO
	commit_all "base"
	git checkout -q -b feature
	# Two instantiations (int, string): the compiler says "moved to heap: v"
	# once per shape, at the same position. That is one finding.
	write_file sub/g.go <<'GO'
package sub

//go:noinline
func Ptr[E any](v E) *E {
	return &v
}

func UseInt() *int       { return Ptr(1) }
func UseString() *string { return Ptr("s") }
GO
	commit_all "return a pointer"
	eg diff --base main --head feature
	expect_status 1
	expect_line "sub/g.go:4:17: new escape in sub.Ptr: moved to heap: v"
	expect_count ': new (escape|leak) in ' 1
	expect_summary 1 1 0 0 0

	eg diff --base main --head feature --format json
	expect_json 'len(d["findings"])' 1
	expect_finding new escape example.com/m/sub Ptr sub/g.go 4 17 "moved to heap: v"
}

test_two_main_packages() {
	new_go_repo
	write_file cmd/a/main.go <<'GO'
package main

var sink int

func main() {
	va := 1
	sink = va
}
GO
	write_file cmd/b/main.go <<'GO'
package main

var sink int

// main of command b.
func main() {
	vb := 2
	sink = vb
}
GO
	commit_all "base"
	git checkout -q -b feature
	sed -i 's/^var sink int$/var sink *int/; s/sink = va$/sink = \&va/' cmd/a/main.go
	sed -i 's/^var sink int$/var sink *int/; s/sink = vb$/sink = \&vb/' cmd/b/main.go
	commit_all "keep pointers"
	eg diff --base main --head feature
	expect_status 1
	expect_block "cmd/a/main.go:6:2: new escape in main.main: moved to heap: va" $'\tva := 1'
	expect_block "cmd/b/main.go:7:2: new escape in main.main: moved to heap: vb" $'\tvb := 2'
	expect_count ': new (escape|leak) in ' 2
	expect_summary 2 2 0 0 0

	eg diff --base main --head feature --format json
	expect_finding new escape example.com/m/cmd/a main cmd/a/main.go 6 2 "moved to heap: va"
	expect_finding new escape example.com/m/cmd/b main cmd/b/main.go 7 2 "moved to heap: vb"
	expect_json 'len(d["findings"])' 2
}

# The inlining tests' fixture: package DIR, named NAME, whose New callers
# inline; feature_new_returns_pointer makes its value escape on a branch.
write_inlined_lib() {
	write_file "$1/t.go" <<GO
package $2

type T struct{ n int }

func New(n int) T { return T{n} }
GO
}

# write_inlining_command FILE LIBDIR LIBNAME: a command calling New.
write_inlining_command() {
	write_file "$1" <<GO
package main

import "example.com/m/$2"

var sink any

func main() { sink = $3.New(2) }
GO
}

# feature_new_returns_pointer LIBDIR: commits the base, then on branch
# feature New returns a pointer, which escapes.
feature_new_returns_pointer() {
	commit_all "base"
	git checkout -q -b feature
	sed -i 's/^func New(n int) T { return T{n} }$/func New(n int) *T { return \&T{n} }/' "$1/t.go"
	commit_all "return a pointer"
}

# An escape in a function other packages inline is reported by each
# caller's compile at its call site; the JSON logs of that caller's own
# compile move it back to the callee. Each package's logs are read while
# the build runs, from the directory the compiler names after the package
# path (url.PathEscape: "/" escaped, "+" kept), and for commands
# from their own directory.
test_inlined_callee_is_one_finding() {
	new_go_repo
	write_inlined_lib lib/in+line inline
	write_file app/app.go <<'GO'
package app

import "example.com/m/lib/in+line"

var keep any

func Use() { keep = inline.New(1) }
GO
	write_inlining_command cmd/a/main.go lib/in+line inline
	feature_new_returns_pointer lib/in+line
	eg diff --base main --head feature --format json
	expect_status 1
	expect_finding new escape 'example.com/m/lib/in+line' New 'lib/in+line/t.go' 5 29 "&T{...} escapes to heap"
	expect_json '[f["file"] for f in d["findings"] if f["status"] == "new"]' '["lib/in+line/t.go"]'
}

# A whole build starts while go list still runs, so each command's JSON
# directory is chosen by directory: every one holding a file of package
# main. A generator left out by build constraints makes a library's
# directory one of them; its logs must still be found, or the escape its
# compile reports at the inlined call would count as its own.
test_inlined_callee_whole_build() {
	new_go_repo
	write_inlined_lib lib/in+line inline
	write_file app/app.go <<'GO'
package app

import "example.com/m/lib/in+line"

var keep any

func Use() { keep = inline.New(1) }
GO
	write_file app/gen.go <<'GO'
//go:build ignore

// gen writes nothing: it only makes this directory hold a package main file.
package main

func main() {}
GO
	write_inlining_command cmd/a+b/main.go lib/in+line inline
	write_inlining_command cmd/c/main.go lib/in+line inline
	feature_new_returns_pointer lib/in+line
	eg diff --base main --head feature --full --format json
	expect_status 1
	expect_finding new escape 'example.com/m/lib/in+line' New 'lib/in+line/t.go' 5 29 "&T{...} escapes to heap"
	expect_json '[f["file"] for f in d["findings"] if f["status"] == "new"]' '["lib/in+line/t.go"]'
	save_output whole
	eg diff --base main --head feature --format json --store "$T/affected.db"
	expect_status 1
	expect_same_file whole stdout
}

# "..." in a command's directory makes its pattern a wildcard: ./cmd/a...b
# and example.com/m/cmd/a...b match cmd/ab and cmd/a-b too. A whole build of
# one side then lists the module first, and the wildcard's -gcflags comes
# before the other commands' own, so each command still gets its own logs.
test_command_dir_with_dots_lists_first() {
	new_go_repo
	write_inlined_lib lib lib
	local d
	for d in 'cmd/a...b' cmd/a-b cmd/ab cmd/c; do
		write_inlining_command "$d/main.go" lib lib
	done
	feature_new_returns_pointer lib
	eg diff --base main --head feature --full --format json
	expect_status 1
	expect_json '[f["file"] for f in d["findings"] if f["status"] == "new"]' '["lib/t.go"]'
	eg scan feature --format json --store "$T/scan.db"
	expect_status 0
	expect_json '[f["file"] for f in d["findings"]]' '["lib/t.go"]'
}

# A command whose main.go is a symbolic link (within the repository) is not
# read before go list names it: its directory gets logs of its own anyway.
test_command_file_is_a_symlink() {
	new_go_repo
	write_inlined_lib lib lib
	write_inlining_command cmd/a/main.go lib lib
	mkdir -p cmd/b
	ln -s ../a/main.go cmd/b/main.go
	feature_new_returns_pointer lib
	eg scan feature --format json
	expect_status 0
	expect_json '[f["file"] for f in d["findings"]]' '["lib/t.go"]'
}

test_nested_module() {
	new_go_repo
	fixture_store
	write_file tools/go.mod <<'GO'
module example.com/tools

go 1.19
GO
	write_file tools/x.go <<'GO'
package tools

var last int

// Remember keeps a copy of n.
func Remember(n int) {
	c := n * 2
	last = c
}
GO
	commit_all "base"
	git checkout -q -b feature
	sed -i 's/^var last int$/var last *int/; s/last = c$/last = \&c/' tools/x.go
	commit_all "keep a pointer"
	eg diff --base main --head feature
	expect_status 1
	expect_line "tools/x.go:7:2: new escape in tools.Remember: moved to heap: c"
	expect_count ': new (escape|leak) in ' 1
	# Only the changed module's package was compiled: nothing of the outer
	# module is compared, so nothing is counted unchanged ...
	expect_summary 1 1 0 0 0
	# ... while a whole comparison finds Store, in the outer module, unchanged.
	eg diff --base main --head feature --full
	expect_status 1
	expect_summary 1 1 0 0 1

	eg diff --base main --head feature --format json
	expect_finding new escape example.com/tools Remember tools/x.go 7 2 "moved to heap: c"
}

# A go.work: each of its modules is listed and built in the workspace (one
# in a directory whose name has a space), and files are named from the root.
test_workspace() {
	export GOFLAGS=   # -mod=mod is refused in workspace mode
	new_repo
	write_file go.work <<'GO'
go 1.19

use (
	./app
	"./lib dir"
)
GO
	write_file app/go.mod <<'GO'
module example.com/app

go 1.19
GO
	write_file app/main.go <<'GO'
package main

var sink int

func main() {
	a := 1
	sink = a
}
GO
	write_file "lib dir/go.mod" <<'GO'
module example.com/lib

go 1.19
GO
	write_file "lib dir/x.go" <<'GO'
package lib

var last int

// Remember keeps a copy of n.
func Remember(n int) {
	c := n * 2
	last = c
}
GO
	commit_all "base"
	git checkout -q -b feature
	sed -i 's/^var last int$/var last *int/; s/last = c$/last = \&c/' "lib dir/x.go"
	sed -i 's/^var sink int$/var sink *int/; s/sink = a$/sink = \&a/' app/main.go
	commit_all "keep pointers"
	eg diff --base main --head feature --format json
	expect_status 1
	expect_finding new escape example.com/lib Remember "lib dir/x.go" 7 2 "moved to heap: c"
	expect_finding new escape example.com/app main app/main.go 6 2 "moved to heap: a"
	expect_json 'len(d["findings"])' 2
	eg diff --base main --head feature --full
	expect_status 1
	expect_summary 2 2 0 0 0
}

test_base_equals_head() {
	new_go_repo
	fixture_store
	fixture_point_pointer
	commit_all "base"
	eg diff --base main --head main
	expect_status 0
	expect_stdout_eq "escgate: 0 new (0 escapes, 0 leaks), 0 fixed, 2 unchanged"
	# Two names for one commit.
	eg diff --base HEAD --head main
	expect_status 0
	expect_stdout_eq "escgate: 0 new (0 escapes, 0 leaks), 0 fixed, 2 unchanged"
}

test_identical_verdicts_counted_separately() {
	new_go_repo
	write_file sub/show.go <<'GO'
package sub

import "fmt"

func Show(a int) {
	fmt.Println(a)
}
GO
	commit_all "base"
	git checkout -q -b feature
	sed -i '6a\
\	fmt.Println(a)' sub/show.go
	[ "$(sed -n 7p sub/show.go)" = $'\tfmt.Println(a)' ] || fail "fixture: sed did not add line 7"
	commit_all "print twice"
	eg diff --base main --head feature
	expect_status 1
	expect_block "sub/show.go:7:14: new escape in sub.Show: a escapes to heap" $'\tfmt.Println(a)'
	expect_no_line "sub/show.go:6:14: new escape in sub.Show: a escapes to heap"
	expect_count ': new (escape|leak) in ' 1
	expect_summary 1 1 0 0 1

	eg diff --base main --head feature --format json
	expect_json '[[f["line"], f["column"]] for f in d["findings"]]' '[[7, 14]]'
	expect_json_summary 1 0 1
}

test_worktree() {
	new_go_repo
	fixture_store
	fixture_point_value
	commit_all "base"
	# Uncommitted: an edit of a tracked file, a new untracked file, and a
	# tracked file deleted from the work tree.
	fixture_point_pointer
	write_file sub/extra.go <<'GO'
package sub

// Extra lives in a file that was never committed.
func Extra() *int {
	e := 3
	return &e
}
GO
	rm sub/keep.go
	local before
	before=$(git status --porcelain=v1 --untracked-files=all)
	eg diff --base main --worktree
	expect_status 1
	expect_line "sub/t.go:12:2: new escape in sub.NewPoint: moved to heap: p"
	expect_line "sub/extra.go:5:2: new escape in sub.Extra: moved to heap: e"
	expect_line "sub/keep.go:7:2: fixed escape in sub.Store: moved to heap: v"
	expect_count ': (new|fixed) (escape|leak) in ' 3
	expect_summary 2 2 0 1 0

	eg diff --base main --worktree --format json
	expect_json 'd["head"]' '{"rev": "worktree", "commit": null}'
	expect_json_summary 2 1 0

	# Without --worktree the head is HEAD: the uncommitted work is not seen.
	eg diff --base main
	expect_status 0
	expect_stdout_eq "escgate: 0 new (0 escapes, 0 leaks), 0 fixed, 1 unchanged"

	[ "$(git status --porcelain=v1 --untracked-files=all)" = "$before" ] ||
		fail "git status changed: $(git status --porcelain=v1 --untracked-files=all)"
}

test_tags_select_files() {
	new_go_repo
	fixture_store
	commit_all "base"
	git checkout -q -b feature
	write_file sub/special.go <<'GO'
//go:build special

package sub

// Special is only built with -tags special.
func Special() *int {
	s := 1
	return &s
}
GO
	commit_all "add a tagged file"
	eg diff --base main --head feature
	expect_status 0
	expect_stdout_eq "escgate: 0 new (0 escapes, 0 leaks), 0 fixed, 1 unchanged"
	eg diff --base main --head feature --tags special
	expect_status 1
	expect_line "sub/special.go:7:2: new escape in sub.Special: moved to heap: s"
	expect_summary 1 1 0 0 1
}

# Without --base: the merge base with main, not main's tip.
test_default_base_is_merge_base_with_main() {
	setup_point_branches
	git checkout -q main
	write_file sub/extra.go <<'GO'
package sub

// Extra came to main after feature branched off.
func Extra() *int {
	e := 3
	return &e
}
GO
	commit_all "main moves on"
	git checkout -q feature
	eg diff
	expect_status 1
	expect_contains "main" stderr
	expect_line "sub/t.go:12:2: new escape in sub.NewPoint: moved to heap: p"
	expect_count ': (new|fixed) (escape|leak) in ' 1
	expect_summary 1 1 0 0 1

	eg diff --format json
	expect_json 'd["base"]["commit"]' "\"$(git merge-base HEAD main)\""
	expect_json 'd["head"]' "{\"rev\": \"HEAD\", \"commit\": \"$(git_sha HEAD)\"}"
}

test_default_base_master() {
	new_go_repo
	git symbolic-ref HEAD refs/heads/master
	fixture_store
	fixture_point_value
	commit_all "base"
	git checkout -q -b feature
	fixture_point_pointer
	commit_all "NewPoint returns a pointer"
	eg diff
	expect_status 1
	expect_contains "master" stderr
	expect_summary 1 1 0 0 1
}

# With a remote: origin/HEAD (then origin/main) wins over a local main that
# already has the work.
test_default_base_prefers_origin() {
	new_go_repo upstream
	fixture_store
	fixture_point_value
	commit_all "base"
	git clone -q "$T/upstream" "$T/clone" || fail "git clone"
	REPO=$T/clone
	cd "$REPO" || fail "cd clone"
	git symbolic-ref -q refs/remotes/origin/HEAD >/dev/null || fail "fixture: clone has no origin/HEAD"
	fixture_point_pointer
	commit_all "local work on main"
	local upstream_sha
	upstream_sha=$(git_sha origin/main)

	eg diff
	expect_status 1
	expect_contains "origin/" stderr
	expect_line "sub/t.go:12:2: new escape in sub.NewPoint: moved to heap: p"
	expect_summary 1 1 0 0 1
	eg diff --format json
	expect_json 'd["base"]["commit"]' "\"$upstream_sha\""

	git remote set-head origin -d || fail "git remote set-head -d"
	eg diff
	expect_status 1
	expect_contains "origin/main" stderr
	expect_summary 1 1 0 0 1
}

run_tests
