// Command gen writes a synthetic Go repository for escgate's benchmark.
//
//	gen -out DIR [-packages 200] [-seed 1] [-manifest FILE]
//	gen -out DIR -findings 100000 [-seed 1] [-manifest FILE]
//
// The first form writes a module of N packages in a layered import graph
// (leaf utilities, mid-level libraries, cmd/* commands) and four commits:
//
//	main       the base
//	head-leaf  one line changed in a leaf package (few packages depend on it): adds an escape
//	head-hub   one line changed in the package most others import: adds an escape
//	head-gomod go.mod's go directive raised from 1.21 to 1.22
//
// The second form writes one commit (main) of independent packages dense
// with escapes and leaks, about the given number of findings in total.
//
// The output is a pure function of the flags: the same seed gives the same
// bytes and, because names and dates are pinned, the same commit ids.
// A manifest (JSON, to -manifest or stdout) names the commits and the
// packages the heads change.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

const module = "example.com/benchrepo"

// The commit dates: 2024-01-01T00:00:00Z, one minute more per commit.
const epoch = 1704067200

// rng is splitmix64: tiny, and its sequence cannot change under us.
type rng struct{ s uint64 }

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// chance reports true with probability p/100.
func (r *rng) chance(p int) bool { return r.intn(100) < p }

type pkg struct {
	idx     int
	layer   int // 0 leaf utilities, 1..3 libraries, 4 commands
	dir     string
	name    string
	imports []int // indices of the repository's packages it imports
	main    bool
}

// template is one kind of function: its text (%[1]d is a unique number in
// the package) and the standard packages it needs.
type template struct {
	text    string
	imports []string
	escapes bool
}

var templates = []template{
	{`// NewItem%[1]d returns the address of a local: it is moved to the heap.
func NewItem%[1]d(id int, name string) *Item {
	it := Item{ID: id + %[1]d, Name: name}
	return &it
}
`, nil, true},
	{`// Describe%[1]d boxes its arguments into interfaces for fmt.
func Describe%[1]d(id int, name string) string {
	return fmt.Sprint("item ", id, " ", name)
}
`, []string{"fmt"}, true},
	{`// Counter%[1]d returns a closure that captures n.
func Counter%[1]d(start int) func() int {
	n := start
	return func() int {
		n += %[1]d
		return n
	}
}
`, nil, true},
	{`// Emit%[1]d writes s through an interface: the conversion escapes, w leaks.
func Emit%[1]d(w io.Writer, s string) error {
	_, err := w.Write([]byte(s))
	return err
}
`, []string{"io"}, true},
	{`// Table%[1]d makes a slice whose size is not a constant.
func Table%[1]d(n int) []int {
	t := make([]int, n)
	for i := range t {
		t[i] = i * %[1]d
	}
	return t
}
`, nil, true},
	{`// Remember%[1]d keeps its argument in a package variable.
func Remember%[1]d(it *Item) {
	last = it
}
`, nil, true},
	{`// Pick%[1]d returns one of its parameters.
func Pick%[1]d(a, b *Item, first bool) *Item {
	if first {
		return a
	}
	return b
}
`, nil, true},
	{`// Label%[1]d builds a string.
func (it *Item) Label%[1]d() string {
	return it.Name + "#" + strconv.Itoa(it.ID+%[1]d)
}
`, []string{"strconv"}, true},
	{`// Check%[1]d returns a formatted error.
func Check%[1]d(n int) error {
	if n > %[1]d {
		return fmt.Errorf("value %%d too large", n)
	}
	return nil
}
`, []string{"fmt"}, true},
	{`// Collect%[1]d appends to a slice that outlives the call.
func Collect%[1]d(items []*Item, min int) []string {
	var out []string
	for _, it := range items {
		if it.ID >= min+%[1]d {
			out = append(out, it.Name)
		}
	}
	sort.Strings(out)
	return out
}
`, []string{"sort"}, true},
	{`// Sum%[1]d does not allocate.
func Sum%[1]d(xs []int) int {
	t := %[1]d
	for _, x := range xs {
		t += x
	}
	return t
}
`, nil, false},
	{`// Area%[1]d keeps its struct on the stack.
func Area%[1]d(w, h int) int {
	r := struct{ w, h int }{w, h + %[1]d}
	return r.w * r.h
}
`, nil, false},
	{`// Checksum%[1]d uses a fixed-size buffer on the stack.
func Checksum%[1]d(s string) int {
	var buf [64]byte
	n := copy(buf[:], s)
	c := %[1]d
	for _, b := range buf[:n] {
		c = c*31 + int(b)
	}
	return c
}
`, nil, false},
	{`// Score%[1]d is a value method: nothing escapes.
func (it Item) Score%[1]d() int {
	return it.ID*%[1]d + len(it.Name)
}
`, nil, false},
	{`// Match%[1]d only reads its arguments.
func Match%[1]d(s, prefix string) bool {
	return strings.HasPrefix(s, prefix) && len(s) > %[1]d
}
`, []string{"strings"}, false},
}

