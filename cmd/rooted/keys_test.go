package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/store"
)

// TestSealKeyFile reads the keys of a rotation in order and refuses files
// that hold none, or a short one, naming the line.
func TestSealKeyFile(t *testing.T) {
	dir := t.TempDir()
	cur, prev := strings.Repeat("c", 64), strings.Repeat("p", 64)
	for _, tt := range []struct {
		name, content string
		want          []string
		err           string
	}{
		{"rotation", "# current first\n" + cur + "\n\n" + prev + "\n", []string{cur, prev}, ""},
		{"one key, CRLF", cur + "\r\n", []string{cur}, ""},
		{"short key", cur + "\nshort\n", nil, "line 2 holds 5 characters"},
		{"empty", "# nothing yet\n", nil, "holds no key"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := filepath.Join(dir, tt.name)
			mustWrite(t, f, tt.content)
			keys, err := sealKeys(f)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "ROOTED_SEAL_KEY_FILE") {
					t.Fatalf("err %v, want one naming ROOTED_SEAL_KEY_FILE and %q", err, tt.err)
				}
				return
			}
			if err != nil || len(keys) != len(tt.want) {
				t.Fatalf("keys %q, %v; want %q", keys, err, tt.want)
			}
			for i := range keys {
				if string(keys[i]) != tt.want[i] {
					t.Errorf("key %d = %q, want %q", i, keys[i], tt.want[i])
				}
			}
		})
	}
}

// TestUserUnlockCitizen: an admin unlocks a citizen whose sign-in is
// locked at the cap of wrong codes; it is in the audit log with the
// admin's name and reason. Others may not, and a reason is required.
func TestUserUnlockCitizen(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "rooted.db")
	pw := filepath.Join(t.TempDir(), "pw")
	mustWrite(t, pw, "a long enough password\n")
	mustRooted(t, "user", "add", "--db", db, "--name", "zhang", "--role", "admin", "--password-file", pw)
	mustRooted(t, "user", "add", "--db", db, "--name", "li", "--role", "education", "--password-file", pw)
	const id = "520102198503033311"
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// As the servers keep it without ROOTED_SIGNIN_KEY_FILE.
	secret, err := st.Secret(ctx, "signin-key", 32)
	if err != nil {
		t.Fatal(err)
	}
	cap := &auth.FailureCap{Name: "wrong-code-total", Max: auth.CitizenFailureCap, Store: st, Key: []byte(hex.EncodeToString(secret))}
	for range auth.CitizenFailureCap {
		// The last failure answers ErrCapped: the cap is reached, which is
		// what the test sets up; any other error is the store's.
		if _, err := cap.Fail(ctx, id); err != nil && !errors.Is(err, auth.ErrCapped) {
			t.Fatal(err)
		}
	}
	if err := cap.Check(ctx, id); !errors.Is(err, auth.ErrCapped) {
		t.Fatalf("before: %v, want capped", err)
	}
	for _, tt := range []struct {
		name string
		args []string
		want int
	}{
		{"no reason", []string{"--id", id, "--officer", "zhang"}, 2},
		{"bad ID number", []string{"--id", "12345", "--officer", "zhang", "--reason", "walk-in"}, 2},
		{"not an admin", []string{"--id", id, "--officer", "li", "--reason", "walk-in"}, 1},
		{"no such officer", []string{"--id", id, "--officer", "nobody", "--reason", "walk-in"}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, errOut, status := rooted(t, append([]string{"user", "unlock-citizen", "--db", db}, tt.args...)...); status != tt.want {
				t.Errorf("exit %d, want %d: %s", status, tt.want, errOut)
			}
		})
	}
	if err := cap.Check(ctx, id); !errors.Is(err, auth.ErrCapped) {
		t.Fatalf("after refused unlocks: %v, want capped", err)
	}
	var out, errb bytes.Buffer
	if err := run(ctx, []string{"user", "unlock-citizen", "--db", db, "--id", id, "--officer", "zhang", "--reason", "identity checked at the counter"}, func(string) string { return "" }, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatalf("unlock: %v: %s", err, errb.String())
	}
	if strings.Contains(errb.String(), id) {
		t.Errorf("the full ID number was printed: %s", errb.String())
	}
	if err := cap.Check(ctx, id); err != nil {
		t.Errorf("after the unlock: %v", err)
	}
	es, err := st.Audit(ctx, 5)
	if err != nil || len(es) != 1 || es[0].Action != "unlock_citizen" || es[0].Actor != "zhang" || es[0].Subject != id || es[0].Reason != "identity checked at the counter" {
		t.Errorf("audit log: %+v, %v", es, err)
	}
}

// TestUserRoleAndLock: set-role and disable end the account's sessions.
func TestUserRoleAndLock(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "rooted.db")
	pw := filepath.Join(t.TempDir(), "pw")
	mustWrite(t, pw, "a long enough password\n")
	mustRooted(t, "user", "add", "--db", db, "--name", "wang", "--role", "police", "--password-file", pw)
	st, err := store.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	u, err := st.UserByName(ctx, "wang")
	if err != nil {
		t.Fatal(err)
	}
	session := func() string {
		t.Helper()
		_, hash := auth.NewToken()
		if err := st.CreateSession(ctx, auth.Session{Hash: hash, Kind: auth.KindOfficer, UserID: u.ID, Name: u.Name, Role: u.Role, Created: u.Created, Expires: u.Created.Add(auth.OfficerSessionTTL)}); err != nil {
			t.Fatal(err)
		}
		return hash
	}
	h := session()
	mustRooted(t, "user", "set-role", "--db", db, "--name", "wang", "--role", "auditor")
	if _, err := st.Session(ctx, h, u.Created); err == nil {
		t.Errorf("set-role left the session")
	}
	h = session()
	mustRooted(t, "user", "disable", "--db", db, "--name", "wang")
	if _, err := st.Session(ctx, h, u.Created); err == nil {
		t.Errorf("disable left the session")
	}
	if list := mustRooted(t, "user", "list", "--db", db); !strings.Contains(list, "wang\tauditor") || !strings.Contains(list, "disabled") {
		t.Errorf("user list: %s", list)
	}
	mustRooted(t, "user", "enable", "--db", db, "--name", "wang")
	for _, args := range [][]string{{"set-role", "--name", "nobody", "--role", "admin"}, {"disable", "--name", "nobody"}} {
		if _, _, status := rooted(t, append([]string{"user", args[0], "--db", db}, args[1:]...)...); status != 2 {
			t.Errorf("%v: exit %d, want 2 (no such user)", args, status)
		}
	}
	if _, _, status := rooted(t, "user", "set-role", "--db", db, "--name", "wang", "--role", "mayor"); status != 2 {
		t.Errorf("unknown role: exit %d, want 2", status)
	}
}
