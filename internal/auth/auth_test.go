package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCan(t *testing.T) {
	for _, tt := range []struct {
		role  Role
		scope Scope
		want  bool
	}{
		{Admin, ScopeImport, true},
		{Admin, ScopeUnmask, true},
		{Education, ScopeSchools, true},
		{Education, ScopeEnrollment, true},
		{Education, ScopeHousing, false},
		{Education, ScopeRegistry, false},
		{Housing, ScopeHousing, true},
		{Housing, ScopeSchools, false},
		{Auditor, ScopeRoundsRead, true},
		{Auditor, ScopeAudit, true},
		{Auditor, ScopeEnrollment, false},
		{Auditor, ScopeUnmask, false},
		{Police, ScopeUnmask, true},
		{Police, ScopeImport, false},
		{HRSS, ScopeInsurance, true},
		{Medical, ScopeSchemes, false},
		{Citizen, ScopeDashboard, false},
		{"mayor", ScopeDashboard, false},
	} {
		if got := tt.role.Can(tt.scope); got != tt.want {
			t.Errorf("%s.Can(%s) = %v, want %v", tt.role, tt.scope, got, tt.want)
		}
	}
	for _, r := range OfficerRoles {
		if !r.Can(ScopeDashboard) {
			t.Errorf("%s cannot see the dashboard", r)
		}
	}
}

func TestPassword(t *testing.T) {
	p := Params{Memory: 1024, Time: 1, Threads: 1}
	h := p.Hash("correct horse battery")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=1024,t=1,p=1$") {
		t.Errorf("hash %q", h)
	}
	if h == p.Hash("correct horse battery") {
		t.Error("two hashes of one password are equal: no salt?")
	}
	for _, tt := range []struct {
		hash, pw string
		want     bool
	}{
		{h, "correct horse battery", true},
		{h, "correct horse batterY", false},
		{h, "", false},
		{"", "x", false},
		{"$argon2id$v=19$m=1024,t=1,p=1$!!$!!", "x", false},
		{"$bcrypt$v=19$m=1024,t=1,p=1$c2FsdA$a2V5", "x", false},
		{"$argon2id$v=19$m=1024,t=0,p=1$c2FsdA$a2V5", "x", false},
	} {
		if got := VerifyPassword(tt.hash, tt.pw); got != tt.want {
			t.Errorf("VerifyPassword(%.30q, %q) = %v, want %v", tt.hash, tt.pw, got, tt.want)
		}
	}
	u := User{Name: "a", Role: Admin, PasswordHash: h}
	if err := VerifyUser(u, true, "correct horse battery"); err != nil {
		t.Errorf("VerifyUser: %v", err)
	}
	u.Disabled = true
	if err := VerifyUser(u, true, "correct horse battery"); !errors.Is(err, ErrSignIn) {
		t.Errorf("disabled user: %v", err)
	}
	if err := VerifyUser(User{}, false, "x"); !errors.Is(err, ErrSignIn) {
		t.Errorf("unknown user: %v", err)
	}
	for pw, ok := range map[string]bool{"short": false, "twelve chars": true, " leading space": false, "长密码长密码长密码长密码": true} {
		if err := CheckPassword(pw); (err == nil) != ok {
			t.Errorf("CheckPassword(%q) = %v", pw, err)
		}
	}
}

func TestToken(t *testing.T) {
	a, ha := NewToken()
	b, _ := NewToken()
	if a == b || len(a) != 43 || HashToken(a) != ha || len(ha) != 64 || strings.Contains(ha, a) {
		t.Errorf("tokens %q %q, hash %q", a, b, ha)
	}
}

func TestLimiter(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	l := &Limiter{Name: "test", Max: 3, Window: time.Minute, Lockout: 10 * time.Minute, Now: func() time.Time { return now }}
	for i, want := range []bool{false, false, true} {
		err := l.Add(ctx, "k")
		var locked *ErrLocked
		if got := errors.As(err, &locked); got != want {
			t.Errorf("event %d: locked %v, want %v", i+1, got, want)
		}
		if want && locked.RetryAfter != l.Lockout {
			t.Errorf("retry after %v, want %v", locked.RetryAfter, l.Lockout)
		}
	}
	if l.Check(ctx, "k") == nil || l.Check(ctx, "other") != nil {
		t.Error("Check after lockout")
	}
	now = now.Add(11 * time.Minute)
	if l.Check(ctx, "k") != nil {
		t.Error("still locked after the lockout")
	}
	mustAdd(t, l, "k")
	now = now.Add(2 * time.Minute) // a new window
	mustAdd(t, l, "k")
	if l.Check(ctx, "k") != nil {
		t.Error("events of an old window counted")
	}
	mustAdd(t, l, "k")
	if err := l.Reset(ctx, "k"); err != nil {
		t.Fatal(err)
	}
	mustAdd(t, l, "k")
	if l.Check(ctx, "k") != nil {
		t.Error("Reset did not forget")
	}
}