var fileWords = []string{"item", "format", "buffer", "cache", "encode", "decode", "index",
	"query", "store", "limit", "retry", "route", "parse", "event", "table", "stream"}

var layerNames = []string{"util", "core", "svc", "api", "cmd"}

// The leaf and hub packages' Probe: one line of it changes in the heads.
const probeBase = "\t_ = x\n"
const probeHead = "\tsink = &x\n"

type manifest struct {
	Mode     string            `json:"mode"`
	Seed     uint64            `json:"seed"`
	Packages int               `json:"packages"`
	Module   string            `json:"module"`
	Commits  map[string]string `json:"commits"`
	Leaf     *target           `json:"leaf,omitempty"`
	Hub      *target           `json:"hub,omitempty"`
	Funcs    int               `json:"functions"`
	Lines    int               `json:"lines"`
}

// target describes a changed package: how many packages import it directly,
// how many depend on it (transitively, itself included: the packages whose
// escape analysis a change to it can alter), and how many packages a build
// of those needs (their dependencies included).
type target struct {
	Package     string `json:"package"`
	File        string `json:"file"`
	Importers   int    `json:"importers"`
	Affected    int    `json:"affected"`
	BuildNeeded int    `json:"build_needed"`
}

type generator struct {
	r     *rng
	out   string
	pkgs  []*pkg
	funcs int
	lines int
}

func main() {
	out := flag.String("out", "", "directory to create (must not exist, or be empty)")
	npkg := flag.Int("packages", 200, "number of packages (graph mode)")
	seed := flag.Uint64("seed", 1, "seed")
	findings := flag.Int("findings", 0, "write the findings-dense repository with about this many findings instead")
	man := flag.String("manifest", "", "write the manifest here (default: stdout)")
	flag.Parse()
	if *out == "" || flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: gen -out DIR [-packages N | -findings N] [-seed S] [-manifest FILE]")
		os.Exit(2)
	}
	if *findings == 0 && *npkg < 6 {
		fatalf("-packages must be at least 6")
	}
	if ents, err := os.ReadDir(*out); err == nil && len(ents) > 0 {
		fatalf("%s exists and is not empty", *out)
	}
	abs, err := filepath.Abs(*out)
	if err != nil {
		fatalf("%v", err)
	}
	g := &generator{r: &rng{s: *seed}, out: abs}
	m := &manifest{Seed: *seed, Module: module, Commits: map[string]string{}}
	if *findings > 0 {
		m.Mode = "findings"
		g.dense(*findings)
		g.writeGoMod("1.21")
		g.git("init", "-q", "-b", "main", ".")
		g.commit(0, "base: findings-dense repository")
		m.Commits["base"] = g.rev("HEAD")
	} else {
		m.Mode = "graph"
		g.graph(*npkg)
		leaf, hub := g.targets()
		g.writeGoMod("1.21")
		for _, p := range g.pkgs {
			g.writePackage(p)
		}
		g.git("init", "-q", "-b", "main", ".")
		g.commit(0, "base")
		m.Commits["base"] = g.rev("HEAD")
		heads := []struct {
			name string
			edit func()
			msg  string
		}{
			{"head-leaf", func() { g.editProbe(leaf) }, "leaf: " + leaf.Package + ": Probe keeps x"},
			{"head-hub", func() { g.editProbe(hub) }, "hub: " + hub.Package + ": Probe keeps x"},
			{"head-gomod", func() { g.writeGoMod("1.22") }, "go.mod: go 1.22"},
		}
		for i, h := range heads {
			g.git("checkout", "-q", "-b", h.name, "main")
			h.edit()
			g.commit(i+1, h.msg)
			m.Commits[h.name] = g.rev("HEAD")
		}
		g.git("checkout", "-q", "main")
		m.Leaf, m.Hub = leaf, hub
	}
	// packed, as a CI job's clone is (a fetch brings one pack), not the
	// loose objects that commits made one by one leave
	g.git("repack", "-a", "-d", "-q")
	m.Packages = len(g.pkgs)
	m.Funcs, m.Lines = g.funcs, g.lines
	data, _ := json.MarshalIndent(m, "", "  ")
	data = append(data, '\n')
	if *man != "" {
		if err := os.WriteFile(*man, data, 0o644); err != nil {
			fatalf("%v", err)
		}
	} else {
		os.Stdout.Write(data)
	}
}

