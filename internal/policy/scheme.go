package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"regexp"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/policies"
)

// Text is a label or template in both languages.
type Text struct {
	ZH string `yaml:"zh"`
	EN string `yaml:"en"`
}

// In returns the text in lang; EN falls back to ZH when it is empty.
func (t Text) In(lang msg.Lang) string {
	if lang == msg.EN && t.EN != "" {
		return t.EN
	}
	return t.ZH
}

// InputType is the type of a declared input.
type InputType string

// Input types. Numbers are float64; ints are whole numbers; levels are one
// of a declared list of codes (held as the index in that list); dates are
// used only through the built-in `age`.
const (
	Number InputType = "number"
	Int    InputType = "int"
	Bool   InputType = "bool"
	Level  InputType = "level"
	Date   InputType = "date"
)

// Input is one typed input declared by a scheme. Every person's inputs hold
// one value per declared input, at index Slot; a missing value is Default.
type Input struct {
	Name    string
	Type    InputType
	Label   Text
	Min     float64   // inclusive lower bound (number, int); -Inf when open
	Max     float64   // inclusive upper bound (number, int); +Inf when open
	Default float64   // the value of a missing input, encoded as in the slot
	Levels  []LevelOf // level: the allowed codes; a slot holds the index
	Slot    int
}

// LevelOf is one allowed value of a level input.
type LevelOf struct {
	Code  string
	Label Text
}

// Layer is the layer a rule's points count in.
type Layer string

// The layers of a points scheme. Deduction rules give positive points that
// are subtracted; every other rule must declare a cap.
const (
	Provincial Layer = "provincial"
	City       Layer = "city"
	County     Layer = "county"
	Deduction  Layer = "deduction"
)

// Rule is one scored indicator of a scheme version.
type Rule struct {
	Code    string
	Layer   Layer
	Label   Text
	Explain Text    // templates: {input}, {age}, {points}, {raw}, {cap}
	Cap     float64 // points never exceed Cap; +Inf for an uncapped deduction
	Ref     string  // legal reference, optional
	Formula string  // CEL expression over the inputs, `age` and other results

	tmpl [2]template // ZH, EN
}

// Totals are the names of the scheme-defined results every version has, in
// output order. provincial, city, county and deductions default to the sum
// of their layer's rules; school_points, total and frozen must be written.
var totalNames = []string{"provincial", "city", "county", "deductions", "school_points", "total", "frozen"}

// Named is a named expression of a version: an eligibility gate or a
// tie-break value.
type Named struct {
	Name    string
	Label   Text
	Formula string
}

// Version is one dated version of a scheme: the rules and results in force
// From (inclusive) Until (inclusive; zero = open).
type Version struct {
	Name      string
	From      date.Date
	Until     date.Date
	Rules     []Rule
	Totals    map[string]string // name → CEL expression, see totalNames
	Services  []Named           // eligibility gates, in output order
	TieBreaks []Named           // numeric values for allocation, in order

	scheme *Scheme
	prog   program
	single sync.Pool // one-person batches for Evaluate
}

// Scheme is a loaded, type-checked and compiled points scheme. It is
// immutable and safe for concurrent use.
type Scheme struct {
	Name     string
	File     string // the file it was loaded from, for messages
	Title    Text
	Inputs   []Input
	Versions []*Version    // ordered by From
	LoadTime time.Duration // parse, type-check and compile

	byName    map[string]int // input name → index in Inputs
	birthSlot int            // slot of the date input birth_date, or -1
	defaults  []float64      // per slot
	derive    *DerivePlan    // the resolved `derive:` section (derive.go)
}

// SchemeError is a refused scheme: the file, the version and rule (or
// other part) concerned, and what is wrong.
type SchemeError struct {
	File    string
	Version string // "" when the error is not in a version
	Part    string // a rule code, "input NAME", "totals.NAME", … or ""
	Err     error
}

