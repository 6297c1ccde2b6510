package web

import (
	"context"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/msg"
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
	lang    msg.Lang
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
	expires := now.Add(c.ttl + rand.N(c.ttl/4+1)) //nolint:gosec // jitter that spreads expiries, not a secret
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

// watch holds a number the database keeps for every server — the
// registry's version (registry.PointsStore.Version), the auth generation
// (Store.AuthGeneration) — as last read, and when to read it next. The
// page path asks for it on every request: atomics, and a lock only for the
// reading, which the first request to find the last one older than the
// poll interval does for all (the others go on with the number they have,
// at most one poll interval old). A server that serves no request reads
// nothing.
type watch struct {
	next    atomic.Int64 // Unix nanoseconds
	value   atomic.Int64
	readOK  atomic.Int64 // Unix nanoseconds of the last successful reading
	reading sync.Mutex

	mu      sync.Mutex
	changed chan struct{} // closed at the next change seen; nil until asked for
}

// current returns the number, read again with read when the last reading
// is older than poll. When it has changed, onChange runs before current
// returns (with the reading lock held: it must be quick), and then those
// waiting on updates are woken. A failed reading keeps the last number,
// and is logged.
func (w *watch) current(ctx context.Context, s *server, at time.Time, name string, poll time.Duration, read func(context.Context) (int64, error), onChange func()) int64 {
	now := at.UnixNano()
	if now < w.next.Load() || !w.reading.TryLock() {
		return w.value.Load()
	}
	defer w.reading.Unlock()
	if now < w.next.Load() { // read meanwhile by another request
		return w.value.Load()
	}
	w.next.Store(now + int64(poll))
	v, err := read(ctx)
	if err != nil {
		if ctx.Err() == nil {
			s.opt.Logger.Warn("reading the "+name, "err", err)
		}
		return w.value.Load()
	}
	first := w.readOK.Swap(now) == 0
	if v != w.value.Load() {
		onChange()
		w.value.Store(v)
		if first {
			// The first reading is where this server starts, not a
			// change: those waiting on updates wait for a real one.
			return v
		}
		w.mu.Lock()
		if w.changed != nil {
			close(w.changed)
			w.changed = nil
		}
		w.mu.Unlock()
	}
	return v
}

// expire makes the next request read the number again: after a change
// made through this server.
func (w *watch) expire() { w.next.Store(0) }

// updates returns a channel closed when a reading finds the number
// changed (readings happen when requests ask for it: a background task
// that waits on updates asks too, e.g. by calling registryVersion every
// Options.RegistryPoll).
func (w *watch) updates() <-chan struct{} {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.changed == nil {
		w.changed = make(chan struct{})
	}
	return w.changed
}

// registryVersion returns the registry's version as this server last saw
// it, at most Options.RegistryPoll old. Everything cached from the
// registry is keyed on it (personDay, cached.get); when it changes the
// per-person caches are emptied, to free them.
func (s *server) registryVersion(ctx context.Context) int64 {
	return s.registry.current(ctx, s, s.opt.Now(), "registry's version", s.opt.RegistryPoll, s.st.Version, func() {
		s.explains.clear()
		s.pointsPages.clear()
	})
}

// registryUpdates returns a channel closed when this server next sees the
// registry's version change (see watch.updates).
func (s *server) registryUpdates() <-chan struct{} { return s.registry.updates() }

// sessionCacheKey is the key of the session cache: a session as read under an
// auth generation. A sign-out, role change or lock anywhere moves the
// generation, and every session is read again.
type sessionCacheKey struct {
	hash string
	gen  int64
}

// authGeneration returns the auth generation as this server last saw it
// (now being the request's time), at most Options.AuthPoll old; when it
// changes the session cache is emptied.
func (s *server) authGeneration(ctx context.Context, now time.Time) int64 {
	return s.authGen.current(ctx, s, now, "auth generation", s.opt.AuthPoll, s.st.AuthGeneration, s.sessions.clear)
}
