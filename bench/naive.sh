#!/usr/bin/env bash
# The script a user would write instead of escgate, as escgate's benchmark
# runs it: a worktree for the base and one for the head, the compiler's
# escape analysis over every package of each, and a diff of the sorted
# verdict lines.
#
#   bench/naive.sh REPO BASE HEAD WORKDIR
#
# The worktrees are always WORKDIR/base and WORKDIR/head, so that running
# the script again finds the Go build cache warm, as it would for a user
# whose script keeps its paths. Exits 0 (same verdicts), 1 (they differ) or
# 3 (git or go failed). The diff is left in WORKDIR/diff.txt.
set -u
repo=$1 base=$2 head=$3 w=$4

git -C "$repo" worktree add -q --detach "$w/base" "$base" || exit 3
git -C "$repo" worktree add -q --detach "$w/head" "$head" || exit 3
status=0
for side in base head; do
	(cd "$w/$side" && go build -gcflags=-m=2 ./... 2>&1) |
		grep -E 'moved to heap|escapes to heap|leaking param' | sort >"$w/$side.txt"
	[ "${PIPESTATUS[0]}" -eq 0 ] || status=3
done
diff "$w/base.txt" "$w/head.txt" >"$w/diff.txt"
rc=$?
git -C "$repo" worktree remove --force "$w/base"
git -C "$repo" worktree remove --force "$w/head"
[ $status -eq 0 ] || exit $status
exit $rc
