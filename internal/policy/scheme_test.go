package policy

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/msg"
)

func mustLoad(t testing.TB, path string) *Scheme {
	t.Helper()
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestWorkedExample(t *testing.T) {
	s := mustLoad(t, "")
	in := s.NewInputs()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(in.SetDate("birth_date", date.MustParse("1994-06-01")))
	must(in.SetLevel("education", "college"))
	must(in.SetNumber("skill_level", 4))
	must(in.SetNumber("insurance_months", 36))
	must(in.SetNumber("residence_months", 48))
	r, err := s.Evaluate(in, date.MustParse("2026-11-29"))
	must(err)
	want := map[string]float64{"P1": 20, "P2": 8, "P3": 5, "P4": 18, "P5": 12}
	for i, it := range r.Items {
		if w := want[it.Code]; it.Points != w {
			t.Errorf("%s: got %v, want %v", it.Code, it.Points, w)
		}
		t.Logf("%s %v %s | %s", it.Code, it.Points, r.Explain(i, msg.EN), r.Explain(i, msg.ZH))
	}
	if r.Provincial != 63 || r.Total != 63 {
		t.Errorf("provincial %v total %v, want 63 63", r.Provincial, r.Total)
	}
}

func TestVersions(t *testing.T) {
	s := mustLoad(t, "testdata/versions.yaml")
	in := s.NewInputs()
	if err := in.SetNumber("insurance_months", 20); err != nil {
		t.Fatal(err)
	}
	if err := in.SetDate("birth_date", date.MustParse("2000-01-01")); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		asOf    string
		version string
		total   float64
		err     bool
	}{
		{"2024-12-31", "", 0, true},
		{"2025-01-01", "2025.1", 10, false},
		{"2025-12-31", "2025.1", 10, false},
		{"2026-01-01", "2026.1", 25, false},
		{"2030-06-01", "2026.1", 20, false}, // 30 years old: no youth bonus
	} {
		r, err := s.Evaluate(in, date.MustParse(tt.asOf))
		if tt.err {
			if !errors.Is(err, ErrNoVersion) {
				t.Errorf("%s: got %v, want ErrNoVersion", tt.asOf, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tt.asOf, err)
			continue
		}
		if r.Version.Name != tt.version || r.Total != tt.total {
			t.Errorf("%s: got version %s total %v, want %s %v", tt.asOf, r.Version.Name, r.Total, tt.version, tt.total)
		}
	}
}

// TestWhatIf checks that evaluating a changed copy leaves the original alone.
func TestWhatIf(t *testing.T) {
	s := mustLoad(t, "")
	asOf := date.MustParse("2026-11-29")
	in := s.NewInputs()
	_ = in.SetNumber("insurance_months", 36)
	base, _ := s.Evaluate(in, asOf)
	more := in.Clone()
	_ = more.SetNumber("insurance_months", 48)
	r, _ := s.Evaluate(more, asOf)
	again, _ := s.Evaluate(in, asOf)
	if base.Total != 23 || r.Total != 29 || again.Total != 23 {
		t.Errorf("totals: base %v, what-if %v, base again %v; want 23, 29, 23", base.Total, r.Total, again.Total)
	}
}

// schemeWith returns a one-rule scheme whose rule P1 has the given fields.
func schemeWith(rule string, extra string) string {
	return `scheme: bad
inputs:
  - {name: birth_date, type: date}
  - {name: months, type: number, min: 0}
  - {name: kids, type: int, min: 0}
  - {name: flag, type: bool}
  - name: edu
    type: level
    levels: [{code: none}, {code: college}]
versions:
  - version: "1"
    from: 2020-01-01
    rules:
      - code: P1
        layer: provincial
        label: {zh: 甲, en: a}
        explain: {zh: "{points}", en: "{points}"}
` + rule + `
    totals:
      school_points: "provincial + city + county"
      total: "provincial + city + county - deductions"
      frozen: "flag"
` + extra
}

func sub(s, old, new string) string { return strings.Replace(s, old, new, 1) }

func TestSchemeRefused(t *testing.T) {
	long := "'kids in [0"
	for i := range 2000 {
		long += fmt.Sprintf(", %d", i+1)
	}
	long += "] ? 1 : 0'"
	for _, tt := range []struct {
		name, yaml, want string
	}{
		{"ok", schemeWith("        cap: 10\n        points: months", ""), ""},
		{"unknown input", schemeWith("        cap: 10\n        points: month * 2", ""), "rule P1: ERROR: <input>:1:1: undeclared reference to 'month'"},
		{"type error", schemeWith("        cap: 10\n        points: flag + 1", ""), "rule P1: ERROR"},
		{"boolean points", schemeWith("        cap: 10\n        points: flag", ""), "rule P1: \"flag\" has type bool, want a number"},
		{"missing cap", schemeWith("        points: months", ""), "rule P1: no cap"},
		{"cost limit", schemeWith("        cap: 10\n        points: "+long, ""), "rule P1: CEL cost estimate"},
		{"unsupported function", schemeWith("        cap: 10\n        points: double(size([1, 2]))", ""), "rule P1: \"double(size([1, 2]))\": size is not supported"},
		{"unknown level", schemeWith("        cap: 10\n        points: 'edu == \"phd\" ? 1 : 0'", ""), `edu has no level "phd"`},
		{"date in a formula", schemeWith("        cap: 10\n        points: birth_date * 1", ""), "birth_date is a date: use `age`"},
		{"integer division by a variable", schemeWith("        cap: 10\n        points: 10 / kids", ""), "integer / needs a constant non-zero divisor"},
		{"unknown placeholder", sub(schemeWith("        cap: 10\n        points: months", ""), `zh: "{points}"`, `zh: "{monhts}"`), "rule P1: explain.zh: unknown placeholder {monhts}"},
		{"self reference", schemeWith("        cap: 10\n        points: P1 + 1", ""), "rule P1: refers to itself: P1 → P1"},
		{"unknown field", schemeWith("        cap: 10\n        cost: 3\n        points: months", ""), "field cost not found"},
		{"bad layer", sub(schemeWith("        cap: 10\n        points: months", ""), "layer: provincial", "layer: town"), `rule P1: layer "town"`},
		{"totals not a number", sub(schemeWith("        cap: 10\n        points: months", ""), `total: "provincial + city + county - deductions"`, `total: "flag"`), `totals.total: "flag" has type bool`},
		{"layer sum missing a rule", sub(schemeWith("        cap: 10\n        points: months", ""), `frozen: "flag"`, `frozen: "flag"`+"\n      provincial: \"0.0\""), "rule P1: not counted in totals.provincial"},
		{"not YAML", "scheme: [", "not a scheme file"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.yaml))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("got %v, want no error", err)
			case tt.want != "" && err == nil:
				t.Fatalf("got no error, want one containing %q", tt.want)
			case err != nil && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("got %v, want one containing %q", err, tt.want)
			case err != nil && !strings.HasPrefix(err.Error(), "policy: bad.yaml"):
				t.Fatalf("got %v, want it to name the file", err)
			}
		})
	}
}

func TestOpCount(t *testing.T) {
	v, _ := mustLoad(t, "").Version(asOfTest)
	t.Logf("%d ops, %d registers (%d constants)", len(v.prog.ops), v.prog.nregs, len(v.prog.consts))
}
