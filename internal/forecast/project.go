package forecast

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/registry"
)

// Input is the registry as the forecast reads it, indexed once so that
// projections as of many days are cheap. Build it with NewInput or Load;
// it is read-only afterwards and safe for concurrent use.
type Input struct {
	towns   []registry.Town
	townIdx map[string]int
	seats   [][]int // level → town → capacity in seats
	kids    []kid
	spells  []kspell
	links   []int32 // guardian indexes of kids, by kid.g0..g1
	gs      []Guardian
}

type kid struct {
	cohort int32 // school year in which the child is school age 0
	s0, s1 int32 // spells[s0:s1]
	g0, g1 int32 // links[g0:g1]
}

type kspell struct {
	town         int32 // index into towns; -1 for a town not listed
	since, until date.Date
}

// NewInput indexes the registry extract: towns (the forecast's districts,
// in the given order), schools (summed into capacity per town and level;
// schools of unknown towns or levels are ignored), children (residences in
// towns not listed are kept but count nowhere; children without a birth
// date are dropped) and guardians (links to children not given are
// ignored). Spells need not be sorted.
func NewInput(towns []registry.Town, schools []registry.School, children []Child, guardians []Guardian) *Input {
	in := &Input{towns: slices.Clone(towns), townIdx: make(map[string]int, len(towns)), gs: guardians}
	for i, t := range towns {
		in.townIdx[t.Code] = i
	}
	in.seats = make([][]int, len(Levels))
	for li := range Levels {
		in.seats[li] = make([]int, len(towns))
	}
	for _, s := range schools {
		t, ok := in.townIdx[s.Town]
		if !ok {
			continue
		}
		for li, lv := range Levels {
			if lv.Code == s.Level {
				in.seats[li][t] += s.EntrySeats * lv.SeatYears
			}
		}
	}
	nSpells, nLinks := 0, 0
	for _, c := range children {
		nSpells += len(c.Spells)
	}
	for _, g := range guardians {
		nLinks += len(g.Children)
	}
	byID := make(map[string]int32, len(children))
	in.kids = make([]kid, 0, len(children))
	in.spells = make([]kspell, 0, nSpells)
	in.links = make([]int32, 0, nLinks)
	for _, c := range children {
		if c.Birth.IsZero() {
			continue
		}
		k := kid{cohort: int32(cohortOf(c.Birth)), s0: int32(len(in.spells))}
		first := len(in.spells)
		for _, s := range c.Spells {
			t := int32(-1)
			if i, ok := in.townIdx[s.Town]; ok {
				t = int32(i)
			}
			in.spells = append(in.spells, kspell{town: t, since: s.Since, until: s.Until})
		}
		mine := in.spells[first:]
		slices.SortStableFunc(mine, func(a, b kspell) int { return int(a.since - b.since) })
		k.s1 = int32(len(in.spells))
		byID[c.ID] = int32(len(in.kids))
		in.kids = append(in.kids, k)
	}
	// Guardian links: gather per kid, then lay out flat.
	per := make([][]int32, len(in.kids))
	for gi, g := range guardians {
		for _, c := range g.Children {
			if ki, ok := byID[c]; ok {
				per[ki] = append(per[ki], int32(gi))
			}
		}
	}
	for ki := range in.kids {
		in.kids[ki].g0 = int32(len(in.links))
		in.links = append(in.links, per[ki]...)
		in.kids[ki].g1 = int32(len(in.links))
	}
	return in
}

// schoolYear is the school year that day falls in: a school year starts
// on 1 September.
func schoolYear(day date.Date) int {
	y, m, _ := day.Parts()
	if m >= time.September {
		return y
	}
	return y - 1
}

// cohortOf is the school year in which a child born on birth is school age
// 0: born 1 September Y−1 … 31 August Y gives Y.
func cohortOf(birth date.Date) int {
	y, m, _ := birth.Parts()
	if m >= time.September {
		return y + 1
	}
	return y
}

