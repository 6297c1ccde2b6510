package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAcceptsGzip(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"gzip, deflate, br, zstd", true},
		{"br;q=1.0, GZIP;q=0.5", true},
		{"gzip;q=0", false},
		{"deflate", false},
		{"x-gzip", false},
	} {
		if got := acceptsGzip(tt.header); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestCachedPageGzip(t *testing.T) {
	page := []byte("<!doctype html><p>" + strings.Repeat("我的积分 ", 500) + "</p>")
	cp := newCachedPage(page)
	for _, enc := range []string{"", "gzip, deflate"} {
		r := httptest.NewRequest("GET", "/me/points", nil)
		if enc != "" {
			r.Header.Set("Accept-Encoding", enc)
		}
		w := httptest.NewRecorder()
		cp.write(w, r)
		body := w.Body.Bytes()
		if enc != "" {
			if w.Header().Get("Content-Encoding") != "gzip" || len(body) >= len(page) {
				t.Fatalf("gzip asked: encoding %q, %d bytes of %d", w.Header().Get("Content-Encoding"), len(body), len(page))
			}
			zr, err := gzip.NewReader(bytes.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			if body, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		} else if w.Header().Get("Content-Encoding") != "" {
			t.Fatalf("no gzip asked, got encoding %q", w.Header().Get("Content-Encoding"))
		}
		if !bytes.Equal(body, page) {
			t.Errorf("Accept-Encoding %q: body differs from the page", enc)
		}
	}
}
