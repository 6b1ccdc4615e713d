#!/usr/bin/env bash
# The CI report formats end to end: sarif (valid against the SARIF 2.1.0
# schema), github (annotations, job summary, step outputs), gitlab, junit,
# markdown; fingerprints that survive lines moving; hostile file names and
# string literals escaped in every format.
. "$(dirname "$0")/lib.sh"

NODE_DIR=$TOP/tests/node

# py_check FILE CODE: python CODE sees `path` and `text` (FILE's content as
# UTF-8); it prints a reason and exits nonzero to fail the test.
py_check() {
	[ -n "$PY" ] || fail "python3 not found"
	local msg
	msg=$("$PY" -c '
import json, sys, xml.dom.minidom
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
'"$2" "$1" 2>&1) || fail "$(basename "$1"): $msg"
}

# sarif_valid FILE: the SARIF 2.1.0 schema accepts FILE. The validator's
# packages (tests/node/package-lock.json) are installed with npm ci on first use.
sarif_valid() {
	command -v node >/dev/null 2>&1 ||
		fail "node not found: needed to validate SARIF (Debian: apt-get install nodejs npm)"
	if [ ! -e "$NODE_DIR/node_modules/.package-lock.json" ] ||
		[ "$NODE_DIR/package-lock.json" -nt "$NODE_DIR/node_modules/.package-lock.json" ]; then
		command -v npm >/dev/null 2>&1 || fail "npm not found: needed to install tests/node"
		(cd "$NODE_DIR" && npm ci --no-audit --no-fund --ignore-scripts) >"$T/npm.log" 2>&1 ||
			fail "npm ci in tests/node failed: $(tail -n 5 "$T/npm.log")"
	fi
	local msg
	msg=$(node "$NODE_DIR/validate-sarif.js" "$1" 2>&1) || fail "invalid SARIF: $msg"
}

# with_github ARGS...: eg with the runner's variables pointing into $T.
with_github() {
	GITHUB_STEP_SUMMARY=$T/summary.md GITHUB_OUTPUT=$T/outputs \
		GITHUB_SERVER_URL=https://github.example GITHUB_REPOSITORY=o/r eg "$@"
}

# Every Markdown table line has exactly five '|': four columns, nothing injected.
MD_TABLE_CHECK='
rows = [l for l in text.split("\n") if l.startswith("|")]
bad = [l for l in rows if l.count("|") != 5]
if bad: print("row with %d pipes: %s" % (bad[0].count("|"), bad[0][:200])); sys.exit(1)
'

test_all_formats_at_once() {
	setup_mixed_branches
	local base_sha head_sha goversion
	base_sha=$(git_sha main)
	head_sha=$(git_sha feature)
	goversion=$(go env GOVERSION)
	printf 'earlier step\n' >"$T/summary.md"
	printf 'other=1\n' >"$T/outputs"
	with_github diff --base main --head feature --format sarif="$T/x.sarif" --format github \
		--format gitlab="$T/cq.json" --format junit="$T/j.xml" --format markdown="$T/pr.md"
	expect_status 1

	# github: one annotation line per new finding, then the summary line
	expect_count '^::' 5
	expect_count '^::error file=' 5
	expect_line '::error file=sub/w.go,line=10,col=10,title=new leak in sub.Put::leaking param: w%0A    func Put(w Writer, s string) {%0Aflow: {heap} ← w%0A  from w.Write(([]byte)(s)) (call parameter) at sub/w.go:11:9'
	expect_count '^::error file=sub/extra.go,line=5,col=2,title=new escape in sub.Extra::moved to heap: e%0A' 1
	expect_last_line "escgate: 5 new (4 escapes, 1 leak), 1 fixed, 1 unchanged"
	[ "$(grep -cv '^::error ' "$T/stdout")" = 1 ] || fail "stdout has other lines than annotations and the summary"

	# the job summary: appended, with links to the head (new) and base (fixed) lines
	py_check "$T/summary.md" '
assert text.startswith("earlier step\n## escgate: 5 new heap escapes or parameter leaks\n"), text[:120]
'"$MD_TABLE_CHECK"'
if len(rows) != 2 + 5 + 2 + 1: print("%d table lines" % len(rows)); sys.exit(1)
for want in ["](https://github.example/o/r/blob/'"$head_sha"'/sub/w.go#L10)",
             "](https://github.example/o/r/blob/'"$head_sha"'/sub/extra.go#L5)",
             "](https://github.example/o/r/blob/'"$base_sha"'/sub/t.go#L12)",
             "<details><summary>flow</summary>", "### New (5)", "### Fixed (1)"]:
    if want not in text: print("lacks " + want); sys.exit(1)
'
	[ "$(cat "$T/outputs")" = $'other=1\nnew=5\nfixed=1\nunchanged=1' ] ||
		fail "GITHUB_OUTPUT is: $(cat "$T/outputs")"

	# gitlab code quality: the new findings
	py_check "$T/cq.json" '
d = json.loads(text)
got = sorted((i["check_name"], i["severity"], i["location"]["path"], i["location"]["lines"]["begin"]) for i in d)
want = sorted([("escape", "major", "sub/extra.go", 5), ("escape", "major", "sub/extra.go", 10),
               ("escape", "major", "sub/extra.go", 11), ("escape", "major", "sub/w.go", 11),
               ("leak", "major", "sub/w.go", 10)])
if got != want: print(got); sys.exit(1)
fps = [i["fingerprint"] for i in d]
if len(set(fps)) != 5 or not all(len(f) == 40 and int(f, 16) >= 0 for f in fps): print(fps); sys.exit(1)
if "new leak in sub.Put: leaking param: w" not in [i["description"] for i in d]: print([i["description"] for i in d]); sys.exit(1)
'

	# junit: well-formed, one failure per new finding
	py_check "$T/j.xml" '
doc = xml.dom.minidom.parse(path)
suite = doc.getElementsByTagName("testsuite")[0]
if (suite.getAttribute("tests"), suite.getAttribute("failures")) != ("5", "5"): print(suite.toxml()[:200]); sys.exit(1)
fails = doc.getElementsByTagName("failure")
if len(fails) != 5: print(len(fails)); sys.exit(1)
names = sorted(c.getAttribute("name") for c in doc.getElementsByTagName("testcase"))
if "Put: leaking param: w (sub/w.go:10)" not in names: print(names); sys.exit(1)
leak = [f for f in fails if f.getAttribute("type") == "leak"][0]
if "flow: {heap} ← w" not in leak.firstChild.data: print(leak.toxml()); sys.exit(1)
'

	# markdown: the comment, link-free, its footer naming both commits and the Go release
	py_check "$T/pr.md" '
assert text.startswith("## escgate: 5 new heap escapes or parameter leaks\n"), text[:100]
'"$MD_TABLE_CHECK"'
if len(rows) != 10: print("%d table lines" % len(rows)); sys.exit(1)
if "](" in text: print("has a link"); sys.exit(1)
for want in ["'"${base_sha:0:12}"'", "'"${head_sha:0:12}"'", "'"$goversion"'", "<code>sub/t.go:12:2</code>"]:
    if want not in text: print("lacks " + want); sys.exit(1)
'

	# sarif: valid, and the same findings and fingerprints as the code quality report
	sarif_valid "$T/x.sarif"
	py_check "$T/x.sarif" '
d = json.loads(text)
res = d["runs"][0]["results"]
cq = json.load(open(path.replace("x.sarif", "cq.json")))
if sorted(r["partialFingerprints"]["escgateFinding/v1"] for r in res) != sorted(i["fingerprint"] for i in cq):
    print("fingerprints differ from the gitlab report"); sys.exit(1)
if sorted(r["ruleId"] for r in res) != ["escape"] * 4 + ["leak"] or {r["level"] for r in res} != {"error"}:
    print([(r["ruleId"], r["level"]) for r in res]); sys.exit(1)
leak = [r for r in res if r["ruleId"] == "leak"][0]
loc = leak["locations"][0]["physicalLocation"]
if loc != {"artifactLocation": {"uri": "sub/w.go", "uriBaseId": "%SRCROOT%"}, "region": {"startLine": 10, "startColumn": 10}}:
    print(loc); sys.exit(1)
step = leak["codeFlows"][0]["threadFlows"][0]["locations"][0]["location"]
if step["message"]["text"] != "from w.Write(([]byte)(s)) (call parameter)" or step["physicalLocation"]["region"] != {"startLine": 11, "startColumn": 9}:
    print(step); sys.exit(1)
'
}

test_nothing_new() {
	setup_mixed_branches
	with_github diff --base feature --head feature --format github --format junit="$T/j.xml" \
		--format sarif="$T/x.sarif" --format gitlab="$T/cq.json"
	expect_status 0
	expect_count '^::' 0
	expect_stdout_eq "escgate: 0 new (0 escapes, 0 leaks), 0 fixed, 6 unchanged"
	[ "$(cat "$T/outputs")" = $'new=0\nfixed=0\nunchanged=6' ] || fail "GITHUB_OUTPUT is: $(cat "$T/outputs")"
	py_check "$T/summary.md" '
assert text.startswith("## escgate: no new heap escapes or parameter leaks\n"), text[:100]
'
	py_check "$T/j.xml" '
doc = xml.dom.minidom.parse(path)
cases = doc.getElementsByTagName("testcase")
if len(cases) != 1 or doc.getElementsByTagName("failure"): print(doc.toxml()[:300]); sys.exit(1)
'
	py_check "$T/cq.json" 'assert json.loads(text) == [], text'
	sarif_valid "$T/x.sarif"
}

test_scan_formats() {
	setup_mixed_branches
	with_github scan feature --format github --format sarif="$T/x.sarif" --format junit="$T/j.xml" \
		--format gitlab="$T/cq.json" --format markdown="$T/scan.md"
	expect_status 0
	expect_count '^::notice file=' 6
	expect_count '^::error' 0
	[ "$(cat "$T/outputs")" = "present=6" ] || fail "GITHUB_OUTPUT is: $(cat "$T/outputs")"
	sarif_valid "$T/x.sarif"
	py_check "$T/x.sarif" '
res = json.loads(text)["runs"][0]["results"]
if len(res) != 6 or {r["level"] for r in res} != {"warning"}: print([r["level"] for r in res]); sys.exit(1)
'
	py_check "$T/cq.json" '
d = json.loads(text)
if len(d) != 6 or {i["severity"] for i in d} != {"minor"}: print(d); sys.exit(1)
'
	py_check "$T/j.xml" '
doc = xml.dom.minidom.parse(path)
if len(doc.getElementsByTagName("testcase")) != 6 or doc.getElementsByTagName("failure"): print(doc.toxml()[:300]); sys.exit(1)
'
	py_check "$T/scan.md" '
assert text.startswith("## escgate: 6 heap escapes and parameter leaks\n"), text[:100]
'"$MD_TABLE_CHECK"'
if len(rows) != 8: print("%d table lines" % len(rows)); sys.exit(1)
'
}

# Lines added above every finding: the same findings, the same fingerprints.
test_fingerprints_survive_moved_lines() {
	setup_mixed_branches
	eg diff --base main --head feature --format sarif="$T/before.sarif" --format gitlab="$T/before.json"
	expect_status 1
	sed -i 's|^package sub$|package sub\n\n// Three lines\n// added above\n// everything.|' sub/extra.go sub/w.go
	commit_all "lines moved"
	eg diff --base main --head feature --format sarif="$T/after.sarif" --format gitlab="$T/after.json"
	expect_status 1
	py_check "$T/after.json" '
before = json.load(open(path.replace("after", "before")))
after = json.loads(text)
key = lambda i: i["fingerprint"]
if sorted(map(key, before)) != sorted(map(key, after)): print("gitlab fingerprints changed"); sys.exit(1)
moved = {i["fingerprint"]: i["location"]["lines"]["begin"] for i in before}
if any(moved[i["fingerprint"]] + 4 != i["location"]["lines"]["begin"] for i in after):
    print("lines did not move by 4: %s" % [(moved[i["fingerprint"]], i["location"]["lines"]["begin"]) for i in after]); sys.exit(1)
'
	py_check "$T/after.sarif" '
fp = lambda d: sorted(r["partialFingerprints"]["escgateFinding/v1"] for r in d["runs"][0]["results"])
if fp(json.loads(text)) != fp(json.load(open(path.replace("after", "before")))): print("sarif fingerprints changed"); sys.exit(1)
'
}

# File names Go accepts but every report syntax has to escape, and a verdict
# quoting a string literal full of markup.
test_hostile_names_escaped_everywhere() {
	new_go_repo
	write_file ok.go <<'GO'
package m

func OK() int { return 1 }
GO
	commit_all "base"
	git checkout -q -b feature
	local i=0 name
	for name in 'a,b' 'p|q' 'x%0A::error::pwn,y' 'l<t>&amp' 'bt`x' 'c:d' 'sp ace'; do
		i=$((i + 1))
		printf 'package m\n\nvar s%d *int\n\nfunc F%d() {\n\tv := 1\n\ts%d = &v\n}\n' \
			$i $i $i >"$name.go" || fail "write $name.go"
	done
	# invalid UTF-8 in a file name
	printf 'package m\n\nvar sink any\n\nfunc H(t string) {\n\tsink = "::error::pwn|<b>&amp;]]>`%%0A" + t\n}\n' \
		>"$(printf 'bad\xff.go')" || fail "write bad.go"
	commit_all "hostile"
	with_github diff --base main --head feature --format github --format sarif="$T/x.sarif" \
		--format gitlab="$T/cq.json" --format junit="$T/j.xml" --format markdown="$T/pr.md"
	expect_status 1
	# 7 escapes of v, 2 of the concatenation: one annotation line each, nothing injected
	expect_count '^::' 9
	[ "$(grep -cv '^::error file=' "$T/stdout")" = 1 ] || fail "stdout has lines other than annotations and the summary"
	expect_count '^::error file=a%2Cb\.go,line=6,col=2,title=new escape in m\.F1::moved to heap: v%0A' 1
	expect_count '^::error file=p\|q\.go,line=6,col=2,' 1
	expect_count '^::error file=x%250A%3A%3Aerror%3A%3Apwn%2Cy\.go,line=6,col=2,title=new escape in m\.F3::' 1
	expect_count '^::error file=c%3Ad\.go,line=6,' 1
	expect_count '^::error file=bad�\.go,line=6,col=40,title=new escape in m\.H::"::error::pwn\|<b>&amp;\]\]>`%250A" \+ t escapes to heap%0A' 2
	py_check "$T/summary.md" "$MD_TABLE_CHECK"'
if len(rows) != 2 + 9: print("%d table lines" % len(rows)); sys.exit(1)
for bad in ["<b>", "<t>", "`", "]]>"]:
    if bad in text: print("raw " + bad); sys.exit(1)
for want in ["/blob/", "/x%250A%3A%3Aerror%3A%3Apwn%2Cy.go#L6)", "/p%7Cq.go#L6)", "/bad%FF.go#L6)",
             "<code>p&#124;q.go:6:2</code>", "<code>&#34;::error::pwn&#124;&#60;b&#62;&#38;amp;&#93;&#93;&#62;&#96;%0A&#34; + t escapes to heap</code>"]:
    if want not in text: print("lacks " + want); sys.exit(1)
'
	py_check "$T/pr.md" "$MD_TABLE_CHECK"'
if len(rows) != 2 + 9: print("%d table lines" % len(rows)); sys.exit(1)
for bad in ["<b>", "<t>", "`", "]]>"]:
    if bad in text: print("raw " + bad); sys.exit(1)
'
	py_check "$T/j.xml" '
doc = xml.dom.minidom.parse(path)
cases = doc.getElementsByTagName("testcase")
if len(doc.getElementsByTagName("failure")) != 9: print(doc.toxml()[:300]); sys.exit(1)
files = sorted({c.getAttribute("file") for c in cases})
want = sorted(["a,b.go", "p|q.go", "x%0A::error::pwn,y.go", "l<t>&amp.go", "bt`x.go", "c:d.go", "sp ace.go", "bad\ufffd.go"])
if files != want: print(files); sys.exit(1)
h = [c for c in cases if c.getAttribute("name").startswith("H: ")][0]
if h.getAttribute("name") != "H: \"::error::pwn|<b>&amp;]]>`%0A\" + t escapes to heap (bad\ufffd.go:6)": print(h.getAttribute("name")); sys.exit(1)
'
	py_check "$T/cq.json" '
paths = sorted(i["location"]["path"] for i in json.loads(text))
want = sorted(["a,b.go", "p|q.go", "x%0A::error::pwn,y.go", "l<t>&amp.go", "bt`x.go", "c:d.go", "sp ace.go", "bad\ufffd.go", "bad\ufffd.go"])
if paths != want: print(paths); sys.exit(1)
'
	sarif_valid "$T/x.sarif"
	py_check "$T/x.sarif" '
uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in json.loads(text)["runs"][0]["results"])
want = sorted(["a%2Cb.go", "p%7Cq.go", "x%250A%3A%3Aerror%3A%3Apwn%2Cy.go", "l%3Ct%3E%26amp.go", "bt%60x.go", "c%3Ad.go", "sp%20ace.go", "bad%FF.go", "bad%FF.go"])
if uris != want: print(uris); sys.exit(1)
'
}

run_tests