// townAt returns the town index of k's residence covering day (the latest
// by since when several do), or -1.
func (in *Input) townAt(k *kid, day date.Date) int32 {
	t := int32(-1)
	for _, s := range in.spells[k.s0:k.s1] {
		if s.since > day {
			break
		}
		if s.until == 0 || s.until >= day {
			t = s.town
		}
	}
	return t
}

const nAges = maxAge + 1

// observed holds counts at consecutive yearly census days days[0] < … <
// days[n-1] (anniversaries of one another): stock per town and school age
// at each day, and the flows of each step between day i and day i+1.
type observed struct {
	nTowns int
	days   []date.Date
	stock  [][]float64 // day → town*nAges+age
	steps  []stepCounts
}

// stepCounts are the flows of one yearly step, by town and the school age
// at the earlier census (0..maxAge-1).
type stepCounts struct {
	stock, stay, arrive []float64 // town*nAges+age
	zero, older         []float64 // town: school age 0, and 1–maxAge, at the later census
}

// observe counts the children at each of days (sorted, one year apart).
func (in *Input) observe(days []date.Date) *observed {
	nt := len(in.towns)
	o := &observed{nTowns: nt, days: days}
	o.stock = make([][]float64, len(days))
	for i := range days {
		o.stock[i] = make([]float64, nt*nAges)
	}
	o.steps = make([]stepCounts, max(0, len(days)-1))
	for i := range o.steps {
		o.steps[i] = stepCounts{
			stock: make([]float64, nt*nAges), stay: make([]float64, nt*nAges), arrive: make([]float64, nt*nAges),
			zero: make([]float64, nt), older: make([]float64, nt),
		}
	}
	years := make([]int, len(days))
	for i, d := range days {
		years[i] = schoolYear(d)
	}
	towns := make([]int32, len(days))
	for ki := range in.kids {
		k := &in.kids[ki]
		// Skip children too old on the first day or unborn on the last.
		if years[0]-int(k.cohort) > maxAge || years[len(years)-1]-int(k.cohort) < 0 {
			continue
		}
		for i, d := range days {
			towns[i] = in.townAt(k, d)
		}
		for i := range days {
			a := years[i] - int(k.cohort)
			if t := towns[i]; t >= 0 && a >= 0 && a <= maxAge {
				o.stock[i][int(t)*nAges+a]++
			}
			if i == len(days)-1 {
				break
			}
			st := &o.steps[i]
			t0, t1 := towns[i], towns[i+1]
			if t0 >= 0 && a >= 0 && a < maxAge {
				st.stock[int(t0)*nAges+a]++
				if t1 == t0 {
					st.stay[int(t0)*nAges+a]++
				}
			}
			if t1 >= 0 && t1 != t0 && a >= 0 && a < maxAge {
				st.arrive[int(t1)*nAges+a]++
			}
			if t1 >= 0 && a == -1 {
				st.zero[t1]++
			}
			if t1 >= 0 && a >= 0 && a < maxAge {
				st.older[t1]++
			}
		}
	}
	return o
}

// rates are the projection's parameters for every town.
type rates struct {
	growth []float64 // town*nAges+age: retention + inflow from age to age+1
	birth  []float64 // town: newborn ratio
	// Pooled town-level figures, for the report.
	retention, inflow []float64
}

