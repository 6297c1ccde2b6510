package points

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/registry"
)

// benchHistory is a busy adult: moves, job changes, every insurance kind,
// a permit, two children and a dozen facts.
func benchHistory() registry.PersonHistory {
	return registry.PersonHistory{
		Person:     registry.Person{IDNumber: adult, BirthDate: d("1985-03-03"), Education: "senior"},
		Residences: []registry.Residence{res("2016-03-01", "2019-02-28", "relative"), res("2019-03-15", "2022-06-30", "rented"), res("2022-07-01", "", "dormitory")},
		Jobs:       []registry.Job{job("A", "2016-04-01", "2020-12-31"), job("B", "2021-01-01", "")},
		Insurance: []registry.Insurance{ins("pension", "2016-05-01", "2020-12-01"), ins("pension", "2021-01-01", ""),
			ins("medical", "2016-05-01", ""), ins("unemployment", "2016-05-01", ""), ins("injury", "2021-01-01", "")},
		Permits:  []registry.Permit{permit("331081-20160901-AAAA", "2016-09-01", "2027-08-31", registry.PermitActive)},
		Children: []registry.Person{{IDNumber: "c1", BirthDate: d("2014-05-01")}, {IDNumber: "c2", BirthDate: d("2018-05-01")}},
		Facts: []registry.Fact{fact("skill_level", "4", "2018-01-01"), fact("skill_level", "3", "2023-01-01"),
			fact("income_tax", "1200", "2023-12-31"), fact("income_tax", "1500", "2024-12-31"), fact("income_tax", "1800", "2025-12-31"),
			fact("volunteer_hours", "12", "2022-05-01"), fact("volunteer_hours", "30", "2025-05-01"),
			fact("blood_donation", "", "2024-03-01"), fact("donation", "500", "2025-01-01"), fact("shortage_job", "", "2022-01-01"),
			fact("community_role", "", "2020-01-01"), fact("award_county", "", "2024-01-01")},
	}
}

// BenchmarkDerive measures the derivation alone (persons/s).
func BenchmarkDerive(b *testing.B) {
	s := mustVersion(b, "").Scheme()
	h := benchHistory()
	asOf := d("2026-11-29")
	b.ReportAllocs()
	for b.Loop() {
		f := Derive(&h, asOf, s, DefaultOptions)
		_ = f
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "persons/s")
}

// repeated is a source of n copies of one history.
type repeated struct {
	h registry.PersonHistory
	n int
}

func (r repeated) ForEachHistory(ctx context.Context, fn func(registry.PersonHistory) error) error {
	for range r.n {
		if err := fn(r.h); err != nil {
			return err
		}
	}
	return nil
}

// BenchmarkDeriveScore measures what `rooted score --db` does per person
// besides the database: one pass (Day.All) over b.N persons that derives,
// digests, fills, batch-evaluates and makes every person's record.
func BenchmarkDeriveScore(b *testing.B) {
	day, err := NewScoring(mustVersion(b, "").Scheme(), DefaultOptions).On(d("2026-11-29"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	err = day.All(context.Background(), repeated{h: benchHistory(), n: b.N}, PassOptions{Digest: true}, func(r *Row) error {
		_ = r.Record()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "persons/s")
}

// TestNoIO keeps points a domain package: no HTTP, no SQL.
func TestNoIO(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/newcitizens/rooted/internal/points").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range []string{"net/http", "database/sql", "modernc.org/sqlite", "github.com/jackc/pgx"} {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("points depends on %s", dep)
			}
		}
	}
}
