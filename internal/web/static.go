package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
)

// staticFile is one embedded asset, kept as it is sent: plain and gzipped
// (ECharts is 1.1 MB plain and about a third of that gzipped, which phones
// on a mobile network feel), with an ETag of its content.
type staticFile struct {
	page cachedPage
	etag []string
}

// loadStatic reads every file under static/ once, at start. It panics on
// an embedded file that cannot be read: a build error, caught by the tests.
func loadStatic() map[string]staticFile {
	files := map[string]staticFile{}
	root := must(fs.Sub(staticFS, "static"))
	err := fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		ctype := mime.TypeByExtension(path.Ext(name))
		if ctype == "" {
			ctype = "text/plain; charset=utf-8"
		}
		sum := sha256.Sum256(body)
		files[name] = staticFile{
			page: newCachedBody([]string{ctype}, body, nil, hdrVaryEncoding),
			etag: []string{`"` + hex.EncodeToString(sum[:12]) + `"`},
		}
		return nil
	})
	must(0, err)
	return files
}

// serveStatic serves an embedded asset; folders are not listed. Assets
// change only with the binary (vendored ones carry their version in
// VERSIONS), so clients keep them an hour and revalidate by ETag.
func (s *server) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := s.static[strings.TrimPrefix(r.URL.Path, "/static/")]
	if !ok {
		s.notFound(w, r)
		return
	}
	h := w.Header()
	h["Cache-Control"] = hdrStaticCache
	h["Etag"] = f.etag
	if inm := r.Header.Get("If-None-Match"); inm != "" && strings.Contains(inm, f.etag[0]) {
		if f.page.vary != nil {
			h["Vary"] = f.page.vary
		}
		w.WriteHeader(http.StatusNotModified)
		return
	}
	f.page.write(w, r)
}

var hdrStaticCache = []string{"public, max-age=3600"}
