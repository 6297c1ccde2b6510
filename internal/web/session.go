package web

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
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
// session read from the store is trusted without reading it again, while
// the auth generation stays the same. Signing out, a role change or a lock
// on any server moves the generation, which every server reads at least
// every Options.AuthPoll: the cached sessions are then read again.
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
				s.fail(w, r, apperr.E("web.api_auth", apperr.Forbidden, "error.signin_required_token"))
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
		// The generation is taken before the session is read: a sign-out
		// committed after the reading moves it past the key cached here.
		key := sessionCacheKey{auth.HashToken(token), s.authGeneration(r.Context(), now)}
		hash := key.hash
		sess, ok := s.sessions.get(key)
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
			s.sessions.put(key, sess)
		}
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), sessionKey, &sess)))
	})
}

// cookie returns the session cookie with value; maxAge < 0 deletes it.
func (s *server) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	//nolint:gosec // Secure is set under TLS, or behind a proxy that ends TLS (ROOTED_SECURE_COOKIES); HttpOnly and SameSite always
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
			s.fail(w, r, apperr.E("web.auth", apperr.Forbidden, "error.signin_required"))
		case sess.Kind != auth.KindCitizen:
			s.fail(w, r, apperr.E("web.auth", apperr.Forbidden, "err.citizens_only"))
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
			s.fail(w, r, apperr.E("web.auth", apperr.Forbidden, "error.signin_required"))
		case sess.Kind != auth.KindOfficer || !sess.Role.Can(scope):
			s.fail(w, r, apperr.E("web.auth", apperr.Forbidden, "err.out_of_scope"))
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
			s.fail(w, r, apperr.E("web.auth", apperr.Forbidden, "error.signin_required"))
		case sess.Kind == auth.KindCitizen, sess.Kind == auth.KindOfficer && sess.Role.Can(scope):
			w.Header().Set("Cache-Control", "no-store")
			h(w, r)
		default:
			s.fail(w, r, apperr.E("web.auth", apperr.Forbidden, "err.out_of_scope"))
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
	case errors.Is(err, auth.ErrCapped):
		d.Error = "signin.capped"
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
	ipErr, sendErr := s.ipLimit.Add(r.Context(), "code:"+ip), s.sendLimit.Add(r.Context(), id)
	s.alertOnLock(r.Context(), id, sendErr, AlertCodesRequested)
	if err := cmpErr(cmpErr(ipErr, sendErr), s.codeCap.Check(r.Context(), id)); err != nil {
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
	ctx := r.Context()
	if err := cmpErr(cmpErr(s.ipLimit.Add(ctx, "verify:"+s.clientIP(r)), s.codeLimit.Check(ctx, id)), s.codeCap.Check(ctx, id)); err != nil {
		s.signInRefused(w, r, "citizen_verify.html", "csignin.title", d, err)
		return
	}
	if err := s.codes.Check(ctx, id, code); err != nil {
		if apperr.CodeOf(err) == apperr.Internal {
			s.fail(w, r, err)
			return
		}
		// A wrong code counts in the window of codeLimit and, across
		// windows, towards the cap, which only a success or an officer
		// resets.
		lock := s.codeLimit.Add(ctx, id)
		s.alertOnLock(ctx, id, lock, AlertWrongCodes)
		n, capErr := s.codeCap.Fail(ctx, id)
		if n == s.codeCap.Max { // just reached: tell the person once
			s.opt.Logger.Warn("citizen account locked after too many wrong codes; an officer can unlock it", "person", ident.MaskID(id), "failures", n)
			s.alert(ctx, id, AlertCapped)
		}
		s.signInRefused(w, r, "citizen_verify.html", "csignin.title", d, cmpErr(capErr, cmpErr(lock, err)))
		return
	}
	if err := s.codeLimit.Reset(ctx, id); err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.codeCap.Reset(ctx, id); err != nil {
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
		s.sessions.drop(sessionCacheKey{hash, s.authGeneration(r.Context(), s.opt.Now())})
		if err := s.st.DeleteSession(r.Context(), hash); err != nil {
			s.fail(w, r, err)
			return
		}
		s.authGen.expire() // the generation moved with the sign-out
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

// Alert is what a SignInNotifier tells a person about attempts to sign in
// as them.
type Alert string

// Alerts.
const (
	// AlertCodesRequested: codes for the person's ID number were asked
	// for so often that sending them is paused.
	AlertCodesRequested Alert = "codes_requested"
	// AlertWrongCodes: so many wrong codes were tried that sign-in is
	// paused.
	AlertWrongCodes Alert = "wrong_codes"
	// AlertCapped: sign-in is locked after auth.CitizenFailureCap wrong
	// codes in a row, until an officer unlocks it.
	AlertCapped Alert = "capped"
)

// SignInNotifier is a CodeSender that also tells a person (in production
// by SMS to the phone the registry holds) when someone keeps trying to
// sign in as them. The server calls it once when a limit locks their
// account, not at every attempt.
type SignInNotifier interface {
	// NotifySignIn tells p about a. Its errors are logged, not answered.
	NotifySignIn(ctx context.Context, p registry.Person, a Alert) error
}

// alertOnLock tells the person id about attempts when err says a lockout
// of theirs began with this attempt.
func (s *server) alertOnLock(ctx context.Context, id string, err error, a Alert) {
	var locked *auth.ErrLocked
	if errors.As(err, &locked) && locked.Started {
		s.alert(ctx, id, a)
	}
}

// alert tells the person id about attempts, when the sender can and id is
// registered. Failures are logged: the refusal stands either way.
func (s *server) alert(ctx context.Context, id string, a Alert) {
	n, ok := s.opt.Codes.(SignInNotifier)
	if !ok {
		return
	}
	p, err := s.st.Person(ctx, id)
	if err != nil {
		if !apperr.Is(err, apperr.NotFound) {
			s.opt.Logger.Warn("sign-in alert: reading the person", "person", ident.MaskID(id), "err", err)
		}
		return
	}
	if err := n.NotifySignIn(ctx, p, a); err != nil {
		s.opt.Logger.Warn("sign-in alert not delivered", "person", ident.MaskID(id), "alert", a, "err", err)
	}
}

// LogSender is the demo CodeSender: it writes the code to the server log,
// with the ID number masked, and keeps the last code per person so that
// tests can read it.
type LogSender struct {
	Logger *slog.Logger

	mu     sync.Mutex
	last   map[string]string
	alerts map[string][]Alert
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

// NotifySignIn logs a for p, with the ID number masked, and keeps it so
// that tests can read it (Alerts).
func (l *LogSender) NotifySignIn(ctx context.Context, p registry.Person, a Alert) error {
	l.mu.Lock()
	if l.alerts == nil {
		l.alerts = map[string][]Alert{}
	}
	l.alerts[p.IDNumber] = append(l.alerts[p.IDNumber], a)
	l.mu.Unlock()
	if l.Logger != nil {
		l.Logger.Info("demo: sign-in alert to the person (a real deployment sends it by SMS)", "person", ident.MaskID(p.IDNumber), "alert", a)
	}
	return nil
}

// Alerts returns the alerts sent for the ID number id, oldest first.
func (l *LogSender) Alerts(id string) []Alert {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.alerts[id])
}

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
	return apperr.E("web.send_code", apperr.Conflict, "err.no_sms")
}

// Demo reports false.
func (NoSender) Demo() bool { return false }

// sealMaxAge is how long a sealed reference opens after it was made:
// longer than a page stays open (an officer's session lasts 8 hours), so
// that a key rotated out (Options.SealKeys) still opens what pages hold.
const sealMaxAge = 12 * time.Hour

// sealSkew is how far in the future a reference's time may be: the clocks
// of the servers of a cluster differ a little.
const sealSkew = 5 * time.Minute

// sealer makes opaque references to persons for pages: a page links to a
// person without holding their ID number. A reference is the AES-256-GCM
// sealing of the time it was made and the ID number, under the first key;
// every key opens, so that a reference made before a key rotation, or on
// another server sharing the keys, opens for sealMaxAge.
type sealer struct {
	aeads []cipher.AEAD // [0] seals
	now   func() time.Time
}

// sealLabel derives a sealing key from a configured secret, so that the
// secret itself (which may key other things) never keys AES directly.
const sealLabel = "rooted/seal-key/v1"

// newSealer returns a sealer under keys (the first seals), each derived
// through HMAC-SHA-256; under a random key of this process when keys is
// empty.
func newSealer(keys [][]byte, now func() time.Time) sealer {
	if len(keys) == 0 {
		k := make([]byte, 32)
		rand.Read(k)
		keys = [][]byte{k}
	}
	s := sealer{now: now}
	for _, k := range keys {
		block, _ := aes.NewCipher(deriveKey(k, sealLabel)) // a 32-byte key: no error
		aead, _ := cipher.NewGCM(block)                    // the standard nonce size: no error
		s.aeads = append(s.aeads, aead)
	}
	return s
}

// deriveKey returns the HMAC-SHA-256 of label under secret: a 32-byte key
// for one purpose.
func deriveKey(secret []byte, label string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(label))
	return h.Sum(nil)
}

