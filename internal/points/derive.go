package points

import (
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

// Options set up the derivation for a deployment.
type Options struct {
	// Region is the issuing county's 6-digit code: a permit is "of this
	// county" when its number starts with it (see registry.PermitRule).
	Region string
}

// DefaultOptions are those of the default deployment (Wenling).
var DefaultOptions = Options{Region: registry.DefaultPermitRule.Region}

// maxMonths is the contract's upper bound of the month inputs (100 years).
const maxMonths = 1200

// Derive returns the inputs the scheme s derives (its `derive:` section, see
// the package documentation) for the person of h as of asOf. Records that
// start after asOf are ignored and ends after asOf are cut at asOf, so that
// the registry as of any past day gives the inputs of that day. h is only
// read; nothing is allocated per person beyond the record unions.
func Derive(h *registry.PersonHistory, asOf date.Date, s *policy.Scheme, opt Options) Facts {
	p := &h.Person
	plan := s.Derivations()
	f := Facts{ID: p.IDNumber, IDNumber: p.IDNumber, BirthDate: p.BirthDate, plan: plan}
	if len(plan.Entries) == 0 {
		return f
	}
	r := records{h: h, asOf: asOf, opt: opt}
	for _, i := range plan.Specials {
		r.special(&f, i, &plan.Entries[i])
	}

	// Dated facts: each feeds the entries that read its kind.
	cut := plan.Cutoffs(asOf)
	var latestOn [policy.MaxDerive]date.Date
	for k := range h.Facts {
		x := &h.Facts[k]
		if x.Date > asOf || x.Date.IsZero() {
			continue
		}
		entries := plan.ForKind(x.Kind)
		for _, i := range entries {
			e := &plan.Entries[i]
			if x.Date <= cut[i] {
				continue
			}
			if e.During == policy.Employment {
				if since := r.employedSince(); since == 0 || x.Date < since {
					continue
				}
			}
			switch e.Op {
			case policy.OpCount:
				f.num[i]++
			case policy.OpPresent:
				f.num[i] = 1
			case policy.OpSum:
				f.num[i] += value(x.Value, e.Whole)
			case policy.OpLowest:
				if n := value(x.Value, e.Whole); n > 0 && (f.num[i] == 0 || n < f.num[i]) {
					f.num[i] = n
				}
			case policy.OpHighest:
				f.num[i] = max(f.num[i], value(x.Value, e.Whole))
			case policy.OpLatest:
				if x.Date >= latestOn[i] {
					f.num[i], latestOn[i] = value(x.Value, e.Whole), x.Date
				}
			case policy.OpLatestIs:
				if x.Date >= latestOn[i] {
					f.num[i], latestOn[i] = 0, x.Date
					if x.Value == e.Is {
						f.num[i] = 1
					}
				}
			case policy.OpRanked:
				// The rank (1 = the first code) is kept in the number slot
				// until the end, where it becomes the code.
				if rank := float64(slices.Index(e.Ranks, x.Value) + 1); rank > f.num[i] {
					f.num[i] = rank
				}
			}
		}
	}
	for _, i := range plan.Finish {
		e := &plan.Entries[i]
		if e.Op == policy.OpRanked {
			if rank := int(f.num[i]); rank > 0 {
				f.lvl[e.Level] = e.Ranks[rank-1]
			}
			f.num[i] = 0
			continue
		}
		f.num[i] = min(f.num[i], e.Cap)
	}
	return f
}

// records derives the specials from a person's residences, jobs, insurance,
// permits and children. Each group is computed once, when the first input
// that needs it is asked for.
type records struct {
	h    *registry.PersonHistory
	asOf date.Date
	opt  Options
	done uint8 // bits: the groups computed (start)

	residenceMonths int
	housing         string
	ownsHome        bool

	employmentFrom     date.Date // start of the unbroken employment covering asOf; 0 none
	employmentMonths   int
	sameEmployerMonths int

	insuranceMonths      int
	localPensionMonths12 int
	insuredLastMonth     bool

	localPermitMonths int
	permitValid       bool

	childrenRegistered bool
}

// start reports whether the group g is still to be computed, and marks it
// computed: each group of records is read once a person, however many
// inputs ask for it.
func (r *records) start(g uint8) bool {
	if r.done&g != 0 {
		return false
	}
	r.done |= g
	return true
}

// The groups of records.
const (
	doneResidences uint8 = 1 << iota
	doneJobs
	doneInsurance
	donePermits
	doneChildren
)

// special sets f's value of entry i, a special; false when the special is
// not one this package implements (a test keeps that from happening).
func (r *records) special(f *Facts, i int, e *policy.Derivation) bool {
	b := func(v bool) float64 {
		if v {
			return 1
		}
		return 0
	}
	switch e.Special {
	case policy.SpecialEducation:
		f.lvl[e.Level] = r.h.Person.Education
		if f.lvl[e.Level] == "" {
			f.lvl[e.Level] = "none"
		}
	case policy.SpecialResidenceMonths:
		f.num[i] = float64(r.residences().residenceMonths)
	case policy.SpecialHousing:
		f.lvl[e.Level] = r.residences().housing
	case policy.SpecialOwnsHomeInCity:
		f.num[i] = b(r.residences().ownsHome)
	case policy.SpecialEmploymentMonths:
		f.num[i] = float64(r.jobs().employmentMonths)
	case policy.SpecialSameEmployerMonths:
		f.num[i] = float64(r.jobs().sameEmployerMonths)
	case policy.SpecialInsuranceMonths:
		f.num[i] = float64(r.insurance().insuranceMonths)
	case policy.SpecialLocalPensionMonths12:
		f.num[i] = float64(r.insurance().localPensionMonths12)
	case policy.SpecialInsuredLastMonth:
		f.num[i] = b(r.insurance().insuredLastMonth)
	case policy.SpecialLocalPermitMonths:
		f.num[i] = float64(r.permits().localPermitMonths)
	case policy.SpecialPermitValid:
		f.num[i] = b(r.permits().permitValid)
	case policy.SpecialChildrenRegistered:
		f.num[i] = b(r.children().childrenRegistered)
	default:
		return false
	}
	return true
}

// residences: union of registered residences; the current one.
func (r *records) residences() *records {
	if !r.start(doneResidences) {
		return r
	}
	h, asOf := r.h, r.asOf
	var stays []date.Interval
	var current *registry.Residence
	for i := range h.Residences {
		res := &h.Residences[i]
		if res.Since > asOf || res.Since.IsZero() {
			continue
		}
		iv := date.Interval{From: res.Since, To: clipEnd(res.Until, asOf)}
		if iv.To < iv.From {
			continue
		}
		stays = append(stays, iv)
		if iv.Contains(asOf) {
			if current == nil || res.Since >= current.Since {
				current = res
			}
			if res.Kind == "owned" {
				r.ownsHome = true
			}
		}
	}
	r.residenceMonths = min(maxMonths, wholeMonths(mergeDays(stays)))
	if current != nil {
		switch current.Kind {
		case "rented", "dormitory", "owned":
			r.housing = current.Kind
		}
	}
	return r
}

// employedSince returns the start of the unbroken employment covering the
// as-of date, 0 when there is none.
func (r *records) employedSince() date.Date { return r.jobs().employmentFrom }

// jobs: the continuous spell of registered jobs that covers asOf, and the
// spell with the current employer.
func (r *records) jobs() *records {
	if !r.start(doneJobs) {
		return r
	}
	h, asOf := r.h, r.asOf
	var jobs []date.Interval
	for i := range h.Jobs {
		j := &h.Jobs[i]
		if j.Since > asOf || j.Since.IsZero() {
			continue
		}
		if iv := (date.Interval{From: j.Since, To: clipEnd(j.Until, asOf)}); iv.To >= iv.From {
			jobs = append(jobs, iv)
		}
	}
	if spell, ok := covering(mergeDays(jobs), asOf); ok {
		r.employmentFrom = spell.From
		r.employmentMonths = min(maxMonths, date.MonthsBetween(spell.From, asOf+1))
	}
	for i := range h.Jobs {
		j := &h.Jobs[i]
		if j.Since > asOf || !(date.Interval{From: j.Since, To: j.Until}).Contains(asOf) {
			continue
		}
		var same []date.Interval
		for k := range h.Jobs {
			o := &h.Jobs[k]
			if o.EmployerUSCC == j.EmployerUSCC && o.Since <= asOf && !o.Since.IsZero() {
				if iv := (date.Interval{From: o.Since, To: clipEnd(o.Until, asOf)}); iv.To >= iv.From {
					same = append(same, iv)
				}
			}
		}
		if spell, ok := covering(mergeDays(same), asOf); ok {
			r.sameEmployerMonths = max(r.sameEmployerMonths, min(maxMonths, date.MonthsBetween(spell.From, asOf+1)))
		}
	}
	return r
}

// insurance, in months: pension for the cumulative count and the last 12
// months, any kind for last month.
func (r *records) insurance() *records {
	if !r.start(doneInsurance) {
		return r
	}
	h := r.h
	asOfMonth := monthIndex(r.asOf)
	var pension []monthRange
	for i := range h.Insurance {
		in := &h.Insurance[i]
		if in.From.IsZero() {
			continue
		}
		mr := monthRange{monthIndex(in.From), asOfMonth}
		if !in.To.IsZero() {
			mr.to = min(monthIndex(in.To), asOfMonth)
		}
		if mr.to < mr.from {
			continue
		}
		if in.Kind == "pension" {
			pension = append(pension, mr)
		}
		if mr.from <= asOfMonth-1 && asOfMonth-1 <= mr.to {
			r.insuredLastMonth = true
		}
	}
	pension = mergeMonths(pension)
	r.insuranceMonths = min(maxMonths, countMonths(pension, 0, asOfMonth))
	r.localPensionMonths12 = countMonths(pension, asOfMonth-12, asOfMonth-1)
	return r
}

// permits of this county.
func (r *records) permits() *records {
	if !r.start(donePermits) {
		return r
	}
	prefix, asOf := r.opt.Region+"-", r.asOf
	for _, pm := range r.h.Permits {
		if pm.Status == registry.PermitActive && strings.HasPrefix(pm.Number, prefix) &&
			!pm.IssuedOn.IsZero() && pm.IssuedOn <= asOf && asOf <= pm.ValidTo {
			r.permitValid = true
			r.localPermitMonths = max(r.localPermitMonths, min(maxMonths, date.MonthsBetween(pm.IssuedOn, asOf+1)))
		}
	}
	return r
}

// children: guardian of a registered child under 16.
func (r *records) children() *records {
	if !r.start(doneChildren) {
		return r
	}
	for _, c := range r.h.Children {
		if !c.BirthDate.IsZero() && c.BirthDate <= r.asOf && date.YearsBetween(c.BirthDate, r.asOf) < 16 {
			r.childrenRegistered = true
			break
		}
	}
	return r
}

// value reads a fact's value as a number, truncated to a whole number for a
// kind of int values (as the int inputs it feeds hold them).
func value(v string, whole bool) float64 {
	x := number(v)
	if whole {
		return math.Trunc(x)
	}
	return x
}

// number reads a canonical fact value; the import validated it, so a bad
// one counts as 0.
func number(v string) float64 {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0
	}
	return x
}

