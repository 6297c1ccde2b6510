package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/store/pgtest"
)

func TestMain(m *testing.M) {
	// The test binary doubles as the rooted binary for tests that need a
	// separate process (kill -9 in the middle of an import).
	if os.Getenv("ROOTED_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	pgtest.Main(m)
}

// rooted runs the command line in-process and returns its output and exit
// status.
func rooted(t *testing.T, args ...string) (stdout, stderr string, status int) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	status = exitStatus(err, &errb)
	return out.String(), errb.String(), status
}

// mustWrite writes a test's fixture file; a failed write fails the test.
func mustWrite(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

// mustJSON decodes the output of a command into v; output that does not
// decode fails the test, naming what it was.
func mustJSON(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%v in output:\n%s", err, out)
	}
}

func mustRooted(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, status := rooted(t, args...)
	if status != 0 {
		t.Fatalf("rooted %s: exit %d\nstderr: %s", strings.Join(args, " "), status, errOut)
	}
	return out
}

// engines returns a fresh database DSN for each engine under test.
func engines(t *testing.T) map[string]func(t *testing.T) string {
	return map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "rooted.db") },
		"postgres": func(t *testing.T) string { return pgtest.DSN(t) },
	}
}

func stats(t *testing.T, db string) map[string]int64 {
	t.Helper()
	var m map[string]int64
	if err := json.Unmarshal([]byte(mustRooted(t, "stats", "--db", db)), &m); err != nil {
		t.Fatalf("stats: %v", err)
	}
	return m
}

type importSummary struct {
	Files []struct {
		File           string `json:"file"`
		Kind           string `json:"kind"`
		Read           int    `json:"read"`
		Accepted       int    `json:"accepted"`
		Quarantined    int    `json:"quarantined"`
		QuarantineFile string `json:"quarantine_file"`
		Changed        int64  `json:"changed"`
	} `json:"files"`
}

func TestUsage(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		status int
	}{
		{nil, 2},
		{[]string{"nonsense"}, 2},
		{[]string{"help"}, 0},
		{[]string{"import"}, 2},
		{[]string{"gen", "--persons", "10"}, 2},
		{[]string{"permits", "--as-of", "2026-02-30"}, 2},
		{[]string{"stats", "--bogus"}, 2},
	} {
		if _, errOut, status := rooted(t, tt.args...); status != tt.status {
			t.Errorf("rooted %v: exit %d, want %d (stderr %q)", tt.args, status, tt.status, errOut)
		}
	}
	for _, c := range commands() {
		if out, _, status := rooted(t, c.name, "-h"); status != 0 || !strings.Contains(out, "usage: rooted "+c.name) {
			t.Errorf("rooted %s -h: exit %d, output %q", c.name, status, out)
		}
	}
}

func TestImportConformanceExample(t *testing.T) {
	db := filepath.Join(t.TempDir(), "c.db")
	q := filepath.Join(t.TempDir(), "q")
	out := mustRooted(t, "import", "--db", db, "--quarantine", q, "testdata/import-persons.csv")
	var s importSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("summary %q: %v", out, err)
	}
	f := s.Files[0]
	if f.Read != 7 || f.Accepted != 4 || f.Quarantined != 3 {
		t.Errorf("read/accepted/quarantined = %d/%d/%d, want 7/4/3", f.Read, f.Accepted, f.Quarantined)
	}
	if _, err := os.Stat(f.QuarantineFile); err != nil {
		t.Errorf("quarantine file: %v", err)
	}
}

