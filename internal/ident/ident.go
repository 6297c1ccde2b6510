package ident

import (
	"strings"
	"unicode/utf8"

	"github.com/newcitizens/rooted/internal/date"
)

// ID is a parsed resident identity number.
type ID struct {
	Number    string    // 18 characters, check character upper-case
	Region    string    // first 6 digits: the county of registration at issue
	BirthDate date.Date // digits 7–14
	Sequence  int       // digits 15–17; odd for men, even for women
}

// Male reports whether the sequence code is odd.
func (id ID) Male() bool { return id.Sequence%2 == 1 }

// Province returns the 2-digit province code.
func (id ID) Province() string { return id.Region[:2] }

// idWeights are the GB 11643 weights 2^(17-i) mod 11 for digits 1..17.
var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheck maps the weighted sum mod 11 to the check character (ISO 7064 MOD 11-2).
const idCheck = "10X98765432"

// IDCheckChar returns the check character ('0'–'9' or 'X') for the first 17
// digits of an ID number; characters after the 17th are ignored. body must
// start with 17 ASCII digits: it panics when body is shorter, and the result
// means nothing when one of them is not a digit.
func IDCheckChar(body string) byte {
	sum := 0
	for i := 0; i < 17; i++ {
		sum += int(body[i]-'0') * idWeights[i]
	}
	return idCheck[sum%11]
}

// minBirthYear is the earliest birth year ParseID accepts: 18-character
// numbers have been issued since 1999, so an earlier year in a live resident's
// number is a typing error.
const minBirthYear = 1900

// ParseID validates s as a resident ID number on the day today (birth dates
// after today are refused; today must be a real date) and returns its parts.
// s is trimmed of white space (full-width spaces included) and a lower-case x
// is accepted and upper-cased in ID.Number. It checks, in this order: 18
// ASCII characters, 17 digits, a digit or X last, a known province code
// (ProvinceName), a real birth date not before 1900 and not after today, and
// the check character. Its error is an *IDError (wrapping ErrInvalid) that
// names the first check failed and lists the others; its message is a short
// English sentence that never repeats the whole number.
func ParseID(s string, today date.Date) (ID, error) {
	s = strings.TrimSpace(s)
	if len(s) != 18 {
		n := utf8.RuneCountInString(s)
		if n == 18 {
			return ID{}, &IDError{Check: CheckASCII, Failed: []Check{CheckASCII}, Len: n}
		}
		return ID{}, &IDError{Check: CheckLength, Failed: []Check{CheckLength}, Len: n, Numeric: spreadsheetNumber(s)}
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return ID{}, &IDError{Check: CheckDigit, Failed: []Check{CheckDigit}, Pos: i + 1}
		}
	}
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	if (last < '0' || last > '9') && last != 'X' {
		return ID{}, &IDError{Check: CheckLast, Failed: []Check{CheckLast}}
	}
	// From here on every check is made, so that the error can list them
	// all; the error is built only when one fails (a valid number, the
	// common case, allocates nothing but its ID).
	var (
		failed    []Check
		failBirth date.Date
	)
	if _, ok := provinces[s[:2]]; !ok {
		failed = append(failed, CheckProvince)
	}
	y := atoi(s[6:10])
	birth, err := date.Valid(y, atoi(s[10:12]), atoi(s[12:14]), s[6:14])
	switch {
	case err != nil:
		failed = append(failed, CheckBirth)
	case y < minBirthYear:
		failBirth = birth
		failed = append(failed, CheckBirthEarly)
	case birth > today:
		failBirth = birth
		failed = append(failed, CheckBirthFuture)
	}
	want := IDCheckChar(s)
	if want != last {
		failed = append(failed, CheckSum)
	}
	if len(failed) > 0 {
		return ID{}, &IDError{Check: failed[0], Failed: failed, Region: s[:6], Province: s[:2], BirthText: s[6:14],
			Birth: failBirth, Got: last, Want: want}
	}
	number := s[:17] + string(last)
	return ID{Number: number, Region: s[:6], BirthDate: birth, Sequence: atoi(s[14:17])}, nil
}

func atoi(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// MaskID keeps the first 6 and last 4 characters of an ID number and masks
// the 8 between (the birth date): 520102********123X. s is trimmed of white
// space first, as ParseID does. Anything that is then not 18 characters is
// masked whole but for its last 2, so a malformed number never leaks either.
// The result has as many characters as the trimmed s.
func MaskID(s string) string {
	r := []rune(strings.TrimSpace(s))
	if len(r) == 18 {
		return string(r[:6]) + "********" + string(r[14:])
	}
	if len(r) <= 2 {
		return strings.Repeat("*", len(r))
	}
	return strings.Repeat("*", len(r)-2) + string(r[len(r)-2:])
}

// MaskName keeps the first and last characters of a name and masks the
// middle (张三明 → 张*明); a two-character name keeps its first (李强 → 李*)
// and a one-character name is masked whole (王 → *). s is trimmed of white
// space first; characters are runes, so the mask has one * per hidden
// character.
func MaskName(s string) string {
	r := []rune(strings.TrimSpace(s))
	switch len(r) {
	case 0:
		return ""
	case 1:
		return "*"
	case 2:
		return string(r[0]) + "*"
	}
	return string(r[0]) + strings.Repeat("*", len(r)-2) + string(r[len(r)-1])
}
