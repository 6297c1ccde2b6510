package web

import (
	"context"
	"net/http"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/points"
	"github.com/newcitizens/rooted/internal/registry"
)

// scoring is how the server scores persons: its scheme, its derivation
// options.
func (s *server) scoring() *points.Scoring { return points.NewScoring(s.opt.Scheme, s.opt.Points) }

// explain returns the points of the person id as of asOf in lang: one
// history read (a fixed chain of queries) and one evaluation, cached.
func (s *server) explain(ctx context.Context, id string, asOf date.Date, lang msg.Lang) (points.Explanation, error) {
	key := personDay{id, asOf, lang, s.registryVersion(ctx)}
	if ex, ok := s.explains.get(key); ok {
		return ex, nil
	}
	day, err := s.scoring().On(asOf)
	if err != nil {
		return points.Explanation{}, apperr.WrapE("web.explain", apperr.Invalid, err, "error.no_scheme_version", s.opt.Scheme.Name, asOf)
	}
	h, err := s.st.History(ctx, id)
	if err != nil {
		return points.Explanation{}, err
	}
	ex, err := day.Explain(&h, lang, points.Actions)
	if err != nil {
		return points.Explanation{}, apperr.WrapE("web.explain", apperr.Internal, err, "error.scoring_failed")
	}
	s.explains.put(key, ex)
	return ex, nil
}

// myPoints is the citizen's points rule by rule, eligibility, and what
// would raise them. It is the page citizens open most (PERF: see
// BENCHMARKS-web.md), so the rendered page is cached like the
// explanation: it depends on nothing but the person, the day and the
// language (the citizen navigation is the same for everyone).
func (s *server) myPoints(w http.ResponseWriter, r *http.Request) {
	id, today, lang := sessionOf(r).Subject, s.opt.Today(), langOf(r)
	key := personDay{id, today, msg.Parse(lang), s.registryVersion(r.Context())}
	if page, ok := s.pointsPages.get(key); ok {
		page.write(w, r)
		return
	}
	ex, err := s.explain(r.Context(), id, today, msg.Parse(lang))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	page, err := s.renderBytes(r, "points.html", "layout", s.newPage(r, "points.title", ex))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	cp := newCachedPage(page)
	s.pointsPages.put(key, cp)
	cp.write(w, r)
}

func (s *server) apiMyPoints(w http.ResponseWriter, r *http.Request) {
	asOf, lang, err := s.asOfLang(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	ex, err := s.explain(r.Context(), sessionOf(r).Subject, asOf, lang)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, ex)
}

// townNames maps town codes to names.
func (s *server) townNames(ctx context.Context) (map[string]string, error) {
	ts, err := s.st.Towns(ctx)
	if err != nil {
		return nil, err
	}
	m := make(map[string]string, len(ts))
	for _, t := range ts {
		m[t.Code] = t.Name
	}
	return m, nil
}

type registrationData struct {
	Masked, Name, Sex, Origin string
	Age                       int
	Residences                []residenceRow
	Jobs                      []registry.Job
	Permit                    *registry.Permit
	Children                  []childRow
}

type residenceRow struct {
	registry.Residence
	TownName string
	Current  bool
}

type childRow struct {
	Masked, Name string
	Age          int
	Ref          string
}

// family reads the signed-in citizen's history: them and their
// registered children, nobody else.
func (s *server) family(r *http.Request) (registry.PersonHistory, error) {
	return s.st.History(r.Context(), sessionOf(r).Subject)
}

func (s *server) myRegistration(w http.ResponseWriter, r *http.Request) {
	h, err := s.family(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	towns, err := s.townNames(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	today := s.opt.Today()
	p := h.Person
	d := registrationData{Masked: ident.MaskID(p.IDNumber), Name: p.Name, Sex: string(p.Sex), Jobs: h.Jobs, Age: date.YearsBetween(p.BirthDate, today)}
	if zh, ok := ident.ProvinceName(p.Origin[:min(2, len(p.Origin))]); ok {
		d.Origin = zh
		if langOf(r) == langEN {
			d.Origin = ident.ProvinceNameEN(p.Origin[:2])
		}
	}
	for _, res := range h.Residences {
		d.Residences = append(d.Residences, residenceRow{res, towns[res.Town], (date.Interval{From: res.Since, To: res.Until}).Contains(today)})
	}
	if n := len(h.Permits); n > 0 {
		d.Permit = &h.Permits[n-1]
	}
	d.Children = s.children(h, today)
	s.render(w, r, http.StatusOK, "me.html", "me.title", d)
}

func (s *server) children(h registry.PersonHistory, today date.Date) []childRow {
	var out []childRow
	for _, c := range h.Children {
		out = append(out, childRow{Masked: ident.MaskID(c.IDNumber), Name: c.Name, Age: date.YearsBetween(c.BirthDate, today), Ref: s.key.seal(c.IDNumber)})
	}
	return out
}
