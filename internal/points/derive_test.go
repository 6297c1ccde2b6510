package points

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

var d = date.MustParse

const adult = "520102198503033311"

// head is the start of every expected line for the adult.
const head = `{"id":"` + adult + `","id_number":"` + adult + `","birth_date":"1985-03-03","education":"college"`

func res(since, until, kind string) registry.Residence {
	r := registry.Residence{IDNumber: adult, Town: "zeguo", Address: "泽国镇一号 " + since, Since: d(since), Kind: kind}
	if until != "" {
		r.Until = d(until)
	}
	return r
}

func job(uscc, since, until string) registry.Job {
	j := registry.Job{IDNumber: adult, EmployerUSCC: uscc, Since: d(since)}
	if until != "" {
		j.Until = d(until)
	}
	return j
}

func ins(kind, from, to string) registry.Insurance {
	in := registry.Insurance{IDNumber: adult, Kind: kind, From: d(from)}
	if to != "" {
		in.To = d(to)
	}
	return in
}

func fact(kind, value, on string) registry.Fact {
	return registry.Fact{IDNumber: adult, Kind: kind, Value: value, Date: d(on)}
}

func permit(number, issued, validTo, status string) registry.Permit {
	return registry.Permit{Number: number, IDNumber: adult, IssuedOn: d(issued), ValidTo: d(validTo), Status: status}
}

