package forecast

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/demo"
	"github.com/newcitizens/rooted/internal/registry"
)

// demoRecords generates a demo city of persons persons as of asOf and
// reads it the way the store would: towns, schools, and every person with
// their residences and the birth date of their ID number. Guardians are
// left out: the tests that use it look at demand, not at the eligible
// share.
func demoRecords(t testing.TB, persons int, seed uint64, asOf date.Date) ([]registry.Town, []registry.School, []Child) {
	t.Helper()
	dir := t.TempDir()
	if _, err := demo.Generate(context.Background(), dir, demo.Options{Persons: persons, Seed: seed, AsOf: asOf}); err != nil {
		t.Fatal(err)
	}
	return readDemoRecords(t, dir)
}

// demoCity is demoRecords, indexed.
func demoCity(t testing.TB, persons int, seed uint64, asOf date.Date) *Input {
	t.Helper()
	towns, schools, children := demoRecords(t, persons, seed, asOf)
	return NewInput(towns, schools, children, nil)
}

// readDemoRecords reads the CSV files of a generated city in dir.
func readDemoRecords(t testing.TB, dir string) ([]registry.Town, []registry.School, []Child) {
	t.Helper()
	var towns []registry.Town
	for _, r := range readCSV(t, dir, demo.FileTowns) {
		towns = append(towns, registry.Town{Code: r[0], Name: r[1]})
	}
	var schools []registry.School
	for _, r := range readCSV(t, dir, demo.FileSchools) {
		seats, err := strconv.Atoi(r[4])
		if err != nil {
			t.Fatalf("%s: seats %q: %v", demo.FileSchools, r[4], err)
		}
		schools = append(schools, registry.School{Code: r[0], Name: r[1], Town: r[2], Level: r[3], EntrySeats: seats})
	}
	byID := map[string]int{}
	var children []Child
	for _, r := range readCSV(t, dir, demo.FilePersons) {
		id := r[0]
		birth, err := date.Parse(id[6:10] + "-" + id[10:12] + "-" + id[12:14])
		if err != nil {
			t.Fatalf("%s: birth date of %s: %v", demo.FilePersons, id[:6], err)
		}
		byID[id] = len(children)
		children = append(children, Child{ID: id, Birth: birth})
	}
	for _, r := range readCSV(t, dir, demo.FileResidences) {
		i, ok := byID[r[0]]
		if !ok {
			t.Fatalf("%s: residence of an unknown person", demo.FileResidences)
		}
		s := Spell{Town: r[1], Since: date.MustParse(r[3])}
		if r[4] != "" {
			s.Until = date.MustParse(r[4])
		}
		children[i].Spells = append(children[i].Spells, s)
	}
	return towns, schools, children
}

// readCSV returns the rows of dir/name after the header.
func readCSV(t testing.TB, dir, name string) [][]string {
	t.Helper()
	f, err := os.Open(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = false
	var rows [][]string
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		rows = append(rows, rec)
	}
	if len(rows) == 0 {
		t.Fatalf("%s: empty", name)
	}
	return rows[1:]
}
