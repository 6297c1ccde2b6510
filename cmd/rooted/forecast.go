package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/forecast"
	"github.com/newcitizens/rooted/internal/msg"
)

// runForecast is `rooted forecast`: the projection as JSON (and, with
// --xlsx, as a workbook), or `rooted forecast backtest`.
func runForecast(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "backtest" {
		return runForecastBacktest(ctx, e, args[1:])
	}
	var xlsx string
	cfg, fl := forecastFlags()
	c, rest, err := e.flags("forecast", "[backtest] [--db DSN] [--as-of YYYY-MM-DD] [--years N] [--xlsx FILE] [--housing]", args,
		[]string{"db", "as-of"}, func(fs *flag.FlagSet) {
			fl.register(fs, &cfg)
			fs.StringVar(&xlsx, "xlsx", "", "also write the forecast as an Excel workbook to FILE")
		})
	if err != nil {
		return helpOK(err)
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("forecast: unexpected argument %q (rooted forecast -h for help)", rest[0])}
	}
	if err := fl.apply(&cfg); err != nil {
		return err
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	f, err := forecast.Run(ctx, st, c.AsOf, cfg)
	if err != nil {
		return forecastErr(err)
	}
	if xlsx != "" {
		if err := writeForecastXLSX(xlsx, f, cfg); err != nil {
			return fmt.Errorf("forecast: %w", err)
		}
	}
	return writeJSON(e.stdout, f)
}

// forecastFlagValues are the flags whose zero value is not the default.
type forecastFlagValues struct {
	share    float64
	turnover float64
}

// forecastFlags returns the default configuration and the flag holder.
func forecastFlags() (forecast.Config, *forecastFlagValues) {
	cfg := forecast.DefaultConfig()
	return cfg, &forecastFlagValues{share: -1, turnover: cfg.Housing.Turnover}
}

func (v *forecastFlagValues) register(fs *flag.FlagSet, cfg *forecast.Config) {
	fs.IntVar(&cfg.Years, "years", cfg.Years, "school years to project, 1–6")
	fs.IntVar(&cfg.HistoryYears, "history", cfg.HistoryYears, "past years the rates are estimated from")
	fs.IntVar(&cfg.CalibrationYears, "calibration", cfg.CalibrationYears, "past years whose forecasts calibrate the band on their errors (0: bootstrap band)")
	fs.IntVar(&cfg.Resamples, "resamples", cfg.Resamples, "bootstrap resamples for a band that cannot be calibrated (0: no band)")
	fs.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "bootstrap seed")
	fs.Float64Var(&cfg.Yellow, "yellow", cfg.Yellow, "yellow warning at demand ÷ seats ≥ this")
	fs.Float64Var(&cfg.Red, "red", cfg.Red, "red warning at demand ÷ seats ≥ this")
	fs.StringVar(&cfg.Basis, "basis", cfg.Basis, "what the warnings compare with seats: demand or eligible")
	fs.Float64Var(&v.share, "eligible-share", v.share, "share (0–1) of children whose guardians pass the school_seat gate, for every town (default: estimated from permits and pension)")
	fs.BoolVar(&cfg.Housing.Enabled, "housing", false, "add the public rental waiting list projection (reads every residence)")
	fs.Float64Var(&v.turnover, "turnover", v.turnover, "share of public rental units freed per year")
}

func (v *forecastFlagValues) apply(cfg *forecast.Config) error {
	if v.share >= 0 {
		s := v.share
		cfg.EligibleShare = &s
	}
	cfg.Housing.Turnover = v.turnover
	if err := cfg.Validate(); err != nil {
		return usageError{strings.TrimPrefix(err.Error(), "forecast: invalid configuration: ")}
	}
	return nil
}

// forecastErr maps a configuration error to a usage error (exit 2).
func forecastErr(err error) error {
	if errors.Is(err, forecast.ErrConfig) {
		return apperr.WrapE("forecast.run", apperr.Invalid, err, "error.forecast")
	}
	return err
}

