package store

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/registry"
)

// TestAuthStore runs the sign-in store tests against each engine.
func TestAuthStore(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			for _, tt := range []struct {
				name string
				fn   func(t *testing.T, db *DB)
			}{
				{"Users", testUsers},
				{"Sessions", testSessions},
				{"Audit", testAudit},
				{"SearchPersons", testSearchPersons},
			} {
				t.Run(tt.name, func(t *testing.T) { tt.fn(t, mustOpen(t, e.dsn(t))) })
			}
		})
	}
}

func testUsers(t *testing.T, db *DB) {
	u, err := db.CreateUser(ctx, auth.User{Name: "li.wei", Role: auth.Education, PasswordHash: "$argon2id$x"})
	if err != nil || u.ID == 0 {
		t.Fatalf("CreateUser: %+v, %v", u, err)
	}
	if _, err := db.CreateUser(ctx, auth.User{Name: "li.wei", Role: auth.Admin, PasswordHash: "h"}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("duplicate name: %v, want conflict", err)
	}
	if _, err := db.CreateUser(ctx, auth.User{Name: "x", Role: "mayor", PasswordHash: "h"}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("unknown role: %v, want invalid", err)
	}
	got, err := db.UserByName(ctx, "li.wei")
	if err != nil || got.ID != u.ID || got.Role != auth.Education || got.PasswordHash != "$argon2id$x" || got.Disabled || !got.Created.Equal(u.Created) {
		t.Errorf("UserByName: %+v, %v; want %+v", got, err, u)
	}
	if _, err := db.UserByName(ctx, "nobody"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("missing user: %v, want not_found", err)
	}
	if err := db.SetPassword(ctx, "li.wei", "new"); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPassword(ctx, "nobody", "new"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("SetPassword of a missing user: %v", err)
	}
	us, err := db.Users(ctx)
	if err != nil || len(us) != 1 || us[0].PasswordHash != "new" {
		t.Errorf("Users: %+v, %v", us, err)
	}
}

func testSessions(t *testing.T, db *DB) {
	now := time.Now().UTC().Truncate(time.Millisecond)
	_, hash := auth.NewToken()
	s := auth.Session{Hash: hash, Kind: auth.KindCitizen, Role: auth.Citizen, Subject: "520102198503033311", Created: now, Expires: now.Add(time.Hour)}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	got, err := db.Session(ctx, hash, now)
	if err != nil || got != s {
		t.Errorf("Session: %+v, %v; want %+v", got, err, s)
	}
	if _, err := db.Session(ctx, hash, now.Add(2*time.Hour)); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("expired session: %v, want not_found", err)
	}
	if n, err := db.DeleteExpiredSessions(ctx, now.Add(2*time.Hour)); n != 1 || err != nil {
		t.Errorf("DeleteExpiredSessions: %d, %v", n, err)
	}
	if err := db.CreateSession(ctx, s); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSession(ctx, hash); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Session(ctx, hash, now); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("deleted session: %v, want not_found", err)
	}
}

