package ident

import (
	"strings"
	"unicode/utf8"
)

// usccChars is the GB 32100 character set: digits and upper-case letters
// without I, O, Z, S, V. A character's value is its index.
const usccChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// USCC is a parsed unified social credit code.
type USCC struct {
	Code       string // 18 characters, upper-case
	Department string // character 1: registering authority (9 = market regulation)
	Type       string // character 2: kind of organisation
	Region     string // characters 3–8: administrative region
	OrgCode    string // characters 9–17: organisation code
}

// USCCCheckChar returns the check character for the first 17 characters of
// a code (GB 32100: weights 3^i mod 31, check value 31 − sum mod 31), or 0
// when one of them is outside the upper-case character set. Characters after
// the 17th are ignored; it panics when body is shorter than 17 bytes.
func USCCCheckChar(body string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		v := strings.IndexByte(usccChars, body[i])
		if v < 0 {
			return 0
		}
		sum += v * usccWeights[i]
	}
	return usccChars[(31-sum%31)%31]
}

// ParseUSCC validates s as a unified social credit code and returns its
// parts. s is trimmed of white space and lower-case letters are accepted and
// upper-cased in USCC.Code. It checks 18 characters, all from the GB 32100
// set (digits and upper-case letters but I, O, Z, S, V), a 6-digit region
// (characters 3–8) and the check character. The department and type
// characters and the organisation code's own GB 11714 check are not
// verified. Its error is a *USCCError (wrapping ErrInvalid) that names the
// check failed; its message is a short English sentence.
func ParseUSCC(s string) (USCC, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 18 {
		n := utf8.RuneCountInString(s)
		if n == 18 {
			return USCC{}, &USCCError{Check: CheckASCII, Len: n}
		}
		return USCC{}, &USCCError{Check: CheckLength, Len: n}
	}
	for i := 0; i < 18; i++ {
		if strings.IndexByte(usccChars, s[i]) < 0 {
			return USCC{}, &USCCError{Check: CheckCharset, Pos: i + 1, Char: s[i]}
		}
	}
	for i := 2; i < 8; i++ {
		if s[i] < '0' || s[i] > '9' {
			return USCC{}, &USCCError{Check: CheckRegion}
		}
	}
	if want := USCCCheckChar(s); want != s[17] {
		return USCC{}, &USCCError{Check: CheckSum, Got: s[17], Want: want}
	}
	return USCC{Code: s, Department: s[:1], Type: s[1:2], Region: s[2:8], OrgCode: s[8:17]}, nil
}