// clipEnd returns the last day of a record as seen on asOf: its end, or
// asOf when it is open or ends later.
func clipEnd(until, asOf date.Date) date.Date {
	if until.IsZero() || until > asOf {
		return asOf
	}
	return until
}

// mergeDays sorts closed intervals (no open ends) and merges those that
// overlap or touch, so that no day is counted twice.
func mergeDays(ivs []date.Interval) []date.Interval {
	if len(ivs) < 2 {
		return ivs
	}
	sortIntervals(ivs)
	out := ivs[:1]
	for _, iv := range ivs[1:] {
		last := &out[len(out)-1]
		if iv.From <= last.To+1 {
			last.To = max(last.To, iv.To)
			continue
		}
		out = append(out, iv)
	}
	return out
}

func sortIntervals(ivs []date.Interval) {
	// Insertion sort: a person has a handful of records, usually in order.
	for i := 1; i < len(ivs); i++ {
		for j := i; j > 0 && ivs[j].From < ivs[j-1].From; j-- {
			ivs[j], ivs[j-1] = ivs[j-1], ivs[j]
		}
	}
}

// wholeMonths sums the whole calendar months of each interval: a spell from
// the 1st of January to the 31st of March is 3 months, one from 15 January
// to 14 March 1 month and 28 days, so 1.
func wholeMonths(ivs []date.Interval) int {
	n := 0
	for _, iv := range ivs {
		n += date.MonthsBetween(iv.From, iv.To+1)
	}
	return n
}

