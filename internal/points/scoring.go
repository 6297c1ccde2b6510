package points

import (
	"context"
	"errors"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

// Histories is where persons to score come from: the registry store, or
// any set of histories. ForEachHistory calls fn once per person and stops
// at fn's first error, returning it.
type Histories interface {
	ForEachHistory(ctx context.Context, fn func(registry.PersonHistory) error) error
}

// Scoring is the one way from registry histories to points: one scheme and
// the deployment's derivation options. Every caller that scores persons of
// the registry — one person explained, the whole registry stored, a round's
// gates, a reform compared — asks a Day of it. It is immutable and safe for
// concurrent use.
type Scoring struct {
	scheme *policy.Scheme
	opt    Options
}

// NewScoring returns the scoring of persons under s with the derivation
// options opt (a zero Region means DefaultOptions).
func NewScoring(s *policy.Scheme, opt Options) *Scoring {
	if opt.Region == "" {
		opt = DefaultOptions
	}
	return &Scoring{scheme: s, opt: opt}
}

// Scheme returns the scheme sc scores under.
func (sc *Scoring) Scheme() *policy.Scheme { return sc.scheme }

// On returns scoring as of asOf under the version of the scheme in force
// on asOf. The error wraps policy.ErrNoVersion when there is none.
func (sc *Scoring) On(asOf date.Date) (Day, error) {
	v, err := sc.scheme.Version(asOf)
	if err != nil {
		return Day{}, err
	}
	return Day{sc: sc, v: v, asOf: asOf}, nil
}

// Under returns scoring as of asOf under v, whatever v's dates (replaying
// a decision under the version it was taken with). v must be a version of
// sc's scheme; it panics otherwise, as that is a programming error.
func (sc *Scoring) Under(v *policy.Version, asOf date.Date) Day {
	if v.Scheme() != sc.scheme {
		panic("points: Scoring.Under: a version of another scheme")
	}
	return Day{sc: sc, v: v, asOf: asOf}
}

// Day is a scoring question fixed to one day: histories as of AsOf, scored
// under Version. The as-of date travels with it, so that derivation,
// evaluation and explanation cannot be asked about different days. The zero
// Day is not usable; get one from Scoring.On or Scoring.Under.
type Day struct {
	sc   *Scoring
	v    *policy.Version
	asOf date.Date
}

// Version returns the scheme version d scores under.
func (d Day) Version() *policy.Version { return d.v }

// AsOf returns the day d scores as of.
func (d Day) AsOf() date.Date { return d.asOf }

// Facts returns the inputs of the person of h as of asOf (Derive, under
// sc's scheme): what `rooted facts` prints. It needs no version in force.
func (sc *Scoring) Facts(h *registry.PersonHistory, asOf date.Date) Facts {
	return Derive(h, asOf, sc.scheme, sc.opt)
}

// Facts returns the inputs of the person of h as of d (Scoring.Facts).
func (d Day) Facts(h *registry.PersonHistory) Facts { return d.sc.Facts(h, d.asOf) }

// Scored is one person scored: the derived inputs and the result.
type Scored struct {
	Facts  Facts
	Result policy.Result
}

// Digest returns the SHA-256 of the person's inputs (Facts.Digest), as
// stored in a score record.
func (s *Scored) Digest() string {
	digest, _ := s.Facts.Digest(nil)
	return digest
}

// Person scores the person of h. The error is Facts.Fill's when the scheme
// refuses a value of the person's inputs.
func (d Day) Person(h *registry.PersonHistory) (Scored, error) {
	f := d.Facts(h)
	in, err := d.inputs(&f)
	if err != nil {
		return Scored{}, err
	}
	return Scored{Facts: f, Result: d.v.Evaluate(in, d.asOf)}, nil
}

// Explain explains the points of the person of h in lang: each rule, the
// eligibility, and what the listed actions would bring. The error is
// Facts.Fill's when the scheme refuses a value of the person's inputs.
func (d Day) Explain(h *registry.PersonHistory, lang msg.Lang, actions []Action) (Explanation, error) {
	f := d.Facts(h)
	in, err := d.inputs(&f)
	if err != nil {
		return Explanation{}, err
	}
	return explain(d.v, in, h.Person.IDNumber, d.asOf, lang, actions)
}

func (d Day) inputs(f *Facts) (*policy.Inputs, error) {
	in := d.v.Scheme().NewInputs()
	if err := f.Fill(in); err != nil {
		return nil, err
	}
	return in, nil
}

// PassOptions set up a pass over many persons (Day.All, Compare). The
// histories their functions are given are valid only during the call.
type PassOptions struct {
	// Keep, when set, is called once for every history read, in order, and
	// says whether to score the person; persons not kept are neither
	// derived nor scored.
	Keep func(h *registry.PersonHistory) bool
	// Refused, when set, is told of a kept person whose inputs the scheme
	// refuses (the error of Facts.Fill); the person is left out and the
	// pass goes on unless Refused returns an error. Unset: left out.
	Refused func(h *registry.PersonHistory, err error) error
	// Progress, when set, is called after each history read with the
	// number read so far.
	Progress func(read int)
	// Digest computes each person's inputs digest (Row.Digest), which
	// Row.Record needs. It costs a SHA-256 a person.
	Digest bool
}

// passBatch is how many persons a pass evaluates together.
const passBatch = 512

// All scores every person of src (those opt.Keep keeps) and calls fn with
// each, in the order of src, in batches of a few hundred: a person's row is
// handed to fn once their batch is evaluated. It stops at the first error
// of src, fn or opt.Refused, or when ctx is done, and returns it.
func (d Day) All(ctx context.Context, src Histories, opt PassOptions, fn func(*Row) error) error {
	p := newPass(opt, d)
	return p.run(ctx, src, func(sc []*scorer, hs []registry.PersonHistory, digests []string) error {
		row := Row{s: sc[0]}
		for i := range hs {
			row.History, row.row = &hs[i], i
			if digests != nil {
				row.Digest = digests[i]
			}
			if err := fn(&row); err != nil {
				return err
			}
		}
		return nil
	})
}

// Row is one person scored in a pass (All). It is valid only during the
// call of the pass's fn.
type Row struct {
	History *registry.PersonHistory
	Digest  string // with PassOptions.Digest; "" otherwise
	s       *scorer
	row     int
}

// Total returns a named total (see policy.Batch.Total).
func (r *Row) Total(name string) float64 { return r.s.b.Total(r.row, name) }

// Eligible reports whether the person passes gate i of the version's
// Services.
func (r *Row) Eligible(i int) bool { return r.s.b.Eligible(r.row, i) }

// Frozen reports whether the person's points are frozen.
func (r *Row) Frozen() bool { return r.s.b.Total(r.row, "frozen") != 0 }

// Result copies the person's result out of the batch.
func (r *Row) Result() policy.Result { return r.s.b.Result(r.row) }

// Record returns the person's score record (needs PassOptions.Digest).
func (r *Row) Record() registry.ScoreRecord {
	return r.s.record(r.row, r.History.Person.IDNumber, r.Digest)
}

// Compare scores every person of src under from and under to, on their
// common day, and returns the reform simulation, broken down by the groups
// of the person (GroupOf); towns names town codes. A person either
// version refuses is left out of both (and told to opt.Refused). It stops
// at the first error of src or opt.Refused, or when ctx is done; it refuses
// days that differ.
func Compare(ctx context.Context, src Histories, from, to Day, towns map[string]string, opt PassOptions) (DiffReport, error) {
	if from.asOf != to.asOf {
		return DiffReport{}, errors.New("points: compare: the two versions are asked about different days")
	}
	sim := newSimulation(from.v, to.v, from.asOf, towns)
	p := newPass(opt, from, to)
	err := p.run(ctx, src, func(sc []*scorer, hs []registry.PersonHistory, _ []string) error {
		for i := range hs {
			sim.Add(GroupOf(&hs[i], from.asOf), sc[0].b, i, sc[1].b, i)
		}
		return nil
	})
	if err != nil {
		return DiffReport{}, err
	}
	return sim.Report(), nil
}

// pass is the batch loop of All and Compare: read, keep, derive under each
// day's scheme, fill, batch, evaluate, hand over.
type pass struct {
	opt     PassOptions
	days    []Day
	scorers []*scorer
	hs      []registry.PersonHistory // the batch's persons, by row
	digests []string
	facts   Facts // the person being added
	buf     []byte
}

func newPass(opt PassOptions, days ...Day) *pass {
	p := &pass{opt: opt, days: days, hs: make([]registry.PersonHistory, 0, passBatch)}
	for _, d := range days {
		p.scorers = append(p.scorers, newScorer(d.v, d.asOf, passBatch))
	}
	if opt.Digest {
		p.digests = make([]string, 0, passBatch)
	}
	return p
}

func (p *pass) run(ctx context.Context, src Histories, evaluated func([]*scorer, []registry.PersonHistory, []string) error) error {
	flush := func() error {
		if len(p.hs) == 0 {
			return nil
		}
		for _, s := range p.scorers {
			s.b.Evaluate()
		}
		err := evaluated(p.scorers, p.hs, p.digests)
		for _, s := range p.scorers {
			s.reset()
		}
		clear(p.hs) // let the histories go
		p.hs, p.digests = p.hs[:0], p.digests[:0]
		return err
	}
	ins := make([]*policy.Inputs, len(p.days))
	read := 0
	err := src.ForEachHistory(ctx, func(h registry.PersonHistory) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		read++
		if p.opt.Progress != nil {
			defer p.opt.Progress(read)
		}
		// The person takes the batch's next row at once, so that h is
		// not moved to the heap; dropped below when not kept or refused.
		p.hs = append(p.hs, h)
		hp := &p.hs[len(p.hs)-1]
		drop := func() { *hp = registry.PersonHistory{}; p.hs = p.hs[:len(p.hs)-1] }
		if p.opt.Keep != nil && !p.opt.Keep(hp) {
			drop()
			return nil
		}
		f := &p.facts
		for i, d := range p.days {
			// Derive once per scheme and options: the facts are the
			// scheme's, and two schemes may derive differently.
			if prev := p.days[max(i-1, 0)].sc; i == 0 || d.sc.scheme != prev.scheme || d.sc.opt != prev.opt {
				*f = d.Facts(hp)
			}
			in, err := d.inputs(f)
			if err != nil {
				defer drop()
				if p.opt.Refused != nil {
					return p.opt.Refused(hp, err)
				}
				return nil
			}
			ins[i] = in
		}
		if p.opt.Digest {
			var digest string
			digest, p.buf = f.Digest(p.buf)
			p.digests = append(p.digests, digest)
		}
		for i, s := range p.scorers {
			s.add(ins[i])
		}
		if len(p.hs) == passBatch {
			return flush()
		}
		return nil
	})
	if err != nil {
		return err
	}
	return flush()
}
