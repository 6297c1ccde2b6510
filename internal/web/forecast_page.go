package web

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/forecast"
	"github.com/newcitizens/rooted/internal/msg"
)

// computeForecast is the view viewForecast: the school forecast on today.
func (s *server) computeForecast(ctx context.Context, today date.Date) (forecast.Forecast, error) {
	cfg := s.opt.Forecast
	cfg.Housing.Enabled = false // the housing page asks for it
	return forecast.Run(ctx, s.st, today, cfg)
}

// computeHousing is the view viewHousing: the projected public rental
// waiting list on today.
func (s *server) computeHousing(ctx context.Context, today date.Date) (*forecast.HousingForecast, error) {
	return forecast.LoadHousing(ctx, s.st, today, s.opt.Forecast.Housing, s.opt.Forecast.Years)
}

type townWarning struct {
	Town, Name, Warning string // worst warning over levels and years
	FirstRed            int
	Selected            bool
}

type forecastData struct {
	F      forecast.Forecast
	Towns  []townWarning
	Town   string
	Name   string
	Level  string
	Levels []string
	Rows   []forecast.Row
	Chart  chart
	// Calibration is how the band of Level was set at each horizon, when
	// it comes from past errors (F.Method.Band calibrated).
	Calibration []forecast.BandCalibration
	Nominal     float64 // the band's nominal coverage, percent
	// Warnings are the red town levels with their first red year and
	// reason; Lean the backtested median actual ÷ forecast range.
	Warnings          []forecastWarning
	LeanLow, LeanHigh float64
	HasLean           bool
	LeanOK            bool    // the lean is within 0.9–1.1: the point forecast is unbiased by its record
	Red, Yellow       float64 // thresholds, percent of seats
}

// forecastWarning is a forecast.Warning with the town named in the page's
// language.
type forecastWarning struct {
	forecast.Warning
	Name string
}

var warningRank = map[string]int{forecast.Green: 0, forecast.Yellow: 1, forecast.Red: 2}

// forecastPage shows every town coloured by its worst warning and one
// town's projected demand with its band against capacity.
func (s *server) forecastPage(w http.ResponseWriter, r *http.Request) {
	f, pending, err := viewOf[forecast.Forecast](s, r.Context(), viewForecast)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pending != nil {
		s.viewPending(w, r, "forecast.title", pending)
		return
	}
	lang := langOf(r)
	d := forecastData{F: f, Town: r.URL.Query().Get("town"), Level: cmp.Or(r.URL.Query().Get("level"), forecast.Primary)}
	for _, l := range forecast.Levels {
		d.Levels = append(d.Levels, l.Code)
	}
	if !slices.Contains(d.Levels, d.Level) {
		d.Level = forecast.Primary
	}
	d.Nominal = f.Method.BandHigh - f.Method.BandLow
	d.LeanLow, d.LeanHigh, d.HasLean = forecast.Lean(f.Calibration)
	d.LeanOK = d.HasLean && d.LeanLow >= 0.9 && d.LeanHigh <= 1.1
	d.Red, d.Yellow = f.Method.Red*100, f.Method.Yellow*100
	for _, w := range f.Warnings {
		fw := forecastWarning{Warning: w, Name: w.TownName}
		if lang == langEN {
			fw.Name = w.Town
		}
		d.Warnings = append(d.Warnings, fw)
	}
	for _, c := range f.Calibration {
		if c.Level == d.Level {
			d.Calibration = append(d.Calibration, c)
		}
	}
	idx := map[string]int{}
	for _, ts := range f.Towns {
		idx[ts.Town] = len(d.Towns)
		tw := townWarning{Town: ts.Town, Name: ts.Name, Warning: forecast.Green}
		for _, l := range ts.Levels {
			if l.FirstRed > 0 && (tw.FirstRed == 0 || l.FirstRed < tw.FirstRed) {
				tw.FirstRed = l.FirstRed
			}
		}
		if lang == langEN {
			tw.Name = ts.Town
		}
		d.Towns = append(d.Towns, tw)
	}
	for _, row := range f.Rows {
		if i, ok := idx[row.Town]; ok && warningRank[row.Warning] > warningRank[d.Towns[i].Warning] {
			d.Towns[i].Warning = row.Warning
		}
	}
	if _, ok := idx[d.Town]; !ok && len(d.Towns) > 0 {
		d.Town = d.Towns[0].Town
		for _, t := range d.Towns {
			if t.Warning == forecast.Red {
				d.Town = t.Town
				break
			}
		}
	}
	if i, ok := idx[d.Town]; ok {
		d.Towns[i].Selected = true
		d.Name = d.Towns[i].Name
	}
	d.Chart = chart{ID: "town-demand", Kind: "band", Title: msg.T(msg.Parse(lang), "forecast.chart", d.Name, msg.T(msg.Parse(lang), "level."+d.Level)),
		Series: []series{
			{Name: msg.T(msg.Parse(lang), "forecast.low"), Role: "low"},
			{Name: msg.T(msg.Parse(lang), "forecast.high"), Role: "high"},
			{Name: msg.T(msg.Parse(lang), "forecast.demand"), Role: "line"},
			{Name: msg.T(msg.Parse(lang), "forecast.capacity"), Role: "cap"},
		}}
	for _, row := range f.Rows {
		if row.Town != d.Town || row.Level != d.Level {
			continue
		}
		d.Rows = append(d.Rows, row)
		d.Chart.Labels = append(d.Chart.Labels, fmt.Sprint(row.Year))
		for i, v := range []float64{row.Low, row.High, row.Demand, float64(row.Capacity)} {
			d.Chart.Series[i].Values = append(d.Chart.Series[i].Values, v)
		}
	}
	s.render(w, r, http.StatusOK, "forecast.html", "forecast.title", d)
}

func (s *server) apiForecast(w http.ResponseWriter, r *http.Request) {
	f, pending, err := viewOf[forecast.Forecast](s, r.Context(), viewForecast)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pending != nil {
		s.viewAccepted(w, pending)
		return
	}
	writeJSON(w, http.StatusOK, f)
}

type housingData struct {
	H       *forecast.HousingForecast
	Service bool
}

// housingPage is the housing department's page: the projected public
// rental waiting list. Housing rounds are run on the rounds page.
func (s *server) housingPage(w http.ResponseWriter, r *http.Request) {
	h, pending, err := viewOf[*forecast.HousingForecast](s, r.Context(), viewHousing)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pending != nil {
		s.viewPending(w, r, "housing.title", pending)
		return
	}
	s.render(w, r, http.StatusOK, "housing.html", "housing.title", housingData{H: h, Service: s.opt.Rounds != nil})
}
