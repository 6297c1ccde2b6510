package web

import (
	"context"
	"net/http"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/registry"
)

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	if _, err := s.st.Towns(ctx); err != nil {
		s.fail(w, r, apperr.Wrap(apperr.Internal, err, "database unavailable"))
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

type homeData struct {
	Figures registry.Figures
	AsOf    string
	Charts  []chart
}

// home is the public page: aggregate figures only, and the ways to sign in.
func (s *server) home(w http.ResponseWriter, r *http.Request) {
	f, err := s.currentFigures(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	lang := langOf(r)
	s.render(w, r, http.StatusOK, "home.html", "home.title", homeData{Figures: f, AsOf: f.AsOf.String(), Charts: []chart{
		s.countChart("town", "hbar", s.cat.tr(lang, "dash.by_town"), "town", lang, f.ByTown, 0),
		s.countChart("age", "bar", s.cat.tr(lang, "dash.by_age"), "age", lang, f.ByAge, 0),
	}})
}

func (s *server) apiFigures(w http.ResponseWriter, r *http.Request) {
	f, err := s.currentFigures(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		AsOf string `json:"as_of"`
		registry.Figures
	}{f.AsOf.String(), f})
}

func (s *server) apiStats(w http.ResponseWriter, r *http.Request) {
	counts, err := s.st.Stats(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, counts)
}

func (s *server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, apperr.New(apperr.NotFound, "no such API resource: %s", r.URL.Path))
}
