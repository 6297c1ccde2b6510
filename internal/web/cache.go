package web

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newcitizens/rooted/internal/date"
)

// The per-person caches: a citizen's explained points and rendered points
// page are what the portal serves most (BENCHMARKS.md, "Web"). An entry
// depends on the person, the day, the language and the registry, so the
// key holds the registry's version (registry.PointsStore.Version) as read
// at most every Options.RegistryPoll: a change by any process makes every
// older entry unreachable, and the caches are emptied to free them.

// personDay is the key of the per-person caches: a person's points as of
// a day, in an interface language, from a version of the registry.
type personDay struct {
	id      string
	day     date.Date
	lang    string
	version int64
}

// ttlCache keeps values per key for about ttl (each entry for ttl plus up
// to a quarter more, drawn at random, so that entries made together do not
// all expire, and get recomputed, together), at most max of them. Safe for
// concurrent use.
type ttlCache[K comparable, V any] struct {
	ttl time.Duration
	max int // 0: 10,000
	mu  sync.RWMutex
	m   map[K]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v       V
	expires time.Time
}

func (c *ttlCache[K, V]) get(key K) (V, bool) {
	c.mu.RLock()
	e, ok := c.m[key]
	c.mu.RUnlock()
	if !ok || time.Now().After(e.expires) {
		var zero V
		return zero, false
	}
	return e.v, true
}

func (c *ttlCache[K, V]) put(key K, v V) {
	now := time.Now()
	expires := now.Add(c.ttl + rand.N(c.ttl/4+1))
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[K]ttlEntry[V]{}
	}
	if _, ok := c.m[key]; !ok && len(c.m) >= c.limit() {
		c.evict(now)
	}
	c.m[key] = ttlEntry[V]{v, expires}
}

func (c *ttlCache[K, V]) limit() int {
	if c.max <= 0 {
		return 10_000
	}
	return c.max
}

// evict makes room in a full cache: it drops the expired entries, and if
// that frees less than a tenth, entries taken in map order (unspecified,
// in effect arbitrary) until a tenth is free. Called with mu held.
func (c *ttlCache[K, V]) evict(now time.Time) {
	for k, e := range c.m {
		if now.After(e.expires) {
			delete(c.m, k)
		}
	}
	for k := range c.m {
		if len(c.m) < c.limit()-c.limit()/10 {
			break
		}
		delete(c.m, k)
	}
}

func (c *ttlCache[K, V]) drop(key K) {
	c.mu.Lock()
	delete(c.m, key)
	c.mu.Unlock()
}

func (c *ttlCache[K, V]) clear() {
	c.mu.Lock()
	c.m = nil
	c.mu.Unlock()
}

// registryWatch holds the registry's version as last read, and when to
// read it next. The page path reads it on every request: atomics, and a
// lock only for the reading itself.
type registryWatch struct {
	next    atomic.Int64 // Unix nanoseconds
	version atomic.Int64
	reading sync.Mutex
}

// registryVersion returns the registry's version, read again from the
// store when the last reading is older than Options.RegistryPoll (by one
// request; the others go on with the version they have). When it has
// changed, the per-person caches are emptied. A failed reading keeps the
// last version, and is logged: the pages stay served from the caches, at
// worst until their ttl.
func (s *server) registryVersion(ctx context.Context) int64 {
	w := &s.registry
	now := s.opt.Now().UnixNano()
	if now < w.next.Load() || !w.reading.TryLock() {
		return w.version.Load()
	}
	defer w.reading.Unlock()
	if now < w.next.Load() { // read meanwhile by another request
		return w.version.Load()
	}
	w.next.Store(now + int64(s.opt.RegistryPoll))
	v, err := s.st.Version(ctx)
	if err != nil {
		s.opt.Logger.Warn("reading the registry's version", "err", err)
		return w.version.Load()
	}
	if v != w.version.Load() {
		s.explains.clear()
		s.pointsPages.clear()
		w.version.Store(v)
	}
	return v
}
