package web

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/forecast"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/jobs"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/registry"
)

// chart is one ECharts chart as static/rooted.js draws it from JSON; each
// page also shows its numbers as a table for screen readers.
type chart struct {
	ID     string   `json:"id"`
	Kind   string   `json:"kind"` // "bar", "hbar", "pie", "band"
	Title  string   `json:"title"`
	Labels []string `json:"labels"`
	Series []series `json:"series"`
}

type series struct {
	Name   string    `json:"name"`
	Values []float64 `json:"values"`
	Role   string    `json:"role,omitempty"` // band charts: "low", "high", "line", "cap"
}

// countChart turns registry counts into a chart, labelled for lang.
func (s *server) countChart(id, kind, title, dim, lang string, cs []registry.Count, top int) chart {
	c := chart{ID: id, Kind: kind, Title: title, Series: []series{{Name: msg.T(msg.Parse(lang), "dash.persons")}}}
	for i, x := range cs {
		if top > 0 && i == top {
			break
		}
		c.Labels = append(c.Labels, s.countLabel(dim, lang, x))
		c.Series[0].Values = append(c.Series[0].Values, float64(x.N))
	}
	return c
}

// countLabel names one bar: Chinese names in zh-CN; in English, pinyin
// town codes, English province names, translated sexes.
func (s *server) countLabel(dim, lang string, x registry.Count) string {
	switch {
	case dim == "sex":
		return msg.T(msg.Parse(lang), "sex."+x.Key)
	case lang == langEN && dim == "origin":
		if en := ident.ProvinceNameEN(x.Key); en != "" {
			return en
		}
	case lang == langEN && dim == "town" && x.Key != "":
		// Town codes are pinyin: "zeguo" reads as "Zeguo".
		return strings.ToUpper(x.Key[:1]) + x.Key[1:]
	case lang == langEN && dim == "age":
		// Age bands are keyed "0-5" … "61+"; the label carries 岁.
		return strings.ReplaceAll(x.Key, "-", "–")
	}
	return cmp.Or(x.Label, x.Key)
}

// scoreSummary is the distribution of the latest stored scores.
type scoreSummary struct {
	AsOf     string     `json:"as_of"`
	Scheme   string     `json:"scheme"`
	Version  string     `json:"version"`
	Persons  int        `json:"persons"`
	Bins     []scoreBin `json:"bins"` // From ≤ total < From+10
	Eligible []svcCount `json:"eligible"`
}

type scoreBin struct {
	From int `json:"from"`
	N    int `json:"n"`
}

type svcCount struct {
	Service string `json:"service"`
	N       int    `json:"n"`
}

// computeScores summarises the scores table: the view viewScores (a scan
// of the latest scores).
func (s *server) computeScores(ctx context.Context, report func(jobs.Progress)) (scoreSummary, error) {
	var sum scoreSummary
	persons := s.personsCount()
	elig := map[string]int{}
	var order []string
	err := s.st.LatestScores(ctx, func(scheme, version string, asOf date.Date, total float64, eligible string) error {
		sum.AsOf, sum.Scheme, sum.Version = asOf.String(), scheme, version
		sum.Persons++
		if sum.Persons%progressEvery == 0 {
			report(jobs.Progress{Done: int64(sum.Persons), Total: max(persons, int64(sum.Persons))})
		}
		bin := max(0, int(math.Floor(total/10)))
		for len(sum.Bins) <= bin {
			sum.Bins = append(sum.Bins, scoreBin{From: len(sum.Bins) * 10})
		}
		sum.Bins[bin].N++
		var m map[string]bool
		if err := json.Unmarshal([]byte(eligible), &m); err != nil {
			return fmt.Errorf("web: scores: eligible %q: %w", eligible, err)
		}
		for k, ok := range m {
			if _, seen := elig[k]; !seen {
				order = append(order, k)
				elig[k] = 0
			}
			if ok {
				elig[k]++
			}
		}
		return nil
	})
	slices.Sort(order)
	for _, k := range order {
		sum.Eligible = append(sum.Eligible, svcCount{k, elig[k]})
	}
	return sum, err
}

// progressEvery is how many persons a view's computation reads between
// two reports of its progress.
const progressEvery = 4096

// personsCount is the number of persons in the registry as the last
// public figures counted it (0 before they are first computed): the total
// of a view's progress.
func (s *server) personsCount() int64 {
	if cur := s.pub.cur.Load(); cur != nil {
		return cur.stats["persons"]
	}
	return 0
}

