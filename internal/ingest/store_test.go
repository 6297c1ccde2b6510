package ingest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/store"
)

// TestWithSQLiteStore runs imports through the real store on a fresh SQLite
// file: the counts, the records, a re-import that changes nothing, and an
// unreadable file that writes nothing.
func TestWithSQLiteStore(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "rooted.db"))
	if err != nil {
		t.Fatalf("store.Open: %v", err)
	}
	defer db.Close()
	opt := testOptions(t.TempDir())
	files := []string{"testdata/small-residences.xlsx", "testdata/small-persons-gbk.csv"}

	sum, err := Import(ctx, db, files, opt)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	want := []struct {
		kind                        string
		read, accepted, quarantined int
	}{{KindPersons, 6, 5, 1}, {KindResidences, 5, 4, 1}}
	for i, w := range want {
		f := sum.Files[i]
		if f.Kind != w.kind || f.Read != w.read || f.Accepted != w.accepted || f.Quarantined != w.quarantined {
			t.Errorf("file %d: %+v, want %+v", i, f, w)
		}
		if f.Changed == 0 {
			t.Errorf("%s: nothing changed on first import", f.File)
		}
	}
	stats, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range map[string]int64{"persons": 5, "guardians": 1, "residences": 4, "imports": 2} {
		if stats[k] != n {
			t.Errorf("stats[%s] = %d, want %d (all: %v)", k, stats[k], n, stats)
		}
	}
	p, err := db.Person(ctx, liQiang)
	if err != nil || p.Name != "李强" || p.Education != "junior" {
		t.Errorf("Person(李强) = %+v, %v", p, err)
	}

	// The same files again, now as UTF-8 CSV: nothing changes.
	again, err := Import(ctx, db, []string{"testdata/small-persons.csv", "testdata/small-residences.csv"}, opt)
	if err != nil {
		t.Fatalf("second Import: %v", err)
	}
	for _, f := range again.Files {
		if f.Changed != 0 {
			t.Errorf("re-import of %s changed %d rows, want 0", f.File, f.Changed)
		}
	}

	// An unreadable file among good ones writes nothing.
	_, err = Import(ctx, db, []string{"testdata/import-persons.csv", "testdata/missing.csv"}, opt)
	if !apperr.Is(err, apperr.Invalid) {
		t.Fatalf("got %v, want invalid", err)
	}
	after, err := db.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if after["imports"] != 4 || after["persons"] != 5 {
		t.Errorf("after a refused import: %v, want 4 imports and 5 persons", after)
	}

	sum, err = Import(ctx, db, []string{"testdata/import-persons.csv"}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if f := sum.Files[0]; f.Read != 7 || f.Accepted != 4 || f.Quarantined != 3 {
		t.Errorf("conformance file: %+v, want 7/4/3", f)
	}
}