func (k sealer) seal(id string) string {
	aead := k.aeads[0]
	n := aead.NonceSize()
	buf := make([]byte, n, n+8+len(id)+aead.Overhead())
	rand.Read(buf)
	plain := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(id)), uint64(k.now().Unix()))
	plain = append(plain, id...)
	return base64.RawURLEncoding.EncodeToString(aead.Seal(buf, buf[:n], plain, nil))
}

// open returns the ID number sealed in ref, or an invalid error when ref
// was not sealed under one of the keys or is older than sealMaxAge.
func (k sealer) open(ref string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(ref)
	if err != nil {
		return "", apperr.WrapE("web.reference", apperr.Invalid, err, "err.bad_reference")
	}
	for _, aead := range k.aeads {
		n := aead.NonceSize()
		if len(b) < n+8+aead.Overhead() {
			break
		}
		plain, err := aead.Open(nil, b[:n], b[n:], nil)
		if err != nil {
			continue
		}
		made := time.Unix(int64(binary.BigEndian.Uint64(plain)), 0)
		if now := k.now(); now.Sub(made) > sealMaxAge || made.Sub(now) > sealSkew {
			return "", apperr.E("web.reference", apperr.Invalid, "err.bad_reference")
		}
		return string(plain[8:]), nil
	}
	return "", apperr.E("web.reference", apperr.Invalid, "err.bad_reference")
}

// Names of the citizen's code limits in the store: the same on every
// server, and for UnlockCitizen.
const (
	wrongCodeLimit = "wrong-code"
	wrongCodeCap   = "wrong-code-total"
)

// UnlockCitizen lifts the lock on the citizen id's sign-in — the cap on
// consecutive wrong codes and the current window's lockout — for an
// officer who has checked the person's identity (the caller records it in
// the audit log). signInKey must be the servers' (Options.SignInKey): the
// store knows accounts only by keyed hashes. It reports whether the
// account had failures to forget.
func UnlockCitizen(ctx context.Context, st auth.SignInStore, signInKey []byte, id string) (bool, error) {
	id = strings.ToUpper(strings.TrimSpace(id))
	c := &auth.FailureCap{Name: wrongCodeCap, Store: st, Key: signInKey}
	had, err := c.Reset(ctx, id)
	if err != nil {
		return false, err
	}
	l := &auth.Limiter{Name: wrongCodeLimit, Store: st, Key: signInKey}
	return had, l.Reset(ctx, id)
}
