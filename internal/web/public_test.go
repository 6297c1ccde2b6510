package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/store"
)

// blockingStore is a store whose Figures waits until released, as a scan
// of a large registry would.
type blockingStore struct {
	*store.DB
	scanning chan struct{} // receives when Figures starts waiting
	release  chan struct{} // closed to let Figures go on
}

func (b *blockingStore) Figures(ctx context.Context, asOf date.Date) (registry.Figures, error) {
	select {
	case b.scanning <- struct{}{}:
	default:
	}
	select {
	case <-b.release:
	case <-ctx.Done():
		return registry.Figures{}, ctx.Err()
	}
	return b.DB.Figures(ctx, asOf)
}

// TestHomeNeverWaits: while the figures are computed, the home page
// answers at once, saying they are being prepared (and the API says 503);
// once computed, both show them.
func TestHomeNeverWaits(t *testing.T) {
	st, err := store.Open(t.Context(), filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	seed(t, st)
	bs := &blockingStore{DB: st, scanning: make(chan struct{}, 1), release: make(chan struct{})}
	ctx, stop := context.WithCancel(context.Background())
	s := newServer(bs, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), WorkDir: t.TempDir(), Context: ctx,
		Today: func() date.Date { return date.MustParse("2026-11-29") }})
	t.Cleanup(func() { stop(); <-s.pub.done })
	h := s.routes()
	<-bs.scanning // the background computation is under way, and waits

	// Each request runs in its own goroutine only so that a page that
	// waited for the scan fails the test instead of hanging it.
	get := func(path string) *httptest.ResponseRecorder {
		t.Helper()
		done := make(chan *httptest.ResponseRecorder, 1)
		go func() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
			done <- w
		}()
		select {
		case w := <-done:
			return w
		case <-time.After(time.Minute):
			t.Fatalf("GET %s waited for the scan of the registry", path)
			return nil
		}
	}
	w := get("/")
	if w.Code != 200 || !strings.Contains(w.Body.String(), msg.T(msg.ZH, "home.preparing")) || strings.Contains(w.Body.String(), `class="charts"`) {
		t.Fatalf("home page while the figures are computed: %d, want 200 saying they are being prepared:\n%s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), "echarts") {
		t.Error("the page without charts loads ECharts")
	}
	for _, path := range []string{"/api/v1/figures", "/api/v1/stats"} {
		if w := get(path); w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
			t.Errorf("GET %s while the figures are computed: %d (Retry-After %q), want 503 with Retry-After", path, w.Code, w.Header().Get("Retry-After"))
		}
	}

	close(bs.release)
	<-s.pub.ready
	w = get("/")
	if w.Code != 200 || !strings.Contains(w.Body.String(), `class="charts"`) || strings.Contains(w.Body.String(), msg.T(msg.ZH, "home.preparing")) {
		t.Fatalf("home page once the figures are computed: %d, want the figures:\n%s", w.Code, w.Body)
	}
	if got := bigNumber(t, w.Body.String()); got != "3" {
		t.Errorf("home page total %s, want 3", got)
	}
	if w := get("/api/v1/figures"); w.Code != 200 || !strings.Contains(w.Body.String(), `"total":3`) {
		t.Errorf("GET /api/v1/figures: %d %s", w.Code, w.Body)
	}
}

var bigNumberRE = regexp.MustCompile(`<p class="big">([0-9,]+) `)

// bigNumber is the total the home page shows.
func bigNumber(t *testing.T, page string) string {
	t.Helper()
	m := bigNumberRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no total in the page:\n%s", page)
	}
	return m[1]
}

// TestFiguresFollowRegistry: a change to the registry by another process
// (straight through the store, as `rooted import` would) shows on the home
// page without a request waiting for it and long before the figures would
// expire: the background work sees the registry's new version.
func TestFiguresFollowRegistry(t *testing.T) {
	e := newTestEnv(t, "", func(o *Options) { o.FiguresTTL, o.RegistryPoll = time.Hour, 10*time.Millisecond })
	home := func() string {
		t.Helper()
		w := do(t, e.h, "GET", "/", "")
		if w.Code != 200 {
			t.Fatalf("GET /: %d", w.Code)
		}
		return bigNumber(t, w.Body.String())
	}
	if got := home(); got != "3" {
		t.Fatalf("total %s before the change, want 3", got)
	}
	ctx := context.Background()
	b, err := e.st.BeginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id := ident.GenerateID("430102", date.MustParse("1991-02-03"), 5)
	if err := b.PutPerson(ctx, registry.Person{IDNumber: id, Name: "新来", BirthDate: date.MustParse("1991-02-03"), Sex: registry.Female, Origin: "430102"}); err != nil {
		t.Fatal(err)
	}
	if err := b.PutResidence(ctx, registry.Residence{IDNumber: id, Town: "daxi", Address: "c", Since: date.MustParse("2025-01-01"), Kind: "rented"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(ctx, registry.ImportRun{File: "t2"}); err != nil {
		t.Fatal(err)
	}
	// The figures expire in an hour; the new ones must come from the
	// change. The deadline only keeps a failure from hanging the test.
	for deadline := time.Now().Add(time.Minute); home() != "4"; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("a minute after the change the home page still shows %s persons, want 4", home())
		}
	}
}