func testAudit(t *testing.T, db *DB) {
	t0 := time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)
	for i, reason := range []string{"appeal 17", "school check"} {
		if err := db.AppendAudit(ctx, auth.AuditEntry{At: t0.Add(time.Duration(i) * time.Minute), Actor: "wang", Role: auth.Police, Action: "unmask", Subject: "520102198503033311", Reason: reason, IP: "10.0.0.1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AppendAudit(ctx, auth.AuditEntry{At: t0, Actor: "wang", Action: "unmask", Reason: " "}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("entry without reason: %v, want invalid", err)
	}
	if err := db.AppendAudit(ctx, auth.AuditEntry{At: t0, Actor: "wang", Action: "unmask", Subject: "520102198503033311", Object: "round r1"}); !apperr.Is(err, apperr.Invalid) {
		t.Errorf("entry about a person without a reason: %v, want invalid", err)
	}
	// An officer's action: an object, no person, no reason.
	if err := db.AppendAudit(ctx, auth.AuditEntry{At: t0.Add(time.Hour), Actor: "li", Role: auth.Education, Action: "round_allocate", Object: "round 2027-grade1-city"}); err != nil {
		t.Fatal(err)
	}
	es, err := db.Audit(ctx, 10)
	if err != nil || len(es) != 3 || es[1].Reason != "school check" || !es[2].At.Equal(t0) || es[1].Role != auth.Police {
		t.Errorf("Audit: %+v, %v", es, err)
	}
	if e := es[0]; e.Action != "round_allocate" || e.Object != "round 2027-grade1-city" || e.Subject != "" || e.Reason != "" {
		t.Errorf("the action read back: %+v", e)
	}
}

func testSearchPersons(t *testing.T, db *DB) {
	a := person(1234, "1990-01-01", registry.Male, "520102")
	a.Name = "张三明"
	b := person(5678, "1991-02-02", registry.Female, "430102")
	b.Name = "李四"
	putPersons(t, db, a, b)
	for _, tt := range []struct {
		q    string
		want []string
	}{
		{"1234", []string{a.IDNumber}},
		{"张三", []string{a.IDNumber}},
		{"四", []string{b.IDNumber}},
		{"9999", nil},
	} {
		ps, err := db.SearchPersons(ctx, tt.q, 10)
		if err != nil {
			t.Fatalf("%q: %v", tt.q, err)
		}
		var got []string
		for _, p := range ps {
			got = append(got, p.IDNumber)
		}
		if len(got) != len(tt.want) || (len(got) > 0 && got[0] != tt.want[0]) {
			t.Errorf("SearchPersons(%q) = %v, want %v", tt.q, got, tt.want)
		}
	}
	for _, q := range []string{"", "%", "a_b"} {
		if _, err := db.SearchPersons(ctx, q, 10); !apperr.Is(err, apperr.Invalid) {
			t.Errorf("SearchPersons(%q): %v, want invalid", q, err)
		}
	}
}

// TestSignInStore runs the tests of the sign-in limits and one-time codes
// against each engine. Each test opens its database twice, as two servers
// of a cluster (or a server and its restarted self) do.
func TestSignInStore(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			for _, tt := range []struct {
				name string
				fn   func(t *testing.T, a, b *DB)
			}{
				{"LimitRule", testLimitRule},
				{"LimitShared", testLimitShared},
				{"LimitConcurrent", testLimitConcurrent},
				{"Codes", testCodes},
				{"CodesConcurrent", testCodesConcurrent},
				{"PurgeSignIn", testPurgeSignIn},
			} {
				t.Run(tt.name, func(t *testing.T) {
					dsn := e.dsn(t)
					tt.fn(t, mustOpen(t, dsn), mustOpen(t, dsn))
				})
			}
		})
	}
}

// signInT0 is the tests' clock at start, whole milliseconds as stored.
var signInT0 = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)

