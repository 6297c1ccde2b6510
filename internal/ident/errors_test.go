package ident

import (
	"errors"
	"reflect"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
)

// TestParseIDError checks that ParseID's error names the check failed with
// what a caller needs to say it in its own words, lists every check a
// number of the right shape fails, and keeps its English message whole.
func TestParseIDError(t *testing.T) {
	province99 := withCheck("99010219850303331")
	for _, tt := range []struct {
		name string
		in   string
		want IDError
		msg  string
	}{
		{"length", " 3601021987030315 ", IDError{Check: CheckLength, Failed: []Check{CheckLength}, Len: 16},
			"ID number has 16 characters, want 18: invalid"},
		{"spreadsheet number", "5.20102198503033E+17", IDError{Check: CheckLength, Failed: []Check{CheckLength}, Len: 20, Numeric: true},
			"ID number has 20 characters, want 18: invalid"},
		{"digits only is no spreadsheet number", "5201021985030333", IDError{Check: CheckLength, Failed: []Check{CheckLength}, Len: 16},
			"ID number has 16 characters, want 18: invalid"},
		{"full-width", "１１０１０５１９４９１２３１００２Ｘ", IDError{Check: CheckASCII, Failed: []Check{CheckASCII}, Len: 18},
			"ID number contains a non-ASCII character (a full-width digit?): invalid"},
		{"digit", "52010219850303A311", IDError{Check: CheckDigit, Failed: []Check{CheckDigit}, Pos: 15},
			"ID number character 15 is not a digit: invalid"},
		{"last", "52010219850303331Y", IDError{Check: CheckLast, Failed: []Check{CheckLast}},
			"ID number check character must be a digit or X: invalid"},
		{"province", province99,
			IDError{Check: CheckProvince, Failed: []Check{CheckProvince}, Region: "990102", Province: "99", BirthText: "19850303", Got: province99[17], Want: province99[17]},
			"ID number region 990102: 99 is not a province code: invalid"},
		{"province, date and check character", "990102202502301230",
			IDError{Check: CheckProvince, Failed: []Check{CheckProvince, CheckBirth, CheckSum}, Region: "990102", Province: "99", BirthText: "20250230", Got: '0', Want: IDCheckChar("990102202502301230")},
			"ID number region 990102: 99 is not a province code: invalid"},
		{"before 1900", withCheck("33108118991231001"),
			IDError{Check: CheckBirthEarly, Failed: []Check{CheckBirthEarly}, Region: "331081", Province: "33", BirthText: "18991231", Birth: date.MustParse("1899-12-31"), Got: IDCheckChar("33108118991231001"), Want: IDCheckChar("33108118991231001")},
			"ID number birth date 1899-12-31 is before 1900: invalid"},
		{"future, lower-case x wrong", "33108120260616001x",
			IDError{Check: CheckBirthFuture, Failed: []Check{CheckBirthFuture, CheckSum}, Region: "331081", Province: "33", BirthText: "20260616", Birth: date.MustParse("2026-06-16"), Got: 'X', Want: IDCheckChar("33108120260616001")},
			"ID number birth date 2026-06-16 is in the future: invalid"},
		{"check character", "520102198503033312",
			IDError{Check: CheckSum, Failed: []Check{CheckSum}, Region: "520102", Province: "52", BirthText: "19850303", Got: '2', Want: '1'},
			"ID number check character is 2, want 1: invalid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseID(tt.in, testToday)
			var e *IDError
			if !errors.As(err, &e) {
				t.Fatalf("ParseID(%q) error %v (%T), want an *IDError", tt.in, err, err)
			}
			if !reflect.DeepEqual(*e, tt.want) {
				t.Errorf("ParseID(%q) error = %+v, want %+v", tt.in, *e, tt.want)
			}
			if err.Error() != tt.msg {
				t.Errorf("ParseID(%q) error says %q, want %q", tt.in, err, tt.msg)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseID(%q) error does not wrap ErrInvalid", tt.in)
			}
			for _, c := range tt.want.Failed {
				if !e.Fails(c) {
					t.Errorf("ParseID(%q) error: Fails(%d) = false", tt.in, c)
				}
			}
			if e.Fails(CheckDigit) && tt.want.Check != CheckDigit {
				t.Errorf("ParseID(%q) error: Fails(CheckDigit) = true", tt.in)
			}
		})
	}
}

// TestParseUSCCError checks that ParseUSCC's error names the check failed
// and with what, and keeps its English message whole.
func TestParseUSCCError(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want USCCError
		msg  string
	}{
		{"length", "91331081MA2A", USCCError{Check: CheckLength, Len: 12}, "credit code has 12 characters, want 18: invalid"},
		{"full-width", "９１３５０１００Ｍ０００１００Ｙ４３", USCCError{Check: CheckASCII, Len: 18},
			"credit code contains a non-ASCII character (a full-width letter or digit?): invalid"},
		{"charset, lower case", "91350100o000100Y43", USCCError{Check: CheckCharset, Pos: 9, Char: 'O'},
			"credit code character 9 ('O') is not allowed (I, O, Z, S, V never appear): invalid"},
		{"region", usccWithCheck("913A0100M000100Y4"), USCCError{Check: CheckRegion}, "credit code region (characters 3–8) must be digits: invalid"},
		{"check character", "91350100M000100Y44", USCCError{Check: CheckSum, Got: '4', Want: '3'}, "credit code check character is 4, want 3: invalid"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseUSCC(tt.in)
			var e *USCCError
			if !errors.As(err, &e) {
				t.Fatalf("ParseUSCC(%q) error %v (%T), want a *USCCError", tt.in, err, err)
			}
			if *e != tt.want {
				t.Errorf("ParseUSCC(%q) error = %+v, want %+v", tt.in, *e, tt.want)
			}
			if err.Error() != tt.msg {
				t.Errorf("ParseUSCC(%q) error says %q, want %q", tt.in, err, tt.msg)
			}
		})
	}
}
