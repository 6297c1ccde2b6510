package calendar

import (
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
)

func TestDefault2026(t *testing.T) {
	c := Default()
	n, warnings := c.Workdays(date.MustParse("2026-01-01"), date.MustParse("2026-12-31"))
	if n != 248 || len(warnings) != 0 {
		t.Errorf("2026 working days = %d, warnings %q; want 248 (calibration.md), none", n, warnings)
	}
}

func TestAddWorkdays(t *testing.T) {
	c := Default()
	for _, tt := range []struct {
		name      string
		start     string
		n         int
		want      string
		warnCount int
	}{
		// 09-30 (1), 10-01..07 off, 10-08 (2), 10-09 (3), 10-10 Saturday worked (4), 10-12 (5).
		{"national day with the 10-10 Saturday worked", "2026-09-30", 5, "2026-10-12", 0},
		{"starting inside the holiday", "2026-10-03", 3, "2026-10-10", 0},
		{"the 09-20 Sunday worked", "2026-09-19", 1, "2026-09-20", 0},
		{"plain week", "2026-06-01", 5, "2026-06-05", 0},
		{"over the dragon boat festival", "2026-06-17", 5, "2026-06-24", 0},
		{"spring festival and the 02-28 Saturday", "2026-02-13", 3, "2026-02-24", 0},
		{"labour day and 05-09", "2026-04-30", 2, "2026-05-06", 0},
		{"one day on a working day is itself", "2026-06-02", 1, "2026-06-02", 0},
		{"one day on a holiday is the next working day", "2026-10-01", 1, "2026-10-08", 0},
		// 2027 has no notice: weekdays minus statutory days, with a warning.
		{"2027 national day falls back", "2027-09-30", 5, "2027-10-07", 1},
		{"2027 mid-autumn (09-15) is statutory", "2027-09-14", 2, "2027-09-16", 1},
		{"2027 spring festival eve (02-05) to third day (02-08)", "2027-02-04", 2, "2027-02-09", 1},
		{"year end crossing into 2027 warns once", "2026-12-30", 5, "2027-01-06", 1},
		{"2031 without lunar dates still warns", "2031-05-01", 1, "2031-05-05", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, warnings := c.AddWorkdays(date.MustParse(tt.start), tt.n)
			if got.String() != tt.want || len(warnings) != tt.warnCount {
				t.Errorf("AddWorkdays(%s, %d) = %s with %d warnings %q; want %s with %d", tt.start, tt.n, got, len(warnings), warnings, tt.want, tt.warnCount)
			}
			for _, w := range warnings {
				if !strings.Contains(w, "no official holiday notice") {
					t.Errorf("warning %q does not say the notice is missing", w)
				}
			}
		})
	}
}

func TestWithAndEncode(t *testing.T) {
	c := Default()
	y := Year{Year: 2027, Notice: "test notice",
		Holidays: []Holiday{{Name: "国庆节", From: date.MustParse("2027-10-01"), To: date.MustParse("2027-10-07")}},
		Workdays: []date.Date{date.MustParse("2027-10-09")}}
	years, err := ParseYears("encoded", y.Encode())
	if err != nil || len(years) != 1 || years[0].Year != 2027 || len(years[0].Holidays) != 1 || years[0].Workdays[0] != y.Workdays[0] {
		t.Fatalf("ParseYears(Encode()) = %+v, %v", years, err)
	}
	c2, err := c.With(years[0])
	if err != nil {
		t.Fatal(err)
	}
	got, warnings := c2.AddWorkdays(date.MustParse("2027-09-30"), 3)
	if got.String() != "2027-10-09" || len(warnings) != 0 {
		t.Errorf("with a 2027 notice: %s %q, want 2027-10-09 and no warning", got, warnings)
	}
	if got, _ := c.AddWorkdays(date.MustParse("2027-09-30"), 3); got.String() != "2027-10-05" {
		t.Errorf("With changed the original calendar: %s", got)
	}
}

func TestValidate(t *testing.T) {
	d := date.MustParse
	for _, tt := range []struct {
		name string
		y    Year
		want string
	}{
		{"weekday listed as workday", Year{Year: 2026, Workdays: []date.Date{d("2026-10-09")}}, "workdays[0] 2026-10-09: a Friday"},
		{"workday on a holiday", Year{Year: 2026, Holidays: []Holiday{{"x", d("2026-10-03"), d("2026-10-04")}}, Workdays: []date.Date{d("2026-10-04")}}, "also a day off"},
		{"reversed", Year{Year: 2026, Holidays: []Holiday{{"x", d("2026-10-04"), d("2026-10-03")}}}, `holidays[0] "x": ends`},
		{"overlap", Year{Year: 2026, Holidays: []Holiday{{"a", d("2026-10-01"), d("2026-10-04")}, {"b", d("2026-10-04"), d("2026-10-05")}}}, `holidays[1] "b": 2026-10-04 is also in "a"`},
		{"other year", Year{Year: 2026, Holidays: []Holiday{{"a", d("2027-10-01"), d("2027-10-04")}}}, "outside the year"},
	} {
		err := tt.y.Validate()
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Validate() = %v, want an error containing %q", tt.name, err, tt.want)
		}
	}
	if _, err := Parse("bad.yaml", []byte("years:\n  2026:\n    workdays: [2026-13-01]\n")); err == nil || !strings.Contains(err.Error(), "bad.yaml: year 2026: workdays[0]") {
		t.Errorf("Parse of a bad date: %v", err)
	}
}
