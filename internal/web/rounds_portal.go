package web

import (
	"net/http"
	"slices"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/rounds"
)

// The citizen portal's rounds pages: the open rounds with a form to apply
// to each, and the family's applications with their outcomes and, in a
// round's 公示 window, a form to object. The API's answers to the same
// are in api_rounds.go; what both do, in rounds_ops.go.

type applyData struct {
	Service  bool // a rounds service is wired in
	School   []rounds.Round
	Housing  []rounds.Round
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
		if d.School, err = s.opt.Rounds.OpenRounds(r.Context(), false); err != nil {
			return d, h, err
		}
		if d.Housing, err = s.opt.Rounds.OpenRounds(r.Context(), true); err != nil {
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
	req := rounds.ApplyRequest{Round: r.PostFormValue("round"), Applicant: h.Person.IDNumber, Choices: addChoices(nil, r.PostForm["choice"]...)}
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
		req.Child = child
	}
	if err := s.applyFor(r.Context(), req, langOf(r)); err != nil {
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
	List     []rounds.PersonApplication
	Objected bool   // an objection was just filed
	Error    string // a catalogue key or a message safe to show
	Draft    rounds.ObjectRequest
}

// myApplications lists the family's applications with their results and,
// for rounds in their 公示 window, a form to object to each; the
// objections filed, with the department's answers.
func (s *server) myApplications(w http.ResponseWriter, r *http.Request) {
	d := applicationsData{Service: s.opt.Rounds != nil, Objected: r.URL.Query().Get("objected") == "1"}
	if s.opt.Rounds != nil {
		var err error
		if _, d.List, err = s.familyApplications(r, langOf(r)); err != nil {
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
	h, list, err := s.familyApplications(r, langOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	req := rounds.ObjectRequest{Round: r.PostFormValue("round"), Number: r.PostFormValue("number"), Applicant: h.Person.IDNumber, Text: r.PostFormValue("text")}
	if !slices.ContainsFunc(list, func(pa rounds.PersonApplication) bool {
		return pa.Round.ID == req.Round && pa.Application.Number == req.Number && req.Number != ""
	}) {
		s.fail(w, r, apperr.New(apperr.Forbidden, "err.not_your_application"))
		return
	}
	if _, err := s.fileObjection(r.Context(), req); err != nil {
		code := apperr.CodeOf(err)
		if code != apperr.Invalid && code != apperr.Forbidden && code != apperr.Conflict {
			s.fail(w, r, err)
			return
		}
		d := applicationsData{Service: true, List: list, Error: safeMessage(err), Draft: req}
		s.render(w, r, statusOf(code), "applications.html", "applications.title", d)
		return
	}
	s.opt.Logger.Info("objection filed through the portal", "round", req.Round, "application", req.Number)
	http.Redirect(w, r, "/me/applications?objected=1", http.StatusSeeOther)
}
