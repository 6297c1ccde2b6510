package points

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

// histories is a set of histories held in memory.
type histories []registry.PersonHistory

func (hs histories) ForEachHistory(ctx context.Context, fn func(registry.PersonHistory) error) error {
	for _, h := range hs {
		if err := fn(h); err != nil {
			return err
		}
	}
	return nil
}

// city returns n varied persons — more than a batch, so that passes
// cross batch boundaries — and every refusedEvery-th one with an
// education the scheme does not know (its inputs are refused).
func city(n, refusedEvery int) histories {
	educations := []string{"", "junior", "senior", "college", "bachelor", "master"}
	kinds := []string{"rented", "dormitory", "owned", "relative"}
	hs := make(histories, n)
	for i := range hs {
		birth := date.Of(1960+i%45, time.Month(1+i%12), 1+i%28)
		id := fmt.Sprintf("%06d%s%03d%d", 330100+i%50, strings.ReplaceAll(birth.String(), "-", ""), i%1000, i%10)
		h := registry.PersonHistory{
			Person: registry.Person{IDNumber: id, BirthDate: birth, Education: educations[i%len(educations)],
				Sex: []registry.Sex{registry.Male, registry.Female}[i%2], Origin: fmt.Sprintf("%06d", 110100+(i%30)*10000)},
			Residences: []registry.Residence{res(fmt.Sprintf("%d-03-01", 2005+i%20), "", kinds[i%len(kinds)])},
			Insurance:  []registry.Insurance{ins("pension", fmt.Sprintf("%d-01-01", 2008+i%18), "")},
		}
		h.Residences[0].Town = []string{"zeguo", "daxi", "songmen"}[i%3]
		if i%3 == 0 {
			h.Jobs = []registry.Job{job("A", fmt.Sprintf("%d-06-01", 2012+i%14), "")}
		}
		if i%7 == 0 {
			h.Children = []registry.Person{{IDNumber: "c" + id, BirthDate: date.Of(2015+i%8, 5, 1)}}
			h.Permits = []registry.Permit{permit("331081-20200101-AAAA", "2020-01-01", "2027-12-31", registry.PermitActive)}
		}
		if i%5 == 0 {
			h.Facts = []registry.Fact{fact("volunteer_hours", "30", "2025-05-01"), fact("skill_level", "3", "2023-01-01")}
		}
		if refusedEvery > 0 && i%refusedEvery == refusedEvery-1 {
			h.Person.Education = "astrologer"
		}
		hs[i] = h
	}
	return hs
}

func mustDay(t testing.TB, file string, asOf string) Day {
	t.Helper()
	s, err := policy.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	day, err := NewScoring(s, Options{}).On(d(asOf))
	if err != nil {
		t.Fatal(err)
	}
	return day
}

