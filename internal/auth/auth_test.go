package auth

import (
	"errors"
	"strings"
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
	if err := VerifyUser(u, true, "correct horse battery"); err != ErrSignIn {
		t.Errorf("disabled user: %v", err)
	}
	if err := VerifyUser(User{}, false, "x"); err != ErrSignIn {
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
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	l := &Limiter{Max: 3, Window: time.Minute, Lockout: 10 * time.Minute, Now: func() time.Time { return now }}
	for i, want := range []bool{false, false, true} {
		err := l.Add("k")
		var locked *ErrLocked
		if got := errors.As(err, &locked); got != want {
			t.Errorf("event %d: locked %v, want %v", i+1, got, want)
		}
	}
	if l.Check("k") == nil || l.Check("other") != nil {
		t.Error("Check after lockout")
	}
	now = now.Add(11 * time.Minute)
	if l.Check("k") != nil {
		t.Error("still locked after the lockout")
	}
	l.Add("k")
	now = now.Add(2 * time.Minute) // a new window
	l.Add("k")
	if l.Check("k") != nil {
		t.Error("events of an old window counted")
	}
	l.Add("k")
	l.Reset("k")
	l.Add("k")
	if l.Check("k") != nil {
		t.Error("Reset did not forget")
	}
}

func TestCodes(t *testing.T) {
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	c := &Codes{Now: func() time.Time { return now }}
	code := c.Issue("A")
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		t.Fatalf("code %q", code)
	}
	if c.Check("B", code) == nil {
		t.Error("A's code worked for B")
	}
	if c.Check("A", code) != nil {
		t.Error("right code refused")
	}
	if c.Check("A", code) == nil {
		t.Error("a code worked twice")
	}
	code = c.Issue("A")
	for range CodeTries {
		c.Check("A", "x")
	}
	if c.Check("A", code) == nil {
		t.Error("code worked after too many wrong guesses")
	}
	code = c.Issue("A")
	now = now.Add(CodeTTL + time.Second)
	if c.Check("A", code) == nil {
		t.Error("expired code worked")
	}
}
