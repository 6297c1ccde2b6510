package forecast

import (
	"fmt"
	"math"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/registry"
)

var d = date.MustParse

func towns(codes ...string) []registry.Town {
	var ts []registry.Town
	for _, c := range codes {
		ts = append(ts, registry.Town{Code: c, Name: c + "镇"})
	}
	return ts
}

// seats gives every town 100 entry seats of every level.
func seats(codes ...string) []registry.School {
	var ss []registry.School
	for _, c := range codes {
		for _, lv := range Levels {
			ss = append(ss, registry.School{Code: c + "-" + lv.Code, Town: c, Level: lv.Code, EntrySeats: 100})
		}
	}
	return ss
}

// born returns a birth day in the school cohort c (school age 0 in school
// year c): 1 January of c.
func born(c int) date.Date { return date.Of(c, 1, 1) }

// noBand is a config without a band (no calibration, no resampling), for
// exact arithmetic.
func noBand(years, history int) Config {
	c := DefaultConfig()
	c.Years, c.HistoryYears, c.Resamples, c.CalibrationYears = years, history, 0, 0
	return c
}

// demand returns the projected demand of town, level and school year.
func demand(t *testing.T, f Forecast, town, level string, year int) Row {
	t.Helper()
	for _, r := range f.Rows {
		if r.Town == town && r.Level == level && r.Year == year {
			return r
		}
	}
	t.Fatalf("no row %s %s %d", town, level, year)
	return Row{}
}

func summary(t *testing.T, f Forecast, town string) TownSummary {
	t.Helper()
	for _, s := range f.Towns {
		if s.Town == town {
			return s
		}
	}
	t.Fatalf("no town %s", town)
	return TownSummary{}
}

func TestSchoolAge(t *testing.T) {
	for _, tt := range []struct {
		birth      string
		cohort     int
		day        string
		schoolYear int
	}{
		{"2020-08-31", 2020, "2026-08-31", 2025}, // 6 by 31 August 2026: grade 1 in 2026
		{"2020-09-01", 2021, "2026-09-01", 2026}, // one day late: grade 1 in 2027
		{"2014-01-01", 2014, "2026-11-29", 2026},
		{"2014-12-31", 2015, "2027-03-01", 2026},
	} {
		if got := cohortOf(d(tt.birth)); got != tt.cohort {
			t.Errorf("cohortOf(%s) = %d, want %d", tt.birth, got, tt.cohort)
		}
		if got := schoolYear(d(tt.day)); got != tt.schoolYear {
			t.Errorf("schoolYear(%s) = %d, want %d", tt.day, got, tt.schoolYear)
		}
	}
}

