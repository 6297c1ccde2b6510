package alloc

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
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
// refused (a typo like "capacty" must not become a capacity of 0).

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
	d := &decoder{data: data, schools: map[string]string{}}
	return d.instance()
}

type decoder struct {
	data []byte
	pos  int
	loc  location // where the decoder is, for messages
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

func (l location) String() string {
	var s string
	switch l.list {
	case "schools":
		s = schoolAt(l.index, l.id)
	case "applicants":
		s = applicantAt(l.index, l.id)
	}
	if l.field != "" {
		if s != "" {
			s += ": "
		}
		s += l.field
		if l.elem >= 0 {
			s += fmt.Sprintf("[%d]", l.elem)
		}
	}
	if s == "" {
		s = "document"
	}
	return s
}

// at sets the field being read.
func (d *decoder) at(field string) { d.loc.field, d.loc.elem = field, -1 }

// errAt is a syntax or type error at the current position.
func (d *decoder) errAt(format string, args ...any) error {
	line, col := 1, 1
	for _, c := range d.data[:min(d.pos, len(d.data))] {
		if c == '\n' {
			line, col = line+1, 1
		} else if c&0xC0 != 0x80 { // count characters, not UTF-8 continuation bytes
			col++
		}
	}
	return invalid("%s: %s (line %d, column %d)", d.loc, fmt.Sprintf(format, args...), line, col)
}

func (d *decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// peek skips white space and returns the next byte, or 0 at the end.
func (d *decoder) peek() byte {
	d.ws()
	if d.pos < len(d.data) {
		return d.data[d.pos]
	}
	return 0
}

// found describes the token at the current position for messages.
func (d *decoder) found() string {
	if d.pos >= len(d.data) {
		return "the end of the input"
	}
	switch c := d.data[d.pos]; {
	case c == '"':
		return "a string"
	case c == '{':
		return "an object"
	case c == '[':
		return "an array"
	case c == '-' || c >= '0' && c <= '9':
		return "a number"
	case bytes.HasPrefix(d.data[d.pos:], []byte("null")):
		return "null"
	case bytes.HasPrefix(d.data[d.pos:], []byte("true")), bytes.HasPrefix(d.data[d.pos:], []byte("false")):
		return "a boolean"
	default:
		r, _ := utf8.DecodeRune(d.data[d.pos:])
		return fmt.Sprintf("%q", r)
	}
}

func (d *decoder) expect(c byte, what string) error {
	if d.peek() != c {
		return d.errAt("want %s, found %s", what, d.found())
	}
	d.pos++
	return nil
}

// null consumes a null literal if there is one.
func (d *decoder) null() bool {
	if d.peek() == 'n' && bytes.HasPrefix(d.data[d.pos:], []byte("null")) {
		d.pos += 4
		return true
	}
	return false
}

// object calls field for each member of an object, after checking that the
// name is allowed and not repeated. field's argument is the name's index in
// names; it is called with the decoder at the value.
func (d *decoder) object(names []string, field func(i int) error) error {
	if err := d.expect('{', "an object"); err != nil {
		return err
	}
	var seen uint32
	if d.peek() == '}' {
		d.pos++
		return nil
	}
	for {
		d.at("")
		if d.peek() != '"' {
			return d.errAt("want a field name in quotes, found %s", d.found())
		}
		start := d.pos
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
			d.pos = start
			return d.errAt("unknown field %q (allowed: %s)", raw, quoteList(names))
		}
		if seen&(1<<i) != 0 {
			d.pos = start
			return d.errAt("field %q given twice", names[i])
		}
		seen |= 1 << i
		if err := d.expect(':', "':' after the field name"); err != nil {
			return err
		}
		d.at(names[i])
		d.ws()
		if err := field(i); err != nil {
			return err
		}
		d.at("")
		switch d.peek() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return nil
		default:
			return d.errAt("want ',' or '}' after field %q, found %s", names[i], d.found())
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
	if err := d.expect('[', "an array"); err != nil {
		return err
	}
	if d.peek() == ']' {
		d.pos++
		return nil
	}
	for i := 0; ; i++ {
		d.ws()
		if err := elem(i); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.pos++
		case ']':
			d.pos++
			return nil
		default:
			return d.errAt("want ',' or ']' after element %d, found %s", i, d.found())
		}
	}
}

// rawString reads a string and returns its content, unescaped. The slice
// is valid until the next call (it may alias the input or the scratch
// buffer).
func (d *decoder) rawString() ([]byte, error) {
	if d.peek() != '"' {
		return nil, d.errAt("want a string, found %s", d.found())
	}
	d.pos++
	start := d.pos
	// Fast path: printable ASCII without escapes.
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		if c == '"' {
			d.pos++
			return d.data[start : d.pos-1], nil
		}
		if c == '\\' || c < 0x20 || c >= 0x80 {
			break
		}
		d.pos++
	}
	b := append(d.scratch[:0], d.data[start:d.pos]...)
	for {
		if d.pos >= len(d.data) {
			return nil, d.errAt("unterminated string")
		}
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			d.scratch = b
			return b, nil
		case c < 0x20:
			return nil, d.errAt("control character %#02x in a string: escape it", c)
		case c == '\\':
			if d.pos+1 >= len(d.data) {
				return nil, d.errAt("unterminated string")
			}
			e := d.data[d.pos+1]
			switch e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r, ok := d.hex4(d.pos + 2)
				if !ok {
					return nil, d.errAt(`bad \u escape: want 4 hex digits`)
				}
				d.pos += 6
				if utf16.IsSurrogate(r) {
					r2, ok := rune(0), false
					if d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
						r2, ok = d.hex4(d.pos + 2)
					}
					r = utf16.DecodeRune(r, r2)
					if !ok || r == utf8.RuneError {
						return nil, d.errAt(`bad \u escape: unpaired surrogate`)
					}
					d.pos += 6
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				return nil, d.errAt("bad escape %q in a string", d.data[d.pos:d.pos+2])
			}
			d.pos += 2
		case c < 0x80:
			b = append(b, c)
			d.pos++
		default:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size <= 1 {
				return nil, d.errAt("invalid UTF-8 in a string")
			}
			b = append(b, d.data[d.pos:d.pos+size]...)
			d.pos += size
		}
	}
}

