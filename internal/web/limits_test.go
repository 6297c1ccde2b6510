package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPublicFormsRefuseLargeBodies: each public form answers 413 to a 1 MiB
// body at once, whether it declares its length or comes in chunks, as a
// URL-encoded form or as a multipart file part — and writes no temporary
// file for it.
func TestPublicFormsRefuseLargeBodies(t *testing.T) {
	e := newTestEnv(t, "")
	srv := httptest.NewServer(e.h)
	defer srv.Close()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where multipart parts beyond memory would go

	big := strings.Repeat("x", 1<<20)
	var mp bytes.Buffer
	mw := multipart.NewWriter(&mp)
	part, err := mw.CreateFormFile("id", "big.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := part.Write([]byte(big)); err != nil {
		t.Fatal(err)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{"/lang", "/signin", "/citizen/signin", "/citizen/verify", "/signout"} {
		for _, tt := range []struct {
			name, contentType string
			body              func() io.Reader
			chunked           bool
		}{
			{"form", "application/x-www-form-urlencoded", func() io.Reader { return strings.NewReader("id=" + big) }, false},
			{"chunked form", "application/x-www-form-urlencoded", func() io.Reader { return io.MultiReader(strings.NewReader("id=" + big)) }, true},
			{"multipart", mw.FormDataContentType(), func() io.Reader { return bytes.NewReader(mp.Bytes()) }, false},
			{"chunked multipart", mw.FormDataContentType(), func() io.Reader { return io.MultiReader(bytes.NewReader(mp.Bytes())) }, true},
		} {
			req, err := http.NewRequest("POST", srv.URL+path, tt.body())
			if err != nil {
				t.Fatal(err)
			}
			if tt.chunked {
				req.ContentLength = -1
			}
			req.Header.Set("Content-Type", tt.contentType)
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			resp, err := srv.Client().Do(req)
			if err != nil {
				// The server may close the connection before the client
				// has sent the whole body; what it answered is what counts.
				t.Logf("%s %s: %v", path, tt.name, err)
				continue
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Errorf("%s %s: %d, want 413: %.200s", path, tt.name, resp.StatusCode, body)
			}
		}
	}
	left, _ := filepath.Glob(filepath.Join(tmp, "multipart-*"))
	if len(left) > 0 {
		t.Errorf("temporary files written for refused bodies: %v", left)
	}
	if entries, _ := os.ReadDir(tmp); len(entries) > 0 {
		t.Errorf("%d files left in the temporary folder", len(entries))
	}

	// A form of ordinary size still works.
	if w := do(t, e.h, "POST", "/lang", "lang=en"); w.Code != http.StatusSeeOther {
		t.Errorf("POST /lang with a small form: %d", w.Code)
	}
	// An API body over its limit: 413 as a problem, in words.
	w := do(t, e.h, "POST", "/api/v1/score", strings.Repeat(" ", 65<<10), "Content-Type", "application/x-ndjson")
	if w.Code != http.StatusRequestEntityTooLarge || !strings.Contains(w.Body.String(), `"code":"too_large"`) || !strings.Contains(w.Body.String(), "64 KiB") {
		t.Errorf("POST /api/v1/score with 65 KiB: %d %s", w.Code, w.Body)
	}
}

// TestStaticFoldersAreNotListed: files are served, folders are not.
func TestStaticFoldersAreNotListed(t *testing.T) {
	e := newTestEnv(t, "")
	for _, path := range []string{"/static/", "/static/vendor/", "/static/vendor"} {
		w := do(t, e.h, "GET", path, "")
		if w.Code == http.StatusOK || strings.Contains(w.Body.String(), `href="rooted.css"`) || strings.Contains(w.Body.String(), `href="htmx.min.js"`) {
			t.Errorf("GET %s: %d, lists the folder: %.200s", path, w.Code, w.Body)
		}
	}
	if w := do(t, e.h, "GET", "/static/rooted.css", ""); w.Code != http.StatusOK {
		t.Errorf("GET /static/rooted.css: %d", w.Code)
	}
	// Assets go gzipped to clients that take it, and are revalidated by
	// their ETag.
	want, err := fs.ReadFile(staticFS, "static/vendor/echarts.min.js")
	if err != nil {
		t.Fatal(err)
	}
	w := do(t, e.h, "GET", "/static/vendor/echarts.min.js", "", "Accept-Encoding", "gzip, deflate, br")
	if w.Code != http.StatusOK || w.Header().Get("Content-Encoding") != "gzip" || w.Body.Len() >= len(want)/2 || !strings.HasPrefix(w.Header().Get("Content-Type"), "text/javascript") {
		t.Fatalf("echarts gzipped: %d, %q, %d bytes of %d, %q", w.Code, w.Header().Get("Content-Encoding"), w.Body.Len(), len(want), w.Header().Get("Content-Type"))
	}
	zr, err := gzip.NewReader(w.Body)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("gunzipped echarts differs from the embedded file (%v)", err)
	}
	etag := w.Header().Get("ETag")
	if w := do(t, e.h, "GET", "/static/vendor/echarts.min.js", "", "If-None-Match", etag); etag == "" || w.Code != http.StatusNotModified || w.Body.Len() != 0 {
		t.Errorf("revalidation with ETag %q: %d, %d bytes", etag, w.Code, w.Body.Len())
	}
	if w := do(t, e.h, "GET", "/static/vendor/echarts.min.js", ""); w.Header().Get("Content-Encoding") != "" || !bytes.Equal(w.Body.Bytes(), want) {
		t.Errorf("plain echarts: encoding %q, %d bytes of %d", w.Header().Get("Content-Encoding"), w.Body.Len(), len(want))
	}
}