// serviceLabel names a service of the scheme in force, in lang.
func (s *server) serviceLabel(name, lang string) string {
	v, err := s.opt.Scheme.Version(s.opt.Today())
	if err == nil {
		for _, svc := range v.Services {
			if svc.Name == name {
				return svc.Label.In(msg.Parse(lang))
			}
		}
	}
	return name
}

type dashboardData struct {
	Figures registry.Figures
	AsOf    string
	Charts  []chart
	Scores  scoreSummary
	// Pending is the computation of the score summary, while it runs: the
	// figures show at once, the scores' charts when it is done.
	Pending *viewWait
}

func (s *server) dashboardOf(r *http.Request) (dashboardData, error) {
	f, err := s.currentFigures(r.Context())
	if err != nil {
		return dashboardData{}, err
	}
	sc, pending, err := viewOf[scoreSummary](s, r.Context(), viewScores)
	if err != nil {
		return dashboardData{}, err
	}
	lang := langOf(r)
	d := dashboardData{Figures: f, AsOf: f.AsOf.String(), Scores: sc}
	if pending != nil {
		w := s.waitOf(*pending, r.URL.RequestURI())
		d.Pending = &w
	}
	d.Charts = []chart{
		s.countChart("town", "hbar", msg.T(msg.Parse(lang), "dash.by_town"), "town", lang, f.ByTown, 0),
		s.countChart("origin", "hbar", msg.T(msg.Parse(lang), "dash.by_origin"), "origin", lang, f.ByOrigin, 12),
		s.countChart("age", "bar", msg.T(msg.Parse(lang), "dash.by_age"), "age", lang, f.ByAge, 0),
		s.countChart("sex", "pie", msg.T(msg.Parse(lang), "dash.by_sex"), "sex", lang, f.BySex, 0),
	}
	if sc.Persons > 0 {
		pc := chart{ID: "points", Kind: "bar", Title: msg.T(msg.Parse(lang), "dash.points_dist"), Series: []series{{Name: msg.T(msg.Parse(lang), "dash.persons")}}}
		for _, b := range sc.Bins {
			pc.Labels = append(pc.Labels, fmt.Sprintf("%d–%d", b.From, b.From+9))
			pc.Series[0].Values = append(pc.Series[0].Values, float64(b.N))
		}
		ec := chart{ID: "eligible", Kind: "hbar", Title: msg.T(msg.Parse(lang), "dash.eligible"), Series: []series{{Name: msg.T(msg.Parse(lang), "dash.persons")}}}
		for _, e := range sc.Eligible {
			ec.Labels = append(ec.Labels, s.serviceLabel(e.Service, lang))
			ec.Series[0].Values = append(ec.Series[0].Values, float64(e.N))
		}
		d.Charts = append(d.Charts, pc, ec)
	}
	return d, nil
}

func (s *server) dashboard(w http.ResponseWriter, r *http.Request) {
	d, err := s.dashboardOf(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Pending != nil {
		w.Header().Set("Cache-Control", "no-store")
	}
	s.render(w, r, http.StatusOK, "dashboard.html", "dash.title", d)
}

func (s *server) apiDashboard(w http.ResponseWriter, r *http.Request) {
	f, err := s.currentFigures(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sc, pending, err := viewOf[scoreSummary](s, r.Context(), viewScores)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pending != nil {
		s.viewAccepted(w, pending)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		AsOf    string           `json:"as_of"`
		Figures registry.Figures `json:"figures"`
		Scores  scoreSummary     `json:"scores"`
	}{f.AsOf.String(), f, sc})
}

// maskedPerson is a person as the console lists them: never the full ID
// number or name. Ref names the person for an unmasking request.
type maskedPerson struct {
	Ref       string `json:"ref"`
	ID        string `json:"id_masked"`
	Name      string `json:"name_masked"`
	Sex       string `json:"sex"`
	BirthYear int    `json:"birth_year"`
	Origin    string `json:"origin"`
}

func (s *server) maskPerson(p registry.Person) maskedPerson {
	zh, _ := ident.ProvinceName(p.Origin[:min(2, len(p.Origin))])
	return maskedPerson{Ref: s.key.seal(p.IDNumber), ID: ident.MaskID(p.IDNumber), Name: ident.MaskName(p.Name),
		Sex: string(p.Sex), BirthYear: p.BirthDate.Year(), Origin: zh}
}

// searchLimit bounds one search's results.
const searchLimit = 50

func (s *server) search(r *http.Request) (string, []maskedPerson, error) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if q == "" {
		return q, nil, nil
	}
	ps, err := s.st.SearchPersons(r.Context(), q, searchLimit)
	if err != nil {
		return q, nil, err
	}
	out := make([]maskedPerson, len(ps))
	for i, p := range ps {
		out[i] = s.maskPerson(p)
	}
	return q, out, nil
}