// runForecastBacktest is `rooted forecast backtest --from YEAR`.
func runForecastBacktest(ctx context.Context, e *env, args []string) error {
	var (
		from    int
		asJSON  bool
		started = time.Now()
	)
	cfg, fl := forecastFlags()
	c, rest, err := e.flags("forecast backtest", "--from YEAR [--db DSN] [--as-of YYYY-MM-DD] [--json]", args,
		[]string{"db", "as-of"}, func(fs *flag.FlagSet) {
			fl.register(fs, &cfg)
			fs.IntVar(&from, "from", 0, "first year to fit as of 1 September (required)")
			fs.BoolVar(&asJSON, "json", false, "print JSON instead of tables")
		})
	if err != nil {
		return helpOK(err)
	}
	if len(rest) > 0 {
		return usageError{fmt.Sprintf("forecast backtest: unexpected argument %q", rest[0])}
	}
	if from < 1990 || from > 9000 {
		return usageError{"forecast backtest: --from YEAR is required (e.g. --from 2021)"}
	}
	if err := fl.apply(&cfg); err != nil {
		return err
	}
	st, err := openStore(ctx, c.DB)
	if err != nil {
		return err
	}
	defer st.Close()
	in, err := forecast.Load(ctx, st, date.Of(from, 9, 1), cfg)
	if err != nil {
		return err
	}
	b, err := in.Backtest(from, c.AsOf, cfg)
	if err != nil {
		return forecastErr(err)
	}
	if asJSON {
		return writeJSON(e.stdout, b)
	}
	printBacktest(e.stdout, b, time.Since(started))
	return nil
}

func pct(x float64) string { return strconv.FormatFloat(x*100, 'f', 1, 64) + "%" }

func printBacktest(w io.Writer, b forecast.Backtest, took time.Duration) {
	first, last := b.FitYears[0], b.FitYears[len(b.FitYears)-1]
	fmt.Fprintf(w, "backtest: fitted as of 1 September %d–%d, checked against the children registered on 1 September %d–%d (%s)\n",
		first, last, first+1, last+1, took.Round(time.Millisecond))
	var bands []string
	for i, y := range b.FitYears {
		bands = append(bands, fmt.Sprintf("%d %s", y, b.FitBands[i]))
	}
	fmt.Fprintf(w, "band of each fit: %s; \"in band\" is its coverage, \"width\" Σ(high − low) ÷ Σactual;\n\"median a÷f\" is the median of actual ÷ forecast: 1 is unbiased, below 1 the forecast ran high\n\n", strings.Join(bands, ", "))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(label string, c forecast.BacktestCell) {
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.0f\t%s\t%s\t%s\t%.2f\t%s\t%s\t\n", label, c.Pairs, c.Forecast, c.Actual, pct(c.MAPE), pct(c.WAPE), pct(c.Bias), c.MedianRatio, pct(c.Coverage), pct(c.Width))
	}
	header := "\tpairs\tforecast\tactual\tMAPE\tWAPE\tbias\tmedian a÷f\tin band\twidth\t"
	const blank = "\t\t\t\t\t\t\t\t\t\t"
	fmt.Fprintln(tw, "overall"+header)
	row("all", b.Overall)
	fmt.Fprintln(tw, blank)
	fmt.Fprintln(tw, "level"+header)
	for _, c := range b.ByLevel {
		row(c.Level, c)
	}
	fmt.Fprintln(tw, blank)
	fmt.Fprintln(tw, "horizon"+header)
	for _, c := range b.ByHorizon {
		row(fmt.Sprintf("+%d", c.Horizon), c)
	}
	fmt.Fprintln(tw, blank)
	fmt.Fprintln(tw, "town/level"+header)
	for _, c := range b.Cells {
		row(c.Town+"/"+c.Level, c)
	}
	tw.Flush()
}

// warningZH is a warning as the export writes it (the export is in
// Chinese), in the catalogue's words.
var warningZH = map[string]string{
	forecast.Green:  msg.T(msg.ZH, "export.warning_green"),
	forecast.Yellow: msg.T(msg.ZH, "export.warning_yellow"),
	forecast.Red:    msg.T(msg.ZH, "export.warning_red"),
}

