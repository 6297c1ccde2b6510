package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/newcitizens/rooted"

// class is where a package stands in the architecture.
type class int

const (
	// domain: what the city decides — types, rules, invariants. No I/O
	// beyond reading a file it is given the path of (a scheme, a
	// calendar); no adapter.
	domain class = iota + 1
	// adapter: one technology at the edge (SQL, HTTP, CSV/XLSX files,
	// generated files). It may use domain packages, never another adapter:
	// adapters talk through domain types, and cmd/rooted joins them.
	adapter
	// wiring: cmd/rooted, the only package that imports adapters
	// together (it hands one adapter's work to another through the
	// interfaces and function values the receiving one defines).
	wiring
	// testsupport: helpers for tests; no package's non-test code may
	// import one.
	testsupport
)

func (c class) String() string {
	return [...]string{"unplaced", "domain", "adapter", "wiring", "testsupport"}[c]
}

// packages places every package of the module. A new package fails
// TestEveryPackagePlaced until it has a row here: placing it is a decision
// for review, not a default.
var packages = map[string]class{
	"policies":          domain, // the shipped schemes and fact kinds, embedded
	"internal/date":     domain,
	"internal/ident":    domain,
	"internal/apperr":   domain,
	"internal/registry": domain,
	"internal/policy":   domain,
	"internal/points":   domain,
	"internal/calendar": domain,
	"internal/alloc":    domain,
	"internal/ledger":   domain,
	"internal/rounds":   domain,
	"internal/forecast": domain,
	"internal/auth":     domain,
	"internal/jobs":     domain,

	"internal/store":  adapter, // SQL: SQLite and PostgreSQL
	"internal/web":    adapter, // HTTP: the portal, the console, the API
	"internal/ingest": adapter, // CSV/XLSX files in, publication files out
	"internal/demo":   adapter, // writes a synthetic city as CSV files

	"cmd/rooted": wiring,

	"internal/store/pgtest": testsupport,
	"internal/archtest":     testsupport,
	"internal/golden":       testsupport, // golden files: compare, -update
}

// arriving are packages other branches of issue 12 bring, placed ahead of
// their merge: a row here may have no package yet. The lead moves each to
// packages once it has landed.
var arriving = map[string]class{
	"internal/msg":   domain, // the message catalogue, zh and en, embedded
	"internal/jsonx": domain, // streaming JSON scanning and appending
}

// classOf is where the package at path (inside the module) is placed; 0
// when it is not.
func classOf(r string) class {
	if c, ok := packages[r]; ok {
		return c
	}
	return arriving[r]
}

// forbiddenIO are the packages a domain package must not depend on, even
// indirectly: the network, a database driver, a spreadsheet library, a
// child process.
var forbiddenIO = []string{
	"net", "net/http", "os/exec", "database/sql",
	"modernc.org/sqlite", "github.com/jackc/pgx", "github.com/xuri/excelize",
}

// fileWrites are the functions of package os that change the file system.
// A domain package may read a file it is handed (a scheme, a calendar) but
// writes nothing: what it decides is returned, and an adapter stores it.
var fileWrites = []string{
	"Create", "CreateTemp", "OpenFile", "WriteFile", "Mkdir", "MkdirAll", "MkdirTemp",
	"Remove", "RemoveAll", "Rename", "Chmod", "Chown", "Chtimes", "Link", "Symlink", "Truncate",
}

// pkg is what `go list -json` says of one package.
type pkg struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Deps       []string // every package the non-test build needs, directly or not
}

// listPackages lists every package of the module.
//
// The rules below read Deps, which are of the non-test files only: a test
// may use another adapter (web's tests import files through ingest into a
// real store; rounds' tests run on a real store), because the standards
// ask for the real part wherever it can run rather than a stand-in. Test
// files are not linked into rooted, so they do not shape what depends on
// what in the product.
func listPackages(t *testing.T) []pkg {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -json %s/...: %v\n%s", module, err, stderr.Bytes())
	}
	var pkgs []pkg
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list -json: %v", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		t.Fatal("go list -json: no packages")
	}
	return pkgs
}

// rel is path inside the module; "" for a package outside it.
func rel(path string) string {
	r, ok := strings.CutPrefix(path, module+"/")
	if !ok {
		return ""
	}
	return r
}