// TestCohortArithmetic projects hand-made histories whose answers can be
// worked out on paper.
func TestCohortArithmetic(t *testing.T) {
	asOf := d("2026-09-01") // school year 2026; census days 2024-09-01, 2025-09-01, 2026-09-01

	// A quiet town: ten children of each cohort 2014–2022, registered since
	// 2014 (or birth) and never leaving; nobody arrives, nobody is born
	// after 2022.
	var quiet []Child
	for c := 2014; c <= 2022; c++ {
		for i := range 10 {
			quiet = append(quiet, Child{ID: fmt.Sprintf("q%d-%d", c, i), Birth: born(c),
				Spells: []Spell{{Town: "quiet", Since: max(born(c), d("2014-01-01"))}}})
		}
	}

	// A town that doubles: every cohort of school age 0–12 has 4 children
	// at the 2024 census, 8 in 2025 and 16 in 2026; the newcomers arrive on
	// 1 June before each census and everyone stays.
	var boom []Child
	made := map[int]int{}
	for s := 2024; s <= 2026; s++ {
		target := 4 << (s - 2024)
		for c := s - maxAge; c <= s; c++ {
			for made[c] < target {
				boom = append(boom, Child{ID: fmt.Sprintf("b%d-%d", c, made[c]), Birth: born(c),
					Spells: []Spell{{Town: "boom", Since: date.Of(s, 6, 1)}}})
				made[c]++
			}
		}
	}

	for _, tt := range []struct {
		name     string
		children []Child
		town     string
		level    string
		year     int
		want     float64
	}{
		// Quiet: demand is today's younger children, a year older each year.
		{"quiet grade 1 next year: cohort 2021", quiet, "quiet", Primary, 2027, 10},
		{"quiet grade 1 in 2028: cohort 2022", quiet, "quiet", Primary, 2028, 10},
		{"quiet grade 1 in 2029: cohort 2023, never born", quiet, "quiet", Primary, 2029, 0},
		{"quiet grade 7 in 2027: cohort 2015", quiet, "quiet", Junior, 2027, 10},
		{"quiet grade 7 in 2032: cohort 2020", quiet, "quiet", Junior, 2032, 10},
		{"quiet kindergarten 2027: cohorts 2022–2024", quiet, "quiet", Kindergarten, 2027, 10},
		{"quiet kindergarten 2026+2: cohorts 2023–2025", quiet, "quiet", Kindergarten, 2028, 0},
		// Boom: retention 1 + inflow 1 doubles every cohort each year;
		// births double too.
		{"boom grade 1 next year: 16 × 2", boom, "boom", Primary, 2027, 32},
		{"boom grade 1 in 2029: 16 × 8", boom, "boom", Primary, 2029, 128},
		{"boom grade 7 in 2027: 16 × 2", boom, "boom", Junior, 2027, 32},
		{"boom kindergarten 2027: 3 cohorts × 32", boom, "boom", Kindergarten, 2027, 96},
		{"boom kindergarten 2032: unborn cohorts, births double", boom, "boom", Kindergarten, 2032, 3 * 16 * 64},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := NewInput(towns(tt.town), seats(tt.town), tt.children, nil)
			f, err := in.Project(asOf, noBand(6, 2))
			if err != nil {
				t.Fatal(err)
			}
			r := demand(t, f, tt.town, tt.level, tt.year)
			if r.Demand != tt.want {
				t.Errorf("demand = %g, want %g", r.Demand, tt.want)
			}
			if r.Low != r.Demand || r.High != r.Demand || f.Method.Band != BandNone {
				t.Errorf("band %g–%g (%s) without a band, want %g", r.Low, r.High, f.Method.Band, r.Demand)
			}
		})
	}
}

func TestPooledRates(t *testing.T) {
	asOf := d("2026-09-01")
	// Two towns with five children of cohort 2020 each who stay; a sixth
	// child of the cohort moves from a to b on 1 March 2025.
	var kids []Child
	for i := range 5 {
		kids = append(kids,
			Child{ID: fmt.Sprintf("a%d", i), Birth: born(2020), Spells: []Spell{{Town: "a", Since: d("2020-01-01")}}},
			Child{ID: fmt.Sprintf("b%d", i), Birth: born(2020), Spells: []Spell{{Town: "b", Since: d("2020-01-01")}}})
	}
	kids = append(kids, Child{ID: "mover", Birth: born(2020), Spells: []Spell{
		{Town: "b", Since: d("2025-03-01")}, // given out of order: NewInput sorts
		{Town: "a", Since: d("2020-01-01"), Until: d("2025-02-28")},
	}})
	in := NewInput(towns("a", "b"), seats("a", "b"), kids, nil)
	f, err := in.Project(asOf, noBand(1, 2))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		town              string
		retention, inflow float64
		grade1Now         int
	}{
		// a: 6 then 5 children; 10 of 11 retained over the two steps.
		{"a", round(10.0/11, 3), 0, 5},
		// b: 5 then 6; all retained, 1 arrival on 11 children at risk.
		{"b", 1, round(1.0/11, 3), 6},
	} {
		s := summary(t, f, tt.town)
		got := fmt.Sprintf("retention %g inflow %g grade-1 now %d", s.Retention, s.Inflow, s.Levels[1].Current)
		want := fmt.Sprintf("retention %g inflow %g grade-1 now %d", tt.retention, tt.inflow, tt.grade1Now)
		if got != want {
			t.Errorf("town %s: got %s, want %s", tt.town, got, want)
		}
	}
	// The mover is counted once on each census day.
	o := in.observe(censusDays(asOf, 2))
	for i, day := range o.days {
		total := 0.0
		for _, n := range o.stock[i] {
			total += n
		}
		if total != 11 {
			t.Errorf("%s: %g children counted, want 11", day, total)
		}
	}
}

