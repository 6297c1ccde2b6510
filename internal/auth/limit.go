package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"fmt"
	"math/big"
	"sync"
	"time"
)

// Limiter counts events per key (an account, an ID number, an IP address)
// in a fixed window and locks a key out for a while once it reaches Max
// events. It is in memory: a restart forgets it, and each server of a
// cluster keeps its own (an attacker gets Max tries per server, which is
// still few). Safe for concurrent use.
type Limiter struct {
	Max     int           // events allowed per Window
	Window  time.Duration // counting window
	Lockout time.Duration // how long a key stays locked after Max events
	Now     func() time.Time

	mu   sync.Mutex
	keys map[string]*limitState
}

type limitState struct {
	start  time.Time // of the window
	n      int
	locked time.Time // until
}

func (l *Limiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// Check returns *ErrLocked while key is locked out, else nil. It records
// nothing.
func (l *Limiter) Check(key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if s := l.keys[key]; s != nil {
		if now := l.now(); now.Before(s.locked) {
			return &ErrLocked{RetryAfter: s.locked.Sub(now)}
		}
	}
	return nil
}

// Add records one event for key and returns *ErrLocked when key is (now)
// locked out.
func (l *Limiter) Add(key string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if l.keys == nil {
		l.keys = map[string]*limitState{}
	}
	if len(l.keys) > 100_000 {
		l.sweep(now)
	}
	s := l.keys[key]
	if s == nil {
		s = &limitState{start: now}
		l.keys[key] = s
	}
	if now.Before(s.locked) {
		return &ErrLocked{RetryAfter: s.locked.Sub(now)}
	}
	if now.Sub(s.start) >= l.Window {
		s.start, s.n = now, 0
	}
	s.n++
	if s.n >= l.Max {
		s.locked, s.start, s.n = now.Add(l.Lockout), now, 0
		return &ErrLocked{RetryAfter: l.Lockout}
	}
	return nil
}

// Reset forgets key (after a successful sign-in).
func (l *Limiter) Reset(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.keys, key)
}

// sweep drops idle keys so memory stays bounded under a spray of keys.
func (l *Limiter) sweep(now time.Time) {
	for k, s := range l.keys {
		if now.After(s.locked) && now.Sub(s.start) >= l.Window {
			delete(l.keys, k)
		}
	}
}

// Codes are the one-time sign-in codes sent to citizens: 6 digits, valid
// for CodeTTL, at most CodeTries wrong guesses each; only their hash is
// kept, in memory. Safe for concurrent use.
type Codes struct {
	Now func() time.Time

	mu    sync.Mutex
	codes map[string]*pendingCode
}

// Code limits.
const (
	CodeTTL   = 5 * time.Minute
	CodeTries = 5
)

type pendingCode struct {
	hash    [32]byte
	expires time.Time
	tries   int
}

func (c *Codes) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// Issue returns a new code for subject, replacing any earlier one.
func (c *Codes) Issue(subject string) string {
	n, _ := rand.Int(rand.Reader, big.NewInt(1_000_000))
	code := fmt.Sprintf("%06d", n.Int64())
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.codes == nil {
		c.codes = map[string]*pendingCode{}
	}
	now := c.now()
	if len(c.codes) > 100_000 {
		for k, p := range c.codes {
			if now.After(p.expires) {
				delete(c.codes, k)
			}
		}
	}
	c.codes[subject] = &pendingCode{hash: sha256.Sum256([]byte(subject + ":" + code)), expires: now.Add(CodeTTL)}
	return code
}

// Check consumes subject's code when code matches it: nil then, and the
// code cannot be used again. Otherwise ErrSignIn, and after CodeTries
// wrong guesses (or CodeTTL) the code is void.
func (c *Codes) Check(subject, code string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.codes[subject]
	if p == nil || c.now().After(p.expires) {
		delete(c.codes, subject)
		return ErrSignIn
	}
	got := sha256.Sum256([]byte(subject + ":" + code))
	if subtle.ConstantTimeCompare(got[:], p.hash[:]) != 1 {
		if p.tries++; p.tries >= CodeTries {
			delete(c.codes, subject)
		}
		return ErrSignIn
	}
	delete(c.codes, subject)
	return nil
}
