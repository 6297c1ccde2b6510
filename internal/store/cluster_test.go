package store

import (
	"bytes"
	"sync"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
)

// TestClusterStore runs the tests of what the servers of a cluster share
// beyond sessions and limits against each engine. Each test opens its
// database twice, as two servers do.
func TestClusterStore(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			for _, tt := range []struct {
				name string
				fn   func(t *testing.T, a, b *DB)
			}{
				{"AuthGeneration", testAuthGeneration},
				{"Secret", testSecret},
				{"FailureCap", testFailureCap},
			} {
				t.Run(tt.name, func(t *testing.T) {
					dsn := e.dsn(t)
					tt.fn(t, mustOpen(t, dsn), mustOpen(t, dsn))
				})
			}
		})
	}
}

// testAuthGeneration: a sign-out, a role change and a lock on one server
// each end sessions and bump the generation the other reads; a sign-out of
// a session that is gone already, and a failed change, do not.
func testAuthGeneration(t *testing.T, a, b *DB) {
	gen := func() int64 {
		t.Helper()
		n, err := b.AuthGeneration(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	now := time.Now().UTC().Truncate(time.Millisecond)
	u, err := a.CreateUser(ctx, auth.User{Name: "wang", Role: auth.Police, PasswordHash: "h"})
	if err != nil {
		t.Fatal(err)
	}
	session := func() string {
		t.Helper()
		_, hash := auth.NewToken()
		if err := a.CreateSession(ctx, auth.Session{Hash: hash, Kind: auth.KindOfficer, UserID: u.ID, Name: u.Name, Role: u.Role, Created: now, Expires: now.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		return hash
	}
	gone := func(hash string) bool {
		_, err := b.Session(ctx, hash, now)
		return apperr.Is(err, apperr.NotFound)
	}
	g0 := gen()
	h := session()
	if gen() != g0 {
		t.Errorf("a sign-in changed the generation")
	}
	if err := a.DeleteSession(ctx, h); err != nil {
		t.Fatal(err)
	}
	g1 := gen()
	if g1 <= g0 || !gone(h) {
		t.Errorf("sign-out: generation %d → %d, session gone %v", g0, g1, gone(h))
	}
	if err := a.DeleteSession(ctx, h); err != nil || gen() != g1 {
		t.Errorf("a second sign-out: %v, generation %d → %d", err, g1, gen())
	}
	h = session()
	if err := a.SetUserRole(ctx, "wang", auth.Auditor); err != nil {
		t.Fatal(err)
	}
	g2 := gen()
	if got, _ := b.UserByName(ctx, "wang"); g2 <= g1 || !gone(h) || got.Role != auth.Auditor {
		t.Errorf("role change: generation %d → %d, session gone %v, role %s", g1, g2, gone(h), got.Role)
	}
	h = session()
	if err := a.SetUserDisabled(ctx, "wang", true); err != nil {
		t.Fatal(err)
	}
	g3 := gen()
	if got, _ := b.UserByName(ctx, "wang"); g3 <= g2 || !gone(h) || !got.Disabled {
		t.Errorf("lock: generation %d → %d, session gone %v, disabled %v", g2, g3, gone(h), got.Disabled)
	}
	if err := a.SetUserDisabled(ctx, "wang", false); err != nil {
		t.Fatal(err)
	}
	if got, _ := b.UserByName(ctx, "wang"); got.Disabled {
		t.Errorf("unlock: still disabled")
	}
	g4 := gen()
	for _, err := range []error{a.SetUserRole(ctx, "nobody", auth.Admin), a.SetUserDisabled(ctx, "nobody", true)} {
		if !apperr.Is(err, apperr.NotFound) {
			t.Errorf("change of a missing user: %v, want not_found", err)
		}
	}
	if err := a.SetUserRole(ctx, "wang", "mayor"); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("unknown role: %v, want invalid", err)
	}
	if gen() != g4 {
		t.Errorf("failed changes moved the generation %d → %d", g4, gen())
	}
}

// testSecret: concurrent first readers on two servers get one secret, and
// it outlives a reopening of the database.
func testSecret(t *testing.T, a, b *DB) {
	var wg sync.WaitGroup
	got := make([][]byte, 8)
	errs := make([]error, 8)
	for i := range got {
		db := a
		if i%2 == 1 {
			db = b
		}
		wg.Go(func() { got[i], errs[i] = db.Secret(ctx, "seal", 32) })
	}
	wg.Wait()
	for i := range got {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if len(got[i]) != 32 || !bytes.Equal(got[i], got[0]) {
			t.Fatalf("reader %d got %x, reader 0 %x", i, got[i], got[0])
		}
	}
	other, err := a.Secret(ctx, "other", 32)
	if err != nil || bytes.Equal(other, got[0]) {
		t.Errorf("a second secret: %x, %v; want its own", other, err)
	}
}

// testFailureCap: failures count across servers up to the cap, which
// holds however much time passes, until a reset; officers see the counts.
func testFailureCap(t *testing.T, a, b *DB) {
	t0 := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	for i := 1; i <= 4; i++ {
		db := a
		if i%2 == 0 {
			db = b
		}
		n, capped, err := db.AddFailure(ctx, "k1", t0.Add(time.Duration(i)*time.Hour), 3)
		if err != nil || n != i || capped != (i >= 3) {
			t.Fatalf("failure %d: %d, capped %v, %v", i, n, capped, err)
		}
	}
	if _, _, err := a.AddFailure(ctx, "k2", t0.Add(4*time.Hour), 3); err != nil {
		t.Fatal(err)
	}
	if n, capped, err := b.Failures(ctx, "k1"); n != 4 || !capped || err != nil {
		t.Errorf("Failures(k1) = %d, %v, %v; want 4, capped", n, capped, err)
	}
	if n, capped, err := b.Failures(ctx, "unknown"); n != 0 || capped || err != nil {
		t.Errorf("Failures(unknown) = %d, %v, %v", n, capped, err)
	}
	act, err := b.SignInActivity(ctx, t0.Add(3*time.Hour))
	if err != nil || act.Failures != 3 || act.Accounts != 2 || act.Capped != 1 {
		t.Errorf("SignInActivity = %+v, %v; want 3 failures, 2 accounts, 1 capped", act, err)
	}
	// Purging expired sign-in state keeps the failures.
	if _, err := a.PurgeSignIn(ctx, t0.Add(30*24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, capped, _ := b.Failures(ctx, "k1"); !capped {
		t.Errorf("a purge lifted the cap")
	}
	if had, err := a.ResetFailures(ctx, "k1"); !had || err != nil {
		t.Errorf("ResetFailures(k1) = %v, %v", had, err)
	}
	if had, err := a.ResetFailures(ctx, "k1"); had || err != nil {
		t.Errorf("ResetFailures(k1) again = %v, %v", had, err)
	}
	if n, capped, _ := b.Failures(ctx, "k1"); n != 0 || capped {
		t.Errorf("after the reset: %d, capped %v", n, capped)
	}
	if act, _ := b.SignInActivity(ctx, t0); act.Capped != 0 || act.Failures != 0 {
		t.Errorf("SignInActivity after a month's purge and the reset = %+v, want nothing", act)
	}
}
