package web

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/registry"
)

// TestPointsFollowRegistry: the points page is served from the cache until
// the registry changes, by any process (here: straight through the store,
// as `rooted import` would, not through this server), and then within
// RegistryPoll.
func TestPointsFollowRegistry(t *testing.T) {
	// The clock is read by the figures' background work too.
	var clock atomic.Int64
	clock.Store(time.Now().UnixNano())
	e := newTestEnv(t, "", func(o *Options) { o.Now = func() time.Time { return time.Unix(0, clock.Load()) } })
	cookie := e.signInCitizen(t, person)
	total := regexp.MustCompile(`id="points-total">([0-9.]+)`)
	points := func() string {
		t.Helper()
		w := do(t, e.h, "GET", "/me/points", "", "Cookie", cookie)
		if w.Code != 200 {
			t.Fatalf("GET /me/points: %d", w.Code)
		}
		m := total.FindStringSubmatch(w.Body.String())
		if m == nil {
			t.Fatalf("no total in the page:\n%s", w.Body)
		}
		return m[1]
	}
	before := points()

	ctx := context.Background()
	b, err := e.st.BeginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.PutFact(ctx, registry.Fact{IDNumber: person, Kind: "blood_donation", Date: date.MustParse("2026-01-10")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(ctx, registry.ImportRun{File: "facts.csv", Kind: "facts"}); err != nil {
		t.Fatal(err)
	}

	if got := points(); got != before {
		t.Fatalf("before RegistryPoll has passed: total %s, want the cached %s", got, before)
	}
	clock.Add(int64(e.s.opt.RegistryPoll))
	after := points()
	if after == before {
		t.Fatalf("after RegistryPoll: total still %s; the blood donation is not counted", after)
	}
	if e.s.pointsPages.len() != 1 {
		t.Errorf("%d cached pages, want only the fresh one", e.s.pointsPages.len())
	}
}

// len counts the entries of c, expired ones included.
func (c *ttlCache[K, V]) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}

func TestTTLCacheBound(t *testing.T) {
	c := ttlCache[int, int]{ttl: time.Hour, max: 100}
	for i := range 1000 {
		c.put(i, i)
		if n := c.len(); n > 100 {
			t.Fatalf("after %d puts: %d entries, max 100", i+1, n)
		}
	}
	if v, ok := c.get(999); !ok || v != 999 {
		t.Errorf("the last entry put: %d, %v", v, ok)
	}
	// Replacing an entry of a full cache evicts nothing.
	n := c.len()
	c.put(999, -1)
	if c.len() != n {
		t.Errorf("replacing an entry: %d entries, was %d", c.len(), n)
	}
	c.clear()
	if _, ok := c.get(999); ok {
		t.Error("an entry survived clear")
	}
}

func TestTTLCacheExpires(t *testing.T) {
	c := ttlCache[string, int]{ttl: time.Millisecond}
	c.put("a", 1)
	if v, ok := c.get("a"); !ok || v != 1 {
		t.Fatalf("fresh entry: %d, %v", v, ok)
	}
	time.Sleep(5 * time.Millisecond) // past ttl plus its quarter
	if _, ok := c.get("a"); ok {
		t.Error("an entry outlived its ttl and a quarter")
	}
}

// TestAbandonedRequestNotAnError: a client that goes away mid-request
// (its context cancelled while the registry is read) is not logged as a
// failure of the server.
func TestAbandonedRequestNotAnError(t *testing.T) {
	var log syncBuilder
	e := newTestEnv(t, "", func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&log, nil)) })
	cookie := e.signInCitizen(t, person)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequestWithContext(ctx, "GET", "/me/points", nil)
	r.Header.Set("Cookie", cookie)
	e.h.ServeHTTP(httptest.NewRecorder(), r)
	if strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("an abandoned request was logged as an error:\n%s", log.String())
	}
	// A real failure still is: the same request, the store closed.
	e.st.Close()
	r = httptest.NewRequest("GET", "/me/points", nil)
	r.Header.Set("Cookie", cookie)
	e.s.pointsPages.clear()
	e.s.explains.clear()
	e.h.ServeHTTP(httptest.NewRecorder(), r)
	if !strings.Contains(log.String(), "level=ERROR") {
		t.Errorf("a failed registry read was not logged as an error:\n%s", log.String())
	}
}

// syncBuilder is a strings.Builder that the server's background work may
// write to (a log) while the test reads it.
type syncBuilder struct {
	mu sync.Mutex
	b  strings.Builder
}

func (b *syncBuilder) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuilder) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}
