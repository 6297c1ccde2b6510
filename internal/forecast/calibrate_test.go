package forecast

import (
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
)

// TestCalibratedBandCoverage backtests a generated city of 20,000 persons
// (towns of a few dozen children per grade, so chance noise is large) and
// checks that the actuals fall in the nominal 80 % band about 80 % of the
// time, where the bootstrap band alone covered well under two thirds.
func TestCalibratedBandCoverage(t *testing.T) {
	asOf := d("2026-11-29")
	in := demoCity(t, 20000, 11, asOf)
	cfg := DefaultConfig()
	cal, err := in.Backtest(2021, asOf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("calibrated: %s", coverageLine(cal))
	for i, band := range cal.FitBands {
		if band != BandCalibrated {
			t.Errorf("fit as of %d: band %s, want calibrated", cal.FitYears[i], band)
		}
	}
	if c := cal.Overall.Coverage; c < 0.65 || c > 0.95 {
		t.Errorf("calibrated 80 %% band covers %.1f %% of %d actuals, want 65–95 %%", c*100, cal.Overall.Pairs)
	}
	for _, c := range cal.ByLevel {
		if c.Coverage < 0.6 || c.Coverage > 0.97 {
			t.Errorf("%s: covers %.1f %%, want 60–97 %%", c.Level, c.Coverage*100)
		}
	}

	cfg.CalibrationYears = 0
	boot, err := in.Backtest(2021, asOf, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("bootstrap:  %s", coverageLine(boot))
	if c := boot.Overall.Coverage; c >= 0.65 {
		t.Errorf("bootstrap band covers %.1f %%: this city no longer shows what calibration fixes", c*100)
	}
	if cal.Overall.MAPE != boot.Overall.MAPE || cal.Overall.Forecast != boot.Overall.Forecast {
		t.Errorf("calibration moved the point forecast: MAPE %g → %g", boot.Overall.MAPE, cal.Overall.MAPE)
	}
}

func coverageLine(b Backtest) string {
	parts := []string{fmt.Sprintf("all %.1f %% (width %.2f)", b.Overall.Coverage*100, b.Overall.Width)}
	for _, c := range b.ByHorizon {
		parts = append(parts, fmt.Sprintf("+%d %.1f %%", c.Horizon, c.Coverage*100))
	}
	return strings.Join(parts, ", ")
}

// TestCalibrationSeesOnlyThePast forecasts as of a past day from the whole
// registry and from the registry as it stood that day: the forecasts, band
// and calibration included, must be the same.
func TestCalibrationSeesOnlyThePast(t *testing.T) {
	asOf, then := d("2026-11-29"), d("2024-03-15")
	towns, schools, children := demoRecords(t, 5000, 3, asOf)
	var past []Child
	for _, c := range children {
		if c.Birth > then {
			continue
		}
		p := Child{ID: c.ID, Birth: c.Birth}
		for _, s := range c.Spells {
			if s.Since > then {
				continue
			}
			if s.Until > then {
				s.Until = 0 // not ended yet on that day
			}
			p.Spells = append(p.Spells, s)
		}
		past = append(past, p)
	}
	whole, err := NewInput(towns, schools, children, nil).Project(then, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	seen, err := NewInput(towns, schools, past, nil).Project(then, DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	if whole.Method.Band != BandCalibrated {
		t.Fatalf("band %s, want calibrated", whole.Method.Band)
	}
	if !reflect.DeepEqual(whole.Rows, seen.Rows) || !reflect.DeepEqual(whole.Calibration, seen.Calibration) {
		t.Errorf("the forecast as of %s depends on what came after it", then)
	}

	// The backtest counts every census day once and fits on a prefix: a
	// fit must not read the days after its own.
	in := NewInput(towns, schools, children, nil)
	cfg := DefaultConfig()
	var days []date.Date
	for y := 2010; y <= 2026; y++ {
		days = append(days, date.Of(y, 9, 1))
	}
	i := 2023 - 2010
	all, prefix := in.fit(in.observe(days), i, cfg), in.fit(in.observe(days[:i+1]), i, cfg)
	if all.band != BandCalibrated || !reflect.DeepEqual(all, prefix) {
		t.Errorf("the fit as of %s (band %s) depends on the census days after it", days[i], all.band)
	}
}

// TestCalibrationSources checks where each horizon's band comes from, on a
// registry whose every town grows by exactly 10 % a year: the model is
// exact, so every band is the point.
func TestCalibrationSources(t *testing.T) {
	var kids []Child
	codes := []string{"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"}
	for _, town := range codes {
		made := map[int]int{}
		for s := 2012; s <= 2026; s++ {
			target := int(math.Round(200 * math.Pow(1.1, float64(s-2012))))
			for c := s - maxAge - 1; c <= s; c++ {
				for made[c] < target {
					kids = append(kids, Child{ID: fmt.Sprintf("%s-%d-%d", town, c, made[c]), Birth: born(c),
						Spells: []Spell{{Town: town, Since: date.Of(s, 6, 1)}}})
					made[c]++
				}
			}
		}
	}
	in := NewInput(towns(codes...), seats(codes...), kids, nil)
	cfg := DefaultConfig()
	cfg.CalibrationYears = 3 // past forecasts as of 2023, 2024, 2025
	f, err := in.Project(d("2026-09-01"), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range f.Calibration {
		if c.Level == Primary {
			got = append(got, fmt.Sprintf("+%d %s %d", c.Horizon, c.Source, c.Errors))
		}
	}
	want := []string{
		"+1 level 30",  // 3 past days × 10 towns
		"+2 pooled 60", // 2 × 10 × 3 levels
		"+3 pooled 30", // 1 × 10 × 3
		"+4 extrapolated 0",
		"+5 extrapolated 0",
		"+6 extrapolated 0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("sources:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, r := range f.Rows {
		if r.Demand <= 0 || r.Low < r.Demand*0.98 || r.High > r.Demand*1.02 {
			t.Errorf("%s %s %d: band %g–%g around %g, want the point", r.Town, r.Level, r.Year, r.Low, r.High, r.Demand)
		}
	}
}

func TestQuantiles(t *testing.T) {
	cfg := DefaultConfig()
	ramp := func(n int, lo, hi float64) []float64 {
		s := make([]float64, n)
		for i := range s {
			s[i] = lo + (hi-lo)*float64(n-1-i)/float64(n-1) // descending: quantiles sorts
		}
		return s
	}
	for _, tt := range []struct {
		name string
		s    []float64
		ok   bool
		want string // low high median
	}{
		{"too few", ramp(29, 0.5, 1.5), false, ""},
		// 41 ratios 0.6, 0.61, … 1.0: P10 0.64, P50 0.8, P90 0.96.
		{"centred on the median", ramp(41, 0.6, 1.0), true, "0.8 1.2 0.8"},
		{"most actuals none", append(make([]float64, 20), ramp(19, 1, 2)...), false, ""},
	} {
		q, ok := quantiles(tt.s, cfg, SourceLevel)
		got := ""
		if ok {
			got = fmt.Sprintf("%g %g %g", round(q.low, 3), round(q.high, 3), round(q.median, 3))
		}
		if ok != tt.ok || got != tt.want {
			t.Errorf("%s: %q (ok %v), want %q (ok %v)", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