func fatalf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "gen: "+format+"\n", args...)
	os.Exit(1)
}

// graph lays out n packages: 2.5% commands, the rest in four layers
// (30% leaf utilities, 25%, 25%, 20%). util/base, the hub, is imported by
// most packages; every other package imports one to four packages of lower
// layers, preferring the layer just below and packages already popular.
func (g *generator) graph(n int) {
	ncmd := (n + 20) / 40
	if ncmd < 1 {
		ncmd = 1
	}
	rest := n - ncmd
	sizes := []int{rest * 30 / 100, rest * 25 / 100, rest * 25 / 100}
	sizes = append(sizes, rest-sizes[0]-sizes[1]-sizes[2])
	for i := range sizes {
		if sizes[i] < 1 {
			sizes[i] = 1
			sizes[3]--
		}
	}
	sizes = append(sizes, ncmd)
	byLayer := make([][]int, len(sizes))
	indeg := make([]int, n)
	for layer, size := range sizes {
		for j := 0; j < size; j++ {
			p := &pkg{idx: len(g.pkgs), layer: layer}
			switch {
			case layer == 0 && j == 0:
				p.dir, p.name = "util/base", "base"
			case layer == len(sizes)-1:
				p.dir, p.name, p.main = fmt.Sprintf("cmd/tool%02d", j), "main", true
			default:
				p.name = fmt.Sprintf("%s%03d", layerNames[layer][:1], j)
				p.dir = layerNames[layer] + "/" + p.name
			}
			if layer > 0 {
				want := 1 + g.r.intn(4)
				if p.main {
					want = 3 + g.r.intn(4)
				}
				seen := map[int]bool{}
				if !p.main && g.r.chance(70) {
					seen[0] = true
				}
				for tries := 0; len(seen) < want+1 && tries < 50; tries++ {
					from := layer - 1
					if !g.r.chance(60) {
						from = g.r.intn(layer)
					}
					cand := byLayer[from]
					total := 0
					for _, c := range cand {
						total += 1 + indeg[c]
					}
					pick := g.r.intn(total)
					for _, c := range cand {
						pick -= 1 + indeg[c]
						if pick < 0 {
							seen[c] = true
							break
						}
					}
				}
				for c := range seen {
					p.imports = append(p.imports, c)
				}
				sort.Ints(p.imports)
				for _, c := range p.imports {
					indeg[c]++
				}
			}
			byLayer[layer] = append(byLayer[layer], p.idx)
			g.pkgs = append(g.pkgs, p)
		}
	}
}

// closure returns the packages reachable from start along next, start included.
func closure(start []int, next func(int) []int) map[int]bool {
	seen := map[int]bool{}
	stack := append([]int(nil), start...)
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[p] {
			continue
		}
		seen[p] = true
		stack = append(stack, next(p)...)
	}
	return seen
}

