package store

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/forecast"
	"github.com/newcitizens/rooted/internal/registry"
)

// TestForecastReads runs the forecast reads against each engine.
func TestForecastReads(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			for _, tt := range []struct {
				name string
				fn   func(t *testing.T, dsn string)
			}{
				{"Children", testForecastChildren},
				{"Guardians", testForecastGuardians},
				{"RentalHouseholds", testRentalHouseholds},
			} {
				t.Run(tt.name, func(t *testing.T) { tt.fn(t, e.dsn(t)) })
			}
		})
	}
}

// forecastCity is a small registry: a mother and father, two children
// (one moved from taiping to zeguo), an adult lodger at the same address,
// and a too-old teenager.
type forecastCity struct {
	mother, father, kid1, kid2, lodger, teen registry.Person
}

func putForecastCity(t *testing.T, db *DB) forecastCity {
	t.Helper()
	c := forecastCity{
		mother: person(1, "1990-03-01", registry.Female, "520102"),
		father: person(2, "1988-03-01", registry.Male, "520102"),
		kid1:   person(3, "2019-10-01", registry.Male, "520102"),
		kid2:   person(4, "2022-05-01", registry.Female, "331081"),
		lodger: person(5, "1995-01-01", registry.Male, "340102"),
		teen:   person(6, "2006-01-01", registry.Female, "520102"),
	}
	home := "泽国1号"
	put(t, db, func(b registry.Batch) error {
		for _, p := range []registry.Person{c.mother, c.father, c.kid1, c.kid2, c.lodger, c.teen} {
			if err := b.PutPerson(ctx, p); err != nil {
				return err
			}
		}
		for _, g := range []registry.Guardianship{{Child: c.kid1.IDNumber, Guardian: c.mother.IDNumber}, {Child: c.kid2.IDNumber, Guardian: c.mother.IDNumber}, {Child: c.teen.IDNumber, Guardian: c.father.IDNumber}} {
			if err := b.PutGuardian(ctx, g); err != nil {
				return err
			}
		}
		for _, r := range []registry.Residence{
			{IDNumber: c.mother.IDNumber, Town: "zeguo", Address: home, Since: d("2023-01-01"), Kind: "rented"},
			{IDNumber: c.father.IDNumber, Town: "zeguo", Address: home, Since: d("2023-01-01"), Kind: "rented"},
			{IDNumber: c.kid1.IDNumber, Town: "taiping", Address: "太平9号", Since: d("2020-01-01"), Until: d("2022-12-31"), Kind: "rented"},
			{IDNumber: c.kid1.IDNumber, Town: "zeguo", Address: home, Since: d("2023-01-01"), Kind: "rented"},
			{IDNumber: c.kid2.IDNumber, Town: "zeguo", Address: home, Since: d("2023-01-01"), Kind: "rented"},
			{IDNumber: c.lodger.IDNumber, Town: "daxi", Address: "大溪2号", Since: d("2024-06-01"), Kind: "rented"},
			{IDNumber: c.teen.IDNumber, Town: "zeguo", Address: home, Since: d("2023-01-01"), Kind: "rented"},
		} {
			if err := b.PutResidence(ctx, r); err != nil {
				return err
			}
		}
		for _, in := range []registry.Insurance{
			{IDNumber: c.mother.IDNumber, Kind: "pension", From: d("2023-02-01"), To: d("2024-05-01")},
			{IDNumber: c.mother.IDNumber, Kind: "pension", From: d("2024-06-01")},
			{IDNumber: c.mother.IDNumber, Kind: "medical", From: d("2023-02-01")},
		} {
			if err := b.PutInsurance(ctx, in); err != nil {
				return err
			}
		}
		return nil
	})
	permits := map[string]registry.Permit{
		c.mother.IDNumber: {Number: "P1", IDNumber: c.mother.IDNumber, Town: "zeguo", IssuedOn: d("2023-07-03"), ValidTo: d("2026-07-02"), Status: registry.PermitActive, UpdatedOn: d("2025-07-03")},
		c.lodger.IDNumber: {Number: "P2", IDNumber: c.lodger.IDNumber, Town: "daxi", IssuedOn: d("2024-12-01"), ValidTo: d("2025-11-30"), Status: registry.PermitActive, UpdatedOn: d("2024-12-01")},
	}
	if _, err := db.UpdatePermits(ctx, func(h registry.PersonHistory) registry.PermitChange {
		if p, ok := permits[h.Person.IDNumber]; ok {
			return registry.PermitChange{Permits: []registry.Permit{p}}
		}
		return registry.PermitChange{}
	}, nil); err != nil {
		t.Fatal(err)
	}
	return c
}