// TestDerive checks each row of the derivation table (doc.go) on a
// hand-made history, as of 2026-11-29 unless the case says otherwise.
func TestDerive(t *testing.T) {
	for _, tt := range []struct {
		name string
		h    registry.PersonHistory
		asOf string
		want string // the JSON line after head
	}{
		{name: "nothing recorded", want: `}`},
		{
			name: "overlapping residences are counted once; current kind maps to housing",
			h: registry.PersonHistory{Residences: []registry.Residence{
				res("2024-01-01", "2024-12-31", "relative"),
				res("2024-07-01", "", "rented"), // overlaps the first half year
			}},
			want: `,"residence_months":34,"housing":"rented"}`, // 2024-01-01 … 2026-10-31 whole
		},
		{
			name: "a gap is not bridged; relative maps to none; a future residence is ignored",
			h: registry.PersonHistory{Residences: []registry.Residence{
				res("2025-01-01", "2025-03-31", "rented"),
				res("2025-05-01", "", "relative"),
				res("2027-01-01", "", "owned"),
			}},
			want: `,"residence_months":21}`, // 3 + (2025-05-01 … 2026-10-31) 18
		},
		{
			name: "owned home",
			h:    registry.PersonHistory{Residences: []registry.Residence{res("2026-01-01", "", "owned")}},
			want: `,"residence_months":10,"housing":"owned","owns_home_in_city":true}`,
		},
		{
			name: "pension periods: union, open end runs to the as-of month; other kinds only count for last month",
			h: registry.PersonHistory{Insurance: []registry.Insurance{
				ins("pension", "2020-01-01", "2020-12-01"),
				ins("pension", "2020-07-01", "2021-06-01"), // overlaps six months
				ins("pension", "2026-06-01", ""),
				ins("medical", "2019-01-01", ""),
			}},
			// 18 (2020-01 … 2021-06) + 6 (2026-06 … 2026-11); last 12 = 2025-11 … 2026-10: 5
			want: `,"insurance_months":24,"local_pension_months_12":5,"insured_last_month":true}`,
		},
		{
			name: "insurance that ended before last month",
			h:    registry.PersonHistory{Insurance: []registry.Insurance{ins("pension", "2025-01-01", "2026-09-01")}},
			want: `,"insurance_months":21,"local_pension_months_12":11}`, // 2025-11 … 2026-09
		},
		{
			name: "employment chains jobs without a gap; employer tenure counts the current employer only",
			h: registry.PersonHistory{Jobs: []registry.Job{
				job("A", "2022-03-01", "2024-02-29"),
				job("B", "2024-03-01", ""), // the next day: continuous
			}},
			want: `,"employment_months":56,"same_employer_months":32}`, // 2022-03 … 2026-10; 2024-03 … 2026-10
		},
		{
			name: "a gap of a day breaks employment; no current job gives nothing",
			h:    registry.PersonHistory{Jobs: []registry.Job{job("A", "2020-01-01", "2026-10-31")}},
			want: `}`,
		},
		{
			name: "shortage job only within the current employment",
			h: registry.PersonHistory{
				Jobs:  []registry.Job{job("A", "2025-01-01", "")},
				Facts: []registry.Fact{fact("shortage_job", "", "2025-02-01")},
			},
			want: `,"employment_months":22,"shortage_job":true,"same_employer_months":22}`,
		},
		{
			name: "shortage job before the current job does not count",
			h: registry.PersonHistory{
				Jobs:  []registry.Job{job("A", "2025-01-01", "")},
				Facts: []registry.Fact{fact("shortage_job", "", "2024-02-01")},
			},
			want: `,"employment_months":22,"same_employer_months":22}`,
		},
		{
			name: "permits: an active local permit counts from its issue; others do not",
			h: registry.PersonHistory{Permits: []registry.Permit{
				permit("331081-20200101-AAAA", "2020-01-01", "2021-12-31", registry.PermitLapsed),
				permit("331081-20230702-BBBB", "2023-07-02", "2027-07-01", registry.PermitActive),
				permit("330100-20200101-CCCC", "2020-01-01", "2027-01-01", registry.PermitActive), // another county
			}},
			want: `,"local_permit_months":40,"permit_valid":true}`, // 2023-07-02 … 2026-11-01
		},
		{
			name: "an active permit not endorsed past its year is not valid",
			h:    registry.PersonHistory{Permits: []registry.Permit{permit("331081-20240101-AAAA", "2024-01-01", "2024-12-31", registry.PermitActive)}},
			want: `}`,
		},
		{
			name: "children: a registered child under 16",
			h: registry.PersonHistory{Children: []registry.Person{
				{IDNumber: "x1", BirthDate: d("2000-01-01")}, // 26
				{IDNumber: "x2", BirthDate: d("2011-01-01")}, // 15
			}},
			want: `,"children_registered":true}`,
		},
		{
			name: "children: only a child of 16",
			h:    registry.PersonHistory{Children: []registry.Person{{IDNumber: "x1", BirthDate: d("2010-11-29")}}},
			want: `}`,
		},
		{
			name: "skill and title: the best held up to as-of",
			h: registry.PersonHistory{Facts: []registry.Fact{
				fact("skill_level", "4", "2020-01-01"),
				fact("skill_level", "2", "2024-01-01"),
				fact("skill_level", "1", "2027-01-01"), // after as-of
				fact("title", "intermediate", "2021-01-01"),
				fact("title", "junior", "2025-01-01"),
			}},
			want: `,"skill_level":2,"title":"intermediate"}`,
		},
		{
			name: "windows: 3 and 5 years end on as-of",
			h: registry.PersonHistory{Facts: []registry.Fact{
				fact("income_tax", "1000", "2023-11-29"), // exactly 3 years before: out
				fact("income_tax", "2000", "2023-11-30"),
				fact("business_tax", "500", "2025-12-31"),
				fact("volunteer_hours", "10.5", "2021-11-30"),
				fact("volunteer_hours", "40", "2021-11-29"), // out
				fact("blood_donation", "", "2022-01-01"),
				fact("blood_donation", "", "2024-01-01"),
				fact("invention_patent", "2", "2022-01-01"),
				fact("utility_patent", "3", "2020-01-01"), // out
				fact("award_county", "", "2023-01-01"),
				fact("award_prefecture", "", "2024-01-01"),
				fact("award_province", "", "2025-01-01"),
				fact("award_province", "", "2019-01-01"), // out
			}},
			want: `,"income_tax_3y":2000,"business_tax_3y":500,"invention_patents":2,"awards_county":1,"awards_prefecture":1,"awards_province":1,"volunteer_hours_5y":10.5,"blood_donations_5y":2}`,
		},
		{
			name: "donations, marrow, posts and recognitions",
			h: registry.PersonHistory{Facts: []registry.Fact{
				fact("donation", "500", "2010-01-01"),
				fact("donation", "800", "2026-01-01"),
				fact("marrow", "donated", "2022-01-01"),
				fact("marrow", "registered", "2023-01-01"),
				fact("community_role", "", "2015-01-01"),
				fact("special_post", "2", "2020-01-01"),
				fact("special_post", "4", "2024-01-01"),
				fact("heroism", "", "2001-01-01"),
				fact("talent_category", "", "2019-01-01"),
				fact("employees_hired", "5", "2023-01-01"),
				fact("employees_hired", "3", "2025-01-01"),
				fact("income_below_limit", "", "2026-01-01"),
			}},
			want: `,"employees_hired":3,"donation_yuan":1300,"marrow":"donated","community_role":true,"special_post_years":4,"heroism":true,"income_below_limit":true,"talent_category":true}`,
		},
		{
			name: "an income assessment older than a year lapses",
			h:    registry.PersonHistory{Facts: []registry.Fact{fact("income_below_limit", "", "2025-11-29")}},
			want: `}`,
		},
		{
			name: "penalties in their windows",
			h: registry.PersonHistory{Facts: []registry.Fact{
				fact("false_materials", "", "2024-01-01"),
				fact("false_materials", "", "2020-01-01"), // out
				fact("detention", "", "2025-01-01"),
				fact("criminal", "", "2022-01-01"),
				fact("criminal", "", "2021-01-01"), // out
				fact("tax_violation", "", "2010-01-01"),
				fact("serious_crime", "", "2005-01-01"),
			}},
			want: `,"false_materials_3y":1,"detentions_3y":1,"criminal_5y":1,"tax_violations":1,"serious_crime":true}`,
		},
		{
			name: "dishonest: listed and not removed since",
			h:    registry.PersonHistory{Facts: []registry.Fact{fact("dishonest", "listed", "2024-01-01")}},
			want: `,"dishonest_listed":true}`,
		},
		{
			name: "dishonest: removed later",
			h:    registry.PersonHistory{Facts: []registry.Fact{fact("dishonest", "listed", "2024-01-01"), fact("dishonest", "removed", "2025-01-01")}},
			want: `}`,
		},
		{
			name: "dishonest: removed after as-of still listed on as-of",
			h:    registry.PersonHistory{Facts: []registry.Fact{fact("dishonest", "listed", "2024-01-01"), fact("dishonest", "removed", "2025-01-01")}},
			asOf: "2024-06-01",
			want: `,"dishonest_listed":true}`,
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.h
			h.Person = registry.Person{IDNumber: adult, BirthDate: d("1985-03-03"), Education: "college"}
			asOf := d("2026-11-29")
			if tt.asOf != "" {
				asOf = d(tt.asOf)
			}
			f := Derive(&h, asOf, nil, DefaultOptions)
			got := string(f.AppendJSON(nil))
			if want := head + tt.want; got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
		})
	}
}

