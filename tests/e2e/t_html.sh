#!/usr/bin/env bash
# The html report and `escgate history`: what the files hold, and what a
# reader sees when headless Chromium loads them (tests/node/check-html.js,
# through playwright-core: Debian's chromium, no browser download).
. "$(dirname "$0")/lib.sh"

NODE_DIR=$TOP/tests/node
CHROMIUM=${ESCGATE_CHROMIUM:-/usr/bin/chromium}
export ESCGATE_CHROMIUM=$CHROMIUM

# py_html FILE CODE: python CODE sees `text` (FILE as UTF-8); it prints a
# reason and exits nonzero to fail the test.
py_html() {
	[ -n "$PY" ] || fail "python3 not found"
	local msg
	msg=$("$PY" -c '
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
'"$2" "$1" 2>&1) || fail "$(basename "$1"): $msg"
}

# A page fetches nothing: no URL, no src, no stylesheet or font from outside
# (in its markup: text from the repository is escaped, so it has no tags).
SELF_CONTAINED='
if not text.startswith("<!DOCTYPE html>\n"): print("no doctype first"); sys.exit(1)
if "Content-Security-Policy\" content=\"default-src '"'none'"'" not in text: print("no policy"); sys.exit(1)
for tag in re.findall(r"<[^>]*>", text):
    bare = re.sub(r"\"[^\"]*\"", "\"\"", tag)
    if " src=" in bare or "stylesheet" in tag: print("refers outside: %s" % tag); sys.exit(1)
    for href in re.findall(r" href=\"([^\"]*)\"", tag):
        if not (href.startswith("#") or href.startswith("data:")): print("refers outside: %s" % tag); sys.exit(1)
for bad in ("@import", "@font-face", "url(http", "url(//"):
    if bad in text: print("refers outside: %s" % bad); sys.exit(1)
'

# need_browser: Chromium and playwright-core are there (npm ci on first
# use). Without Chromium the test is skipped only where it cannot be
# installed (not root); CI runs as root and .ci/run installs it.
need_browser() {
	if [ ! -x "$CHROMIUM" ]; then
		[ "$(id -u)" = 0 ] &&
			fail "chromium not installed at $CHROMIUM (Debian: apt-get install chromium; .ci/run does)"
		skip "chromium not installed: $CHROMIUM missing and not root to apt-get install chromium"
	fi
	command -v node >/dev/null 2>&1 || fail "node not found (Debian: apt-get install nodejs npm)"
	if [ ! -e "$NODE_DIR/node_modules/playwright-core/package.json" ] ||
		[ "$NODE_DIR/package-lock.json" -nt "$NODE_DIR/node_modules/.package-lock.json" ]; then
		command -v npm >/dev/null 2>&1 || fail "npm not found: needed to install tests/node"
		(cd "$NODE_DIR" && npm ci --no-audit --no-fund --ignore-scripts) >"$T/npm.log" 2>&1 ||
			fail "npm ci in tests/node failed: $(tail -n 5 "$T/npm.log")"
	fi
}

# browse MODE FILE [ARGS...]: the page's facts as JSON on $T/stdout, for expect_json.
browse() {
	E2E_LAST_CMD="node check-html.js $*"
	node "$NODE_DIR/check-html.js" "$@" >"$T/stdout" 2>"$T/stderr"
	RC=$?
	OUT=$(cat "$T/stdout"; printf x); OUT=${OUT%x}
	ERR=$(cat "$T/stderr"; printf x); ERR=${ERR%x}
	[ "$RC" = 0 ] || fail "check-html.js $1 failed: $(tail -n 3 "$T/stderr")"
	expect_json 'd["errors"]' '[]'
	expect_json 'd["requests"]' '[]'
	expect_json 'd["dialogs"]' '[]'
}

# The crafted file name of fixture_hostile_name, as the page must show it.
HOSTILE='sub/x<img src=x onerror=alert(1)>&y.go'

# feature adds $HOSTILE, whose string literal tries to end the script and
# carries a right-to-left override (U+202E): s is moved to the heap at 7:2.
setup_hostile_name() {
	new_go_repo
	fixture_store
	commit_all "base"
	git checkout -q -b feature
	printf 'package sub\n\nvar sinkS *string\n\n// Tag keeps a string on the heap.\nfunc Tag() {\n\ts := "</script><script>alert(2)</script><b>bold</b>\xe2\x80\xae"\n\tsinkS = &s\n}\n' \
		>"$HOSTILE" || fail "cannot write $HOSTILE"
	commit_all "feature: <b>hostile</b> name"
}

# --- the report, as a file ----------------------------------------------------------

test_html_report_of_the_demo() {
	bash "$TOP/demo/make-demo.sh" "$T/demo" >/dev/null 2>&1 || fail "make-demo.sh failed"
	REPO=$T/demo
	eg diff --base main --head feature --format html="$T/r.html" --format text
	expect_status 1
	expect_summary 2 1 1 0 0
	[ -s "$T/r.html" ] || fail "no html report written"
	py_html "$T/r.html" "$SELF_CONTAINED"
	py_html "$T/r.html" '
lens = re.findall(r"<tr class=\"lens new\" id=\"f\d+\" data-status=\"new\" data-kind=\"(\w+)\" data-line=\"(\d+)\"", text)
if sorted(lens) != [("escape", "14"), ("leak", "13")]: print("lenses: %r" % lens); sys.exit(1)
for want in ("gate: fail", "<b>2</b> new", "<b>0</b> fixed", "<b>0</b> suppressed", "go1.", "linux/", "greet/greet.go",
             "new escape</span> <span class=\"msg\">([]byte)(&quot;hello, &quot; + name) escapes to heap",
             "new leak</span> <span class=\"msg\">leaking param: w", "<code>example.com/demo/greet</code>",
             "id=\"v0-L14\"", "href=\"#v0-L14\"", "<details class=\"flow\">"):
    if want not in text: print("lacks: %s" % want); sys.exit(1)
'
}

test_html_new_fixed_and_packages() {
	setup_mixed_branches
	eg diff --base main --head feature --format html="$T/r.html"
	expect_status 1
	py_html "$T/r.html" '
def need(s):
    if s not in text: print("lacks: %s" % s); sys.exit(1)
need("<b>5</b> new"); need("<b>1</b> fixed"); need("<b>1</b> unchanged")
# the fixed finding is drawn in the base'"'"'s source, the new ones in the head'"'"'s
sec = re.findall(r"<section class=\"file\" id=\"(v\d+)\" data-path=\"([^\"]*)\">\n<h3><code class=\"path\">[^<]*</code><span class=\"side\">at (base|head) ", text)
if [(p, s) for _, p, s in sec] != [("sub/extra.go", "head"), ("sub/t.go", "base"), ("sub/w.go", "head")]:
    print("sections: %r" % sec); sys.exit(1)
m = re.search(r"<tr class=\"lens fixed\"[^>]*data-line=\"12\">.*?</tr>\n<tr class=\"line fixed\" id=\"v1-L12\" data-line=\"12\"><td class=\"ln\"><a href=\"#v1-L12\">12</a></td><td class=\"src\">\tp := Point\{X: x, Y: y\}</td>", text)
if not m: print("no fixed lens above base line 12"); sys.exit(1)
# the unchanged Store is not drawn, but counted per package
if "keep.go" in text: print("unchanged finding drawn"); sys.exit(1)
need("<tr><td><code>example.com/m/sub</code></td><td class=\"num\">2</td><td class=\"num\">5</td><td class=\"num up\">+3</td><td class=\"num\">0</td><td class=\"num\">1</td><td class=\"num up\">+1</td></tr>")
'
}

test_html_escapes_everything_from_the_repository() {
	setup_hostile_name
	eg diff --base main --head feature --format html="$T/r.html"
	expect_status 1
	py_html "$T/r.html" "$SELF_CONTAINED"
	py_html "$T/r.html" '
for bad in ("<img", "<b>bold", "<script>alert", "</script><", "\u202e"):
    if bad in text: print("unescaped: %r" % bad); sys.exit(1)
if text.count("<script>") != 1: print("%d script elements" % text.count("<script>")); sys.exit(1)
for want in ("sub/x&lt;img src=x onerror=alert(1)&gt;&amp;y.go", "&lt;/script&gt;&lt;script&gt;alert(2)",
             "<span class=\"ctl\">\\u202E</span>"):
    if want not in text: print("lacks: %s" % want); sys.exit(1)
'
}

test_html_worktree_source() {
	setup_mixed_branches
	git checkout -q main
	printf '\nfunc Fresh() *int {\n\tf := 9 // only on disk\n\treturn &f\n}\n' >>sub/keep.go
	eg diff --base main --worktree --format html="$T/r.html"
	expect_status 1
	py_html "$T/r.html" '
if "in the working tree" not in text: print("side not named"); sys.exit(1)
if not re.search(r"<tr class=\"line new\" id=\"v\d+-L12\" data-line=\"12\">.*<td class=\"src\">\tf := 9 // only on disk</td>", text):
    print("the working tree line is not shown as new"); sys.exit(1)
'
}

test_html_scan() {
	setup_mixed_branches
	eg scan feature --format html="$T/s.html"
	expect_status 0
	py_html "$T/s.html" "$SELF_CONTAINED"
	py_html "$T/s.html" '
if "id=\"verdict\"" in text: print("a scan has no verdict"); sys.exit(1)
if text.count("class=\"lens present\"") != 6: print("%d present lenses" % text.count("class=\"lens present\"")); sys.exit(1)
if "<b>6</b> findings" not in text: print("no count"); sys.exit(1)
'
}

test_html_suppressed() {
	setup_mixed_branches
	sed -i 's|^\te := 3$|\t//escgate:allow e is <i>meant</i> for the caller\n\te := 3|' sub/extra.go
	commit_all "feature: Extra's escape allowed"
	eg diff --base main --head feature --format html="$T/r.html"
	expect_status 1
	py_html "$T/r.html" '
for want in ("<b>4</b> new", "<b>1</b> suppressed", "<span class=\"tag\">suppressed escape</span>",
             "allowed: e is &lt;i&gt;meant&lt;/i&gt; for the caller"):
    if want not in text: print("lacks: %s" % want); sys.exit(1)
if not re.search(r"<tr class=\"line suppressed\" id=\"v0-L6\" data-line=\"6\">.*<td class=\"src\">\te := 3</td>", text):
    print("the suppressed line is not marked"); sys.exit(1)
'
}

test_html_usage() {
	setup_mixed_branches
	eg diff --base main --head feature --format html=
	expect_status 2
	expect_contains "needs a file name" stderr
	# to stdout, like every format
	eg diff --base main --head feature --format html -q
	expect_status 1
	expect_contains "<!DOCTYPE html>"
	expect_last_line "</html>"
}

# --- the report, in a browser -----------------------------------------------------

test_html_browser_demo() {
	need_browser
	bash "$TOP/demo/make-demo.sh" "$T/demo" >/dev/null 2>&1 || fail "make-demo.sh failed"
	REPO=$T/demo
	eg diff --base main --head feature --format html="$T/r.html"
	expect_status 1
	browse report "$T/r.html"
	expect_json 'd["verdict"].startswith("gate: fail")' true
	expect_json 'd["counts"]' '["2 new", "0 fixed", "0 unchanged", "0 suppressed"]'
	expect_json 'd["controlsShown"]' true
	# the escape's lens is drawn right above line 14, which is marked new
	expect_json '[[l["line"], l["annotates"], l["above"], l["visible"]] for l in d["lenses"] if l["kind"] == "escape"]' \
		'[[14, 14, true, true]]'
	expect_json '[l["annotatedClass"] for l in d["lenses"]]' '["line new", "line new"]'
	expect_json '[l["text"].split(" in ")[0] for l in d["lenses"]]' \
		'["new leak leaking param: w", "new escape ([]byte)(\"hello, \" + name) escapes to heap"]'
	expect_json '[l["annotatedText"].strip() for l in d["lenses"] if l["kind"] == "escape"]' \
		'["w.Write([]byte(\"hello, \" + name))"]'
	# a flow is folded until clicked; then its steps show, and a step scrolls to its line
	expect_json 'd["newFlow"]["visibleBefore"]' false
	expect_json 'd["newFlow"]["open"]' true
	expect_json '[s["visible"] for s in d["newFlow"]["steps"]]' '[true, true]'
	expect_json 'd["newFlow"]["steps"][1]["text"]' '"from w.Write(([]byte)(\"hello, \" + name)) (call parameter) at greet/greet.go:14:9"'
	expect_json 'd["newFlow"]["clicked"]' '{"hash": "#v0-L14", "found": true, "line": 14, "inView": true, "highlighted": true}'
	expect_json 'd["packages"]' '[["example.com/demo/greet", "0", "1", "+1", "0", "1", "+1"], ["total", "0", "1", "+1", "0", "1", "+1"]]'
}

test_html_browser_fixed_and_hostile_name() {
	need_browser
	setup_hostile_name
	# the fixed side as well: feature also drops Store's escape
	sed -i 's/^\tsink = &v$/\t_ = v/' sub/keep.go
	commit_all "feature: Store keeps nothing"
	eg diff --base main --head feature --format html="$T/r.html"
	expect_status 1
	browse report "$T/r.html"
	# the crafted name is text: no element was made from it, no script ran
	expect_json 'd["paths"]' "[$(json_str "sub/keep.go"), $(json_str "$HOSTILE")]"
	expect_json 'd["elements"]["img"]' 0
	expect_json 'd["elements"]["b"]' 0
	expect_json 'd["elements"]["scripts"]' 1
	expect_json 'd["elements"]["ctl"]' '["\\u202E"]'
	expect_json '[[l["status"], l["line"], l["annotates"], l["above"], l["path"]] for l in d["lenses"]]' \
		"[[\"fixed\", 7, 7, true, \"sub/keep.go\"], [\"new\", 7, 7, true, $(json_str "$HOSTILE")]]"
	expect_json '[l["annotatedClass"] for l in d["lenses"]]' '["line fixed", "line new"]'
	expect_json 'd["sides"][0].startswith("at base main")' true
	expect_json 'd["fixedFlow"]["open"] and d["fixedFlow"]["clicked"]["found"] and d["fixedFlow"]["clicked"]["inView"]' true
	expect_json 'd["newFlow"]["clicked"]["line"]' 8
}

test_html_browser_without_javascript() {
	need_browser
	setup_mixed_branches
	eg diff --base main --head feature --format html="$T/r.html"
	expect_status 1
	browse report "$T/r.html" --no-js
	# the buttons need the script and stay hidden; flows and links do not
	expect_json 'd["controlsShown"]' false
	expect_json 'len(d["lenses"])' 6
	expect_json 'all(l["above"] and l["visible"] for l in d["lenses"])' true
	expect_json 'd["newFlow"]["open"]' true
	expect_json 'all(s["visible"] for s in d["newFlow"]["steps"])' true
	expect_json 'd["newFlow"]["clicked"]["found"] and d["newFlow"]["clicked"]["inView"]' true
}

# --- history ------------------------------------------------------------------------

# main: 1 README only (no module: a gap), 2 Store (1 escape), 3 NewPoint (2),
# 4 a compile error (a gap), 5 the error fixed, plus a leak (2 escapes, 1 leak).
setup_history() {
	new_repo
	echo "# notes" >README
	commit_all "readme only"
	printf 'module example.com/m\n\ngo 1.19\n' >go.mod
	fixture_store
	commit_all "sub: Store"
	fixture_point_pointer
	commit_all "sub: NewPoint <b>returns</b> a pointer"
	printf 'package sub\n\nfunc Broken() { undefined() }\n' >sub/broken.go
	commit_all "sub: broken"
	printf 'package sub\n\nfunc Keep(p *int) *int { return p }\n' >sub/broken.go
	commit_all "=sub: Keep, a leak"
}

# A go command that logs where it is asked to build (the tree's directory
# is named after the commit), then runs the real one.
write_go_logger() {
	local real
	real=$(command -v go) || fail "go not found"
	printf '#!/bin/sh\n[ "$1" = build ] && echo "build in $PWD" >>"%s"\nexec "%s" "$@"\n' \
		"$T/go.log" "$real" >"$T/go"
	chmod +x "$T/go"
}

test_history_csv_gaps_and_progress() {
	setup_history
	eg history
	expect_status 0
	local c=()
	mapfile -t c < <(git rev-list --first-parent --reverse HEAD)
	expect_block \
		"commit,date,subject,status,escapes,leaks,escapes example.com/m/sub,leaks example.com/m/sub"$'\r' \
		"${c[0]},2024-01-01T00:01:00Z,readme only,gap,,,,"$'\r' \
		"${c[1]},2024-01-01T00:02:00Z,sub: Store,ok,1,0,1,0"$'\r' \
		"${c[2]},2024-01-01T00:03:00Z,sub: NewPoint <b>returns</b> a pointer,ok,2,0,2,0"$'\r' \
		"${c[3]},2024-01-01T00:04:00Z,sub: broken,gap,,,,"$'\r' \
		"${c[4]},2024-01-01T00:05:00Z,\"'=sub: Keep, a leak\",ok,2,1,2,1"$'\r'
	expect_count . 6
	# progress: commits done of all, and time left
	expect_stderr_line '^escgate: history: 1/5 commits, about [0-9]+ (s|min) left$'
	expect_stderr_line '^escgate: history: 5/5 commits, done in [0-9]+ s$'
	# each gap named, with why; the compiler's error shown
	expect_stderr_line "^escgate: history: ${c[3]:0:12}: .*go build failed.*a gap in the chart$"
	expect_stderr_line "^escgate: history: ${c[0]:0:12}: no Go module.*a gap in the chart$"
	expect_contains "undefined: undefined" stderr
	expect_stderr_line '^escgate: history: 2 of 5 commits could not be analysed'
	# quiet: the gaps are in the CSV only
	eg history -q
	expect_status 0
	[ -z "$ERR" ] || fail "stderr with -q: $ERR"
}

test_history_reuses_the_store() {
	setup_history
	write_go_logger
	eg history --go "$T/go" --max 2 --format csv="$T/first.csv"
	expect_status 0
	[ "$(wc -l <"$T/go.log")" -ge 1 ] || fail "the first history built nothing"
	: >"$T/go.log"
	eg history --go "$T/go" --max 3 --format csv="$T/second.csv"
	expect_status 0
	# HEAD is reused; HEAD~2 is new and the gap at HEAD~1 is tried again (failures are not stored)
	local head
	head=$(git_sha HEAD)
	grep -q "${head:0:12}" "$T/go.log" && fail "HEAD was built again: $(cat "$T/go.log")"
	grep -q "$(git_sha HEAD~2 | cut -c1-12)" "$T/go.log" || fail "HEAD~2 not built: $(cat "$T/go.log")"
	[ "$(tail -n 2 "$T/first.csv")" = "$(tail -n 2 "$T/second.csv")" ] ||
		fail "the reused commits' rows differ"
	# and diff reuses what history stored
	: >"$T/go.log"
	eg diff --go "$T/go" --base HEAD~2 --head HEAD -q
	expect_status 1
	[ ! -s "$T/go.log" ] || fail "diff rebuilt commits that history had stored"
}

test_history_since_and_max() {
	setup_history
	eg history --since HEAD~2
	expect_status 0
	expect_count '^[0-9a-f]{40},' 3
	expect_contains "$(git_sha HEAD~2),"
	expect_not_contains "$(git_sha HEAD~3),"
	eg history --max 1 -q
	expect_status 0
	expect_count '^[0-9a-f]{40},' 1
	expect_contains "$(git_sha HEAD),"
	# a revision to start from
	eg history HEAD~1 --max 2 -q
	expect_count '^[0-9a-f]{40},' 2
	expect_contains "$(git_sha HEAD~2),"
	# --since a commit that is not on the first-parent line: said, and the walk still ends
	git checkout -q -b side HEAD~3
	commit_all "side"
	git checkout -q main
	eg history --since side
	expect_status 0
	expect_contains "is not on the first-parent history" stderr
}

test_history_usage_errors() {
	setup_history
	local args
	for args in "--max 0" "--max -3" "--max x" "--format pdf" "--format csv --format html" \
		"--format html=" "--since nosuch" "nosuch" "--bogus" "a b"; do
		# shellcheck disable=SC2086
		eg history $args
		expect_status 2
	done
	eg history --since nosuch
	expect_contains "nosuch" stderr
	eg history --format csv --format html
	expect_contains "standard output" stderr
	eg help history
	expect_status 0
	expect_contains "--since REV"
}

test_history_nothing_analysable() {
	new_repo
	echo "# notes" >README
	commit_all "one"
	commit_all "two"
	eg history
	expect_status 3
	expect_contains "none of the 2 commits could be analysed" stderr
	expect_stdout_empty
}

test_history_interrupted() {
	setup_history
	local real i
	real=$(command -v go)
	printf '#!/bin/sh\nif [ "$1" = build ]; then : >"%s"; sleep 30; fi\nexec "%s" "$@"\n' \
		"$T/building" "$real" >"$T/slowgo"
	chmod +x "$T/slowgo"
	mkdir -p "$T/tmp"
	TMPDIR=$T/tmp "$ESCGATE" -C "$REPO" history --go "$T/slowgo" --format csv="$T/h.csv" \
		</dev/null >"$T/stdout" 2>"$T/stderr" &
	local pid=$!
	for i in $(seq 1 300); do
		[ -e "$T/building" ] && break
		sleep 0.1
	done
	[ -e "$T/building" ] || fail "no build started"
	kill -INT "$pid"
	wait "$pid"
	RC=$?
	expect_status 130
	[ ! -e "$T/h.csv" ] || fail "a history was written though interrupted"
	[ -z "$(ls -A "$T/tmp")" ] || fail "left behind in TMPDIR: $(ls -A "$T/tmp")"
	eg history -q
	expect_status 0
	expect_count '^[0-9a-f]{40},' 5
}

test_history_html_page() {
	setup_history
	eg history --format html="$T/h.html" --format csv="$T/h.csv" -q
	expect_status 0
	[ -s "$T/h.csv" ] || fail "no csv written"
	py_html "$T/h.html" "$SELF_CONTAINED"
	py_html "$T/h.html" '
if "<script" in text: print("the history page needs no script"); sys.exit(1)
if text.count("<svg class=\"plot\"") != 2: print("not two charts"); sys.exit(1)
if text.count("class=\"gapband\"") != 4: print("gaps: %d bands" % text.count("class=\"gapband\"")); sys.exit(1)
for want in ("sub: NewPoint &lt;b&gt;returns&lt;/b&gt; a pointer", "not analysed: no Go module", "<code>example.com/m/sub</code>",
             "5, 2024-01-01 00:01 to 2024-01-01 00:05 (UTC)", "2 not analysed"):
    if want not in text: print("lacks: %s" % want); sys.exit(1)
'
}

test_history_browser() {
	need_browser
	setup_history
	eg history --format html="$T/h.html" -q
	expect_status 0
	browse history "$T/h.html"
	expect_json '[c["id"] for c in d["charts"]]' '["chart-escapes", "chart-leaks"]'
	expect_json 'all(c["width"] > 300 and c["height"] > 80 for c in d["charts"])' true
	expect_json '[c["points"] for c in d["charts"]]' '[3, 3]'
	expect_json '[len(c["gaps"]) for c in d["charts"]]' '[2, 2]'
	expect_json 'd["charts"][0]["legend"]' '["total", "example.com/m/sub"]'
	expect_json 'd["charts"][0]["titles"][1].endswith("sub: NewPoint <b>returns</b> a pointer\n2 escapes")' true
	expect_json '[r["gap"] for r in d["rows"]]' '[false, true, false, false, true]'
	expect_json 'd["rows"][0]["cells"][3:]' '["2", "1", "0", "+1"]'
	expect_json 'd["elements"]' '{"img": 0, "b": 0}'
}

run_tests
