package web

import (
	"context"
	"errors"
	"mime"
	"net/http"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/msg"
)

// limit is what one route may take of the server: the most bytes of a
// request body it reads and how long the request may last (reading the
// body, working, writing the answer). A body over the limit is answered
// 413 at once — before it is read when it declares its length, as soon as
// the limit is passed when it does not — so that nothing of it is kept in
// memory or written to a temporary file.
type limit struct {
	body int64
	time time.Duration
}

// The limits of the routes; routes() gives each route one of them.
var (
	// signInLimit: the public forms (language switch, sign-in, sign-out)
	// carry an ID number, a password or a code: a few hundred bytes.
	signInLimit = limit{body: 4 << 10, time: 15 * time.Second}
	// pageLimit: every other page and form, the longest being an objection
	// or a reply of 2,000 characters, percent-encoded.
	pageLimit = limit{body: 64 << 10, time: 30 * time.Second}
	// apiLimit: JSON requests of the API (a round to create, a batch of
	// persons to score).
	apiLimit = limit{body: 64 << 10, time: 30 * time.Second}
	// uploadLimit: spreadsheets uploaded to the console; only the upload
	// itself is slow (512 MiB over a slow office line), the import runs
	// after it.
	uploadLimit = limit{body: maxUpload + 1<<20, time: 30 * time.Minute} // the parts' headers too
)

// limited applies l to h: the body's size, the connection's read and
// write deadlines, and the request context's deadline. Forms are parsed
// here, so that a handler's r.FormValue never reads past the limit.
func (s *server) limited(l limit, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > l.body {
			s.tooLarge(w, r, l)
			return
		}
		deadline := time.Now().Add(l.time)
		rc := http.NewResponseController(w)
		// Errors mean the connection cannot take deadlines (HTTP/2 over a
		// test recorder, say): the server's own timeouts then apply.
		_ = rc.SetReadDeadline(deadline)
		_ = rc.SetWriteDeadline(deadline)
		ctx, cancel := context.WithDeadline(r.Context(), deadline)
		defer cancel()
		r = r.WithContext(ctx)
		if r.Body != nil && r.Body != http.NoBody {
			r.Body = http.MaxBytesReader(w, r.Body, l.body)
			if form := formType(r); form != "" && l != uploadLimit {
				var err error
				if form == "multipart" {
					err = r.ParseMultipartForm(l.body)
				} else {
					err = r.ParseForm()
				}
				if err != nil {
					var tooBig *http.MaxBytesError
					if errors.As(err, &tooBig) {
						s.tooLarge(w, r, l)
						return
					}
					s.fail(w, r, apperr.WrapE("web.form", apperr.Invalid, err, "err.bad_form"))
					return
				}
			}
		}
		h.ServeHTTP(w, r)
	})
}

// formType is "urlencoded" or "multipart" when r carries an HTML form of
// that encoding, else "".
func formType(r *http.Request) string {
	ct, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case err != nil:
		return ""
	case ct == "application/x-www-form-urlencoded":
		return "urlencoded"
	case ct == "multipart/form-data":
		return "multipart"
	}
	return ""
}

// tooLarge answers 413 and closes the connection, so that the rest of the
// body is never read.
func (s *server) tooLarge(w http.ResponseWriter, r *http.Request, l limit) {
	w.Header().Set("Connection", "close")
	if isAPI(r) {
		p := s.problemDetail(langOf(r), "too_large", "err.too_large")
		p.Code, p.Detail = "too_large", msg.T(msg.Parse(langOf(r)), "err.too_large_n", l.body>>10)
		problem(w, http.StatusRequestEntityTooLarge, p)
		return
	}
	s.errorPage(w, r, http.StatusRequestEntityTooLarge, msg.T(msg.Parse(langOf(r)), "err.too_large_n", l.body>>10))
}