func (e *SchemeError) Error() string {
	var b strings.Builder
	b.WriteString("policy: ")
	b.WriteString(e.File)
	if e.Version != "" {
		b.WriteString(": version ")
		b.WriteString(e.Version)
	}
	if e.Part != "" {
		if strings.Contains(e.Part, " ") || strings.Contains(e.Part, ".") {
			b.WriteString(": ")
		} else {
			b.WriteString(": rule ")
		}
		b.WriteString(e.Part)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *SchemeError) Unwrap() error { return e.Err }

// ErrNoVersion is returned (wrapped) when no version of a scheme is in force
// on the day asked for.
var ErrNoVersion = errors.New("no version in force")

// readSchemeFile returns the name and bytes of the scheme file at path, or
// of the shipped default scheme when path is "".
func readSchemeFile(path string) (name string, data []byte, err error) {
	if path == "" {
		data, err = fs.ReadFile(policies.FS, policies.Default)
		return policies.Default, data, err
	}
	data, err = os.ReadFile(path)
	return path, data, err
}

// Load reads, type-checks and compiles the scheme file at path, or the
// shipped default scheme when path is "". Every error is a *SchemeError
// naming the file and, where it applies, the version and rule.
func Load(path string) (*Scheme, error) {
	name, data, err := readSchemeFile(path)
	if err != nil {
		return nil, &SchemeError{File: name, Err: err}
	}
	return Parse(name, data)
}

// Parse is Load for a scheme already in memory; name is used in messages.
func Parse(name string, data []byte) (*Scheme, error) {
	start := time.Now()
	var f fileSpec
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		return nil, &SchemeError{File: name, Err: fmt.Errorf("not a scheme file: %w", err)}
	}
	s, err := build(name, &f)
	if err != nil {
		return nil, err
	}
	s.LoadTime = time.Since(start)
	return s, nil
}

// Version returns the version in force on day, or an error wrapping
// ErrNoVersion.
func (s *Scheme) Version(day date.Date) (*Version, error) {
	for i := len(s.Versions) - 1; i >= 0; i-- {
		v := s.Versions[i]
		if day >= v.From && (v.Until == 0 || day <= v.Until) {
			return v, nil
		}
	}
	return nil, fmt.Errorf("policy: %s: scheme %s on %s: %w", s.File, s.Name, day, ErrNoVersion)
}

// Input returns the declared input called name.
func (s *Scheme) Input(name string) (*Input, bool) {
	i, ok := s.byName[name]
	if !ok {
		return nil, false
	}
	return &s.Inputs[i], true
}

// Scheme returns the scheme v belongs to.
func (v *Version) Scheme() *Scheme { return v.scheme }

// Rule returns the index of the rule with code, or -1.
func (v *Version) Rule(code string) int {
	for i := range v.Rules {
		if v.Rules[i].Code == code {
			return i
		}
	}
	return -1
}

// fileSpec is the YAML shape of a scheme file.
type fileSpec struct {
	Scheme   string              `yaml:"scheme"`
	Title    Text                `yaml:"title"`
	Facts    []registry.FactKind `yaml:"facts"`
	Inputs   []inputSpec         `yaml:"inputs"`
	Derive   []deriveSpec        `yaml:"derive"`
	Versions []versionSpec       `yaml:"versions"`
}

type inputSpec struct {
	Name    string      `yaml:"name"`
	Type    InputType   `yaml:"type"`
	ZH      string      `yaml:"zh"`
	EN      string      `yaml:"en"`
	Min     *float64    `yaml:"min"`
	Max     *float64    `yaml:"max"`
	Default any         `yaml:"default"`
	Levels  []levelSpec `yaml:"levels"`
}

type levelSpec struct {
	Code string `yaml:"code"`
	ZH   string `yaml:"zh"`
	EN   string `yaml:"en"`
}

type versionSpec struct {
	Version  string            `yaml:"version"`
	From     string            `yaml:"from"`
	Until    string            `yaml:"until"`
	Extends  string            `yaml:"extends"`
	Rules    []ruleSpec        `yaml:"rules"`
	Totals   map[string]string `yaml:"totals"`
	Eligible []namedSpec       `yaml:"eligible"`
	TieBreak []namedSpec       `yaml:"tiebreak"`
}

type ruleSpec struct {
	Code    string   `yaml:"code"`
	Layer   Layer    `yaml:"layer"`
	Label   Text     `yaml:"label"`
	Explain Text     `yaml:"explain"`
	Cap     *float64 `yaml:"cap"`
	Ref     string   `yaml:"ref"`
	Points  string   `yaml:"points"`
}

type namedSpec struct {
	Name  string `yaml:"name"`
	Label Text   `yaml:"label"`
	Expr  string `yaml:"expr"`
}

