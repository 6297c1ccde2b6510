package policy

import (
	"cmp"
	"errors"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/policies"
)

// withDerive returns the shipped default scheme with its `derive:` section
// replaced by entries (YAML flow mappings, one a line).
func withDerive(t testing.TB, entries ...string) []byte {
	t.Helper()
	data, err := fs.ReadFile(policies.FS, policies.Default)
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	from, to := strings.Index(s, "\nderive:\n"), strings.Index(s, "\nversions:\n")
	if from < 0 || to < from {
		t.Fatal("the default scheme has no derive: section before versions:")
	}
	var b strings.Builder
	b.WriteString(s[:from])
	b.WriteString("\nderive:\n")
	for _, e := range entries {
		b.WriteString("  - " + e + "\n")
	}
	b.WriteString(s[to:])
	return []byte(b.String())
}

// TestDeriveRefused checks that each kind of bad declaration is refused at
// load with an error naming the entry and what is wrong.
func TestDeriveRefused(t *testing.T) {
	for _, tt := range []struct {
		entry string
		want  string // in the error, after the entry's name
	}{
		{`{from: income_tax, sum: value}`, "derive 1: no `input:`"},
		{`{input: income_tax_9y, from: income_tax, sum: value}`, "derive income_tax_9y: input income_tax_9y is not declared in `inputs:`"},
		{`{input: birth_date, from: income_tax, sum: value}`, "derive birth_date: input birth_date is a date"},
		{`{input: income_tax_3y, from: salary, sum: value}`, "derive income_tax_3y: from: fact kind salary is not declared in `facts:`"},
		{`{input: residence_months, special: residence_years}`, `derive residence_months: unknown special "residence_years": want one of education, residence_months`},
		{`{input: awards_county, from: award_county, sum: value}`, "derive awards_county: sum needs a number or int fact; award_county is none"},
		{`{input: income_tax_3y, from: income_tax, sum: value, count: true}`, "give exactly one of special, sum, count, best, latest, latest_is, present (got 2: sum, count)"},
		{`{input: income_tax_3y, from: income_tax}`, "give exactly one of special, sum, count"},
		{`{input: income_tax_3y}`, "(got 0: )"},
		{`{input: income_tax_3y, sum: value}`, "derive income_tax_3y: sum needs `from:` a fact kind"},
		{`{input: income_tax_3y, from: income_tax, sum: amount}`, "write `sum: value`"},
		{`{input: income_tax_3y, from: income_tax, sum: value, within: 3 years}`, `within: "3 years": write a whole number of years or months`},
		{`{input: income_tax_3y, from: income_tax, sum: value, within: 0y}`, `within: "0y"`},
		{`{input: income_tax_3y, from: income_tax, sum: value, within: -3y}`, `within: "-3y"`},
		{`{input: income_tax_3y, from: income_tax, sum: value, during: school}`, `during: "school": want employment`},
		{`{input: income_tax_3y, from: income_tax, sum: value, cap: -1}`, "cap -1 is negative"},
		{`{input: shortage_job, from: shortage_job, present: true, cap: 1}`, "cap: only a sum or a count is capped"},
		{`{input: shortage_job, from: shortage_job, count: true}`, "count gives a number or int; input shortage_job is bool"},
		{`{input: shortage_job, from: shortage_job, present: false}`, "present: false means nothing"},
		{`{input: awards_county, from: award_county, count: false}`, "count: false counts nothing"},
		{`{input: awards_county, from: award_county, present: true}`, "present gives a bool; input awards_county is int"},
		{`{input: skill_level, from: volunteer_hours, best: lowest}`, "best: lowest of the number fact volunteer_hours cannot feed the int input skill_level"},
		{`{input: employees_hired, from: volunteer_hours, latest: value}`, "latest of the number fact volunteer_hours cannot feed the int input employees_hired"},
		{`{input: skill_level, from: skill_level, best: first}`, `best: "first": want lowest, highest or a list of level codes`},
		{`{input: skill_level, from: title, best: lowest}`, "best: lowest needs a number or int fact; title is level"},
		{`{input: title, from: skill_level, best: [junior]}`, "best: [...] ranks levels; skill_level is int"},
		{`{input: title, from: title, best: []}`, "best: [] ranks nothing"},
		{`{input: title, from: title, best: [junior, expert]}`, "best: expert is not a level of fact title"},
		{`{input: title, from: marrow, best: [registered]}`, "best: registered is not a level of input title"},
		{`{input: title, from: title, best: [junior, junior]}`, "best: junior is ranked twice"},
		{`{input: title, from: title, best: {a: b}}`, "want lowest, highest or a list of level codes"},
		{`{input: marrow, from: title, best: [junior]}`, "best: junior is not a level of input marrow"},
		{`{input: skill_level, from: title, best: [junior]}`, "best: [...] gives a level; input skill_level is int"},
		{`{input: dishonest_listed, from: heroism, latest_is: listed}`, "latest_is needs a level fact; heroism is none"},
		{`{input: dishonest_listed, from: dishonest, latest_is: banned}`, "latest_is: banned is not a level of fact dishonest"},
		{`{input: employees_hired, from: employees_hired, latest: first}`, "write `latest: value`"},
		{`{input: housing, special: residence_months}`, "special residence_months gives a number or int; input housing is level"},
		{`{input: permit_valid, special: housing}`, "special housing gives a level; input permit_valid is bool"},
		{`{input: education, special: housing}`, "special housing gives level rented, which input education does not have"},
		{`{input: residence_months, special: residence_months, within: 3y}`, "special residence_months takes no from, within, during or cap"},
	} {
		t.Run(tt.entry, func(t *testing.T) {
			_, err := Parse("test.yaml", withDerive(t, tt.entry))
			var se *SchemeError
			if !errors.As(err, &se) {
				t.Fatalf("got %v, want a *SchemeError", err)
			}
			if !strings.Contains(err.Error(), "policy: test.yaml: "+tt.want) && !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got  %v\nwant %s", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "policy: test.yaml: derive ") {
				t.Errorf("%v: does not name the entry", err)
			}
		})
	}
}

