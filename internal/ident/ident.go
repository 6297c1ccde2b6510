package ident

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/newcitizens/rooted/internal/date"
)

// ErrInvalid is wrapped by every parse failure; the message says why.
var ErrInvalid = errors.New("invalid")

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
// the check character. Errors wrap ErrInvalid and say what is wrong in a
// short English sentence that never repeats the whole number.
func ParseID(s string, today date.Date) (ID, error) {
	s = strings.TrimSpace(s)
	if len(s) != 18 {
		n := utf8.RuneCountInString(s)
		if n == 18 {
			// Full-width digits (１２３) from a Chinese input method are 18
			// characters but not 18 bytes; "has 18 characters, want 18" would
			// baffle whoever fixes the spreadsheet.
			return ID{}, fmt.Errorf("ID number contains a non-ASCII character (a full-width digit?): %w", ErrInvalid)
		}
		return ID{}, fmt.Errorf("ID number has %d characters, want 18: %w", n, ErrInvalid)
	}
	for i := 0; i < 17; i++ {
		if s[i] < '0' || s[i] > '9' {
			return ID{}, fmt.Errorf("ID number character %d is not a digit: %w", i+1, ErrInvalid)
		}
	}
	last := s[17]
	if last == 'x' {
		last = 'X'
	}
	if (last < '0' || last > '9') && last != 'X' {
		return ID{}, fmt.Errorf("ID number check character must be a digit or X: %w", ErrInvalid)
	}
	if _, ok := provinces[s[:2]]; !ok {
		return ID{}, fmt.Errorf("ID number region %s: %s is not a province code: %w", s[:6], s[:2], ErrInvalid)
	}
	y := atoi(s[6:10])
	m := atoi(s[10:12])
	d := atoi(s[12:14])
	birth, err := date.Valid(y, m, d, s[6:14])
	if err != nil {
		return ID{}, fmt.Errorf("ID number birth date %s is not a real date: %w", s[6:14], ErrInvalid)
	}
	if y < minBirthYear {
		return ID{}, fmt.Errorf("ID number birth date %s is before %d: %w", birth, minBirthYear, ErrInvalid)
	}
	if birth > today {
		return ID{}, fmt.Errorf("ID number birth date %s is in the future: %w", birth, ErrInvalid)
	}
	if want := IDCheckChar(s); want != last {
		return ID{}, fmt.Errorf("ID number check character is %c, want %c: %w", last, want, ErrInvalid)
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
