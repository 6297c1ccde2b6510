package alloc

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"unicode/utf8"

	"github.com/newcitizens/rooted/internal/jsonx"
	"github.com/newcitizens/rooted/internal/msg"
)

// The published JSON form. The decoder is written by hand rather than with
// encoding/json for three reasons: a round of a million applicants decodes
// several times faster (BENCHMARKS-alloc.md); errors can name the element
// (applicants[12] "A0013": points) rather than a byte offset; and the format
// can be strict where encoding/json is lenient in ways that matter for a
// verifiable document — field names match exactly (encoding/json matches
// "Capacity" to "capacity"), a field may not appear twice (encoding/json keeps
// the last), strings must be valid UTF-8 (encoding/json silently turns bad
// bytes into U+FFFD, which could make two ids equal), and unknown fields are
// refused (a typo like "capacty" must not become a capacity of 0). Its
// tokens are package jsonx's (strict strings), shared with the JSON Lines of
// package policy; the document's structure and its messages are here.

// ParseInstance decodes the contract's input document:
//
//	{"round": "…", "seed": "…",
//	 "schools": [{"id": "S001", "capacity": 45, "district": "taiping"}],
//	 "applicants": [{"id": "A0001", "points": 86.5, "district": "taiping",
//	                 "tiebreak": [12, 36], "preferences": ["S001", "S004"]}]}
//
// "seed", "schools", "applicants", and each school's "id" and "capacity" and
// each applicant's "id", "points" and "preferences" are required; "round",
// "district" and "tiebreak" are optional (null is the same as absent). A
// capacity is a whole number from 0 to MaxCapacity (45 or 45.0). Unknown or
// repeated fields, malformed JSON, invalid UTF-8, numbers beyond float64
// and anything after the document are errors: *apperr.Error with code
// invalid and a one-line message naming the element and the line and
// column.
//
// ParseInstance checks the form of the document, not the rules of a round
// (unique ids, known schools, …): Validate, or Allocate, does that.
func ParseInstance(data []byte) (*Instance, error) {
	d := &decoder{Scanner: jsonx.Scanner{Data: data}, schools: map[string]string{}}
	return d.instance()
}

type decoder struct {
	jsonx.Scanner
	loc location // where the decoder is, for messages
	// schools interns school ids, so that a million applicants' preferences
	// share the schools' strings instead of allocating ten million.
	schools map[string]string
	scratch []byte
}

// location is an element of the document, kept as plain fields while
// decoding so that naming it costs nothing until there is an error.
type location struct {
	list  string // "schools", "applicants", or "" for the top level
	index int    // in list
	id    string // of the element, once read
	field string // "" for the element itself
	elem  int    // index in the field's array; -1 for the field itself
}

// message names the location for an error: the element, then the field
// (a name of the document's format, so data) and its index.
func (l location) message() msg.M {
	field := l.field
	if l.elem >= 0 {
		field += fmt.Sprintf("[%d]", l.elem)
	}
	var elem msg.M
	switch l.list {
	case "schools":
		elem = schoolAt(l.index, l.id)
	case "applicants":
		elem = applicantAt(l.index, l.id)
	default:
		if l.field == "" {
			return msg.M{Key: "error.alloc_document"}
		}
		return msg.M{Key: "error.text", Args: []any{field}}
	}
	if l.field == "" {
		return elem
	}
	return msg.M{Key: "error.alloc_field", Args: []any{elem, field}}
}

// at sets the field being read.
func (d *decoder) at(field string) { d.loc.field, d.loc.elem = field, -1 }

// errAt is a syntax or type error at the current position: the
// catalogue's key with args.
func (d *decoder) errAt(key string, args ...any) error {
	line, col := jsonx.LineColumn(d.Data, d.Pos)
	return invalid("error.alloc_at", d.loc.message(), msg.M{Key: key, Args: args}, line, col)
}