// TestClientIPBehindProxy: only the hop a trusted proxy added counts; what
// the client wrote into X-Forwarded-For itself is never believed.
func TestClientIPBehindProxy(t *testing.T) {
	prefixes := func(s ...string) []netip.Prefix {
		var out []netip.Prefix
		for _, x := range s {
			out = append(out, netip.MustParsePrefix(x))
		}
		return out
	}
	for _, tt := range []struct {
		name    string
		opt     Options
		remote  string
		forward []string
		want    string
	}{
		{"no proxy: the header is ignored", Options{}, "203.0.113.7:5000", []string{"1.2.3.4"}, "203.0.113.7"},
		{"one proxy: its hop", Options{TrustProxy: true}, "10.0.0.5:443", []string{"198.51.100.9"}, "198.51.100.9"},
		{"one proxy: a forged entry to the left is ignored", Options{TrustProxy: true}, "10.0.0.5:443", []string{"1.2.3.4, 198.51.100.9"}, "198.51.100.9"},
		{"one proxy: forged in a header of its own", Options{TrustProxy: true}, "10.0.0.5:443", []string{"1.2.3.4", "198.51.100.9"}, "198.51.100.9"},
		{"one proxy: no header", Options{TrustProxy: true}, "10.0.0.5:443", nil, "10.0.0.5"},
		{"one proxy: garbage", Options{TrustProxy: true}, "10.0.0.5:443", []string{"evil"}, "10.0.0.5"},
		{"chain of proxies", Options{TrustedProxies: prefixes("10.0.0.0/24")}, "10.0.0.5:443", []string{"1.2.3.4, 198.51.100.9, 10.0.0.7"}, "198.51.100.9"},
		{"chain: a peer that is no proxy", Options{TrustedProxies: prefixes("10.0.0.0/24")}, "203.0.113.7:5000", []string{"1.2.3.4"}, "203.0.113.7"},
		{"IPv6 client", Options{TrustProxy: true}, "[::1]:443", []string{"2001:db8::1"}, "2001:db8::1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := &server{opt: tt.opt}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, f := range tt.forward {
				r.Header.Add("X-Forwarded-For", f)
			}
			if got := s.clientIP(r); got != tt.want {
				t.Errorf("clientIP = %q, want %q", got, tt.want)
			}
		})
	}
}
