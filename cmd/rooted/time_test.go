package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ledger"
	"github.com/newcitizens/rooted/internal/msg"
	_ "modernc.org/sqlite"
)

// plainCityDB imports the generated city into a fresh database that is not
// a sandbox and issues permits today: every step on the real clock.
func plainCityDB(t *testing.T, open func(t *testing.T) string) string {
	t.Helper()
	_, files := cityFiles(t)
	db := open(t)
	mustRooted(t, append([]string{"import", "--db", db, "--quarantine", t.TempDir()}, files...)...)
	mustRooted(t, "permits", "--db", db)
	return db
}

// TestAsOfRefusedOnARealRegistry: on a database that is not a sandbox,
// every step that changes a round refuses --as-of (exit 2, saying why,
// nothing written); the steps take today; publish opens the 公示 window
// today, and finalize is refused until it has ended. Questions (show,
// results) still take --as-of. The same --as-of is accepted on a sandbox.
func TestAsOfRefusedOnARealRegistry(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			db := plainCityDB(t, open)
			r := func(args ...string) string { return mustRooted(t, append(args, "--db", db)...) }
			refused := func(args ...string) {
				t.Helper()
				_, errOut, status := rooted(t, append(args, "--db", db)...)
				if status != 2 || !strings.Contains(errOut, "--as-of is refused") || !strings.Contains(errOut, "sandbox") {
					t.Errorf("rooted %s: exit %d, stderr %q; want 2 and why --as-of is refused", strings.Join(args, " "), status, errOut)
				}
			}
			refused("round", "create", "--kind", "grade1", "--name", "一年级", "--seat-share", "0.023", "--id", "g1", "--as-of", "2026-02-08")
			if out := r("round", "list"); out != "" {
				t.Fatalf("a refused create wrote a round: %s", out)
			}
			r("round", "create", "--kind", "grade1", "--name", "一年级", "--seat-share", "0.023", "--id", "g1")
			refused("round", "open", "g1", "--as-of", "2026-02-08")
			r("round", "open", "g1")
			r("round", "apply-all", "g1")
			r("round", "close", "g1")
			r("round", "allocate", "g1")
			out := t.TempDir()
			refused("round", "publish", "g1", "--out", out, "--as-of", "2026-10-01")
			if files, _ := filepath.Glob(filepath.Join(out, "*")); len(files) != 0 {
				t.Errorf("a refused publish wrote %v", files)
			}
			pub := decode[struct {
				PublishedOn string `json:"published_on"`
				WindowEnds  string `json:"window_ends"`
			}](t, r("round", "publish", "g1", "--out", out))
			if today := date.Today().String(); pub.PublishedOn != today || pub.WindowEnds <= today {
				t.Errorf("published on %s, window ends %s; want the window to start today (%s)", pub.PublishedOn, pub.WindowEnds, today)
			}
			refused("round", "finalize", "g1", "--as-of", "2027-06-01")
			if _, errOut, status := rooted(t, "round", "finalize", "g1", "--db", db); status != 1 || !strings.Contains(errOut, "runs until "+pub.WindowEnds) {
				t.Errorf("finalize inside the 公示 window: exit %d, %q; want 1 and the window's end", status, errOut)
			}
			// Questions take --as-of.
			if sh := decode[roundShow](t, r("round", "show", "g1", "--as-of", "2027-06-01")); sh.Status != "published" {
				t.Errorf("show --as-of: status %s, want published", sh.Status)
			}
			// The chain is in time order and dated today: verify passes.
			exp := filepath.Join(t.TempDir(), "g1.json")
			r("round", "export", "g1", "--out", exp)
			mustRooted(t, "verify", exp)
		})
	}
	// A sandbox takes --as-of.
	db := filepath.Join(t.TempDir(), "s.db")
	mustRooted(t, "migrate", "--sandbox", "--db", db)
	mustRooted(t, "round", "create", "--kind", "public_rental", "--name", "公租房", "--id", "g1", "--units", "one_bedroom=2", "--as-of", "2026-02-08", "--db", db)
	mustRooted(t, "round", "open", "g1", "--as-of", "2026-02-09", "--db", db)
}

