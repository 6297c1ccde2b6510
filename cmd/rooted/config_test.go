package main

import (
	"io"
	"path/filepath"
	"strings"
	"testing"
)

// TestConfig reads the settings from the environment and the flags, flags
// winning, and the DSN from ROOTED_DB_FILE, refusing one it cannot read.
func TestConfig(t *testing.T) {
	dir := t.TempDir()
	dsnFile := filepath.Join(dir, "db")
	mustWrite(t, dsnFile, "postgres://rooted:secret@db/rooted\n")
	emptyFile := filepath.Join(dir, "empty")
	mustWrite(t, emptyFile, "\n")
	for _, tt := range []struct {
		name string
		env  map[string]string
		args []string
		want func(config) bool
		err  string
	}{
		{"defaults", nil, nil, func(c config) bool {
			return c.DB == "rooted.db" && c.Addr == "127.0.0.1:8080" && c.Lang == "zh" && !c.DBSet && c.Scheme == "" && !c.Serve.SecureCookies
		}, ""},
		{"environment", map[string]string{"ROOTED_DB": "x.db", "ROOTED_ADDR": "0.0.0.0:9", "ROOTED_LANG": "en", "ROOTED_SECURE_COOKIES": "1",
			"ROOTED_TRUSTED_PROXIES": "10.0.0.2", "ROOTED_SEAL_KEY_FILE": "/k", "GOGC": "100", "USER": "li"}, nil, func(c config) bool {
			return c.DB == "x.db" && c.Addr == "0.0.0.0:9" && c.Lang == "en" && c.Serve.SecureCookies && c.Serve.TrustedProxies == "10.0.0.2" &&
				c.Serve.SealKeyFile == "/k" && c.Serve.GOGCSet && c.User == "li"
		}, ""},
		{"flags win", map[string]string{"ROOTED_DB": "x.db", "ROOTED_LANG": "en"}, []string{"--db", "y.db", "--lang", "zh", "--scheme", "s.yaml"}, func(c config) bool {
			return c.DB == "y.db" && c.DBSet && c.Lang == "zh" && c.Scheme == "s.yaml"
		}, ""},
		{"DSN file wins over ROOTED_DB", map[string]string{"ROOTED_DB": "x.db", "ROOTED_DB_FILE": dsnFile}, nil, func(c config) bool {
			return c.DB == "postgres://rooted:secret@db/rooted"
		}, ""},
		{"--db wins over the DSN file, which is not read", map[string]string{"ROOTED_DB_FILE": filepath.Join(dir, "none")}, []string{"--db", "y.db"}, func(c config) bool {
			return c.DB == "y.db"
		}, ""},
		{"unreadable DSN file", map[string]string{"ROOTED_DB_FILE": filepath.Join(dir, "none")}, nil, nil, "ROOTED_DB_FILE: open"},
		{"empty DSN file", map[string]string{"ROOTED_DB_FILE": emptyFile}, nil, nil, "ROOTED_DB_FILE " + emptyFile + " is empty"},
		{"bad language", map[string]string{"ROOTED_LANG": "fr"}, nil, nil, `language "fr": want zh or en`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := &env{getenv: func(k string) string { return tt.env[k] }, stdout: io.Discard, stderr: io.Discard}
			c, _, err := e.flags("test", "", tt.args, []string{"db", "addr", "lang", "scheme"}, nil)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one containing %q", err, tt.err)
				}
				return
			}
			if err != nil || !tt.want(c) {
				t.Errorf("config %+v, %v", c, err)
			}
		})
	}
}
