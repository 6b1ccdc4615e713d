#!/usr/bin/env bash
# Runs each libFuzzer target for FUZZ_SECONDS (default 20) from its
# committed corpus, then prints "N passed, N failed" like tests/run.sh.
# New inputs go to BUILD_DIR/corpus/TARGET (not committed); a crashing
# input is saved as BUILD_DIR/artifacts/TARGET-crash-*: copy it into
# tests/fuzz/corpus/TARGET/ as crash-WHAT, fix the bug, and `make check`
# replays it from then on.
# Usage: tests/fuzz/run.sh BUILD_DIR TARGET...
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bindir=$1
shift
seconds=${FUZZ_SECONDS:-20}
passed=0 failed=0
mkdir -p "$bindir/artifacts"
for t in "$@"; do
	work=$bindir/corpus/$t
	log=$bindir/$t.log
	mkdir -p "$work"
	"$bindir/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$bindir/artifacts/$t-" \
		"$work" "$top/tests/fuzz/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "PASS: fuzz:$t (${runs:-?} inputs in ${seconds}s)"
		passed=$((passed + 1))
	else
		echo "FAIL: fuzz:$t: exit status $rc; saved: $(ls "$bindir/artifacts" | grep "^$t-" | tr '\n' ' ')"
		grep -E -A 30 '==ERROR|runtime error|invariant broken|Test unit written|ERROR: libFuzzer' "$log" |
			head -n 60 | sed 's/^/  | /'
		failed=$((failed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ $failed -eq 0 ] && [ $passed -gt 0 ]
