package rounds

import (
	"context"
	"encoding/binary"
	"hash/fnv"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/points"
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
	ver, err := s.Scheme.Version(today)
	if err != nil {
		return ApplyAllSummary{}, err
	}
	svc := -1
	for i, x := range ver.Services {
		if x.Name == r.Kind.Service() {
			svc = i
		}
	}
	sum := ApplyAllSummary{Round: id}
	existing, err := s.Store.Applications(ctx, id)
	if err != nil {
		return sum, err
	}
	applied := map[string]bool{}
	for _, a := range existing {
		if a.Status != Refused {
			applied[a.Subject()] = true
		}
	}

	// One pass over the registry, scoring the persons that matter in
	// batches.
	sc := points.NewScorer(ver, today, 512)
	type cand struct {
		id, name string
		children []registry.Person
		town     string
	}
	var pend []cand
	eligible := map[string][]cand{} // child → eligible guardians, by ID
	var housing []cand
	childTown := map[string]string{}
	cohort := func(p *registry.Person) bool {
		return !r.Kind.Housing() && !p.BirthDate.IsZero() && date.YearsBetween(p.BirthDate, date.Of(r.Year, time.August, 31)) == r.Kind.EntryAge()
	}
	flush := func() {
		sc.Evaluate()
		b := sc.Batch()
		for row, c := range pend {
			if svc < 0 || !b.Eligible(row, svc) {
				continue
			}
			if r.Kind.Housing() {
				housing = append(housing, c)
				continue
			}
			for _, ch := range c.children {
				if cohort(&ch) {
					eligible[ch.IDNumber] = append(eligible[ch.IDNumber], c)
				}
			}
		}
		sc.Reset()
		pend = pend[:0]
	}
	err = s.Store.ForEachHistory(ctx, func(h registry.PersonHistory) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		sum.Persons++
		p := &h.Person
		if cohort(p) {
			childTown[p.IDNumber] = townOn(&h, today)
		}
		want := false
		if r.Kind.Housing() {
			want = date.YearsBetween(p.BirthDate, today) >= 18
		} else {
			want = slices.ContainsFunc(h.Children, func(c registry.Person) bool { return cohort(&c) })
		}
		if !want {
			return nil
		}
		f := points.Derive(&h, today, s.Scheme, s.pointsOptions())
		if _, err := sc.Add(&f); err != nil {
			// A record the scheme refuses cannot be eligible: it is left
			// out, and the pass goes on with the next person.
			return nil //nolint:nilerr // a refused record is an answer (not eligible), not a failure of the pass
		}
		pend = append(pend, cand{id: p.IDNumber, name: p.Name, children: h.Children, town: townOn(&h, today)})
		if sc.Full() {
			flush()
		}
		return nil
	})
	if err != nil {
		return sum, err
	}
	flush()

	var add []Application
	if r.Kind.Housing() {
		covered := map[string]bool{} // children of households that applied
		for _, c := range housing {
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
			a := Application{Round: id, Applicant: c.id, Household: n, AppliedOn: today, Status: Pending}
			if err := checkRequest(&r, &a); err != nil {
				sum.Skipped++ // no unit type of the round fits
				continue
			}
			for _, k := range kids {
				covered[k] = true
			}
			applied[c.id] = true
			add = append(add, a)
		}
	} else {
		children := make([]string, 0, len(eligible))
		for ch := range eligible {
			children = append(children, ch)
		}
		slices.Sort(children)
		for _, ch := range children {
			sum.Candidates++
			town := childTown[ch]
			g := eligible[ch][0]
			if town == "" {
				town = g.town
			}
			if applied[ch] || (r.Town != "" && town != r.Town) {
				sum.Skipped++
				continue
			}
			a := Application{Round: id, Applicant: g.id, Child: ch, AppliedOn: today, Status: Pending, Choices: nearChoices(&r, town, seed, ch)}
			applied[ch] = true
			add = append(add, a)
		}
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
