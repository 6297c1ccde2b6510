package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strings"

	"github.com/newcitizens/rooted/internal/date"
)

// PermitRule is the residence-permit rule (居住证), applied without a trip to
// an office: a person qualifies on a day when they have lived in the city
// without a break for at least MinResidenceDays (counting the first day as
// day 1) and on that day hold a registered job, live in a legal home (rented,
// dormitory or owned), or study (a child of school age living with a
// registered guardian). Zhejiang residence registration regulation (2016):
// six months of residence plus legal stable employment, a legal stable home
// or continuous study.
type PermitRule struct {
	// MinResidenceDays is the length of the unbroken residence that
	// qualifies: 183 days is half a year, so day 183 qualifies and day 182
	// does not.
	MinResidenceDays int
	// MaxGapDays bridges short gaps between registered residences (a move
	// between rentals): a gap of at most this many days keeps the residence
	// unbroken.
	MaxGapDays int
	// StudyFrom and StudyUntil are the ages (in full years) at which a child
	// with a registered guardian is taken to be studying: compulsory and high
	// school, 6 to 17, until enrolment records arrive.
	StudyFrom, StudyUntil int
	// Region is the issuing county's 6-digit code, the prefix of permit numbers.
	Region string
}

// DefaultPermitRule is the rule of the default deployment (Wenling, 331081).
var DefaultPermitRule = PermitRule{MinResidenceDays: 183, MaxGapDays: 30, StudyFrom: 6, StudyUntil: 17, Region: "331081"}

// legalHomes are the residence kinds that count as a legal stable home.
var legalHomes = map[string]bool{"rented": true, "dormitory": true, "owned": true}

// Decide replays the rule over h from the person's last permit up to asOf
// and returns what changed: a permit issued on the first qualifying day,
// endorsed on each anniversary at which the person still qualifies, lapsed
// on the first anniversary at which they do not, and a new permit when they
// qualify again. Permits and events already recorded are never rewritten,
// so deciding twice for the same day returns no change.
func (r PermitRule) Decide(h PersonHistory, asOf date.Date) PermitChange {
	q := r.qualifying(h, asOf)
	var (
		ch      PermitChange
		current *Permit
		from    date.Date // earliest day a new permit may be issued
	)
	if n := len(h.Permits); n > 0 {
		last := h.Permits[n-1]
		if last.Status == PermitActive {
			current = &last
		} else {
			from = last.LapsedOn
		}
	}
	for {
		if current == nil {
			day, ok := firstFrom(q, from)
			if !ok || day > asOf {
				return ch
			}
			p := Permit{
				Number:    r.number(h.Person.IDNumber, day),
				IDNumber:  h.Person.IDNumber,
				Town:      townOn(h.Residences, day),
				IssuedOn:  day,
				ValidTo:   day.AddDate(1, 0, 0) - 1,
				Status:    PermitActive,
				UpdatedOn: asOf,
			}
			current = &p
			ch.Events = append(ch.Events, PermitEvent{Permit: p.Number, IDNumber: p.IDNumber, Kind: EventIssue, On: day, Reason: r.basis(h, day)})
			ch.Permits = append(ch.Permits, p)
			continue
		}
		anniversary := current.ValidTo + 1
		if anniversary > asOf {
			return ch
		}
		p := *current
		p.UpdatedOn = asOf
		if contains(q, anniversary) {
			p.ValidTo = anniversary.AddDate(1, 0, 0) - 1
			ch.Events = append(ch.Events, PermitEvent{Permit: p.Number, IDNumber: p.IDNumber, Kind: EventEndorse, On: anniversary, Reason: r.basis(h, anniversary)})
			current = &p
		} else {
			p.Status = PermitLapsed
			p.LapsedOn = anniversary
			ch.Events = append(ch.Events, PermitEvent{Permit: p.Number, IDNumber: p.IDNumber, Kind: EventLapse, On: anniversary, Reason: r.failure(h, anniversary)})
			current, from = nil, anniversary
		}
		ch.Permits = upsertPermit(ch.Permits, p)
	}
}

// qualifying returns the sorted, disjoint intervals of days up to asOf on
// which the person meets the rule.
func (r PermitRule) qualifying(h PersonHistory, asOf date.Date) []date.Interval {
	var basis []date.Interval
	for _, j := range h.Jobs {
		basis = append(basis, date.Interval{From: j.Since, To: j.Until})
	}
	for _, res := range h.Residences {
		if legalHomes[res.Kind] {
			basis = append(basis, date.Interval{From: res.Since, To: res.Until})
		}
	}
	if h.HasGuardian && !h.Person.BirthDate.IsZero() {
		b := h.Person.BirthDate
		basis = append(basis, date.Interval{From: b.AddDate(r.StudyFrom, 0, 0), To: b.AddDate(r.StudyUntil+1, 0, 0) - 1})
	}
	var settled []date.Interval
	for _, s := range r.spells(h.Residences) {
		from := s.From + date.Date(r.MinResidenceDays-1)
		if s.To == 0 || s.To >= from {
			settled = append(settled, date.Interval{From: from, To: s.To})
		}
	}
	q := intersect(settled, union(basis, 0))
	// Clip to asOf so that an open end and a recorded future end look alike.
	out := q[:0]
	for _, iv := range q {
		if iv.From > asOf {
			break
		}
		if iv.To == 0 || iv.To > asOf {
			iv.To = asOf
		}
		out = append(out, iv)
	}
	return out
}

