package policy

import (
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/msg"
)

// Inputs is one person's inputs for a scheme: one value per declared input,
// missing ones at their default. Registry-derived facts fill it with the
// Set methods; a JSON line fills it through the scheme's decoder. Clone it
// to ask "what if": change the copy and evaluate it again.
type Inputs struct {
	scheme *Scheme
	vals   []float64 // by Input.Slot: numbers as is, bools 0/1, levels the index, dates the day number
}

// NewInputs returns inputs for s with every input at its default.
func (s *Scheme) NewInputs() *Inputs {
	return &Inputs{scheme: s, vals: append([]float64(nil), s.defaults...)}
}

// Clone returns an independent copy of in.
func (in *Inputs) Clone() *Inputs {
	return &Inputs{scheme: in.scheme, vals: append([]float64(nil), in.vals...)}
}

func (in *Inputs) input(name string, types ...InputType) (*Input, error) {
	x, ok := in.scheme.Input(name)
	if !ok {
		return nil, fmt.Errorf("policy: scheme %s has no input %s", in.scheme.Name, name)
	}
	for _, t := range types {
		if x.Type == t {
			return x, nil
		}
	}
	return nil, fmt.Errorf("policy: input %s is a %s", name, x.Type)
}

// SetNumber sets a number or int input. It refuses a value outside the
// input's range, a fraction for an int, and NaN or infinities.
func (in *Inputs) SetNumber(name string, v float64) error {
	x, err := in.input(name, Number, Int)
	if err != nil {
		return err
	}
	if msg := x.check(v); msg != "" {
		return fmt.Errorf("policy: %s: %s", name, msg)
	}
	in.vals[x.Slot] = v
	return nil
}

// SetBool sets a bool input.
func (in *Inputs) SetBool(name string, v bool) error {
	x, err := in.input(name, Bool)
	if err != nil {
		return err
	}
	in.vals[x.Slot] = b2f(v)
	return nil
}

// SetLevel sets a level input to one of its codes (or a code's Chinese
// label).
func (in *Inputs) SetLevel(name, code string) error {
	x, err := in.input(name, Level)
	if err != nil {
		return err
	}
	i := x.level(code)
	if i < 0 {
		return fmt.Errorf("policy: %s: %q is not one of its levels", name, code)
	}
	in.vals[x.Slot] = float64(i)
	return nil
}

// SetDate sets a date input; the zero Date means unknown.
func (in *Inputs) SetDate(name string, d date.Date) error {
	x, err := in.input(name, Date)
	if err != nil {
		return err
	}
	in.vals[x.Slot] = float64(d)
	return nil
}

// Value returns the encoded value of the input called name (see Inputs).
func (in *Inputs) Value(name string) (float64, bool) {
	x, ok := in.scheme.Input(name)
	if !ok {
		return 0, false
	}
	return in.vals[x.Slot], true
}

// check returns why v cannot be the value of a number or int input, or "".
func (x *Input) check(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "not a finite number"
	case x.Type == Int && v != math.Trunc(v):
		return fmt.Sprintf("%s is not a whole number", fmtNum(v))
	case v < x.Min:
		return fmt.Sprintf("%s is below %s", fmtNum(v), fmtNum(x.Min))
	case v > x.Max:
		return fmt.Sprintf("%s is above %s", fmtNum(v), fmtNum(x.Max))
	}
	return ""
}

// Item is one rule's outcome: its points after the cap (rounded to two
// decimals, never negative) and before it.
type Item struct {
	Code   string
	Layer  Layer
	Points float64
	Raw    float64
}

// Result is one person's outcome under one version of a scheme.
type Result struct {
	Version      *Version
	AsOf         date.Date
	Age          int // in full years at AsOf; 0 when the birth date is unknown
	Items        []Item
	Provincial   float64
	City         float64
	County       float64
	Deductions   float64
	SchoolPoints float64
	Total        float64
	Frozen       bool
	Eligible     []bool    // by Version.Services
	TieBreaks    []float64 // by Version.TieBreaks

	vals []float64 // the named registers, for explanations
}