// estimate pools the given steps (a multiset: a step may repeat) into
// rates; see the package comment.
func estimate(nt int, steps []*stepCounts) rates {
	S := make([]float64, (nt+1)*nAges) // last row: the city
	T := make([]float64, (nt+1)*nAges)
	R := make([]float64, (nt+1)*nAges)
	Z := make([]float64, nt+1)
	O := make([]float64, nt+1)
	city := nt * nAges
	for _, st := range steps {
		for t := range nt {
			for a := range maxAge {
				i := t*nAges + a
				S[i] += st.stock[i]
				T[i] += st.stay[i]
				R[i] += st.arrive[i]
				S[city+a] += st.stock[i]
				T[city+a] += st.stay[i]
				R[city+a] += st.arrive[i]
			}
			Z[t] += st.zero[t]
			O[t] += st.older[t]
			Z[nt] += st.zero[t]
			O[nt] += st.older[t]
		}
	}
	pool := func(x []float64, t int) float64 {
		s := 0.0
		for a := range maxAge {
			s += x[t*nAges+a]
		}
		return s
	}
	ratio := func(n, d, fallback float64) float64 {
		if d <= 0 {
			return fallback
		}
		return n / d
	}
	cS, cT, cR := pool(S, nt), pool(T, nt), pool(R, nt)
	cityRet, cityIn := ratio(cT, cS, 1), ratio(cR, cS, 0)
	r := rates{
		growth:    make([]float64, nt*nAges),
		birth:     make([]float64, nt),
		retention: make([]float64, nt),
		inflow:    make([]float64, nt),
	}
	cityBirth := ratio(Z[nt], O[nt], 0)
	for t := range nt {
		tS := pool(S, t)
		ret := ratio(pool(T, t), tS, cityRet)
		inf := ratio(pool(R, t), tS, cityIn)
		r.retention[t], r.inflow[t] = ret, inf
		r.birth[t] = ratio(Z[t], O[t], cityBirth)
		for a := range maxAge {
			// The city's age pattern scaled to the town's level.
			pr, pi := 1.0, 1.0
			if S[city+a] > 0 && cityRet > 0 {
				pr = (T[city+a] / S[city+a]) / cityRet
			}
			if S[city+a] > 0 && cityIn > 0 {
				pi = (R[city+a] / S[city+a]) / cityIn
			}
			r.growth[t*nAges+a] = min(1, ret*pr) + inf*pi
		}
	}
	return r
}

// project runs the cohorts in base (town*nAges+age) forward years times
// and returns demand[level][town][h-1].
func project(nt int, base []float64, r rates, years int, out [][][]float64) {
	cur := slices.Clone(base)
	next := make([]float64, len(cur))
	for h := 1; h <= years; h++ {
		for t := range nt {
			row := t * nAges
			older := 0.0
			for a := 1; a <= maxAge; a++ {
				next[row+a] = cur[row+a-1] * r.growth[row+a-1]
				older += next[row+a]
			}
			next[row] = older * r.birth[t]
			for li, lv := range Levels {
				d := 0.0
				for _, a := range lv.Ages {
					d += next[row+a]
				}
				out[li][t][h-1] = d
			}
		}
		cur, next = next, cur
	}
}

// Forecast is the projection of every town, level and year as of one day.
type Forecast struct {
	AsOf        string            `json:"as_of"`
	SchoolYear  int               `json:"school_year"` // the school year AsOf falls in; rows start with the next
	Method      Method            `json:"method"`
	Rows        []Row             `json:"rows"` // town (in town order) × level (Levels order) × year
	Towns       []TownSummary     `json:"towns"`
	Housing     *HousingForecast  `json:"housing,omitempty"`
	Calibration []BandCalibration `json:"calibration,omitempty"` // how each level and horizon's band was set, when Method.Band is calibrated
	// Warnings are the town levels that turn red, in town and level order:
	// the first red year and why, in words.
	Warnings []Warning `json:"warnings"`
	// RestsOn says what the warnings rest on, in words: the point forecast
	// (Config.Basis), and its past lean from the calibration.
	RestsOn Words `json:"rests_on"`
}

// Words is a sentence in Chinese and in English.
type Words struct {
	ZH string `json:"zh"`
	EN string `json:"en"`
}

// Warning is one town and level red in the years projected: the first red
// school year, the demand and seats that year, and the reason in words.
type Warning struct {
	Town     string  `json:"town"`
	TownName string  `json:"town_name"`
	Level    string  `json:"level"`
	Year     int     `json:"year"`
	Demand   float64 `json:"demand"` // the basis compared with seats (demand or eligible)
	Capacity int     `json:"capacity"`
	Short    int     `json:"short"` // seats missing: Demand − Capacity, rounded up; 0 when the demand just fills them
	Reason   Words   `json:"reason"`
}

