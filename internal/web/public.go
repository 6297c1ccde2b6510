package web

import (
	"context"
	"net/http"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/registry"
)

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	// Healthy means the database answered within healthFresh: the
	// registry's version, which this server polls anyway (at most once a
	// poll however often it is asked), is the reading. When that reading
	// is older or failed, the database is asked now: a server whose
	// database has gone says so within healthFresh.
	now := s.opt.Now()
	s.registryVersion(r.Context())
	if now.UnixNano()-s.registry.readOK.Load() > int64(healthFresh) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		if _, err := s.st.Version(ctx); err != nil {
			s.fail(w, r, apperr.WrapE("web.health", apperr.Internal, err, "error.database_unavailable"))
			return
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

// healthFresh is how old the last good reading of the database may be for
// /healthz to answer without asking it again.
const healthFresh = 2 * time.Second

type homeData struct {
	Ready   bool // false: the figures are being prepared (figures.go)
	Figures registry.Figures
	AsOf    string
	Charts  []chart
}

// homeDataOf is what the home page shows of figures f in lang.
func (s *server) homeDataOf(f registry.Figures, lang string) homeData {
	return homeData{Ready: true, Figures: f, AsOf: f.AsOf.String(), Charts: []chart{
		s.countChart("town", "hbar", msg.T(msg.Parse(lang), "dash.by_town"), "town", lang, f.ByTown, 0),
		s.countChart("age", "bar", msg.T(msg.Parse(lang), "dash.by_age"), "age", lang, f.ByAge, 0),
	}}
}

// home is the public page: aggregate figures only, and the ways to sign
// in. It never waits for the figures: it shows the last computed ones, or
// says that they are being prepared. A visitor without a session gets the
// page rendered when the figures were computed.
func (s *server) home(w http.ResponseWriter, r *http.Request) {
	cur, lang := s.pub.cur.Load(), langOf(r)
	if sessionOf(r) == nil {
		if cur != nil {
			cur.home[lang].write(w, r)
		} else {
			s.pub.preparing[lang].write(w, r)
		}
		return
	}
	var d homeData
	if cur != nil {
		d = s.homeDataOf(cur.figures, lang)
	}
	s.render(w, r, http.StatusOK, "home.html", "home.title", d)
}

// apiFigures answers the last computed figures, or 503 before the first.
func (s *server) apiFigures(w http.ResponseWriter, r *http.Request) {
	if cur := s.pub.cur.Load(); cur != nil {
		cur.figuresJSON.write(w, r)
		return
	}
	s.figuresPreparing(w, r)
}

// apiStats answers the row counts computed with the figures (counting
// every table is a scan of each), or 503 before the first computation.
func (s *server) apiStats(w http.ResponseWriter, r *http.Request) {
	if cur := s.pub.cur.Load(); cur != nil {
		cur.statsJSON.write(w, r)
		return
	}
	s.figuresPreparing(w, r)
}

// figuresPreparing answers an API request for the figures before the
// first computation has ended: 503, try again in a few seconds.
func (s *server) figuresPreparing(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", "5")
	p := s.problemDetail(langOf(r), "unavailable", "home.preparing")
	p.Code = "figures.preparing"
	problem(w, http.StatusServiceUnavailable, p)
}

func (s *server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, apperr.E("web.api", apperr.NotFound, "error.no_api_resource", r.URL.Path))
}