// TestFactsScore checks that a derived line is what `rooted score` reads:
// Fill and the scheme's own JSON decoder give the same result.
func TestFactsScore(t *testing.T) {
	s, err := policy.Load("")
	if err != nil {
		t.Fatal(err)
	}
	asOf := d("2026-11-29")
	h := registry.PersonHistory{
		Person:     registry.Person{IDNumber: adult, BirthDate: d("1985-03-03"), Education: "bachelor"},
		Residences: []registry.Residence{res("2020-01-01", "", "rented")},
		Insurance:  []registry.Insurance{ins("pension", "2021-01-01", "")},
		Jobs:       []registry.Job{job("A", "2021-01-01", "")},
		Facts:      []registry.Fact{fact("volunteer_hours", "45", "2025-01-01"), fact("skill_level", "3", "2022-01-01")},
	}
	f := Derive(&h, asOf, s, DefaultOptions)
	in := s.NewInputs()
	if err := f.Fill(in); err != nil {
		t.Fatal(err)
	}
	r, err := s.Evaluate(in, asOf)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	line := string(f.AppendJSON(nil)) + "\n"
	if _, err := s.ScoreJSONL(t.Context(), strings.NewReader(line), &out, policy.ScoreOptions{AsOf: asOf, Workers: 1}); err != nil {
		t.Fatal(err)
	}
	var got struct{ Total float64 }
	if err := json.Unmarshal([]byte(out.String()), &got); err != nil {
		t.Fatalf("rooted score output %q: %v", out.String(), err)
	}
	if got.Total != r.Total {
		t.Errorf("Fill gives total %v; rooted score gives %s", r.Total, out.String())
	}
	if r.Total < 100 {
		t.Errorf("total %v: the history should score over 100", r.Total)
	}
}