// Explain returns the one-line explanation of item i (an index into
// Items and Version.Rules) in lang.
func (r *Result) Explain(i int, lang msg.Lang) string {
	get := func(reg int) float64 { return r.vals[reg] }
	return string(r.Version.appendExplain(nil, i, lang, false, get))
}

// Evaluate scores in under the version of s in force on asOf. The error
// wraps ErrNoVersion when there is none.
//
// The as-of date is an argument, not an input, because it picks the
// version and fixes every age: one run scores everybody on the same day.
func (s *Scheme) Evaluate(in *Inputs, asOf date.Date) (Result, error) {
	v, err := s.Version(asOf)
	if err != nil {
		return Result{}, err
	}
	return v.Evaluate(in, asOf), nil
}

// Evaluate scores in under v as of asOf, whatever v's dates. in must come
// from v's scheme (NewInputs); it panics otherwise, as that is a programming
// error.
func (v *Version) Evaluate(in *Inputs, asOf date.Date) Result {
	if in.scheme != v.scheme {
		panic("policy: Evaluate: inputs of another scheme")
	}
	b, _ := v.single.Get().(*Batch)
	if b == nil {
		b = v.NewBatch(1, asOf)
	}
	b.Reset(asOf)
	row := b.Add()
	for slot, x := range in.vals {
		b.regs[slot][row] = x
	}
	b.Evaluate()
	r := b.Result(row)
	v.single.Put(b)
	return r
}

// Batch evaluates many persons at once under one version and one as-of
// date: each input, rule and result is a column. Fill rows with Add and Set
// (or a JSON decoder), call Evaluate, then read the columns. A Batch is not
// safe for concurrent use; use one per goroutine.
type Batch struct {
	v    *Version
	regs [][]float64
	n    int
	asOf date.Date
	ages *ageTable
}

// NewBatch returns an empty batch for up to capacity persons as of asOf.
func (v *Version) NewBatch(capacity int, asOf date.Date) *Batch {
	p := &v.prog
	mem := make([]float64, p.nregs*capacity)
	b := &Batch{v: v, regs: make([][]float64, p.nregs)}
	for i := range b.regs {
		b.regs[i] = mem[i*capacity : (i+1)*capacity : (i+1)*capacity]
	}
	for _, c := range p.consts {
		col := b.regs[c.reg]
		for j := range col {
			col[j] = c.val
		}
	}
	b.Reset(asOf)
	return b
}

// Reset empties b and sets its as-of date.
func (b *Batch) Reset(asOf date.Date) {
	b.n = 0
	if b.asOf != asOf || b.ages == nil {
		b.asOf = asOf
		b.ages = ageTableFor(asOf)
	}
}

// Len returns the number of persons in b; Cap how many it holds.
func (b *Batch) Len() int { return b.n }

// Cap returns the number of persons b can hold.
func (b *Batch) Cap() int { return len(b.regs[0]) }

// Add appends a person with every input at its default and returns its
// row. It panics when b is full.
func (b *Batch) Add() int {
	row := b.n
	if row >= len(b.regs[0]) {
		panic("policy: Batch.Add on a full batch")
	}
	b.n++
	for slot, x := range b.v.scheme.defaults {
		b.regs[slot][row] = x
	}
	return row
}

// Set sets input slot of row to the encoded value x (see Inputs).
func (b *Batch) Set(row, slot int, x float64) { b.regs[slot][row] = x }

// SetInputs copies in into row.
func (b *Batch) SetInputs(row int, in *Inputs) {
	for slot, x := range in.vals {
		b.regs[slot][row] = x
	}
}

// Evaluate computes every rule and result of every row.
func (b *Batch) Evaluate() {
	p := &b.v.prog
	n := b.n
	if n == 0 {
		return
	}
	if p.ageReg >= 0 {
		birth := b.regs[b.v.scheme.birthSlot][:n]
		age := b.regs[p.ageReg][:n]
		for j := range age {
			age[j] = float64(b.ages.age(date.Date(birth[j])))
		}
	}
	run(p.ops, b.regs, n)
}

