package web

import (
	"context"
	"fmt"
	"net/http"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/jobs"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/points"
)

// computeReform scores every person under the scheme in force and the
// reform on today: the view viewReform (a scan of the registry). It is the
// same comparison as `rooted policy diff` (points.Compare).
func (s *server) computeReform(ctx context.Context, today date.Date, report func(jobs.Progress)) (points.DiffReport, error) {
	total := s.personsCount()
	from, err := s.scoring().On(today)
	if err != nil {
		return points.DiffReport{}, apperr.WrapE("web.reform", apperr.Invalid, err, "error.no_scheme_version", s.opt.Scheme.Name, today)
	}
	to, err := points.NewScoring(s.opt.Reform, s.opt.Points).On(today)
	if err != nil {
		return points.DiffReport{}, apperr.WrapE("web.reform", apperr.Invalid, err, "error.no_scheme_version", s.opt.Reform.Name, today)
	}
	towns, err := s.townNames(ctx)
	if err != nil {
		return points.DiffReport{}, err
	}
	// A person whose inputs a scheme refuses is left out without a word:
	// `rooted policy diff` counts them; the page shows the rest.
	return points.Compare(ctx, s.st, from, to, towns, points.PassOptions{
		Progress: func(read int) {
			if n := int64(read); n%progressEvery == 0 {
				report(jobs.Progress{Done: n, Total: max(total, n)})
			}
		},
	})
}

type schemesData struct {
	Report points.DiffReport
	Charts []chart
}

func (s *server) schemesPage(w http.ResponseWriter, r *http.Request) {
	rep, pending, err := viewOf[points.DiffReport](s, r.Context(), viewReform)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pending != nil {
		s.viewPending(w, r, "schemes.title", pending)
		return
	}
	lang := langOf(r)
	from, to := rep.From.Scheme+" "+rep.From.Version, rep.To.Scheme+" "+rep.To.Version
	hist := chart{ID: "hist", Kind: "bar", Title: msg.T(msg.Parse(lang), "schemes.histogram"), Series: []series{{Name: from}, {Name: to}}}
	for _, b := range rep.Histogram {
		hist.Labels = append(hist.Labels, fmt.Sprintf("%d–%d", b.From, b.To-1))
		hist.Series[0].Values = append(hist.Series[0].Values, float64(b.A))
		hist.Series[1].Values = append(hist.Series[1].Values, float64(b.B))
	}
	elig := chart{ID: "elig", Kind: "hbar", Title: msg.T(msg.Parse(lang), "schemes.eligible"), Series: []series{{Name: from}, {Name: to}}}
	for _, e := range rep.Eligible {
		elig.Labels = append(elig.Labels, s.serviceLabel(e.Service, lang))
		elig.Series[0].Values = append(elig.Series[0].Values, float64(e.A))
		elig.Series[1].Values = append(elig.Series[1].Values, float64(e.B))
	}
	charts := []chart{hist, elig}
	for _, bd := range rep.Breakdowns {
		if bd.Dimension != points.ByTown {
			continue
		}
		c := chart{ID: "town", Kind: "hbar", Title: msg.T(msg.Parse(lang), "schemes.by_town"), Series: []series{{Name: msg.T(msg.Parse(lang), "schemes.mean_change")}}}
		for _, row := range bd.Rows {
			c.Labels = append(c.Labels, row.Label)
			c.Series[0].Values = append(c.Series[0].Values, row.MeanChange)
		}
		charts = append(charts, c)
	}
	s.render(w, r, http.StatusOK, "schemes.html", "schemes.title", schemesData{Report: rep, Charts: charts})
}

func (s *server) apiSchemesDiff(w http.ResponseWriter, r *http.Request) {
	rep, pending, err := viewOf[points.DiffReport](s, r.Context(), viewReform)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if pending != nil {
		s.viewAccepted(w, pending)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}
