package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
	"sync"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
)

// The state of sign-in limits and one-time codes lives behind LimitStore
// and CodeStore: in the database (internal/store), where every server of
// a cluster shares it and a restart forgets nothing, or in memory
// (MemoryLimits, MemoryCodes: one process only, for tests). What a
// Limiter or Codes decides is written here once; a store only has to
// apply it atomically.

// LimitRule is what a Limiter allows: Max events per Window, then no more
// for Lockout.
type LimitRule struct {
	Max     int
	Window  time.Duration
	Lockout time.Duration
}

// LimitStore keeps the counts of Limiters. Keys are opaque to it (hashes:
// see Limiter). It is safe for concurrent use, and AddLimitEvent is
// atomic: concurrent events on one key, from this process or any other
// sharing the store, each count exactly once.
type LimitStore interface {
	// AddLimitEvent records one event for key at now under rule, in one
	// atomic step, and returns the instant until which key is then locked
	// out (an instant not after now when it is not locked). The step,
	// for a key whose window started at start with n events:
	//   - while now is before the end of a lockout, nothing changes;
	//   - a key never seen, or whose window is rule.Window old or more,
	//     restarts its window at now with no event;
	//   - the event is counted; at rule.Max events the key is locked until
	//     now+rule.Lockout and its window restarts at now with no event.
	AddLimitEvent(ctx context.Context, key string, now time.Time, rule LimitRule) (lockedUntil time.Time, err error)
	// LimitLockedUntil returns the instant until which key is locked out:
	// the zero time for an unknown key, an instant not after now for a
	// key that is not locked.
	LimitLockedUntil(ctx context.Context, key string) (time.Time, error)
	// ResetLimit forgets key; forgetting an unknown key is no error.
	ResetLimit(ctx context.Context, key string) error
}

// Limiter counts events per key (an account, an ID number, an IP address)
// in a fixed window and locks a key out for a while once it reaches Max
// events. Its counts live in Store: in the database, every server of a
// cluster shares them, so an attacker gets Max tries in all, and a
// restart forgets no lockout. Safe for concurrent use; not to be copied.
type Limiter struct {
	// Name tells apart the limiters sharing a Store (two may count the
	// same key, e.g. an ID number). It must be the same on every server.
	Name    string
	Max     int           // events allowed per Window
	Window  time.Duration // counting window
	Lockout time.Duration // how long a key stays locked after Max events
	Now     func() time.Time
	// Store keeps the counts; nil keeps them in memory, this Limiter's
	// own.
	Store LimitStore
	// Key keys the HMACs that stand for keys in Store; every server of a
	// cluster needs the same one, and it must outlive restarts (or the
	// counts are forgotten). Without a Key, keys are plain SHA-256.
	Key []byte

	mem MemoryLimits
}