func TestEveryPackagePlaced(t *testing.T) {
	seen := map[string]bool{}
	for _, p := range listPackages(t) {
		r := rel(p.ImportPath)
		seen[r] = true
		if classOf(r) == 0 {
			t.Errorf("%s is not placed in internal/archtest's table: add it as domain, adapter, wiring or testsupport", r)
		}
	}
	for r := range packages {
		if !seen[r] {
			t.Errorf("internal/archtest's table places %s, which no longer exists: remove its row", r)
		}
	}
}

func TestDomainHasNoIO(t *testing.T) {
	for _, p := range listPackages(t) {
		r := rel(p.ImportPath)
		if classOf(r) != domain {
			continue
		}
		for _, dep := range p.Deps {
			for _, f := range forbiddenIO {
				// net/netip and the like are values, not I/O: "net" is
				// forbidden alone.
				if dep == f || (f != "net" && strings.HasPrefix(dep, f+"/")) {
					t.Errorf("domain package %s depends on %s (I/O belongs in an adapter)", r, dep)
				}
			}
		}
		for _, w := range osWrites(t, p) {
			t.Errorf("domain package %s writes files: %s (return what it decides; an adapter stores it)", r, w)
		}
	}
}

// osWrites finds the uses of os's file-writing functions in p's non-test
// files, as "file:line: os.Name".
func osWrites(t *testing.T, p pkg) []string {
	t.Helper()
	var found []string
	fset := token.NewFileSet()
	for _, name := range p.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(p.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		osName := ""
		for _, im := range f.Imports {
			if path, _ := strconv.Unquote(im.Path.Value); path == "os" {
				osName = "os"
				if im.Name != nil {
					osName = im.Name.Name
				}
			}
		}
		if osName == "" {
			continue
		}
		ast.Inspect(f, func(n ast.Node) bool {
			sel, ok := n.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if id, ok := sel.X.(*ast.Ident); ok && id.Name == osName && slices.Contains(fileWrites, sel.Sel.Name) {
				pos := fset.Position(sel.Pos())
				found = append(found, filepath.Base(pos.Filename)+":"+strconv.Itoa(pos.Line)+": os."+sel.Sel.Name)
			}
			return true
		})
	}
	return found
}

// TestDependencyDirection: a domain package depends on no adapter, an
// adapter on no other adapter, and no package's non-test code on a test
// helper. Only cmd/rooted (wiring) joins adapters.
func TestDependencyDirection(t *testing.T) {
	for _, p := range listPackages(t) {
		r := rel(p.ImportPath)
		for _, dep := range p.Deps {
			d := rel(dep)
			if d == "" || d == r {
				continue
			}
			rc, dc := classOf(r), classOf(d)
			switch {
			case dc == testsupport:
				t.Errorf("%s %s imports the test helper %s outside its tests", rc, r, d)
			case rc == domain && dc == adapter:
				t.Errorf("domain package %s depends on the adapter %s", r, d)
			case rc == adapter && dc == adapter:
				t.Errorf("adapter %s depends on the adapter %s: adapters talk through domain types; define what %s needs as an interface or function in %s and let cmd/rooted join them",
					r, d, r, r)
			}
		}
	}
}

// docGoPending are the packages whose comment still sits in another file,
// each with the reason. Keep it empty: a row here is a debt.
var docGoPending = map[string]string{}

// TestEveryPackageHasDocGo: each package says what it owns, and what it
// must not do, in doc.go, so that its place in the map of the code is
// found in one file (README's "Code map" gathers them).
func TestEveryPackageHasDocGo(t *testing.T) {
	for _, p := range listPackages(t) {
		r := rel(p.ImportPath)
		if why, ok := docGoPending[r]; ok {
			t.Logf("%s: doc.go pending: %s", r, why)
			continue
		}
		if !slices.Contains(p.GoFiles, "doc.go") {
			t.Errorf("%s has no doc.go: write its package comment there (what it owns, what it must not do)", r)
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(p.Dir, "doc.go"), nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		if f.Doc == nil || strings.TrimSpace(f.Doc.Text()) == "" {
			t.Errorf("%s/doc.go has no package comment", r)
		}
	}
}