var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// reserved names cannot be used for inputs, rules, gates or tie-breaks.
var reserved = map[string]bool{
	"id": true, "id_number": true, "age": true, "points": true, "raw": true, "cap": true,
	"true": true, "false": true, "null": true, "in": true, "as": true, "break": true,
	"const": true, "continue": true, "else": true, "for": true, "function": true, "if": true,
	"import": true, "let": true, "loop": true, "package": true, "namespace": true,
	"return": true, "var": true, "void": true, "while": true,
}

func build(file string, f *fileSpec) (*Scheme, error) {
	fail := func(version, part string, format string, args ...any) error {
		return &SchemeError{File: file, Version: version, Part: part, Err: fmt.Errorf(format, args...)}
	}
	if f.Scheme == "" {
		return nil, fail("", "", "no `scheme:` name")
	}
	s := &Scheme{Name: f.Scheme, File: file, Title: f.Title, byName: map[string]int{}, birthSlot: -1}
	var err error
	for i, in := range f.Inputs {
		part := fmt.Sprintf("input %s", in.Name)
		if in.Name == "" {
			part = fmt.Sprintf("input %d", i+1)
		}
		if !nameRE.MatchString(in.Name) || reserved[in.Name] {
			return nil, fail("", part, "name %q is not a usable identifier", in.Name)
		}
		if _, dup := s.byName[in.Name]; dup {
			return nil, fail("", part, "declared twice")
		}
		x := Input{Name: in.Name, Type: in.Type, Label: Text{in.ZH, in.EN}, Min: math.Inf(-1), Max: math.Inf(1), Slot: len(s.Inputs)}
		if in.Min != nil {
			x.Min = *in.Min
		}
		if in.Max != nil {
			x.Max = *in.Max
		}
		switch in.Type {
		case Number, Int:
			if x.Min > x.Max {
				return nil, fail("", part, "min %g is above max %g", x.Min, x.Max)
			}
			switch d := in.Default.(type) {
			case nil:
				x.Default = 0
			case int:
				x.Default = float64(d)
			case float64:
				x.Default = d
			default:
				return nil, fail("", part, "default %v is not a number", in.Default)
			}
			if in.Type == Int && x.Default != math.Trunc(x.Default) {
				return nil, fail("", part, "default %v is not a whole number", in.Default)
			}
			if x.Default < x.Min || x.Default > x.Max {
				return nil, fail("", part, "default %g is outside %g–%g (give `default:`)", x.Default, x.Min, x.Max)
			}
		case Bool:
			switch d := in.Default.(type) {
			case nil:
			case bool:
				if d {
					x.Default = 1
				}
			default:
				return nil, fail("", part, "default %v is not true or false", in.Default)
			}
		case Level:
			if len(in.Levels) == 0 {
				return nil, fail("", part, "a level input needs levels")
			}
			seen := map[string]bool{}
			for _, l := range in.Levels {
				if l.Code == "" || seen[l.Code] {
					return nil, fail("", part, "level %q is empty or declared twice", l.Code)
				}
				seen[l.Code] = true
				x.Levels = append(x.Levels, LevelOf{Code: l.Code, Label: Text{l.ZH, l.EN}})
			}
			if in.Default != nil {
				code, _ := in.Default.(string)
				i := x.level(code)
				if i < 0 {
					return nil, fail("", part, "default %v is not one of its levels", in.Default)
				}
				x.Default = float64(i)
			}
		case Date:
			if in.Default != nil {
				return nil, fail("", part, "a date input has no default")
			}
			if in.Name == "birth_date" {
				s.birthSlot = x.Slot
			}
		default:
			return nil, fail("", part, "type %q: want number, int, bool, level or date", in.Type)
		}
		if x.Type != Level && len(in.Levels) > 0 {
			return nil, fail("", part, "levels given for a %s input", in.Type)
		}
		s.byName[x.Name] = len(s.Inputs)
		s.Inputs = append(s.Inputs, x)
		s.defaults = append(s.defaults, x.Default)
	}
	dspecs := f.Derive
	if dspecs == nil {
		// A scheme written before derivation was declared (no derive:
		// section at all) derives its inputs as the shipped scheme does,
		// so that an older scheme file scores the registry as it did; an
		// empty section (derive: []) derives nothing.
		if dspecs, err = shippedDerivations(s, f.Facts); err != nil {
			return nil, err
		}
	}
	if s.derive, err = buildDerive(s, f.Facts, dspecs); err != nil {
		return nil, err
	}
	if len(f.Versions) == 0 {
		return nil, fail("", "", "no versions")
	}
	specs := map[string]*versionSpec{}
	for i := range f.Versions {
		vs := &f.Versions[i]
		if vs.Version == "" {
			return nil, fail("", fmt.Sprintf("versions %d", i+1), "no `version:` name")
		}
		if specs[vs.Version] != nil {
			return nil, fail(vs.Version, "", "declared twice")
		}
		specs[vs.Version] = vs
	}
	env, err := newEnv(s)
	if err != nil {
		return nil, fail("", "", "%v", err)
	}
	for i := range f.Versions {
		vs, err := resolve(&f.Versions[i], specs, 0)
		if err != nil {
			return nil, fail(f.Versions[i].Version, "", "%v", err)
		}
		v, err := buildVersion(s, env, vs)
		if err != nil {
			var se *SchemeError
			if errors.As(err, &se) {
				se.File = file
				return nil, se
			}
			return nil, fail(vs.Version, "", "%v", err)
		}
		if len(s.Versions) > 0 {
			prev := s.Versions[len(s.Versions)-1]
			if v.From <= prev.From || prev.Until == 0 || v.From <= prev.Until {
				return nil, fail(v.Name, "", "from %s overlaps or precedes version %s (%s–%s); list versions oldest first", v.From, prev.Name, prev.From, prev.Until)
			}
		}
		s.Versions = append(s.Versions, v)
	}
	return s, nil
}

