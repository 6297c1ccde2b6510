package jsonx

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// Scanner reads JSON tokens from Data, starting at Pos. Its methods advance
// Pos past what they read; on a Fault they leave Pos where the fault is
// (each method says where). The zero value scans nothing; a Scanner is not
// safe for concurrent use.
type Scanner struct {
	Data []byte
	Pos  int
}

// Fault is what is wrong with a token, or OK.
type Fault uint8

// The faults a Scanner reports.
const (
	OK            Fault = iota
	Unterminated        // a string without its closing quote
	ControlChar         // a byte below 0x20 in a string
	BadEscape           // a backslash followed by a byte that is not an escape
	BadHex              // \u not followed by 4 hex digits
	LoneSurrogate       // strict strings: a \u escape of half a UTF-16 pair
	BadUTF8             // strict strings: bytes that are not UTF-8
	NoDigits            // a number without digits before its point
	NoFraction          // a number without digits after its point
	NoExponent          // a number without digits in its exponent
)

// SkipSpace passes over JSON white space.
func (s *Scanner) SkipSpace() {
	for s.Pos < len(s.Data) {
		switch s.Data[s.Pos] {
		case ' ', '\t', '\n', '\r':
			s.Pos++
		default:
			return
		}
	}
}

// Peek skips white space and returns the next byte, or 0 at the end.
func (s *Scanner) Peek() byte {
	s.SkipSpace()
	if s.Pos < len(s.Data) {
		return s.Data[s.Pos]
	}
	return 0
}

// Eat passes over c if it is the next byte (white space is not skipped).
func (s *Scanner) Eat(c byte) bool {
	if s.Pos < len(s.Data) && s.Data[s.Pos] == c {
		s.Pos++
		return true
	}
	return false
}

// Literal passes over w if the input continues with it.
func (s *Scanner) Literal(w string) bool {
	if len(s.Data)-s.Pos >= len(w) && string(s.Data[s.Pos:s.Pos+len(w)]) == w {
		s.Pos += len(w)
		return true
	}
	return false
}

// String reads the string whose opening quote is at Pos and returns its
// content unescaped: a slice of Data when it has no escapes (nor, when
// strict, any byte beyond ASCII), else *scratch, grown as needed. Either
// is valid until the next call with the same scratch.
//
// Strict strings must be valid UTF-8 and their \u escapes whole UTF-16
// pairs, as a verifiable document needs (encoding/json would turn both
// into U+FFFD and could make two ids equal). Other strings take their
// bytes as they are and turn half a pair into U+FFFD.
//
// On a fault Pos is at the control character, the bad UTF-8 byte, the
// backslash of a bad escape, just after the first half of a lone
// surrogate, or, for an unterminated string, at the end of Data (at the
// backslash when Data ends with one).
func (s *Scanner) String(scratch *[]byte, strict bool) ([]byte, Fault) {
	data := s.Data
	s.Pos++ // the opening quote
	start := s.Pos
	// Fast path: no escapes.
	for s.Pos < len(data) {
		c := data[s.Pos]
		if c == '"' {
			s.Pos++
			return data[start : s.Pos-1], OK
		}
		if c == '\\' || c < 0x20 || strict && c >= utf8.RuneSelf {
			break
		}
		s.Pos++
	}
	if s.Pos < len(data) && data[s.Pos] < 0x20 {
		return nil, ControlChar
	}
	b := append((*scratch)[:0], data[start:s.Pos]...)
	for {
		if s.Pos >= len(data) {
			return nil, Unterminated
		}
		c := data[s.Pos]
		switch {
		case c == '"':
			s.Pos++
			*scratch = b
			return b, OK
		case c < 0x20:
			return nil, ControlChar
		case c == '\\':
			var f Fault
			if b, f = s.escape(b, strict); f != OK {
				return nil, f
			}
		case c < utf8.RuneSelf || !strict:
			b = append(b, c)
			s.Pos++
		default:
			r, size := utf8.DecodeRune(data[s.Pos:])
			if r == utf8.RuneError && size <= 1 {
				return nil, BadUTF8
			}
			b = append(b, data[s.Pos:s.Pos+size]...)
			s.Pos += size
		}
	}
}

