package web

import (
	"context"
	"crypto/rand"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/forecast"
	"github.com/newcitizens/rooted/internal/jobs"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/points"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/policies"
)

// reformScheme is the shipped scheme the schemes page compares the scheme
// in force with, unless Options.Reform names another.
const reformScheme = "zhejiang-county-insurance-weighted.yaml"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Store is what the web layer needs of persistence: the registry with
// histories and scores, the forecast's reads, sign-in, and the console's
// reads. internal/store's *DB implements it.
type Store interface {
	registry.PointsStore
	forecast.Source
	auth.Store
	auth.SignInStore
	// AuthGeneration returns a number that grows with every sign-out,
	// role change and account lock by any process: sessions cached
	// before it changed may have ended.
	AuthGeneration(ctx context.Context) (int64, error)
	// SearchPersons finds at most limit persons by ID-number suffix or
	// name (see internal/store); invalid for an empty query.
	SearchPersons(ctx context.Context, q string, limit int) ([]registry.Person, error)
	// LatestScores streams the scores of the latest scoring day; nothing
	// when none is stored.
	LatestScores(ctx context.Context, fn func(scheme, version string, asOf date.Date, total float64, eligible string) error) error
	// Durable jobs (imports) and the files they read and make.
	jobs.Store
	jobs.FileStore
	// PruneJobs removes the finished jobs of the kinds starting with
	// kindPrefix that finished before before, but the latest done one of
	// each kind (the computed views' results, views.go).
	PruneJobs(ctx context.Context, kindPrefix string, before time.Time) (int64, error)
}

// Options configure the server. The zero value of each field has a
// working default.
type Options struct {
	Logger *slog.Logger
	// Today returns the day figures are taken at; date.Today when nil.
	Today func() date.Date
	// Now returns the time for sessions and limits; time.Now when nil.
	Now func() time.Time
	// FiguresTTL is the longest the public figures are shown before they
	// are computed again in the background (default 10 minutes: a scan of
	// the registry on every server, and a safety net only); they are
	// computed again within a poll when the registry's version or the day
	// changes (see figures.go).
	FiguresTTL time.Duration
	// Context bounds the server's background work (computing the public
	// figures): it stops when Context is done. Nil: it lasts as long as
	// the process.
	Context context.Context
	// PointsTTL bounds how long one person's explained points and points
	// page are cached (default 10 minutes, each entry up to a quarter
	// more, so that entries made together do not expire together). They
	// are dropped sooner when the registry changes: see RegistryPoll.
	PointsTTL time.Duration
	// RegistryPoll is how often the registry's version is read (default
	// 250 ms, by the first request after it passes, for all): an import,
	// permits run or scoring by any process empties every cache derived
	// from the registry within that time; one through this server at once.
	RegistryPoll time.Duration
	// AuthPoll is how often the auth generation is read (default 250 ms,
	// likewise): a sign-out, role change or account lock on another server
	// ends the sessions this one caches within that time.
	AuthPoll time.Duration
	// Scheme scores POST /api/v1/score and a person's points; the shipped
	// default scheme when nil. Load it once, at start.
	Scheme *policy.Scheme
	// Reform is the scheme the schemes page compares Scheme with; the
	// shipped insurance-weighted scheme when nil.
	Reform *policy.Scheme
	// Points configures the derivation of a person's inputs;
	// points.DefaultOptions when its Region is empty.
	Points points.Options
	// APIToken is a bearer token for scripts; it acts as an admin. Empty:
	// no token is accepted.
	APIToken string
	// Codes delivers citizens' one-time codes; a LogSender (demo: the code
	// goes to the log) when nil.
	Codes CodeSender
	// SignInKey keys the HMACs that stand for ID numbers and one-time
	// codes in the database (auth.Codes.Key, auth.Limiter.Key); every
	// server of a cluster needs the same. Empty: a random key of this
	// process for the codes, plain SHA-256 for the limits.
	SignInKey []byte
	// SealKeys key the references to persons that pages carry (a form
	// naming a child, a search result an officer may unmask): the first
	// seals, every one opens, so a rotation keeps the previous key for as
	// long as a page may stay open (sealMaxAge, 12 hours). Every server
	// of a cluster needs the same. Empty: a key derived from SignInKey
	// when that is set, else a random key of this process (references
	// then die with it). With both, the key derived from SignInKey still
	// opens, as the oldest.
	SealKeys [][]byte
	// Rounds is the enrollment and housing rounds service (a
	// *rounds.Service); nil: the pages say that no round is open and the
	// rounds page that rounds are not wired in.
	Rounds Rounds
	// SecureCookies marks cookies Secure even on plain HTTP (behind a
	// proxy that terminates TLS). Cookies on a TLS connection are always
	// Secure.
	SecureCookies bool
	// TrustProxy takes the client address (for rate limits and the audit
	// log) from the X-Forwarded-For entry that the proxy in front of the
	// server added — the last one — rather than from the connection. Only
	// behind one proxy that appends to the header; see TrustedProxies for
	// a chain of them.
	TrustProxy bool
	// TrustedProxies are the addresses of the proxies in front of the
	// server. When the connection comes from one of them, the client is
	// the last address of X-Forwarded-For that is not one of them:
	// entries further left were written by the client and may be forged.
	TrustedProxies []netip.Prefix
	// WorkDir is where an import job copies its files while it runs (and
	// removes them when it ends); os.TempDir when "". Uploads and
	// quarantine files live in the database.
	WorkDir string
	// Jobs is the runner this server's jobs run on: New registers the
	// handlers of the jobs pages queue (imports); the caller runs it
	// (cmd/rooted serve does, in every server). Nil: a runner nobody runs,
	// so queued jobs wait for another server's.
	Jobs *jobs.Runner
	// ViewJobs is the runner the computed views' jobs run on (views.go):
	// New registers their handlers; the caller runs it (cmd/rooted serve
	// does, beside Jobs, so that an import does not hold up a page). Nil:
	// New makes one and runs it until Context is done.
	ViewJobs *jobs.Runner
	// QuarantineTTL is how long an import's quarantine files may be
	// downloaded (default 72 hours): they hold personal data.
	QuarantineTTL time.Duration
	// Forecast configures the forecast page; forecast.DefaultConfig when
	// its Years is 0.
	Forecast forecast.Config
	// FactKinds are the fact kinds imports accept; from the shipped
	// scheme when nil.
	FactKinds []registry.FactKind
	// Sandbox marks a demo sandbox database (store.Sandbox): every page
	// then says 演示数据 (demo data), for its data is synthetic and its
	// decisions may have been taken as of other days.
	Sandbox bool
	// Import applies the files of an import from the console (imports.go);
	// cmd/rooted sets it to internal/ingest's importer. Nil: an import job
	// fails, saying no importer is wired in.
	Import Importer
}