// spells merges residences into unbroken stays, bridging gaps of at most
// MaxGapDays.
func (r PermitRule) spells(rs []Residence) []date.Interval {
	ivs := make([]date.Interval, 0, len(rs))
	for _, res := range rs {
		ivs = append(ivs, date.Interval{From: res.Since, To: res.Until})
	}
	return union(ivs, r.MaxGapDays)
}

func (r PermitRule) number(id string, issued date.Date) string {
	sum := sha256.Sum256([]byte(id + "|" + issued.String()))
	return r.Region + "-" + strings.ReplaceAll(issued.String(), "-", "") + "-" + strings.ToUpper(hex.EncodeToString(sum[:5]))
}

// basis names what the person qualified by on day, for the event record.
func (r PermitRule) basis(h PersonHistory, day date.Date) string {
	var why []string
	for _, j := range h.Jobs {
		if (date.Interval{From: j.Since, To: j.Until}).Contains(day) {
			why = append(why, "job")
			break
		}
	}
	for _, res := range h.Residences {
		if legalHomes[res.Kind] && (date.Interval{From: res.Since, To: res.Until}).Contains(day) {
			why = append(why, "legal home")
			break
		}
	}
	if len(why) == 0 {
		why = append(why, "study")
	}
	return "resident 183+ days; " + strings.Join(why, ", ")
}

// failure names the condition that failed on day.
func (r PermitRule) failure(h PersonHistory, day date.Date) string {
	for _, s := range r.spells(h.Residences) {
		if s.Contains(day) {
			if day-s.From+1 < date.Date(r.MinResidenceDays) {
				return "residence broken and not yet 183 days again"
			}
			return "no registered job, legal home or study"
		}
	}
	return "no registered residence"
}

func townOn(rs []Residence, day date.Date) string {
	town, since := "", date.Date(0)
	for _, res := range rs {
		if (date.Interval{From: res.Since, To: res.Until}).Contains(day) && res.Since >= since {
			town, since = res.Town, res.Since
		}
	}
	return town
}

func upsertPermit(ps []Permit, p Permit) []Permit {
	for i := range ps {
		if ps[i].Number == p.Number {
			ps[i] = p
			return ps
		}
	}
	return append(ps, p)
}

// union sorts intervals and merges those that overlap, touch, or are
// separated by at most gap days. An open end (To zero) absorbs what follows.
func union(ivs []date.Interval, gap int) []date.Interval {
	ivs = slices.Clone(ivs)
	slices.SortFunc(ivs, func(a, b date.Interval) int { return int(a.From) - int(b.From) })
	var out []date.Interval
	for _, iv := range ivs {
		if iv.To != 0 && iv.To < iv.From {
			continue
		}
		if n := len(out); n > 0 {
			last := &out[n-1]
			if last.To == 0 {
				continue
			}
			if iv.From <= last.To+1+date.Date(gap) {
				if iv.To == 0 || iv.To > last.To {
					last.To = iv.To
				}
				continue
			}
		}
		out = append(out, iv)
	}
	return out
}

// intersect returns the days in both a and b, each sorted and disjoint.
func intersect(a, b []date.Interval) []date.Interval {
	var out []date.Interval
	for i, j := 0, 0; i < len(a) && j < len(b); {
		from := max(a[i].From, b[j].From)
		to, aEnds := minEnd(a[i].To, b[j].To)
		if to == 0 || from <= to {
			out = append(out, date.Interval{From: from, To: to})
		}
		if to == 0 {
			break
		}
		if aEnds {
			i++
		} else {
			j++
		}
	}
	return out
}

// minEnd returns the earlier of two ends (zero = open) and whether it is x's.
func minEnd(x, y date.Date) (date.Date, bool) {
	switch {
	case x == 0:
		return y, false
	case y == 0:
		return x, true
	case x <= y:
		return x, true
	}
	return y, false
}

func firstFrom(q []date.Interval, from date.Date) (date.Date, bool) {
	for _, iv := range q {
		if iv.To != 0 && iv.To < from {
			continue
		}
		return max(iv.From, from), true
	}
	return 0, false
}

func contains(q []date.Interval, day date.Date) bool {
	for _, iv := range q {
		if iv.Contains(day) {
			return true
		}
	}
	return false
}