func testForecastChildren(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	putForecastCity(t, db)
	var got []string
	err := db.ForecastChildren(ctx, d("2010-09-01"), func(ch forecast.Child) error {
		var spells []string
		for _, s := range ch.Spells {
			spells = append(spells, fmt.Sprintf("%s %s..%s", s.Town, s.Since, s.Until))
		}
		got = append(got, fmt.Sprintf("%s %s [%s]", ch.ID[14:], ch.Birth, strings.Join(spells, "; ")))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	want := []string{
		"0003 2019-10-01 [taiping 2020-01-01..2022-12-31; zeguo 2023-01-01..]",
		"0004 2022-05-01 [zeguo 2023-01-01..]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	stop := fmt.Errorf("stop")
	if err := db.ForecastChildren(ctx, d("2000-01-01"), func(forecast.Child) error { return stop }); err != stop { //nolint:errorlint // the contract is fn's error itself, unwrapped
		t.Errorf("fn's error: got %v, want it unwrapped", err)
	}
}

func testForecastGuardians(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	c := putForecastCity(t, db)
	gs, err := db.ForecastGuardians(ctx, d("2010-09-01"))
	if err != nil {
		t.Fatal(err)
	}
	// The father's child is too old, but the store may list him: the
	// forecast ignores children it does not know.
	slices.SortFunc(gs, func(a, b forecast.Guardian) int { return strings.Compare(a.ID, b.ID) })
	if len(gs) != 2 || gs[0].ID != c.father.IDNumber || gs[1].ID != c.mother.IDNumber {
		t.Fatalf("%d guardians, want the father and the mother", len(gs))
	}
	g := gs[1]
	slices.Sort(g.Children)
	got := fmt.Sprintf("%s children %d permits %v pension %v", g.ID[14:], len(g.Children), g.Permits, g.Pension)
	want := fmt.Sprintf("0001 children 2 permits %v pension %v",
		[]date.Interval{{From: d("2023-07-03"), To: d("2026-07-02")}},
		[]date.Interval{{From: d("2023-02-01"), To: d("2024-05-31")}, {From: d("2024-06-01")}})
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// The gate on 2025-09-15: permit active, pension 2024-09..2025-08 paid.
	if !forecast.GatePasses(g, d("2025-09-15"), d("2024-09-01"), d("2025-08-31")) {
		t.Error("mother does not pass the gate")
	}
}

func testRentalHouseholds(t *testing.T, dsn string) {
	db := mustOpen(t, dsn)
	putForecastCity(t, db)
	for _, tt := range []struct {
		asOf, rentedBy string
		want           string
	}{
		// The family of five (mother with a permit) at 泽国1号 since 2023;
		// the lodger's permit is valid but he moved in 2024-06-01.
		{"2025-09-15", "2024-05-31", "[{zeguo 5 1}]"},
		{"2025-09-15", "2024-06-01", "[{daxi 1 1} {zeguo 5 1}]"},
		// Before the mother's permit: nobody.
		{"2023-07-01", "2022-07-01", "[]"},
	} {
		got, err := db.RentalHouseholds(ctx, d(tt.asOf), d(tt.rentedBy))
		if err != nil {
			t.Fatal(err)
		}
		if s := fmt.Sprint(got); s != tt.want {
			t.Errorf("RentalHouseholds(%s, %s) = %s, want %s", tt.asOf, tt.rentedBy, s, tt.want)
		}
	}
}
