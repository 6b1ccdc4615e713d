#!/usr/bin/env bash
# Runs every unit suite and end-to-end script, then prints the one summary
# line CI reads: "N passed, N failed". Exits nonzero on any failure.
# Usage: tests/run.sh UNIT_BINARY... [-- E2E_SCRIPT...]
#
# ESCGATE_SANITIZER_LOGS: a directory where sanitizers or valgrind write
# their reports (make check SANITIZE=1, make check-valgrind). Each report
# there is one failure, whatever the test that caused it concluded.
set -u
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

run_one() {
	local name=$1 out rc t0=$SECONDS; shift
	out=$(mktemp)
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"; cat "$out" >>"$log"
	# not a result line: a budget for CI's time is kept with these
	echo "# $name: $((SECONDS - t0)) s"
	# A suite that dies without reporting a failure must still count as one.
	if [ $rc -ne 0 ] && ! grep -q '^FAIL: ' "$out"; then
		echo "FAIL: $name: exited with status $rc" | tee -a "$log"
	fi
	rm -f "$out"
}

mode=unit
for t in "$@"; do
	if [ "$t" = -- ]; then mode=e2e; continue; fi
	if [ "$mode" = unit ]; then
		run_one "$(basename "$t")" "$t"
	else
		run_one "$(basename "$t" .sh)" bash "$t"
	fi
done

if [ -n "${ESCGATE_SANITIZER_LOGS:-}" ]; then
	reports=$(find "$ESCGATE_SANITIZER_LOGS" -type f -size +0c 2>/dev/null | sort)
	if [ -z "$reports" ]; then
		echo "PASS: sanitizers: no reports in $ESCGATE_SANITIZER_LOGS" | tee -a "$log"
	fi
	for r in $reports; do
		what=$(grep -m1 -E 'ERROR|runtime error|SUMMARY|Invalid|uninitialised|definitely lost|indirectly lost' "$r")
		echo "FAIL: sanitizers: $(basename "$r"): ${what:-see the report}" | tee -a "$log"
		head -n 60 "$r" | sed 's/^/  | /'
	done
fi

passed=$(grep -c '^PASS: ' "$log")
failed=$(grep -c '^FAIL: ' "$log")
[ "$failed" -eq 0 ] || status=1
[ "$passed" -gt 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