// TestImportRefreshesFigures: an import through the console (a job) has
// the new figures computed before the job ends, whatever the registry's
// polling.
func TestImportRefreshesFigures(t *testing.T) {
	e := newTestEnv(t, "", func(o *Options) { o.FiguresTTL, o.RegistryPoll = time.Hour, time.Hour })
	persons := func() int64 {
		t.Helper()
		w := do(t, e.h, "GET", "/api/v1/stats", "")
		var m map[string]int64
		if w.Code != 200 || json.Unmarshal(w.Body.Bytes(), &m) != nil {
			t.Fatalf("GET /api/v1/stats: %d %s", w.Code, w.Body)
		}
		return m["persons"]
	}
	before := persons()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("files", "persons.csv")
	if err != nil {
		t.Fatal(err)
	}
	a := ident.GenerateID("430102", date.MustParse("1992-04-04"), 17)
	if _, err := io.WriteString(fw, "身份证号,姓名,手机号,学历,户口性质,监护人身份证号\n"+a+",周一,,大专,农业,\n"); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/officer/import", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Cookie", e.signIn(t, "admin"))
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("import: %d %s", w.Code, w.Body)
	}
	e.runJob(t) // the import job, as a server's runner takes it
	if got := persons(); got != before+1 {
		t.Errorf("persons counted right after the import: %d, want %d", got, before+1)
	}
}

// TestPublicPagesAsRendered: the public pages served from bytes rendered
// once are the pages the templates render for the request, plain and
// gzipped, in both languages, with the headers of a rendered page; a
// visitor with a session, or a sign-in page with ?next, gets the page
// rendered for them.
func TestPublicPagesAsRendered(t *testing.T) {
	e := newTestEnv(t, "")
	cur := e.s.pub.cur.Load()
	pages := []struct {
		path, tmpl, title string
		data              func(lang string) any
	}{
		{"/", "home.html", "home.title", func(lang string) any { return e.s.homeDataOf(cur.figures, lang) }},
		{"/signin", "signin.html", "signin.title", func(string) any { return signInData{Next: "/officer"} }},
		{"/citizen/signin", "citizen_signin.html", "csignin.title", func(string) any { return signInData{DemoNotice: e.s.opt.Codes.Demo()} }},
	}
	for _, p := range pages {
		for _, lang := range languages {
			r := httptest.NewRequest("GET", p.path, nil)
			r.Header.Set("Accept-Language", lang)
			want := httptest.NewRecorder()
			e.s.render(want, r, http.StatusOK, p.tmpl, p.title, p.data(lang))
			for _, enc := range []string{"", "gzip"} {
				w := do(t, e.h, "GET", p.path, "", "Accept-Language", lang, "Accept-Encoding", enc)
				body := w.Body.Bytes()
				if enc == "gzip" {
					if w.Header().Get("Content-Encoding") != "gzip" {
						t.Fatalf("%s %s: gzip asked, got %q", p.path, lang, w.Header().Get("Content-Encoding"))
					}
					body = gunzip(t, body)
				}
				if w.Code != 200 || !bytes.Equal(body, want.Body.Bytes()) {
					t.Errorf("%s in %s (Accept-Encoding %q): %d, the page differs from the template's rendering:\n%s\n--- want:\n%s", p.path, lang, enc, w.Code, body, want.Body)
				}
				for _, h := range []string{"Content-Type", "Cache-Control"} {
					if got, want := w.Header().Get(h), want.Header().Get(h); got != want {
						t.Errorf("%s %s: %s %q, want %q", p.path, lang, h, got, want)
					}
				}
				if v := w.Header().Get("Vary"); !strings.Contains(v, "Cookie") || !strings.Contains(v, "Accept-Language") || !strings.Contains(v, "Accept-Encoding") {
					t.Errorf("%s %s: Vary %q", p.path, lang, v)
				}
			}
		}
	}

	// Pages that are not the same for everyone are rendered per request.
	cookie := e.signIn(t, "admin")
	w := do(t, e.h, "GET", "/", "", "Cookie", cookie)
	if w.Code != 200 || !strings.Contains(w.Body.String(), `action="/signout"`) || bigNumber(t, w.Body.String()) != "3" {
		t.Errorf("home page with a session: %d, want the figures and the sign-out button:\n%s", w.Code, w.Body)
	}
	w = do(t, e.h, "GET", "/signin?next=/officer/forecast", "")
	if !strings.Contains(w.Body.String(), `name="next" value="/officer/forecast"`) {
		t.Errorf("sign-in page with ?next lost it:\n%s", w.Body)
	}

	// The JSON answers are those writeJSON gave.
	for _, tt := range []struct {
		path string
		v    any
	}{
		{"/api/v1/figures", figuresBody(cur.figures)},
		{"/api/v1/stats", cur.stats},
		{"/api/v1/openapi.json", openAPI()},
	} {
		want := httptest.NewRecorder()
		writeJSON(want, http.StatusOK, tt.v)
		w := do(t, e.h, "GET", tt.path, "")
		if w.Code != 200 || w.Body.String() != want.Body.String() || w.Header().Get("Content-Type") != want.Header().Get("Content-Type") {
			t.Errorf("GET %s: %d %s, want %s", tt.path, w.Code, w.Body, want.Body)
		}
	}
}

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestHealthzFollowsTheDatabase: /healthz answers from the registry
// version's polled reading while it is fresh (no read per request), and
// says the server is unhealthy once the database stops answering and the
// last good reading is older than healthFresh.
func TestHealthzFollowsTheDatabase(t *testing.T) {
	var mu sync.Mutex
	now := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	e := newTestEnv(t, "", func(o *Options) { o.Now = clock })
	if w := do(t, e.h, "GET", "/healthz", ""); w.Code != http.StatusOK || w.Body.String() != "ok\n" {
		t.Fatalf("healthy: %d %q", w.Code, w.Body.String())
	}
	if err := e.st.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	now = now.Add(healthFresh + time.Second)
	mu.Unlock()
	if w := do(t, e.h, "GET", "/healthz", ""); w.Code == http.StatusOK {
		t.Fatalf("database closed %s ago: %d %q, want an error", healthFresh+time.Second, w.Code, w.Body.String())
	}
}
