package policy

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/policies"
)

// A case file holds test cases for a scheme, OpenFisca-style: an input as
// a JSON line would give it, an as-of date, and what is expected. Only the
// expectations written are checked.
//
//	scheme: zhejiang-county-default.yaml   # relative to the case file
//	cases:
//	  - name: worked example
//	    as_of: 2026-11-29
//	    input: {birth_date: "1994-06-01", education: college}
//	    expect:
//	      items: {P1: 20, P2: 8}
//	      layers: {provincial: 63}
//	      total: 63
//	      eligible: {school_seat: false}
//	      explain_en: {P1: "age 32 → 20"}
//	  - name: skill level out of range
//	    input: {skill_level: 6}
//	    expect: {error: "skill_level"}    # the line is refused; message contains this
type caseFile struct {
	Scheme string     `yaml:"scheme"`
	AsOf   string     `yaml:"as_of"` // default for cases without one
	Cases  []caseSpec `yaml:"cases"`
}

type caseSpec struct {
	Name   string         `yaml:"name"`
	AsOf   string         `yaml:"as_of"`
	Input  map[string]any `yaml:"input"`
	Expect struct {
		Items        map[string]float64 `yaml:"items"`
		Layers       map[string]float64 `yaml:"layers"`
		Deductions   *float64           `yaml:"deductions"`
		SchoolPoints *float64           `yaml:"school_points"`
		Total        *float64           `yaml:"total"`
		Frozen       *bool              `yaml:"frozen"`
		Eligible     map[string]bool    `yaml:"eligible"`
		Age          *int               `yaml:"age"`
		ExplainZH    map[string]string  `yaml:"explain_zh"`
		ExplainEN    map[string]string  `yaml:"explain_en"`
		Error        string             `yaml:"error"`
	} `yaml:"expect"`
}

// CaseReport is the outcome of a case file.
type CaseReport struct {
	File   string
	Scheme string
	Cases  []CaseResult
}

// Passed counts the cases that passed.
func (r *CaseReport) Passed() int {
	n := 0
	for _, c := range r.Cases {
		if c.OK() {
			n++
		}
	}
	return n
}

// CaseResult is one case: its name and each difference, "what: got X,
// want Y".
type CaseResult struct {
	Name  string
	Diffs []string
}

// OK reports whether the case passed.
func (c CaseResult) OK() bool { return len(c.Diffs) == 0 }

// RunCaseFile runs the test cases of path: a case file, or a scheme file
// with its cases beside it (NAME.test.yaml for NAME.yaml). The error is for
// a file that cannot be read or a scheme that does not load, not for
// failing cases.
func RunCaseFile(path string) (*CaseReport, error) {
	if !strings.HasSuffix(path, ".test.yaml") {
		path = strings.TrimSuffix(path, ".yaml") + ".test.yaml"
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w", err)
	}
	return runCases(path, data, func(name string) (*Scheme, error) {
		return Load(filepath.Join(filepath.Dir(path), name))
	})
}

// RunShippedCases runs every case file embedded in package policies.
func RunShippedCases() ([]*CaseReport, error) {
	names, err := fs.Glob(policies.FS, "*.test.yaml")
	if err != nil {
		return nil, err
	}
	var reps []*CaseReport
	for _, n := range names {
		data, err := fs.ReadFile(policies.FS, n)
		if err != nil {
			return nil, err
		}
		rep, err := runCases(n, data, func(name string) (*Scheme, error) {
			b, err := fs.ReadFile(policies.FS, name)
			if err != nil {
				return nil, &SchemeError{File: name, Err: err}
			}
			return Parse(name, b)
		})
		if err != nil {
			return nil, err
		}
		reps = append(reps, rep)
	}
	return reps, nil
}

func runCases(file string, data []byte, load func(string) (*Scheme, error)) (*CaseReport, error) {
	var cf caseFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&cf); err != nil {
		return nil, fmt.Errorf("policy: %s: %w", file, err)
	}
	if cf.Scheme == "" {
		return nil, fmt.Errorf("policy: %s: no `scheme:`", file)
	}
	s, err := load(cf.Scheme)
	if err != nil {
		return nil, err
	}
	rep := &CaseReport{File: file, Scheme: s.Name}
	dec2 := newDecoder(s)
	for i, c := range cf.Cases {
		name := c.Name
		if name == "" {
			name = fmt.Sprintf("case %d", i+1)
		}
		rep.Cases = append(rep.Cases, CaseResult{Name: name, Diffs: runCase(s, dec2, cf.AsOf, &c)})
	}
	return rep, nil
}