// found describes the token at the current position for messages.
func (d *decoder) found() msg.M {
	if d.Pos >= len(d.Data) {
		return msg.M{Key: "error.alloc_an_end"}
	}
	switch c := d.Data[d.Pos]; {
	case c == '"':
		return msg.M{Key: "error.alloc_a_string"}
	case c == '{':
		return msg.M{Key: "error.alloc_an_object"}
	case c == '[':
		return msg.M{Key: "error.alloc_an_array"}
	case c == '-' || c >= '0' && c <= '9':
		return msg.M{Key: "error.alloc_a_number"}
	case bytes.HasPrefix(d.Data[d.Pos:], []byte("null")):
		return msg.M{Key: "error.text", Args: []any{"null"}} // JSON's own word
	case bytes.HasPrefix(d.Data[d.Pos:], []byte("true")), bytes.HasPrefix(d.Data[d.Pos:], []byte("false")):
		return msg.M{Key: "error.alloc_a_boolean"}
	default:
		r, _ := utf8.DecodeRune(d.Data[d.Pos:])
		return msg.M{Key: "error.text", Args: []any{fmt.Sprintf("%q", r)}} // the input's character
	}
}

// expect consumes c; what is the key naming it for the error.
func (d *decoder) expect(c byte, what string) error {
	if d.Peek() != c {
		return d.errAt("error.alloc_want", msg.M{Key: what}, d.found())
	}
	d.Pos++
	return nil
}

// null consumes a null literal if there is one.
func (d *decoder) null() bool {
	if d.Peek() == 'n' && bytes.HasPrefix(d.Data[d.Pos:], []byte("null")) {
		d.Pos += 4
		return true
	}
	return false
}

// object calls field for each member of an object, after checking that the
// name is allowed and not repeated. field's argument is the name's index in
// names; it is called with the decoder at the value.
func (d *decoder) object(names []string, field func(i int) error) error {
	if err := d.expect('{', "error.alloc_an_object"); err != nil {
		return err
	}
	var seen uint32
	if d.Peek() == '}' {
		d.Pos++
		return nil
	}
	for {
		d.at("")
		if d.Peek() != '"' {
			return d.errAt("error.alloc_want_name", d.found())
		}
		start := d.Pos
		raw, err := d.rawString()
		if err != nil {
			return err
		}
		i := -1
		for j, n := range names {
			if string(raw) == n {
				i = j
				break
			}
		}
		if i < 0 {
			d.Pos = start
			return d.errAt("error.alloc_unknown_field", raw, quoteList(names))
		}
		if seen&(1<<i) != 0 {
			d.Pos = start
			return d.errAt("error.alloc_field_twice", names[i])
		}
		seen |= 1 << i
		if err := d.expect(':', "error.alloc_a_colon"); err != nil {
			return err
		}
		d.at(names[i])
		d.SkipSpace()
		if err := field(i); err != nil {
			return err
		}
		d.at("")
		switch d.Peek() {
		case ',':
			d.Pos++
		case '}':
			d.Pos++
			return nil
		default:
			return d.errAt("error.alloc_after_field", names[i], d.found())
		}
	}
}

func quoteList(names []string) string {
	var b []byte
	for i, n := range names {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = strconv.AppendQuote(b, n)
	}
	return string(b)
}

// array calls elem for each element of an array, with the decoder at the
// element.
func (d *decoder) array(elem func(i int) error) error {
	if err := d.expect('[', "error.alloc_an_array"); err != nil {
		return err
	}
	if d.Peek() == ']' {
		d.Pos++
		return nil
	}
	for i := 0; ; i++ {
		d.SkipSpace()
		if err := elem(i); err != nil {
			return err
		}
		switch d.Peek() {
		case ',':
			d.Pos++
		case ']':
			d.Pos++
			return nil
		default:
			return d.errAt("error.alloc_after_element", i, d.found())
		}
	}
}