func TestDeriveDuplicate(t *testing.T) {
	_, err := Parse("test.yaml", withDerive(t, `{input: heroism, from: heroism, present: true}`, `{input: heroism, from: heroism, present: true}`))
	if err == nil || err.Error() != "policy: test.yaml: derive heroism: input heroism is derived twice" {
		t.Errorf("got %v", err)
	}
}

// TestDerivePlan checks the resolved plan of the shipped scheme: entries in
// file order, the windows shared, the by-kind index.
func TestDerivePlan(t *testing.T) {
	p := mustLoad(t, "").Derivations()
	if len(p.Entries) != 38 || p.Entries[0].Input != "education" || p.Entries[37].Input != "talent_category" {
		t.Fatalf("%d entries, first %s", len(p.Entries), p.Entries[0].Input)
	}
	var windows []string
	for _, w := range p.Windows {
		windows = append(windows, w.String())
	}
	if got := strings.Join(windows, " "); got != "3y 5y 1y" {
		t.Errorf("windows %s, want 3y 5y 1y", got)
	}
	for _, tt := range []struct {
		kind  string
		input string
	}{{"income_tax", "income_tax_3y"}, {"award_province", "awards_province"}, {"dishonest", "dishonest_listed"}} {
		got := p.ForKind(tt.kind)
		if len(got) != 1 || p.Entries[got[0]].Input != tt.input {
			t.Errorf("ForKind(%s) = %v, want the entry of %s", tt.kind, got, tt.input)
		}
	}
	if got := p.ForKind("residence"); got != nil {
		t.Errorf("ForKind(residence) = %v: no entry reads it", got)
	}
	if got := p.ForKind(strings.Repeat("x", 100)); got != nil {
		t.Errorf("ForKind(long) = %v", got)
	}
	if len(p.Specials) != 12 || p.Levels != 4 {
		t.Errorf("%d specials, %d levels; want 12, 4", len(p.Specials), p.Levels)
	}
}