func runCase(s *Scheme, d *decoder, defaultAsOf string, c *caseSpec) []string {
	asOfText := c.AsOf
	if asOfText == "" {
		asOfText = defaultAsOf
	}
	asOf, err := date.Parse(asOfText)
	if err != nil {
		return []string{fmt.Sprintf("as_of: %v", err)}
	}
	v, err := s.Version(asOf)
	if err != nil {
		return []string{err.Error()}
	}
	in := map[string]any{}
	for k, x := range c.Input {
		if t, ok := x.(time.Time); ok { // an unquoted YAML date
			x = t.Format(time.DateOnly)
		}
		in[k] = x
	}
	line, err := json.Marshal(in)
	if err != nil {
		return []string{fmt.Sprintf("input: %v", err)}
	}
	b := v.NewBatch(1, asOf)
	row := b.Add()
	_, refusal := d.decodeLine(line, b, row, asOf)
	e := &c.Expect
	var diffs []string
	if e.Error != "" || refusal != "" {
		switch {
		case e.Error == "":
			diffs = append(diffs, fmt.Sprintf("input refused: %s", refusal))
		case refusal == "":
			diffs = append(diffs, fmt.Sprintf("input accepted, want an error containing %q", e.Error))
		case !strings.Contains(refusal, e.Error):
			diffs = append(diffs, fmt.Sprintf("error: got %q, want one containing %q", refusal, e.Error))
		}
		return diffs
	}
	b.Evaluate()
	r := b.Result(row)
	num := func(what string, got, want float64) {
		if math.Abs(got-want) > 0.005 {
			diffs = append(diffs, fmt.Sprintf("%s: got %s, want %s", what, fmtNum(got), fmtNum(want)))
		}
	}
	for _, code := range sortedKeys(e.Items) {
		i := v.Rule(code)
		if i < 0 {
			diffs = append(diffs, fmt.Sprintf("items.%s: no such rule", code))
			continue
		}
		num("items."+code, r.Items[i].Points, e.Items[code])
	}
	layers := map[string]float64{"provincial": r.Provincial, "city": r.City, "county": r.County}
	for _, l := range sortedKeys(e.Layers) {
		got, ok := layers[l]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("layers.%s: no such layer", l))
			continue
		}
		num("layers."+l, got, e.Layers[l])
	}
	if e.Deductions != nil {
		num("deductions", r.Deductions, *e.Deductions)
	}
	if e.SchoolPoints != nil {
		num("school_points", r.SchoolPoints, *e.SchoolPoints)
	}
	if e.Total != nil {
		num("total", r.Total, *e.Total)
	}
	if e.Age != nil && r.Age != *e.Age {
		diffs = append(diffs, fmt.Sprintf("age: got %d, want %d", r.Age, *e.Age))
	}
	if e.Frozen != nil && r.Frozen != *e.Frozen {
		diffs = append(diffs, fmt.Sprintf("frozen: got %v, want %v", r.Frozen, *e.Frozen))
	}
	for _, g := range sortedKeys(e.Eligible) {
		found := false
		for i, n := range v.Services {
			if n.Name == g {
				found = true
				if r.Eligible[i] != e.Eligible[g] {
					diffs = append(diffs, fmt.Sprintf("eligible.%s: got %v, want %v", g, r.Eligible[i], e.Eligible[g]))
				}
			}
		}
		if !found {
			diffs = append(diffs, fmt.Sprintf("eligible.%s: no such gate", g))
		}
	}
	for _, x := range []struct {
		lang msg.Lang
		want map[string]string
	}{{msg.ZH, e.ExplainZH}, {msg.EN, e.ExplainEN}} {
		for _, code := range sortedKeys(x.want) {
			i := v.Rule(code)
			if i < 0 {
				diffs = append(diffs, fmt.Sprintf("explain_%s.%s: no such rule", x.lang, code))
				continue
			}
			if got := r.Explain(i, x.lang); got != x.want[code] {
				diffs = append(diffs, fmt.Sprintf("explain_%s.%s: got %q, want %q", x.lang, code, got, x.want[code]))
			}
		}
	}
	return diffs
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