type server struct {
	st     Store
	opt    Options
	pages  map[string]*template.Template
	routed []string              // the patterns routes registered, for the OpenAPI test
	key    sealer                // opaque references to persons in pages
	static map[string]staticFile // the embedded assets, by path under /static/

	pub           publicState                             // the public figures and pages (figures.go)
	views         viewMemos                               // the last result of each computed view read (views.go)
	viewsComputed atomic.Int64                            // computations of views this server's runner made (a redundant job's stored answer is not one)
	sessions      ttlCache[sessionCacheKey, auth.Session] // for sessionCacheTTL
	explains      ttlCache[personDay, points.Explanation]
	pointsPages   ttlCache[personDay, cachedPage] // rendered points pages, plain and gzipped
	registry      watch                           // the registry's version: keeps every cache above in step
	authGen       watch                           // the auth generation: keeps sessions in step
	publicRounds  publicRounds                    // published rounds' pages and files, by the head of their chains

	ipLimit   *auth.Limiter    // sign-in attempts per client address
	userLimit *auth.Limiter    // failed passwords per account
	sendLimit *auth.Limiter    // codes sent per ID number
	codeLimit *auth.Limiter    // wrong codes per ID number
	codeCap   *auth.FailureCap // consecutive wrong codes per ID number, across codeLimit's windows
	codes     *auth.Codes

	runner     *jobs.Runner  // imports are registered on it
	viewRunner *jobs.Runner  // the computed views are registered on it
	viewsDone  chan struct{} // closed when the views' background work (warmViews, and the view runner New started) has stopped
}

// New returns the handler with every route of rooted. It panics when a
// shipped asset (scheme, template, catalogue) does not load: a build
// error, caught by the tests.
func New(st Store, opt Options) http.Handler {
	return newServer(st, opt).routes()
}

