package policy

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/policies"

	"go.yaml.in/yaml/v3"
)

// This file reads a scheme's `derive:` section: how each input is derived
// from the registry. The declarations are checked and resolved here, once
// at load, into a DerivePlan of plain data; internal/points interprets the
// plan for each person (points.Derive) and implements the named specials.

// DeriveOp is what a derivation does with the dated facts of its kind (or,
// for Special, that it is one of the named registry derivations).
type DeriveOp uint8

// The derivation operations. "Facts" below are the person's facts of the
// entry's kind dated on or before the as-of date (and within its window,
// during its span, when it has them).
const (
	OpSpecial  DeriveOp = iota // a named derivation over residences, jobs, insurance, permits, children (Special)
	OpSum                      // sum of the facts' values
	OpCount                    // number of facts
	OpLowest                   // the lowest positive value (a level where 1 is best); 0 none
	OpHighest                  // the highest value; 0 none
	OpRanked                   // the highest-ranked level code of the facts (Ranks, lowest first)
	OpLatest                   // the value of the latest fact (on a tie, the later record)
	OpLatestIs                 // the latest fact's value is the code Is
	OpPresent                  // there is a fact
)

// Special names a derivation that reads the registry's records rather than
// dated facts; internal/points implements each.
type Special uint8

// The specials a scheme may name (`special: NAME`).
const (
	NoSpecial Special = iota
	SpecialEducation
	SpecialResidenceMonths
	SpecialHousing
	SpecialOwnsHomeInCity
	SpecialEmploymentMonths
	SpecialSameEmployerMonths
	SpecialInsuranceMonths
	SpecialLocalPensionMonths12
	SpecialInsuredLastMonth
	SpecialLocalPermitMonths
	SpecialPermitValid
	SpecialChildrenRegistered
)

// specialSpec is what a special is called and what input it can feed: a
// number (number or int input), a bool, or a level whose codes the input
// must have.
var specialSpecs = [...]struct {
	name  string
	out   InputType // Number (number or int input), Bool or Level
	codes []string  // Level: the codes it yields, each a level of the input
}{
	SpecialEducation:            {"education", Level, nil},
	SpecialResidenceMonths:      {"residence_months", Number, nil},
	SpecialHousing:              {"housing", Level, []string{"rented", "dormitory", "owned"}},
	SpecialOwnsHomeInCity:       {"owns_home_in_city", Bool, nil},
	SpecialEmploymentMonths:     {"employment_months", Number, nil},
	SpecialSameEmployerMonths:   {"same_employer_months", Number, nil},
	SpecialInsuranceMonths:      {"insurance_months", Number, nil},
	SpecialLocalPensionMonths12: {"local_pension_months_12", Number, nil},
	SpecialInsuredLastMonth:     {"insured_last_month", Bool, nil},
	SpecialLocalPermitMonths:    {"local_permit_months", Number, nil},
	SpecialPermitValid:          {"permit_valid", Bool, nil},
	SpecialChildrenRegistered:   {"children_registered", Bool, nil},
}

// Specials returns every special a scheme may name, in declaration order.
func Specials() []Special {
	out := make([]Special, 0, len(specialSpecs)-1)
	for sp := SpecialEducation; int(sp) < len(specialSpecs); sp++ {
		out = append(out, sp)
	}
	return out
}

func (sp Special) String() string {
	if sp == NoSpecial || int(sp) >= len(specialSpecs) {
		return "special(" + strconv.Itoa(int(sp)) + ")"
	}
	return specialSpecs[sp].name
}

// During names the span a fact must fall in to count, besides its window.
type During uint8

// The spans of `during:`.
const (
	Anytime    During = iota
	Employment        // on or after the start of the unbroken employment covering the as-of date
)

// Window is a span of `within:` ending on the as-of date A: facts dated
// after A minus Years years and Months months, and on or before A.
type Window struct{ Years, Months int }

func (w Window) String() string {
	if w.Months != 0 {
		return strconv.Itoa(w.Years*12+w.Months) + "m"
	}
	return strconv.Itoa(w.Years) + "y"
}

// MaxDerive bounds the derivations of a scheme and MaxDeriveLevels those of
// them that give a level: a person's derived values are held in arrays of
// these sizes, so that deriving allocates nothing per person.
const (
	MaxDerive       = 64
	MaxDeriveLevels = 8
)

