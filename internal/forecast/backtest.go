package forecast

import (
	"fmt"
	"math"
	"slices"

	"github.com/newcitizens/rooted/internal/date"
)

// Backtest compares forecasts made in past years with what happened.
type Backtest struct {
	From, To  int            `json:"-"`
	FitYears  []int          `json:"fit_years"` // as-of 1 September of each
	FitBands  []string       `json:"fit_bands"` // the band of each fit: BandCalibrated, BandBootstrap or BandNone
	Cells     []BacktestCell `json:"cells"`     // per town and level
	ByLevel   []BacktestCell `json:"by_level"`
	ByHorizon []BacktestCell `json:"by_horizon"`
	Overall   BacktestCell   `json:"overall"`
}

// BacktestCell is the error of a group of (fit year, horizon) pairs.
// Percentages are fractions (0.1 is 10 %), 3 decimals.
type BacktestCell struct {
	Town     string  `json:"town,omitempty"`
	Level    string  `json:"level,omitempty"`
	Horizon  int     `json:"horizon,omitempty"`
	Pairs    int     `json:"pairs"`    // pairs with actual > 0
	Forecast float64 `json:"forecast"` // sums over the pairs, 1 decimal
	Actual   float64 `json:"actual"`
	MAPE     float64 `json:"mape"`     // mean |f−a|÷a
	Bias     float64 `json:"bias"`     // mean (f−a)÷a
	WAPE     float64 `json:"wape"`     // Σ|f−a| ÷ Σa: the big towns weigh more
	Coverage float64 `json:"coverage"` // share of actuals inside the band
	Width    float64 `json:"width"`    // Σ(high − low) ÷ Σactual: what the coverage costs
	// MedianRatio is the median of actual ÷ forecast over the pairs with a
	// forecast above zero: 1 when the point forecast is unbiased, below 1
	// when it ran high. The mean bias above is pulled by small towns whose
	// few children make large relative errors; the median is what the
	// calibration reports (BandCalibration.Median) and what says whether a
	// warning set on the point forecast can be trusted.
	MedianRatio float64 `json:"median_ratio"`
}

type acc struct {
	n                              int
	f, a, ape, bias, absErr, width float64
	inside                         int
	ratios                         []float64 // actual ÷ forecast, forecast > 0
}

func (x *acc) add(f, a, lo, hi float64) {
	if f > 0 {
		x.ratios = append(x.ratios, a/f)
	}
	if a <= 0 {
		return
	}
	x.n++
	x.f += f
	x.a += a
	x.ape += math.Abs(f-a) / a
	x.bias += (f - a) / a
	x.absErr += math.Abs(f - a)
	x.width += hi - lo
	// The band is rounded in the forecast; compare with a tolerance of
	// half a child.
	if a >= lo-0.5 && a <= hi+0.5 {
		x.inside++
	}
}

func (x acc) cell() BacktestCell {
	c := BacktestCell{Pairs: x.n, Forecast: round(x.f, 1), Actual: round(x.a, 1)}
	if x.n > 0 {
		c.MAPE = round(x.ape/float64(x.n), 3)
		c.Bias = round(x.bias/float64(x.n), 3)
		c.WAPE = round(x.absErr/x.a, 3)
		c.Coverage = round(float64(x.inside)/float64(x.n), 3)
		c.Width = round(x.width/x.a, 3)
	}
	if len(x.ratios) > 0 {
		r := slices.Clone(x.ratios)
		slices.Sort(r)
		c.MedianRatio = round(percentile(r, 50), 3)
	}
	return c
}

// Backtest fits the model as of 1 September of every year from `from` on,
// seeing only the history up to that day (the band too: it is calibrated on
// the years before it), and compares each forecast year with the children
// registered on its 1 September, for the years whose 1 September is on or
// before last (the day the data is complete to). It returns an error
// wrapping ErrConfig for a bad cfg, or when no forecast year can be
// checked.
func (in *Input) Backtest(from int, last date.Date, cfg Config) (Backtest, error) {
	if err := cfg.Validate(); err != nil {
		return Backtest{}, err
	}
	lastYear := schoolYear(last) // 1 September lastYear ≤ last
	if from+1 > lastYear {
		return Backtest{}, fmt.Errorf("%w: backtest from %d: the data reaches school year %d only; want a year before it", ErrConfig, from, lastYear)
	}
	first := from - cfg.HistoryYears - cfg.CalibrationYears
	days := make([]date.Date, lastYear-first+1)
	for i := range days {
		days[i] = date.Of(first+i, 9, 1)
	}
	// One pass over the children for every census day, from the earliest
	// any fit's calibration needs; each fit takes its window of steps and
	// calibrates on the days before its own.
	o := in.observe(days)
	nt := len(in.towns)
	b := Backtest{From: from, To: lastYear - 1}
	cells := make([][]acc, len(Levels))
	for li := range cells {
		cells[li] = make([]acc, nt)
	}
	byLevel := make([]acc, len(Levels))
	byH := make([]acc, cfg.Years)
	var all acc
	for F := from; F < lastYear; F++ {
		i := F - first // index of 1 September F
		p := in.fit(o, i, cfg)
		b.FitYears = append(b.FitYears, F)
		b.FitBands = append(b.FitBands, p.band)
		for h := 1; h <= cfg.Years && F+h <= lastYear; h++ {
			actual := o.stock[i+h]
			for t := range nt {
				for li, lv := range Levels {
					a := 0.0
					for _, age := range lv.Ages {
						a += actual[t*nAges+age]
					}
					f, lo, hi := p.demand[li][t][h-1], p.low[li][t][h-1], p.high[li][t][h-1]
					cells[li][t].add(f, a, lo, hi)
					byLevel[li].add(f, a, lo, hi)
					byH[h-1].add(f, a, lo, hi)
					all.add(f, a, lo, hi)
				}
			}
		}
	}
	for t, town := range in.towns {
		for li, lv := range Levels {
			c := cells[li][t].cell()
			c.Town, c.Level = town.Code, lv.Code
			b.Cells = append(b.Cells, c)
		}
	}
	for li, lv := range Levels {
		c := byLevel[li].cell()
		c.Level = lv.Code
		b.ByLevel = append(b.ByLevel, c)
	}
	for h := range byH {
		if byH[h].n == 0 {
			continue
		}
		c := byH[h].cell()
		c.Horizon = h + 1
		b.ByHorizon = append(b.ByHorizon, c)
	}
	b.Overall = all.cell()
	return b, nil
}
