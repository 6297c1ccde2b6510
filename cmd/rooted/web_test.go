package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUserAdd creates officer accounts from a password file and with a
// generated password, refuses bad input, and lists them.
func TestUserAdd(t *testing.T) {
	db := filepath.Join(t.TempDir(), "rooted.db")
	pwFile := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pwFile, []byte("a long enough password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRooted(t, "user", "add", "--db", db, "--name", "li.wei", "--role", "education", "--password-file", pwFile)
	out := mustRooted(t, "user", "add", "--db", db, "--name", "auditor1", "--role", "auditor")
	if !strings.HasPrefix(out, "password for auditor1: ") || len(strings.TrimSpace(strings.TrimPrefix(out, "password for auditor1: "))) != 20 {
		t.Errorf("generated password line %q", out)
	}
	short := filepath.Join(t.TempDir(), "short")
	mustWrite(t, short, "short\n")
	for _, tt := range []struct {
		name string
		args []string
		want int
	}{
		{"duplicate", []string{"--name", "li.wei", "--role", "admin", "--password-file", pwFile}, 1},
		{"unknown role", []string{"--name", "x", "--role", "mayor"}, 2},
		{"no name", []string{"--role", "admin"}, 2},
		{"weak password", []string{"--name", "y", "--role", "admin", "--password-file", short}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, status := rooted(t, append([]string{"user", "add", "--db", db}, tt.args...)...)
			if status != tt.want {
				t.Errorf("exit %d, want %d: %s", status, tt.want, errOut)
			}
		})
	}
	list := mustRooted(t, "user", "list", "--db", db)
	if !strings.Contains(list, "li.wei\teducation") || !strings.Contains(list, "auditor1\tauditor") || strings.Contains(list, "argon2") {
		t.Errorf("user list:\n%s", list)
	}
}
