package ident

import (
	"fmt"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
)

func TestGenerateIDRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		region string
		birth  string
		seq    int
	}{
		{"331081", "1990-01-01", 1},
		{"331082", "1978-12-24", 444},
		{"520524", "2026-06-15", 123}, // born on testToday
		{"411525", "1900-01-01", 0},
		{"341221", "2000-02-29", 999},
		{"522121", "1985-07-31", 57}, // abolished code, real province
		{"110105", "1949-12-31", 2},  // must give the published 11010519491231002X
	} {
		t.Run(fmt.Sprintf("%s-%s-%03d", tt.region, tt.birth, tt.seq), func(t *testing.T) {
			birth := date.MustParse(tt.birth)
			number := GenerateID(tt.region, birth, tt.seq)
			if len(number) != 18 {
				t.Fatalf("GenerateID(%q, %s, %d) = %q, want 18 characters", tt.region, birth, tt.seq, number)
			}
			got, err := ParseID(number, testToday)
			if err != nil {
				t.Fatalf("ParseID(GenerateID(%q, %s, %d) = %q) error: %v", tt.region, birth, tt.seq, number, err)
			}
			want := ID{Number: number, Region: tt.region, BirthDate: birth, Sequence: tt.seq}
			if got != want {
				t.Errorf("ParseID(GenerateID(…)) = %+v, want %+v", got, want)
			}
		})
	}
	if got, want := GenerateID("110105", date.MustParse("1949-12-31"), 2), "11010519491231002X"; got != want {
		t.Errorf("GenerateID(110105, 1949-12-31, 2) = %q, want %q", got, want)
	}
}

func TestGenerateIDEveryCounty(t *testing.T) {
	birth := date.MustParse("1988-08-08")
	for seq, code := range sortedCountyCodes() {
		number := GenerateID(code, birth, seq%1000)
		if _, err := ParseID(number, testToday); err != nil {
			t.Errorf("ParseID(GenerateID(%q, %s, %d) = %q) error: %v", code, birth, seq%1000, number, err)
		}
	}
}

func sortedCountyCodes() []string {
	var codes []string
	for _, p := range Provinces() {
		for _, c := range Counties(p.Code) {
			codes = append(codes, c.Code)
		}
	}
	return codes
}

func TestGenerateIDPanics(t *testing.T) {
	ok := date.MustParse("1990-01-01")
	for _, tt := range []struct {
		name   string
		region string
		birth  date.Date
		seq    int
	}{
		{"short region", "33108", ok, 1},
		{"letter in region", "33108a", ok, 1},
		{"unknown province", "990101", ok, 1},
		{"no birth date", "331081", 0, 1},
		{"born 1899", "331081", date.MustParse("1899-12-31"), 1},
		{"sequence 1000", "331081", ok, 1000},
		{"negative sequence", "331081", ok, -1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("GenerateID(%q, %s, %d) did not panic", tt.region, tt.birth, tt.seq)
				}
			}()
			GenerateID(tt.region, tt.birth, tt.seq)
		})
	}
}

func TestGenerateUSCCRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		region, org string
	}{
		{"350100", "M000100Y4"}, // must give the published 91350100M000100Y43
		{"331081", "MA2AN1234"},
		{"331082", "000000000"},
		{"330000", "YYYYYYYYY"},
		{"520102", "0123456789"[:9]},
		{"331002", "ABCDEFGHJ"},
		{"331002", "KLMNPQRTU"},
		{"331002", "WXY123456"},
	} {
		code := GenerateUSCC(tt.region, tt.org)
		got, err := ParseUSCC(code)
		if err != nil {
			t.Errorf("ParseUSCC(GenerateUSCC(%q, %q) = %q) error: %v", tt.region, tt.org, code, err)
			continue
		}
		want := USCC{Code: code, Department: "9", Type: "1", Region: tt.region, OrgCode: tt.org}
		if got != want {
			t.Errorf("ParseUSCC(GenerateUSCC(%q, %q)) = %+v, want %+v", tt.region, tt.org, got, want)
		}
	}
	if got, want := GenerateUSCC("350100", "M000100Y4"), "91350100M000100Y43"; got != want {
		t.Errorf("GenerateUSCC(350100, M000100Y4) = %q, want %q", got, want)
	}
}

func TestGenerateUSCCPanics(t *testing.T) {
	for _, tt := range []struct {
		name, region, org string
	}{
		{"short region", "33108", "MA2AN1234"},
		{"letter in region", "3310A1", "MA2AN1234"},
		{"short org", "331081", "MA2AN123"},
		{"long org", "331081", "MA2AN12345"},
		{"I in org", "331081", "MA2AI1234"},
		{"O in org", "331081", "MA2AO1234"},
		{"Z in org", "331081", "MA2AZ1234"},
		{"S in org", "331081", "MA2AS1234"},
		{"V in org", "331081", "MA2AV1234"},
		{"lower case in org", "331081", "ma2an1234"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("GenerateUSCC(%q, %q) did not panic", tt.region, tt.org)
				}
			}()
			GenerateUSCC(tt.region, tt.org)
		})
	}
}
