package forecast

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/registry"
)

// syntheticRecords returns n persons of school age −1 to 17 at asOf (a
// worst case: in a real city about one person in seven is that young),
// each with 1–3 residences in the 16 default towns since 2014, a fifth of
// the spells closed, one guardian per two children with a permit and
// pension, and 5,000 entry seats per town and level.
func syntheticRecords(n int, asOf date.Date) ([]Child, []Guardian, []registry.School) {
	r := rand.New(rand.NewPCG(1, 2))
	start := date.MustParse("2014-01-01")
	span := int(asOf - start)
	kids := make([]Child, n)
	var gs []Guardian
	for i := range kids {
		birth := asOf.AddDays(-r.IntN(18 * 365))
		since := max(birth, start.AddDays(r.IntN(span)))
		k := Child{ID: fmt.Sprintf("c%07d", i), Birth: birth}
		for range 1 + r.IntN(3) {
			if since >= asOf {
				break
			}
			s := Spell{Town: registry.DefaultTowns[r.IntN(16)].Code, Since: since}
			if r.IntN(5) == 0 {
				s.Until = since.AddDays(30 + r.IntN(3*365))
			}
			k.Spells = append(k.Spells, s)
			if s.Until == 0 {
				break
			}
			since = s.Until + 1
		}
		kids[i] = k
		if i%2 == 0 {
			gs = append(gs, Guardian{ID: fmt.Sprintf("g%07d", i), Children: []string{k.ID},
				Permits: []date.Interval{{From: date.MustParse("2020-01-01")}}, Pension: []date.Interval{{From: date.MustParse("2019-01-01")}}})
		}
	}
	var schools []registry.School
	for _, t := range registry.DefaultTowns {
		for _, lv := range Levels {
			schools = append(schools, registry.School{Code: t.Code + lv.Code, Town: t.Code, Level: lv.Code, EntrySeats: 5000})
		}
	}
	return kids, gs, schools
}

func syntheticCity(n int, asOf date.Date) *Input {
	kids, gs, schools := syntheticRecords(n, asOf)
	return NewInput(registry.DefaultTowns, schools, kids, gs)
}

// BenchmarkProject1M is one whole forecast (rates from 5 years, 500
// resamples, 6 years, eligible shares) of a city of 1M persons, all of
// them children, from an indexed Input.
func BenchmarkProject1M(b *testing.B) {
	asOf := date.MustParse("2026-11-29")
	in := syntheticCity(1_000_000, asOf)
	cfg := DefaultConfig()
	b.ResetTimer()
	for b.Loop() {
		if _, err := in.Project(asOf, cfg); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNewInput1M is the indexing of 1M persons' records (done once
// per load, before any number of projections).
func BenchmarkNewInput1M(b *testing.B) {
	kids, gs, schools := syntheticRecords(1_000_000, date.MustParse("2026-11-29"))
	b.ResetTimer()
	for b.Loop() {
		NewInput(registry.DefaultTowns, schools, kids, gs)
	}
}

// BenchmarkBacktest1M fits every year from 2021 (five fits, 500 resamples
// each) on the same city.
func BenchmarkBacktest1M(b *testing.B) {
	asOf := date.MustParse("2026-11-29")
	in := syntheticCity(1_000_000, asOf)
	cfg := DefaultConfig()
	b.ResetTimer()
	for b.Loop() {
		if _, err := in.Backtest(2021, asOf, cfg); err != nil {
			b.Fatal(err)
		}
	}
}
