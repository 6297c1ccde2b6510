package web

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestSealerRotation: a reference opens under the key that sealed it,
// wherever that key stands in the list (a rotation puts a new key first),
// for sealMaxAge and not after; under other keys, or forged, it does not.
func TestSealerRotation(t *testing.T) {
	clk := newClock()
	k1, k2, k3 := []byte("the first seal key, 32 characters at least"), []byte("the second seal key, after a rotation"), []byte("someone else's key")
	ref := newSealer([][]byte{k1}, clk.Now).seal(person)
	for _, tt := range []struct {
		name  string
		keys  [][]byte
		after time.Duration
		ok    bool
	}{
		{"same key", [][]byte{k1}, 0, true},
		{"rotated: previous key", [][]byte{k2, k1}, time.Hour, true},
		{"rotated: at the end of a page's life", [][]byte{k2, k1}, sealMaxAge - time.Second, true},
		{"rotated: too old", [][]byte{k2, k1}, sealMaxAge + time.Second, false},
		{"previous key dropped", [][]byte{k2}, 0, false},
		{"another deployment", [][]byte{k3}, 0, false},
		{"from the future", [][]byte{k1}, -sealSkew - time.Second, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			at := &clock{now: clk.Now().Add(tt.after)}
			id, err := newSealer(tt.keys, at.Now).open(ref)
			if tt.ok && (err != nil || id != person) {
				t.Errorf("open = %q, %v; want %s", id, err, person)
			}
			if !tt.ok && (err == nil || !strings.Contains(err.Error(), "err.bad_reference")) {
				t.Errorf("open = %q, %v; want err.bad_reference", id, err)
			}
		})
	}
	for _, forged := range []string{"", "bm90LWEtcmVm", ref[:len(ref)-2], "!!"} {
		if _, err := newSealer([][]byte{k1}, clk.Now).open(forged); err == nil {
			t.Errorf("forged reference %q opened", forged)
		}
	}
}

// TestCitizenFailureCap drives a citizen's sign-in with a clock that the
// test moves: wrong codes, five per window then a 15-minute lockout, again
// and again until 100 in a row, after which the account stays locked
// however long one waits — the right code refused too, and no code sent —
// until an officer unlocks it. The person is told at every lockout, and
// once at the cap; officers see the capped account on the audit page. A
// success before the cap starts the count again.
func TestCitizenFailureCap(t *testing.T) {
	c := newCluster(t, t.TempDir()+"/rooted.db")
	a := c.start(t, "A")
	post := func(path string, form url.Values) (int, string) {
		t.Helper()
		code, body, _ := a.send(t, "POST", path, form)
		return code, body
	}
	sendCode := func() (int, string) { return post("/citizen/signin", url.Values{"id": {person}}) }
	verify := func(code string) (int, string) {
		return post("/citizen/verify", url.Values{"id": {person}, "code": {code}})
	}
	wrong := func(code string) string { // a six-digit code that is not code
		if code == "000000" {
			return "000001"
		}
		return "000000"
	}
	// One round of guessing: a code is sent, and five wrong ones lock the
	// window; the clock then moves past the lockout.
	guessRound := func() {
		t.Helper()
		if st, body := sendCode(); st != 200 {
			t.Fatalf("send code: %d %.300s", st, body)
		}
		for range 5 {
			if st, _ := verify(wrong(c.sender.Last(person))); st != http.StatusForbidden && st != http.StatusTooManyRequests {
				t.Fatalf("wrong code: %d", st)
			}
		}
		c.clock.advance(16 * time.Minute)
	}
	failures := func() int {
		n, _, err := a.s.codeCap.Failures(t.Context(), person)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}

	// A success before the cap starts the count again.
	guessRound()
	guessRound()
	if n := failures(); n != 10 {
		t.Fatalf("after two rounds: %d failures, want 10", n)
	}
	sendCode()
	if st, body := verify(c.sender.Last(person)); st != http.StatusSeeOther {
		t.Fatalf("right code after 10 wrong ones: %d %.300s", st, body)
	}
	if n := failures(); n != 0 {
		t.Fatalf("after a success: %d failures, want 0", n)
	}

	for range 20 {
		guessRound()
	}
	if n := failures(); n != 100 {
		t.Fatalf("after 20 rounds: %d failures, want 100", n)
	}
	// Capped: a day later still, the right code is refused and no code is
	// sent.
	c.clock.advance(24 * time.Hour)
	sent := c.sender.Last(person)
	if st, body := sendCode(); st != http.StatusForbidden || !strings.Contains(body, "账户已锁定") {
		t.Errorf("send code when capped: %d %.300s", st, body)
	}
	if c.sender.Last(person) != sent {
		t.Errorf("a code was sent to a capped account")
	}
	if st, _ := verify(sent); st != http.StatusForbidden {
		t.Errorf("the last code sent, when capped: %d, want 403", st)
	}
	want := append(slices.Repeat([]Alert{AlertWrongCodes}, 22), AlertCapped)
	if got := c.sender.Alerts(person); !slices.Equal(got, want) {
		t.Errorf("alerts to the person: %v, want %v", got, want)
	}
	// Officers see it: one capped account, a warning.
	_, audit, _ := a.send(t, "GET", "/officer/audit", nil, "Authorization", "Bearer "+clusterToken)
	if !strings.Contains(audit, `data-capped="1"`) || !strings.Contains(audit, `role="alert"`) {
		t.Errorf("audit page: want one capped account and a warning: %.1500s", audit)
	}

	// An officer unlocks it; the citizen signs in.
	had, err := UnlockCitizen(t.Context(), c.first, c.opt.SignInKey, " "+strings.ToLower(person)+" ")
	if err != nil || !had {
		t.Fatalf("UnlockCitizen = %v, %v", had, err)
	}
	if st, body := sendCode(); st != 200 {
		t.Fatalf("send code after the unlock: %d %.300s", st, body)
	}
	if st, body := verify(c.sender.Last(person)); st != http.StatusSeeOther {
		t.Fatalf("right code after the unlock: %d %.300s", st, body)
	}
	// Codes asked for again and again: sending pauses, and the person is
	// told once.
	c.clock.advance(time.Hour)
	for range 6 {
		sendCode()
	}
	if got := c.sender.Alerts(person); len(got) != len(want)+1 || got[len(want)] != AlertCodesRequested {
		t.Errorf("alerts after codes were asked for 6 times: %v, want one more: %s", got, AlertCodesRequested)
	}
}
