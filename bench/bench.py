#!/usr/bin/env python3
"""escgate's benchmark (make bench).

Generates a synthetic repository (bench/gen), then measures, for each head
(a one-line change in a leaf package, one in the hub package, a go.mod
change), the wall time and peak memory of

  gate      escgate diff --full, empty store (whole modules)
  stored    escgate diff --full, the base already in the store
  affected  escgate diff, empty store (affected packages only, the default)
  naive     bench/naive.sh: worktrees, go build -gcflags=-m=2 ./..., sort | diff
  astored   escgate diff, the base already in the store (not run by default:
            add it to BENCH_ROWS)

each in two Go build cache states: cold (a fresh GOCACHE holding only the
standard library packages the repository imports) and warm (the same
command run again right after, on the cache the cold run left; the store is
put back to the row's starting state first). Then escgate's peak memory on
a scan of a repository with about 100,000 findings.

Prints a table of medians, ratios and PASS/MISS per target; writes
build/bench/results.json (every measurement) and build/bench/summary.csv.

Environment: BENCH_PACKAGES (200), BENCH_RUNS (3), BENCH_SEED (1),
BENCH_FINDINGS (500 per package: 100,000 at 200), BENCH_RSS_RUNS (1),
BENCH_CASES (leaf,hub,gomod), BENCH_ROWS (gate,stored,affected,naive),
ESCGATE (./escgate), GO (go on PATH), BENCH_OUT (build/bench).
"""

import csv
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def env_int(name, default):
    v = os.environ.get(name, "")
    return int(v) if v.strip() else default


PACKAGES = env_int("BENCH_PACKAGES", 200)
RUNS = env_int("BENCH_RUNS", 3)
SEED = env_int("BENCH_SEED", 1)
FINDINGS = env_int("BENCH_FINDINGS", 500 * PACKAGES)
RSS_RUNS = env_int("BENCH_RSS_RUNS", 1)
CASES = [c for c in os.environ.get("BENCH_CASES", "leaf,hub,gomod").split(",") if c]
ROWS = [r for r in os.environ.get("BENCH_ROWS", "gate,stored,affected,naive").split(",") if r]
OUT = os.path.abspath(os.environ.get("BENCH_OUT") or os.path.join(TOP, "build", "bench"))
WORK = os.path.join(OUT, "work")   # repositories, caches, stores: removed at the end
LOGS = os.path.join(OUT, "logs")   # every command's output and measurement: kept
# measure and gowrap are built here by the Makefile, gen by setup() below
TOOLS = os.path.join(TOP, "build", "bench")

ROW_LABEL = {
    "gate": "escgate --full, empty store",
    "stored": "escgate --full, base stored",
    "affected": "escgate (affected only)",
    "naive": "naive script",
    "astored": "escgate (affected), base stored",
}
CASE_LABEL = {"leaf": "head-leaf", "hub": "head-hub", "gomod": "head-gomod"}

# The targets of the issue.
T_STORED = 0.55      # base stored <= 0.55 x the cold gate
T_LEAF_COLD = 0.15   # leaf change <= 0.15 x the naive script, cold (and faster warm)
T_OUTSIDE = 0.05     # time outside the Go toolchain <= 5 % of the gate's wall time
T_RSS_MIB = 64       # peak RSS <= 64 MiB at 100,000 findings
T_RSS_FINDINGS = 100000


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg):
    log("bench: " + msg)
    sys.exit(1)


def run(argv, **kw):
    """Runs an untimed helper command; dies with its output on failure."""
    p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)
    if p.returncode != 0:
        die("%s failed (%d):\n%s" % (" ".join(argv), p.returncode, p.stdout[-4000:]))
    return p.stdout


def rmtree(path):
    if os.path.lexists(path):
        subprocess.run(["chmod", "-R", "u+w", path], stderr=subprocess.DEVNULL)
        shutil.rmtree(path)


def copytree(src, dst):
    rmtree(dst)
    # cp -a: faster than shutil for a build cache's thousands of files
    run(["cp", "-a", src, dst])