// TestCityRoundTrip generates a small city, imports it into each engine,
// checks that it reconciles and that a second import and a second permits
// run change nothing.
func TestCityRoundTrip(t *testing.T) {
	dir := t.TempDir()
	var manifest struct {
		Persons int            `json:"persons"`
		Files   map[string]int `json:"files"`
	}
	if err := json.Unmarshal([]byte(mustRooted(t, "gen", "--persons", "3000", "--seed", "7", "--as-of", "2026-11-29", "--out", dir)), &manifest); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	if len(files) != len(manifest.Files) {
		t.Fatalf("%d csv files, manifest lists %d", len(files), len(manifest.Files))
	}
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			db := open(t)
			mustRooted(t, "migrate", "--sandbox", "--db", db) // permits as of the city's day
			args := append([]string{"import", "--db", db, "--quarantine", t.TempDir()}, files...)
			var first, second importSummary
			mustJSON(t, mustRooted(t, args...), &first)
			for _, f := range first.Files {
				if want := manifest.Files[f.File]; f.Read != want || f.Accepted != want || f.Quarantined != 0 {
					t.Errorf("%s: read %d accepted %d quarantined %d, manifest %d", f.File, f.Read, f.Accepted, f.Quarantined, want)
				}
			}
			before := stats(t, db)
			if before["persons"] != int64(manifest.Persons) {
				t.Errorf("stats persons %d, manifest %d", before["persons"], manifest.Persons)
			}
			mustJSON(t, mustRooted(t, args...), &second)
			for _, f := range second.Files {
				if f.Changed != 0 {
					t.Errorf("re-import of %s changed %d rows", f.File, f.Changed)
				}
			}
			after := stats(t, db)
			for _, k := range []string{"persons", "residences", "jobs", "insurance", "facts", "guardians"} {
				if before[k] != after[k] {
					t.Errorf("re-import changed %s: %d → %d", k, before[k], after[k])
				}
			}

			var p1, p2 struct{ Issued, Endorsed, Lapsed, Active int }
			mustJSON(t, mustRooted(t, "permits", "--db", db, "--as-of", "2026-11-29"), &p1)
			if p1.Issued == 0 || p1.Active == 0 {
				t.Errorf("first permits run issued %d, active %d", p1.Issued, p1.Active)
			}
			mustJSON(t, mustRooted(t, "permits", "--db", db, "--as-of", "2026-11-29"), &p2)
			if p2.Issued+p2.Endorsed+p2.Lapsed != 0 || p2.Active != p1.Active {
				t.Errorf("second permits run changed: %+v (first %+v)", p2, p1)
			}
		})
	}
}

func TestUnreadableFileWritesNothing(t *testing.T) {
	db := filepath.Join(t.TempDir(), "r.db")
	bad := filepath.Join(t.TempDir(), "notes.csv")
	mustWrite(t, bad, "colour,size\nred,3\n")
	for _, files := range [][]string{
		{"testdata/import-persons.csv", "testdata/missing.csv"},
		{"testdata/import-persons.csv", bad},
	} {
		_, errOut, status := rooted(t, append([]string{"import", "--db", db}, files...)...)
		if status != 2 {
			t.Errorf("import %v: exit %d, want 2", files, status)
		}
		if !strings.Contains(errOut, filepath.Base(files[1])) {
			t.Errorf("error does not name the file: %q", errOut)
		}
		if n := stats(t, db)["persons"]; n != 0 {
			t.Errorf("import %v wrote %d persons", files, n)
		}
	}
}

