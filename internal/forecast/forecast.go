package forecast

import (
	"context"
	"errors"
	"fmt"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/registry"
)

// Levels, in the order forecasts list them.
const (
	Kindergarten = "kindergarten"
	Primary      = "primary"
	Junior       = "junior"
)

// Level is one school level the forecast projects: the school ages it
// takes and how many years of entry seats make its capacity.
type Level struct {
	Code      string
	Name      string // Chinese label for exports
	NameEN    string // English label
	Ages      []int  // school ages (age by 31 August)
	SeatYears int    // capacity = entry seats × SeatYears
}

// Levels are the levels projected: kindergarten (ages 3–5), primary grade
// 1 (age 6) and junior grade 7 (age 12).
var Levels = []Level{
	{Code: Kindergarten, Name: "幼儿园（3–5岁）", NameEN: "kindergarten (ages 3–5)", Ages: []int{3, 4, 5}, SeatYears: 3},
	{Code: Primary, Name: "小学一年级", NameEN: "primary grade 1", Ages: []int{6}, SeatYears: 1},
	{Code: Junior, Name: "初中七年级", NameEN: "junior grade 7", Ages: []int{12}, SeatYears: 1},
}

// maxAge is the oldest school age held in the projection (grade 7).
const maxAge = 12

// MinShareChildren is the number of children below which a town's
// eligible share is taken from the whole city.
const MinShareChildren = 30

// Warning levels.
const (
	Green  = "green"
	Yellow = "yellow"
	Red    = "red"
)

// Config holds every setting of a forecast. DefaultConfig gives the
// defaults; Validate says what is wrong with a changed one.
type Config struct {
	Years        int     // school years projected after the current one, 1–6
	HistoryYears int     // yearly steps the rates are estimated from, 1–10
	Resamples    int     // bootstrap resamples for a band that cannot be calibrated, 0 (none) to 100000
	Seed         uint64  // bootstrap seed
	BandLow      float64 // percentile of the band's low end, 0–100
	BandHigh     float64 // percentile of the band's high end, BandLow–100
	Yellow, Red  float64 // warning thresholds on demand ÷ capacity, 0 < Yellow ≤ Red
	// Basis is what the ratio compares with capacity: "demand" (every
	// registered child, the default) or "eligible".
	Basis string
	// EligibleShare, when not nil, is the share (0–1) of children whose
	// guardians pass the school_seat gate, used for every town instead of
	// the estimate from permits and pension.
	EligibleShare *float64
	// Housing sets the public-rental part.
	Housing HousingConfig
	// CalibrationYears is how many past as-of days (the as-of day's
	// anniversaries) are forecast again to calibrate the band on their
	// errors, 0 to 20; 0 leaves the band to the bootstrap. Each one reaches
	// HistoryYears further back, so Load reads that many more years of
	// births.
	CalibrationYears int
}

// DefaultConfig returns the default settings: 6 years ahead, rates from
// the last 5 years, an 80 % band (10th to 90th percentile) calibrated on
// the forecasts of the last 6 years (500 bootstrap resamples with seed
// 20260620 when it cannot be), yellow at 90 % and red at 100 % of seats.
func DefaultConfig() Config {
	return Config{
		Years: 6, HistoryYears: 5, Resamples: 500, Seed: 20260620,
		BandLow: 10, BandHigh: 90, Yellow: 0.90, Red: 1.00, Basis: "demand",
		Housing: DefaultHousing(), CalibrationYears: 6,
	}
}

// ErrConfig is wrapped by Validate's errors.
var ErrConfig = errors.New("forecast: invalid configuration")

// Validate reports the first setting out of range, wrapping ErrConfig.
func (c Config) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{ErrConfig}, args...)...)
	}
	switch {
	case c.Years < 1 || c.Years > 6:
		return bad("years %d: want 1 to 6", c.Years)
	case c.HistoryYears < 1 || c.HistoryYears > 10:
		return bad("history years %d: want 1 to 10", c.HistoryYears)
	case c.CalibrationYears < 0 || c.CalibrationYears > 20:
		return bad("calibration years %d: want 0 to 20", c.CalibrationYears)
	case c.Resamples < 0 || c.Resamples > 100000:
		return bad("resamples %d: want 0 to 100000", c.Resamples)
	case c.BandLow < 0 || c.BandHigh > 100 || c.BandLow > c.BandHigh:
		return bad("band %g–%g: want 0 ≤ low ≤ high ≤ 100", c.BandLow, c.BandHigh)
	case !(c.Yellow > 0) || c.Red < c.Yellow:
		return bad("thresholds yellow %g red %g: want 0 < yellow ≤ red", c.Yellow, c.Red)
	case c.Basis != "demand" && c.Basis != "eligible":
		return bad("basis %q: want demand or eligible", c.Basis)
	case c.EligibleShare != nil && (*c.EligibleShare < 0 || *c.EligibleShare > 1):
		return bad("eligible share %g: want 0 to 1", *c.EligibleShare)
	}
	return c.Housing.validate()
}