def base_env():
    env = dict(os.environ)
    for k in list(env):
        if k.startswith(("GIT_", "GITHUB_", "GITLAB_", "CI_")) or k in (
                "CI", "GOOS", "GOARCH", "GOFLAGS", "GOCACHE", "GOPATH", "GOROOT", "ESCGATE_STORE",
                "TMPDIR"):
            del env[k]
    env.update({
        "LC_ALL": "C", "TZ": "UTC",
        "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=mod", "GOPROXY": "off", "GOWORK": "off",
        "GOENV": "off", "GOPATH": os.path.join(WORK, "gopath"),
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": "/dev/null",
    })
    return env


def machine():
    mem = ""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem = "%.1f GiB" % (int(line.split()[1]) / 1024 / 1024)
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "cpu_model": cpu, "memory": mem,
            "kernel": platform.release(), "python": platform.python_version()}


def union_seconds(intervals, lo, hi):
    """Length of the union of [a, b] intervals, clipped to [lo, hi]."""
    total, end = 0.0, lo
    for a, b in sorted((max(a, lo), min(b, hi)) for a, b in intervals):
        if b <= a:
            continue
        if a > end:
            total += b - a
            end = b
        elif b > end:
            total += b - end
            end = b
    return total


class Bench:
    def __init__(self):
        self.env = base_env()
        self.results = []  # every measurement
        self.seq = 0

    # --- set-up ---------------------------------------------------------
    def setup(self):
        rmtree(WORK)
        rmtree(LOGS)
        os.makedirs(LOGS)
        # no TMPDIR: escgate and go choose their scratch space as they would for a user
        os.makedirs(os.path.join(WORK, "gopath"))
        self.go = shutil.which(os.environ.get("GO", "go"), path=self.env.get("PATH"))
        if not self.go and os.path.exists("/usr/local/go/bin/go"):
            self.go = "/usr/local/go/bin/go"
        if not self.go:
            die("no go command (set GO or PATH)")
        self.go = os.path.realpath(self.go)
        self.env["PATH"] = os.path.dirname(self.go) + os.pathsep + self.env.get("PATH", "")
        src = os.path.abspath(os.environ.get("ESCGATE") or os.path.join(TOP, "escgate"))
        if not os.access(src, os.X_OK):
            die("no escgate binary at %s (make)" % src)
        # a private copy: others may rebuild ./escgate while this runs
        self.escgate = os.path.join(WORK, "escgate")
        shutil.copy2(src, self.escgate)
        with open(self.escgate, "rb") as f:
            self.escgate_sha = hashlib.sha256(f.read()).hexdigest()
        self.measure = os.path.join(TOOLS, "measure")
        self.gowrap = os.path.join(TOOLS, "gowrap")
        for t in (self.measure, self.gowrap):
            if not os.access(t, os.X_OK):
                die("%s is missing: run the benchmark with make bench" % t)
        help_text = subprocess.run([self.escgate, "diff", "--help"], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True).stdout
        self.has_full = "--full" in help_text
        self.go_version = run([self.go, "version"], env=self.env).strip()
        self.git_head = subprocess.run(["git", "-C", TOP, "rev-parse", "HEAD"], stdout=subprocess.PIPE,
                                       text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", TOP, "status", "--porcelain", "--untracked-files=no"],
                               stdout=subprocess.PIPE, text=True).stdout.strip()
        self.git_dirty = bool(dirty)
        # the generator
        self.gen = os.path.join(TOOLS, "gen")
        run([self.go, "build", "-o", self.gen, "."], cwd=os.path.join(TOP, "bench", "gen"), env=self.env)

    def generate(self):
        self.repo = os.path.join(WORK, "repo")
        man = os.path.join(WORK, "manifest.json")
        t0 = time.monotonic()
        run([self.gen, "-out", self.repo, "-packages", str(PACKAGES), "-seed", str(SEED),
             "-manifest", man], env=self.env)
        with open(man) as f:
            self.manifest = json.load(f)
        log("bench: generated %d packages, %d functions, %d lines in %.1f s" % (
            self.manifest["packages"], self.manifest["functions"], self.manifest["lines"],
            time.monotonic() - t0))
        # The cold cache: the standard library packages the repository
        # imports, and nothing of the repository itself.
        # It is kept between benchmarks (build/bench/gocache-cold-*), keyed by
        # the toolchain and the package list, since it takes a while to build.
        env = dict(self.env, GOCACHE=os.path.join(WORK, "gocache-list"))
        deps = run([self.go, "list", "-deps", "-f", "{{if .Standard}}{{.ImportPath}}{{end}}", "./..."],
                   cwd=self.repo, env=env).split()
        rmtree(os.path.join(WORK, "gocache-list"))
        key = hashlib.sha256(("%s\n%s\n%s" % (self.go, self.go_version, " ".join(deps))).encode()).hexdigest()
        self.cold_cache = os.path.join(OUT, "gocache-cold-" + key[:16])
        if os.path.isdir(self.cold_cache):
            log("bench: cold cache: %d standard packages, reusing %s" % (len(deps), self.cold_cache))
        else:
            for old in os.listdir(OUT):
                if old.startswith("gocache-cold-"):
                    rmtree(os.path.join(OUT, old))
            t0 = time.monotonic()
            partial = self.cold_cache + ".partial"
            rmtree(partial)
            run([self.go, "build"] + deps, cwd=self.repo, env=dict(self.env, GOCACHE=partial))
            os.rename(partial, self.cold_cache)
            log("bench: cold cache: %d standard packages, built in %.1f s" % (len(deps), time.monotonic() - t0))
        self.cache = os.path.join(WORK, "gocache")
        # The stored base: a whole-module scan of main, made with a throwaway
        # cache so that it warms nothing that is measured.
        if "stored" in ROWS or "astored" in ROWS:
            self.base_store = os.path.join(WORK, "store-base")
            os.makedirs(self.base_store)
            copytree(self.cold_cache, os.path.join(WORK, "gocache-throwaway"))
            r = self.measured("setup", "scan-base", "-", [self.escgate, "-C", self.repo, "scan", "main",
                              "--store", os.path.join(self.base_store, "store.db"), "-q"],
                              gocache=os.path.join(WORK, "gocache-throwaway"), escgate=True, keep=False)
            if r["status"] != 0:
                die("escgate scan of the base failed; see %s" % r["stderr"])
            rmtree(os.path.join(WORK, "gocache-throwaway"))

    # --- one measurement ----------------------------------------------
    def measured(self, case, row, state, argv, gocache, escgate=False, keep=True, run_no=0):
        self.seq += 1
        tag = "%03d-%s-%s-%s" % (self.seq, case, row, state)
        res_file = os.path.join(LOGS, tag + ".measure.json")
        golog = os.path.join(LOGS, tag + ".go.log")
        out_file = os.path.join(LOGS, tag + ".out")
        err_file = os.path.join(LOGS, tag + ".err")
        env = dict(self.env, GOCACHE=gocache)
        if escgate:
            argv = argv + ["--go", self.gowrap]
            env["ESCGATE_BENCH_GO"] = self.go
            env["ESCGATE_BENCH_GOLOG"] = golog
        load = os.getloadavg()[0]
        with open(out_file, "w") as o, open(err_file, "w") as e:
            p = subprocess.run([self.measure, res_file, "--"] + argv, stdin=subprocess.DEVNULL,
                               stdout=o, stderr=e, env=env)
        if p.returncode != 0:
            die("measure failed for %s" % tag)
        with open(res_file) as f:
            r = json.load(f)
        r.update({"case": case, "row": row, "state": state, "run": run_no, "argv": argv,
                  "load1_before": load, "stdout": out_file, "stderr": err_file})
        if escgate:
            ivs, names = [], []
            with open(golog) as f:
                for line in f:
                    a, b, _, what = (line.split(None, 4) + ["", "", "", ""])[:4]
                    ivs.append((float(a), float(b)))
                    names.append(what)
            go_s = union_seconds(ivs, r["start"], r["end"])
            # escgate's own time between go runs: where it goes
            gaps, t, prev = [], r["start"], "start"
            for (a, b), what in sorted(zip(ivs, names)):
                if a > t:
                    gaps.append(["after " + prev, round(a - t, 3)])
                t, prev = max(t, b), "go " + what
            gaps.append(["after " + prev, round(r["end"] - t, 3)])
            r["own_time_gaps"] = gaps
            r["go_runs"] = len(ivs)
            r["go_seconds"] = go_s
            r["outside_seconds"] = r["wall"] - go_s
            r["outside_share"] = (r["wall"] - go_s) / r["wall"] if r["wall"] > 0 else 0.0
            with open(out_file, errors="replace") as f:
                lines = f.read().splitlines()
            r["summary"] = lines[-1] if lines else ""
            with open(err_file, errors="replace") as f:
                r["reused_stored"] = "reusing the stored analysis" in f.read()
        if keep:
            self.results.append(r)
        return r

    def reset_store(self, row):
        store = os.path.join(WORK, "store")
        rmtree(store)
        if row in ("stored", "astored"):
            copytree(self.base_store, store)
        else:
            os.makedirs(store)
        return os.path.join(store, "store.db")

    def command(self, case, row, store):
        head = CASE_LABEL[case]
        if row == "naive":
            return [os.path.join(TOP, "bench", "naive.sh"), self.repo, "main", head,
                    os.path.join(WORK, "naive")], False
        argv = [self.escgate, "-C", self.repo, "diff", "--base", "main", "--head", head,
                "--store", store]
        if row in ("gate", "stored") and self.has_full:
            argv.append("--full")
        return argv, True

    # --- the matrix ----------------------------------------------------
    def run_matrix(self):
        os.makedirs(os.path.join(WORK, "naive"), exist_ok=True)
        for n in range(1, RUNS + 1):
            for case in CASES:
                for row in ROWS:
                    if row in ("affected", "astored") and not self.has_full:
                        continue  # no affected-packages mode in this escgate: n/a
                    for state in ("cold", "warm"):
                        if state == "cold":
                            copytree(self.cold_cache, self.cache)
                        store = self.reset_store(row)
                        argv, is_eg = self.command(case, row, store)
                        r = self.measured(case, row, state, argv, self.cache, escgate=is_eg, run_no=n)
                        ok = (0, 1)
                        if r["status"] not in ok:
                            die("%s %s %s exited %d; see %s" % (case, row, state, r["status"], r["stderr"]))
                        extra = ""
                        if is_eg:
                            extra = "  outside go %.1f%%  escgate RSS %.1f MiB" % (
                                100 * r["outside_share"], r["rss_self_kib"] / 1024)
                        log("bench: run %d/%d %-6s %-9s %-4s %7.2f s%s" % (
                            n, RUNS, case, row, state, r["wall"], extra))

    def run_rss(self):
        if FINDINGS <= 0 or RSS_RUNS <= 0:
            return
        dense = os.path.join(WORK, "dense")
        man = os.path.join(WORK, "dense-manifest.json")
        run([self.gen, "-out", dense, "-findings", str(FINDINGS), "-seed", str(SEED), "-manifest", man],
            env=self.env)
        with open(man) as f:
            self.dense_manifest = json.load(f)
        for n in range(1, RSS_RUNS + 1):
            copytree(self.cold_cache, self.cache)
            store = self.reset_store("gate")
            r = self.measured("dense", "scan", "cold", [self.escgate, "-C", dense, "scan", "main",
                              "--store", store], self.cache, escgate=True, run_no=n)
            if r["status"] != 0:
                die("scan of the dense repository exited %d; see %s" % (r["status"], r["stderr"]))
            m = re.match(r"escgate: (\d+) findings?", r["summary"])
            r["findings"] = int(m.group(1)) if m else None
            log("bench: dense scan %d/%d: %s findings, %.1f s, escgate RSS %.1f MiB" % (
                n, RSS_RUNS, r["findings"], r["wall"], r["rss_self_kib"] / 1024))

    # --- report ----------------------------------------------------------
    def medians(self):
        groups = {}
        for r in self.results:
            groups.setdefault((r["case"], r["row"], r["state"]), []).append(r)
        med = {}
        for k, rs in groups.items():
            m = {"runs": len(rs), "wall": statistics.median(r["wall"] for r in rs),
                 "rss_self_mib": statistics.median(r["rss_self_kib"] for r in rs) / 1024,
                 "rss_tree_mib": statistics.median(r["rss_tree_kib"] for r in rs) / 1024,
                 "walls": [round(r["wall"], 3) for r in rs],
                 "cpu": statistics.median(r["user"] + r["sys"] for r in rs),
                 "load1": statistics.median(r["load1_before"] for r in rs)}
            if "outside_share" in rs[0]:
                m["outside_share"] = statistics.median(r["outside_share"] for r in rs)
                m["outside_seconds"] = statistics.median(r["outside_seconds"] for r in rs)
                m["summary"] = rs[0]["summary"]
                m["reused_stored"] = all(r["reused_stored"] for r in rs)
            if "findings" in rs[0]:
                m["findings"] = rs[0]["findings"]
            med["/".join(k)] = m
        return med

    def report(self, started):
        med = self.medians()

        def get(case, row, state):
            return med.get("%s/%s/%s" % (case, row, state))

        def ratio(a, b):
            return a["wall"] / b["wall"] if a and b and b["wall"] > 0 else None

        def stored_pairs(state):
            """stored / gate wall time of each case and round, in one cache state."""
            gate = {(r["case"], r["run"]): r["wall"] for r in self.results
                    if r["row"] == "gate" and r["state"] == state and r["wall"] > 0}
            return [r["wall"] / gate[(r["case"], r["run"])] for r in self.results
                    if r["row"] == "stored" and r["state"] == state and (r["case"], r["run"]) in gate]

        lines = []
        info = self.info(started)
        lines.append("escgate benchmark, %s" % info["date"])
        lines.append("machine: %d CPUs (%s), %s RAM, Linux %s; %s" % (
            info["machine"]["cpus"], info["machine"]["cpu_model"], info["machine"]["memory"],
            info["machine"]["kernel"], self.go_version))
        lines.append("escgate: commit %s%s, binary sha256 %s" % (
            self.git_head[:12], " + uncommitted changes" if self.git_dirty else "", self.escgate_sha[:12]))
        m = self.manifest
        lines.append("repository: %d packages, %d functions, %d lines (seed %d); leaf %s: %d importers, "
                     "%d affected, %d to build; hub %s: %d importers, %d affected" % (
                         m["packages"], m["functions"], m["lines"], m["seed"],
                         m["leaf"]["package"].rsplit("/", 2)[-2] + "/" + m["leaf"]["package"].rsplit("/", 1)[-1],
                         m["leaf"]["importers"], m["leaf"]["affected"], m["leaf"]["build_needed"],
                         "util/base", m["hub"]["importers"], m["hub"]["affected"]))
        lines.append("medians of %d run%s; wall seconds; RSS MiB as escgate's own peak / the largest "
                     "process's (the compiler); 'outside go' = escgate's wall time not spent waiting "
                     "for go" % (RUNS, "" if RUNS == 1 else "s"))
        lines.append("")
        hdr = "%-6s %-32s | %8s %11s %10s | %8s %11s %10s" % (
            "case", "command", "cold s", "RSS MiB", "outside go", "warm s", "RSS MiB", "outside go")
        lines.append(hdr)
        lines.append("-" * len(hdr))
        csv_rows = []
        for case in CASES:
            for row in ROWS:
                cells = []
                for state in ("cold", "warm"):
                    g = get(case, row, state)
                    if not g:
                        cells.append("%8s %11s %10s" % ("n/a", "", ""))
                        continue
                    if row == "naive":
                        rss = "-/%.0f" % g["rss_tree_mib"]
                        out = "-"
                    else:
                        rss = "%.1f/%.0f" % (g["rss_self_mib"], g["rss_tree_mib"])
                        out = "%.1f%%" % (100 * g["outside_share"])
                    cells.append("%8.2f %11s %10s" % (g["wall"], rss, out))
                    csv_rows.append({"case": case, "command": row, "cache": state, "runs": g["runs"],
                                     "wall_median_s": round(g["wall"], 3),
                                     "walls_s": " ".join(str(w) for w in g["walls"]),
                                     "cpu_median_s": round(g["cpu"], 3),
                                     "load1_median": round(g["load1"], 2),
                                     "rss_escgate_mib": "" if row == "naive" else round(g["rss_self_mib"], 1),
                                     "rss_max_process_mib": round(g["rss_tree_mib"], 1),
                                     "outside_go_share": "" if row == "naive" else round(g["outside_share"], 4)})
                lines.append("%-6s %-32s | %s | %s" % (case, ROW_LABEL[row], cells[0], cells[1]))
        lines.append("")
        lines.append("ratios of medians (cold | warm):")
        for case in CASES:
            for a, b, what in (("stored", "gate", "base stored / cold gate"),
                               ("astored", "affected", "affected, base stored / affected"),
                               ("affected", "gate", "affected only / full gate"),
                               ("affected", "naive", "affected only / naive script"),
                               ("gate", "naive", "full gate / naive script")):
                rc, rw = ratio(get(case, a, "cold"), get(case, b, "cold")), ratio(get(case, a, "warm"), get(case, b, "warm"))
                if rc is None and rw is None:
                    continue
                lines.append("  %-6s %-34s %s | %s" % (case, what, fmt_ratio(rc), fmt_ratio(rw)))
        pairs = {state: stored_pairs(state) for state in ("cold", "warm")}
        pc, pw = pairs["cold"], pairs["warm"]
        if pc or pw:
            lines.append("  %-6s %-34s %s | %s" % ("all", "base stored / cold gate, paired",
                                                    fmt_ratio(statistics.median(pc) if pc else None),
                                                    fmt_ratio(statistics.median(pw) if pw else None)))

        # --- targets ---
        targets = []

        def target(name, ok, detail):
            targets.append({"target": name, "result": ok, "detail": detail})

        # Judged on paired runs: each stored run against the gate run of the
        # same case, cache state and round, measured seconds apart, so that
        # drifts in this machine's speed (runs of one command vary by +-10 %)
        # cancel; pooled over the cases, which all compile the whole module
        # one line apart. The per-case ratios of medians are shown beside it.
        vals, ok = [], None
        for state in ("cold", "warm"):
            p = pairs[state]
            if not p:
                continue
            m = statistics.median(p)
            vals.append("%s %.2f (median of %d pairs, %.2f-%.2f)" % (state, m, len(p), min(p), max(p)))
            ok = (ok is not False) and m <= T_STORED
        per_case = []
        for case in CASES:
            for state in ("cold", "warm"):
                r = ratio(get(case, "stored", state), get(case, "gate", state))
                if r is not None:
                    per_case.append("%s %s %.2f" % (case, state, r))
        target("base already stored <= %.2f x the cold gate" % T_STORED, ok,
               "; ".join(vals) + ("; per case, ratios of medians: " + ", ".join(per_case) if per_case else "")
               if vals else "n/a (rows not run)")

        c_aff, c_nai = get("leaf", "affected", "cold"), get("leaf", "naive", "cold")
        w_aff, w_nai = get("leaf", "affected", "warm"), get("leaf", "naive", "warm")
        if c_aff and c_nai:
            rc = ratio(c_aff, c_nai)
            target("leaf change, cold: affected only <= %.2f x naive script" % T_LEAF_COLD, rc <= T_LEAF_COLD,
                   "%.2f s / %.2f s = %.3f" % (c_aff["wall"], c_nai["wall"], rc))
        else:
            target("leaf change, cold: affected only <= %.2f x naive script" % T_LEAF_COLD, None,
                   "n/a (no affected-packages mode, or rows not run)")
        if w_aff and w_nai:
            target("leaf change, warm: affected only faster than naive script", w_aff["wall"] < w_nai["wall"],
                   "%.2f s vs %.2f s" % (w_aff["wall"], w_nai["wall"]))
        else:
            target("leaf change, warm: affected only faster than naive script", None, "n/a")

        shares = [(k, v["outside_share"]) for k, v in med.items()
                  if "outside_share" in v and not k.startswith("dense/")]
        if shares:
            worst = max(shares, key=lambda kv: kv[1])
            target("time outside the Go toolchain <= %d%% of escgate's wall time (every escgate row)" % (
                100 * T_OUTSIDE), worst[1] <= T_OUTSIDE,
                "worst %s %.1f%% (%.2f s)" % (worst[0], 100 * worst[1], med[worst[0]]["outside_seconds"]))
            # where the worst row's own time went, in its median run
            case, row, state = worst[0].split("/")
            rs = sorted((r for r in self.results if (r["case"], r["row"], r["state"]) == (case, row, state)),
                        key=lambda r: r["outside_share"])
            gaps = rs[len(rs) // 2]["own_time_gaps"]
            gap_note = ", ".join("%.0f ms %s" % (1000 * g[1], g[0]) for g in gaps if g[1] >= 0.0005)
        dense = [r for r in self.results if r["case"] == "dense"]
        if dense:
            rss = statistics.median(r["rss_self_kib"] for r in dense) / 1024
            found = dense[0].get("findings") or 0
            lines_extra = "escgate scan of %d findings (%d packages): %.1f MiB peak RSS (escgate's own), %.1f s" % (
                found, self.dense_manifest["packages"], rss, statistics.median(r["wall"] for r in dense))
            ok = rss <= T_RSS_MIB if found >= T_RSS_FINDINGS else None
            target("peak RSS <= %d MiB at %d findings" % (T_RSS_MIB, T_RSS_FINDINGS), ok,
                   lines_extra + ("" if found >= T_RSS_FINDINGS else " (fewer findings than the target's: n/a)"))
        for case in CASES:
            for state in ("cold", "warm"):
                for row in ("stored", "astored"):
                    g = get(case, row, state)
                    if g and not g["reused_stored"]:
                        lines.append("warning: %s %s %s did not reuse the stored base analysis" % (
                            case, row, state))
        lines.append("")
        lines.append("targets:")
        for t in targets:
            res = {True: "PASS", False: "MISS", None: "N/A "}[t["result"]]
            lines.append("  %s  %s: %s" % (res, t["target"], t["detail"]))
        if shares:
            lines.append("")
            lines.append("escgate's own time in %s (median run), between go runs: %s" % (
                worst[0], gap_note or "-"))
        if self.git_dirty:
            lines.append("")
            lines.append("note: measured with uncommitted changes in the working tree (commit %s)" % self.git_head[:12])
        loads = [r["load1_before"] for r in self.results]
        if loads and max(loads) > (os.cpu_count() or 1):
            lines.append("note: the load average reached %.1f during the benchmark (%d CPUs): other work "
                         "was running, timings may be inflated" % (max(loads), os.cpu_count() or 1))
        lines.append("total benchmark time: %.0f s" % (time.monotonic() - started))
        table = "\n".join(lines) + "\n"

        with open(os.path.join(OUT, "table.txt"), "w") as f:
            f.write(table)
        with open(os.path.join(OUT, "summary.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, fieldnames=list(csv_rows[0].keys()) if csv_rows else ["case"])
            w.writeheader()
            w.writerows(csv_rows)
        with open(os.path.join(OUT, "results.json"), "w") as f:
            json.dump({"info": info, "manifest": self.manifest,
                       "dense_manifest": getattr(self, "dense_manifest", None),
                       "medians": med, "targets": targets, "measurements": self.results}, f, indent=1)
            f.write("\n")
        sys.stdout.write(table)

    def info(self, started):
        return {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
                "machine": machine(), "go": self.go_version, "escgate_commit": self.git_head,
                "escgate_dirty": self.git_dirty, "escgate_sha256": self.escgate_sha,
                "has_full": self.has_full, "packages": PACKAGES, "runs": RUNS, "seed": SEED,
                "findings": FINDINGS, "cases": CASES, "rows": ROWS}


def fmt_ratio(r):
    return "%5.2f" % r if r is not None else "  n/a"


def main():
    started = time.monotonic()
    for c in CASES:
        if c not in CASE_LABEL:
            die("unknown case %r in BENCH_CASES (leaf, hub, gomod)" % c)
    for r in ROWS:
        if r not in ROW_LABEL:
            die("unknown row %r in BENCH_ROWS (gate, stored, affected, naive, astored)" % r)
    b = Bench()
    b.setup()
    log("bench: %d packages, %d runs, escgate %s%s, %s" % (
        PACKAGES, RUNS, b.git_head[:12], " (dirty)" if b.git_dirty else "",
        "affected-packages mode present" if b.has_full else "no --full: affected rows n/a"))
    b.generate()
    b.run_matrix()
    b.run_rss()
    b.report(started)
    if os.environ.get("BENCH_KEEP_WORK") != "1":
        rmtree(WORK)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        log("bench: interrupted (the work directory %s is left as it was)" % WORK)
        sys.exit(130)
