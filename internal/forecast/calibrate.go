package forecast

import (
	"math"
	"slices"
)

// minCalibrationScores is the number of past errors (towns × as-of days)
// below which a level's band at a horizon is calibrated from every level
// pooled, and below which the pooled errors are too few and the horizon's
// band is extrapolated from a shorter one.
const minCalibrationScores = 30

// Sources of a calibrated band, in BandCalibration.Source.
const (
	SourceLevel        = "level"        // this level's past errors at this horizon
	SourcePooled       = "pooled"       // every level's past errors at this horizon
	SourceExtrapolated = "extrapolated" // the longest calibrated horizon's, scaled
)

// BandCalibration is how the band of one level and horizon was set: the
// band is demand × Low … demand × High. Ratios have 3 decimals.
type BandCalibration struct {
	Level   string  `json:"level"`
	Horizon int     `json:"horizon"`
	Source  string  `json:"source"` // SourceLevel, SourcePooled or SourceExtrapolated
	Errors  int     `json:"errors"` // past forecasts (town × as-of day) compared; 0 when extrapolated
	Low     float64 `json:"low"`    // the Config.BandLow percentile of actual ÷ forecast, divided by the median
	High    float64 `json:"high"`   // the Config.BandHigh percentile, divided by the median
	// Median is the median of actual ÷ forecast itself: below 1, past
	// forecasts ran high. It is reported, not applied (see the package
	// comment).
	Median float64 `json:"median"`
}

// ratios are one level and horizon's calibration, unrounded.
type ratios struct {
	low, high, median float64
	errors            int
	source            string
}

// calibrate forecasts from each of the as-of days o.days[i−1] …
// o.days[i−cfg.CalibrationYears] as the model would have on that day (rates
// from the HistoryYears steps before it, point forecast only), compares
// each horizon that had come by o.days[i] with the children counted on its
// census day, and returns the band's ratios by level and horizon
// ([level][h−1]). It reads nothing after o.days[i]. ok is false when not
// even one-year-ahead errors are enough.
func (in *Input) calibrate(o *observed, i int, cfg Config) (cal [][]ratios, ok bool) {
	nt := len(in.towns)
	errs := make([][][]float64, len(Levels)) // level → h−1 → actual ÷ forecast
	for li := range errs {
		errs[li] = make([][]float64, cfg.Years)
	}
	out := allocDemand(nt, cfg.Years)
	for j := i - 1; j >= max(0, i-cfg.CalibrationYears); j-- {
		steps, full := o.window(j, cfg.HistoryYears)
		if !full {
			continue
		}
		years := min(cfg.Years, i-j)
		project(nt, o.stock[j], estimate(nt, steps), years, out)
		for h := 1; h <= years; h++ {
			actual := o.stock[j+h]
			for li, lv := range Levels {
				for t := range nt {
					f := out[li][t][h-1]
					if f <= 0 {
						continue // no ratio: a forecast of none has a band of none
					}
					a := 0.0
					for _, age := range lv.Ages {
						a += actual[t*nAges+age]
					}
					errs[li][h-1] = append(errs[li][h-1], a/f)
				}
			}
		}
	}
	cal = make([][]ratios, len(Levels))
	for li := range cal {
		cal[li] = make([]ratios, cfg.Years)
	}
	last := 0 // the longest horizon calibrated from errors
	for h := 1; h <= cfg.Years; h++ {
		var pooled []float64
		for li := range Levels {
			pooled = append(pooled, errs[li][h-1]...)
		}
		pq, ok := quantiles(pooled, cfg, SourcePooled)
		if !ok {
			// An as-of day that reaches h reaches every shorter horizon,
			// so the longer ones have no more errors than this one.
			break
		}
		last = h
		for li := range Levels {
			if q, ok := quantiles(errs[li][h-1], cfg, SourceLevel); ok {
				cal[li][h-1] = q
			} else {
				cal[li][h-1] = pq
			}
		}
	}
	if last == 0 {
		return nil, false
	}
	// Beyond the history: a rate that is off by a factor puts the count off
	// by that factor to the power h, so the log ratios grow in proportion
	// to the horizon.
	for h := last + 1; h <= cfg.Years; h++ {
		x := float64(h) / float64(last)
		for li := range Levels {
			b := cal[li][last-1]
			cal[li][h-1] = ratios{low: math.Pow(b.low, x), high: math.Pow(b.high, x), median: math.Pow(b.median, x),
				source: SourceExtrapolated}
		}
	}
	return cal, true
}

// quantiles returns the band's ratios from the ratios actual ÷ forecast in
// s: its BandLow and BandHigh percentiles divided by its median. ok is
// false when s has fewer than minCalibrationScores ratios or a median of
// 0 (most actuals none).
func quantiles(s []float64, cfg Config, source string) (ratios, bool) {
	if len(s) < minCalibrationScores {
		return ratios{}, false
	}
	s = slices.Clone(s)
	slices.Sort(s)
	m := percentile(s, 50)
	if !(m > 0) {
		return ratios{}, false
	}
	return ratios{low: percentile(s, cfg.BandLow) / m, high: percentile(s, cfg.BandHigh) / m, median: m,
		errors: len(s), source: source}, true
}

// window returns the history steps that end at o.days[j] (fewer at the
// start of o), and whether there are history of them and the registry held
// children on every one of their census days: only then was a forecast as
// of o.days[j] made from as many years as today's.
func (o *observed) window(j, history int) (steps []*stepCounts, full bool) {
	full = j >= history && sum(o.stock[j]) > 0
	for k := max(0, j-history); k < j; k++ {
		steps = append(steps, &o.steps[k])
		if sum(o.stock[k]) == 0 {
			full = false
		}
	}
	return steps, full
}

func sum(x []float64) float64 {
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s
}

// allocDemand returns a zero [level][town][h−1] array.
func allocDemand(nt, years int) [][][]float64 {
	x := make([][][]float64, len(Levels))
	for li := range x {
		x[li] = make([][]float64, nt)
		for t := range x[li] {
			x[li][t] = make([]float64, years)
		}
	}
	return x
}
