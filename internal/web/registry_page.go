package web

import (
	"net/http"
	"strings"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/registry"
)

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