func (l *Limiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

func (l *Limiter) store() LimitStore {
	if l.Store != nil {
		return l.Store
	}
	return &l.mem
}

// key returns the hex HMAC-SHA-256 under Key (SHA-256 without one) of the
// limiter's name and k: keys may be ID numbers, which the store then does
// not hold in clear — nor, with a Key, in a form that trying every
// plausible ID number would undo.
func (l *Limiter) key(k string) string { return keyHash(l.Key, l.Name, k) }

// keyHash is the hex HMAC-SHA-256 under key (SHA-256 without one) of name
// and k: what a Limiter or FailureCap named name keeps for k.
func keyHash(key []byte, name, k string) string {
	if len(key) == 0 {
		h := sha256.Sum256([]byte(name + "\x00" + k))
		return hex.EncodeToString(h[:])
	}
	h := hmac.New(sha256.New, key)
	h.Write([]byte(name + "\x00" + k))
	return hex.EncodeToString(h.Sum(nil))
}

// Check returns *ErrLocked while key is locked out, else nil; or the
// store's error. It records nothing.
func (l *Limiter) Check(ctx context.Context, key string) error {
	until, err := l.store().LimitLockedUntil(ctx, l.key(key))
	if err != nil {
		return fmt.Errorf("auth: check %s limit: %w", l.Name, err)
	}
	return lockedOut(until, l.now())
}

// Add records one event for key and returns *ErrLocked when key is (now)
// locked out; or the store's error. Events while key is locked out are
// not counted.
func (l *Limiter) Add(ctx context.Context, key string) error {
	now := l.now()
	k := l.key(key)
	// Whether this event starts a lockout: one read more, on sign-in
	// paths only. Of concurrent events, two may both claim the start.
	before, err := l.store().LimitLockedUntil(ctx, k)
	if err != nil {
		return fmt.Errorf("auth: check %s limit: %w", l.Name, err)
	}
	until, err := l.store().AddLimitEvent(ctx, k, now, LimitRule{Max: l.Max, Window: l.Window, Lockout: l.Lockout})
	if err != nil {
		return fmt.Errorf("auth: add to %s limit: %w", l.Name, err)
	}
	err = lockedOut(until, now)
	var locked *ErrLocked
	if errors.As(err, &locked) {
		locked.Started = !now.Before(before)
	}
	return err
}

// Reset forgets key (after a successful sign-in); it returns the store's
// error.
func (l *Limiter) Reset(ctx context.Context, key string) error {
	if err := l.store().ResetLimit(ctx, l.key(key)); err != nil {
		return fmt.Errorf("auth: reset %s limit: %w", l.Name, err)
	}
	return nil
}

func lockedOut(until, now time.Time) error {
	if now.Before(until) {
		return &ErrLocked{RetryAfter: until.Sub(now)}
	}
	return nil
}

// MemoryLimits is a LimitStore in memory: one process's, forgotten on
// restart. Limiters sharing one share their counts. The zero value is
// ready; safe for concurrent use.
type MemoryLimits struct {
	mu   sync.Mutex
	keys map[string]limitState
}

type limitState struct {
	start  time.Time // of the window
	n      int
	locked time.Time // until
	idle   time.Time // from when the state is as good as none
}

// AddLimitEvent records an event (see LimitStore). It never fails.
func (m *MemoryLimits) AddLimitEvent(ctx context.Context, key string, now time.Time, rule LimitRule) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil {
		m.keys = map[string]limitState{}
	}
	if len(m.keys) > 100_000 {
		m.sweep(now)
	}
	s, ok := m.keys[key]
	if now.Before(s.locked) {
		return s.locked, nil
	}
	if !ok || now.Sub(s.start) >= rule.Window {
		s.start, s.n = now, 0
	}
	s.n++
	if s.n >= rule.Max {
		s.locked, s.start, s.n = now.Add(rule.Lockout), now, 0
	}
	s.idle = later(s.locked, s.start.Add(rule.Window))
	m.keys[key] = s
	return s.locked, nil
}

// LimitLockedUntil returns the end of key's lockout. It never fails.
func (m *MemoryLimits) LimitLockedUntil(ctx context.Context, key string) (time.Time, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.keys[key].locked, nil
}

// ResetLimit forgets key. It never fails.
func (m *MemoryLimits) ResetLimit(ctx context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.keys, key)
	return nil
}

// sweep drops idle keys so memory stays bounded under a spray of keys.
func (m *MemoryLimits) sweep(now time.Time) {
	for k, s := range m.keys {
		if !now.Before(s.idle) {
			delete(m.keys, k)
		}
	}
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Code limits.
const (
	CodeTTL   = 5 * time.Minute
	CodeTries = 5
)

// PendingCode is a one-time code waiting to be used, as a CodeStore keeps
// it: neither the ID number nor the code is in it, only keyed hashes.
type PendingCode struct {
	Subject string    // hex HMAC-SHA-256 of the ID number (the key)
	MAC     string    // hex HMAC-SHA-256 of the ID number and the code
	Issued  time.Time // when the code was sent
	Expires time.Time // the code is refused from then on
	Tries   int       // checks of the code so far, right or wrong
}

// CodeStore keeps citizens' pending one-time codes, one per subject. It is
// safe for concurrent use, by this process or any other sharing it, and
// each method is atomic.
type CodeStore interface {
	// PutCode stores c as the pending code of c.Subject, replacing any
	// earlier one.
	PutCode(ctx context.Context, c PendingCode) error
	// TryCode spends one try of subject's pending code: when there is one
	// that has not expired by now and has had fewer than maxTries tries,
	// its Tries goes up by one and TryCode returns it. Otherwise it
	// returns a not_found error (and removes an expired or spent code).
	// Of concurrent callers, at most maxTries in all get a code.
	TryCode(ctx context.Context, subject string, now time.Time, maxTries int) (PendingCode, error)
	// TakeCode removes subject's pending code if its MAC is mac, and
	// reports whether it did: of concurrent callers, one at most gets
	// true.
	TakeCode(ctx context.Context, subject, mac string) (bool, error)
}

// Codes are the one-time sign-in codes sent to citizens: 6 digits, valid
// for CodeTTL, at most CodeTries checks each, then void. Store keeps only
// keyed hashes of them; in the database, a code sent by one server of a
// cluster is checked by any other. Safe for concurrent use; not to be
// copied.
type Codes struct {
	Now func() time.Time
	// Key keys the HMACs that stand for ID numbers and codes in Store;
	// every server of a cluster needs the same one. Without a Key they are
	// unkeyed hashes, and whoever reads the store can find a code (there
	// are a million) in the minutes it is valid.
	Key []byte
	// Store keeps the pending codes; nil keeps them in memory, these
	// Codes' own.
	Store CodeStore

	mem MemoryCodes
}

func (c *Codes) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Codes) store() CodeStore {
	if c.Store != nil {
		return c.Store
	}
	return &c.mem
}

