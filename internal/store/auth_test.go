package store

import (
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
	es, err := db.Audit(ctx, 10)
	if err != nil || len(es) != 2 || es[0].Reason != "school check" || !es[1].At.Equal(t0) || es[0].Role != auth.Police {
		t.Errorf("Audit: %+v, %v", es, err)
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
