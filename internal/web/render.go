package web

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/msg"
)

// page is what every template gets: the language and its messages, who is
// signed in, the navigation, and the page's own data.
type page struct {
	Lang     string // "zh-CN" or "en", for lang attributes
	TitleKey string
	Session  *auth.Session
	Path     string
	Nav      []navItem
	Data     any
	// Sandbox: the banner 演示数据 (demo data) on every page.
	Sandbox bool
}

// T returns the message key in the page's language, formatted with args.
func (p *page) T(key string, args ...any) string { return msg.T(msg.Parse(p.Lang), key, args...) }

// P returns p: templates shared by pages and fragments reach the page
// through .P whether they were given the page or a dict holding it.
func (p *page) P() *page { return p }

// Other is the language the switch offers.
func (p *page) Other() string {
	if p.Lang == langEN {
		return langZH
	}
	return langEN
}

type navItem struct {
	Href, Key string
	Current   bool
}

// officerNav lists the console pages in order with the scope each needs.
var officerNav = []struct {
	href, key string
	scope     auth.Scope
}{
	{"/officer", "nav.dashboard", auth.ScopeDashboard},
	{"/officer/registry", "nav.registry", auth.ScopeRegistry},
	{"/officer/import", "nav.import", auth.ScopeImport},
	{"/officer/schemes", "nav.schemes", auth.ScopeSchemes},
	{"/officer/forecast", "nav.forecast", auth.ScopeSchools},
	{"/officer/housing", "nav.housing", auth.ScopeHousing},
	{"/officer/rounds", "nav.rounds", auth.ScopeRoundsRead},
	{"/officer/audit", "nav.audit", auth.ScopeAudit},
}

var citizenNav = []struct{ href, key string }{
	{"/me/points", "nav.points"},
	{"/me", "nav.registration"},
	{"/me/apply", "nav.apply"},
	{"/me/applications", "nav.applications"},
}

func (s *server) newPage(r *http.Request, titleKey string, data any) *page {
	p := &page{Lang: langOf(r), TitleKey: titleKey, Session: sessionOf(r), Path: r.URL.Path, Data: data, Sandbox: s.opt.Sandbox}
	if sess := p.Session; sess != nil {
		switch sess.Kind {
		case auth.KindOfficer:
			for _, n := range officerNav {
				if sess.Role.Can(n.scope) {
					p.Nav = append(p.Nav, navItem{n.href, n.key, n.href == r.URL.Path})
				}
			}
		case auth.KindCitizen:
			for _, n := range citizenNav {
				p.Nav = append(p.Nav, navItem{n.href, n.key, n.href == r.URL.Path})
			}
		}
	}
	return p
}

// pageFiles are the templates rendered as whole pages, each with
// layout.html.
func pageFiles() ([]string, error) {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		if n != "templates/layout.html" {
			out = append(out, strings.TrimPrefix(n, "templates/"))
		}
	}
	return out, nil
}

func mustParsePages() map[string]*template.Template {
	files, err := pageFiles()
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, f := range files {
		pages[f] = template.Must(template.New(f).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+f))
	}
	return pages
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes the page tmpl (a file of templates/) inside the layout.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, tmpl, titleKey string, data any) {
	s.execute(w, r, status, tmpl, "layout", s.newPage(r, titleKey, data))
}

// fragment writes one named template of tmpl, for htmx to swap in.
func (s *server) fragment(w http.ResponseWriter, r *http.Request, tmpl, name string, data any) {
	s.execute(w, r, http.StatusOK, tmpl, name, s.newPage(r, "", data))
}

