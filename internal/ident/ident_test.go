package ident

import (
	"errors"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
)

// testToday is the fixed "today" the ID tests are reckoned on.
var testToday = date.MustParse("2026-06-15")

// withCheck appends the check character to a 17-digit body.
func withCheck(body string) string {
	return body + string(IDCheckChar(body))
}

func TestIDCheckChar(t *testing.T) {
	for _, tt := range []struct {
		body string
		want byte
	}{
		// Published examples: the GB 11643 sample and two widely circulated numbers.
		{"11010519491231002", 'X'},
		{"44052418800101001", '4'},
		{"11010119900307803", 'X'},
		{"52010219850303331", '1'},
		{"00000000000000000", '1'}, // weighted sum 0
	} {
		if got := IDCheckChar(tt.body); got != tt.want {
			t.Errorf("IDCheckChar(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestParseIDValid(t *testing.T) {
	for _, tt := range []struct {
		name       string
		in         string
		wantNumber string
		wantRegion string
		wantBirth  string
		wantSeq    int
		wantMale   bool
	}{
		{"published example", "11010519491231002X", "11010519491231002X", "110105", "1949-12-31", 2, false},
		{"lower-case x normalised", "11010519491231002x", "11010519491231002X", "110105", "1949-12-31", 2, false},
		{"spaces and full-width space trimmed", " \t11010519491231002X\u3000", "11010519491231002X", "110105", "1949-12-31", 2, false},
		{"second published example", "11010119900307803X", "11010119900307803X", "110101", "1990-03-07", 803, true},
		{"masking example, a man", "520102198503033311", "520102198503033311", "520102", "1985-03-03", 331, true},
		{"Wenling man", withCheck("33108119900101001"), withCheck("33108119900101001"), "331081", "1990-01-01", 1, true},
		{"Linhai woman", withCheck("33108219781224444"), withCheck("33108219781224444"), "331082", "1978-12-24", 444, false},
		{"born today", withCheck("52052420260615123"), withCheck("52052420260615123"), "520524", "2026-06-15", 123, true},
		{"born 1900-01-01", withCheck("41152519000101998"), withCheck("41152519000101998"), "411525", "1900-01-01", 998, false},
		{"leap day", withCheck("34122120000229000"), withCheck("34122120000229000"), "341221", "2000-02-29", 0, false},
		{"abolished region code still valid", withCheck("52212119800101999"), withCheck("52212119800101999"), "522121", "1980-01-01", 999, true},
		{"Taiwan", withCheck("71000019700101011"), withCheck("71000019700101011"), "710000", "1970-01-01", 11, true},
		{"Hong Kong", withCheck("81000019700101011"), withCheck("81000019700101011"), "810000", "1970-01-01", 11, true},
		{"Macau", withCheck("82000019700101011"), withCheck("82000019700101011"), "820000", "1970-01-01", 11, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseID(tt.in, testToday)
			if err != nil {
				t.Fatalf("ParseID(%q) error: %v", tt.in, err)
			}
			want := ID{Number: tt.wantNumber, Region: tt.wantRegion, BirthDate: date.MustParse(tt.wantBirth), Sequence: tt.wantSeq}
			if got != want {
				t.Errorf("ParseID(%q) = %+v, want %+v", tt.in, got, want)
			}
			if got.Male() != tt.wantMale {
				t.Errorf("ParseID(%q).Male() = %v, want %v", tt.in, got.Male(), tt.wantMale)
			}
			if p := got.Province(); p != tt.wantRegion[:2] {
				t.Errorf("ParseID(%q).Province() = %q, want %q", tt.in, p, tt.wantRegion[:2])
			}
		})
	}
}

func TestParseIDInvalid(t *testing.T) {
	for _, tt := range []struct {
		name    string
		in      string
		wantMsg string // a fragment of the error message naming the reason
	}{
		{"empty", "", "has 0 characters"},
		{"only spaces", "   ", "has 0 characters"},
		{"17 characters", "11010519491231002", "has 17 characters"},
		{"19 characters", "11010519491231002X1", "has 19 characters"},
		{"15-digit old number", "110105491231002", "has 15 characters"},
		{"full-width digits", "１１０１０５１９４９１２３１００２Ｘ", "non-ASCII"},
		{"letter in body", "1101A519491231002X", "character 5 is not a digit"},
		{"X in body", "X1010519491231002X", "character 1 is not a digit"},
		{"space inside", "110105 9491231002X", "character 7 is not a digit"},
		{"bad last character", "11010519491231002Y", "must be a digit or X"},
		{"province 00", withCheck("00010519491231002"), "00 is not a province code"},
		{"province 99", withCheck("99010519491231002"), "99 is not a province code"},
		{"province 10", withCheck("10010519491231002"), "10 is not a province code"},
		{"30 February", withCheck("33108120250230001"), "20250230 is not a real date"},
		{"29 February in a common year", withCheck("33108120230229001"), "not a real date"},
		{"month 13", withCheck("33108119901301001"), "not a real date"},
		{"month 00", withCheck("33108119900001001"), "not a real date"},
		{"day 00", withCheck("33108119900100001"), "not a real date"},
		{"day 32", withCheck("33108119900132001"), "not a real date"},
		{"year 0000", withCheck("33108100000101001"), "not a real date"},
		{"born tomorrow", withCheck("33108120260616001"), "in the future"},
		{"born next century", withCheck("33108121260101001"), "in the future"},
		{"born 1899", withCheck("33108118991231001"), "before 1900"},
		{"GB 11643 sample born 1880", "440524188001010014", "before 1900"},
		{"wrong check character", "11010519491231002Y"[:17] + "1", "check character is 1, want X"},
		{"check digit off by one", "520102198503033312", "check character is 2, want 1"},
		{"X where a digit is due", "52010219850303331X", "check character is X, want 1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseID(tt.in, testToday)
			if err == nil {
				t.Fatalf("ParseID(%q) = %+v, want an error containing %q", tt.in, got, tt.wantMsg)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseID(%q) error %v does not wrap ErrInvalid", tt.in, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ParseID(%q) error = %q, want it to contain %q", tt.in, err, tt.wantMsg)
			}
			if got != (ID{}) {
				t.Errorf("ParseID(%q) returned %+v with its error, want the zero ID", tt.in, got)
			}
		})
	}
}

func TestMaskID(t *testing.T) {
	for _, tt := range []struct {
		in, want string
	}{
		{"520102198503033311", "520102********3311"},
		{"11010519491231002x", "110105********002x"},
		{" 520102198503033311\u3000", "520102********3311"},
		{"", ""},
		{"1", "*"},
		{"12", "**"},
		{"12345", "***45"},
		{"52010219850303331", "***************31"},     // 17: not an ID, masked but the last 2
		{"5201021985030333111", "*****************11"}, // 19
		{"一二三四五六七八九十一二三四五六七八", "一二三四五六********五六七八"},
	} {
		if got := MaskID(tt.in); got != tt.want {
			t.Errorf("MaskID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMaskName(t *testing.T) {
	for _, tt := range []struct {
		in, want string
	}{
		{"张三明", "张*明"},
		{"李强", "李*"},
		{"王", "*"},
		{"", ""},
		{"  ", ""},
		{" 李强 ", "李*"},
		{"欧阳娜娜", "欧**娜"},
		{"买买提·艾力", "买****力"},
		{"Li", "L*"},
	} {
		if got := MaskName(tt.in); got != tt.want {
			t.Errorf("MaskName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