// TestLedgerOutOfTimeOrder: a step dated before the round's last entry is
// refused even on a sandbox, and verify reports an entry back-dated or
// dated after now that someone wrote into the database, hashes resealed.
func TestLedgerOutOfTimeOrder(t *testing.T) {
	db := filepath.Join(t.TempDir(), "s.db")
	mustRooted(t, "migrate", "--sandbox", "--db", db)
	r := func(args ...string) string { return mustRooted(t, append(args, "--db", db)...) }
	r("round", "create", "--kind", "public_rental", "--name", "公租房", "--id", "g1", "--units", "one_bedroom=2", "--as-of", "2026-02-08")
	r("round", "open", "g1", "--as-of", "2026-02-10")
	if _, errOut, status := rooted(t, "round", "close", "g1", "--as-of", "2026-02-09", "--db", db); status != 1 || !strings.Contains(errOut, "dated before") {
		t.Errorf("a step dated before the last entry: exit %d, %q; want 1, refused", status, errOut)
	}
	r("round", "close", "g1", "--as-of", "2026-02-11")
	r("round", "allocate", "g1", "--as-of", "2026-02-12")
	exp := filepath.Join(t.TempDir(), "g1.json")
	r("round", "export", "g1", "--out", exp)
	mustRooted(t, "verify", exp)

	for _, tt := range []struct {
		name string
		seq  int64
		at   func(es []ledger.Entry) time.Time
		want string
	}{
		{"back-dated", 2, func(es []ledger.Entry) time.Time { return es[0].At.Add(-time.Hour) }, "(the previous entry)"},
		{"future", 4, func([]ledger.Entry) time.Time { return time.Now().AddDate(0, 6, 0) }, "(now)"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tampered := filepath.Join(t.TempDir(), "t.db")
			copyFile(t, db, tampered)
			rewriteLedger(t, tampered, "g1", tt.seq, tt.at)
			exp := filepath.Join(t.TempDir(), "g1.json")
			mustRooted(t, "round", "export", "g1", "--out", exp, "--db", tampered)
			_, errOut, status := rooted(t, "verify", exp)
			if status != 1 || !strings.Contains(errOut, "at is ") || !strings.Contains(errOut, tt.want) {
				t.Errorf("verify of a chain with an entry %s: exit %d, %q; want 1 naming its time", tt.name, status, errOut)
			}
		})
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// rewriteLedger dates entry seq of round at at(entries) in a SQLite
// database and reseals the chain from there, as someone with write access
// to the database would: every hash then checks.
func rewriteLedger(t *testing.T, file, round string, seq int64, at func([]ledger.Entry) time.Time) {
	t.Helper()
	db, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// The chain is read, and its rows closed, before the writes below.
	read := func() ([]ledger.Entry, error) {
		rows, err := db.Query(`SELECT seq, kind, at, payload, payload_sha256, prev_hash, hash FROM ledger WHERE round_id = ? ORDER BY seq`, round)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var es []ledger.Entry
		for rows.Next() {
			e := ledger.Entry{Round: round}
			var when, payload string
			if err := rows.Scan(&e.Seq, &e.Kind, &when, &payload, &e.PayloadSHA256, &e.PrevHash, &e.Hash); err != nil {
				return nil, err
			}
			if e.At, err = time.Parse(time.RFC3339Nano, when); err != nil {
				return nil, err
			}
			e.Payload = []byte(payload)
			es = append(es, e)
		}
		return es, rows.Err()
	}
	es, err := read()
	if err != nil {
		t.Fatal(err)
	}
	es[seq-1].At = at(es).UTC().Truncate(time.Microsecond)
	for i := seq - 1; i < int64(len(es)); i++ {
		if i > 0 {
			es[i].PrevHash = es[i-1].Hash
		}
		es[i].Hash = es[i].ComputeHash()
	}
	if _, err := db.Exec(`DROP TRIGGER ledger_no_update`); err != nil {
		t.Fatal(err)
	}
	for _, e := range es[seq-1:] {
		if _, err := db.Exec(`UPDATE ledger SET at = ?, prev_hash = ?, hash = ? WHERE round_id = ? AND seq = ?`,
			ledger.FormatTime(e.At), e.PrevHash, e.Hash, round, e.Seq); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPermitsAsOfIsADryRun: permits --as-of on a registry that is not a
// sandbox writes nothing and answers as of that day: the permits active
// then are the ones a sandbox issued as of that day finds, not today's.
func TestPermitsAsOfIsADryRun(t *testing.T) {
	db := plainCityDB(t, engines(t)["sqlite"])
	before := stats(t, db)
	today := decode[struct{ Active int }](t, mustRooted(t, "permits", "--db", db, "--dry-run"))
	past := decode[struct {
		AsOf   string `json:"as_of"`
		DryRun bool   `json:"dry_run"`
		Active int
	}](t, mustRooted(t, "permits", "--db", db, "--as-of", "2024-01-01"))
	if after := stats(t, db); after["permits"] != before["permits"] || after["permit_events"] != before["permit_events"] {
		t.Errorf("permits --as-of wrote: %v → %v", before, after)
	}
	if !past.DryRun || past.AsOf != "2024-01-01" || past.Active >= today.Active || today.Active != int(before["permits"]) && today.Active == 0 {
		t.Errorf("permits --as-of 2024-01-01 = %+v, today %+v; want a dry run with fewer active permits", past, today)
	}
	// A sandbox run as of that day: the same active count.
	_, files := cityFiles(t)
	sb := filepath.Join(t.TempDir(), "sb.db")
	mustRooted(t, "migrate", "--sandbox", "--db", sb)
	mustRooted(t, append([]string{"import", "--db", sb, "--quarantine", t.TempDir()}, files...)...)
	run := decode[struct{ Active int }](t, mustRooted(t, "permits", "--db", sb, "--as-of", "2024-01-01"))
	if run.Active != past.Active {
		t.Errorf("dry run as of 2024-01-01: %d active; a sandbox run as of that day: %d", past.Active, run.Active)
	}
}

// TestApplyFlagsAndDuplicate: round apply takes its flags before or after
// the round, and a second application for the same person is refused in
// the catalogue's sentence, not the database driver's.
func TestApplyFlagsAndDuplicate(t *testing.T) {
	db := cityDB(t, engines(t)["sqlite"])
	r := func(args ...string) string { return mustRooted(t, append(args, "--db", db)...) }
	r("round", "create", "--kind", "grade1", "--name", "一年级", "--seat-share", "0.023", "--id", "g1", "--as-of", "2026-02-08")
	r("round", "open", "g1", "--as-of", "2026-02-08")
	var f family
	for _, x := range families(t) {
		if ageOn31August(t, x.child) == 6 {
			f = x
			break
		}
	}
	got := decode[struct{ Number, Status string }](t, r("round", "apply", "--guardian", f.guardian, "--child", f.child, "g1", "--schools", "zeguo-p01", "--as-of", "2026-05-02"))
	if got.Number == "" || got.Status != "pending" {
		t.Fatalf("apply with flags before the round: %+v, want a pending application", got)
	}
	for _, lang := range []string{"zh", "en"} {
		_, errOut, status := rooted(t, "round", "apply", "g1", "--db", db, "--guardian", f.guardian, "--child", f.child, "--schools", "zeguo-p01", "--as-of", "2026-05-02", "--lang", lang)
		if want := msg.T(msg.Parse(lang), "apply.conflict"); status != 1 || !strings.Contains(errOut, want) || strings.Contains(strings.ToLower(errOut), "constraint") {
			t.Errorf("second application (%s): exit %d, %q; want 1 and %q", lang, status, errOut, want)
		}
	}
	if out := mustRooted(t, "round", "-h"); !strings.Contains(out, "before or after ROUND") {
		t.Errorf("round -h does not say flags may come before or after ROUND:\n%s", out)
	}
}

// TestGenThenImportGlob: rooted import CITY/* after rooted gen --out CITY
// imports every file and skips the manifest.
func TestGenThenImportGlob(t *testing.T) {
	dir := t.TempDir()
	mustRooted(t, "gen", "--persons", "300", "--out", dir)
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	db := filepath.Join(t.TempDir(), "g.db")
	out, errOut, status := rooted(t, append([]string{"import", "--db", db, "--quarantine", t.TempDir()}, files...)...)
	if status != 0 || !strings.Contains(errOut, "manifest.json") {
		t.Fatalf("import CITY/*: exit %d, stderr %q", status, errOut)
	}
	var s importSummary
	if err := json.Unmarshal([]byte(out), &s); err != nil || len(s.Files) != len(files)-1 {
		t.Errorf("import CITY/* imported %d files of %d: %v", len(s.Files), len(files), err)
	}
	if stats(t, db)["persons"] != 300 {
		t.Errorf("persons after import: %d", stats(t, db)["persons"])
	}
}

// TestUserRefusesAsOf: account changes say why --as-of is refused.
func TestUserRefusesAsOf(t *testing.T) {
	db := filepath.Join(t.TempDir(), "u.db")
	_, errOut, status := rooted(t, "user", "add", "--name", "a", "--role", "admin", "--db", db, "--as-of=2026-01-01")
	if status != 2 || !strings.Contains(errOut, "--as-of is refused") {
		t.Errorf("user add --as-of: exit %d, %q; want 2 and why", status, errOut)
	}
}

// TestSubcommandHelp: -h of policy test and check prints usage (it is not
// a file name).
func TestSubcommandHelp(t *testing.T) {
	for _, args := range [][]string{{"policy", "test", "-h"}, {"policy", "check", "-h"}, {"policy", "test", "x.yaml", "-h"}} {
		out, errOut, status := rooted(t, args...)
		if status != 0 || !strings.Contains(out, "usage: rooted "+args[0]+" "+args[1]) {
			t.Errorf("rooted %s: exit %d, stdout %q, stderr %q; want usage", strings.Join(args, " "), status, out, errOut)
		}
	}
}

// TestSandboxBanner: every page of a server on a sandbox database, the
// public ones too, says 演示数据; a real registry's pages do not.
func TestSandboxBanner(t *testing.T) {
	for _, sandbox := range []bool{true, false} {
		db := filepath.Join(t.TempDir(), "b.db")
		args := []string{"migrate", "--db", db}
		if sandbox {
			args = append(args, "--sandbox")
		}
		mustRooted(t, args...)
		ctx, cancel := context.WithCancel(context.Background())
		var out, errOut syncBuffer
		done := make(chan error, 1)
		go func() {
			done <- run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
		}()
		base := waitURL(t, &out, &errOut, cancel)
		for _, path := range []string{"/", "/signin", "/citizen/signin", "/rounds"} {
			code, body := httpGet(t, base+path, "")
			if code != 200 {
				t.Errorf("%s: %d", path, code)
				continue
			}
			if has := strings.Contains(body, `role="status">演示数据`); has != sandbox {
				t.Errorf("%s on a sandbox %v: banner shown %v", path, sandbox, has)
			}
			if sandbox {
				if _, en := httpGet(t, base+path, "en"); !strings.Contains(en, "Demo data") {
					t.Errorf("%s in English: no Demo data banner", path)
				}
			}
		}
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
}

// waitURL waits for a server started with run to print its URL.
func waitURL(t *testing.T, out, errOut *syncBuffer, cancel func()) string {
	t.Helper()
	for range 6000 { // up to a minute on a loaded machine
		if _, rest, ok := strings.Cut(out.String(), "http://"); ok {
			return strings.TrimSuffix("http://"+strings.TrimSpace(rest), "/")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	t.Fatalf("server did not print its URL; stderr %s", errOut.String())
	return ""
}

// httpGet fetches url, in lang when not "" (the language switch's cookie).
func httpGet(t *testing.T, url, lang string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lang != "" {
		req.AddCookie(&http.Cookie{Name: "rooted_lang", Value: lang})
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestDemoSandbox: the demo marks a new database a sandbox and refuses a
// registry that is not one.
func TestDemoSandbox(t *testing.T) {
	e := &env{getenv: func(string) string { return "" }, stdout: io.Discard, stderr: io.Discard}
	for _, tt := range []struct {
		name    string
		counts  map[string]int64
		refused bool
	}{
		{"new database", map[string]int64{"towns": 16}, false},
		{"a registry", map[string]int64{"towns": 16, "persons": 10, "imports": 1}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "d.db")
			st, err := openStore(t.Context(), db)
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			err = demoSandbox(t.Context(), e, st, config{DB: db}, tt.counts)
			sandbox, serr := st.Sandbox(t.Context())
			if serr != nil {
				t.Fatal(serr)
			}
			var ue usageError
			if refused := errors.As(err, &ue); refused != tt.refused || sandbox == tt.refused {
				t.Errorf("demoSandbox = %v, sandbox %v; want refused %v", err, sandbox, tt.refused)
			}
		})
	}
}
