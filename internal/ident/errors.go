package ident

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/newcitizens/rooted/internal/date"
)

// ErrInvalid is wrapped by every parse failure (an *IDError or a
// *USCCError); the message says why.
var ErrInvalid = errors.New("invalid")

// Check names one check of ParseID or ParseUSCC, so a caller can say in its
// own words which one a number failed without reading the error's text.
type Check int

// The checks, in the order ParseID and ParseUSCC make them.
const (
	// CheckLength: the trimmed text is not 18 characters long (Len says how
	// many it has).
	CheckLength Check = iota + 1
	// CheckASCII: 18 characters, but not all ASCII (full-width digits or
	// letters from a Chinese input method).
	CheckASCII
	// CheckDigit: ID character Pos (1–17) is not a digit.
	CheckDigit
	// CheckLast: the ID's last character is neither a digit nor X.
	CheckLast
	// CheckProvince: the ID's first two digits (Province) are no province.
	CheckProvince
	// CheckBirth: the ID's digits 7–14 (BirthText) are not a real date.
	CheckBirth
	// CheckBirthEarly: the ID's birth date is before 1900.
	CheckBirthEarly
	// CheckBirthFuture: the ID's birth date is after the day it was checked on.
	CheckBirthFuture
	// CheckCharset: credit code character Pos (Char) is outside the GB 32100
	// set (digits and upper-case letters but I, O, Z, S, V).
	CheckCharset
	// CheckRegion: credit code characters 3–8 are not all digits.
	CheckRegion
	// CheckSum: the check character is Got where the others call for Want.
	CheckSum
)

// IDError is the error ParseID returns: which check the number failed and
// with what. It wraps ErrInvalid. The fields a check does not use are zero.
type IDError struct {
	// Check is the first check failed, the one Error names.
	Check Check
	// Failed lists every check failed, Check first. A number of the right
	// shape (18 ASCII characters, 17 digits and a digit or X) is put
	// through all of province, birth date and check character, so a caller
	// that ranks them otherwise can pick its own first.
	Failed []Check
	// Len is the number of characters of the trimmed text (CheckLength,
	// CheckASCII).
	Len int
	// Numeric reports, with CheckLength, that the text reads as a number in
	// a spreadsheet's notation (5.20102198503033E+17): a cell stored as a
	// number, whose last digits are lost.
	Numeric bool
	// Pos is the 1-based position of the character at fault (CheckDigit).
	Pos int
	// Region is digits 1–6 and Province digits 1–2, as written.
	Region, Province string
	// BirthText is digits 7–14 as written; Birth is the date they make when
	// they make one (CheckBirthEarly, CheckBirthFuture).
	BirthText string
	Birth     date.Date
	// Got and Want are the check character found (upper-cased) and the one
	// the first 17 digits call for (CheckSum).
	Got, Want byte
}

// Fails reports whether the number failed check c.
func (e *IDError) Fails(c Check) bool {
	for _, f := range e.Failed {
		if f == c {
			return true
		}
	}
	return false
}

// Error says what is wrong in a short English sentence that never repeats
// the whole number.
func (e *IDError) Error() string {
	var msg string
	switch e.Check {
	case CheckLength:
		msg = fmt.Sprintf("ID number has %d characters, want 18", e.Len)
	case CheckASCII:
		// Full-width digits (１２３) from a Chinese input method are 18
		// characters but not 18 bytes; "has 18 characters, want 18" would
		// baffle whoever fixes the spreadsheet.
		msg = "ID number contains a non-ASCII character (a full-width digit?)"
	case CheckDigit:
		msg = fmt.Sprintf("ID number character %d is not a digit", e.Pos)
	case CheckLast:
		msg = "ID number check character must be a digit or X"
	case CheckProvince:
		msg = fmt.Sprintf("ID number region %s: %s is not a province code", e.Region, e.Province)
	case CheckBirth:
		msg = fmt.Sprintf("ID number birth date %s is not a real date", e.BirthText)
	case CheckBirthEarly:
		msg = fmt.Sprintf("ID number birth date %s is before %d", e.Birth, minBirthYear)
	case CheckBirthFuture:
		msg = fmt.Sprintf("ID number birth date %s is in the future", e.Birth)
	case CheckSum:
		msg = fmt.Sprintf("ID number check character is %c, want %c", e.Got, e.Want)
	default:
		msg = "ID number is not valid"
	}
	return msg + ": " + ErrInvalid.Error()
}

// Unwrap returns ErrInvalid.
func (e *IDError) Unwrap() error { return ErrInvalid }

// USCCError is the error ParseUSCC returns: which check the code failed and
// with what. It wraps ErrInvalid. The fields a check does not use are zero.
type USCCError struct {
	// Check is the check failed: CheckLength, CheckASCII, CheckCharset,
	// CheckRegion or CheckSum.
	Check Check
	// Len is the number of characters of the trimmed text (CheckLength,
	// CheckASCII).
	Len int
	// Pos is the 1-based position of the refused character Char
	// (CheckCharset).
	Pos  int
	Char byte
	// Got and Want are the check character found and the one the first 17
	// characters call for (CheckSum).
	Got, Want byte
}

// Error says what is wrong in a short English sentence.
func (e *USCCError) Error() string {
	var msg string
	switch e.Check {
	case CheckLength:
		msg = fmt.Sprintf("credit code has %d characters, want 18", e.Len)
	case CheckASCII:
		msg = "credit code contains a non-ASCII character (a full-width letter or digit?)"
	case CheckCharset:
		msg = fmt.Sprintf("credit code character %d (%q) is not allowed (I, O, Z, S, V never appear)", e.Pos, e.Char)
	case CheckRegion:
		msg = "credit code region (characters 3–8) must be digits"
	case CheckSum:
		msg = fmt.Sprintf("credit code check character is %c, want %c", e.Got, e.Want)
	default:
		msg = "credit code is not valid"
	}
	return msg + ": " + ErrInvalid.Error()
}

// Unwrap returns ErrInvalid.
func (e *USCCError) Unwrap() error { return ErrInvalid }

// spreadsheetNumber reports whether s reads as a number a spreadsheet wrote
// in place of a long code it stored as a number: a decimal point or an
// exponent (5.20102198503033E+17). Such a cell has lost its last digits.
func spreadsheetNumber(s string) bool {
	if !strings.ContainsAny(s, ".eE") {
		return false
	}
	_, err := strconv.ParseFloat(s, 64)
	return err == nil
}
