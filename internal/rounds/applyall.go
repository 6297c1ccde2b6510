package rounds

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/points"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

// ApplyAllSummary is what ApplyAll did.
type ApplyAllSummary struct {
	Round      string `json:"round"`
	Persons    int    `json:"persons"`    // read from the registry
	Candidates int    `json:"candidates"` // children of the cohort (or eligible housing applicants) found
	Applied    int    `json:"applied"`
	Skipped    int    `json:"skipped"` // already applied, or (town rounds) living elsewhere
}

// ApplyAll is a demonstration helper that fills an open round from the
// registry, so that a demo city has a realistic round. School rounds: for
// every child of the entry age (exactly, on 31 August of the round's year)
// with a registered guardian eligible (as of today) for a school seat, the
// first such guardian (by ID number) applies, ranking up to min(3, Choices)
// schools: the schools of the child's town first, then others, each group
// in a random order drawn from seed and the child. Town rounds take only
// children living in the town. Housing rounds: every adult eligible for the
// round's service applies for the unit type of their household (themself,
// a partner when they have a registered child, and their registered
// children under 18), once per household. Applications go through the
// same checks as Apply; children who already have one are skipped. The
// result depends only on the registry, today and seed.
func (s *Service) ApplyAll(ctx context.Context, id string, seed uint64) (ApplyAllSummary, error) {
	r, err := s.round(ctx, id, "apply to", Open)
	if err != nil {
		return ApplyAllSummary{}, err
	}
	today := s.today()
	day, err := s.scoring().On(today)
	if err != nil {
		return ApplyAllSummary{}, err
	}
	sum := ApplyAllSummary{Round: id}
	applied, err := s.appliedSubjects(ctx, id)
	if err != nil {
		return sum, err
	}
	found, err := s.candidates(ctx, &r, day, &sum)
	if err != nil {
		return sum, err
	}
	var add []Application
	if r.Kind.Housing() {
		add = housingApplications(&r, found.housing, applied, today, &sum)
	} else {
		add = schoolApplications(&r, found, applied, today, seed, &sum)
	}
	// The same gates as Apply, with one cache of histories.
	v := s.view()
	for i := range add {
		if err := s.gates(ctx, &r, &add[i], v, nil); err != nil {
			return sum, err
		}
	}
	if len(add) > 0 {
		if _, err := s.Store.Commit(ctx, id, Change{From: Open, Add: add}); err != nil {
			return sum, err
		}
	}
	sum.Applied = len(add)
	return sum, nil
}

// appliedSubjects returns the subjects (child, or housing applicant) of
// the round's applications that are not refused.
func (s *Service) appliedSubjects(ctx context.Context, id string) (map[string]bool, error) {
	existing, err := s.Store.Applications(ctx, id)
	if err != nil {
		return nil, err
	}
	applied := map[string]bool{}
	for _, a := range existing {
		if a.Status != Refused {
			applied[a.Subject()] = true
		}
	}
	return applied, nil
}

// candidate is a person eligible for the round's service on the day.
type candidate struct {
	id, name string
	children []registry.Person
	town     string
}

// found is what ApplyAll's pass over the registry found.
type found struct {
	housing   []candidate            // housing rounds: eligible adults, by ID
	guardians map[string][]candidate // school rounds: cohort child → eligible guardians, by ID
	childTown map[string]string      // school rounds: cohort child → town on the day
}