// testLimitRule plays one sequence of events on a Limiter over the
// database and on one in memory: both must give the answers wanted.
func testLimitRule(t *testing.T, a, _ *DB) {
	now := signInT0
	clock := func() time.Time { return now }
	limiter := func(st auth.LimitStore) *auth.Limiter {
		return &auth.Limiter{Name: "test", Max: 3, Window: time.Minute, Lockout: 10 * time.Minute, Now: clock, Store: st}
	}
	stores := []struct {
		name string
		l    *auth.Limiter
	}{{"db", limiter(a)}, {"memory", limiter(&auth.MemoryLimits{})}}
	for i, step := range []struct {
		wait time.Duration
		op   string        // add, check or reset
		want time.Duration // RetryAfter wanted; 0: not locked
	}{
		{0, "add", 0},
		{0, "add", 0},
		{0, "add", 10 * time.Minute}, // the 3rd event locks
		{0, "check", 10 * time.Minute},
		{time.Minute, "add", 9 * time.Minute}, // not counted, not extended
		{10 * time.Minute, "check", 0},
		{0, "add", 0},
		{30 * time.Second, "add", 0},
		{31 * time.Second, "add", 0}, // a new window: this is its 1st
		{0, "add", 0},
		{0, "reset", 0},
		{0, "add", 0},
		{0, "add", 0},
		{0, "add", 10 * time.Minute},
	} {
		now = now.Add(step.wait)
		for _, s := range stores {
			var err error
			switch step.op {
			case "add":
				err = s.l.Add(ctx, "520102198503033311")
			case "check":
				err = s.l.Check(ctx, "520102198503033311")
			case "reset":
				err = s.l.Reset(ctx, "520102198503033311")
			}
			var got time.Duration
			if locked := (*auth.ErrLocked)(nil); errors.As(err, &locked) {
				got = locked.RetryAfter
			} else if err != nil {
				t.Fatalf("step %d, %s: %v", i+1, s.name, err)
			}
			if got != step.want {
				t.Errorf("step %d (%s), %s: locked for %v, want %v", i+1, step.op, s.name, got, step.want)
			}
		}
	}
	// Max 1: the first event locks.
	one := &auth.Limiter{Name: "one", Max: 1, Window: time.Minute, Lockout: time.Hour, Now: clock, Store: a}
	if err := one.Add(ctx, "k"); err == nil || one.Check(ctx, "k") == nil {
		t.Errorf("Max 1: first event %v, want locked", err)
	}
	keys := column(t, a, `SELECT key_sha256 FROM signin_limits`)
	if len(keys) != 2 {
		t.Errorf("signin_limits keys %v, want 2", keys)
	}
	for _, k := range keys {
		if len(k) != 64 || strings.Trim(k, "0123456789abcdef") != "" {
			t.Errorf("signin_limits key %q is not a SHA-256", k)
		}
	}
}

// testLimitShared: two servers count together, and one's lockout holds on
// the other.
func testLimitShared(t *testing.T, a, b *DB) {
	limiter := func(st *DB, name string) *auth.Limiter {
		return &auth.Limiter{Name: name, Max: 5, Window: 15 * time.Minute, Lockout: 15 * time.Minute, Store: st}
	}
	la, lb, other := limiter(a, "password"), limiter(b, "password"), limiter(b, "code")
	for i, l := range []*auth.Limiter{la, lb, la, lb} {
		if err := l.Add(ctx, "li.wei"); err != nil {
			t.Fatalf("event %d: %v", i+1, err)
		}
	}
	var locked *auth.ErrLocked
	if err := la.Add(ctx, "li.wei"); !errors.As(err, &locked) {
		t.Fatalf("5th event over two servers: %v, want locked", err)
	}
	if err := lb.Check(ctx, "li.wei"); !errors.As(err, &locked) {
		t.Errorf("the other server: %v, want locked", err)
	}
	if err := other.Check(ctx, "li.wei"); err != nil {
		t.Errorf("another limiter on the same key: %v, want not locked", err)
	}
	if err := lb.Reset(ctx, "li.wei"); err != nil {
		t.Fatal(err)
	}
	if err := la.Check(ctx, "li.wei"); err != nil {
		t.Errorf("after a reset on the other server: %v", err)
	}
}

