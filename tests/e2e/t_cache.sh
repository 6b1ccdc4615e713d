#!/usr/bin/env bash
# Caches must not change answers: a warm Go build cache (where the compiler
# does not run and its -m text is replayed) and a warm store give the same
# bytes as cold ones. And the user's repository is left exactly as it was.
. "$(dirname "$0")/lib.sh"

# run_saved NAME ARGS...: runs escgate (eg) with GOCACHE and ESCGATE_STORE as
# given in the environment, saves stdout as NAME and exit status as NAME.rc.
run_saved() {
	local name=$1; shift
	eg "$@"
	save_output "$name"
	echo "$RC" >"$T/$name.rc"
}

test_warm_rerun_identical() {
	setup_mixed_branches
	run_saved text1 diff --base main --head feature
	expect_status 1
	expect_summary 5 4 1 1 1
	run_saved text2 diff --base main --head feature
	expect_status 1
	expect_same_file text1 text2
	run_saved json1 diff --base main --head feature --format json
	expect_status 1
	expect_json_summary 5 1 1
	run_saved json2 diff --base main --head feature --format json
	expect_status 1
	expect_same_file json1 json2
	run_saved scan1 scan feature
	run_saved scan2 scan feature
	expect_same_file scan1 scan2
	expect_same_file scan1.rc scan2.rc
}

test_cold_vs_warm_identical() {
	setup_mixed_branches
	local fmt
	for fmt in text json; do
		# Cold Go cache, empty store.
		GOCACHE=$T/gocache-$fmt-1 ESCGATE_STORE=$T/store-$fmt-1.db \
			run_saved $fmt-cold diff --base main --head feature --format $fmt
		expect_status 1
		# Both warm.
		GOCACHE=$T/gocache-$fmt-1 ESCGATE_STORE=$T/store-$fmt-1.db \
			run_saved $fmt-warm diff --base main --head feature --format $fmt
		expect_status 1
		expect_same_file $fmt-cold $fmt-warm
		# Warm Go cache, empty store: the compiler's output is replayed.
		GOCACHE=$T/gocache-$fmt-1 ESCGATE_STORE=$T/store-$fmt-2.db \
			run_saved $fmt-warmcache diff --base main --head feature --format $fmt
		expect_status 1
		expect_same_file $fmt-cold $fmt-warmcache
		# Cold Go cache, warm store.
		GOCACHE=$T/gocache-$fmt-2 ESCGATE_STORE=$T/store-$fmt-1.db \
			run_saved $fmt-warmstore diff --base main --head feature --format $fmt
		expect_status 1
		expect_same_file $fmt-cold $fmt-warmstore
	done
	expect_json_summary 5 1 1
	# A warm cache filled by analysing other revisions first.
	GOCACHE=$T/gocache-other ESCGATE_STORE=$T/store-other.db \
		run_saved other1 diff --base feature --head main
	expect_status 1
	GOCACHE=$T/gocache-other ESCGATE_STORE=$T/store-other.db \
		run_saved text-other diff --base main --head feature
	expect_same_file text-cold text-other
}

test_repo_untouched() {
	setup_mixed_branches
	git checkout -q -b broken main
	write_file sub/broken.go <<'GO'
package sub

func Broken() int { return undefinedThing }
GO
	commit_all "does not compile"
	git checkout -q feature
	# A lived-in repository: a stash, a staged change, an unstaged change, an
	# untracked file and an ignored one, a tag, a detached worktree-free state.
	echo "// stashed" >>sub/keep.go
	git stash -q || fail "git stash"
	git tag v1 main
	printf '/ignored.txt\n' >.gitignore
	git add .gitignore
	echo "// staged" >>sub/t.go
	git add sub/t.go
	echo "// unstaged" >>sub/extra.go
	echo "scratch" >notes.txt
	echo "ignored" >ignored.txt
	git update-index -q --refresh
	sleep 1 # so that any rewrite of the index shows in its mtime as well

	# The default store (.git/escgate/store.db) is used: it lives in .git.
	unset ESCGATE_STORE
	snapshot_repo "$T/before"
	eg diff --base main --head feature
	expect_status 1
	eg diff --base main --worktree --format json
	expect_status 1
	eg diff
	expect_status_in "0 1"
	eg scan
	expect_status_in "0 1"
	eg scan --worktree
	expect_status_in "0 1"
	eg diff --base main --head broken
	expect_status 3
	eg diff --base main --head no-such-rev
	expect_status 2
	snapshot_repo "$T/after"
	cmp -s "$T/before" "$T/after" ||
		fail "repository changed: $(diff "$T/before" "$T/after" | head -n 8)"
	[ -e "$REPO/.git/escgate/store.db" ] || fail "default store .git/escgate/store.db was not created"
}

test_temp_files_removed() {
	setup_mixed_branches
	mkdir -p "$T/tmp"
	TMPDIR=$T/tmp eg diff --base main --head feature
	expect_status 1
	TMPDIR=$T/tmp eg diff --base main --worktree
	expect_status 1
	TMPDIR=$T/tmp eg diff --base main --head no-such-rev
	expect_status 2
	local left
	left=$(ls -A "$T/tmp")
	[ -z "$left" ] || fail "left behind in TMPDIR: $left"
}

# Without a TMPDIR the trees go to memory (/dev/shm) when it is a tmpfs with
# 2 GiB free, else to /tmp; either way they are gone afterwards.
test_scratch_space_without_tmpdir() {
	setup_mixed_branches
	local real want got
	real=$(command -v go)
	cat >"$T/wherego" <<SH
#!/usr/bin/env bash
[ "\$1" = build ] && echo "\$PWD" >>"$T/where"
exec "$real" "\$@"
SH
	chmod +x "$T/wherego"
	want=/tmp/escgate-
	if [ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && [ -w /dev/shm ] &&
		[ $(($(stat -f -c '%a * %S' /dev/shm) >> 30)) -ge 2 ]; then
		want=/dev/shm/escgate-
	fi
	# an empty TMPDIR counts as none, for escgate as for go
	TMPDIR= eg diff --base main --head feature --go "$T/wherego"
	expect_status 1
	[ -s "$T/where" ] || fail "go build was not run"
	while read -r got; do
		case $got in
		"$want"*) ;;
		*) fail "built in '$got', want a tree under $want" ;;
		esac
		local top=${got#"$want"}
		top=$want${top%%/*}
		[ ! -e "$top" ] || fail "left behind: $top"
	done <"$T/where"
}

run_tests