// TestDeriveWindows checks `within:` in years and months.
func TestDeriveWindows(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Window
		ok   bool
	}{
		{"3y", Window{Years: 3}, true}, {"18m", Window{Years: 1, Months: 6}, true}, {"12m", Window{Years: 1}, true},
		{"100y", Window{Years: 100}, true}, {"101y", Window{}, false}, {"1201m", Window{}, false},
		{"y", Window{}, false}, {"3", Window{}, false}, {"3d", Window{}, false}, {"+3y", Window{}, false}, {"", Window{}, false},
	} {
		got, ok := parsedWindow(tt.in)
		if ok != tt.ok || (ok && got != tt.want) {
			t.Errorf("parsedWindow(%q) = %v %v, want %v %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

// FuzzDerive checks that no derive: entry makes loading panic, and that an
// entry the loader accepts resolves to a plan within its bounds.
func FuzzDerive(f *testing.F) {
	for _, e := range []string{
		`{input: income_tax_3y, from: income_tax, sum: value, within: 3y}`,
		`{input: title, from: title, best: [junior, intermediate, senior]}`,
		`{input: residence_months, special: residence_months}`,
		`{input: shortage_job, from: shortage_job, present: true, during: employment}`,
		`{input: volunteer_hours_5y, from: volunteer_hours, sum: value, within: 5y, cap: 43800}`,
		`{input: x, best: [[]], within: 9999999999999999999y}`,
	} {
		f.Add(e)
	}
	f.Fuzz(func(t *testing.T, entry string) {
		if strings.ContainsAny(entry, "\n\r") {
			return
		}
		s, err := Parse("fuzz.yaml", withDerive(t, entry))
		if err != nil {
			return
		}
		p := s.Derivations()
		for i, e := range p.Entries {
			if e.Window >= len(p.Windows) || (e.Type == Level) != (e.Level >= 0) || e.Level >= p.Levels {
				t.Fatalf("entry %d resolved out of bounds: %+v", i, e)
			}
		}
	})
}

// TestShippedDerivationsAgree keeps the two shipped schemes deriving the
// same inputs the same way, so that a reform simulation between them
// compares rules, not derivations.
func TestShippedDerivationsAgree(t *testing.T) {
	a := mustLoad(t, "../../policies/zhejiang-county-default.yaml").Derivations()
	b := mustLoad(t, "../../policies/zhejiang-county-insurance-weighted.yaml").Derivations()
	if !reflect.DeepEqual(a.Entries, b.Entries) || !reflect.DeepEqual(a.Windows, b.Windows) {
		t.Errorf("the shipped schemes derive differently:\n%+v\n%+v", a.Entries, b.Entries)
	}
}

// TestCutoffs checks the window bounds, also when the day asked for
// changes between calls (the last answer is kept).
func TestCutoffs(t *testing.T) {
	p := mustLoad(t, "").Derivations()
	// The entries of income_tax_3y, awards_county, income_below_limit and
	// donation_yuan (no window).
	var picked []int
	for _, name := range []string{"income_tax_3y", "awards_county", "income_below_limit", "donation_yuan"} {
		picked = append(picked, slices.IndexFunc(p.Entries, func(e Derivation) bool { return e.Input == name }))
	}
	for _, tt := range []struct{ asOf, want string }{
		{"2026-11-29", "2023-11-29 2021-11-29 2025-11-29 -"},
		{"2026-11-29", "2023-11-29 2021-11-29 2025-11-29 -"},
		{"2024-02-29", "2021-03-01 2019-03-01 2023-03-01 -"},
		{"2026-11-29", "2023-11-29 2021-11-29 2025-11-29 -"},
	} {
		cut := p.Cutoffs(date.MustParse(tt.asOf))
		if len(cut) != len(p.Entries) {
			t.Fatalf("%d cutoffs for %d entries", len(cut), len(p.Entries))
		}
		var got []string
		for _, i := range picked {
			got = append(got, cmp.Or(cut[i].String(), "-"))
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("Cutoffs(%s) = %v, want %s", tt.asOf, got, tt.want)
		}
	}
}

// TestNoDeriveSectionDerivesAsShipped: a scheme file written before the
// derive: section existed scores the registry as the shipped scheme does
// (for the inputs it declares), and `derive: []` derives nothing.
func TestNoDeriveSectionDerivesAsShipped(t *testing.T) {
	data, err := os.ReadFile("../../policies/zhejiang-county-default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	from, to := strings.Index(text, "\nderive:\n"), strings.Index(text, "\nversions:\n")
	if from < 0 || to < from {
		t.Fatal("the shipped scheme has no derive: section before versions:")
	}
	want := mustLoad(t, "").Derivations()
	old, err := Parse("old.yaml", []byte(text[:from]+text[to:]))
	if err != nil {
		t.Fatal(err)
	}
	if got := old.Derivations(); !reflect.DeepEqual(got.Entries, want.Entries) || !reflect.DeepEqual(got.Windows, want.Windows) {
		t.Errorf("without derive: the scheme derives\n%+v\nwant the shipped\n%+v", got.Entries, want.Entries)
	}
	none, err := Parse("none.yaml", []byte(text[:from]+"\nderive: []"+text[to:]))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(none.Derivations().Entries); n != 0 {
		t.Errorf("derive: [] derives %d inputs, want none", n)
	}
}