// words says why w is red, in Chinese and English: the catalogue's
// sentence with the town's and level's name in each language.
func (w Warning) words(lv Level) Words {
	key := "forecast.words_reason"
	if w.Capacity == 0 {
		key = "forecast.words_reason_no_seats"
	}
	return Words{
		ZH: msg.T(msg.ZH, key, w.TownName, lv.Name, w.Year, w.Year+1, w.Demand, w.Capacity, w.Short),
		EN: msg.T(msg.EN, key, w.Town, lv.NameEN, w.Year, w.Year+1, w.Demand, w.Capacity, w.Short),
	}
}

// Lean is the range over levels and horizons of the median actual ÷
// forecast of past forecasts (extrapolated horizons left out): how far the
// point forecast leaned when it could be checked. ok is false without a
// calibration.
func Lean(cal []BandCalibration) (lo, hi float64, ok bool) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, c := range cal {
		if c.Source != SourceExtrapolated {
			lo, hi = min(lo, c.Median), max(hi, c.Median)
		}
	}
	return lo, hi, lo <= hi
}

// restsOn words what the warnings rest on: the point forecast, and the
// range of its past lean (median actual ÷ forecast) over the horizons.
func restsOn(cfg Config, cal []BandCalibration) Words {
	basis := msg.M{Key: "forecast.words_basis_demand"}
	if cfg.Basis == "eligible" {
		basis = msg.M{Key: "forecast.words_basis_eligible"}
	}
	w := Words{
		ZH: msg.T(msg.ZH, "forecast.words_rests_on", basis, cfg.Red*100, cfg.Yellow*100),
		EN: msg.T(msg.EN, "forecast.words_rests_on", basis, cfg.Red*100, cfg.Yellow*100),
	}
	if lo, hi, ok := Lean(cal); ok {
		w.ZH += msg.T(msg.ZH, "forecast.words_lean", lo, hi)
		w.EN += msg.T(msg.EN, "forecast.words_lean", lo, hi)
	}
	return w
}

// Method echoes the settings that produced a forecast.
type Method struct {
	HistoryYears     int     `json:"history_years"`
	Resamples        int     `json:"resamples"`
	Seed             uint64  `json:"seed"`
	BandLow          float64 `json:"band_low_percentile"`
	BandHigh         float64 `json:"band_high_percentile"`
	Yellow           float64 `json:"yellow"`
	Red              float64 `json:"red"`
	Basis            string  `json:"basis"`
	EligibleGiven    bool    `json:"eligible_share_given"`
	Band             string  `json:"band"` // BandCalibrated, BandBootstrap or BandNone (low = high = demand)
	CalibrationYears int     `json:"calibration_years"`
}

// Ways the band is set, in Method.Band.
const (
	BandCalibrated = "calibrated" // from the errors of past forecasts
	BandBootstrap  = "bootstrap"  // from resampling the rates' years
	BandNone       = "none"
)

// Row is one town, level and school year.
type Row struct {
	Town        string   `json:"town"`
	TownName    string   `json:"town_name"`
	Level       string   `json:"level"`
	Year        int      `json:"year"`    // school year (starting September of Year)
	Horizon     int      `json:"horizon"` // years after the current school year
	Demand      float64  `json:"demand"`  // children expected, one decimal
	Low         float64  `json:"low"`
	High        float64  `json:"high"`
	Eligible    float64  `json:"eligible"` // demand × eligible share
	Capacity    int      `json:"capacity"`
	Ratio       *float64 `json:"ratio"` // basis ÷ capacity, 3 decimals; null without seats
	Warning     string   `json:"warning"`
	WarningHigh string   `json:"warning_high"` // the warning at the band's high end
}