// testLimitConcurrent: events from many goroutines on two servers count
// exactly: the lockout comes with the Max-th event, not before or never.
func testLimitConcurrent(t *testing.T, a, b *DB) {
	const goroutines, each = 8, 25
	limiters := []*auth.Limiter{
		{Name: "test", Max: goroutines * each, Window: time.Hour, Lockout: time.Hour, Store: a},
		{Name: "test", Max: goroutines * each, Window: time.Hour, Lockout: time.Hour, Store: b},
	}
	var locked atomic.Int32
	errs := make(chan error, goroutines*each)
	var wg sync.WaitGroup
	for g := range goroutines {
		l := limiters[g%2]
		wg.Go(func() {
			for range each {
				var le *auth.ErrLocked
				switch err := l.Add(ctx, "k"); {
				case errors.As(err, &le):
					locked.Add(1)
				case err != nil:
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got := locked.Load(); got != 1 {
		t.Errorf("%d of %d events saw the lockout, want exactly the last one", got, goroutines*each)
	}
}

// testCodes: a code issued by one server is checked by another, once;
// expired, replaced and overtried codes fail; the table holds neither the
// ID number nor the code.
func testCodes(t *testing.T, a, b *DB) {
	const id = "520102198503033311"
	now := signInT0
	clock := func() time.Time { return now }
	key := []byte("cluster key")
	ca := &auth.Codes{Now: clock, Key: key, Store: a}
	cb := &auth.Codes{Now: clock, Key: key, Store: b}
	issue := func(c *auth.Codes) string {
		t.Helper()
		code, err := c.Issue(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		return code
	}
	code := issue(ca)
	for _, col := range column(t, a, `SELECT subject_hmac || ' ' || code_hmac FROM signin_codes`) {
		if strings.Contains(col, id) || strings.Contains(col, code) || strings.Contains(col, id[len(id)-6:]) {
			t.Errorf("signin_codes holds %q", col)
		}
	}
	if err := cb.Check(ctx, "110101199003070011", code); !errors.Is(err, auth.ErrSignIn) {
		t.Errorf("another number's code: %v, want ErrSignIn", err)
	}
	if err := (&auth.Codes{Now: clock, Key: []byte("other key"), Store: b}).Check(ctx, id, code); !errors.Is(err, auth.ErrSignIn) {
		t.Errorf("checked under another key: %v, want ErrSignIn", err)
	}
	if err := cb.Check(ctx, id, code); err != nil {
		t.Errorf("code issued by one server, checked by another: %v", err)
	}
	for _, c := range []*auth.Codes{ca, cb} {
		if err := c.Check(ctx, id, code); !errors.Is(err, auth.ErrSignIn) {
			t.Errorf("a used code: %v, want ErrSignIn", err)
		}
	}

	code = issue(ca)
	now = now.Add(auth.CodeTTL)
	if err := cb.Check(ctx, id, code); !errors.Is(err, auth.ErrSignIn) {
		t.Errorf("an expired code: %v, want ErrSignIn", err)
	}
	if n := len(column(t, a, `SELECT code_hmac FROM signin_codes`)); n != 0 {
		t.Errorf("the expired code was touched and kept (%d rows)", n)
	}

	code = issue(ca)
	for i := range auth.CodeTries - 1 {
		if err := []*auth.Codes{ca, cb}[i%2].Check(ctx, id, "000000"+code); !errors.Is(err, auth.ErrSignIn) {
			t.Errorf("wrong code: %v", err)
		}
	}
	if err := ca.Check(ctx, id, code); err != nil {
		t.Errorf("right code after %d wrong ones: %v", auth.CodeTries-1, err)
	}

	code = issue(cb)
	for i := range auth.CodeTries {
		if err := []*auth.Codes{ca, cb}[i%2].Check(ctx, id, "000000"+code); !errors.Is(err, auth.ErrSignIn) {
			t.Fatalf("wrong code %d: %v, want ErrSignIn", i+1, err)
		}
	}
	if err := ca.Check(ctx, id, code); !errors.Is(err, auth.ErrSignIn) {
		t.Errorf("right code after %d wrong ones: %v, want ErrSignIn", auth.CodeTries, err)
	}
	if n := len(column(t, a, `SELECT code_hmac FROM signin_codes`)); n != 0 {
		t.Errorf("an overtried code is kept (%d rows)", n)
	}

	old := issue(ca)
	code = issue(cb)
	if old != code {
		if err := ca.Check(ctx, id, old); !errors.Is(err, auth.ErrSignIn) {
			t.Errorf("a replaced code: %v, want ErrSignIn", err)
		}
	}
	if err := ca.Check(ctx, id, code); err != nil {
		t.Errorf("the code that replaced it: %v", err)
	}
}

// testCodesConcurrent: of concurrent checks of one code on two servers,
// one succeeds; of concurrent wrong guesses, CodeTries are compared.
func testCodesConcurrent(t *testing.T, a, b *DB) {
	const id, checks = "520102198503033311", 16
	sa, sb := &countingCodes{CodeStore: a}, &countingCodes{CodeStore: b}
	codes := []*auth.Codes{{Key: []byte("k"), Store: sa}, {Key: []byte("k"), Store: sb}}
	check := func(code string) int32 {
		var ok atomic.Int32
		errs := make(chan error, checks)
		var wg sync.WaitGroup
		for i := range checks {
			wg.Go(func() {
				switch err := codes[i%2].Check(ctx, id, code); {
				case err == nil:
					ok.Add(1)
				case errors.Is(err, auth.ErrSignIn):
				default:
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		return ok.Load()
	}
	code, err := codes[0].Issue(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if got := check(code); got != 1 {
		t.Errorf("%d of %d concurrent checks of one code succeeded, want 1", got, checks)
	}
	if code, err = codes[1].Issue(ctx, id); err != nil {
		t.Fatal(err)
	}
	sa.tries.Store(0)
	sb.tries.Store(0)
	if got := check("x" + code); got != 0 {
		t.Errorf("%d wrong guesses succeeded", got)
	}
	if got := sa.tries.Load() + sb.tries.Load(); got != auth.CodeTries {
		t.Errorf("%d concurrent guesses were compared, want %d", got, auth.CodeTries)
	}
	if err := codes[0].Check(ctx, id, code); !errors.Is(err, auth.ErrSignIn) {
		t.Errorf("right code after the guesses: %v, want ErrSignIn", err)
	}
}

// countingCodes counts the tries a CodeStore grants.
type countingCodes struct {
	auth.CodeStore
	tries atomic.Int32
}

func (c *countingCodes) TryCode(ctx context.Context, subject string, now time.Time, maxTries int) (auth.PendingCode, error) {
	p, err := c.CodeStore.TryCode(ctx, subject, now, maxTries)
	if err == nil {
		c.tries.Add(1)
	}
	return p, err
}

func testPurgeSignIn(t *testing.T, a, b *DB) {
	now := signInT0
	clock := func() time.Time { return now }
	l := &auth.Limiter{Name: "test", Max: 2, Window: time.Minute, Lockout: 10 * time.Minute, Now: clock, Store: a}
	// Rows expire: "counting" with its window at 1m, the code at CodeTTL,
	// "locked" with its lockout at 10m.
	for i, key := range []string{"counting", "locked", "locked"} {
		var locked *auth.ErrLocked
		err := l.Add(ctx, key)
		if i == 2 && errors.As(err, &locked) {
			continue // the second "locked" starts the lockout
		}
		if err != nil {
			t.Fatalf("add %q: %v", key, err)
		}
	}
	c := &auth.Codes{Now: clock, Store: b}
	if _, err := c.Issue(ctx, "520102198503033311"); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		at   time.Duration
		want int64
	}{
		{0, 0},
		{time.Minute - time.Millisecond, 0},
		{time.Minute, 1},
		{auth.CodeTTL, 1},
		{10*time.Minute - time.Millisecond, 0},
		{10 * time.Minute, 1},
	} {
		now = signInT0.Add(tt.at)
		if n, err := b.PurgeSignIn(ctx, now); n != tt.want || err != nil {
			t.Errorf("PurgeSignIn at +%v = %d, %v; want %d", tt.at, n, err, tt.want)
		}
		if tt.at < 10*time.Minute && l.Check(ctx, "locked") == nil {
			t.Errorf("PurgeSignIn at +%v dropped a lockout in force", tt.at)
		}
	}
	for _, table := range []string{"signin_limits", "signin_codes"} {
		if n := len(column(t, a, `SELECT '' FROM `+table)); n != 0 {
			t.Errorf("%s has %d rows after the last purge", table, n)
		}
	}
}

// column returns the first column of query's rows, as text.
func column(t *testing.T, db *DB, query string) []string {
	t.Helper()
	rows, err := db.sql.QueryContext(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
