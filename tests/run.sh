#!/usr/bin/env bash
# Runs every unit suite and end-to-end script, then prints the one summary
# line CI reads: "N passed, N failed". Exits nonzero on any failure.
# Usage: tests/run.sh UNIT_BINARY... [-- E2E_SCRIPT...]
set -u
here=$(cd "$(dirname "$0")" && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0

run_one() {
	local name=$1 out rc; shift
	out=$(mktemp)
	"$@" >"$out" 2>&1
	rc=$?
	cat "$out"; cat "$out" >>"$log"
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

passed=$(grep -c '^PASS: ' "$log")
failed=$(grep -c '^FAIL: ' "$log")
[ "$failed" -eq 0 ] || status=1
[ "$passed" -gt 0 ] || status=1
echo "$passed passed, $failed failed"
exit $status