// TownSummary is what a town's rows rest on.
type TownSummary struct {
	Town          string         `json:"town"`
	Name          string         `json:"name"`
	Children      int            `json:"children"`       // registered at as-of, school age 0–12
	EligibleShare float64        `json:"eligible_share"` // 3 decimals
	Retention     float64        `json:"retention"`      // pooled yearly rates, 3 decimals
	Inflow        float64        `json:"inflow"`
	NewbornRatio  float64        `json:"newborn_ratio"` // school age 0 ÷ school ages 1–12
	Levels        []LevelSummary `json:"levels"`
}

// LevelSummary is one level of a town: its seats, today's registered
// demand, and the first school year that turns red (0: none in range).
type LevelSummary struct {
	Level        string `json:"level"`
	Capacity     int    `json:"capacity"`
	Current      int    `json:"current"` // registered children of the level's ages at as-of
	FirstRed     int    `json:"first_red"`
	FirstRedHigh int    `json:"first_red_high"` // by the band's high end
}

// Project forecasts as of asOf with cfg. It returns an error wrapping
// ErrConfig when cfg is invalid or asOf is zero.
func (in *Input) Project(asOf date.Date, cfg Config) (Forecast, error) {
	if err := cfg.Validate(); err != nil {
		return Forecast{}, err
	}
	if asOf.IsZero() {
		return Forecast{}, fmt.Errorf("%w: no as-of date", ErrConfig)
	}
	// The census days before the rates' window are the calibration's.
	days := censusDays(asOf, cfg.HistoryYears+cfg.CalibrationYears)
	o := in.observe(days)
	p := in.fit(o, len(days)-1, cfg)
	shares, children := in.eligibleShares(asOf, cfg)
	y0 := schoolYear(asOf)

	f := Forecast{
		AsOf: asOf.String(), SchoolYear: y0,
		Method: Method{HistoryYears: cfg.HistoryYears, Band: p.band, CalibrationYears: cfg.CalibrationYears,
			Resamples: cfg.Resamples, Seed: cfg.Seed,
			BandLow: cfg.BandLow, BandHigh: cfg.BandHigh, Yellow: cfg.Yellow, Red: cfg.Red,
			Basis: cfg.Basis, EligibleGiven: cfg.EligibleShare != nil},
	}
	for li, lv := range Levels {
		if p.cal == nil {
			break
		}
		for h, c := range p.cal[li] {
			f.Calibration = append(f.Calibration, BandCalibration{Level: lv.Code, Horizon: h + 1, Source: c.source,
				Errors: c.errors, Low: round(c.low, 3), High: round(c.high, 3), Median: round(c.median, 3)})
		}
	}
	f.RestsOn = restsOn(cfg, f.Calibration)
	f.Warnings = []Warning{}
	base := o.stock[len(o.stock)-1]
	for t, town := range in.towns {
		ts := TownSummary{Town: town.Code, Name: town.Name, Children: children[t],
			EligibleShare: round(shares[t], 3), Retention: round(p.point.retention[t], 3),
			Inflow: round(p.point.inflow[t], 3), NewbornRatio: round(p.point.birth[t], 4)}
		for li, lv := range Levels {
			ls := LevelSummary{Level: lv.Code, Capacity: in.seats[li][t]}
			for _, a := range lv.Ages {
				ls.Current += int(base[t*nAges+a])
			}
			for h := 1; h <= cfg.Years; h++ {
				d := p.demand[li][t][h-1]
				row := Row{Town: town.Code, TownName: town.Name, Level: lv.Code, Year: y0 + h, Horizon: h,
					Demand: round(d, 1), Low: round(p.low[li][t][h-1], 1), High: round(p.high[li][t][h-1], 1),
					Eligible: round(d*shares[t], 1), Capacity: ls.Capacity}
				basis, basisHigh := d, p.high[li][t][h-1]
				if cfg.Basis == "eligible" {
					basis, basisHigh = d*shares[t], basisHigh*shares[t]
				}
				row.Ratio, row.Warning = warn(basis, ls.Capacity, cfg)
				_, row.WarningHigh = warn(basisHigh, ls.Capacity, cfg)
				if row.Warning == Red && ls.FirstRed == 0 {
					ls.FirstRed = row.Year
					w := Warning{Town: town.Code, TownName: town.Name, Level: lv.Code, Year: row.Year,
						Demand: round(basis, 1), Capacity: ls.Capacity, Short: max(0, int(math.Ceil(round(basis, 1)-float64(ls.Capacity)-1e-9)))}
					w.Reason = w.words(lv)
					f.Warnings = append(f.Warnings, w)
				}
				if row.WarningHigh == Red && ls.FirstRedHigh == 0 {
					ls.FirstRedHigh = row.Year
				}
				f.Rows = append(f.Rows, row)
			}
			ts.Levels = append(ts.Levels, ls)
		}
		f.Towns = append(f.Towns, ts)
	}
	return f, nil
}