func (d *decoder) hex4(at int) (rune, bool) {
	if at+4 > len(d.data) {
		return 0, false
	}
	var r rune
	for _, c := range d.data[at : at+4] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
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
	d.ws()
	start := d.pos
	data := d.data
	i := d.pos
	digits := func() int {
		j := i
		for i < len(data) && data[i] >= '0' && data[i] <= '9' {
			i++
		}
		return i - j
	}
	if i < len(data) && data[i] == '-' {
		i++
	}
	switch n := digits(); {
	case n == 0:
		return 0, nil, d.errAt("want a number, found %s", d.found())
	case n > 1 && data[i-n] == '0':
		return 0, nil, d.errAt("a number may not start with 0")
	}
	if i < len(data) && data[i] == '.' {
		i++
		if digits() == 0 {
			d.pos = i
			return 0, nil, d.errAt("want digits after the decimal point")
		}
	}
	if i < len(data) && (data[i] == 'e' || data[i] == 'E') {
		i++
		if i < len(data) && (data[i] == '+' || data[i] == '-') {
			i++
		}
		if digits() == 0 {
			d.pos = i
			return 0, nil, d.errAt("want digits in the exponent")
		}
	}
	lit := data[start:i]
	f, err := strconv.ParseFloat(string(lit), 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, nil, d.errAt("number %s is out of range", lit)
	}
	d.pos = i
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
	if d.peek() != 0 {
		d.loc = location{elem: -1}
		return nil, d.errAt("unexpected %s after the document", d.found())
	}
	for i, name := range top[1:] {
		if !has[i+1] {
			return nil, invalid("document: missing field %q", name)
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
			at := d.pos
			var capacity float64
			var lit []byte
			capacity, lit, err = d.number()
			if err == nil && (capacity < 0 || capacity > MaxCapacity || capacity != math.Trunc(capacity)) {
				d.pos = at
				return d.errAt("%s: want a whole number from 0 to %d", lit, MaxCapacity)
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
			return invalid("%s: missing field %q", schoolAt(d.loc.index, s.ID), name)
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
	guess := bytes.Count(d.data[d.pos:], []byte(`"preferences"`))
	in.Applicants = make([]Applicant, 0, min(guess, len(d.data)/32))
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
				return invalid("%s: missing field %q", applicantAt(k, a.ID), applicantFields[i])
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
	b = appendString(b, r.Round)
	b = append(b, `,"seed_sha256":"`...)
	b = hex.AppendEncode(b, r.SeedSHA256[:])
	b = append(b, `","assignments":[`...)
	for i, a := range r.Assignments {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n"+`{"applicant":`...)
		b = appendString(b, a.Applicant)
		b = append(b, `,"school":`...)
		if a.School == "" {
			b = append(b, `null,"choice":null`...)
		} else {
			b = appendString(b, a.School)
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
		b = appendString(b, s.ID)
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
	b = appendString(b, in.Round)
	b = append(b, `,"seed":`...)
	b = appendString(b, in.Seed)
	b = append(b, `,"schools":[`...)
	for i, s := range in.Schools {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n"+`{"id":`...)
		b = appendString(b, s.ID)
		b = append(b, `,"capacity":`...)
		b = strconv.AppendInt(b, int64(s.Capacity), 10)
		if s.District != "" {
			b = append(b, `,"district":`...)
			b = appendString(b, s.District)
		}
		b = append(b, '}')
	}
	b = append(b, "\n"+`],"applicants":[`...)
	for i, a := range in.Applicants {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, "\n"+`{"id":`...)
		b = appendString(b, a.ID)
		b = append(b, `,"points":`...)
		b = appendFloat(b, a.Points)
		if a.District != "" {
			b = append(b, `,"district":`...)
			b = appendString(b, a.District)
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
			b = appendString(b, p)
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

// appendString appends s as a JSON string. s is valid UTF-8 when it came
// from ParseInstance; invalid bytes from elsewhere become U+FFFD.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < 0x80 {
			i++
			continue
		}
		if c < 0x80 {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, `\u00`...)
				b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