// resolve applies `extends:` — the version's rules replace the base's rules
// of the same code or are appended; totals, gates and tie-breaks replace by
// name.
func resolve(vs *versionSpec, specs map[string]*versionSpec, depth int) (*versionSpec, error) {
	if vs.Extends == "" {
		return vs, nil
	}
	if depth > len(specs) {
		return nil, fmt.Errorf("extends: cycle through version %s", vs.Extends)
	}
	base, ok := specs[vs.Extends]
	if !ok {
		return nil, fmt.Errorf("extends: no version %q in this file", vs.Extends)
	}
	b, err := resolve(base, specs, depth+1)
	if err != nil {
		return nil, err
	}
	out := *vs
	out.Extends = ""
	out.Rules = append([]ruleSpec(nil), b.Rules...)
	for _, r := range vs.Rules {
		replaced := false
		for i := range out.Rules {
			if out.Rules[i].Code == r.Code {
				out.Rules[i], replaced = r, true
			}
		}
		if !replaced {
			out.Rules = append(out.Rules, r)
		}
	}
	out.Totals = map[string]string{}
	for k, x := range b.Totals {
		out.Totals[k] = x
	}
	for k, x := range vs.Totals {
		out.Totals[k] = x
	}
	merge := func(base, over []namedSpec) []namedSpec {
		res := append([]namedSpec(nil), base...)
		for _, n := range over {
			replaced := false
			for i := range res {
				if res[i].Name == n.Name {
					res[i], replaced = n, true
				}
			}
			if !replaced {
				res = append(res, n)
			}
		}
		return res
	}
	out.Eligible = merge(b.Eligible, vs.Eligible)
	out.TieBreak = merge(b.TieBreak, vs.TieBreak)
	return &out, nil
}

