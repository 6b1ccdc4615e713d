#!/usr/bin/env bash
# The benchmark's generator (bench/gen): the same flags give the same
# repository, commit for commit; the heads are the one-line changes the
# benchmark is about; the repository builds. The benchmark itself (make
# bench) is not run here: it takes minutes.
_bench_user_gocache=${GOCACHE:-}
. "$(dirname "$0")/lib.sh"

# The generator and the generated packages are built with the user's Go
# build cache, not the suite's fresh one: these tests are about the
# generator's output, and a cold standard library would cost half a minute.
BENCH_GOCACHE=${_bench_user_gocache:-$(GOCACHE= go env GOCACHE 2>/dev/null)}
[ -n "$BENCH_GOCACHE" ] || BENCH_GOCACHE=$GOCACHE

# gen_bin: builds the generator once per script, into $E2E_TMP.
gen_bin() {
	GEN=$E2E_TMP/bench-gen
	[ -x "$GEN" ] && return 0
	(cd "$TOP/bench/gen" && GOCACHE=$BENCH_GOCACHE go build -o "$GEN" .) >"$T/gen-build.out" 2>&1 ||
		fail "building bench/gen failed: $(cat "$T/gen-build.out")"
}

# gen ARGS...: runs the generator.
gen() {
	gen_bin
	"$GEN" "$@" >"$T/gen.out" 2>&1 || fail "gen $* failed: $(cat "$T/gen.out")"
}

# refs DIR: every branch and its commit.
refs() { git -C "$1" for-each-ref --format='%(refname) %(objectname)' refs/heads; }

test_gen_deterministic() {
	gen -out "$T/a" -packages 12 -seed 7 -manifest "$T/a.json"
	gen -out "$T/b" -packages 12 -seed 7 -manifest "$T/b.json"
	refs "$T/a" >"$T/a.refs"
	refs "$T/b" >"$T/b.refs"
	[ "$(wc -l <"$T/a.refs")" = 4 ] || fail "want 4 branches, have: $(cat "$T/a.refs")"
	cmp -s "$T/a.refs" "$T/b.refs" || fail "two generations differ: $(diff "$T/a.refs" "$T/b.refs")"
	cmp -s "$T/a.json" "$T/b.json" || fail "manifests differ: $(diff "$T/a.json" "$T/b.json")"
	grep -q "\"base\": \"$(git -C "$T/a" rev-parse main)\"" "$T/a.json" ||
		fail "the manifest does not name main's commit"
	[ -z "$(git -C "$T/a" status --porcelain)" ] || fail "work tree not clean"
	[ "$(git -C "$T/a" rev-parse --abbrev-ref HEAD)" = main ] || fail "main is not checked out"
	# another seed, another repository
	gen -out "$T/c" -packages 12 -seed 8 -manifest "$T/c.json"
	[ "$(git -C "$T/a" rev-parse main)" != "$(git -C "$T/c" rev-parse main)" ] ||
		fail "seeds 7 and 8 gave the same repository"
}

test_gen_heads_are_one_line_changes() {
	gen -out "$T/r" -packages 12 -seed 1 -manifest "$T/m.json"
	local leaf hub
	leaf=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["leaf"]["file"])' "$T/m.json")
	hub=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["hub"]["file"])' "$T/m.json")
	[ "$(git -C "$T/r" diff --numstat main head-leaf)" = "1	1	$leaf" ] ||
		fail "head-leaf: $(git -C "$T/r" diff --numstat main head-leaf)"
	[ "$(git -C "$T/r" diff --numstat main head-hub)" = "1	1	$hub" ] ||
		fail "head-hub: $(git -C "$T/r" diff --numstat main head-hub)"
	[ "$(git -C "$T/r" diff --numstat main head-gomod)" = "1	1	go.mod" ] ||
		fail "head-gomod: $(git -C "$T/r" diff --numstat main head-gomod)"
	git -C "$T/r" diff main head-leaf | grep -qx '+	sink = &x' || fail "head-leaf does not add the escape"
	[ "$leaf" != "$hub" ] || fail "leaf and hub are the same package"
	# the leaf imports nothing from the repository; the hub is imported the most
	! grep -q '"example.com/benchrepo/' "$T/r/$leaf" || fail "the leaf imports from the repository"
}

test_gen_builds_with_escapes() {
	gen -out "$T/r" -packages 12 -seed 3 -manifest "$T/m.json"
	local head
	for head in main head-leaf head-hub head-gomod; do
		git -C "$T/r" checkout -q "$head" || fail "checkout $head"
		(cd "$T/r" && GOCACHE=$BENCH_GOCACHE go build -gcflags=-m ./... >"$T/m.out" 2>&1) ||
			fail "$head does not build: $(head -n 5 "$T/m.out")"
	done
	grep -q 'moved to heap' "$T/m.out" || fail "no 'moved to heap' verdicts"
	grep -q 'escapes to heap' "$T/m.out" || fail "no 'escapes to heap' verdicts"
	grep -q 'leaking param' "$T/m.out" || fail "no 'leaking param' verdicts"
	grep -q 'does not escape' "$T/m.out" || fail "no 'does not escape' verdicts"
}

test_gen_dense_deterministic() {
	gen -out "$T/a" -findings 500 -seed 2 -manifest "$T/a.json"
	gen -out "$T/b" -findings 500 -seed 2 -manifest "$T/b.json"
	cmp -s "$T/a.json" "$T/b.json" || fail "manifests differ: $(diff "$T/a.json" "$T/b.json")"
	[ "$(git -C "$T/a" rev-parse main)" = "$(git -C "$T/b" rev-parse main)" ] || fail "commits differ"
	grep -q '"mode": "findings"' "$T/a.json" || fail "not the findings mode: $(cat "$T/a.json")"
}

test_gen_refuses_nonempty_out() {
	gen_bin
	mkdir -p "$T/full" && : >"$T/full/x"
	"$GEN" -out "$T/full" >"$T/gen.out" 2>&1 && fail "wrote into a non-empty directory"
	grep -q 'not empty' "$T/gen.out" || fail "no message: $(cat "$T/gen.out")"
	[ "$(ls "$T/full")" = x ] || fail "the directory changed"
}

test_bench_scripts_parse() {
	bash -n "$TOP/bench/naive.sh" || fail "bench/naive.sh does not parse"
	"$PY" -c 'import ast,sys; ast.parse(open(sys.argv[1]).read())' "$TOP/bench/bench.py" ||
		fail "bench/bench.py does not parse"
}

run_tests