func (s *server) execute(w http.ResponseWriter, r *http.Request, status int, tmpl, name string, p *page) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := s.executeTo(buf, tmpl, name, p); err != nil {
		s.opt.Logger.Error("render", "template", tmpl, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	writePage(w, status, buf.Bytes())
}

func (s *server) executeTo(buf *bytes.Buffer, tmpl, name string, p *page) error {
	t, ok := s.pages[tmpl]
	if !ok {
		return fmt.Errorf("web: no template %s", tmpl)
	}
	return t.ExecuteTemplate(buf, name, p)
}

// renderBytes renders a page into a new slice, for caching.
func (s *server) renderBytes(r *http.Request, tmpl, name string, p *page) ([]byte, error) {
	var buf bytes.Buffer
	if err := s.executeTo(&buf, tmpl, name, p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// anonymousPage is the page that newPage makes for a request for path in
// lang without a session: the same for every such visitor, so that it can
// be rendered once, without a request.
func (s *server) anonymousPage(lang, path, titleKey string, data any) *page {
	return &page{Lang: lang, TitleKey: titleKey, Path: path, Data: data, Sandbox: s.opt.Sandbox}
}

// renderPage renders the whole page tmpl (in the layout) into a new slice.
func (s *server) renderPage(tmpl string, p *page) ([]byte, error) {
	var buf bytes.Buffer
	if err := s.executeTo(&buf, tmpl, "layout", p); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// writePage writes a rendered page.
func writePage(w http.ResponseWriter, status int, page []byte) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(page)))
	w.Header().Set("Vary", "Cookie, Accept-Language")
	w.WriteHeader(status)
	w.Write(page)
}

// cachedPage is a rendered page kept with its gzip form, compressed once:
// the citizen pages go to phones on mobile networks, where a page of 7 KB
// becomes under 3 KB, and serving the cached bytes costs no compression.
// Its header values are made once too: the points page and the public
// pages are served at a high rate, and a cached hit allocates nothing of
// its own. It also holds JSON answers (newCachedJSON).
type cachedPage struct {
	plain, gz       []byte
	plainLen, gzLen []string // Content-Length values
	ctype           []string
	vary            []string // nil: no Vary
}

// Header values shared by every cached page. net/http only reads them.
var (
	hdrHTML         = []string{"text/html; charset=utf-8"}
	hdrJSON         = []string{"application/json; charset=utf-8"}
	hdrGzip         = []string{"gzip"}
	hdrVaryPlain    = []string{"Cookie, Accept-Language"}
	hdrVaryGzip     = []string{"Cookie, Accept-Language, Accept-Encoding"}
	hdrVaryEncoding = []string{"Accept-Encoding"}
)

// newCachedPage keeps a rendered page, which varies with the session and
// the language.
func newCachedPage(page []byte) cachedPage {
	return newCachedBody(hdrHTML, page, hdrVaryPlain, hdrVaryGzip)
}

// newCachedJSON keeps a JSON answer that is the same for everyone.
func newCachedJSON(body []byte) cachedPage {
	return newCachedBody(hdrJSON, body, nil, hdrVaryEncoding)
}

// newCachedBody keeps body of type ctype, gzipped too unless it is too
// short to gain; vary is the Vary of the plain-only form, varyGzip that of
// a body kept in both forms.
func newCachedBody(ctype []string, body []byte, vary, varyGzip []string) cachedPage {
	p := cachedPage{plain: body, plainLen: []string{strconv.Itoa(len(body))}, ctype: ctype, vary: vary}
	if len(body) < 512 {
		return p
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if _, err := zw.Write(body); err != nil || zw.Close() != nil {
		return p
	}
	// Either form may be sent, so both vary by Accept-Encoding.
	p.gz, p.gzLen, p.vary = b.Bytes(), []string{strconv.Itoa(b.Len())}, varyGzip
	return p
}

// write sends the page with status 200, gzipped when the client accepts it.
func (p cachedPage) write(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Content-Type"] = p.ctype
	if p.vary != nil {
		h["Vary"] = p.vary
	}
	body := p.plain
	if p.gz != nil && acceptsGzip(r.Header.Get("Accept-Encoding")) {
		h["Content-Encoding"] = hdrGzip
		h["Content-Length"] = p.gzLen
		body = p.gz
	} else {
		h["Content-Length"] = p.plainLen
	}
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

type errorData struct {
	Status  int
	Message string // a catalogue key or a message safe to show
}

// errorPage renders an error as a page with status.
func (s *server) errorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	key := "err.status." + strconv.Itoa(status)
	if !msg.Has(key) {
		key = "err.status.500"
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "error.html", key, errorData{Status: status, Message: message})
}

func (s *server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "err.no_page")
}

func itoa(n int) string { return strconv.Itoa(n) }
