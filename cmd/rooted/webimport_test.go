package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
)

// TestServeImportsFromTheConsole: `rooted serve` gives the web console
// ingest's importer (web.Options.Import, since web may not import ingest):
// an officer's upload becomes an import job that the server's runner takes
// and that puts the file's person in the registry.
func TestServeImportsFromTheConsole(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "i.db")
	const password = "the importing officer's long password"
	pwFile := filepath.Join(dir, "pw")
	mustWrite(t, pwFile, password+"\n")
	mustRooted(t, "user", "add", "--name", "imp", "--role", "admin", "--password-file", pwFile, "--db", db)

	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	}()
	base := waitURL(t, &out, &errOut, cancel)
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	client := &http.Client{Jar: jar}
	send := func(req *http.Request) string {
		t.Helper()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d %s", req.Method, req.URL.Path, resp.StatusCode, b)
		}
		return string(b)
	}
	signIn, err := http.NewRequestWithContext(ctx, "POST", base+"/signin", strings.NewReader(url.Values{"name": {"imp"}, "password": {password}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	signIn.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	send(signIn)

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("files", "persons.csv")
	if err != nil {
		t.Fatal(err)
	}
	id := ident.GenerateID("430102", date.MustParse("1992-04-04"), 17)
	if _, err := io.WriteString(fw, "身份证号,姓名,手机号,学历,户口性质,监护人身份证号\n"+id+",周一,,大专,农业,\n"); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	upload, err := http.NewRequestWithContext(ctx, "POST", base+"/officer/import", &body)
	if err != nil {
		t.Fatal(err)
	}
	upload.Header.Set("Content-Type", mw.FormDataContentType())
	send(upload) // and on to the job's page

	// The job runs on the server's runner; the bound only ends a test
	// that would hang.
	persons := int64(-1)
	for deadline := time.Now().Add(time.Minute); persons != 1 && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		req, err := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/stats", nil)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]int64
		if err := json.Unmarshal([]byte(send(req)), &m); err != nil {
			t.Fatal(err)
		}
		persons = m["persons"]
	}
	if persons != 1 {
		t.Fatalf("persons in the registry after the console's import: %d, want 1; server log:\n%s", persons, errOut.String())
	}
}