// writeForecastXLSX writes one sheet per level, a row per town and year,
// with Chinese headers and the warnings coloured by conditional formats
// (so that an officer who edits the seats sees the colours follow).
func writeForecastXLSX(file string, f forecast.Forecast, cfg forecast.Config) (err error) {
	x := excelize.NewFile()
	defer func() {
		if cerr := x.Close(); err == nil {
			err = cerr
		}
	}()
	fills := map[string]string{forecast.Red: "F8696B", forecast.Yellow: "FFEB84", forecast.Green: "C6EFCE"}
	styles := map[string]int{}
	for w, color := range fills {
		id, err := x.NewConditionalStyle(&excelize.Style{Fill: excelize.Fill{Type: "pattern", Color: []string{color}, Pattern: 1}})
		if err != nil {
			return err
		}
		styles[w] = id
	}
	bold, err := x.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	zh := func(key string, args ...any) any { return msg.T(msg.ZH, key, args...) }
	header := []any{zh("export.forecast_town"), zh("export.forecast_code"), zh("export.forecast_year"), zh("export.forecast_horizon"),
		zh("export.forecast_demand"), zh("export.forecast_low", cfg.BandLow), zh("export.forecast_high", cfg.BandHigh),
		zh("export.forecast_eligible"), zh("export.forecast_seats"), zh("export.forecast_ratio"), zh("export.forecast_warning"), zh("export.forecast_warning_high")}
	for i, lv := range forecast.Levels {
		sheet := lv.Name
		if i == 0 {
			if err := x.SetSheetName("Sheet1", sheet); err != nil {
				return err
			}
		} else if _, err := x.NewSheet(sheet); err != nil {
			return err
		}
		if err := x.SetSheetRow(sheet, "A1", &header); err != nil {
			return err
		}
		if err := x.SetCellStyle(sheet, "A1", "L1", bold); err != nil {
			return err
		}
		n := 1
		for _, r := range f.Rows {
			if r.Level != lv.Code {
				continue
			}
			n++
			var ratio any = ""
			if r.Ratio != nil {
				ratio = *r.Ratio
			}
			vals := []any{r.TownName, r.Town, fmt.Sprintf("%d–%d", r.Year, r.Year+1), r.Horizon, r.Demand, r.Low, r.High,
				r.Eligible, r.Capacity, ratio, warningZH[r.Warning], warningZH[r.WarningHigh]}
			if err := x.SetSheetRow(sheet, "A"+strconv.Itoa(n), &vals); err != nil {
				return err
			}
		}
		last := strconv.Itoa(max(n, 2))
		for _, col := range []string{"K", "L"} {
			var rules []excelize.ConditionalFormatOptions
			for _, w := range []string{forecast.Red, forecast.Yellow, forecast.Green} {
				rules = append(rules, excelize.ConditionalFormatOptions{Type: "cell", Criteria: "==", Value: `"` + warningZH[w] + `"`, Format: ptr(styles[w])})
			}
			if err := x.SetConditionalFormat(sheet, col+"2:"+col+last, rules); err != nil {
				return err
			}
		}
		ratioRules := []excelize.ConditionalFormatOptions{
			{Type: "cell", Criteria: ">=", Value: strconv.FormatFloat(cfg.Red, 'f', -1, 64), Format: ptr(styles[forecast.Red]), StopIfTrue: true},
			{Type: "cell", Criteria: ">=", Value: strconv.FormatFloat(cfg.Yellow, 'f', -1, 64), Format: ptr(styles[forecast.Yellow]), StopIfTrue: true},
		}
		if err := x.SetConditionalFormat(sheet, "J2:J"+last, ratioRules); err != nil {
			return err
		}
		if err := x.SetColWidth(sheet, "A", "A", 12); err != nil {
			return err
		}
		if err := x.SetColWidth(sheet, "C", "L", 11); err != nil {
			return err
		}
		if err := x.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
			return err
		}
	}
	if f.Housing != nil {
		if err := writeHousingSheet(x, f.Housing, bold); err != nil {
			return err
		}
	}
	return x.SaveAs(file)
}

// housingSheet is the workbook sheet of the public rental projection.
const housingSheet = "公共租赁住房"

// writeHousingSheet adds the waiting list per unit class: the classes of
// registry.HouseholdClasses, named in Chinese and English with their
// household sizes, and the list projected for each year.
func writeHousingSheet(x *excelize.File, h *forecast.HousingForecast, bold int) error {
	if _, err := x.NewSheet(housingSheet); err != nil {
		return err
	}
	zh := func(key string, args ...any) any { return msg.T(msg.ZH, key, args...) }
	// The class is named in both languages: a column each.
	header := []any{zh("export.housing_unit"), msg.T(msg.EN, "export.housing_unit"), zh("export.housing_size"), zh("export.housing_units"),
		zh("export.housing_eligible"), zh("export.housing_year_ago"), zh("export.housing_vacated"), zh("export.housing_wait")}
	years := 0
	if len(h.Classes) > 0 {
		years = len(h.Classes[0].Projected)
	}
	for i := range years {
		header = append(header, zh("export.housing_waiting_after", i+1))
	}
	if err := x.SetSheetRow(housingSheet, "A1", &header); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(len(header), 1)
	if err != nil {
		return err
	}
	if err := x.SetCellStyle(housingSheet, "A1", last, bold); err != nil {
		return err
	}
	for i, c := range h.Classes {
		var wait any = ""
		if c.WaitYears != nil {
			wait = *c.WaitYears
		}
		row := []any{c.Name, c.NameEN, c.Sizes(), c.Units, c.Eligible, c.YearAgo, c.FreedPerYear, wait}
		for _, p := range c.Projected {
			row = append(row, p)
		}
		if err := x.SetSheetRow(housingSheet, "A"+strconv.Itoa(i+2), &row); err != nil {
			return err
		}
	}
	return x.SetColWidth(housingSheet, "A", "H", 13)
}

func ptr[T any](v T) *T { return &v }
