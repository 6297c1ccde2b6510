package web

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/jobs"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/registry"
)

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
