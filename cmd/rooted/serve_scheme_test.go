package main

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// schemeFile writes a copy of the shipped scheme under another name (and
// title), with edit applied to its text, and returns its path.
func schemeFile(t *testing.T, shipped, name string, edit func(string) string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "policies", shipped))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(b), "\nscheme: "+strings.TrimSuffix(shipped, ".yaml")+"\n", "\nscheme: "+name+"\n", 1)
	if text == string(b) {
		t.Fatalf("%s has no scheme: line to rename", shipped)
	}
	if edit != nil {
		text = edit(text)
	}
	path := filepath.Join(t.TempDir(), name+".yaml")
	mustWrite(t, path, text)
	return path
}

// TestServeScheme: `rooted serve --scheme FILE --reform FILE` serves the
// schemes given, which the schemes page compares; a scheme that does not
// compile, or has no version in force, is refused before the database is
// opened (exit 2, naming the file and the fault).
func TestServeScheme(t *testing.T) {
	scheme := schemeFile(t, "zhejiang-county-default.yaml", "wenling-serve-test", nil)
	reform := schemeFile(t, "zhejiang-county-insurance-weighted.yaml", "wenling-reform-test", nil)
	broken := schemeFile(t, "zhejiang-county-default.yaml", "broken", func(s string) string {
		return strings.Replace(s, "versions:\n", "versions:\n  - version: \"0\"\n    from: 2000-01-01\n    rules: [{code: bad, points: \"nosuch + 1\"}]\n", 1)
	})
	future := schemeFile(t, "zhejiang-county-default.yaml", "future", func(s string) string {
		return strings.Replace(s, "from: 2000-01-01", "from: 2999-01-01", 1)
	})
	for _, tt := range []struct {
		name string
		args []string
		want []string // in the error
	}{
		{"broken scheme", []string{"--scheme", broken}, []string{"serve: --scheme", broken}},
		{"no version in force", []string{"--scheme", future}, []string{"serve: --scheme", "no version in force"}},
		{"broken reform", []string{"--reform", broken}, []string{"serve: --reform", broken}},
		{"missing file", []string{"--scheme", filepath.Join(t.TempDir(), "none.yaml")}, []string{"serve: --scheme", "none.yaml"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			db := filepath.Join(t.TempDir(), "refused.db")
			_, errOut, status := rooted(t, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, tt.args...)...)
			if status != exitUnusable {
				t.Errorf("exit %d, want %d; stderr %s", status, exitUnusable, errOut)
			}
			for _, w := range tt.want {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr %q does not name %q", errOut, w)
				}
			}
			if _, err := os.Stat(db); !os.IsNotExist(err) {
				t.Errorf("the database was opened (%v) before the scheme was refused", err)
			}
		})
	}

	db := filepath.Join(t.TempDir(), "s.db")
	dir := t.TempDir()
	mustRooted(t, "gen", "--persons", "200", "--out", dir)
	files, _ := filepath.Glob(filepath.Join(dir, "*.csv"))
	mustRooted(t, append([]string{"import", "--db", db}, files...)...)
	tokenFile := filepath.Join(t.TempDir(), "token")
	mustWrite(t, tokenFile, "a-token-for-the-scheme-test\n")
	getenv := func(k string) string {
		if k == "ROOTED_API_TOKEN_FILE" {
			return tokenFile
		}
		return ""
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0", "--scheme", scheme, "--reform", reform}, getenv, strings.NewReader(""), &out, &errOut)
	}()
	var base string
	for i := 0; i < 6000 && base == ""; i++ {
		if _, rest, ok := strings.Cut(out.String(), "http://"); ok {
			base = "http://" + strings.TrimSuffix(strings.TrimSpace(rest), "/")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if base == "" {
		t.Fatalf("server did not print its URL; stderr %s", errOut.String())
	}
	// The comparison is a computed view: the page says it is being
	// computed until it is.
	var body string
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		req, _ := http.NewRequest("GET", base+"/officer/schemes", nil)
		req.Header.Set("Authorization", "Bearer a-token-for-the-scheme-test")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if body = string(b); resp.StatusCode == http.StatusOK && strings.Contains(body, "wenling-serve-test") {
			break
		}
	}
	if !strings.Contains(body, "wenling-serve-test") || !strings.Contains(body, "wenling-reform-test") {
		t.Errorf("/officer/schemes does not compare the schemes given:\n%.2000s", body)
	}
	if strings.Contains(body, "zhejiang-county-default") {
		t.Errorf("/officer/schemes names the shipped scheme, not the one given")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve returned %v", err)
	}
}