// escape appends the character of the escape at Pos to b and passes over
// it.
func (s *Scanner) escape(b []byte, strict bool) ([]byte, Fault) {
	data := s.Data
	if s.Pos+1 >= len(data) {
		return b, Unterminated
	}
	switch e := data[s.Pos+1]; e {
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
		r, ok := hex4(data, s.Pos+2)
		if !ok {
			return b, BadHex
		}
		s.Pos += 6
		if utf16.IsSurrogate(r) {
			r2, ok := rune(0), false
			if s.Pos+1 < len(data) && data[s.Pos] == '\\' && data[s.Pos+1] == 'u' {
				r2, ok = hex4(data, s.Pos+2)
			}
			if pair := utf16.DecodeRune(r, r2); ok && pair != utf8.RuneError {
				r = pair
				s.Pos += 6
			} else if strict {
				return b, LoneSurrogate
			}
			// Else r stays half a pair: AppendRune writes U+FFFD, and
			// what followed is read on its own.
		}
		return utf8.AppendRune(b, r), OK
	default:
		return b, BadEscape
	}
	s.Pos += 2
	return b, OK
}

func hex4(data []byte, at int) (rune, bool) {
	if at+4 > len(data) {
		return 0, false
	}
	var r rune
	for _, c := range data[at : at+4] {
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

var pow10 = [...]float64{1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22}

// Number reads the number that starts at Pos (a '-' or a digit, else
// NoDigits) and returns its value, correctly rounded; beyond float64 it
// is ±Inf, and the caller decides whether that is an error. A number that
// starts with 0 ends after the 0: "01" is the number 0 followed by "1".
//
// On NoDigits Pos is just after the sign, on NoFraction just after the
// point, on NoExponent just after the 'e' and its sign.
func (s *Scanner) Number() (float64, Fault) {
	start := s.Pos
	b := s.Data
	neg := false
	if s.Pos < len(b) && b[s.Pos] == '-' {
		neg = true
		s.Pos++
	}
	var mant uint64
	digits, exp := 0, 0
	switch {
	case s.Pos < len(b) && b[s.Pos] == '0':
		s.Pos++
	case s.Pos < len(b) && b[s.Pos] >= '1' && b[s.Pos] <= '9':
		for s.Pos < len(b) && b[s.Pos] >= '0' && b[s.Pos] <= '9' {
			mant = mant*10 + uint64(b[s.Pos]-'0')
			digits++
			s.Pos++
		}
	default:
		return 0, NoDigits
	}
	if s.Pos < len(b) && b[s.Pos] == '.' {
		s.Pos++
		fs := s.Pos
		for s.Pos < len(b) && b[s.Pos] >= '0' && b[s.Pos] <= '9' {
			if mant != 0 || b[s.Pos] != '0' {
				digits++
			}
			mant = mant*10 + uint64(b[s.Pos]-'0')
			exp--
			s.Pos++
		}
		if s.Pos == fs {
			return 0, NoFraction
		}
	}
	slow := false
	if s.Pos < len(b) && (b[s.Pos] == 'e' || b[s.Pos] == 'E') {
		s.Pos++
		if s.Pos < len(b) && (b[s.Pos] == '+' || b[s.Pos] == '-') {
			s.Pos++
		}
		es := s.Pos
		for s.Pos < len(b) && b[s.Pos] >= '0' && b[s.Pos] <= '9' {
			s.Pos++
		}
		if s.Pos == es {
			return 0, NoExponent
		}
		slow = true
	}
	// Up to 15 significant digits and 22 decimals, an exact integer
	// divided by an exact power of ten is the correctly rounded value.
	// The rest is strconv's: the grammar is checked, so its only error is
	// ErrRange, with ±Inf.
	if slow || digits > 15 || exp < -22 {
		x, _ := strconv.ParseFloat(string(b[start:s.Pos]), 64)
		return x, OK
	}
	x := float64(mant)
	if exp < 0 {
		x /= pow10[-exp]
	}
	if neg {
		x = -x
	}
	return x, OK
}

// LineColumn returns the line and column of Data[pos], both from 1,
// counting characters (not bytes) in the column.
func LineColumn(data []byte, pos int) (line, col int) {
	line, col = 1, 1
	for _, c := range data[:min(pos, len(data))] {
		if c == '\n' {
			line, col = line+1, 1
		} else if c&0xC0 != 0x80 { // not a UTF-8 continuation byte
			col++
		}
	}
	return line, col
}