// TestKillMidImport kills an import process in the middle of a large file
// and checks that the registry is as it was before that file.
func TestKillMidImport(t *testing.T) {
	if testing.Short() {
		t.Skip("large file")
	}
	dir := t.TempDir()
	db := filepath.Join(dir, "k.db")
	mustRooted(t, "import", "--db", db, "testdata/import-persons.csv")
	before := stats(t, db)

	big := filepath.Join(dir, "big.csv")
	writePersons(t, big, 400000)
	// A small page cache for the child makes the uncommitted transaction
	// spill into the write-ahead log early, which is what the test waits for.
	cmd := exec.Command(os.Args[0], "import", "--db", db+"?_pragma=cache_size(-512)", big)
	cmd.Env = append(os.Environ(), "ROOTED_TEST_AS_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the transaction has spilled pages into the write-ahead
	// log: the import is under way and not committed.
	deadline := time.Now().Add(5 * time.Minute)
	for {
		if fi, err := os.Stat(db + "-wal"); err == nil && fi.Size() > 1<<20 {
			break
		}
		if time.Now().After(deadline) {
			if err := cmd.Process.Kill(); err != nil {
				t.Errorf("kill the import: %v", err)
			}
			t.Fatalf("import never started writing (it ended: %v)", cmd.Wait())
		}
		time.Sleep(20 * time.Millisecond)
	}
	killErr := cmd.Process.Signal(syscall.SIGKILL)
	waitErr := cmd.Wait()
	if ps := cmd.ProcessState; ps != nil && ps.Success() {
		t.Fatal("the import finished before it was killed; the test proved nothing")
	}
	if killErr != nil {
		t.Fatalf("kill -9 the import: %v", killErr)
	}
	// Killed, it ends with an exit error (signal: killed); any other
	// error is the test's own failure to wait for it.
	var ee *exec.ExitError
	if !errors.As(waitErr, &ee) {
		t.Fatalf("wait for the killed import: %v", waitErr)
	}
	after := stats(t, db)
	if after["persons"] != before["persons"] || after["imports"] != before["imports"] {
		t.Errorf("after kill -9: persons %d → %d, imports %d → %d", before["persons"], after["persons"], before["imports"], after["imports"])
	}
	// And the file imports whole afterwards.
	var s importSummary
	mustJSON(t, mustRooted(t, "import", "--db", db, big), &s)
	if s.Files[0].Accepted != 400000 || stats(t, db)["persons"] != before["persons"]+400000 {
		t.Errorf("re-import after kill: %+v", s.Files[0])
	}
}

func writePersons(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "id_number,name,education")
	for i := 0; i < n; i++ {
		birth := fmt.Sprintf("19%02d%02d%02d", 60+i%40, 1+i%12, 1+i%28)
		body := fmt.Sprintf("522425%s%03d", birth, i/840%1000) // 840 distinct birth dates a cycle
		fmt.Fprintf(w, "%s%c,测试%d,junior\n", body, ident.IDCheckChar(body), i)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestServe(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	dir := t.TempDir()
	mustRooted(t, "gen", "--persons", "500", "--out", dir)
	files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	mustRooted(t, append([]string{"import", "--db", db}, files...)...)

	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	}()
	var base string
	// Up to a minute: a loaded machine (tests of other packages, -race)
	// may take seconds to open the database and listen.
	for i := 0; i < 6000 && base == ""; i++ {
		if _, rest, ok := strings.Cut(out.String(), "http://"); ok {
			base = "http://" + strings.TrimSpace(rest)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if base == "" {
		cancel()
		t.Fatalf("server did not print its URL; stderr %s", errOut.String())
	}
	get := func(path string) (int, string) {
		resp, err := http.Get(strings.TrimSuffix(base, "/") + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("/healthz: %d %q", code, body)
	}
	// The figures are computed in the background once the server is up;
	// until then the API answers 503 with Retry-After.
	code, body := get("/api/v1/figures")
	for deadline := time.Now().Add(time.Minute); code == http.StatusServiceUnavailable && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		code, body = get("/api/v1/figures")
	}
	var fig struct {
		Total  int64 `json:"total"`
		ByTown []struct {
			Label string `json:"label"`
			N     int64  `json:"n"`
		} `json:"by_town"`
	}
	if err := json.Unmarshal([]byte(body), &fig); code != 200 || err != nil || fig.Total == 0 || len(fig.ByTown) != 16 {
		t.Errorf("/api/v1/figures: %d %v %s", code, err, body)
	}
	if code, body := get("/"); code != 200 || !strings.Contains(body, "新市民") || !strings.Contains(body, "泽国镇") {
		t.Errorf("home page: %d, missing Chinese figures", code)
	}
	if code, _ := get("/api/v1/persons/1"); code != 404 {
		t.Errorf("/api/v1/persons/1: %d, want 404 (nothing personal before sign-in)", code)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v", err)
	}
}
