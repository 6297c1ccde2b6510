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

// applyInput reads the apply form: the round, the child (a sealed
// reference to one of the citizen's own registered children) and the
// choices; a refusal is in the reader's language.
func (p pageRep) applyInput(_ http.ResponseWriter, r *http.Request, h registry.PersonHistory) (rounds.ApplyRequest, string, error) {
	req := rounds.ApplyRequest{Round: r.PostFormValue("round"), Applicant: h.Person.IDNumber, Choices: addChoices(nil, r.PostForm["choice"]...)}
	if ref := r.PostFormValue("child"); ref != "" {
		child, err := p.s.key.open(ref)
		if err != nil {
			return req, "", err
		}
		if !slices.ContainsFunc(h.Children, func(c registry.Person) bool { return c.IDNumber == child }) {
			return req, "", apperr.E("round.apply", apperr.Forbidden, "err.not_your_child")
		}
		req.Child = child
	}
	return req, langOf(r), nil
}

// applied shows the family's applications.
func (pageRep) applied(w http.ResponseWriter, r *http.Request, _ rounds.ApplyRequest, _ string) {
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

// objectInput reads the objection form: the round, the application and
// the text.
func (p pageRep) objectInput(_ http.ResponseWriter, r *http.Request) (rounds.ObjectRequest, error) {
	if p.s.opt.Rounds == nil {
		return rounds.ObjectRequest{}, apperr.E("round.object", apperr.NotFound, "apply.none_open")
	}
	return rounds.ObjectRequest{Round: r.PostFormValue("round"), Number: r.PostFormValue("number"), Text: r.PostFormValue("text")}, nil
}

// which is the application the form names, when it is one of the
// family's; anyone else's is refused (403) as on /me/apply.
func (pageRep) which(req rounds.ObjectRequest, list []rounds.PersonApplication) (string, error) {
	if !slices.ContainsFunc(list, func(pa rounds.PersonApplication) bool {
		return pa.Round.ID == req.Round && pa.Application.Number == req.Number && req.Number != ""
	}) {
		return "", apperr.E("round.object", apperr.Forbidden, "err.not_your_application")
	}
	return req.Number, nil
}

// objected shows the applications, saying that the objection was filed.
func (pageRep) objected(w http.ResponseWriter, r *http.Request, _ rounds.Objection) {
	http.Redirect(w, r, "/me/applications?objected=1", http.StatusSeeOther)
}