// censusDays returns asOf−history years … asOf, oldest first.
func censusDays(asOf date.Date, history int) []date.Date {
	days := make([]date.Date, history+1)
	for j := range days {
		days[j] = asOf.AddDate(j-history, 0, 0)
	}
	return days
}

// fitted is a point projection with its band, [level][town][h-1].
type fitted struct {
	point             rates
	demand, low, high [][][]float64
	band              string     // BandCalibrated, BandBootstrap or BandNone
	cal               [][]ratios // [level][h-1] when calibrated
}

// fit estimates the rates from the HistoryYears steps before o.days[i]
// (i ≥ HistoryYears), projects from o.stock[i], and sets the band:
// calibrated from the as-of days before o.days[i] when
// cfg.CalibrationYears > 0 and they are enough, else bootstrapped. It reads
// nothing after o.days[i].
func (in *Input) fit(o *observed, i int, cfg Config) fitted {
	nt := len(in.towns)
	all := make([]*stepCounts, 0, cfg.HistoryYears)
	for k := i - cfg.HistoryYears; k < i; k++ {
		all = append(all, &o.steps[k])
	}
	base := o.stock[i]
	p := fitted{point: estimate(nt, all), demand: allocDemand(nt, cfg.Years), low: allocDemand(nt, cfg.Years),
		high: allocDemand(nt, cfg.Years), band: BandNone}
	project(nt, base, p.point, cfg.Years, p.demand)
	if cfg.CalibrationYears > 0 {
		if cal, ok := in.calibrate(o, i, cfg); ok {
			p.band, p.cal = BandCalibrated, cal
			for li := range p.demand {
				for t := range p.demand[li] {
					for h, f := range p.demand[li][t] {
						p.low[li][t][h], p.high[li][t][h] = f*cal[li][h].low, f*cal[li][h].high
					}
				}
			}
			return p
		}
	}
	if cfg.Resamples == 0 || len(all) == 0 {
		for li := range p.demand {
			for t := range p.demand[li] {
				copy(p.low[li][t], p.demand[li][t])
				copy(p.high[li][t], p.demand[li][t])
			}
		}
		return p
	}
	p.band = BandBootstrap
	// samples[li][t][h] holds the resampled demands.
	samples := make([][][][]float64, len(Levels))
	for li := range samples {
		samples[li] = make([][][]float64, nt)
		for t := range samples[li] {
			samples[li][t] = make([][]float64, cfg.Years)
			for h := range samples[li][t] {
				samples[li][t][h] = make([]float64, cfg.Resamples)
			}
		}
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	draw := make([]*stepCounts, len(all))
	out := allocDemand(nt, cfg.Years)
	for b := range cfg.Resamples {
		for k := range draw {
			draw[k] = all[rng.IntN(len(all))]
		}
		project(nt, base, estimate(nt, draw), cfg.Years, out)
		for li := range out {
			for t := range out[li] {
				for h, v := range out[li][t] {
					samples[li][t][h][b] = v
				}
			}
		}
	}
	for li := range samples {
		for t := range samples[li] {
			for h, s := range samples[li][t] {
				slices.Sort(s)
				p.low[li][t][h] = percentile(s, cfg.BandLow)
				p.high[li][t][h] = percentile(s, cfg.BandHigh)
			}
		}
	}
	return p
}

// percentile returns the q-th percentile (0–100) of sorted s, interpolating
// linearly between order statistics.
func percentile(s []float64, q float64) float64 {
	if len(s) == 0 {
		return 0
	}
	pos := q / 100 * float64(len(s)-1)
	i := int(pos)
	if i >= len(s)-1 {
		return s[len(s)-1]
	}
	return s[i] + (pos-float64(i))*(s[i+1]-s[i])
}

// warn classifies demand against capacity seats. The ratio is nil when
// there are no seats.
func warn(demand float64, capacity int, cfg Config) (*float64, string) {
	if capacity <= 0 {
		if demand > 0 {
			return nil, Red
		}
		return nil, Green
	}
	r := demand / float64(capacity)
	rr := round(r, 3)
	switch {
	case r >= cfg.Red:
		return &rr, Red
	case r >= cfg.Yellow:
		return &rr, Yellow
	}
	return &rr, Green
}

func round(x float64, places int) float64 {
	p := math.Pow10(places)
	return math.Round(x*p) / p
}

// eligibleShares returns, per town, the share of children of school age
// 0–12 registered there on asOf whose guardian passes the school_seat gate
// proxy (or cfg.EligibleShare), and the number of those children.
func (in *Input) eligibleShares(asOf date.Date, cfg Config) ([]float64, []int) {
	nt := len(in.towns)
	children := make([]int, nt)
	pass := make([]int, nt)
	y := schoolYear(asOf)
	gate := make([]int8, len(in.gs)) // 0 unknown, 1 passes, -1 fails
	winFrom := asOf.FirstOfMonth().AddDate(0, -12, 0)
	winTo := asOf.FirstOfMonth() - 1
	for ki := range in.kids {
		k := &in.kids[ki]
		a := y - int(k.cohort)
		if a < 0 || a > maxAge {
			continue
		}
		t := in.townAt(k, asOf)
		if t < 0 {
			continue
		}
		children[t]++
		for _, gi := range in.links[k.g0:k.g1] {
			if gate[gi] == 0 {
				gate[gi] = -1
				if GatePasses(in.gs[gi], asOf, winFrom, winTo) {
					gate[gi] = 1
				}
			}
			if gate[gi] == 1 {
				pass[t]++
				break
			}
		}
	}
	shares := make([]float64, nt)
	totalC, totalP := 0, 0
	for t := range nt {
		totalC += children[t]
		totalP += pass[t]
	}
	city := 0.0
	if totalC > 0 {
		city = float64(totalP) / float64(totalC)
	}
	for t := range nt {
		switch {
		case cfg.EligibleShare != nil:
			shares[t] = *cfg.EligibleShare
		case children[t] < MinShareChildren:
			shares[t] = city
		default:
			shares[t] = float64(pass[t]) / float64(children[t])
		}
	}
	return shares, children
}

// GatePasses reports whether g passes the school_seat gate proxy on asOf:
// a permit active on asOf, and pension covering every day from winFrom to
// winTo (the 12 calendar months before asOf's month).
func GatePasses(g Guardian, asOf, winFrom, winTo date.Date) bool {
	active := false
	for _, p := range g.Permits {
		if p.Contains(asOf) {
			active = true
			break
		}
	}
	return active && covers(g.Pension, winFrom, winTo)
}

// covers reports whether the union of ivs covers every day from..to.
func covers(ivs []date.Interval, from, to date.Date) bool {
	s := slices.Clone(ivs)
	slices.SortFunc(s, func(a, b date.Interval) int { return int(a.From - b.From) })
	need := from
	for _, iv := range s {
		if iv.From > need {
			return false
		}
		if iv.To == 0 {
			return true
		}
		if iv.To >= need {
			need = iv.To + 1
		}
		if need > to {
			return true
		}
	}
	return need > to
}
