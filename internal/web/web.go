// Package web serves rooted over HTTP: the JSON API under /api/v1/ and the
// pages. Before sign-in exists it serves only aggregate figures: nothing
// personal leaves the server.
package web

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/registry"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure the server.
type Options struct {
	Logger *slog.Logger
	// Today returns the day figures are taken at; date.Today when nil.
	Today func() date.Date
	// FiguresTTL is how long aggregate figures are cached (default 1 minute):
	// they cost a scan of the residences.
	FiguresTTL time.Duration
}

type server struct {
	st    registry.Store
	opt   Options
	pages *template.Template

	mu      sync.Mutex
	figures registry.Figures
	at      time.Time
}

// New returns the handler with every route of rooted.
func New(st registry.Store, opt Options) http.Handler {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Today == nil {
		opt.Today = date.Today
	}
	if opt.FiguresTTL == 0 {
		opt.FiguresTTL = time.Minute
	}
	s := &server{st: st, opt: opt, pages: template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))}
	return s.routes()
}

// routes lists every route of the server in one place.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /api/v1/figures", s.apiFigures)
	mux.HandleFunc("GET /api/v1/stats", s.apiStats)
	mux.HandleFunc("GET /api/v1/", s.apiNotFound)
	mux.HandleFunc("GET /{$}", s.home)
	return s.logRequests(securityHeaders(mux))
}

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

func (s *server) home(w http.ResponseWriter, r *http.Request) {
	f, err := s.currentFigures(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if err := s.pages.ExecuteTemplate(w, "home.html", homePage{Figures: f, AsOf: f.AsOf.String()}); err != nil {
		s.opt.Logger.Error("render home", "err", err)
	}
}

type homePage struct {
	Figures registry.Figures
	AsOf    string
}

// currentFigures returns the aggregate figures, from the cache when fresh.
func (s *server) currentFigures(ctx context.Context) (registry.Figures, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	today := s.opt.Today()
	if !s.at.IsZero() && time.Since(s.at) < s.opt.FiguresTTL && s.figures.AsOf == today {
		return s.figures, nil
	}
	f, err := s.st.Figures(ctx, today)
	if err != nil {
		return f, err
	}
	f.AsOf = today
	s.figures, s.at = f, time.Now()
	return f, nil
}

// fail writes err as application/problem+json (RFC 9457). The cause is
// logged, never shown.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := apperr.CodeOf(err)
	status := statusOf(code)
	msg := http.StatusText(status)
	var ae *apperr.Error
	if errors.As(err, &ae) && code != apperr.Internal {
		msg = ae.Message
	}
	if status >= 500 {
		s.opt.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": msg, "code": code})
}

// statusOf maps application error codes to HTTP statuses; the one place
// that does.
func statusOf(code string) int {
	switch code {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.Forbidden:
		return http.StatusForbidden
	}
	return http.StatusInternalServerError
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Referrer-Policy", "no-referrer")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'")
		h.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (s *server) logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(rec, r)
		s.opt.Logger.Debug("request", "method", r.Method, "path", r.URL.Path, "status", rec.status, "dur", time.Since(start))
	})
}
