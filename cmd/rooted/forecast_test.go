package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/newcitizens/rooted/internal/forecast"
)

// TestForecastCity generates a city of 5,000 persons, imports it, issues
// permits, and checks the forecast JSON, the workbook and the backtest.
func TestForecastCity(t *testing.T) {
	if testing.Short() {
		t.Skip("generates and imports a city")
	}
	dir := t.TempDir()
	mustRooted(t, "gen", "--persons", "5000", "--seed", "11", "--as-of", "2026-11-29", "--out", dir)
	db := filepath.Join(t.TempDir(), "f.db")
	var files []string
	for _, f := range []string{"towns", "schools", "persons", "residences", "jobs", "insurance", "facts"} {
		files = append(files, filepath.Join(dir, f+".csv"))
	}
	mustRooted(t, "migrate", "--sandbox", "--db", db) // permits as of a past day
	mustRooted(t, append([]string{"import", "--db", db, "--quarantine", t.TempDir()}, files...)...)
	mustRooted(t, "permits", "--db", db, "--as-of", "2026-11-29")

	const years = 4
	book := filepath.Join(t.TempDir(), "forecast.xlsx")
	out := mustRooted(t, "forecast", "--db", db, "--as-of", "2026-11-29", "--years", "4", "--xlsx", book, "--housing")
	var f forecast.Forecast
	if err := json.Unmarshal([]byte(out), &f); err != nil {
		t.Fatalf("forecast JSON: %v\n%s", err, out)
	}
	if got, want := len(f.Rows), 16*3*years; got != want {
		t.Errorf("%d rows, want 16 towns × 3 levels × %d years = %d", got, years, want)
	}
	cells := map[string]bool{}
	for _, r := range f.Rows {
		cells[r.Town+"/"+r.Level+"/"+string(rune('0'+r.Horizon))] = true
		if r.Year != 2026+r.Horizon || r.Low > r.Demand+0.1 || r.High < r.Demand-0.1 || r.Capacity <= 0 || r.Warning == "" {
			t.Errorf("row %+v", r)
		}
	}
	if len(cells) != 16*3*years {
		t.Errorf("%d distinct town/level/year cells, want %d", len(cells), 16*3*years)
	}
	if len(f.Towns) != 16 || f.SchoolYear != 2026 || f.Housing == nil {
		t.Errorf("towns %d, school year %d, housing %v", len(f.Towns), f.SchoolYear, f.Housing)
	}
	if f.Method.Band != forecast.BandCalibrated || len(f.Calibration) != 3*years {
		t.Errorf("band %s with %d calibration rows, want calibrated with %d", f.Method.Band, len(f.Calibration), 3*years)
	}
	// The housing projection follows --years, with the one definition of
	// the household classes (1–2, 3–4, 5+), named in Chinese and English.
	var sizes []string
	for _, c := range f.Housing.Classes {
		sizes = append(sizes, c.Sizes())
		if len(c.Projected) != years || c.Name == "" || c.NameEN == "" {
			t.Errorf("housing class %+v: want %d projected years and both names", c, years)
		}
	}
	if got := strings.Join(sizes, " "); got != "1–2 3–4 5+" {
		t.Errorf("housing classes %s, want 1–2 3–4 5+", got)
	}
	if f.Warnings == nil || f.RestsOn.ZH == "" || f.RestsOn.EN == "" {
		t.Errorf("warnings %v, rests on %+v", f.Warnings, f.RestsOn)
	}
	for _, w := range f.Warnings {
		if w.Year <= 2026 || w.Reason.ZH == "" || w.Reason.EN == "" {
			t.Errorf("warning %+v", w)
		}
	}
	share := 0.0
	for _, s := range f.Towns {
		share += s.EligibleShare
	}
	if share <= 0 {
		t.Error("no town has an eligible share: the gate estimate read no permits or pensions")
	}

	x, err := excelize.OpenFile(book)
	if err != nil {
		t.Fatalf("open workbook: %v", err)
	}
	defer x.Close()
	hrows, err := x.GetRows("公共租赁住房")
	if err != nil || len(hrows) != 4 || len(hrows[0]) != 8+years || hrows[2][1] != "two-bedroom" || hrows[2][2] != "3–4" {
		t.Errorf("housing sheet (%v): %v", err, hrows)
	}
	for _, lv := range forecast.Levels {
		rows, err := x.GetRows(lv.Name)
		if err != nil {
			t.Fatalf("sheet %s: %v", lv.Name, err)
		}
		if len(rows) != 1+16*years || rows[0][0] != "镇街" {
			t.Errorf("sheet %s: %d rows, header %v", lv.Name, len(rows), rows[0])
		}
		cf, err := x.GetConditionalFormats(lv.Name)
		if err != nil || len(cf) == 0 {
			t.Errorf("sheet %s: no conditional formats (%v)", lv.Name, err)
		}
	}

	bt := mustRooted(t, "forecast", "backtest", "--db", db, "--as-of", "2026-11-29", "--from", "2022", "--resamples", "50")
	for _, want := range []string{"fitted as of 1 September 2022–2025", "2022 calibrated", "MAPE", "in band", "width", "kindergarten", "+1", "zeguo/primary"} {
		if !strings.Contains(bt, want) {
			t.Errorf("backtest output lacks %q:\n%s", want, bt)
		}
	}
	t.Logf("\n%s", bt)

	for _, tt := range []struct {
		args   []string
		status int
	}{
		{[]string{"forecast", "--db", db, "--years", "7"}, 2},
		{[]string{"forecast", "--db", db, "--red", "0.5"}, 2},
		{[]string{"forecast", "--db", db, "--calibration", "-1"}, 2},
		{[]string{"forecast", "backtest", "--db", db}, 2},
		{[]string{"forecast", "backtest", "--db", db, "--as-of", "2026-11-29", "--from", "2026"}, 2},
		{[]string{"forecast", "backtest", "-h"}, 0},
	} {
		if _, errOut, status := rooted(t, tt.args...); status != tt.status {
			t.Errorf("rooted %v: exit %d, want %d (%s)", tt.args, status, tt.status, errOut)
		}
	}
}