func TestWarnings(t *testing.T) {
	cfg := DefaultConfig()
	for _, tt := range []struct {
		demand   float64
		capacity int
		want     string
		ratio    string
	}{
		{89.9, 100, Green, "0.899"},
		{90, 100, Yellow, "0.9"},
		{99.99, 100, Yellow, "1"}, // the ratio rounds, the warning does not
		{100, 100, Red, "1"},
		{0, 0, Green, "null"},
		{1, 0, Red, "null"},
	} {
		r, w := warn(tt.demand, tt.capacity, cfg)
		ratio := "null"
		if r != nil {
			ratio = fmt.Sprint(*r)
		}
		if w != tt.want || ratio != tt.ratio {
			t.Errorf("warn(%g, %d) = %s %s, want %s %s", tt.demand, tt.capacity, ratio, w, tt.ratio, tt.want)
		}
	}
}

func TestFirstRed(t *testing.T) {
	// The doubling town with 40 grade-1 seats: 32 (yellow? no: 0.8 green)
	// in 2027, 64 in 2028 (red).
	var kids []Child
	made := map[int]int{}
	for s := 2024; s <= 2026; s++ {
		for c := s - maxAge; c <= s; c++ {
			for made[c] < 4<<(s-2024) {
				kids = append(kids, Child{ID: fmt.Sprintf("%d-%d", c, made[c]), Birth: born(c), Spells: []Spell{{Town: "t", Since: date.Of(s, 6, 1)}}})
				made[c]++
			}
		}
	}
	schools := []registry.School{{Code: "p", Town: "t", Level: Primary, EntrySeats: 40}}
	f, err := NewInput(towns("t"), schools, kids, nil).Project(d("2026-09-01"), noBand(3, 2))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range f.Rows {
		if r.Level == Primary {
			got = append(got, fmt.Sprintf("%d:%g/%d=%s", r.Year, r.Demand, r.Capacity, r.Warning))
		}
	}
	want := "2027:32/40=green 2028:64/40=red 2029:128/40=red"
	if strings.Join(got, " ") != want {
		t.Errorf("got  %s\nwant %s", strings.Join(got, " "), want)
	}
	if fr := f.Towns[0].Levels[1].FirstRed; fr != 2028 {
		t.Errorf("FirstRed = %d, want 2028", fr)
	}
	// No kindergarten seats and some demand: red without a ratio.
	if r := demand(t, f, "t", Kindergarten, 2027); r.Warning != Red || r.Ratio != nil {
		t.Errorf("kindergarten without seats: %s ratio %v, want red null", r.Warning, r.Ratio)
	}
}

