package auth

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestFailureCapOutlastsWindows drives a Limiter (5 per 15 minutes, then
// 15 minutes locked) and a FailureCap of 100 with a clock the test moves:
// the windows come and go, the cap does not. Only Reset lifts it.
func TestFailureCapOutlastsWindows(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	l := &Limiter{Name: "wrong-code", Max: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute, Now: clock}
	c := &FailureCap{Name: "wrong-code-total", Max: CitizenFailureCap, Now: clock}
	const id = "520102198503033311"
	var lockouts, capped int
	for round := 0; capped == 0; round++ {
		if round > 100 {
			t.Fatal("never capped")
		}
		if err := errors.Join(l.Check(ctx, id), c.Check(ctx, id)); err != nil {
			t.Fatalf("round %d: refused before guessing: %v", round, err)
		}
		for i := range 5 {
			err := l.Add(ctx, id)
			var locked *ErrLocked
			if errors.As(err, &locked) && locked.Started {
				lockouts++
			} else if i == 4 {
				t.Fatalf("round %d: the fifth failure did not start a lockout: %v", round, err)
			}
			if _, err := c.Fail(ctx, id); errors.Is(err, ErrCapped) {
				capped++
			}
		}
		now = now.Add(16 * time.Minute)
	}
	if n, _, _ := c.Failures(ctx, id); n != CitizenFailureCap || lockouts != CitizenFailureCap/5 {
		t.Errorf("%d failures in %d lockouts, want %d in %d", n, lockouts, CitizenFailureCap, CitizenFailureCap/5)
	}
	// A week later the window's limit has long forgotten; the cap has not.
	now = now.Add(7 * 24 * time.Hour)
	if err := l.Check(ctx, id); err != nil {
		t.Errorf("the window's lockout a week later: %v", err)
	}
	if err := c.Check(ctx, id); !errors.Is(err, ErrCapped) {
		t.Errorf("the cap a week later: %v, want ErrCapped", err)
	}
	if had, err := c.Reset(ctx, id); !had || err != nil {
		t.Fatalf("Reset = %v, %v", had, err)
	}
	if err := c.Check(ctx, id); err != nil {
		t.Errorf("after Reset: %v", err)
	}
	act, _ := c.Activity(ctx, now.Add(-time.Hour))
	if act.Capped != 0 || act.MassAttempt() {
		t.Errorf("activity after the reset: %+v", act)
	}
}