// candidates reads the registry once, scoring on day only the persons that
// matter (adults for housing, guardians of the cohort for school), and
// returns those eligible for the round's service. A person whose record
// the scheme refuses cannot be eligible: they are left out.
func (s *Service) candidates(ctx context.Context, r *Round, day points.Day, sum *ApplyAllSummary) (found, error) {
	today := day.AsOf()
	svc := slices.IndexFunc(day.Version().Services, func(x policy.Named) bool { return x.Name == r.Kind.Service() })
	out := found{guardians: map[string][]candidate{}, childTown: map[string]string{}}
	cohort := func(p *registry.Person) bool {
		return !r.Kind.Housing() && !p.BirthDate.IsZero() && date.YearsBetween(p.BirthDate, date.Of(r.Year, time.August, 31)) == r.Kind.EntryAge()
	}
	keep := func(h *registry.PersonHistory) bool {
		sum.Persons++
		p := &h.Person
		if cohort(p) {
			out.childTown[p.IDNumber] = townOn(h, today)
		}
		if r.Kind.Housing() {
			return date.YearsBetween(p.BirthDate, today) >= 18
		}
		return slices.ContainsFunc(h.Children, func(c registry.Person) bool { return cohort(&c) })
	}
	err := day.All(ctx, s.Store, points.PassOptions{Keep: keep}, func(row *points.Row) error {
		if svc < 0 || !row.Eligible(svc) {
			return nil
		}
		h := row.History
		c := candidate{id: h.Person.IDNumber, name: h.Person.Name, children: h.Children, town: townOn(h, today)}
		if r.Kind.Housing() {
			out.housing = append(out.housing, c)
			return nil
		}
		for _, ch := range c.children {
			if cohort(&ch) {
				out.guardians[ch.IDNumber] = append(out.guardians[ch.IDNumber], c)
			}
		}
		return nil
	})
	return out, err
}

// housingApplications returns an application of every eligible adult's
// household not yet applied for: the unit type of the household (themself,
// a partner when they have a registered child, their children under 18).
func housingApplications(r *Round, adults []candidate, applied map[string]bool, today date.Date, sum *ApplyAllSummary) []Application {
	var add []Application
	covered := map[string]bool{} // children of households that applied
	for _, c := range adults {
		sum.Candidates++
		var kids []string
		for _, ch := range c.children {
			if date.YearsBetween(ch.BirthDate, today) < 18 {
				kids = append(kids, ch.IDNumber)
			}
		}
		if applied[c.id] || slices.ContainsFunc(kids, func(k string) bool { return covered[k] }) {
			sum.Skipped++
			continue
		}
		n := 1 + len(kids)
		if len(kids) > 0 {
			n++ // a partner
		}
		a := Application{Round: r.ID, Applicant: c.id, Household: n, AppliedOn: today, Status: Pending}
		if err := checkRequest(r, &a); err != nil {
			sum.Skipped++ // no unit type of the round fits
			continue
		}
		for _, k := range kids {
			covered[k] = true
		}
		applied[c.id] = true
		add = append(add, a)
	}
	return add
}

// schoolApplications returns an application for every child of the cohort
// with an eligible guardian, not yet applied for (and, town rounds, living
// in the town), by the first such guardian, ranking nearChoices.
func schoolApplications(r *Round, f found, applied map[string]bool, today date.Date, seed uint64, sum *ApplyAllSummary) []Application {
	var add []Application
	for _, ch := range slices.Sorted(maps.Keys(f.guardians)) {
		sum.Candidates++
		town := f.childTown[ch]
		g := f.guardians[ch][0]
		if town == "" {
			town = g.town
		}
		if applied[ch] || (r.Town != "" && town != r.Town) {
			sum.Skipped++
			continue
		}
		a := Application{Round: r.ID, Applicant: g.id, Child: ch, AppliedOn: today, Status: Pending, Choices: nearChoices(r, town, seed, ch)}
		applied[ch] = true
		add = append(add, a)
	}
	return add
}

// nearChoices returns up to min(3, r.Choices) places for a child living
// in town: the town's first, then others, each group shuffled by seed and
// child.
func nearChoices(r *Round, town string, seed uint64, child string) []string {
	h := fnv.New64a()
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	h.Write(b[:])
	h.Write([]byte(child))
	rng := rand.New(rand.NewPCG(seed, h.Sum64()))
	var near, far []string
	for _, p := range r.Places {
		if p.Town == town {
			near = append(near, p.Code)
		} else {
			far = append(far, p.Code)
		}
	}
	rng.Shuffle(len(near), func(i, j int) { near[i], near[j] = near[j], near[i] })
	rng.Shuffle(len(far), func(i, j int) { far[i], far[j] = far[j], far[i] })
	out := append(near, far...)
	return out[:min(3, r.Choices, len(out))]
}
