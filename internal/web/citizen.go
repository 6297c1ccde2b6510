package web

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/points"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
)

// scoring is how the server scores persons: its scheme, its derivation
// options.
func (s *server) scoring() *points.Scoring { return points.NewScoring(s.opt.Scheme, s.opt.Points) }

// explain returns the points of the person id as of asOf in lang: one
// history read (a fixed chain of queries) and one evaluation, cached.
func (s *server) explain(ctx context.Context, id string, asOf date.Date, lang string) (points.Explanation, error) {
	key := personDay{id, asOf, lang, s.registryVersion(ctx)}
	if ex, ok := s.explains.get(key); ok {
		return ex, nil
	}
	day, err := s.scoring().On(asOf)
	if err != nil {
		return points.Explanation{}, apperr.Wrap(apperr.Invalid, err, "no version of scheme %s in force on %s", s.opt.Scheme.Name, asOf)
	}
	h, err := s.st.History(ctx, id)
	if err != nil {
		return points.Explanation{}, err
	}
	ex, err := day.Explain(&h, policyLang(lang), points.Actions)
	if err != nil {
		return points.Explanation{}, apperr.Wrap(apperr.Internal, err, "scoring failed")
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
	key := personDay{id, today, lang, s.registryVersion(r.Context())}
	if page, ok := s.pointsPages.get(key); ok {
		page.write(w, r)
		return
	}
	ex, err := s.explain(r.Context(), id, today, lang)
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
	l := langZH
	if lang == policy.EN {
		l = langEN
	}
	ex, err := s.explain(r.Context(), sessionOf(r).Subject, asOf, l)
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

type applyData struct {
	Service  bool // a rounds service is wired in
	School   []Round
	Housing  []Round
	Children []childRow
	Done     bool
	Error    string
}

func (s *server) applyData(r *http.Request) (applyData, registry.PersonHistory, error) {
	h, err := s.family(r)
	if err != nil {
		return applyData{}, h, err
	}
	d := applyData{Service: s.opt.Rounds != nil, Children: s.children(h, s.opt.Today())}
	if s.opt.Rounds != nil {
		if d.School, err = s.opt.Rounds.OpenRounds(r.Context(), RoundSchool, s.opt.Today()); err != nil {
			return d, h, err
		}
		if d.Housing, err = s.opt.Rounds.OpenRounds(r.Context(), RoundHousing, s.opt.Today()); err != nil {
			return d, h, err
		}
	}
	return d, h, nil
}

// myApply lists the open rounds with a form for each.
func (s *server) myApply(w http.ResponseWriter, r *http.Request) {
	d, _, err := s.applyData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "apply.html", "apply.title", d)
}

// myApplySubmit records an application for the citizen or one of their
// own children; a child of anyone else is refused.
func (s *server) myApplySubmit(w http.ResponseWriter, r *http.Request) {
	d, h, err := s.applyData(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if s.opt.Rounds == nil {
		s.fail(w, r, apperr.New(apperr.NotFound, "apply.none_open"))
		return
	}
	a := Application{Round: r.PostFormValue("round"), Applicant: h.Person.IDNumber, Lang: langOf(r)}
	if ref := r.PostFormValue("child"); ref != "" {
		child, err := s.key.open(ref)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !slices.ContainsFunc(h.Children, func(c registry.Person) bool { return c.IDNumber == child }) {
			s.fail(w, r, apperr.New(apperr.Forbidden, "err.not_your_child"))
			return
		}
		a.Child = child
	}
	for _, c := range r.PostForm["choice"] {
		if c = strings.TrimSpace(c); c != "" && !slices.Contains(a.Choices, c) {
			a.Choices = append(a.Choices, c)
		}
	}
	if len(a.Choices) == 0 {
		d.Error = "apply.no_choice"
		s.render(w, r, http.StatusBadRequest, "apply.html", "apply.title", d)
		return
	}
	if err := s.opt.Rounds.Apply(r.Context(), a); err != nil {
		if code := apperr.CodeOf(err); code == apperr.Invalid || code == apperr.Conflict {
			d.Error = safeMessage(err)
			s.render(w, r, statusOf(code), "apply.html", "apply.title", d)
			return
		}
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/me/applications", http.StatusSeeOther)
}

type applicationsData struct {
	Service  bool
	List     []ApplicationStatus
	Objected bool   // an objection was just filed
	Error    string // a catalogue key or a message safe to show
	Draft    ObjectionFiling
}

// familyApplications returns the signed-in citizen's history and the
// applications made by or for them and their registered children.
func (s *server) familyApplications(r *http.Request) (registry.PersonHistory, []ApplicationStatus, error) {
	h, err := s.family(r)
	if err != nil {
		return h, nil, err
	}
	list, err := s.opt.Rounds.Applications(r.Context(), familyIDs(h), langOf(r))
	return h, list, err
}

// myApplications lists the family's applications with their results and,
// for rounds in their 公示 window, a form to object to each; the
// objections filed, with the department's answers.
func (s *server) myApplications(w http.ResponseWriter, r *http.Request) {
	d := applicationsData{Service: s.opt.Rounds != nil, Objected: r.URL.Query().Get("objected") == "1"}
	if s.opt.Rounds != nil {
		var err error
		if _, d.List, err = s.familyApplications(r); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "applications.html", "applications.title", d)
}

// myObjectionSubmit files the signed-in citizen's objection to one of the
// family's applications (round and number): their own, or one made for a
// child registered as theirs, by them or by the child's other guardian.
// Anyone else's application is refused (403) as on /me/apply. An
// objection the service refuses (outside the window, the text) shows the
// page again with the reason and the text typed.
func (s *server) myObjectionSubmit(w http.ResponseWriter, r *http.Request) {
	if s.opt.Rounds == nil {
		s.fail(w, r, apperr.New(apperr.NotFound, "apply.none_open"))
		return
	}
	h, list, err := s.familyApplications(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := ObjectionFiling{Round: r.PostFormValue("round"), Number: r.PostFormValue("number"), By: h.Person.IDNumber, Text: r.PostFormValue("text")}
	if !slices.ContainsFunc(list, func(a ApplicationStatus) bool { return a.Round == f.Round && a.Number == f.Number && a.Number != "" }) {
		s.fail(w, r, apperr.New(apperr.Forbidden, "err.not_your_application"))
		return
	}
	if _, err := s.opt.Rounds.Object(r.Context(), f); err != nil {
		code := apperr.CodeOf(err)
		if code != apperr.Invalid && code != apperr.Forbidden && code != apperr.Conflict {
			s.fail(w, r, err)
			return
		}
		d := applicationsData{Service: true, List: list, Error: safeMessage(err), Draft: f}
		s.render(w, r, statusOf(code), "applications.html", "applications.title", d)
		return
	}
	s.opt.Logger.Info("objection filed through the portal", "round", f.Round, "application", f.Number)
	http.Redirect(w, r, "/me/applications?objected=1", http.StatusSeeOther)
}