// Points returns the points rule gave row, after its cap.
func (b *Batch) Points(row, rule int) float64 { return b.regs[b.v.prog.ruleReg[rule]][row] }

// Total returns the named total of row: one of provincial, city, county,
// deductions, school_points, total; frozen is 1 or 0.
func (b *Batch) Total(row int, name string) float64 {
	return b.regs[b.v.prog.totalReg[name]][row]
}

// Eligible reports whether row passes gate i of Version.Services.
func (b *Batch) Eligible(row, i int) bool { return b.regs[b.v.prog.svcReg[i]][row] != 0 }

// Result copies row out of b.
func (b *Batch) Result(row int) Result {
	v, p := b.v, &b.v.prog
	r := Result{Version: v, AsOf: b.asOf, Items: make([]Item, len(v.Rules))}
	for i, rule := range v.Rules {
		r.Items[i] = Item{Code: rule.Code, Layer: rule.Layer, Points: b.regs[p.ruleReg[i]][row], Raw: b.regs[p.rawReg[i]][row]}
	}
	t := func(name string) float64 { return b.regs[p.totalReg[name]][row] }
	r.Provincial, r.City, r.County = t("provincial"), t("city"), t("county")
	r.Deductions, r.SchoolPoints, r.Total = t("deductions"), t("school_points"), t("total")
	r.Frozen = t("frozen") != 0
	for _, reg := range p.svcReg {
		r.Eligible = append(r.Eligible, b.regs[reg][row] != 0)
	}
	for _, reg := range p.tieReg {
		r.TieBreaks = append(r.TieBreaks, b.regs[reg][row])
	}
	if p.ageReg >= 0 {
		r.Age = int(b.regs[p.ageReg][row])
	}
	// Constants and temporaries follow the named registers; keep the rest.
	named := p.nregs
	if len(p.consts) > 0 {
		named = p.consts[0].reg
		for _, c := range p.consts {
			named = min(named, c.reg)
		}
	}
	r.vals = make([]float64, p.nregs)
	for i := 0; i < named; i++ {
		r.vals[i] = b.regs[i][row]
	}
	for _, c := range p.consts {
		r.vals[c.reg] = c.val
	}
	return r
}

// ageTable answers "how old on asOf is someone born on day d" with a table
// lookup: last[k] is the latest birth day of anyone aged k or more. The
// calendar arithmetic (29 February included) is date.YearsBetween's.
type ageTable struct {
	asOf date.Date
	last [151]date.Date
}

func (t *ageTable) age(birth date.Date) int {
	if birth == 0 {
		return 0
	}
	days := int(t.asOf - birth)
	if days < 0 {
		return date.YearsBetween(birth, t.asOf)
	}
	k := days / 366
	if k >= len(t.last)-1 {
		return date.YearsBetween(birth, t.asOf)
	}
	for k+1 < len(t.last) && birth <= t.last[k+1] {
		k++
	}
	return k
}

var (
	ageMu     sync.Mutex
	ageTables = map[date.Date]*ageTable{}
)

func ageTableFor(asOf date.Date) *ageTable {
	ageMu.Lock()
	defer ageMu.Unlock()
	if t, ok := ageTables[asOf]; ok {
		return t
	}
	t := &ageTable{asOf: asOf}
	if asOf > 0 {
		y, m, d := asOf.Parts()
		for k := range t.last {
			yy := y - k
			if yy < 1 {
				break
			}
			day := date.FromTime(time.Date(yy, m, d, 0, 0, 0, 0, time.UTC))
			if _, m2, _ := day.Parts(); m2 != m { // 29 February in a common year
				day = date.FromTime(time.Date(yy, m, 1, 0, 0, 0, 0, time.UTC)).EndOfMonth()
			}
			t.last[k] = day
		}
	}
	if len(ageTables) > 64 {
		clear(ageTables)
	}
	ageTables[asOf] = t
	return t
}