// Spell is one residence of a child: the town and the days it covers
// (Until zero while open).
type Spell struct {
	Town         string
	Since, Until date.Date
}

// Child is a registered person young enough to matter to the forecast,
// with every residence they have had. ID links them to guardians only.
type Child struct {
	ID     string
	Birth  date.Date
	Spells []Spell
}

// Guardian is a registered guardian of at least one child, with what the
// eligible-share estimate reads: permits as the days they were active, and
// pension insurance as the days its months cover.
type Guardian struct {
	ID       string
	Children []string        // ID numbers of their children
	Permits  []date.Interval // From = issued; To = the day before lapsing, or the end of the current validity
	Pension  []date.Interval // From = first day of the first month; To = last day of the last month, or zero while open
}

// HouseholdCount is a number of households of one size in one town that
// meet the public-rental proxy (see Housing).
type HouseholdCount struct {
	Town  string `json:"town"`
	Size  int    `json:"size"`
	Count int    `json:"count"`
}

// Source is what the forecast reads of the registry. internal/store
// implements it. Methods wrap their errors with the operation; fn's error
// stops a stream and is returned unwrapped. fn must not call the Source.
type Source interface {
	// Towns returns every town, ordered by code.
	Towns(ctx context.Context) ([]registry.Town, error)
	// Schools returns every school, ordered by code.
	Schools(ctx context.Context) ([]registry.School, error)
	// ForecastChildren calls fn once for every person born on or after
	// bornFrom who has at least one residence, with all their residences
	// ordered by since. Persons come in no set order.
	ForecastChildren(ctx context.Context, bornFrom date.Date, fn func(Child) error) error
	// ForecastGuardians returns at least every guardian of a person born
	// on or after bornFrom, with their children (it may list older ones,
	// which the forecast ignores), permits and pension periods; in no set
	// order.
	ForecastGuardians(ctx context.Context, bornFrom date.Date) ([]Guardian, error)
	// RentalHouseholds counts, per town and household size, the households
	// that meet the public-rental proxy on asOf: the persons with a rented
	// residence covering asOf, grouped by town and address; at least one
	// of them holds a permit valid on asOf; and every one of them has lived
	// at the address since rentedBy or earlier.
	RentalHouseholds(ctx context.Context, asOf, rentedBy date.Date) ([]HouseholdCount, error)
}

// Load reads what a forecast as of asOf (and every earlier as-of day down
// to earliest, for a backtest; zero means asOf) needs from src: the towns,
// the schools, every person young enough to be of school age 0–12 on any
// census day, and their guardians. Errors are src's, wrapped.
func Load(ctx context.Context, src Source, earliest date.Date, cfg Config) (*Input, error) {
	towns, err := src.Towns(ctx)
	if err != nil {
		return nil, fmt.Errorf("forecast: load: %w", err)
	}
	schools, err := src.Schools(ctx)
	if err != nil {
		return nil, fmt.Errorf("forecast: load: %w", err)
	}
	from := bornFrom(earliest, cfg.HistoryYears+cfg.CalibrationYears)
	var children []Child
	if err := src.ForecastChildren(ctx, from, func(c Child) error {
		children = append(children, c)
		return nil
	}); err != nil {
		return nil, fmt.Errorf("forecast: load: %w", err)
	}
	guardians, err := src.ForecastGuardians(ctx, from)
	if err != nil {
		return nil, fmt.Errorf("forecast: load: %w", err)
	}
	return NewInput(towns, schools, children, guardians), nil
}

// bornFrom is the earliest birth day of a child of school age ≤ maxAge+1 on
// the earliest census day (asOf − history years): older children matter to
// no step.
func bornFrom(asOf date.Date, history int) date.Date {
	y := schoolYear(asOf) - history - maxAge - 2
	return date.Of(y, 9, 1)
}

// Run loads from src and projects as of asOf, with the housing projection
// when cfg.Housing.Enabled: the one call the CLI and the web layer
// (GET /api/v1/forecast) need. It returns an error wrapping
// ErrConfig for a bad cfg, and src's errors wrapped.
func Run(ctx context.Context, src Source, asOf date.Date, cfg Config) (Forecast, error) {
	if err := cfg.Validate(); err != nil {
		return Forecast{}, err
	}
	if asOf.IsZero() {
		return Forecast{}, fmt.Errorf("%w: no as-of date", ErrConfig)
	}
	in, err := Load(ctx, src, asOf, cfg)
	if err != nil {
		return Forecast{}, err
	}
	f, err := in.Project(asOf, cfg)
	if err != nil {
		return Forecast{}, err
	}
	if cfg.Housing.Enabled {
		h, err := LoadHousing(ctx, src, asOf, cfg.Housing, cfg.Years)
		if err != nil {
			return Forecast{}, err
		}
		f.Housing = h
	}
	return f, nil
}
