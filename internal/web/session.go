package web

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/registry"
)

// sessionCookie names the cookie holding the session token.
const sessionCookie = "rooted_session"

// sessionCacheTTL is how long (plus up to a quarter, see ttlCache) a
// session read from the store is trusted without reading it again.
// Signing out on this server drops it at once; on another server of a
// cluster, within this time.
const sessionCacheTTL = 30 * time.Second

type ctxKey int

const sessionKey ctxKey = iota

// sessionOf returns the session of r, or nil for an anonymous request.
func sessionOf(r *http.Request) *auth.Session {
	s, _ := r.Context().Value(sessionKey).(*auth.Session)
	return s
}

// tokenSession is the session of a request bearing the deployment's API
// token: an admin, for scripts.
var tokenSession = auth.Session{Kind: auth.KindOfficer, Name: "api-token", Role: auth.Admin}

// withSession attaches the caller's session (from the cookie, or the API
// token) to the request context. An unknown or expired cookie is
// anonymous; a wrong bearer token is refused outright, so a script learns
// its token is wrong instead of getting public data.
func (s *server) withSession(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			if s.opt.APIToken == "" || subtle.ConstantTimeCompare([]byte(strings.TrimSpace(got)), []byte(s.opt.APIToken)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="rooted"`)
				s.fail(w, r, apperr.New(apperr.Forbidden, "sign-in required: a valid bearer token is needed"))
				return
			}
			ts := tokenSession
			h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, &ts)))
			return
		}
		token := cookieValue(r, sessionCookie)
		if token == "" {
			h.ServeHTTP(w, r)
			return
		}
		now := s.opt.Now()
		hash := auth.HashToken(token)
		sess, ok := s.sessions.get(hash)
		if !ok || !now.Before(sess.Expires) {
			var err error
			sess, err = s.st.Session(r.Context(), hash, now)
			if err != nil {
				if !apperr.Is(err, apperr.NotFound) {
					s.fail(w, r, err)
					return
				}
				// A stale cookie: forget it, and serve the anonymous page.
				http.SetCookie(w, s.cookie(r, "", -1))
				h.ServeHTTP(w, r)
				return
			}
			s.sessions.put(hash, sess)
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, &sess)))
	})
}

// cookie returns the session cookie with value; maxAge < 0 deletes it.
func (s *server) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil || s.opt.SecureCookies,
	}
}

// requireCitizen lets through signed-in citizens only. Anonymous page
// requests are sent to the citizen sign-in; others get 403.
func (s *server) requireCitizen(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := sessionOf(r)
		switch {
		case sess == nil && !isAPI(r):
			http.Redirect(w, r, "/citizen/signin", http.StatusSeeOther)
		case sess == nil:
			s.fail(w, r, apperr.New(apperr.Forbidden, "sign-in required"))
		case sess.Kind != auth.KindCitizen:
			s.fail(w, r, apperr.New(apperr.Forbidden, "err.citizens_only"))
		default:
			w.Header().Set("Cache-Control", "no-store")
			h(w, r)
		}
	}
}

// requireOfficer lets through officers (and the API token) whose role
// grants scope. Anonymous page requests are sent to the officer sign-in;
// others get 403.
func (s *server) requireOfficer(scope auth.Scope, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := sessionOf(r)
		switch {
		case sess == nil && !isAPI(r):
			http.Redirect(w, r, "/signin?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
		case sess == nil:
			s.fail(w, r, apperr.New(apperr.Forbidden, "sign-in required"))
		case sess.Kind != auth.KindOfficer || !sess.Role.Can(scope):
			s.fail(w, r, apperr.New(apperr.Forbidden, "err.out_of_scope"))
		default:
			w.Header().Set("Cache-Control", "no-store")
			h(w, r)
		}
	}
}

// requireOfficerOrCitizen lets through signed-in citizens, who see their
// own family only (the handler checks), and officers (and the API token)
// whose role grants scope. It serves the API only: others get 403.
func (s *server) requireOfficerOrCitizen(scope auth.Scope, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := sessionOf(r)
		switch {
		case sess == nil:
			s.fail(w, r, apperr.New(apperr.Forbidden, "sign-in required"))
		case sess.Kind == auth.KindCitizen, sess.Kind == auth.KindOfficer && sess.Role.Can(scope):
			w.Header().Set("Cache-Control", "no-store")
			h(w, r)
		default:
			s.fail(w, r, apperr.New(apperr.Forbidden, "err.out_of_scope"))
		}
	}
}

// startSession stores a new session and sets its cookie.
func (s *server) startSession(w http.ResponseWriter, r *http.Request, sess auth.Session, ttl time.Duration) error {
	token, hash := auth.NewToken()
	now := s.opt.Now().UTC().Truncate(time.Millisecond)
	sess.Hash, sess.Created, sess.Expires = hash, now, now.Add(ttl)
	if err := s.st.CreateSession(r.Context(), sess); err != nil {
		return err
	}
	// Old sessions, limits and codes go when someone signs in: no
	// separate sweeper needed.
	if n, err := s.st.DeleteExpiredSessions(r.Context(), now); err == nil && n > 0 {
		s.opt.Logger.Debug("expired sessions removed", "n", n)
	}
	if n, err := s.st.PurgeSignIn(r.Context(), now); err == nil && n > 0 {
		s.opt.Logger.Debug("expired sign-in limits and codes removed", "n", n)
	}
	http.SetCookie(w, s.cookie(r, token, int(ttl.Seconds())))
	return nil
}

func (s *server) officerSignInPage(w http.ResponseWriter, r *http.Request) {
	if sessionOf(r) == nil && r.URL.RawQuery == "" { // the same for every such visitor (figures.go)
		s.pub.signIn[langOf(r)].write(w, r)
		return
	}
	s.render(w, r, http.StatusOK, "signin.html", "signin.title", signInData{Next: safeNext(r.URL.Query().Get("next"))})
}

type signInData struct {
	Next, Name, Error string
	Masked, ID        string // citizen: the number a code was sent for
	DemoNotice        bool
}

// safeNext returns next when it is a local path, else "/officer".
func safeNext(next string) string {
	if strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/officer"
}

// signInRefused answers err with the sign-in page tmpl saying that the
// sign-in failed, or that the caller is locked out (429). An internal
// error (the store failing to keep a limit or a code) is not a refusal:
// it fails the request.
func (s *server) signInRefused(w http.ResponseWriter, r *http.Request, tmpl, title string, d signInData, err error) {
	var locked *auth.ErrLocked
	d.Error = "signin.failed"
	status := http.StatusForbidden
	switch {
	case errors.As(err, &locked):
		d.Error = "signin.locked"
		status = http.StatusTooManyRequests
		w.Header().Set("Retry-After", itoa(int(locked.RetryAfter.Seconds())+1))
	case apperr.CodeOf(err) == apperr.Internal:
		s.fail(w, r, err)
		return
	}
	s.render(w, r, status, tmpl, title, d)
}

// officerSignIn checks a name and password. Attempts are limited per
// client address and failures per account; every refusal reads the same.
func (s *server) officerSignIn(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostFormValue("name"))
	pw := r.PostFormValue("password")
	d := signInData{Next: safeNext(r.PostFormValue("next")), Name: name}
	ip := s.clientIP(r)
	if err := s.ipLimit.Add(r.Context(), "signin:"+ip); err != nil {
		s.signInRefused(w, r, "signin.html", "signin.title", d, err)
		return
	}
	if err := s.userLimit.Check(r.Context(), name); err != nil {
		s.signInRefused(w, r, "signin.html", "signin.title", d, err)
		return
	}
	u, err := s.st.UserByName(r.Context(), name)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		s.fail(w, r, err)
		return
	}
	if err := auth.VerifyUser(u, err == nil, pw); err != nil {
		lock := s.userLimit.Add(r.Context(), name)
		s.opt.Logger.Warn("officer sign-in failed", "ip", ip, "locked", lock != nil)
		s.signInRefused(w, r, "signin.html", "signin.title", d, cmpErr(lock, err))
		return
	}
	if err := s.userLimit.Reset(r.Context(), name); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.startSession(w, r, auth.Session{Kind: auth.KindOfficer, UserID: u.ID, Name: u.Name, Role: u.Role}, auth.OfficerSessionTTL); err != nil {
		s.fail(w, r, err)
		return
	}
	s.opt.Logger.Info("officer signed in", "user", u.Name, "role", u.Role, "ip", ip)
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

func cmpErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func (s *server) citizenSignInPage(w http.ResponseWriter, r *http.Request) {
	if sessionOf(r) == nil { // the same for every such visitor (figures.go)
		s.pub.citizenSignIn[langOf(r)].write(w, r)
		return
	}
	s.render(w, r, http.StatusOK, "citizen_signin.html", "csignin.title", signInData{DemoNotice: s.opt.Codes.Demo()})
}

// citizenSendCode sends a one-time code for the ID number given, if it is
// registered. The answer is the same either way, so the form does not
// tell who is registered.
func (s *server) citizenSendCode(w http.ResponseWriter, r *http.Request) {
	id := strings.ToUpper(strings.TrimSpace(r.PostFormValue("id")))
	d := signInData{DemoNotice: s.opt.Codes.Demo()}
	if _, err := ident.ParseID(id, s.opt.Today()); err != nil {
		d.Error = "csignin.bad_id"
		s.render(w, r, http.StatusBadRequest, "citizen_signin.html", "csignin.title", d)
		return
	}
	ip := s.clientIP(r)
	if err := cmpErr(s.ipLimit.Add(r.Context(), "code:"+ip), s.sendLimit.Add(r.Context(), id)); err != nil {
		s.signInRefused(w, r, "citizen_signin.html", "csignin.title", d, err)
		return
	}
	d.ID, d.Masked = id, ident.MaskID(id)
	p, err := s.st.Person(r.Context(), id)
	switch {
	case apperr.Is(err, apperr.NotFound):
		s.opt.Logger.Info("sign-in code asked for an unregistered number", "person", ident.MaskID(id), "ip", ip)
	case err != nil:
		s.fail(w, r, err)
		return
	default:
		code, err := s.codes.Issue(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if err := s.opt.Codes.SendCode(r.Context(), p, code); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "citizen_verify.html", "csignin.title", d)
}

// citizenVerify checks the code and signs the citizen in.
func (s *server) citizenVerify(w http.ResponseWriter, r *http.Request) {
	id := strings.ToUpper(strings.TrimSpace(r.PostFormValue("id")))
	code := strings.TrimSpace(r.PostFormValue("code"))
	d := signInData{ID: id, Masked: ident.MaskID(id), DemoNotice: s.opt.Codes.Demo()}
	if err := cmpErr(s.ipLimit.Add(r.Context(), "verify:"+s.clientIP(r)), s.codeLimit.Check(r.Context(), id)); err != nil {
		s.signInRefused(w, r, "citizen_verify.html", "csignin.title", d, err)
		return
	}
	if err := s.codes.Check(r.Context(), id, code); err != nil {
		s.signInRefused(w, r, "citizen_verify.html", "csignin.title", d, cmpErr(s.codeLimit.Add(r.Context(), id), err))
		return
	}
	if err := s.codeLimit.Reset(r.Context(), id); err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.startSession(w, r, auth.Session{Kind: auth.KindCitizen, Role: auth.Citizen, Subject: id}, auth.CitizenSessionTTL); err != nil {
		s.fail(w, r, err)
		return
	}
	s.opt.Logger.Info("citizen signed in", "person", ident.MaskID(id))
	http.Redirect(w, r, "/me/points", http.StatusSeeOther)
}

func (s *server) signOut(w http.ResponseWriter, r *http.Request) {
	if token := cookieValue(r, sessionCookie); token != "" {
		hash := auth.HashToken(token)
		s.sessions.drop(hash)
		if err := s.st.DeleteSession(r.Context(), hash); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	http.SetCookie(w, s.cookie(r, "", -1))
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// CodeSender delivers a citizen's one-time sign-in code, in production by
// SMS to the phone number the registry holds.
type CodeSender interface {
	// SendCode delivers code to p. Its errors are internal.
	SendCode(ctx context.Context, p registry.Person, code string) error
	// Demo reports whether codes are not really delivered (the sign-in
	// page then says where to find them).
	Demo() bool
}

// LogSender is the demo CodeSender: it writes the code to the server log,
// with the ID number masked, and keeps the last code per person so that
// tests can read it.
type LogSender struct {
	Logger *slog.Logger

	mu   sync.Mutex
	last map[string]string
}

// SendCode logs code for p.
func (l *LogSender) SendCode(ctx context.Context, p registry.Person, code string) error {
	l.mu.Lock()
	if l.last == nil {
		l.last = map[string]string{}
	}
	l.last[p.IDNumber] = code
	l.mu.Unlock()
	if l.Logger != nil {
		l.Logger.Info("demo: one-time sign-in code (a real deployment sends it by SMS)", "person", ident.MaskID(p.IDNumber), "code", code)
	}
	return nil
}

// Demo reports true.
func (l *LogSender) Demo() bool { return true }

// Last returns the last code sent for the ID number id, or "".
func (l *LogSender) Last(id string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.last[id]
}

// NoSender is the CodeSender of a deployment without an SMS gateway:
// citizens cannot sign in, and the page says so.
type NoSender struct{}

// SendCode refuses.
func (NoSender) SendCode(ctx context.Context, p registry.Person, code string) error {
	return apperr.New(apperr.Conflict, "err.no_sms")
}

// Demo reports false.
func (NoSender) Demo() bool { return false }

// sealer makes opaque references to persons for pages: a page links to a
// person without holding their ID number. The key lives only in memory,
// so references die with the server.
type sealer struct{ aead cipher.AEAD }

func newSealer() sealer {
	key := make([]byte, 32)
	rand.Read(key)
	block, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(block)
	return sealer{aead}
}

func (k sealer) seal(id string) string {
	nonce := make([]byte, k.aead.NonceSize())
	rand.Read(nonce)
	return base64.RawURLEncoding.EncodeToString(k.aead.Seal(nonce, nonce, []byte(id), nil))
}

// open returns the ID number sealed in ref, or an invalid error.
func (k sealer) open(ref string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(ref)
	if err != nil || len(b) < k.aead.NonceSize() {
		return "", apperr.New(apperr.Invalid, "err.bad_reference")
	}
	n := k.aead.NonceSize()
	id, err := k.aead.Open(nil, b[:n], b[n:], nil)
	if err != nil {
		return "", apperr.Wrap(apperr.Invalid, err, "err.bad_reference")
	}
	return string(id), nil
}
