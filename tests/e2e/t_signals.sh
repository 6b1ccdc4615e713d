#!/usr/bin/env bash
# Interrupted mid-build: the go command and everything it started are
# stopped, temporary trees removed, the exit status is 128+signal, and the
# store is left so that the next run gives the right answer.
. "$(dirname "$0")/lib.sh"

# slow_go: the real go, but `go build` first waits, so a signal lands mid-build.
# Its sleep is tagged so the test can tell whether it outlived escgate.
slow_go() {
	local real
	real=$(command -v go)
	SLEEP_TAG="97.$$$RANDOM"
	cat >"$T/slowgo" <<SH
#!/usr/bin/env bash
if [ "\$1" = build ]; then : >"$T/building"; sleep $SLEEP_TAG; fi
exec "$real" "\$@"
SH
	chmod +x "$T/slowgo"
}

# interrupt SIGNAL: runs a diff with the slow go and sends SIGNAL mid-build.
interrupt() {
	local sig=$1 i
	mkdir -p "$T/tmp"
	rm -f "$T/building"
	TMPDIR=$T/tmp "$ESCGATE" -C "$REPO" diff --base main --head feature --go "$T/slowgo" \
		</dev/null >"$T/stdout" 2>"$T/stderr" &
	local pid=$!
	for i in $(seq 1 600); do
		[ -e "$T/building" ] && break
		sleep 0.1
	done
	[ -e "$T/building" ] || fail "the build never started"
	kill "-$sig" "$pid"
	wait "$pid"
	RC=$?
	ERR=$(cat "$T/stderr")
}

expect_cleaned_up() {
	local left
	left=$(ls -A "$T/tmp")
	[ -z "$left" ] || fail "left behind in TMPDIR: $left"
	if pgrep -f "sleep $SLEEP_TAG" >/dev/null; then
		pkill -f "sleep $SLEEP_TAG"
		fail "the build's children outlived escgate"
	fi
}

test_sigint_mid_build() {
	setup_mixed_branches
	slow_go
	interrupt INT
	expect_status 130
	expect_stderr_line "^escgate: interrupted by signal 2$"
	expect_cleaned_up
	# nothing half-recorded: a normal run afterwards gives the full answer
	eg diff --base main --head feature
	expect_status 1
	expect_summary 5 4 1 1 1
}

test_sigterm_mid_build() {
	setup_mixed_branches
	slow_go
	interrupt TERM
	expect_status 143
	expect_cleaned_up
	eg diff --base main --head feature
	expect_status 1
}

run_tests