// TestLimiterShared: limiters over one store share counts by name, as the
// servers of a cluster do over the database.
func TestLimiterShared(t *testing.T) {
	ctx := context.Background()
	st := &MemoryLimits{}
	rule := func(name string) *Limiter {
		return &Limiter{Name: name, Max: 4, Window: time.Minute, Lockout: time.Hour, Store: st}
	}
	a, b, other := rule("send"), rule("send"), rule("verify")
	for _, l := range []*Limiter{a, b, a} {
		if err := l.Add(ctx, "k"); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.Add(ctx, "k"); err != nil {
		t.Errorf("another limiter's events counted: %v", err)
	}
	var locked *ErrLocked
	if err := b.Add(ctx, "k"); !errors.As(err, &locked) {
		t.Errorf("4th event over two limiters: %v, want locked", err)
	}
	if a.Check(ctx, "k") == nil || other.Check(ctx, "k") != nil {
		t.Error("lockout not shared, or shared across names")
	}
	for k := range st.keys {
		if len(k) != 64 || strings.Trim(k, "0123456789abcdef") != "" {
			t.Errorf("key %q kept in clear", k)
		}
	}
}

// TestLimiterKeyed: under a Key, limiters of the same name and key share
// counts, the stored keys are neither the key in clear nor its plain
// SHA-256 (which trying every plausible ID number would undo), and another
// Key counts apart.
func TestLimiterKeyed(t *testing.T) {
	ctx := context.Background()
	st := &MemoryLimits{}
	k1, k2 := []byte("0123456789abcdef0123456789abcdef"), []byte("fedcba9876543210fedcba9876543210")
	limiter := func(key []byte) *Limiter {
		return &Limiter{Name: "send", Max: 2, Window: time.Minute, Lockout: time.Hour, Store: st, Key: key}
	}
	a, b, other, plain := limiter(k1), limiter(k1), limiter(k2), limiter(nil)
	const id = "520102198503033311"
	if err := a.Add(ctx, id); err != nil {
		t.Fatal(err)
	}
	var locked *ErrLocked
	if err := b.Add(ctx, id); !errors.As(err, &locked) {
		t.Fatalf("2nd event over two limiters with the same key: %v, want locked", err)
	}
	if other.Check(ctx, id) != nil || plain.Check(ctx, id) != nil {
		t.Error("a limiter under another key, or none, sees the lockout")
	}
	sum := sha256.Sum256([]byte("send\x00" + id))
	for k := range st.keys {
		if strings.Contains(k, id) || k == hex.EncodeToString(sum[:]) {
			t.Errorf("stored key %q is the ID number or its plain SHA-256", k)
		}
	}
}

func TestLimiterConcurrent(t *testing.T) {
	ctx := context.Background()
	const goroutines, each = 8, 50
	l := &Limiter{Name: "test", Max: goroutines * each, Window: time.Hour, Lockout: time.Hour}
	var locked atomic.Int32
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				if l.Add(ctx, "k") != nil {
					locked.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if got := locked.Load(); got != 1 {
		t.Errorf("%d events saw the lockout, want exactly the last one", got)
	}
}

func TestCodes(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	c := &Codes{Now: func() time.Time { return now }}
	issue := func(subject string) string {
		t.Helper()
		code, err := c.Issue(ctx, subject)
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	code := issue("A")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		t.Fatalf("code %q", code)
	}
	if c.Check(ctx, "B", code) == nil {
		t.Error("A's code worked for B")
	}
	if c.Check(ctx, "A", code) != nil {
		t.Error("right code refused")
	}
	if c.Check(ctx, "A", code) == nil {
		t.Error("a code worked twice")
	}
	code = issue("A")
	for range CodeTries - 1 {
		if c.Check(ctx, "A", "x") == nil {
			t.Fatal("a wrong code accepted")
		}
	}
	if err := c.Check(ctx, "A", code); err != nil {
		t.Errorf("right code after %d wrong ones: %v", CodeTries-1, err)
	}
	code = issue("A")
	for range CodeTries {
		if c.Check(ctx, "A", "x") == nil {
			t.Fatal("a wrong code accepted")
		}
	}
	if c.Check(ctx, "A", code) == nil {
		t.Error("code worked after too many wrong guesses")
	}
	old := issue("A")
	code = issue("A")
	if old != code && c.Check(ctx, "A", old) == nil {
		t.Error("a replaced code worked")
	}
	code = issue("A")
	now = now.Add(CodeTTL)
	if c.Check(ctx, "A", code) == nil {
		t.Error("expired code worked")
	}
	for _, p := range c.mem.codes {
		if strings.Contains(p.Subject, "A") || strings.Contains(p.MAC, code) {
			t.Errorf("pending code %+v holds the subject or code in clear", p)
		}
	}
}

// TestCodesConcurrent: of many concurrent checks of one code, one
// succeeds; of many concurrent wrong guesses, CodeTries are compared.
func TestCodesConcurrent(t *testing.T) {
	ctx := context.Background()
	st := &countingCodes{CodeStore: &MemoryCodes{}}
	c := &Codes{Key: []byte("test key"), Store: st}
	check := func(code string) (ok int32) {
		var n atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				if c.Check(ctx, "A", code) == nil {
					n.Add(1)
				}
			})
		}
		wg.Wait()
		return n.Load()
	}
	code, err := c.Issue(ctx, "A")
	if err != nil {
		t.Fatal(err)
	}
	if got := check(code); got != 1 {
		t.Errorf("%d checks of one code succeeded, want 1", got)
	}
	if _, err := c.Issue(ctx, "A"); err != nil {
		t.Fatal(err)
	}
	st.tries.Store(0)
	if got := check("wrong"); got != 0 {
		t.Errorf("%d wrong guesses succeeded", got)
	}
	if got := st.tries.Load(); got != CodeTries {
		t.Errorf("%d guesses compared, want %d", got, CodeTries)
	}
}

// countingCodes counts the tries a CodeStore grants.
type countingCodes struct {
	CodeStore
	tries atomic.Int32
}

func (c *countingCodes) TryCode(ctx context.Context, subject string, now time.Time, maxTries int) (PendingCode, error) {
	p, err := c.CodeStore.TryCode(ctx, subject, now, maxTries)
	if err == nil {
		c.tries.Add(1)
	}
	return p, err
}

// mustAdd counts one event that must not lock the key.
func mustAdd(t *testing.T, l *Limiter, key string) {
	t.Helper()
	if err := l.Add(context.Background(), key); err != nil {
		t.Fatalf("Add(%q): %v", key, err)
	}
}