// Derivation is one resolved entry of `derive:`: how the input called Input
// gets its value. Entries are in the order the scheme writes them, which is
// the order of a facts line.
type Derivation struct {
	Input   string
	Type    InputType // the input's declared type: Number, Int, Bool or Level
	Op      DeriveOp
	Special Special // OpSpecial
	Kind    string  // the fact kind read (all ops but OpSpecial)
	Whole   bool    // the kind's values are int: each is truncated to a whole number
	Window  int     // index into DerivePlan.Windows; -1: every fact up to the as-of date
	During  During
	Cap     float64  // the value never exceeds Cap; +Inf when uncapped
	Ranks   []string // OpRanked: the codes, lowest rank first
	Is      string   // OpLatestIs: the code that makes the input true
	Level   int      // Type Level: index of its value among the person's level values; else -1
}

// DerivePlan is a scheme's derivations resolved for interpretation: the
// entries, the distinct windows they use, and indexes so that a person's
// derivation looks nothing up by name.
type DerivePlan struct {
	Entries  []Derivation
	Windows  []Window
	Specials []int // indexes of the OpSpecial entries
	Finish   []int // indexes of the entries with a cap or a ranking to apply last
	Levels   int   // number of entries of Type Level

	kinds    []kindEntries // fact kind → entries: open addressing by kindHash
	kindMask uint32        // len(kinds) − 1, a power of two minus one

	lastCutoffs atomic.Pointer[cutoffs] // the Cutoffs last asked for
}

// cutoffs are the last days before each entry's window, as of a day.
type cutoffs struct {
	asOf date.Date
	days []date.Date
}

// Cutoffs returns, for each entry of p, the last day before its window
// that ends on asOf — a fact is within the window when its date is after
// Cutoffs(asOf)[i] (and on or before asOf) — or 0 for an entry without a
// window (every date is after 0). A run derives every person as of the same
// day, so the answer is kept for the next call; the result is shared and
// must not be changed. Safe for concurrent use.
func (p *DerivePlan) Cutoffs(asOf date.Date) []date.Date {
	if c := p.lastCutoffs.Load(); c != nil && c.asOf == asOf {
		return c.days
	}
	windows := make([]date.Date, len(p.Windows))
	for i, w := range p.Windows {
		windows[i] = asOf.AddDate(-w.Years, -w.Months, 0)
	}
	c := &cutoffs{asOf: asOf, days: make([]date.Date, len(p.Entries))}
	for i := range p.Entries {
		if w := p.Entries[i].Window; w >= 0 {
			c.days[i] = windows[w]
		}
	}
	p.lastCutoffs.Store(c)
	return c.days
}

type kindEntries struct {
	kind    string
	entries []int
}

// ForKind returns the indexes of the entries that read facts of kind; nil
// when none does. It is called once per fact of every person, so it hashes
// a few bytes of the kind rather than all of it (a table at most a quarter
// full keeps the probes short).
func (p *DerivePlan) ForKind(kind string) []int {
	if kind == "" || len(p.kinds) == 0 {
		return nil
	}
	for i := kindHash(kind) & p.kindMask; ; i = (i + 1) & p.kindMask {
		k := &p.kinds[i]
		if k.kind == kind {
			return k.entries
		}
		if k.kind == "" {
			return nil
		}
	}
}

// kindHash mixes a kind's length and its first, middle and last bytes.
func kindHash(s string) uint32 {
	n := len(s)
	h := uint32(n)*0x9e3779b1 ^ uint32(s[0])<<16 ^ uint32(s[n/2])<<8 ^ uint32(s[n-1])
	h *= 0x85ebca6b
	return h ^ h>>15
}

// Derivations returns the scheme's resolved `derive:` section. A scheme
// file without one takes the shipped scheme's entries for the inputs and
// fact kinds it declares (shippedDerivations); one with `derive: []`
// derives nothing from the registry: its inputs come from JSON lines only.
func (s *Scheme) Derivations() *DerivePlan { return s.derive }

var defaultScheme = sync.OnceValues(func() (*Scheme, error) { return Load("") })

// Default returns the shipped default scheme, loaded once. The file is
// embedded in the binary and loaded by this package's tests, so a failure
// is a broken build: it panics.
func Default() *Scheme {
	s, err := defaultScheme()
	if err != nil {
		panic(fmt.Sprintf("policy: the shipped scheme %s does not load: %v", policies.Default, err))
	}
	return s
}