// targets picks the packages the heads change. The hub is util/base. The
// leaf is the leaf utility (it imports nothing from the repository) with at
// least one importer that the fewest packages depend on, directly or not
// (ties: the fewest packages to build, then the first): a package at the
// edge of the graph.
func (g *generator) targets() (leaf, hub *target) {
	rdeps := make([][]int, len(g.pkgs))
	for _, p := range g.pkgs {
		for _, c := range p.imports {
			rdeps[c] = append(rdeps[c], p.idx)
		}
	}
	describe := func(i int) *target {
		aff := closure([]int{i}, func(p int) []int { return rdeps[p] })
		var affl []int
		for p := range aff {
			affl = append(affl, p)
		}
		need := closure(affl, func(p int) []int { return g.pkgs[p].imports })
		return &target{Package: module + "/" + g.pkgs[i].dir, File: g.pkgs[i].dir + "/" + g.pkgs[i].name + ".go",
			Importers: len(rdeps[i]), Affected: len(aff), BuildNeeded: len(need)}
	}
	hub = describe(0)
	for _, p := range g.pkgs {
		if p.layer != 0 || p.idx == 0 || len(rdeps[p.idx]) == 0 {
			continue
		}
		t := describe(p.idx)
		if leaf == nil || t.Affected < leaf.Affected ||
			(t.Affected == leaf.Affected && t.BuildNeeded < leaf.BuildNeeded) {
			leaf = t
		}
	}
	if leaf == nil { // tiny graphs: any leaf utility will do
		for _, p := range g.pkgs {
			if p.layer == 0 && p.idx != 0 {
				leaf = describe(p.idx)
				break
			}
		}
	}
	return leaf, hub
}

func (g *generator) write(rel, text string) {
	path := filepath.Join(g.out, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		fatalf("%v", err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		fatalf("%v", err)
	}
	g.lines += strings.Count(text, "\n")
}

func (g *generator) writeGoMod(goVersion string) {
	g.write("go.mod", fmt.Sprintf("module %s\n\ngo %s\n", module, goVersion))
}

// file assembles a Go file from its package clause, imports and body.
func file(doc, name string, imports map[string]bool, body string) string {
	var b strings.Builder
	b.WriteString(doc)
	fmt.Fprintf(&b, "package %s\n\n", name)
	if len(imports) > 0 {
		var list []string
		for i := range imports {
			list = append(list, i)
		}
		// standard library first, then the repository's, each sorted
		sort.Slice(list, func(i, j int) bool {
			si, sj := !strings.Contains(list[i], "."), !strings.Contains(list[j], ".")
			if si != sj {
				return si
			}
			return list[i] < list[j]
		})
		b.WriteString("import (\n")
		for k, i := range list {
			if k > 0 && strings.Contains(i, ".") && !strings.Contains(list[k-1], ".") {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "\t%q\n", i)
		}
		b.WriteString(")\n\n")
	}
	b.WriteString(body)
	return b.String()
}

// functions appends count functions drawn from the templates (about two
// in three escape or leak) and returns the standard imports they need.
func (g *generator) functions(b *strings.Builder, count int, next *int, imports map[string]bool) {
	for i := 0; i < count; i++ {
		var t template
		if g.r.chance(65) {
			t = templates[g.r.intn(10)]
		} else {
			t = templates[10+g.r.intn(len(templates)-10)]
		}
		*next++
		fmt.Fprintf(b, t.text, *next)
		b.WriteString("\n")
		for _, imp := range t.imports {
			imports[imp] = true
		}
		g.funcs++
	}
}

func (g *generator) writePackage(p *pkg) {
	next := 0
	// the package's main file: its types, its Probe and what it uses of its imports
	imports := map[string]bool{}
	var b strings.Builder
	if p.main {
		imports["fmt"] = true
		imports["os"] = true
	}
	for _, c := range p.imports {
		imports[module+"/"+g.pkgs[c].dir] = true
	}
	b.WriteString(`// Item is what this package's functions pass around.
type Item struct {
	ID   int
	Name string
	Tags []string
}

var (
	last *Item
	sink *int
)

// Name is the package's name, used by Weight.
const Name = "` + p.dir + `"

// Probe is small enough to be inlined into its callers.
func Probe(v int) int {
	x := v*3 + 1
` + probeBase + `	return x
}

// Weight uses every package this one imports.
func Weight() int {
	w := len(Name)
`)
	for _, c := range p.imports {
		fmt.Fprintf(&b, "\tw += %s.Weight()\n\tw = %s.Probe(w)\n", g.pkgs[c].name, g.pkgs[c].name)
	}
	b.WriteString("\treturn w\n}\n")
	if p.main {
		b.WriteString("\nfunc main() {\n\tfmt.Fprintln(os.Stdout, Name, Weight(), Probe(1))\n}\n")
	}
	b.WriteString("\n")
	g.functions(&b, 2+g.r.intn(3), &next, imports)
	doc := ""
	if !p.main {
		doc = fmt.Sprintf("// Package %s is generated for escgate's benchmark.\n", p.name)
	}
	g.write(p.dir+"/"+p.name+".go", strings.TrimRight(file(doc, p.name, imports, b.String()), "\n")+"\n")

	nfiles := 1 + g.r.intn(3)
	words := append([]string(nil), fileWords...)
	for f := 0; f < nfiles; f++ {
		w := g.r.intn(len(words))
		word := words[w]
		words = append(words[:w], words[w+1:]...)
		imports := map[string]bool{}
		var b strings.Builder
		g.functions(&b, 4+g.r.intn(5), &next, imports)
		g.write(p.dir+"/"+word+".go", strings.TrimRight(file("", p.name, imports, b.String()), "\n")+"\n")
	}
}

// editProbe makes the one-line change of a head: Probe's x escapes.
func (g *generator) editProbe(t *target) {
	path := filepath.Join(g.out, filepath.FromSlash(t.File))
	data, err := os.ReadFile(path)
	if err != nil {
		fatalf("%v", err)
	}
	text := string(data)
	if strings.Count(text, probeBase) != 1 {
		fatalf("%s: Probe's line not found exactly once", t.File)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(text, probeBase, probeHead, 1)), 0o644); err != nil {
		fatalf("%v", err)
	}
}

