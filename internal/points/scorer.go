package points

import (
	"strconv"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

// scorer is the batch engine of a pass (Day.All, Compare): persons'
// inputs added until full, evaluated together under one scheme version and
// one as-of date, read (record), reset. Not safe for concurrent use.
type scorer struct {
	v    *policy.Version
	asOf date.Date
	b    *policy.Batch
	buf  []byte
}

// newScorer returns a scorer of up to size persons a batch.
func newScorer(v *policy.Version, asOf date.Date, size int) *scorer {
	return &scorer{v: v, asOf: asOf, b: v.NewBatch(size, asOf)}
}

// add puts in (of the version's scheme) in the next row and returns the
// row. It panics when the batch is full.
func (s *scorer) add(in *policy.Inputs) int {
	row := s.b.Add()
	s.b.SetInputs(row, in)
	return row
}

// reset empties the batch.
func (s *scorer) reset() { s.b.Reset(s.asOf) }

// record returns the evaluated row as a score record of the person
// idNumber whose inputs have the digest (Facts.Digest).
func (s *scorer) record(row int, idNumber, digest string) registry.ScoreRecord {
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
