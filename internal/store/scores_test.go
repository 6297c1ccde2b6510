package store

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/registry"
)

// TestPoints runs the history reader and score writer tests against each
// engine, each on a fresh database.
func TestPoints(t *testing.T) {
	tests := []struct {
		name string
		fn   func(t *testing.T, dsn string)
	}{
		{"ForEachHistory", testForEachHistory},
		{"HistoryNotFound", testHistoryNotFound},
		{"ScoresIdempotent", testScoresIdempotent},
		{"ScoresRollback", testScoresRollback},
		{"ScoreWhileReading", testScoreWhileReading},
		{"ScoresCancelled", testScoresCancelled},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) { tt.fn(t, e.dsn(t)) })
			}
		})
	}
}

// family puts a guardian with a child and records of every kind.
func family(t *testing.T, db *DB) (guardian, child registry.Person) {
	t.Helper()
	guardian = person(1, "1985-03-03", registry.Male, "520102")
	child = person(2, "2016-05-01", registry.Female, "520102")
	other := person(3, "1990-01-01", registry.Female, "330127")
	d := date.MustParse
	put(t, db, func(b registry.Batch) error {
		return errors.Join(
			b.PutPerson(ctx, guardian), b.PutPerson(ctx, child), b.PutPerson(ctx, other),
			b.PutGuardian(ctx, registry.Guardianship{Child: child.IDNumber, Guardian: guardian.IDNumber}),
			b.PutResidence(ctx, registry.Residence{IDNumber: guardian.IDNumber, Town: "zeguo", Address: "a", Since: d("2020-01-01"), Kind: "rented"}),
			b.PutJob(ctx, registry.Job{IDNumber: guardian.IDNumber, EmployerUSCC: "U1", Since: d("2021-01-01")}),
			b.PutInsurance(ctx, registry.Insurance{IDNumber: guardian.IDNumber, Kind: "pension", From: d("2021-01-01")}),
			b.PutInsurance(ctx, registry.Insurance{IDNumber: guardian.IDNumber, Kind: "medical", From: d("2021-01-01"), To: d("2022-01-01")}),
			b.PutFact(ctx, registry.Fact{IDNumber: guardian.IDNumber, Kind: "volunteer_hours", Value: "12", Date: d("2024-01-01")}),
			b.PutFact(ctx, registry.Fact{IDNumber: guardian.IDNumber, Kind: "blood_donation", Date: d("2023-01-01")}),
			b.PutFact(ctx, registry.Fact{IDNumber: other.IDNumber, Kind: "heroism", Date: d("2023-01-01")}),
		)
	})
	return guardian, child
}

func testForEachHistory(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	guardian, child := family(t, db)
	defer func(n int) { historyChunk = n }(historyChunk)
	historyChunk = 2 // cross a chunk boundary with three persons
	var got []registry.PersonHistory
	if err := db.ForEachHistory(ctx, func(h registry.PersonHistory) error {
		got = append(got, h)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d histories, want 3", len(got))
	}
	for i := 1; i < len(got); i++ {
		if got[i-1].Person.IDNumber >= got[i].Person.IDNumber {
			t.Errorf("not in ID order: %s before %s", got[i-1].Person.IDNumber, got[i].Person.IDNumber)
		}
	}
	byID := map[string]registry.PersonHistory{}
	for _, h := range got {
		byID[h.Person.IDNumber] = h
	}
	g := byID[guardian.IDNumber]
	if len(g.Residences) != 1 || len(g.Jobs) != 1 || len(g.Insurance) != 2 || len(g.Facts) != 2 {
		t.Errorf("guardian: %d residences, %d jobs, %d insurance, %d facts; want 1, 1, 2, 2", len(g.Residences), len(g.Jobs), len(g.Insurance), len(g.Facts))
	}
	if g.Insurance[0].Kind != "medical" || g.Facts[0].Kind != "blood_donation" {
		t.Errorf("insurance and facts not ordered by kind: %+v %+v", g.Insurance, g.Facts)
	}
	if len(g.Children) != 1 || g.Children[0].IDNumber != child.IDNumber || g.Children[0].BirthDate != child.BirthDate {
		t.Errorf("children = %+v, want the child", g.Children)
	}
	if c := byID[child.IDNumber]; !c.HasGuardian || len(c.Children) != 0 {
		t.Errorf("child: HasGuardian %v, children %d", c.HasGuardian, len(c.Children))
	}
	h, err := db.History(ctx, guardian.IDNumber)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Facts) != 2 || len(h.Children) != 1 || len(h.Insurance) != 2 {
		t.Errorf("History differs from ForEachHistory: %+v", h)
	}
	stop := errors.New("stop")
	if err := db.ForEachHistory(ctx, func(registry.PersonHistory) error { return stop }); err != stop { //nolint:errorlint // the contract is fn's error itself, unwrapped
		t.Errorf("fn's error: got %v, want it unwrapped", err)
	}
}

