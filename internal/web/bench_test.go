package web

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/store"
)

// TestWriteBenchSessions prepares the load benchmark of BENCHMARKS-web.md:
// with ROOTED_BENCH_DB naming a demo database, it signs in every 100th
// person of the registry (as a citizen session, straight in the store,
// valid two hours) and writes a wrk script that spreads requests for
// /me/points over those sessions to ROOTED_BENCH_SCRIPT. Skipped without
// ROOTED_BENCH_DB.
func TestWriteBenchSessions(t *testing.T) {
	dsn, script := os.Getenv("ROOTED_BENCH_DB"), os.Getenv("ROOTED_BENCH_SCRIPT")
	if dsn == "" || script == "" {
		t.Skip("set ROOTED_BENCH_DB and ROOTED_BENCH_SCRIPT to prepare the load benchmark")
	}
	ctx := context.Background()
	st, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var ids []string
	n := 0
	if err := st.ForEachPersonID(ctx, func(id string) error {
		if n++; n%100 == 0 {
			ids = append(ids, id)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString("-- wrk script written by TestWriteBenchSessions: GET /me/points as many citizens\nlocal cookies = {\n")
	now := time.Now().UTC().Truncate(time.Millisecond)
	for _, id := range ids {
		token, hash := auth.NewToken()
		if err := st.CreateSession(ctx, auth.Session{Hash: hash, Kind: auth.KindCitizen, Role: auth.Citizen, Subject: id, Created: now, Expires: now.Add(2 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "  %q,\n", sessionCookie+"="+token)
	}
	b.WriteString(`}
local i = math.random(#cookies)
request = function()
  i = i % #cookies + 1
  return wrk.format("GET", "/me/points", { ["Cookie"] = cookies[i], ["Accept-Language"] = "zh-CN" })
end
`)
	if err := os.WriteFile(script, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d citizen sessions; script %s", len(ids), script)
}

// BenchmarkPointsPage is the citizen points page, served from the caches
// (session and explanation) as at steady load.
func BenchmarkPointsPage(b *testing.B) {
	e := newTestEnv(b, "")
	cookie := e.signInCitizen(&testing.T{}, person)
	b.ReportAllocs()
	for b.Loop() {
		w := do(&testing.T{}, e.h, "GET", "/me/points", "", "Cookie", cookie)
		if w.Code != 200 {
			b.Fatal(w.Code)
		}
	}
}

// discardWriter is a ResponseWriter that keeps nothing but the status, so
// that BenchmarkPointsPageChain measures rooted's handler chain alone.
type discardWriter struct {
	h      http.Header
	status int
	n      int
}

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) WriteHeader(code int)        { w.status = code }
func (w *discardWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// BenchmarkPointsPageChain is BenchmarkPointsPage without the test
// recorder's costs: one request, replayed, into a writer that discards the
// page, as a browser would send it (gzip accepted, zh-CN).
func BenchmarkPointsPageChain(b *testing.B) {
	e := newTestEnv(b, "")
	cookie := e.signInCitizen(&testing.T{}, person)
	r := httptest.NewRequest("GET", "/me/points", nil)
	r.Header.Set("Cookie", cookie)
	r.Header.Set("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		clear(w.h)
		w.status = 0
		e.h.ServeHTTP(w, r)
		if w.status != 0 && w.status != 200 {
			b.Fatal(w.status)
		}
	}
}

// publicPages are the pages and resources anyone may fetch, as
// scripts/bench-web.sh loads them.
var publicPages = []string{
	"/",
	"/signin",
	"/citizen/signin",
	"/api/v1/figures",
	"/api/v1/stats",
	"/api/v1/openapi.json",
	"/healthz",
	"/static/rooted.css",
}

// BenchmarkPublicPages is each public page through the whole handler
// chain into a writer that discards it, as a browser without a session
// asks for it (gzip accepted, zh-CN), at steady load: the figures already
// computed once.
func BenchmarkPublicPages(b *testing.B) {
	e := newTestEnv(b, "")
	for _, path := range publicPages {
		name := strings.TrimPrefix(strings.ReplaceAll(path, "/", "_"), "_")
		if path == "/" {
			name = "home"
		}
		b.Run(name, func(b *testing.B) {
			r := httptest.NewRequest("GET", path, nil)
			r.Header.Set("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8")
			r.Header.Set("Accept-Encoding", "gzip, deflate, br")
			w := &discardWriter{h: http.Header{}}
			e.h.ServeHTTP(w, r) // the first view fills what is cached
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				w.status = 0
				e.h.ServeHTTP(w, r)
				if w.status != 0 && w.status != 200 {
					b.Fatal(path, w.status)
				}
			}
		})
	}
}