func buildVersion(s *Scheme, env *celEnv, vs *versionSpec) (*Version, error) {
	fail := func(part string, format string, args ...any) error {
		return &SchemeError{Version: vs.Version, Part: part, Err: fmt.Errorf(format, args...)}
	}
	v := &Version{Name: vs.Version, scheme: s, Totals: map[string]string{}}
	var err error
	if v.From, err = date.Parse(vs.From); err != nil {
		return nil, fail("", "from: %v", err)
	}
	if vs.Until != "" {
		if v.Until, err = date.Parse(vs.Until); err != nil {
			return nil, fail("", "until: %v", err)
		}
		if v.Until < v.From {
			return nil, fail("", "until %s is before from %s", v.Until, v.From)
		}
	}
	taken := map[string]string{}
	for _, in := range s.Inputs {
		taken[in.Name] = "an input"
	}
	for _, t := range totalNames {
		taken[t] = "a total"
	}
	claim := func(part, name, what string) error {
		if !nameRE.MatchString(name) || reserved[name] {
			return fail(part, "name %q is not a usable identifier", name)
		}
		if prev, ok := taken[name]; ok {
			return fail(part, "name %s is already %s", name, prev)
		}
		taken[name] = what
		return nil
	}
	for i, rs := range vs.Rules {
		part := rs.Code
		if part == "" {
			part = fmt.Sprintf("rules %d", i+1)
		}
		if err := claim(part, rs.Code, "a rule"); err != nil {
			return nil, err
		}
		r := Rule{Code: rs.Code, Layer: rs.Layer, Label: rs.Label, Explain: rs.Explain, Ref: rs.Ref, Formula: rs.Points, Cap: math.Inf(1)}
		switch rs.Layer {
		case Provincial, City, County:
			if rs.Cap == nil {
				return nil, fail(part, "no cap: every %s rule needs `cap:`", rs.Layer)
			}
		case Deduction:
		default:
			return nil, fail(part, "layer %q: want provincial, city, county or deduction", rs.Layer)
		}
		if rs.Cap != nil {
			if *rs.Cap < 0 || math.IsNaN(*rs.Cap) {
				return nil, fail(part, "cap %g is negative", *rs.Cap)
			}
			r.Cap = *rs.Cap
		}
		if rs.Label.ZH == "" || rs.Label.EN == "" {
			return nil, fail(part, "needs `label:` in both zh and en")
		}
		if rs.Explain.ZH == "" || rs.Explain.EN == "" {
			return nil, fail(part, "needs `explain:` in both zh and en")
		}
		if strings.TrimSpace(rs.Points) == "" {
			return nil, fail(part, "no `points:` formula")
		}
		for li, src := range [2]string{rs.Explain.ZH, rs.Explain.EN} {
			t, err := parseTemplate(s, src)
			if err != nil {
				return nil, fail(part, "explain.%s: %v", [2]string{"zh", "en"}[li], err)
			}
			r.tmpl[li] = t
		}
		v.Rules = append(v.Rules, r)
	}
	if len(v.Rules) == 0 {
		return nil, fail("", "no rules")
	}
	for k, x := range vs.Totals {
		if _, ok := taken[k]; !ok || taken[k] != "a total" {
			return nil, fail("totals."+k, "unknown total: want one of %s", strings.Join(totalNames, ", "))
		}
		v.Totals[k] = x
	}
	layerOf := map[string]Layer{"provincial": Provincial, "city": City, "county": County, "deductions": Deduction}
	for _, t := range totalNames {
		if strings.TrimSpace(v.Totals[t]) != "" {
			continue
		}
		l, ok := layerOf[t]
		if !ok {
			return nil, fail("totals."+t, "missing: the scheme must define it")
		}
		var codes []string
		for _, r := range v.Rules {
			if r.Layer == l {
				codes = append(codes, r.Code)
			}
		}
		v.Totals[t] = "0.0"
		if len(codes) > 0 {
			v.Totals[t] = "0.0 + " + strings.Join(codes, " + ")
		}
	}
	for i, n := range vs.Eligible {
		part := "eligible." + n.Name
		if n.Name == "" {
			part = fmt.Sprintf("eligible %d", i+1)
		}
		if err := claim(part, n.Name, "an eligibility gate"); err != nil {
			return nil, err
		}
		v.Services = append(v.Services, Named{Name: n.Name, Label: n.Label, Formula: n.Expr})
	}
	for i, n := range vs.TieBreak {
		part := "tiebreak." + n.Name
		if n.Name == "" {
			part = fmt.Sprintf("tiebreak %d", i+1)
		}
		if err := claim(part, n.Name, "a tie-break"); err != nil {
			return nil, err
		}
		v.TieBreaks = append(v.TieBreaks, Named{Name: n.Name, Label: n.Label, Formula: n.Expr})
	}
	if err := compileVersion(env, v); err != nil {
		return nil, err
	}
	return v, nil
}

// level returns the index of the level code (or its Chinese label), or -1.
func (in *Input) level(code string) int {
	for i, l := range in.Levels {
		if l.Code == code {
			return i
		}
	}
	for i, l := range in.Levels {
		if l.Label.ZH != "" && l.Label.ZH == code {
			return i
		}
	}
	return -1
}