func newServer(st Store, opt Options) *server {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Today == nil {
		opt.Today = date.Today
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.FiguresTTL == 0 {
		opt.FiguresTTL = 10 * time.Minute
	}
	if opt.PointsTTL == 0 {
		opt.PointsTTL = 10 * time.Minute
	}
	if opt.RegistryPoll == 0 {
		opt.RegistryPoll = 250 * time.Millisecond
	}
	if opt.AuthPoll == 0 {
		opt.AuthPoll = 250 * time.Millisecond
	}
	if opt.Scheme == nil {
		opt.Scheme = must(policy.Load(""))
	}
	if opt.Reform == nil {
		data := must(fs.ReadFile(policies.FS, reformScheme))
		opt.Reform = must(policy.Parse(reformScheme, data))
	}
	if opt.Points.Region == "" {
		opt.Points = points.DefaultOptions
	}
	// The limits' keys are HMACs only under a configured key: a random one
	// would forget every lockout at a restart.
	limitKey := opt.SignInKey
	sealKeys := opt.SealKeys
	if len(limitKey) > 0 {
		sealKeys = append(sealKeys[:len(sealKeys):len(sealKeys)], deriveKey(limitKey, "rooted/seal-secret-from-signin-key/v1"))
	}
	if len(opt.SignInKey) == 0 {
		opt.SignInKey = make([]byte, 32)
		rand.Read(opt.SignInKey)
	}
	if opt.Codes == nil {
		opt.Codes = &LogSender{Logger: opt.Logger}
	}
	if opt.Forecast.Years == 0 {
		opt.Forecast = forecast.DefaultConfig()
	}
	if opt.FactKinds == nil {
		opt.FactKinds = must(policy.FactKinds(""))
	}
	if opt.QuarantineTTL == 0 {
		opt.QuarantineTTL = 72 * time.Hour
	}
	if opt.Jobs == nil {
		opt.Jobs = &jobs.Runner{Store: st, Logger: opt.Logger, Now: opt.Now}
	}
	now := opt.Now
	s := &server{
		st: st, opt: opt,
		pages:      mustParsePages(),
		static:     loadStatic(),
		key:        newSealer(sealKeys, opt.Now),
		ipLimit:    &auth.Limiter{Name: "ip", Max: 30, Window: 10 * time.Minute, Lockout: 10 * time.Minute, Now: now, Store: st, Key: limitKey},
		userLimit:  &auth.Limiter{Name: "password", Max: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute, Now: now, Store: st, Key: limitKey},
		sendLimit:  &auth.Limiter{Name: "send-code", Max: 4, Window: 10 * time.Minute, Lockout: 10 * time.Minute, Now: now, Store: st, Key: limitKey},
		codeLimit:  &auth.Limiter{Name: wrongCodeLimit, Max: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute, Now: now, Store: st, Key: limitKey},
		codeCap:    &auth.FailureCap{Name: wrongCodeCap, Max: auth.CitizenFailureCap, Now: now, Store: st, Key: limitKey},
		codes:      &auth.Codes{Now: now, Store: st, Key: opt.SignInKey},
		runner:     opt.Jobs,
		viewRunner: opt.ViewJobs,
		viewsDone:  make(chan struct{}),
	}
	s.registerJobs(s.runner)
	s.sessions.ttl, s.sessions.max = sessionCacheTTL, 50_000
	s.explains.ttl, s.explains.max = opt.PointsTTL, 50_000
	s.pointsPages.ttl, s.pointsPages.max = opt.PointsTTL, 20_000 // about 10 KB each
	if opt.Context == nil {
		opt.Context = context.Background()
	}
	s.startPublic(opt.Context)
	own := s.viewRunner == nil
	if own {
		s.viewRunner = &jobs.Runner{Store: st, Logger: opt.Logger, Now: opt.Now}
	}
	s.registerViews(s.viewRunner)
	go func() {
		defer close(s.viewsDone)
		runDone := make(chan struct{})
		go func() {
			defer close(runDone)
			if own {
				// Run returns only nil, when opt.Context ends (its contract).
				_ = s.viewRunner.Run(opt.Context)
			}
		}()
		s.warmViews(opt.Context)
		<-runDone
	}()
	return s
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// isAPI reports whether r is for the JSON API (errors as problem+json)
// rather than a page (errors as an HTML page).
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// fail answers err: application/problem+json (RFC 9457) for the API, an
// error page otherwise. The cause is logged, never shown.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil && errors.Is(err, r.Context().Err()) {
		// The client went away (or the server is shutting down): nobody
		// reads an answer, and nothing failed that an operator must see.
		s.opt.Logger.Debug("request abandoned", "method", r.Method, "path", logPath(r), "err", err)
		return
	}
	code := apperr.CodeOf(err)
	status := statusOf(code)
	if status >= 500 {
		s.opt.Logger.Error("request failed", "method", r.Method, "path", logPath(r), "op", apperr.OpOf(err), "err", err)
	}
	lang := msg.Parse(langOf(r))
	detail, ok := apperr.Render(err, lang)
	if !ok {
		detail = http.StatusText(status)
	}
	if !isAPI(r) {
		s.errorPage(w, r, status, detail)
		return
	}
	p := problemBody{Type: "about:blank", Detail: detail, Code: code}
	var ae *apperr.Error
	if errors.As(err, &ae) && code != apperr.Internal {
		p.Code = problemCode(ae)
		if !langStated(r) {
			// A program that states no language reads the words it
			// always read: a page reason's key in the default language,
			// a lower layer's sentence in English.
			p.Detail = msg.T(lang, ae.Text())
		}
	}
	problem(w, status, p)
}