// mac returns the hex HMAC-SHA-256 of the parts, each ended by a NUL byte
// so that no two lists of parts hash alike.
func (c *Codes) mac(parts ...string) string {
	h := hmac.New(sha256.New, c.Key)
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Issue returns a new code for subject, replacing any earlier one; or the
// store's error.
func (c *Codes) Issue(ctx context.Context, subject string) (string, error) {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000)) // crypto/rand does not fail
	code := fmt.Sprintf("%06d", n.Int64())
	now := c.now()
	p := PendingCode{Subject: c.mac("subject", subject), MAC: c.mac("code", subject, code), Issued: now, Expires: now.Add(CodeTTL)}
	if err := c.store().PutCode(ctx, p); err != nil {
		return "", fmt.Errorf("auth: issue code: %w", err)
	}
	return code, nil
}

// Check consumes subject's code when code matches it: nil then, and the
// code cannot be used again, here or on another server. Otherwise
// ErrSignIn (or the store's error); after CodeTries checks or CodeTTL the
// code is void. Every check spends a try before the comparison, so that
// concurrent guesses cannot outrun the count.
func (c *Codes) Check(ctx context.Context, subject, code string) error {
	key := c.mac("subject", subject)
	p, err := c.store().TryCode(ctx, key, c.now(), CodeTries)
	if apperr.Is(err, apperr.NotFound) {
		return ErrSignIn
	}
	if err != nil {
		return fmt.Errorf("auth: check code: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(c.mac("code", subject, code)), []byte(p.MAC)) != 1 {
		if p.Tries >= CodeTries {
			// Void it now rather than when it expires.
			if _, err := c.store().TakeCode(ctx, key, p.MAC); err != nil {
				return fmt.Errorf("auth: void code: %w", err)
			}
		}
		return ErrSignIn
	}
	took, err := c.store().TakeCode(ctx, key, p.MAC)
	if err != nil {
		return fmt.Errorf("auth: use code: %w", err)
	}
	if !took { // a concurrent check used it first
		return ErrSignIn
	}
	return nil
}

// MemoryCodes is a CodeStore in memory: one process's, forgotten on
// restart. The zero value is ready; safe for concurrent use.
type MemoryCodes struct {
	mu    sync.Mutex
	codes map[string]PendingCode
}

// PutCode stores c. It never fails.
func (m *MemoryCodes) PutCode(ctx context.Context, c PendingCode) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.codes == nil {
		m.codes = map[string]PendingCode{}
	}
	if len(m.codes) > 100_000 {
		for k, p := range m.codes {
			if !c.Issued.Before(p.Expires) {
				delete(m.codes, k)
			}
		}
	}
	m.codes[c.Subject] = c
	return nil
}

// TryCode spends a try of subject's code (see CodeStore).
func (m *MemoryCodes) TryCode(ctx context.Context, subject string, now time.Time, maxTries int) (PendingCode, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	p, ok := m.codes[subject]
	if !ok || !now.Before(p.Expires) || p.Tries >= maxTries {
		delete(m.codes, subject)
		return PendingCode{}, apperr.E("auth.code_get", apperr.NotFound, "error.no_pending_code")
	}
	p.Tries++
	m.codes[subject] = p
	return p, nil
}

// TakeCode removes subject's code if its MAC is mac. It never fails.
func (m *MemoryCodes) TakeCode(ctx context.Context, subject, mac string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if p, ok := m.codes[subject]; !ok || p.MAC != mac {
		return false, nil
	}
	delete(m.codes, subject)
	return true, nil
}

// SignInStore keeps the state of sign-in limits and one-time codes where
// every server of a cluster sees it. internal/store implements it.
type SignInStore interface {
	LimitStore
	CodeStore
	CapStore
	// PurgeSignIn removes the limits and codes that mean nothing any
	// more by now (windows and lockouts over, codes expired; failure
	// counts are kept, see CapStore) and returns how many.
	PurgeSignIn(ctx context.Context, now time.Time) (int64, error)
}