// rawString reads a string and returns its content, unescaped. The slice
// is valid until the next call (it may alias the input or the scratch
// buffer).
func (d *decoder) rawString() ([]byte, error) {
	if d.Peek() != '"' {
		return nil, d.errAt("error.alloc_want", msg.M{Key: "error.alloc_a_string"}, d.found())
	}
	b, fault := d.String(&d.scratch, true)
	switch fault {
	case jsonx.OK:
		return b, nil
	case jsonx.Unterminated:
		return nil, d.errAt("error.alloc_unterminated")
	case jsonx.ControlChar:
		return nil, d.errAt("error.alloc_control", d.Data[d.Pos])
	case jsonx.BadHex:
		return nil, d.errAt("error.alloc_u_digits")
	case jsonx.LoneSurrogate:
		return nil, d.errAt("error.alloc_u_surrogate")
	case jsonx.BadEscape:
		return nil, d.errAt("error.alloc_bad_escape", d.Data[d.Pos:d.Pos+2])
	default: // jsonx.BadUTF8
		return nil, d.errAt("error.alloc_utf8")
	}
}

func (d *decoder) str() (string, error) {
	b, err := d.rawString()
	return string(b), err
}

// optStr reads a string or null ("").
func (d *decoder) optStr() (string, error) {
	if d.null() {
		return "", nil
	}
	return d.str()
}

// number reads a JSON number, which must be finite as a float64, and
// returns it with its literal.
func (d *decoder) number() (float64, []byte, error) {
	d.SkipSpace()
	start := d.Pos
	f, fault := d.Number()
	switch fault {
	case jsonx.NoDigits:
		d.Pos = start
		return 0, nil, d.errAt("error.alloc_want", msg.M{Key: "error.alloc_a_number"}, d.found())
	case jsonx.NoFraction:
		return 0, nil, d.errAt("error.alloc_digits_point")
	case jsonx.NoExponent:
		return 0, nil, d.errAt("error.alloc_digits_exponent")
	}
	if d.Pos < len(d.Data) && d.Data[d.Pos] >= '0' && d.Data[d.Pos] <= '9' {
		// Only a leading 0 ends a number before a digit.
		d.Pos = start
		return 0, nil, d.errAt("error.alloc_leading_zero")
	}
	lit := d.Data[start:d.Pos]
	if math.IsInf(f, 0) {
		d.Pos = start
		return 0, nil, d.errAt("error.alloc_number_range", lit)
	}
	return f, lit, nil
}

