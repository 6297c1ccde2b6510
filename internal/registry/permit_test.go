package registry

import (
	"fmt"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
)

var d = date.MustParse

const adult = "520102198503033311"

func res(since, until, kind string) Residence {
	r := Residence{IDNumber: adult, Town: "zeguo", Address: "泽国镇一号", Since: d(since), Kind: kind}
	if until != "" {
		r.Until = d(until)
	}
	return r
}

func job(since, until string) Job {
	j := Job{IDNumber: adult, EmployerUSCC: "91331081MA2ABCDE1X", Since: d(since)}
	if until != "" {
		j.Until = d(until)
	}
	return j
}

// events renders a change as "kind@date" tokens for compact comparison.
func events(ch PermitChange) string {
	var s []string
	for _, e := range ch.Events {
		s = append(s, e.Kind+"@"+e.On.String())
	}
	return strings.Join(s, " ")
}

func TestPermitDecide(t *testing.T) {
	person := Person{IDNumber: adult, BirthDate: d("1985-03-03")}
	for _, tt := range []struct {
		name string
		h    PersonHistory
		asOf string
		want string
	}{
		{
			name: "day 182 of residence is not enough",
			h:    PersonHistory{Residences: []Residence{res("2026-01-01", "", "relative")}, Jobs: []Job{job("2026-01-01", "")}},
			asOf: "2026-07-01", // 2026-01-01 … 2026-07-01 is 182 days
			want: "",
		},
		{
			name: "day 183 of residence qualifies",
			h:    PersonHistory{Residences: []Residence{res("2026-01-01", "", "relative")}, Jobs: []Job{job("2026-01-01", "")}},
			asOf: "2026-07-02",
			want: "issue@2026-07-02",
		},
		{
			name: "a rented home qualifies without a job",
			h:    PersonHistory{Residences: []Residence{res("2025-01-01", "", "rented")}},
			asOf: "2025-12-31",
			want: "issue@2025-07-02", // 2025-01-01 + 182 days
		},
		{
			name: "living with relatives and no job never qualifies",
			h:    PersonHistory{Residences: []Residence{res("2020-01-01", "", "relative")}},
			asOf: "2026-11-29",
			want: "",
		},
		{
			name: "the job may start after the residence",
			h:    PersonHistory{Residences: []Residence{res("2024-01-01", "", "other")}, Jobs: []Job{job("2025-03-10", "")}},
			asOf: "2025-12-31",
			want: "issue@2025-03-10",
		},
		{
			name: "endorsed each anniversary while the rule holds",
			h:    PersonHistory{Residences: []Residence{res("2022-01-01", "", "rented")}},
			asOf: "2025-07-03",
			want: "issue@2022-07-02 endorse@2023-07-02 endorse@2024-07-02 endorse@2025-07-02",
		},
		{
			name: "the day before the anniversary is not yet an endorsement",
			h:    PersonHistory{Residences: []Residence{res("2022-01-01", "", "rented")}},
			asOf: "2023-07-01",
			want: "issue@2022-07-02",
		},
		{
			name: "lapses on the anniversary after leaving",
			h:    PersonHistory{Residences: []Residence{res("2022-01-01", "2023-03-31", "rented")}},
			asOf: "2026-11-29",
			want: "issue@2022-07-02 lapse@2023-07-02",
		},
		{
			name: "re-qualifies after a lapse with a new 183-day stay",
			h: PersonHistory{Residences: []Residence{
				res("2022-01-01", "2023-03-31", "rented"),
				res("2024-01-01", "", "dormitory"),
			}},
			asOf: "2026-11-29",
			want: "issue@2022-07-02 lapse@2023-07-02 issue@2024-07-01 endorse@2025-07-01 endorse@2026-07-01", // 2024 is a leap year
		},
		{
			name: "a job that ends lapses the permit of someone living with relatives",
			h:    PersonHistory{Residences: []Residence{res("2022-01-01", "", "relative")}, Jobs: []Job{job("2022-01-01", "2023-05-31"), job("2023-08-01", "")}},
			asOf: "2024-01-01",
			want: "issue@2022-07-02 lapse@2023-07-02 issue@2023-08-01",
		},
		{
			name: "a move with a 30-day gap keeps the stay unbroken",
			h: PersonHistory{Residences: []Residence{
				res("2022-01-01", "2022-05-31", "rented"),
				{IDNumber: adult, Town: "daxi", Address: "大溪镇二号", Since: d("2022-07-01"), Kind: "rented"},
			}},
			asOf: "2022-12-31",
			want: "issue@2022-07-02",
		},
		{
			name: "a 31-day gap breaks the stay",
			h: PersonHistory{Residences: []Residence{
				res("2022-01-01", "2022-05-31", "rented"),
				{IDNumber: adult, Town: "daxi", Address: "大溪镇二号", Since: d("2022-07-02"), Kind: "rented"},
			}},
			asOf: "2022-12-30", // the new stay alone reaches day 183 on 2022-12-31,
			want: "",
		},
		{
			name: "29 February anniversary falls on 1 March",
			h:    PersonHistory{Residences: []Residence{res("2023-08-31", "", "owned")}},
			asOf: "2025-03-01",
			want: "issue@2024-02-29 endorse@2025-03-01",
		},
		{
			name: "a residence that starts after as-of is ignored",
			h:    PersonHistory{Residences: []Residence{res("2027-01-01", "", "rented")}},
			asOf: "2026-11-29",
			want: "",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h
			h.Person = person
			got := events(DefaultPermitRule.Decide(h, d(tt.asOf)))
			if got != tt.want {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestPermitStudy(t *testing.T) {
	child := Person{IDNumber: "520102201806013312", BirthDate: d("2018-06-01")}
	h := PersonHistory{Person: child, HasGuardian: true, Residences: []Residence{{IDNumber: child.IDNumber, Town: "zeguo", Address: "x", Since: d("2023-01-01"), Kind: "relative"}}}
	if got, want := events(DefaultPermitRule.Decide(h, d("2026-11-29"))), "issue@2024-06-01 endorse@2025-06-01 endorse@2026-06-01"; got != want {
		t.Errorf("child with guardian: got %q, want %q", got, want)
	}
	h.HasGuardian = false
	if got := events(DefaultPermitRule.Decide(h, d("2026-11-29"))); got != "" {
		t.Errorf("child without guardian: got %q, want nothing", got)
	}
}

// TestPermitIdempotent feeds each decision back as recorded history, the way
// the store does, and checks that deciding again for the same day, or for
// each day in turn, gives the same permits as one decision at the end.
func TestPermitIdempotent(t *testing.T) {
	h := PersonHistory{
		Person: Person{IDNumber: adult, BirthDate: d("1985-03-03")},
		Residences: []Residence{
			res("2019-03-01", "2020-02-10", "rented"),
			res("2020-06-01", "2021-01-31", "relative"),
			res("2021-04-01", "", "dormitory"),
		},
		Jobs: []Job{job("2020-06-10", "2020-12-31")},
	}
	oneShot := DefaultPermitRule.Decide(h, d("2026-11-29"))

	stepped := h
	var all []string
	for day := d("2019-01-01"); day <= d("2026-11-29"); day += 17 {
		ch := DefaultPermitRule.Decide(stepped, day)
		for _, p := range ch.Permits {
			stepped.Permits = upsertPermit(stepped.Permits, p)
		}
		all = append(all, events(ch))
		if again := DefaultPermitRule.Decide(stepped, day); len(again.Events)+len(again.Permits) != 0 {
			t.Fatalf("deciding twice for %s changed %s", day, events(again))
		}
	}
	stepped.Permits = append(stepped.Permits[:0:0], stepped.Permits...)
	final := DefaultPermitRule.Decide(stepped, d("2026-11-29"))
	if len(final.Events) != 0 {
		t.Fatalf("final decide changed %s", events(final))
	}
	if got, want := strings.Join(strings.Fields(strings.Join(all, " ")), " "), events(oneShot); got != want {
		t.Errorf("stepped events differ from one decision:\n got %s\nwant %s", got, want)
	}
	if fmt.Sprint(len(stepped.Permits)) != fmt.Sprint(len(oneShot.Permits)) {
		t.Errorf("stepped has %d permits, one decision %d", len(stepped.Permits), len(oneShot.Permits))
	}
}
