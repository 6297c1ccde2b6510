package forecast

import (
	"context"
	"fmt"
	"math"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/registry"
)

// UnitClass is a class of public-rental units and the household sizes
// it houses.
type UnitClass struct {
	Code    string `json:"code"`     // e.g. "one_bedroom" (registry.HouseholdClasses)
	Name    string `json:"name"`     // Chinese, e.g. "一居室"
	NameEN  string `json:"name_en"`  // English, e.g. "one-bedroom"
	MinSize int    `json:"min_size"` // household sizes housed, inclusive
	MaxSize int    `json:"max_size"` // 0: open
	Units   int    `json:"units"`    // units of the class in the city's stock
}

// Sizes is the household sizes of the class, "1–2" or "5+".
func (c UnitClass) Sizes() string {
	return registry.HouseholdClass{MinSize: c.MinSize, MaxSize: c.MaxSize}.Sizes()
}

// HousingConfig sets the public-rental projection.
type HousingConfig struct {
	// Enabled adds the housing projection to Run. Off by default: its
	// store read scans every residence (about 10 s at a million residents
	// on SQLite), much more than the school forecast needs.
	Enabled        bool
	Classes        []UnitClass
	Turnover       float64 // share of units freed per year, 0–1
	MinRentingDays int     // days at the rented address for the proxy
}

// defaultUnits is the stock of each class of registry.HouseholdClasses, by
// code: an assumption for a county-level city's public rental stock (no
// published figure for Wenling was found).
var defaultUnits = map[string]int{"one_bedroom": 1200, "two_bedroom": 800, "three_bedroom": 400}

// DefaultHousing is the classes of registry.HouseholdClasses (households
// of 1–2, 3–4 and 5 or more: the same classes housing rounds allocate by)
// with 1,200, 800 and 400 units, 8 % freed a year, 365 days of renting. A
// real city replaces the figures.
func DefaultHousing() HousingConfig {
	h := HousingConfig{Turnover: 0.08, MinRentingDays: 365}
	for _, c := range registry.HouseholdClasses {
		h.Classes = append(h.Classes, UnitClass{Code: c.Code, Name: c.NameZH, NameEN: c.NameEN,
			MinSize: c.MinSize, MaxSize: c.MaxSize, Units: defaultUnits[c.Code]})
	}
	return h
}

func (h HousingConfig) validate() error {
	if h.Turnover < 0 || h.Turnover > 1 {
		return fmt.Errorf("%w: housing turnover %g: want 0 to 1", ErrConfig, h.Turnover)
	}
	if h.MinRentingDays < 0 {
		return fmt.Errorf("%w: housing renting days %d: want 0 or more", ErrConfig, h.MinRentingDays)
	}
	for _, c := range h.Classes {
		if c.MinSize < 1 || (c.MaxSize != 0 && c.MaxSize < c.MinSize) || c.Units < 0 {
			return fmt.Errorf("%w: housing class %q: sizes %d–%d, %d units", ErrConfig, c.Name, c.MinSize, c.MaxSize, c.Units)
		}
	}
	return nil
}

// HousingForecast is the waiting list per unit class.
type HousingForecast struct {
	Turnover float64        `json:"turnover"`
	Classes  []HousingClass `json:"classes"`
}

// HousingClass is one unit class: the eligible households now and a year
// ago, the units freed per year, the expected wait in years of a household
// joining now (null when no unit frees up), and the list projected for the
// next years.
type HousingClass struct {
	UnitClass
	Eligible     int       `json:"eligible"`
	YearAgo      int       `json:"eligible_year_ago"`
	FreedPerYear float64   `json:"freed_per_year"`
	WaitYears    *float64  `json:"wait_years"`
	Projected    []float64 `json:"projected"` // list length at the end of each year, 1 decimal
}

// LoadHousing reads the eligible households on asOf and a year earlier
// from src and projects them (see Housing) for years years (1–6, as
// Config.Years).
func LoadHousing(ctx context.Context, src Source, asOf date.Date, cfg HousingConfig, years int) (*HousingForecast, error) {
	if years < 1 || years > 6 {
		return nil, fmt.Errorf("%w: years %d: want 1 to 6", ErrConfig, years)
	}
	now, err := src.RentalHouseholds(ctx, asOf, asOf.AddDays(-cfg.MinRentingDays))
	if err != nil {
		return nil, fmt.Errorf("forecast: housing: %w", err)
	}
	ago := asOf.AddDate(-1, 0, 0)
	before, err := src.RentalHouseholds(ctx, ago, ago.AddDays(-cfg.MinRentingDays))
	if err != nil {
		return nil, fmt.Errorf("forecast: housing: %w", err)
	}
	h := Housing(now, before, cfg, years)
	return &h, nil
}

// Housing projects the waiting list from the eligible household counts now
// and a year earlier (any towns: the list is city-wide) for years years.
// Households of a size no class houses are left out.
func Housing(now, yearAgo []HouseholdCount, cfg HousingConfig, years int) HousingForecast {
	f := HousingForecast{Turnover: cfg.Turnover}
	for _, c := range cfg.Classes {
		hc := HousingClass{UnitClass: c, FreedPerYear: round(float64(c.Units)*cfg.Turnover, 1)}
		in := func(size int) bool { return size >= c.MinSize && (c.MaxSize == 0 || size <= c.MaxSize) }
		for _, x := range now {
			if in(x.Size) {
				hc.Eligible += x.Count
			}
		}
		for _, x := range yearAgo {
			if in(x.Size) {
				hc.YearAgo += x.Count
			}
		}
		freed := float64(c.Units) * cfg.Turnover
		if freed > 0 {
			w := round(float64(hc.Eligible)/freed, 1)
			hc.WaitYears = &w
		}
		// The eligible count grows by its observed change; the list is
		// what is not yet housed.
		growth := float64(hc.Eligible - hc.YearAgo)
		list := float64(hc.Eligible)
		for range years {
			list = math.Max(0, list+growth-freed)
			hc.Projected = append(hc.Projected, round(list, 1))
		}
		f.Classes = append(f.Classes, hc)
	}
	return f
}