// TestPersonIsAll checks that one person scored or explained alone
// (Day.Person, Day.Explain) is exactly that person's row of a pass over
// many (Day.All): the same result, digest and record; and that a person
// whose inputs are refused is told to Refused by the pass and refused by
// Person, never handed to fn.
func TestPersonIsAll(t *testing.T) {
	day := mustDay(t, "", "2026-11-29")
	hs := city(1100, 97)
	rows := map[string]registry.ScoreRecord{}
	results := map[string]policy.Result{}
	refused := map[string]error{}
	read := 0
	err := day.All(context.Background(), hs, PassOptions{
		Digest:   true,
		Refused:  func(h *registry.PersonHistory, err error) error { refused[h.Person.IDNumber] = err; return nil },
		Progress: func(n int) { read = n },
	}, func(r *Row) error {
		rows[r.History.Person.IDNumber] = r.Record()
		res := r.Result()
		if r.Total("total") != res.Total || r.Frozen() != res.Frozen || r.Eligible(0) != res.Eligible[0] {
			t.Errorf("%s: row accessors disagree with its result", r.History.Person.IDNumber)
		}
		results[r.History.Person.IDNumber] = res
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if read != len(hs) || len(rows)+len(refused) != len(hs) || len(refused) != 11 {
		t.Fatalf("read %d, scored %d, refused %d; want %d read, 11 refused", read, len(rows), len(refused), len(hs))
	}
	eligible := 0
	for i := range hs {
		h := &hs[i]
		id := h.Person.IDNumber
		one, err := day.Person(h)
		if refused[id] != nil {
			if err == nil || err.Error() != refused[id].Error() {
				t.Errorf("%s: Person error %v, pass told %v", id, err, refused[id])
			}
			if _, err := day.Explain(h, msg.EN, Actions); err == nil {
				t.Errorf("%s: explained, though refused", id)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		want := results[id]
		one.Result.Version, want.Version = nil, nil
		if !reflect.DeepEqual(stripped(one.Result), stripped(want)) {
			t.Errorf("%s: alone %+v\nin a pass %+v", id, one.Result, want)
		}
		rec := rows[id]
		if rec.InputsSHA256 != one.Digest() || rec.Total != one.Result.Total || rec.AsOf != day.AsOf() || rec.Version != day.Version().Name {
			t.Errorf("%s: record %+v; alone digest %s total %v", id, rec, one.Digest(), one.Result.Total)
		}
		ex, err := day.Explain(h, msg.EN, Actions)
		if err != nil {
			t.Fatal(err)
		}
		if ex.Total != want.Total || ex.SchoolPoints != want.SchoolPoints || ex.AsOf != "2026-11-29" {
			t.Errorf("%s: explained total %v school %v as of %s; pass %v %v", id, ex.Total, ex.SchoolPoints, ex.AsOf, want.Total, want.SchoolPoints)
		}
		for k, s := range ex.Eligible {
			if s.Eligible != want.Eligible[k] {
				t.Errorf("%s: explained %s eligible %v; pass %v", id, s.Name, s.Eligible, want.Eligible[k])
			}
			if s.Eligible {
				eligible++
			}
		}
	}
	if eligible == 0 {
		t.Errorf("nobody eligible for anything: the city tests too little")
	}
}

// stripped is r without what is not compared (its unexported registers
// are compared through Items and totals).
func stripped(r policy.Result) policy.Result {
	return policy.Result{AsOf: r.AsOf, Age: r.Age, Items: r.Items, Provincial: r.Provincial, City: r.City, County: r.County,
		Deductions: r.Deductions, SchoolPoints: r.SchoolPoints, Total: r.Total, Frozen: r.Frozen, Eligible: r.Eligible, TieBreaks: r.TieBreaks}
}

// TestCompareIsTwoPasses checks that a reform simulation (Compare) counts
// what two passes (Day.All), one under each scheme, give: persons, gainers
// and losers, means, eligibility, and persons by town and sex.
func TestCompareIsTwoPasses(t *testing.T) {
	from := mustDay(t, "../../policies/zhejiang-county-default.yaml", "2026-11-29")
	to := mustDay(t, "../../policies/zhejiang-county-insurance-weighted.yaml", "2026-11-29")
	hs := city(1300, 101)
	type scored struct {
		total    float64
		eligible map[string]bool
	}
	pass := func(day Day) map[string]scored {
		out := map[string]scored{}
		err := day.All(context.Background(), hs, PassOptions{}, func(r *Row) error {
			s := scored{total: r.Total("total"), eligible: map[string]bool{}}
			for i, svc := range day.Version().Services {
				s.eligible[svc.Name] = r.Eligible(i)
			}
			out[r.History.Person.IDNumber] = s
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	a, b := pass(from), pass(to)
	refusedTold := 0
	rep, err := Compare(context.Background(), hs, from, to, nil, PassOptions{
		Refused: func(*registry.PersonHistory, error) error { refusedTold++; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	var n, gainers, losers int
	var sumA, sumB float64
	elig := map[string][2]int{}
	towns, sexes := map[string]int{}, map[string]int{}
	for i := range hs {
		h := &hs[i]
		sa, okA := a[h.Person.IDNumber]
		sb, okB := b[h.Person.IDNumber]
		if !okA || !okB {
			continue
		}
		n++
		sumA += sa.total
		sumB += sb.total
		switch delta := round2(sb.total - sa.total); {
		case delta > 0:
			gainers++
		case delta < 0:
			losers++
		}
		for svc, ok := range sa.eligible {
			if ok {
				c := elig[svc]
				c[0]++
				elig[svc] = c
			}
		}
		for svc, ok := range sb.eligible {
			if ok {
				c := elig[svc]
				c[1]++
				elig[svc] = c
			}
		}
		towns[h.Residences[0].Town]++
		sexes[string(h.Person.Sex)]++
	}
	if refusedTold != len(hs)-n || n == len(hs) {
		t.Errorf("refused told %d, want %d (of %d)", refusedTold, len(hs)-n, len(hs))
	}
	if rep.Persons != n || rep.Gainers != gainers || rep.Losers != losers || rep.Unchanged != n-gainers-losers {
		t.Errorf("compare: persons %d gainers %d losers %d; two passes: %d %d %d", rep.Persons, rep.Gainers, rep.Losers, n, gainers, losers)
	}
	if gainers == 0 || losers == 0 {
		t.Errorf("the city tests too little: %d gainers, %d losers", gainers, losers)
	}
	if rep.MeanFrom != mean(sumA, n) || rep.MeanTo != mean(sumB, n) {
		t.Errorf("compare: means %v → %v; two passes %v → %v", rep.MeanFrom, rep.MeanTo, mean(sumA, n), mean(sumB, n))
	}
	for _, s := range rep.Eligible {
		if c := elig[s.Service]; s.A != c[0] || s.B != c[1] {
			t.Errorf("compare: %s eligible %d → %d; two passes %d → %d", s.Service, s.A, s.B, c[0], c[1])
		}
	}
	for _, bd := range rep.Breakdowns {
		want := map[string]map[string]int{ByTown: towns, BySex: sexes}[bd.Dimension]
		for _, row := range bd.Rows {
			if want != nil && row.Persons != want[row.Key] {
				t.Errorf("compare: %s %s has %d persons; two passes %d", bd.Dimension, row.Key, row.Persons, want[row.Key])
			}
		}
	}
}

// TestPassKeepAndStop checks that a pass scores only the persons Keep
// keeps (asking about every one), and stops at the first error of fn or
// Refused, returning it.
func TestPassKeepAndStop(t *testing.T) {
	day := mustDay(t, "", "2026-11-29")
	hs := city(700, 0)
	asked, scored := 0, 0
	err := day.All(context.Background(), hs, PassOptions{
		Keep: func(h *registry.PersonHistory) bool { asked++; return h.Person.Sex == registry.Female },
	}, func(r *Row) error {
		if r.History.Person.Sex != registry.Female {
			t.Errorf("%s: not kept, but scored", r.History.Person.IDNumber)
		}
		scored++
		return nil
	})
	if err != nil || asked != len(hs) || scored != len(hs)/2 {
		t.Errorf("asked %d, scored %d, err %v; want %d, %d, nil", asked, scored, err, len(hs), len(hs)/2)
	}
	stop := errors.New("stop")
	if err := day.All(context.Background(), hs, PassOptions{}, func(*Row) error { return stop }); !errors.Is(err, stop) {
		t.Errorf("fn's error: got %v", err)
	}
	err = day.All(context.Background(), city(10, 3), PassOptions{Refused: func(*registry.PersonHistory, error) error { return stop }},
		func(*Row) error { return nil })
	if !errors.Is(err, stop) {
		t.Errorf("Refused's error: got %v", err)
	}
	other := mustDay(t, "", "2026-11-30")
	if _, err := Compare(context.Background(), hs, day, other, nil, PassOptions{}); err == nil {
		t.Errorf("compared two days")
	}
}
