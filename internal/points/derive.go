package points

import (
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

// Derive returns the contract's inputs for the person of h as of asOf, by
// the rules in the package documentation. Records that start after asOf are
// ignored and ends after asOf are cut at asOf, so that the registry as of
// any past day gives the inputs of that day. h is only read.
func Derive(h *registry.PersonHistory, asOf date.Date, _ *policy.Scheme, opt Options) Facts {
	p := &h.Person
	f := Facts{ID: p.IDNumber, IDNumber: p.IDNumber, BirthDate: p.BirthDate, Education: p.Education}
	if f.Education == "" {
		f.Education = "none"
	}

	// Residence: union of registered residences; the current one.
	var stays []date.Interval
	var current *registry.Residence
	for i := range h.Residences {
		r := &h.Residences[i]
		if r.Since > asOf || r.Since.IsZero() {
			continue
		}
		iv := date.Interval{From: r.Since, To: clipEnd(r.Until, asOf)}
		if iv.To < iv.From {
			continue
		}
		stays = append(stays, iv)
		if iv.Contains(asOf) {
			if current == nil || r.Since >= current.Since {
				current = r
			}
			if r.Kind == "owned" {
				f.OwnsHomeInCity = true
			}
		}
	}
	f.ResidenceMonths = min(maxMonths, wholeMonths(mergeDays(stays)))
	if current != nil {
		switch current.Kind {
		case "rented", "dormitory", "owned":
			f.Housing = current.Kind
		}
	}

	// Employment: the continuous spell of registered jobs that covers asOf,
	// and the spell with the current employer.
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
	var employedSince date.Date
	if spell, ok := covering(mergeDays(jobs), asOf); ok {
		employedSince = spell.From
		f.EmploymentMonths = min(maxMonths, date.MonthsBetween(spell.From, asOf+1))
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
			f.SameEmployerMonths = max(f.SameEmployerMonths, min(maxMonths, date.MonthsBetween(spell.From, asOf+1)))
		}
	}

	// Insurance, in months: pension for the cumulative count and the last
	// 12 months, any kind for last month.
	asOfMonth := monthIndex(asOf)
	var pension []monthRange
	for i := range h.Insurance {
		in := &h.Insurance[i]
		if in.From.IsZero() {
			continue
		}
		r := monthRange{monthIndex(in.From), asOfMonth}
		if !in.To.IsZero() {
			r.to = min(monthIndex(in.To), asOfMonth)
		}
		if r.to < r.from {
			continue
		}
		if in.Kind == "pension" {
			pension = append(pension, r)
		}
		if r.from <= asOfMonth-1 && asOfMonth-1 <= r.to {
			f.InsuredLastMonth = true
		}
	}
	pension = mergeMonths(pension)
	f.InsuranceMonths = min(maxMonths, countMonths(pension, 0, asOfMonth))
	f.LocalPensionMonths12 = countMonths(pension, asOfMonth-12, asOfMonth-1)

	// Permits of this county.
	prefix := opt.Region + "-"
	for _, pm := range h.Permits {
		if pm.Status == registry.PermitActive && strings.HasPrefix(pm.Number, prefix) &&
			!pm.IssuedOn.IsZero() && pm.IssuedOn <= asOf && asOf <= pm.ValidTo {
			f.PermitValid = true
			f.LocalPermitMonths = max(f.LocalPermitMonths, min(maxMonths, date.MonthsBetween(pm.IssuedOn, asOf+1)))
		}
	}

	// Children: guardian of a registered child under 16.
	for _, c := range h.Children {
		if !c.BirthDate.IsZero() && c.BirthDate <= asOf && date.YearsBetween(c.BirthDate, asOf) < 16 {
			f.ChildrenRegistered = true
			break
		}
	}

	// Dated facts.
	in3y, in5y, in1y := asOf.AddDate(-3, 0, 0), asOf.AddDate(-5, 0, 0), asOf.AddDate(-1, 0, 0)
	var employeesOn, dishonestOn date.Date
	var marrow int
	for i := range h.Facts {
		x := &h.Facts[i]
		if x.Date > asOf || x.Date.IsZero() {
			continue
		}
		v := x.Value
		switch x.Kind {
		case "skill_level":
			if n := int(number(v)); n >= 1 && n <= 5 && (f.SkillLevel == 0 || n < f.SkillLevel) {
				f.SkillLevel = n
			}
		case "title":
			if titleRank[v] > titleRank[f.Title] {
				f.Title = v
			}
		case "income_tax":
			if x.Date > in3y {
				f.IncomeTax3y += number(v)
			}
		case "business_tax":
			if x.Date > in3y {
				f.BusinessTax3y += number(v)
			}
		case "employees_hired":
			if x.Date >= employeesOn {
				f.EmployeesHired, employeesOn = int(number(v)), x.Date
			}
		case "invention_patent":
			if x.Date > in5y {
				f.InventionPatents += int(number(v))
			}
		case "utility_patent":
			if x.Date > in5y {
				f.UtilityPatents += int(number(v))
			}
		case "award_county":
			if x.Date > in5y {
				f.AwardsCounty++
			}
		case "award_prefecture":
			if x.Date > in5y {
				f.AwardsPrefecture++
			}
		case "award_province":
			if x.Date > in5y {
				f.AwardsProvince++
			}
		case "volunteer_hours":
			if x.Date > in5y {
				f.VolunteerHours5y += number(v)
			}
		case "blood_donation":
			if x.Date > in5y {
				f.BloodDonations5y++
			}
		case "donation":
			f.DonationYuan += number(v)
		case "marrow":
			marrow = max(marrow, marrowRank[v])
		case "shortage_job":
			if employedSince != 0 && x.Date >= employedSince {
				f.ShortageJob = true
			}
		case "community_role":
			f.CommunityRole = true
		case "special_post":
			f.SpecialPostYears = max(f.SpecialPostYears, number(v))
		case "heroism":
			f.Heroism = true
		case "talent_category":
			f.TalentCategory = true
		case "income_below_limit":
			if x.Date > in1y {
				f.IncomeBelowLimit = true
			}
		case "false_materials":
			if x.Date > in3y {
				f.FalseMaterials3y++
			}
		case "detention":
			if x.Date > in3y {
				f.Detentions3y++
			}
		case "criminal":
			if x.Date > in5y {
				f.Criminal5y++
			}
		case "tax_violation":
			f.TaxViolations++
		case "serious_crime":
			f.SeriousCrime = true
		case "dishonest":
			if x.Date >= dishonestOn {
				f.DishonestListed, dishonestOn = v == "listed", x.Date
			}
		}
	}
	f.Marrow = marrowLevels[marrow]
	f.VolunteerHours5y = min(f.VolunteerHours5y, 43800)
	f.BloodDonations5y = min(f.BloodDonations5y, 1000)
	return f
}

var (
	titleRank    = map[string]int{"junior": 1, "intermediate": 2, "senior": 3}
	marrowRank   = map[string]int{"registered": 1, "donated": 2}
	marrowLevels = []string{"", "registered", "donated"}
)

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