func TestBootstrapBandOrdersAndVaries(t *testing.T) {
	// Growth that differs from year to year gives a band with width. Six
	// years of history are too few to calibrate on (a past forecast needs
	// five years before it): the band is the bootstrap's.
	var kids []Child
	made := map[int]int{}
	sizes := map[int]int{2021: 10, 2022: 12, 2023: 18, 2024: 19, 2025: 30, 2026: 31}
	for s := 2021; s <= 2026; s++ {
		for c := s - maxAge; c <= s; c++ {
			for made[c] < sizes[s] {
				kids = append(kids, Child{ID: fmt.Sprintf("%d-%d", c, made[c]), Birth: born(c), Spells: []Spell{{Town: "t", Since: date.Of(s, 6, 1)}}})
				made[c]++
			}
		}
	}
	in := NewInput(towns("t"), seats("t"), kids, nil)
	cfg := DefaultConfig()
	f1, err := in.Project(d("2026-09-01"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f2, _ := in.Project(d("2026-09-01"), cfg)
	if f1.Method.Band != BandBootstrap || f1.Calibration != nil {
		t.Errorf("band %s with calibration %v, want the bootstrap's", f1.Method.Band, f1.Calibration)
	}
	for i, r := range f1.Rows {
		if !(r.Low <= r.Demand+0.1 && r.Demand <= r.High+0.1) {
			t.Errorf("%s %d: demand %g outside band %g–%g", r.Level, r.Year, r.Demand, r.Low, r.High)
		}
		if !reflect.DeepEqual(r, f2.Rows[i]) {
			t.Errorf("same seed, different row: %+v vs %+v", r, f2.Rows[i])
		}
	}
	if r := demand(t, f1, "t", Primary, 2029); !(r.High > r.Low) {
		t.Errorf("band %g–%g has no width", r.Low, r.High)
	}
}

func TestGate(t *testing.T) {
	asOf := d("2026-09-15")
	from, to := d("2025-09-01"), d("2026-08-31") // the 12 months before September 2026
	permit := []date.Interval{{From: d("2024-03-01"), To: d("2027-02-28")}}
	for _, tt := range []struct {
		name string
		g    Guardian
		want bool
	}{
		{"permit and 12 months", Guardian{Permits: permit, Pension: []date.Interval{{From: d("2023-01-01")}}}, true},
		{"two periods that meet", Guardian{Permits: permit, Pension: []date.Interval{
			{From: d("2026-02-01"), To: d("2026-08-31")}, {From: d("2024-01-01"), To: d("2026-01-31")}}}, true},
		{"a month missing", Guardian{Permits: permit, Pension: []date.Interval{
			{From: d("2024-01-01"), To: d("2026-01-31")}, {From: d("2026-03-01")}}}, false},
		{"11 months", Guardian{Permits: permit, Pension: []date.Interval{{From: d("2025-10-01")}}}, false},
		{"no permit", Guardian{Pension: []date.Interval{{From: d("2023-01-01")}}}, false},
		{"permit lapsed before", Guardian{Permits: []date.Interval{{From: d("2020-01-01"), To: d("2026-09-14")}}, Pension: []date.Interval{{From: d("2023-01-01")}}}, false},
	} {
		if got := GatePasses(tt.g, asOf, from, to); got != tt.want {
			t.Errorf("%s: GatePasses = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestEligibleShare(t *testing.T) {
	asOf := d("2026-09-15")
	var kids []Child
	var gs []Guardian
	for i := range 40 {
		id := fmt.Sprintf("k%d", i)
		kids = append(kids, Child{ID: id, Birth: born(2020), Spells: []Spell{{Town: "big", Since: d("2021-01-01")}}})
		g := Guardian{ID: "g" + id, Children: []string{id}, Pension: []date.Interval{{From: d("2020-01-01")}}}
		if i%4 == 0 { // a quarter hold a permit
			g.Permits = []date.Interval{{From: d("2022-01-01")}}
		}
		gs = append(gs, g)
	}
	// A small town of 3 children, none passing: takes the city's share.
	for i := range 3 {
		kids = append(kids, Child{ID: fmt.Sprintf("s%d", i), Birth: born(2020), Spells: []Spell{{Town: "small", Since: d("2021-01-01")}}})
	}
	in := NewInput(towns("big", "small"), seats("big", "small"), kids, gs)
	f, err := in.Project(asOf, noBand(1, 1))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		town string
		want float64
	}{{"big", 0.25}, {"small", round(10.0/43, 3)}} {
		if got := summary(t, f, tt.town).EligibleShare; got != tt.want {
			t.Errorf("%s share = %g, want %g", tt.town, got, tt.want)
		}
	}
	given := 0.5
	cfg := noBand(1, 1)
	cfg.EligibleShare = &given
	f, _ = in.Project(asOf, cfg)
	if r := demand(t, f, "big", Primary, 2027); math.Abs(r.Eligible-r.Demand/2) > 0.05 {
		t.Errorf("eligible %g with a given share of 0.5 of %g", r.Eligible, r.Demand)
	}
}

func TestBacktestExactOnSteadyGrowth(t *testing.T) {
	// Every cohort grows by 10 % a year (arrivals on 1 June): the model is
	// exact, so the backtest errors are zero up to rounding.
	var kids []Child
	made := map[int]int{}
	for s := 2012; s <= 2026; s++ {
		target := int(math.Round(1000 * math.Pow(1.1, float64(s-2012))))
		for c := s - maxAge - 1; c <= s; c++ {
			for made[c] < target {
				kids = append(kids, Child{ID: fmt.Sprintf("%d-%d", c, made[c]), Birth: born(c), Spells: []Spell{{Town: "t", Since: date.Of(s, 6, 1)}}})
				made[c]++
			}
		}
	}
	in := NewInput(towns("t"), seats("t"), kids, nil)
	b, err := in.Backtest(2020, d("2026-11-29"), noBand(6, 5))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(b.FitYears), "[2020 2021 2022 2023 2024 2025]"; got != want {
		t.Errorf("fit years %s, want %s", got, want)
	}
	if b.Overall.Pairs != 21*3 || b.Overall.MAPE > 0.002 || math.Abs(b.Overall.Bias) > 0.002 {
		t.Errorf("overall %+v, want 63 pairs and no error", b.Overall)
	}
	if _, err := in.Backtest(2026, d("2026-11-29"), noBand(6, 5)); err == nil {
		t.Error("backtest from the last year: no error")
	}
}

func TestHousing(t *testing.T) {
	cfg := HousingConfig{Turnover: 0.1, Classes: []UnitClass{
		{Name: "small", MinSize: 1, MaxSize: 2, Units: 100},
		{Name: "large", MinSize: 3, Units: 50},
	}}
	now := []HouseholdCount{{"a", 1, 30}, {"b", 2, 20}, {"a", 3, 10}, {"a", 5, 5}}
	ago := []HouseholdCount{{"a", 1, 40}, {"a", 3, 10}}
	h := Housing(now, ago, cfg, 3)
	var got []string
	for _, c := range h.Classes {
		got = append(got, fmt.Sprintf("%s: %d (year ago %d) freed %g wait %g list %v", c.Name, c.Eligible, c.YearAgo, c.FreedPerYear, *c.WaitYears, c.Projected))
	}
	want := []string{
		"small: 50 (year ago 40) freed 10 wait 5 list [50 50 50]",
		"large: 15 (year ago 10) freed 5 wait 3 list [15 15 15]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestConfigValidate(t *testing.T) {
	bad := -0.1
	for _, tt := range []struct {
		name string
		edit func(*Config)
	}{
		{"years 0", func(c *Config) { c.Years = 0 }},
		{"years 7", func(c *Config) { c.Years = 7 }},
		{"red below yellow", func(c *Config) { c.Red = 0.8 }},
		{"basis", func(c *Config) { c.Basis = "x" }},
		{"share", func(c *Config) { c.EligibleShare = &bad }},
		{"band", func(c *Config) { c.BandLow = 95 }},
		{"calibration", func(c *Config) { c.CalibrationYears = 21 }},
	} {
		c := DefaultConfig()
		tt.edit(&c)
		if err := c.Validate(); err == nil {
			t.Errorf("%s: no error", tt.name)
		}
	}
	if err := DefaultConfig().Validate(); err != nil {
		t.Errorf("default: %v", err)
	}
}

// TestNoIO keeps the domain package free of SQL drivers and HTTP.
func TestNoIO(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, f := range []string{"net/http", "database/sql", "modernc.org/sqlite", "github.com/jackc/pgx", "github.com/xuri/excelize"} {
			if dep == f || strings.HasPrefix(dep, f+"/") {
				t.Errorf("forecast depends on %s", dep)
			}
		}
	}
}