func testHistoryNotFound(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	_, err := db.History(ctx, "520102198503033311")
	if !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("got %v, want not_found", err)
	}
	if msg := err.Error(); strings.Contains(msg, "19850303") {
		t.Errorf("error shows the full ID number: %s", msg)
	}
}

func record(id, digest string, total float64) registry.ScoreRecord {
	return registry.ScoreRecord{IDNumber: id, AsOf: date.MustParse("2026-11-29"), Scheme: "s", Version: "1", InputsSHA256: digest,
		Total: total, SchoolPoints: total, Eligible: `{"school_seat":true}`, Items: `[{"code":"P1","points":20}]`}
}

func saveScores(t *testing.T, db *DB, rs ...registry.ScoreRecord) int64 {
	t.Helper()
	b, err := db.BeginScores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Rollback()
	for _, r := range rs {
		if err := b.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	n, err := b.Commit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func countScores(t *testing.T, db *DB) int {
	t.Helper()
	var n int
	if err := db.sql.QueryRowContext(ctx, `SELECT COUNT(*) FROM scores`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func testScoresIdempotent(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	var rs []registry.ScoreRecord
	for i := range 1234 { // more than one statement of scoreRows
		rs = append(rs, record(benchID(i), "d0", float64(i%150)))
	}
	if n := saveScores(t, db, rs...); n != 1234 {
		t.Fatalf("first run stored %d, want 1234", n)
	}
	if n := saveScores(t, db, rs...); n != 0 {
		t.Errorf("same records again stored %d, want 0", n)
	}
	changed := record(benchID(5), "d1", 99)
	if n := saveScores(t, db, changed); n != 1 {
		t.Errorf("changed inputs stored %d, want 1 (a new record beside the old)", n)
	}
	if n := countScores(t, db); n != 1235 {
		t.Errorf("scores has %d rows, want 1235", n)
	}
	var total float64
	var frozen bool
	var eligible string
	if err := db.sql.QueryRowContext(ctx, db.d.q(`SELECT total, frozen, eligible FROM scores WHERE id_number = $1 AND inputs_sha256 = 'd1'`), benchID(5)).Scan(&total, &frozen, &eligible); err != nil {
		t.Fatal(err)
	}
	if total != 99 || frozen || eligible != `{"school_seat":true}` {
		t.Errorf("read back total %v frozen %v eligible %s", total, frozen, eligible)
	}
}

func testScoresRollback(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	b, err := db.BeginScores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 700 {
		if err := b.Put(ctx, record(benchID(i), "d", 1)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Rollback(); err != nil {
		t.Fatal(err)
	}
	if n := countScores(t, db); n != 0 {
		t.Errorf("rolled-back run left %d scores", n)
	}
	if _, err := b.Commit(ctx); err == nil {
		t.Error("Commit after Rollback succeeded")
	}
}

// testScoreWhileReading writes scores while ForEachHistory reads, as
// `rooted score --db` does: on SQLite the reader must not hold the write
// lock.
func testScoreWhileReading(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	family(t, db)
	b, err := db.BeginScores(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Rollback()
	err = db.ForEachHistory(ctx, func(h registry.PersonHistory) error {
		return b.Put(ctx, record(h.Person.IDNumber, "d", 1))
	})
	if err != nil {
		t.Fatal(err)
	}
	if n, err := b.Commit(ctx); err != nil || n != 3 {
		t.Fatalf("Commit = %d, %v; want 3", n, err)
	}
}

// testScoresCancelled checks that a scoring run whose context is cancelled
// still cleans up: Rollback succeeds (on SQLite it drops the staging table,
// which a cancelled context would refuse) and no connection stays taken.
func testScoresCancelled(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	c, cancel := context.WithCancel(ctx)
	b, err := db.BeginScores(c)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 700 {
		if err := b.Put(c, record(benchID(i), "d", 1)); err != nil {
			t.Fatal(err)
		}
	}
	cancel()
	if err := b.Rollback(); err != nil {
		t.Fatalf("Rollback after cancel: %v", err)
	}
	// SQLite's staged run gives its connection back in Rollback; a
	// PostgreSQL transaction cut off by its context is rolled back and its
	// connection returned by database/sql itself, asynchronously.
	if n := db.sql.Stats().InUse; db.d.engine == EngineSQLite && n != 0 {
		t.Errorf("%d connections still in use after the run", n)
	}
	if n := countScores(t, db); n != 0 {
		t.Errorf("cancelled run left %d scores", n)
	}
}
