package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/rounds"
	"github.com/newcitizens/rooted/internal/store"
)

func sha256File(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// finalRound runs grade-1 round g1 of the generated city to final through
// the rounds service, its clock set to each step's day.
func finalRound(t *testing.T, db string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	scheme, err := policy.Load("")
	if err != nil {
		t.Fatal(err)
	}
	var now time.Time
	svc := &rounds.Service{Store: st, Scheme: scheme, Files: ingest.PublicationFiles{}, Now: func() time.Time { return now }}
	on := func(day string) { now = date.MustParse(day).Time().Add(2 * time.Hour) }
	for _, step := range []struct {
		day string
		do  func() error
	}{
		{"2026-02-08", func() error {
			_, err := svc.Create(ctx, rounds.CreateRequest{ID: "g1", Name: "2026 全市一年级", Kind: rounds.Grade1, Year: 2026, SeatShare: 0.023})
			return err
		}},
		{"2026-02-08", func() error { _, err := svc.Open(ctx, "g1", ""); return err }},
		{"2026-05-01", func() error { _, err := svc.ApplyAll(ctx, "g1", 1); return err }},
		{"2026-05-30", func() error { _, err := svc.Close(ctx, "g1"); return err }},
		{"2026-06-01", func() error { _, err := svc.Allocate(ctx, "g1"); return err }},
		{"2026-06-01", func() error { _, err := svc.Publish(ctx, "g1"); return err }},
		{"2026-06-08", func() error { _, err := svc.Finalize(ctx, "g1"); return err }},
	} {
		on(step.day)
		if err := step.do(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPublishedListsVerify: on each engine, the lists `round publish`
// writes for a final round are the files the ledger records (sha256sum
// matches), and `rooted verify EXPORT LIST.csv LIST.xlsx` checks them;
// one byte changed in the CSV fails verify naming the file. Then
// round_applications.points is changed in the database: publishing again
// is refused (the records changed since publication), writes nothing, and
// the lists as published still verify.
func TestPublishedListsVerify(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			db := cityDB(t, open)
			finalRound(t, db)
			out := t.TempDir()
			pub := decode[struct {
				Rows       int
				CSVSHA256  string `json:"csv_sha256"`
				XLSXSHA256 string `json:"xlsx_sha256"`
				Recorded   bool
			}](t, mustRooted(t, "round", "publish", "g1", "--out", out, "--db", db))
			csvFile, xlsxFile := filepath.Join(out, "g1-publication.csv"), filepath.Join(out, "g1-publication.xlsx")
			if !pub.Recorded || pub.Rows < 5 || sha256File(t, csvFile) != pub.CSVSHA256 || sha256File(t, xlsxFile) != pub.XLSXSHA256 {
				t.Fatalf("publish: %+v; the files' SHA-256 %s, %s", pub, sha256File(t, csvFile), sha256File(t, xlsxFile))
			}
			export := filepath.Join(t.TempDir(), "g1-export.json")
			mustRooted(t, "round", "export", "g1", "--out", export, "--db", db)
			data, err := os.ReadFile(export)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte(`"csv_sha256":"`+pub.CSVSHA256+`"`)) || !bytes.Contains(data, []byte(`"xlsx_sha256":"`+pub.XLSXSHA256+`"`)) {
				t.Fatalf("the export's publish entry does not record the files' SHA-256")
			}
			rep := decode[struct {
				Placed int
				Lists  []struct {
					File     string
					Recorded bool
					Rows     int
					Placed   int
				}
			}](t, mustRooted(t, "verify", export, csvFile, xlsxFile))
			if len(rep.Lists) != 2 || !rep.Lists[0].Recorded || !rep.Lists[1].Recorded || rep.Lists[0].Rows != pub.Rows || rep.Lists[1].Placed != rep.Placed {
				t.Errorf("verify with the lists: %+v", rep)
			}

			csvData, _ := os.ReadFile(csvFile)
			bad := filepath.Join(t.TempDir(), "g1-publication.csv")
			changed := bytes.Clone(csvData)
			changed[len(changed)/2] ^= 0x01
			if err := os.WriteFile(bad, changed, 0o644); err != nil {
				t.Fatal(err)
			}
			if _, errOut, status := rooted(t, "verify", export, bad); status != 1 || !strings.Contains(errOut, bad+": file: its SHA-256") {
				t.Errorf("verify with a changed CSV: exit %d, stderr %q; want 1 naming %s", status, errOut, bad)
			}
			if _, errOut, status := rooted(t, "verify", export, filepath.Join(out, "nope.csv")); status != 2 || !strings.Contains(errOut, "nope.csv") {
				t.Errorf("verify with a missing list: exit %d, %q; want 2", status, errOut)
			}

			// A database edit after finalisation.
			driver, dsn := "sqlite", db
			if name == "postgres" {
				driver = "pgx"
			}
			raw, err := sql.Open(driver, dsn)
			if err != nil {
				t.Fatal(err)
			}
			res, err := raw.Exec(`UPDATE round_applications SET points = points + 5 WHERE round_id = 'g1' AND status = 'accepted'`)
			raw.Close()
			if n, _ := res.RowsAffected(); err != nil || n == 0 {
				t.Fatalf("tamper: %v, %d rows", err, n)
			}
			again := t.TempDir()
			if _, errOut, status := rooted(t, "round", "publish", "g1", "--out", again, "--db", db); status != 1 || !strings.Contains(errOut, "records changed since publication") {
				t.Errorf("publish after points changed: exit %d, %q; want 1 saying the records changed", status, errOut)
			}
			if files, _ := os.ReadDir(again); len(files) != 0 {
				t.Errorf("a refused publish wrote %d files", len(files))
			}
			mustRooted(t, "verify", export, csvFile, xlsxFile)
		})
	}
}
