package ident

import (
	"errors"
	"strings"
	"testing"
)

func TestUSCCCheckChar(t *testing.T) {
	for _, tt := range []struct {
		body string
		want byte
	}{
		{"91350100M000100Y4", '3'}, // widely published example
		{"00000000000000000", '0'}, // sum 0 → 31 mod 31 → '0'
		{"91350100I000100Y4", 0},   // I is outside the set
		{"91350100m000100Y4", 0},   // lower case is the caller's to fold
	} {
		if got := USCCCheckChar(tt.body); got != tt.want {
			t.Errorf("USCCCheckChar(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}

func TestParseUSCCValid(t *testing.T) {
	for _, tt := range []struct {
		name string
		in   string
		want USCC
	}{
		{"published example", "91350100M000100Y43",
			USCC{Code: "91350100M000100Y43", Department: "9", Type: "1", Region: "350100", OrgCode: "M000100Y4"}},
		{"lower case and spaces", " 91350100m000100y43\u3000",
			USCC{Code: "91350100M000100Y43", Department: "9", Type: "1", Region: "350100", OrgCode: "M000100Y4"}},
		{"Wenling company", usccWithCheck("91331081MA2AN1234"),
			USCC{Code: usccWithCheck("91331081MA2AN1234"), Department: "9", Type: "1", Region: "331081", OrgCode: "MA2AN1234"}},
		{"social organisation", usccWithCheck("51331082MJ9000001"),
			USCC{Code: usccWithCheck("51331082MJ9000001"), Department: "5", Type: "1", Region: "331082", OrgCode: "MJ9000001"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseUSCC(tt.in)
			if err != nil {
				t.Fatalf("ParseUSCC(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("ParseUSCC(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

func usccWithCheck(body string) string { return body + string(USCCCheckChar(body)) }

func TestParseUSCCInvalid(t *testing.T) {
	for _, tt := range []struct {
		name    string
		in      string
		wantMsg string
	}{
		{"empty", "", "has 0 characters"},
		{"17 characters", "91350100M000100Y4", "has 17 characters"},
		{"19 characters", "91350100M000100Y430", "has 19 characters"},
		{"old 9-character organisation code", "M000100Y4", "has 9 characters"},
		{"full-width", "９１３５０１００Ｍ０００１００Ｙ４３", "non-ASCII"},
		{"letter I", "91350100I000100Y43", "character 9 ('I') is not allowed"},
		{"letter O", "91350100O000100Y43", "('O') is not allowed"},
		{"letter Z", "91350100Z000100Y43", "('Z') is not allowed"},
		{"letter S", "91350100S000100Y43", "('S') is not allowed"},
		{"letter V", "91350100V000100Y43", "('V') is not allowed"},
		{"lower-case forbidden letter", "91350100o000100Y43", "('O') is not allowed"},
		{"punctuation", "91350100-000100Y43", "character 9 ('-') is not allowed"},
		{"forbidden check character", "91350100M000100Y4I", "character 18 ('I') is not allowed"},
		{"letter in region", usccWithCheck("913A0100M000100Y4"), "region (characters 3–8) must be digits"},
		{"letter at end of region", usccWithCheck("9135010AM000100Y4"), "region"},
		{"wrong check character", "91350100M000100Y44", "check character is 4, want 3"},
		{"transposed characters", "91350100M000010Y43", "check character"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseUSCC(tt.in)
			if err == nil {
				t.Fatalf("ParseUSCC(%q) = %+v, want an error containing %q", tt.in, got, tt.wantMsg)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("ParseUSCC(%q) error %v does not wrap ErrInvalid", tt.in, err)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("ParseUSCC(%q) error = %q, want it to contain %q", tt.in, err, tt.wantMsg)
			}
		})
	}
}
