package date

import (
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	for _, s := range []string{"0001-01-01", "1970-01-01", "2000-02-29", "2026-11-29", "9999-12-31"} {
		d, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q): %v", s, err)
		}
		if got := d.String(); got != s {
			t.Errorf("Parse(%q).String() = %q", s, got)
		}
		if d.IsZero() {
			t.Errorf("Parse(%q) is zero", s)
		}
	}
	if Of(1970, time.January, 1) != epochOffset {
		t.Errorf("epoch offset wrong: %d", Of(1970, 1, 1))
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{"", "2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "abcd-ef-gh", "2026-04-31"} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func TestYearsBetween(t *testing.T) {
	for _, tt := range []struct {
		birth, on string
		want      int
	}{
		{"1994-06-01", "2026-11-29", 32},
		{"2008-11-29", "2026-11-29", 18}, // birthday on the day
		{"2008-11-30", "2026-11-29", 17},
		{"2000-02-29", "2026-02-28", 25},
		{"2000-02-29", "2026-03-01", 26},
	} {
		if got := YearsBetween(MustParse(tt.birth), MustParse(tt.on)); got != tt.want {
			t.Errorf("YearsBetween(%s, %s) = %d, want %d", tt.birth, tt.on, got, tt.want)
		}
	}
}

func TestMonthsBetween(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{
		{"2026-01-15", "2026-02-14", 0},
		{"2026-01-15", "2026-02-15", 1},
		{"2026-01-31", "2026-02-28", 1}, // month end completes the month
		{"2020-03-01", "2026-11-29", 80},
	} {
		if got := MonthsBetween(MustParse(tt.a), MustParse(tt.b)); got != tt.want {
			t.Errorf("MonthsBetween(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestAddDateLeap(t *testing.T) {
	if got := MustParse("2024-02-29").AddDate(1, 0, 0).String(); got != "2025-03-01" {
		t.Errorf("2024-02-29 + 1y = %s", got)
	}
}

func TestCST(t *testing.T) {
	// 16:00 UTC on 31 December is already 1 January in China.
	instant := time.Date(2026, 12, 31, 16, 0, 0, 0, time.UTC)
	if got, want := FromTime(instant.In(CST)), MustParse("2027-01-01"); got != want {
		t.Errorf("FromTime(%v in CST) = %v, want %v", instant, got, want)
	}
	if _, off := instant.In(CST).Zone(); off != 8*3600 {
		t.Errorf("CST offset = %d s, want %d", off, 8*3600)
	}
}
