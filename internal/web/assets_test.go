package web

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/forecast"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/rounds"
)

// TestVendorChecksums checks that every vendored asset listed in
// static/vendor/VERSIONS is embedded with the recorded SHA-256, and that
// nothing unlisted is embedded there; and the same of the test assets in
// testdata/axe, which are not embedded.
func TestVendorChecksums(t *testing.T) {
	static, err := fs.Sub(staticFS, "static/vendor")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		fsys  fs.FS
		files []string // what VERSIONS must list at least
	}{
		{"static/vendor", static, []string{"htmx.min.js", "echarts.min.js"}},
		{"testdata/axe", os.DirFS("testdata/axe"), []string{"axe.min.js"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			listed := checkVersions(t, tt.fsys)
			for _, f := range tt.files {
				if !listed[f] {
					t.Errorf("VERSIONS does not list %s", f)
				}
			}
		})
	}
}

// checkVersions checks that each file listed in fsys's VERSIONS (lines of
// name version file sha256, as scripts/vendor-assets.sh writes them) has
// the recorded SHA-256, and that fsys holds no file it does not list. It
// returns the files listed.
func checkVersions(t *testing.T, fsys fs.FS) map[string]bool {
	t.Helper()
	f, err := fsys.Open("VERSIONS")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 4 {
			t.Fatalf("VERSIONS line %q: want name version file sha256", line)
		}
		name, version, file, sum := fields[0], fields[1], fields[2], fields[3]
		b, err := fs.ReadFile(fsys, file)
		if err != nil {
			t.Errorf("%s %s: %v", name, version, err)
			continue
		}
		got := sha256.Sum256(b)
		if hex.EncodeToString(got[:]) != sum {
			t.Errorf("%s %s: %s has SHA-256 %x, VERSIONS says %s", name, version, file, got, sum)
		}
		listed[file] = true
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != "VERSIONS" && !listed[e.Name()] {
			t.Errorf("%s is not in VERSIONS", e.Name())
		}
	}
	return listed
}

// TestTemplatesParse parses every page with the layout and checks that
// each page says which language it is in.
func TestTemplatesParse(t *testing.T) {
	pages := mustParsePages()
	files, _ := pageFiles()
	if len(pages) != len(files) || len(files) < 15 {
		t.Errorf("%d pages parsed of %d files", len(pages), len(files))
	}
	for name, tmpl := range pages {
		if tmpl.Lookup("content") == nil {
			t.Errorf("%s defines no content", name)
		}
	}
	layout, _ := templateFS.ReadFile("templates/layout.html")
	if !strings.Contains(string(layout), `<html lang="{{.Lang}}">`) {
		t.Error("layout has no lang attribute")
	}
}

// keyUse finds catalogue keys used in templates ({{.T "key"}}) and in Go
// string literals of a catalogue namespace.
var (
	templateKey = regexp.MustCompile(`\.T "([^"]+)"`)
	goKey       = regexp.MustCompile(`"([a-z0-9_]+\.[a-z0-9_.]*[a-z0-9_])"`)
	// opArg is the operation of an apperr.E or WrapE ("round.close"): a
	// name for the log, not a catalogue key, though it looks like one.
	opArg = regexp.MustCompile(`apperr\.(?:E|WrapE)\(\s*"[^"]*"`)
)

// TestCatalogueComplete fails when a template or Go file of the web uses
// a key the catalogue lacks (msg.TestCatalogue checks the languages and
// the keys nothing uses). Keys built at run time (roles, sexes, levels, warnings…) are
// checked from their sources.
func TestCatalogueComplete(t *testing.T) {
	namespaces := map[string]bool{}
	for _, k := range msg.Keys("") {
		ns, _, _ := strings.Cut(k, ".")
		namespaces[ns] = true
	}
	used := map[string]string{} // key → where
	tmpls, _ := fs.Glob(templateFS, "templates/*.html")
	for _, name := range tmpls {
		b, _ := templateFS.ReadFile(name)
		for _, m := range templateKey.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = name
		}
	}
	gofiles, _ := filepath.Glob("*.go")
	for _, name := range gofiles {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range goKey.FindAllStringSubmatch(opArg.ReplaceAllString(string(b), "apperr.E("), -1) {
			ns, _, _ := strings.Cut(m[1], ".")
			if namespaces[ns] && !strings.HasSuffix(m[1], ".html") && !strings.HasSuffix(m[1], ".json") && !strings.HasSuffix(m[1], ".yaml") {
				used[m[1]] = name
			}
		}
	}
	// Keys made at run time.
	for _, r := range append(slices.Clone(auth.OfficerRoles), auth.Citizen) {
		used["role."+string(r)] = "auth.Role"
	}
	for _, k := range []string{"sex.male", "sex.female", "permit.active", "permit.lapsed",
		"warning.green", "warning.yellow", "warning.red", "status.submitted", "status.allocated", "status.waiting", "status.refused",
		"residence.rented", "residence.dormitory", "residence.owned", "residence.relative", "residence.other",
		"err.status.400", "err.status.403", "err.status.404", "err.status.409", "err.status.429", "err.status.500"} {
		used[k] = "run time"
	}
	for _, k := range rounds.Kinds {
		used["kind."+string(k)] = "rounds.Kinds"
	}
	for _, st := range []rounds.Status{rounds.Draft, rounds.Open, rounds.Closed, rounds.Allocated, rounds.Published, rounds.Final} {
		used["rstatus."+string(st)] = "rounds statuses"
	}
	for _, k := range []string{"status.unplaced", "round.step_open", "round.step_close", "round.step_allocate"} {
		used[k] = "run time"
	}
	for _, l := range forecast.Levels {
		used["level."+l.Code] = "forecast.Levels"
	}
	for _, n := range officerNav {
		used[n.key] = "officerNav"
	}
	for _, n := range citizenNav {
		used[n.key] = "citizenNav"
	}
	for k, where := range used {
		if !msg.Has(k) {
			t.Errorf("%s uses key %q, which is not in the catalogue", where, k)
		}
	}
	if len(used) < 100 {
		t.Errorf("only %d keys found in use; is the key pattern right?", len(used))
	}
}
