package points

import (
	"strconv"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

// Scorer scores derived facts in batches under one scheme version and one
// as-of date: Add persons until Full, Evaluate, read the rows (Batch,
// Record), Reset. It is the fast path of `rooted score --db` and `rooted
// policy diff`. Not safe for concurrent use.
type Scorer struct {
	v    *policy.Version
	asOf date.Date
	b    *policy.Batch
	buf  []byte
}

// NewScorer returns a scorer of up to size persons a batch.
func NewScorer(v *policy.Version, asOf date.Date, size int) *Scorer {
	return &Scorer{v: v, asOf: asOf, b: v.NewBatch(size, asOf)}
}

// Version returns the scheme version s scores under.
func (s *Scorer) Version() *policy.Version { return s.v }

// Add puts f in the next row and returns the row. When the scheme refuses a
// value of f (Facts.Fill) it returns the error and adds nothing.
func (s *Scorer) Add(f *Facts) (int, error) {
	in, err := s.Inputs(f)
	if err != nil {
		return -1, err
	}
	return s.AddInputs(in), nil
}

// Inputs returns f as inputs of the scheme, or the error of Facts.Fill.
func (s *Scorer) Inputs(f *Facts) (*policy.Inputs, error) {
	in := s.v.Scheme().NewInputs()
	if err := f.Fill(in); err != nil {
		return nil, err
	}
	return in, nil
}

// AddInputs puts in (of the scheme's) in the next row and returns the row.
// It panics when the batch is full.
func (s *Scorer) AddInputs(in *policy.Inputs) int {
	row := s.b.Add()
	s.b.SetInputs(row, in)
	return row
}

// Full reports whether the batch holds as many persons as it can.
func (s *Scorer) Full() bool { return s.b.Len() == s.b.Cap() }

// Len returns the number of persons in the batch.
func (s *Scorer) Len() int { return s.b.Len() }

// Evaluate scores every row added since the last Reset.
func (s *Scorer) Evaluate() { s.b.Evaluate() }

// Batch returns the evaluated batch, to read totals and eligibility.
func (s *Scorer) Batch() *policy.Batch { return s.b }

// Reset empties the batch.
func (s *Scorer) Reset() { s.b.Reset(s.asOf) }

// Record returns the evaluated row as a score record of the person
// idNumber whose inputs have the digest (Facts.Digest).
func (s *Scorer) Record(row int, idNumber, digest string) registry.ScoreRecord {
	b, v := s.b, s.v
	r := registry.ScoreRecord{
		IDNumber:     idNumber,
		AsOf:         s.asOf,
		Scheme:       v.Scheme().Name,
		Version:      v.Name,
		InputsSHA256: digest,
		Total:        b.Total(row, "total"),
		SchoolPoints: b.Total(row, "school_points"),
		Frozen:       b.Total(row, "frozen") != 0,
	}
	buf := append(s.buf[:0], '{')
	for i, svc := range v.Services {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendString(buf, svc.Name)
		buf = append(buf, ':')
		buf = strconv.AppendBool(buf, b.Eligible(row, i))
	}
	buf = append(buf, '}')
	r.Eligible = string(buf)
	buf = append(buf[:0], '[')
	for i, rule := range v.Rules {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, `{"code":`...)
		buf = appendString(buf, rule.Code)
		buf = append(buf, `,"points":`...)
		buf = strconv.AppendFloat(buf, b.Points(row, i), 'f', -1, 64)
		buf = append(buf, '}')
	}
	buf = append(buf, ']')
	r.Items = string(buf)
	s.buf = buf
	return r
}
