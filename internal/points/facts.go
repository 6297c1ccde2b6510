package points

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/policy"
)

// Facts is one person's input object of the points contract
// (shared/contracts/points.md), as derived from the registry by Derive under
// a scheme's `derive:` section. Its JSON form (AppendJSON) is exactly a line
// that `rooted score` reads. The derived values are held by the index of
// their derivation in the scheme's plan: numbers in the contract's units
// (months, yuan, hours, counts), bools as 0 or 1, levels as the contract's
// codes, "" meaning none. A Facts is a value: it allocates nothing.
type Facts struct {
	ID        string    // the person's key: the ID number
	IDNumber  string    // GB 11643
	BirthDate date.Date // from the ID number; zero when unknown

	plan *policy.DerivePlan // nil: no derived inputs
	num  [policy.MaxDerive]float64
	lvl  [policy.MaxDeriveLevels]string
}

// Value returns the derived value of the input called name: a number (a
// bool as 0 or 1) or, for a level input, its code. ok is false when the
// scheme f was derived under does not derive the input.
func (f *Facts) Value(name string) (num float64, level string, ok bool) {
	if f.plan == nil {
		return 0, "", false
	}
	for i := range f.plan.Entries {
		e := &f.plan.Entries[i]
		if e.Input == name {
			if e.Level >= 0 {
				return 0, f.lvl[e.Level], true
			}
			return f.num[i], "", true
		}
	}
	return 0, "", false
}

// AppendJSON appends f as one JSON object (no newline): id, id_number and
// birth_date first, then every derived input that is not at its default
// (zero, false, none), in the order of the scheme's `derive:` section. The
// output is deterministic, so its SHA-256 (Digest) identifies the inputs.
func (f *Facts) AppendJSON(dst []byte) []byte {
	dst = append(dst, `{"id":`...)
	dst = appendString(dst, f.ID)
	if f.IDNumber != "" {
		dst = append(dst, `,"id_number":`...)
		dst = appendString(dst, f.IDNumber)
	}
	if !f.BirthDate.IsZero() {
		dst = append(dst, `,"birth_date":"`...)
		dst = append(dst, f.BirthDate.String()...)
		dst = append(dst, '"')
	}
	if f.plan == nil {
		return append(dst, '}')
	}
	for i := range f.plan.Entries {
		e := &f.plan.Entries[i]
		switch e.Type {
		case policy.Level:
			if s := f.lvl[e.Level]; s != "" && s != "none" {
				dst = append(dst, `,"`...)
				dst = append(dst, e.Input...)
				dst = append(dst, `":`...)
				dst = appendString(dst, s)
			}
		case policy.Bool:
			if f.num[i] != 0 {
				dst = append(dst, `,"`...)
				dst = append(dst, e.Input...)
				dst = append(dst, `":true`...)
			}
		default:
			if x := f.num[i]; x != 0 {
				dst = append(dst, `,"`...)
				dst = append(dst, e.Input...)
				dst = append(dst, `":`...)
				dst = strconv.AppendFloat(dst, x, 'f', -1, 64)
			}
		}
	}
	return append(dst, '}')
}

// Digest returns the hex SHA-256 of f's JSON line (AppendJSON): the
// inputs_sha256 of a stored score. buf is scratch space, returned for reuse.
func (f *Facts) Digest(buf []byte) (string, []byte) {
	buf = f.AppendJSON(buf[:0])
	sum := sha256.Sum256(buf)
	return hex.EncodeToString(sum[:]), buf
}

// Fill sets in from f: birth_date and every derived input that in's scheme
// declares (it may be another scheme than f's, as in a reform simulation;
// inputs it leaves out are skipped). Each value is set as f's scheme typed
// it. The error names the input whose value the scheme refuses (out of its
// range, an unknown level).
func (f *Facts) Fill(in *policy.Inputs) error {
	if _, ok := in.Value("birth_date"); ok {
		if err := in.SetDate("birth_date", f.BirthDate); err != nil {
			return err
		}
	}
	if f.plan == nil {
		return nil
	}
	for i := range f.plan.Entries {
		e := &f.plan.Entries[i]
		if _, ok := in.Value(e.Input); !ok {
			continue
		}
		var err error
		switch e.Type {
		case policy.Level:
			if s := f.lvl[e.Level]; s != "" {
				err = in.SetLevel(e.Input, s)
			}
		case policy.Bool:
			err = in.SetBool(e.Input, f.num[i] != 0)
		default:
			err = in.SetNumber(e.Input, f.num[i])
		}
		if err != nil {
			return fmt.Errorf("points: %s: %w", ident.MaskID(f.IDNumber), err)
		}
	}
	return nil
}

// appendString appends s as a JSON string.
func appendString(dst []byte, s string) []byte {
	const hexDigits = "0123456789abcdef"
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c < 0x20:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
		default:
			dst = append(dst, c)
		}
	}
	return append(dst, '"')
}