// langStated reports whether r names a language (the switch's cookie or
// Accept-Language), rather than taking the default.
func langStated(r *http.Request) bool {
	return cookieValue(r, langCookie) != "" || preferredLang(r.Header.Get("Accept-Language")) != ""
}

// problemCode is the code of an API answer for e: the key of its message
// when programs have always read that key as the code (the pages' reasons:
// err.no_page, apply.conflict, …), else the error's code — the sentences
// of the lower layers (error.*) are for people, and their code stays what
// it was before they had keys.
func problemCode(e *apperr.Error) string {
	if k := e.MessageKey(); k != "" && !strings.HasPrefix(k, "error.") {
		return k
	}
	return e.Code
}

// problemBody is an RFC 9457 problem: Code is stable for programs (the
// catalogue key of the message when it has one, else the error's code),
// Detail a sentence in the request's language.
type problemBody struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
}

// problemDetail is the problem of an API answer in lang whose message is
// the catalogue's key (then also its code) or a sentence safe to show.
func (s *server) problemDetail(lang, code, key string) problemBody {
	p := problemBody{Type: "about:blank", Detail: key, Code: code}
	if msg.Has(key) {
		p.Detail, p.Code = msg.T(msg.Parse(lang), key), key
	}
	return p
}

func problem(w http.ResponseWriter, status int, p problemBody) {
	p.Title, p.Status = http.StatusText(status), status
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(p) // plain strings and ints: only the client's going away can fail it
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
	if err := enc.Encode(v); err != nil && !isClientGone(err) {
		// The status line is out: all that is left is to say so in the log.
		slog.Error("web: encode a JSON answer", "type", fmt.Sprintf("%T", v), "err", err)
	}
}

// isClientGone tells a write to a client that has gone from a value that
// does not encode.
func isClientGone(err error) bool {
	var je *json.UnsupportedValueError
	var te *json.UnsupportedTypeError
	var me *json.MarshalerError
	return !errors.As(err, &je) && !errors.As(err, &te) && !errors.As(err, &me)
}

func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hdr := w.Header()
		hdr["X-Content-Type-Options"] = hdrNosniff
		hdr["Referrer-Policy"] = hdrNoReferrer
		hdr["Content-Security-Policy"] = hdrCSP
		h.ServeHTTP(w, r)
	})
}

// Security header values, set on every response; shared, as net/http only
// reads them. Scripts come only from the binary; ECharts sets element
// styles from script, hence style-src 'unsafe-inline' (no inline script is
// ever allowed).
var (
	hdrNosniff    = []string{"nosniff"}
	hdrNoReferrer = []string{"no-referrer"}
	hdrCSP        = []string{"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"}
)

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func (r *statusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (s *server) logRequests(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.opt.Logger.Enabled(r.Context(), slog.LevelDebug) {
			h.ServeHTTP(w, r)
			return
		}
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
