package auth

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
)

// A Limiter's lockout ends: five wrong one-time codes per 15 minutes, then
// 15 minutes locked, and the count starts again — about 480 guesses a day
// against one account, for ever. A FailureCap bounds the total: it counts
// consecutive failures per account across every window, and at Max the
// account stays locked until a successful sign-in (before the cap) or an
// officer resets it (NIST SP 800-63B §5.2.2: at most 100).

// CitizenFailureCap is the cap on consecutive wrong one-time codes for one
// ID number.
const CitizenFailureCap = 100

// ErrCapped is the answer for an account locked at its FailureCap: only an
// officer can unlock it.
var ErrCapped = apperr.E("auth.signin", apperr.Forbidden, "signin.capped")

// CapStore keeps the counts of FailureCaps. Keys are opaque to it (keyed
// hashes, as a Limiter's). It is safe for concurrent use, by this process
// or any other sharing it, and AddFailure is atomic: concurrent failures
// each count once.
type CapStore interface {
	// AddFailure counts one failure of key at now, in one atomic step, and
	// returns key's consecutive failures so far and whether key is capped:
	// it becomes capped when its failures reach max, and stays capped
	// until ResetFailures. It also counts the failure for SignInActivity.
	AddFailure(ctx context.Context, key string, now time.Time, max int) (failures int, capped bool, err error)
	// Failures returns key's consecutive failures and whether it is
	// capped; 0 and false for an unknown key.
	Failures(ctx context.Context, key string) (failures int, capped bool, err error)
	// ResetFailures forgets key, and reports whether there was anything to
	// forget.
	ResetFailures(ctx context.Context, key string) (bool, error)
	// SignInActivity counts the failures since an instant and the accounts
	// now capped (see SignInActivity).
	SignInActivity(ctx context.Context, since time.Time) (SignInActivity, error)
}

// SignInActivity is what officers see of failed sign-ins, to notice a mass
// attempt across many accounts: no account is named.
type SignInActivity struct {
	Since    time.Time
	Failures int // failed sign-ins since Since
	Accounts int // accounts with a failed sign-in since Since
	Capped   int // accounts locked at their cap now, whenever they got there
}

// MassAttempt reports whether a reads like an attack across many accounts
// rather than people mistyping: more than massAccounts accounts with a
// failure, or any account capped.
func (a SignInActivity) MassAttempt() bool { return a.Accounts > massAccounts || a.Capped > 0 }

// massAccounts is how many accounts with a failed code in an hour a city
// sees from mistyping alone (a guess: tens on an enrollment morning); above
// it officers are warned.
const massAccounts = 50

// FailureCap counts consecutive failures per key (an account) and refuses
// a key from Max failures on, until Reset. Its counts live in Store, shared
// by every server of a cluster. Safe for concurrent use; not to be copied.
type FailureCap struct {
	// Name tells apart the caps sharing a Store; the same on every server.
	Name string
	Max  int
	Now  func() time.Time
	// Store keeps the counts; nil keeps them in memory, this cap's own.
	Store CapStore
	// Key keys the HMACs that stand for keys in Store, as Limiter.Key.
	Key []byte

	mem MemoryCaps
}

func (c *FailureCap) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *FailureCap) store() CapStore {
	if c.Store != nil {
		return c.Store
	}
	return &c.mem
}

// Check returns ErrCapped when key is at its cap, else nil; or the
// store's error. It records nothing.
func (c *FailureCap) Check(ctx context.Context, key string) error {
	_, capped, err := c.store().Failures(ctx, keyHash(c.Key, c.Name, key))
	if err != nil {
		return fmt.Errorf("auth: check %s cap: %w", c.Name, err)
	}
	if capped {
		return ErrCapped
	}
	return nil
}

// Failures returns key's consecutive failures and whether it is at its
// cap; or the store's error.
func (c *FailureCap) Failures(ctx context.Context, key string) (int, bool, error) {
	n, capped, err := c.store().Failures(ctx, keyHash(c.Key, c.Name, key))
	if err != nil {
		return 0, false, fmt.Errorf("auth: %s cap: %w", c.Name, err)
	}
	return n, capped, nil
}

// Fail counts one failure of key and returns its consecutive failures so
// far, and ErrCapped when key is (now) at its cap; or the store's error.
func (c *FailureCap) Fail(ctx context.Context, key string) (int, error) {
	n, capped, err := c.store().AddFailure(ctx, keyHash(c.Key, c.Name, key), c.now(), c.Max)
	if err != nil {
		return n, fmt.Errorf("auth: count %s failure: %w", c.Name, err)
	}
	if capped {
		return n, ErrCapped
	}
	return n, nil
}

// Reset forgets key's failures — after a successful sign-in, or by an
// officer — and reports whether there were any; or the store's error.
func (c *FailureCap) Reset(ctx context.Context, key string) (bool, error) {
	had, err := c.store().ResetFailures(ctx, keyHash(c.Key, c.Name, key))
	if err != nil {
		return false, fmt.Errorf("auth: reset %s cap: %w", c.Name, err)
	}
	return had, nil
}

// Activity returns the failures counted since since.
func (c *FailureCap) Activity(ctx context.Context, since time.Time) (SignInActivity, error) {
	a, err := c.store().SignInActivity(ctx, since)
	if err != nil {
		return a, fmt.Errorf("auth: sign-in activity: %w", err)
	}
	a.Since = since
	return a, nil
}

// MemoryCaps is a CapStore in memory: one process's, forgotten on
// restart. The zero value is ready; safe for concurrent use.
type MemoryCaps struct {
	mu     sync.Mutex
	keys   map[string]capState
	events []time.Time // of failures, oldest first; a day's at most
}

type capState struct {
	failures int
	last     time.Time
	capped   bool
}

// AddFailure counts a failure (see CapStore). It never fails.
func (m *MemoryCaps) AddFailure(ctx context.Context, key string, now time.Time, max int) (int, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil {
		m.keys = map[string]capState{}
	}
	s := m.keys[key]
	s.failures++
	s.last = now
	s.capped = s.capped || s.failures >= max
	m.keys[key] = s
	for len(m.events) > 0 && now.Sub(m.events[0]) > 24*time.Hour {
		m.events = m.events[1:]
	}
	m.events = append(m.events, now)
	return s.failures, s.capped, nil
}

// Failures returns key's count. It never fails.
func (m *MemoryCaps) Failures(ctx context.Context, key string) (int, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.keys[key]
	return s.failures, s.capped, nil
}

// ResetFailures forgets key. It never fails.
func (m *MemoryCaps) ResetFailures(ctx context.Context, key string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	_, ok := m.keys[key]
	delete(m.keys, key)
	return ok, nil
}

// SignInActivity counts failures since since. It never fails.
func (m *MemoryCaps) SignInActivity(ctx context.Context, since time.Time) (SignInActivity, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var a SignInActivity
	for _, t := range m.events {
		if !t.Before(since) {
			a.Failures++
		}
	}
	for _, s := range m.keys {
		if !s.last.Before(since) {
			a.Accounts++
		}
		if s.capped {
			a.Capped++
		}
	}
	return a, nil
}
