#!/usr/bin/env bash
# Rebuilds the seed corpus of the fuzz targets that read compiler output
# or Go source (mtext, logjson, gosrc, verdict) from what is recorded in
# tests/fixtures (see its README). Seeds are small on purpose: libFuzzer
# mutates small inputs best. Other files are left alone: crash-* are
# regression inputs (each once crashed a target), hand-* were written by
# hand (policy: the README's example; baseline: `escgate baseline` run on
# tests/fixtures/src; prepush: empty, CRLF and malformed input), push-*
# are what git gave a pre-push hook that saved its standard input (pushes,
# new branches, deletes, several refs; SHA-1 and SHA-256 repositories).
#   tests/fuzz/make-corpus.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
exec python3 - <<'PY'
import glob, os, re

fx = "tests/fixtures"
out = "tests/fuzz/corpus"
MAX = 4096

def reset(target):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    for f in os.listdir(d):
        if f.startswith("seed-"):
            os.remove(os.path.join(d, f))
    return d

def write(d, name, data):
    with open(os.path.join(d, "seed-" + name), "wb") as f:
        f.write(data)

versions = sorted(os.path.basename(p) for p in glob.glob(fx + "/go1.*"))

# mtext: each package block of each cold build, in chunks of at most 40
# lines that each keep their "# package" header.
d = reset("mtext")
for v in versions:
    lines = open(f"{fx}/{v}/m2.txt", "rb").read().splitlines(keepends=True)
    blocks, cur = [], []
    for l in lines:
        if l.startswith(b"# ") and cur:
            blocks.append(cur)
            cur = []
        cur.append(l)
    if cur:
        blocks.append(cur)
    n = 0
    for b in blocks:
        head, body = b[0], b[1:]
        for i in range(0, max(len(body), 1), 40):
            n += 1
            write(d, f"{v}-m2-{n:02d}", b"".join([head] + body[i:i + 40])[:MAX])

# logjson: every recorded log file (and the one the main.json collision
# corrupted), whole lines up to MAX bytes.
d = reset("logjson")
files = sorted(glob.glob(fx + "/go1.*/json/**/*.json", recursive=True)) + \
    sorted(glob.glob(fx + "/collision/*.json"))
for p in files:
    data, size = [], 0
    for l in open(p, "rb").read().splitlines(keepends=True):
        if data and size + len(l) > MAX:
            break
        data.append(l)
        size += len(l)
    name = re.sub(r"[^A-Za-z0-9.]+", "-", os.path.relpath(p, fx))
    write(d, name, b"".join(data))

# gosrc: the fixture module's Go files.
d = reset("gosrc")
for p in sorted(glob.glob(fx + "/src/**/*.go", recursive=True)):
    name = re.sub(r"[^A-Za-z0-9.]+", "-", os.path.relpath(p, fx + "/src"))
    write(d, name, open(p, "rb").read()[:MAX])

# verdict: every distinct verdict the compilers printed.
d = reset("verdict")
msgs = set()
pat = re.compile(rb"^[^ ]+?:\d+(?::\d+)?: (.*(?:escapes to heap|moved to heap: |leaking param).*)$")
for v in versions:
    for l in open(f"{fx}/{v}/m2.txt", "rb").read().splitlines():
        m = pat.match(l)
        if m and not m.group(1).startswith(b" ") and not m.group(1).endswith(b":"):
            msgs.add(m.group(1))
for i, m in enumerate(sorted(msgs)):
    write(d, f"{i:03d}", m)
PY