func (d *decoder) instance() (*Instance, error) {
	in := &Instance{}
	var has [4]bool
	top := []string{"round", "seed", "schools", "applicants"}
	err := d.object(top, func(i int) error {
		has[i] = true
		var err error
		switch i {
		case 0:
			in.Round, err = d.optStr()
		case 1:
			in.Seed, err = d.str()
		case 2:
			in.Schools = []School{}
			err = d.array(func(k int) error {
				in.Schools = append(in.Schools, School{})
				d.loc = location{list: "schools", index: k, elem: -1}
				err := d.school(&in.Schools[k])
				d.loc = location{field: "schools", elem: -1}
				return err
			})
		case 3:
			err = d.applicants(in)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if d.Peek() != 0 {
		d.loc = location{elem: -1}
		return nil, d.errAt("error.alloc_after_document", d.found())
	}
	for i, name := range top[1:] {
		if !has[i+1] {
			return nil, invalid("error.alloc_missing_field", msg.M{Key: "error.alloc_document"}, name)
		}
	}
	return in, nil
}

var (
	schoolFields    = []string{"id", "capacity", "district"}
	applicantFields = []string{"id", "points", "district", "tiebreak", "preferences"}
)

func (d *decoder) school(s *School) error {
	var has [3]bool
	err := d.object(schoolFields, func(i int) error {
		has[i] = true
		var err error
		switch i {
		case 0:
			s.ID, err = d.str()
			d.loc.id = s.ID
			if _, dup := d.schools[s.ID]; err == nil && !dup {
				d.schools[s.ID] = s.ID
			}
		case 1:
			at := d.Pos
			var capacity float64
			var lit []byte
			capacity, lit, err = d.number()
			if err == nil && (capacity < 0 || capacity > MaxCapacity || capacity != math.Trunc(capacity)) {
				d.Pos = at
				return d.errAt("error.alloc_capacity_lit", lit, MaxCapacity)
			}
			s.Capacity = int(capacity)
		case 2:
			s.District, err = d.optStr()
		}
		return err
	})
	if err != nil {
		return err
	}
	for i, name := range schoolFields[:2] {
		if !has[i] {
			return invalid("error.alloc_missing_field", schoolAt(d.loc.index, s.ID), name)
		}
	}
	return nil
}

func (d *decoder) applicants(in *Instance) error {
	// Preference lists of all applicants share backing arrays of many
	// lists each: one allocation per thousand applicants, not one each.
	var prefPool []string
	// Size the slice once rather than grow it twenty times: every applicant
	// has a "preferences" field, and an id or a district that contains the
	// word in quotes only makes the guess a little large.
	guess := bytes.Count(d.Data[d.Pos:], []byte(`"preferences"`))
	in.Applicants = make([]Applicant, 0, min(guess, len(d.Data)/32))
	return d.array(func(k int) error {
		in.Applicants = append(in.Applicants, Applicant{})
		a := &in.Applicants[k]
		d.loc = location{list: "applicants", index: k, elem: -1}
		var has [5]bool
		err := d.object(applicantFields, func(i int) error {
			has[i] = true
			var err error
			switch i {
			case 0:
				a.ID, err = d.str()
				d.loc.id = a.ID
			case 1:
				a.Points, _, err = d.number()
			case 2:
				a.District, err = d.optStr()
			case 3:
				if d.null() {
					return nil
				}
				a.Tiebreak = []float64{}
				err = d.array(func(j int) error {
					d.loc.elem = j
					v, _, err := d.number()
					a.Tiebreak = append(a.Tiebreak, v)
					return err
				})
			case 4:
				if len(prefPool) > cap(prefPool)-64 {
					prefPool = make([]string, 0, 16384)
				}
				start := len(prefPool)
				err = d.array(func(j int) error {
					d.loc.elem = j
					raw, err := d.rawString()
					if err != nil {
						return err
					}
					id, ok := d.schools[string(raw)]
					if !ok {
						id = string(raw) // unknown: Validate names it
					}
					prefPool = append(prefPool, id)
					return nil
				})
				// Cap the slice so that appending to one applicant's list
				// can never write into the next one's.
				a.Preferences = prefPool[start:len(prefPool):len(prefPool)]
			}
			return err
		})
		if err != nil {
			return err
		}
		for _, i := range []int{0, 1, 4} {
			if !has[i] {
				return invalid("error.alloc_missing_field", applicantAt(k, a.ID), applicantFields[i])
			}
		}
		d.loc = location{field: "applicants", elem: -1}
		return nil
	})
}

// AppendJSON appends the contract's output document to b: compact, with
// each assignment and each school on a line of its own so that two runs
// can be compared with diff. Tickets are "0x" and 16 lowercase hex digits;
// a missing school, choice or cutoff is null; a cutoff has "tiebreak" only
// when the round has tie-breaks.
func (r *Result) AppendJSON(b []byte) []byte {
	b = append(b, `{"round":`...)
	b = jsonx.AppendString(b, r.Round)
	b = append(b, `,"seed_sha256":"`...)
	b = hex.AppendEncode(b, r.SeedSHA256[:])
	b = append(b, `","assignments":[`...)
	for i, a := range r.Assignments {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n"+`{"applicant":`...)
		b = jsonx.AppendString(b, a.Applicant)
		b = append(b, `,"school":`...)
		if a.School == "" {
			b = append(b, `null,"choice":null`...)
		} else {
			b = jsonx.AppendString(b, a.School)
			b = append(b, `,"choice":`...)
			b = strconv.AppendInt(b, int64(a.Choice), 10)
		}
		b = append(b, `,"ticket":`...)
		b = appendTicket(b, a.Ticket)
		b = append(b, '}')
	}
	b = append(b, "\n"+`],"schools":[`...)
	for i, s := range r.Schools {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n"+`{"id":`...)
		b = jsonx.AppendString(b, s.ID)
		b = append(b, `,"capacity":`...)
		b = strconv.AppendInt(b, int64(s.Capacity), 10)
		b = append(b, `,"admitted":`...)
		b = strconv.AppendInt(b, int64(s.Admitted), 10)
		b = append(b, `,"cutoff":`...)
		if c := s.Cutoff; c == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, `{"in_district":`...)
			b = strconv.AppendBool(b, c.InDistrict)
			b = append(b, `,"points":`...)
			b = appendFloat(b, c.Points)
			if c.Tiebreak != nil {
				b = append(b, `,"tiebreak":`...)
				b = appendFloats(b, c.Tiebreak)
			}
			b = append(b, `,"ticket":`...)
			b = appendTicket(b, c.Ticket)
			b = append(b, '}')
		}
		b = append(b, '}')
	}
	return append(b, "\n]}\n"...)
}

// AppendJSON appends in as the contract's input document, one applicant a
// line: what a round publishes so that anyone can re-run it.
// ParseInstance(in.AppendJSON(nil)) gives back in.
func (in *Instance) AppendJSON(b []byte) []byte {
	b = append(b, `{"round":`...)
	b = jsonx.AppendString(b, in.Round)
	b = append(b, `,"seed":`...)
	b = jsonx.AppendString(b, in.Seed)
	b = append(b, `,"schools":[`...)
	for i, s := range in.Schools {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n"+`{"id":`...)
		b = jsonx.AppendString(b, s.ID)
		b = append(b, `,"capacity":`...)
		b = strconv.AppendInt(b, int64(s.Capacity), 10)
		if s.District != "" {
			b = append(b, `,"district":`...)
			b = jsonx.AppendString(b, s.District)
		}
		b = append(b, '}')
	}
	b = append(b, "\n"+`],"applicants":[`...)
	for i, a := range in.Applicants {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n"+`{"id":`...)
		b = jsonx.AppendString(b, a.ID)
		b = append(b, `,"points":`...)
		b = appendFloat(b, a.Points)
		if a.District != "" {
			b = append(b, `,"district":`...)
			b = jsonx.AppendString(b, a.District)
		}
		if a.Tiebreak != nil {
			b = append(b, `,"tiebreak":`...)
			b = appendFloats(b, a.Tiebreak)
		}
		b = append(b, `,"preferences":[`...)
		for j, p := range a.Preferences {
			if j > 0 {
				b = append(b, ',')
			}
			b = jsonx.AppendString(b, p)
		}
		b = append(b, "]}"...)
	}
	return append(b, "\n]}\n"...)
}

func appendTicket(b []byte, t uint64) []byte {
	b = append(b, `"0x`...)
	for shift := 60; shift >= 0; shift -= 4 {
		b = append(b, "0123456789abcdef"[t>>uint(shift)&0xf])
	}
	return append(b, '"')
}

func appendFloats(b []byte, fs []float64) []byte {
	b = append(b, '[')
	for i, f := range fs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendFloat(b, f)
	}
	return append(b, ']')
}

// appendFloat formats a finite f as encoding/json does: the shortest
// representation that reads back as f, in plain notation unless very large
// or very small.
func appendFloat(b []byte, f float64) []byte {
	abs := math.Abs(f)
	format := byte('f')
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// clean up e-09 to e-9, as encoding/json does
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