type registryData struct {
	Q         string
	Results   []maskedPerson
	CanUnmask bool
	Error     string
}

// registrySearch finds persons by ID suffix or name; identities masked.
// An htmx request gets the results table only.
func (s *server) registrySearch(w http.ResponseWriter, r *http.Request) {
	q, res, err := s.search(r)
	d := registryData{Q: q, Results: res, CanUnmask: sessionOf(r).Role.Can(auth.ScopeUnmask)}
	if apperr.Is(err, apperr.Invalid) {
		d.Error = "registry.bad_query"
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	if r.Header.Get("HX-Request") == "true" {
		s.fragment(w, r, "registry.html", "results", d)
		return
	}
	s.render(w, r, http.StatusOK, "registry.html", "registry.title", d)
}

func (s *server) apiSearchPersons(w http.ResponseWriter, r *http.Request) {
	_, res, err := s.search(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if res == nil {
		res = []maskedPerson{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"persons": res})
}

// minReasonLen is the shortest reason accepted for an unmasking, in
// characters: a case number or a sentence, not "x".
const minReasonLen = 4

type unmaskData struct {
	Ref, ID, Reason, Error string
}

// registryUnmask shows one full ID number to an officer who gives a
// reason, and logs who, when, what and why before showing it.
func (s *server) registryUnmask(w http.ResponseWriter, r *http.Request) {
	ref := r.PostFormValue("ref")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	id, err := s.key.open(ref)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := unmaskData{Ref: ref, Reason: reason}
	if len([]rune(reason)) < minReasonLen {
		d.Error = "registry.need_reason"
		w.Header().Set("HX-Reswap", "outerHTML")
		s.fragment(w, r, "registry.html", "unmask", d)
		return
	}
	sess := sessionOf(r)
	if err := s.st.AppendAudit(r.Context(), auth.AuditEntry{At: s.opt.Now(), Actor: sess.Name, Role: sess.Role, Action: "unmask", Subject: id, Reason: reason, IP: s.clientIP(r)}); err != nil {
		s.fail(w, r, err)
		return
	}
	s.opt.Logger.Info("unmasked an ID number", "user", sess.Name, "person", ident.MaskID(id))
	d.ID = id
	s.fragment(w, r, "registry.html", "unmask", d)
}

// registryChanged drops every cache the registry feeds, and computes the
// public figures again before it returns.
func (s *server) registryChanged() {
	s.registry.expire()
	s.views.clear()
	s.explains.clear()
	s.pointsPages.clear()
	s.refreshFigures()
}

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

// act records an officer's action — a step of a round, an import, a
// download of a list — in the audit log (who, when, what, on what, from
// where) and in the server log. The action is done: a failure to record it
// is logged as an error, not answered.
func (s *server) act(r *http.Request, action, object string, args ...any) {
	sess := sessionOf(r)
	e := auth.AuditEntry{At: s.opt.Now(), Actor: sess.Name, Role: sess.Role, Action: action, Object: object, IP: s.clientIP(r)}
	if err := s.st.AppendAudit(context.WithoutCancel(r.Context()), e); err != nil {
		s.opt.Logger.Error("recording an officer's action in the audit log", "action", action, "object", object, "err", err)
	}
	s.opt.Logger.Info(action, append([]any{"user", sess.Name, "object", object}, args...)...)
}

type auditRow struct {
	auth.AuditEntry
	Masked string
	When   string
}

func (s *server) auditPage(w http.ResponseWriter, r *http.Request) {
	es, err := s.st.Audit(r.Context(), 200)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]auditRow, len(es))
	for i, e := range es {
		rows[i] = auditRow{AuditEntry: e, When: e.At.In(chinaTime).Format("2006-01-02 15:04:05")}
		if e.Subject != "" {
			rows[i].Masked = ident.MaskID(e.Subject)
		}
	}
	act, err := s.codeCap.Activity(r.Context(), s.opt.Now().Add(-time.Hour))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "audit.html", "audit.title", auditData{Rows: rows, SignIn: act})
}

// auditData is the audit page: the log, and the failed citizen sign-ins
// of the last hour, counted (a mass attempt across many ID numbers shows
// there; no account is named).
type auditData struct {
	Rows   []auditRow
	SignIn auth.SignInActivity
}

var chinaTime = date.CST
