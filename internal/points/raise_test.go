package points

import (
	"context"
	"slices"
	"testing"

	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

func mustVersion(t testing.TB, file string) *policy.Version {
	t.Helper()
	s, err := policy.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	v, err := s.Version(d("2026-11-29"))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestRaise checks the gains the scheme gives changed copies of a person's
// inputs: the contract's worked example (total 63) with a valid permit and
// 11 of the last 12 pension months.
func TestRaise(t *testing.T) {
	v := mustVersion(t, "")
	f := factsOf(t, "p", d("1994-06-01"), map[string]any{"education": "college", "skill_level": 4, "insurance_months": 36, "residence_months": 48,
		"permit_valid": true, "local_pension_months_12": 11})
	in := v.Scheme().NewInputs()
	if err := f.Fill(in); err != nil {
		t.Fatal(err)
	}
	ex, err := explain(v, in, f.IDNumber, d("2026-11-29"), msg.EN, Actions)
	if err != nil {
		t.Fatal(err)
	}
	if ex.Total != 63 {
		t.Fatalf("total %v, want 63", ex.Total)
	}
	gains := map[string]Gain{}
	var order []string
	for _, g := range ex.Raise {
		gains[g.Action] = g
		order = append(order, g.Action)
	}
	for _, tt := range []struct {
		action  string
		points  float64
		unlocks []string
	}{
		{"insurance_12", 6, []string{"school_seat"}}, // 0.5 × 12; 12 of the last 12 months
		{"registered_job", 11, nil},                  // M1 10 + C2 1
		{"rented_home", 10, nil},
		{"skill_up", 3, nil}, // level 4 (5) → 3 (8)
		{"title_up", 3, nil}, // none → junior: 8 beats skill 5
		{"volunteer_20", 1, nil},
		{"residence_12", 3, nil},
	} {
		g, ok := gains[tt.action]
		if !ok {
			t.Errorf("%s: not offered (offered %v)", tt.action, order)
			continue
		}
		if g.Points != tt.points || !slices.Equal(g.Unlocks, tt.unlocks) {
			t.Errorf("%s: +%v unlocks %v; want +%v unlocks %v", tt.action, g.Points, g.Unlocks, tt.points, tt.unlocks)
		}
	}
	if _, ok := gains["permit_12"]; ok {
		t.Errorf("permit_12 offered though 12 more months do not reach 36")
	}
	if order[0] != "registered_job" {
		t.Errorf("largest gain first: got %v", order)
	}
}

// TestRaiseOwnerKeepsHome checks that an action that would lower the
// points (an owner "registering a rented home") is not offered.
func TestRaiseOwnerKeepsHome(t *testing.T) {
	v := mustVersion(t, "")
	f := factsOf(t, "p", d("1994-06-01"), map[string]any{"housing": "owned", "skill_level": 1})
	in := v.Scheme().NewInputs()
	if err := f.Fill(in); err != nil {
		t.Fatal(err)
	}
	gains, err := Raise(v, in, d("2026-11-29"), Actions, msg.ZH)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gains {
		if g.Action == "rented_home" || g.Action == "skill_up" {
			t.Errorf("offered %s: %+v", g.Action, g)
		}
	}
}

// TestDiff compares the two shipped schemes on a handful of persons.
func TestDiff(t *testing.T) {
	a := mustVersion(t, "../../policies/zhejiang-county-default.yaml")
	b := mustVersion(t, "../../policies/zhejiang-county-insurance-weighted.yaml")
	asOf := d("2026-11-29")
	persons := histories{
		{Person: registry.Person{IDNumber: adult, BirthDate: d("1985-03-03"), Sex: registry.Male, Origin: "520102"},
			Residences: []registry.Residence{res("2024-01-01", "", "rented")},
			Insurance:  []registry.Insurance{ins("pension", "2022-01-01", "")}}, // 59 months: 29.5 → 44.25 cap 40: gains
		{Person: registry.Person{IDNumber: "330127199001011234", BirthDate: d("1990-01-01"), Sex: registry.Female, Origin: "330127"},
			Residences: []registry.Residence{res("2010-01-01", "", "owned")}}, // 202 residence months: 30 → 20: loses
		{Person: registry.Person{IDNumber: "330127201801011234", BirthDate: d("2018-01-01"), Sex: registry.Female, Origin: "330127"}}, // unchanged
	}
	from := NewScoring(a.Scheme(), DefaultOptions).Under(a, asOf)
	to := NewScoring(b.Scheme(), DefaultOptions).Under(b, asOf)
	r, err := Compare(context.Background(), persons, from, to, map[string]string{"zeguo": "泽国镇"}, PassOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Persons != 3 || r.Gainers != 1 || r.Losers != 1 || r.Unchanged != 1 {
		t.Errorf("persons %d gainers %d losers %d unchanged %d; want 3 1 1 1", r.Persons, r.Gainers, r.Losers, r.Unchanged)
	}
	if len(r.Breakdowns) != 4 || r.Breakdowns[0].Dimension != ByTown {
		t.Fatalf("breakdowns %+v", r.Breakdowns)
	}
	town := r.Breakdowns[0].Rows[0]
	if town.Key != "zeguo" || town.Label != "泽国镇 zeguo" || town.Persons != 2 {
		t.Errorf("town row %+v", town)
	}
	var sexes []string
	for _, row := range r.Breakdowns[2].Rows {
		sexes = append(sexes, row.Label)
	}
	if !slices.Equal(sexes, []string{"女 female", "男 male"}) {
		t.Errorf("sex rows %v", sexes)
	}
	n := 0
	for _, bin := range r.Histogram {
		n += bin.A
	}
	if n != 3 {
		t.Errorf("histogram counts %d persons", n)
	}
}