// shippedDerivations returns the shipped scheme's derive: entries that s can
// take: those of an input s declares, from a fact kind s declares (facts)
// or special. It is the derivation of a scheme file without a derive:
// section. Loading the shipped scheme itself never comes here (it has one).
func shippedDerivations(s *Scheme, facts []registry.FactKind) ([]deriveSpec, error) {
	shipped, err := shippedSpecs()
	if err != nil {
		return nil, &SchemeError{File: s.File, Part: "derive", Err: fmt.Errorf("no derive: section, and the shipped scheme's does not read: %w", err)}
	}
	declared := map[string]bool{}
	for i := range facts {
		declared[facts[i].Kind] = true
	}
	out := []deriveSpec{}
	for _, ds := range shipped {
		if _, ok := s.byName[ds.Input]; !ok || (ds.From != "" && !declared[ds.From]) {
			continue
		}
		out = append(out, ds)
	}
	return out, nil
}

// shippedSpecs reads the derive: section of the shipped scheme file, once.
var shippedSpecs = sync.OnceValues(func() ([]deriveSpec, error) {
	data, err := policies.FS.ReadFile(policies.Default)
	if err != nil {
		return nil, err
	}
	var f struct {
		Derive []deriveSpec `yaml:"derive"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	return f.Derive, nil
})

// deriveSpec is the YAML shape of one `derive:` entry. Exactly one of
// Special, Sum, Count, Best, Latest, LatestIs and Present says what it does.
type deriveSpec struct {
	Input    string   `yaml:"input"`
	Special  string   `yaml:"special"`
	From     string   `yaml:"from"`
	Sum      string   `yaml:"sum"`
	Count    *bool    `yaml:"count"`
	Best     any      `yaml:"best"`
	Latest   string   `yaml:"latest"`
	LatestIs string   `yaml:"latest_is"`
	Present  *bool    `yaml:"present"`
	Within   string   `yaml:"within"`
	During   string   `yaml:"during"`
	Cap      *float64 `yaml:"cap"`
}

// buildDerive resolves specs against the scheme's inputs and fact kinds.
// Errors name the entry (by its input, or its position when it has none).
func buildDerive(s *Scheme, facts []registry.FactKind, specs []deriveSpec) (*DerivePlan, error) {
	kinds := make(map[string]*registry.FactKind, len(facts))
	for i := range facts {
		kinds[facts[i].Kind] = &facts[i]
	}
	p := &DerivePlan{}
	if len(specs) > MaxDerive {
		return nil, &SchemeError{File: s.File, Part: "derive", Err: fmt.Errorf("%d entries: at most %d", len(specs), MaxDerive)}
	}
	seen := map[string]bool{}
	byKind := map[string][]int{}
	var order []string
	for i := range specs {
		ds := &specs[i]
		part := fmt.Sprintf("derive %d", i+1)
		if ds.Input != "" {
			part = "derive " + ds.Input
		}
		d, err := resolveDerivation(s, kinds, ds)
		if err != nil {
			return nil, &SchemeError{File: s.File, Part: part, Err: err}
		}
		if seen[d.Input] {
			return nil, &SchemeError{File: s.File, Part: part, Err: fmt.Errorf("input %s is derived twice", d.Input)}
		}
		seen[d.Input] = true
		if d.Type == Level {
			if p.Levels == MaxDeriveLevels {
				return nil, &SchemeError{File: s.File, Part: part, Err: fmt.Errorf("more than %d level inputs derived", MaxDeriveLevels)}
			}
			d.Level = p.Levels
			p.Levels++
		}
		if w, ok := parsedWindow(ds.Within); ok {
			d.Window = -1
			for j, x := range p.Windows {
				if x == w {
					d.Window = j
				}
			}
			if d.Window < 0 {
				d.Window = len(p.Windows)
				p.Windows = append(p.Windows, w)
			}
		}
		n := len(p.Entries)
		if d.Op == OpSpecial {
			p.Specials = append(p.Specials, n)
		} else {
			if byKind[d.Kind] == nil {
				order = append(order, d.Kind)
			}
			byKind[d.Kind] = append(byKind[d.Kind], n)
		}
		if d.Op == OpRanked || !math.IsInf(d.Cap, 1) {
			p.Finish = append(p.Finish, n)
		}
		p.Entries = append(p.Entries, d)
	}
	if len(order) > 0 {
		size := 8
		for size < 4*len(order) {
			size *= 2
		}
		p.kinds, p.kindMask = make([]kindEntries, size), uint32(size-1)
		for _, k := range order {
			i := kindHash(k) & p.kindMask
			for p.kinds[i].kind != "" {
				i = (i + 1) & p.kindMask
			}
			p.kinds[i] = kindEntries{kind: k, entries: byKind[k]}
		}
	}
	return p, nil
}

// resolveDerivation checks one entry; the error says what is wrong with it.
func resolveDerivation(s *Scheme, kinds map[string]*registry.FactKind, ds *deriveSpec) (Derivation, error) {
	d := Derivation{Input: ds.Input, Window: -1, Cap: math.Inf(1), Level: -1}
	if ds.Input == "" {
		return d, fmt.Errorf("no `input:`")
	}
	in, ok := s.Input(ds.Input)
	if !ok {
		return d, fmt.Errorf("input %s is not declared in `inputs:`", ds.Input)
	}
	d.Type = in.Type
	if in.Type == Date {
		return d, fmt.Errorf("input %s is a date: dates are not derived", ds.Input)
	}
	var ops []string
	note := func(set bool, op string) {
		if set {
			ops = append(ops, op)
		}
	}
	note(ds.Special != "", "special")
	note(ds.Sum != "", "sum")
	note(ds.Count != nil, "count")
	note(ds.Best != nil, "best")
	note(ds.Latest != "", "latest")
	note(ds.LatestIs != "", "latest_is")
	note(ds.Present != nil, "present")
	if len(ops) != 1 {
		return d, fmt.Errorf("give exactly one of special, sum, count, best, latest, latest_is, present (got %d: %s)", len(ops), strings.Join(ops, ", "))
	}

	if ds.Special != "" {
		if ds.From != "" || ds.Within != "" || ds.During != "" || ds.Cap != nil {
			return d, fmt.Errorf("special %s takes no from, within, during or cap", ds.Special)
		}
		d.Op = OpSpecial
		for sp := SpecialEducation; int(sp) < len(specialSpecs); sp++ {
			if specialSpecs[sp].name == ds.Special {
				d.Special = sp
			}
		}
		if d.Special == NoSpecial {
			names := make([]string, 0, len(specialSpecs))
			for _, sp := range Specials() {
				names = append(names, sp.String())
			}
			return d, fmt.Errorf("unknown special %q: want one of %s", ds.Special, strings.Join(names, ", "))
		}
		spec := specialSpecs[d.Special]
		if err := wantOutput(in, spec.out, "special "+ds.Special); err != nil {
			return d, err
		}
		for _, c := range spec.codes {
			if in.level(c) < 0 {
				return d, fmt.Errorf("special %s gives level %s, which input %s does not have", ds.Special, c, in.Name)
			}
		}
		return d, nil
	}

	if ds.From == "" {
		return d, fmt.Errorf("%s needs `from:` a fact kind", ops[0])
	}
	k, ok := kinds[ds.From]
	if !ok {
		return d, fmt.Errorf("from: fact kind %s is not declared in `facts:`", ds.From)
	}
	d.Kind, d.Whole = k.Kind, k.Value == "int"
	numeric := k.Value == "number" || k.Value == "int"
	needNumber := func(op string) error {
		if !numeric {
			return fmt.Errorf("%s needs a number or int fact; %s is %s", op, k.Kind, k.Value)
		}
		if in.Type == Int && !d.Whole {
			return fmt.Errorf("%s of the number fact %s cannot feed the int input %s", op, k.Kind, in.Name)
		}
		return wantOutput(in, Number, op)
	}
	var err error
	switch {
	case ds.Sum != "":
		if ds.Sum != "value" {
			return d, fmt.Errorf("sum: %q: write `sum: value`", ds.Sum)
		}
		d.Op, err = OpSum, needNumber("sum")
	case ds.Count != nil:
		if !*ds.Count {
			return d, fmt.Errorf("count: false counts nothing: write `count: true`")
		}
		d.Op, err = OpCount, wantOutput(in, Number, "count")
	case ds.Present != nil:
		if !*ds.Present {
			return d, fmt.Errorf("present: false means nothing: write `present: true`")
		}
		d.Op, err = OpPresent, wantOutput(in, Bool, "present")
	case ds.Latest != "":
		if ds.Latest != "value" {
			return d, fmt.Errorf("latest: %q: write `latest: value` (or `latest_is: CODE` for a level)", ds.Latest)
		}
		d.Op, err = OpLatest, needNumber("latest")
	case ds.LatestIs != "":
		d.Op, d.Is = OpLatestIs, ds.LatestIs
		if k.Value != "level" {
			return d, fmt.Errorf("latest_is needs a level fact; %s is %s", k.Kind, k.Value)
		}
		if !factLevel(k, ds.LatestIs) {
			return d, fmt.Errorf("latest_is: %s is not a level of fact %s", ds.LatestIs, k.Kind)
		}
		err = wantOutput(in, Bool, "latest_is")
	default:
		d.Op, err = resolveBest(&d, in, k, ds.Best)
	}
	if err != nil {
		return d, err
	}
	if ds.Within != "" {
		if _, ok := parsedWindow(ds.Within); !ok {
			return d, fmt.Errorf("within: %q: write a whole number of years or months, such as 3y or 18m", ds.Within)
		}
	}
	switch ds.During {
	case "":
	case "employment":
		d.During = Employment
	default:
		return d, fmt.Errorf("during: %q: want employment", ds.During)
	}
	if ds.Cap != nil {
		if d.Op != OpSum && d.Op != OpCount {
			return d, fmt.Errorf("cap: only a sum or a count is capped")
		}
		if math.IsNaN(*ds.Cap) || *ds.Cap < 0 {
			return d, fmt.Errorf("cap %g is negative", *ds.Cap)
		}
		d.Cap = *ds.Cap
	}
	return d, nil
}

// resolveBest reads `best:` — lowest, highest, or a list of level codes
// lowest rank first.
func resolveBest(d *Derivation, in *Input, k *registry.FactKind, best any) (DeriveOp, error) {
	switch b := best.(type) {
	case string:
		if k.Value != "number" && k.Value != "int" {
			return 0, fmt.Errorf("best: %s needs a number or int fact; %s is %s (rank its levels: best: [CODE, …])", b, k.Kind, k.Value)
		}
		if in.Type == Int && k.Value != "int" {
			return 0, fmt.Errorf("best: %s of the number fact %s cannot feed the int input %s", b, k.Kind, in.Name)
		}
		var op DeriveOp
		switch b {
		case "lowest":
			op = OpLowest
		case "highest":
			op = OpHighest
		default:
			return 0, fmt.Errorf("best: %q: want lowest, highest or a list of level codes", b)
		}
		return op, wantOutput(in, Number, "best: "+b)
	case []any:
		if k.Value != "level" {
			return 0, fmt.Errorf("best: [...] ranks levels; %s is %s", k.Kind, k.Value)
		}
		if len(b) == 0 {
			return 0, fmt.Errorf("best: [] ranks nothing")
		}
		if err := wantOutput(in, Level, "best: [...]"); err != nil {
			return 0, err
		}
		for _, x := range b {
			c, _ := x.(string)
			if c == "" || !factLevel(k, c) {
				return 0, fmt.Errorf("best: %v is not a level of fact %s", x, k.Kind)
			}
			if in.level(c) < 0 {
				return 0, fmt.Errorf("best: %s is not a level of input %s", c, in.Name)
			}
			if slices.Contains(d.Ranks, c) {
				return 0, fmt.Errorf("best: %s is ranked twice", c)
			}
			d.Ranks = append(d.Ranks, c)
		}
		return OpRanked, nil
	default:
		return 0, fmt.Errorf("best: %v: want lowest, highest or a list of level codes", best)
	}
}

// wantOutput checks that in can hold what op gives: Number (a number or int
// input), Bool or Level.
func wantOutput(in *Input, out InputType, op string) error {
	ok := in.Type == out || (out == Number && in.Type == Int)
	if ok {
		return nil
	}
	want := map[InputType]string{Number: "a number or int", Bool: "a bool", Level: "a level"}[out]
	return fmt.Errorf("%s gives %s; input %s is %s", op, want, in.Name, in.Type)
}

func factLevel(k *registry.FactKind, code string) bool {
	for _, l := range k.Levels {
		if l.Code == code {
			return true
		}
	}
	return false
}

// parsedWindow reads `within:`: N years (3y) or N months (18m), N from 1 to
// 1200 months.
func parsedWindow(s string) (Window, bool) {
	if len(s) < 2 {
		return Window{}, false
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n < 1 || s[0] == '+' {
		return Window{}, false
	}
	switch s[len(s)-1] {
	case 'y':
		return Window{Years: n}, n <= 100
	case 'm':
		return Window{Years: n / 12, Months: n % 12}, n <= 1200
	}
	return Window{}, false
}
