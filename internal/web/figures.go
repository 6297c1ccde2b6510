package web

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newcitizens/rooted/internal/registry"
)

// The public figures — the aggregate counts of current residents that the
// home page and /api/v1/figures show, and the row counts of
// /api/v1/stats — cost a scan of the registry: about a second on a city of
// a million. No request computes them. A goroutine does (runFigures): at
// start, when the registry's version changes (an import or permits run by
// any process, as registryVersion reads it), when the day changes, and at
// the latest every Options.FiguresTTL; an import through this server
// computes them again before it answers (registryChanged). Requests read
// the last computed figures through an atomic pointer, with the home page
// already rendered, plain and gzipped, in each language; until the first
// computation ends, the home page says that the figures are being prepared
// and the API answers 503.

// publicFigures is one computation of the public figures, with what the
// public pages make of them. Never changed once stored.
type publicFigures struct {
	figures registry.Figures
	stats   map[string]int64
	version int64     // the registry's version, read before the scan
	started time.Time // when the computation started

	home        map[string]cachedPage // the home page for visitors without a session, by language
	figuresJSON cachedPage            // GET /api/v1/figures
	statsJSON   cachedPage            // GET /api/v1/stats
}

// publicState holds the public figures and the public pages that do not
// depend on them, rendered once per language.
type publicState struct {
	cur       atomic.Pointer[publicFigures] // nil until the first computation ends
	ready     chan struct{}                 // closed when cur is first stored
	readyOnce sync.Once
	computing sync.Mutex // one computation at a time, so that a later one is stored last
	done      chan struct{}
	ctx       context.Context // the server's: bounds the computations
	logger    *slog.Logger

	// Pages the same for every visitor without a session, by language.
	preparing     map[string]cachedPage // the home page before the figures are ready
	signIn        map[string]cachedPage // GET /signin without ?next
	citizenSignIn map[string]cachedPage // GET /citizen/signin
	openAPI       cachedPage
}

// startPublic renders the pages that do not depend on the registry and
// starts computing the figures in the background, until ctx is done.
func (s *server) startPublic(ctx context.Context) {
	p := &s.pub
	p.ready, p.done = make(chan struct{}), make(chan struct{})
	p.ctx, p.logger = ctx, s.opt.Logger
	p.preparing = s.perLang("/", "home.html", "home.title", func(string) any { return homeData{} })
	p.signIn = s.perLang("/signin", "signin.html", "signin.title", func(string) any { return signInData{Next: safeNext("")} })
	demo := s.opt.Codes.Demo()
	p.citizenSignIn = s.perLang("/citizen/signin", "citizen_signin.html", "csignin.title", func(string) any { return signInData{DemoNotice: demo} })
	p.openAPI = newCachedJSON(encodeJSON(openAPI()))
	go s.runFigures(ctx)
}

// perLang renders the page tmpl at path in each language, as a visitor
// without a session sees it.
func (s *server) perLang(path, tmpl, titleKey string, data func(lang string) any) map[string]cachedPage {
	m := make(map[string]cachedPage, len(languages))
	for _, lang := range languages {
		page, err := s.renderPage(tmpl, s.anonymousPage(lang, path, titleKey, data(lang)))
		if err != nil {
			panic(err) // a shipped template that does not render: a build error, caught by the tests
		}
		m[lang] = newCachedPage(page)
	}
	return m
}

// runFigures computes the figures whenever they are missing or stale, until
// ctx is done. It looks every Options.RegistryPoll (or FiguresTTL, if
// shorter).
func (s *server) runFigures(ctx context.Context) {
	defer close(s.pub.done)
	tick := time.NewTicker(min(s.opt.RegistryPoll, s.opt.FiguresTTL))
	defer tick.Stop()
	for {
		if s.figuresStale(ctx) {
			s.computeFigures(ctx)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// figuresStale reports whether the figures must be computed again: none
// yet, of another day, older than FiguresTTL, or of an older registry.
func (s *server) figuresStale(ctx context.Context) bool {
	cur := s.pub.cur.Load()
	return cur == nil || cur.figures.AsOf != s.opt.Today() || time.Since(cur.started) >= s.opt.FiguresTTL ||
		s.registryVersion(ctx) > cur.version
}

// computeFigures computes the figures and the pages made of them, and
// stores them for the requests to come. A failure keeps the last figures
// (or the page saying they are being prepared), and is logged; the next
// look tries again.
func (s *server) computeFigures(ctx context.Context) {
	p := &s.pub
	p.computing.Lock()
	defer p.computing.Unlock()
	next, err := s.figuresNow(ctx)
	if err != nil {
		if ctx.Err() == nil { // not the server stopping
			p.logger.Error("computing the public figures", "err", err)
		}
		return
	}
	p.cur.Store(next)
	p.readyOnce.Do(func() { close(p.ready) })
}

func (s *server) figuresNow(ctx context.Context) (*publicFigures, error) {
	started := time.Now()
	// The version is read first: a change made during the scan is seen
	// as a change at the next look.
	version, err := s.st.Version(ctx)
	if err != nil {
		return nil, err
	}
	today := s.opt.Today()
	f, err := s.st.Figures(ctx, today)
	if err != nil {
		return nil, err
	}
	f.AsOf = today
	stats, err := s.st.Stats(ctx)
	if err != nil {
		return nil, err
	}
	next := &publicFigures{figures: f, stats: stats, version: version, started: started}
	next.home = s.perLang("/", "home.html", "home.title", func(lang string) any { return s.homeDataOf(f, lang) })
	next.figuresJSON = newCachedJSON(encodeJSON(figuresBody(f)))
	next.statsJSON = newCachedJSON(encodeJSON(stats))
	return next, nil
}

// refreshFigures computes the figures now, in the caller's goroutine: the
// registry has just been changed through this server. It returns when
// they are stored (or failed, which is logged).
func (s *server) refreshFigures() {
	if s.pub.ctx == nil || s.pub.ctx.Err() != nil {
		return
	}
	s.computeFigures(s.pub.ctx)
}

// currentFigures returns the last computed figures. Before the first
// computation has ended it waits for it, as long as ctx allows: the
// officer's dashboard shows the figures, not a page saying they are
// being prepared. Public pages never wait (s.pub.cur).
func (s *server) currentFigures(ctx context.Context) (registry.Figures, error) {
	if cur := s.pub.cur.Load(); cur != nil {
		return cur.figures, nil
	}
	select {
	case <-s.pub.ready:
		return s.pub.cur.Load().figures, nil
	case <-ctx.Done():
		return registry.Figures{}, ctx.Err()
	}
}

// figuresBody is the answer of GET /api/v1/figures.
func figuresBody(f registry.Figures) any {
	return struct {
		AsOf string `json:"as_of"`
		registry.Figures
	}{f.AsOf.String(), f}
}

// encodeJSON encodes v as writeJSON does.
func encodeJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // figures and the OpenAPI document always encode
	}
	return b.Bytes()
}