// covering returns the interval of ivs that contains day.
func covering(ivs []date.Interval, day date.Date) (date.Interval, bool) {
	for _, iv := range ivs {
		if iv.Contains(day) {
			return iv, true
		}
	}
	return date.Interval{}, false
}

// monthRange is an inclusive range of month indexes (year × 12 + month − 1).
type monthRange struct{ from, to int }

func monthIndex(d date.Date) int {
	y, m, _ := d.Parts()
	return y*12 + int(m) - 1
}

func mergeMonths(rs []monthRange) []monthRange {
	for i := 1; i < len(rs); i++ {
		for j := i; j > 0 && rs[j].from < rs[j-1].from; j-- {
			rs[j], rs[j-1] = rs[j-1], rs[j]
		}
	}
	var out []monthRange
	for _, r := range rs {
		if n := len(out); n > 0 && r.from <= out[n-1].to+1 {
			out[n-1].to = max(out[n-1].to, r.to)
			continue
		}
		out = append(out, r)
	}
	return out
}

// countMonths counts the months of merged rs within [lo, hi].
func countMonths(rs []monthRange, lo, hi int) int {
	n := 0
	for _, r := range rs {
		from, to := max(r.from, lo), min(r.to, hi)
		if to >= from {
			n += to - from + 1
		}
	}
	return n
}
