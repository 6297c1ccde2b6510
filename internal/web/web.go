// Package web serves rooted over HTTP: the JSON API under /api/v1/ and the
// pages. Before sign-in exists it serves aggregate figures and scores facts
// sent to it; the one personal resource (a person's points) is served only
// to a caller holding the deployment's API token, and to nobody when none
// is configured.
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
	"strings"
	"sync"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/points"
	"github.com/newcitizens/rooted/internal/policy"
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
	// Scheme scores POST /api/v1/score and a person's points; the shipped
	// default scheme when nil. Load it once, at start.
	Scheme *policy.Scheme
	// Points configures the derivation of a person's inputs;
	// points.DefaultOptions when its Region is empty.
	Points points.Options
	// APIToken is the bearer token that personal endpoints require until
	// sign-in exists. Empty: they answer 403 to everyone.
	APIToken string
}

type server struct {
	st     registry.PointsStore
	opt    Options
	pages  *template.Template
	routed []string // the patterns routes registered, for the OpenAPI test

	mu      sync.Mutex
	figures registry.Figures
	at      time.Time
}

// New returns the handler with every route of rooted. It panics when
// opt.Scheme is nil and the shipped scheme does not load (a build error,
// caught by the tests).
func New(st registry.PointsStore, opt Options) http.Handler {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Today == nil {
		opt.Today = date.Today
	}
	if opt.FiguresTTL == 0 {
		opt.FiguresTTL = time.Minute
	}
	if opt.Scheme == nil {
		sc, err := policy.Load("")
		if err != nil {
			panic(err)
		}
		opt.Scheme = sc
	}
	if opt.Points.Region == "" {
		opt.Points = points.DefaultOptions
	}
	s := &server{st: st, opt: opt, pages: template.Must(template.New("").Funcs(funcs).ParseFS(templateFS, "templates/*.html"))}
	return s.routes()
}

// routes lists every route of the server in one place.
func (s *server) routes() http.Handler {
	mux := http.NewServeMux()
	s.routed = s.routed[:0]
	handle := func(pattern string, h http.Handler) {
		s.routed = append(s.routed, pattern)
		mux.Handle(pattern, h)
	}
	static, _ := fs.Sub(staticFS, "static")
	handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	handle("GET /healthz", http.HandlerFunc(s.healthz))
	handle("GET /api/v1/openapi.json", http.HandlerFunc(s.apiOpenAPI))
	handle("GET /api/v1/figures", http.HandlerFunc(s.apiFigures))
	handle("GET /api/v1/stats", http.HandlerFunc(s.apiStats))
	handle("POST /api/v1/score", http.HandlerFunc(s.apiScore))
	handle("GET /api/v1/persons/{id}/points", s.requireToken(http.HandlerFunc(s.apiPersonPoints)))
	handle("GET /api/v1/", http.HandlerFunc(s.apiNotFound))
	handle("GET /{$}", http.HandlerFunc(s.home))
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
		s.opt.Logger.Error("request failed", "method", r.Method, "path", logPath(r), "err", err)
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
		s.opt.Logger.Debug("request", "method", r.Method, "path", logPath(r), "status", rec.status, "dur", time.Since(start))
	})
}

// logPath is the path of r as logged: the route pattern when it has a
// wildcard (a path may hold an ID number, which is never logged), else the
// path.
func logPath(r *http.Request) string {
	if strings.Contains(r.Pattern, "{") {
		return r.Pattern
	}
	return r.URL.Path
}