// dense writes independent packages of escaping functions only: 20 files
// of 25 functions each, as many packages as the wanted findings need
// (each escaping template gives about two findings: 1.96 with Go 1.26).
func (g *generator) dense(findings int) {
	const files, perFile = 20, 25
	const perFunc = 1.9 // measured: 1.96 with Go 1.26; aim a little over
	npkg := int(float64(findings)/(files*perFile*perFunc) + 0.999)
	for i := 0; i < npkg; i++ {
		p := &pkg{idx: i, dir: fmt.Sprintf("dense/d%03d", i), name: fmt.Sprintf("d%03d", i)}
		g.pkgs = append(g.pkgs, p)
		next := 0
		for f := 0; f < files; f++ {
			imports := map[string]bool{}
			var b strings.Builder
			if f == 0 {
				b.WriteString("type Item struct {\n\tID   int\n\tName string\n}\n\nvar last *Item\n\n")
			}
			for k := 0; k < perFile; k++ {
				t := templates[g.r.intn(10)]
				next++
				fmt.Fprintf(&b, t.text, next)
				b.WriteString("\n")
				for _, imp := range t.imports {
					imports[imp] = true
				}
				g.funcs++
			}
			g.write(fmt.Sprintf("%s/f%02d.go", p.dir, f), strings.TrimRight(file("", p.name, imports, b.String()), "\n")+"\n")
		}
	}
}

// git runs git in the output directory with a pinned identity, dates and
// configuration, so that commit ids depend on nothing but the content.
func (g *generator) git(args ...string) string {
	return g.gitAt(0, args...)
}

func (g *generator) gitAt(n int, args ...string) string {
	cmd := exec.Command("git", args...)
	cmd.Dir = g.out
	date := fmt.Sprintf("@%d +0000", epoch+60*n)
	env := []string{}
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, "GIT_") {
			env = append(env, e)
		}
	}
	cmd.Env = append(env,
		"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null",
		"GIT_AUTHOR_NAME=escgate bench", "GIT_AUTHOR_EMAIL=bench@example.com",
		"GIT_COMMITTER_NAME=escgate bench", "GIT_COMMITTER_EMAIL=bench@example.com",
		"GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		fatalf("git %s: %v", strings.Join(args, " "), err)
	}
	return strings.TrimSpace(string(out))
}

func (g *generator) commit(n int, msg string) {
	g.gitAt(n, "add", "-A")
	g.gitAt(n, "-c", "commit.gpgsign=false", "commit", "-q", "-m", msg)
}

func (g *generator) rev(r string) string { return g.git("rev-parse", r) }
