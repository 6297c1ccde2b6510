package web

import (
	"net/http"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/golden"
	"github.com/newcitizens/rooted/internal/rounds"
)

// goldenNow is the golden server's clock: 10:00 China time on the test
// registry's day, as the rounds service's.
var goldenNow = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// normalise replaces what differs from one rendering to the next with
// placeholders, so that a golden file changes only when what a person
// reads does. It is the one place that says what is random per request;
// today that is only the sealed references to persons (session.go's
// sealer: a random nonce each time under a random key of the process),
// which become SEALED.
//
// Nothing else needs it: session ids and one-time codes travel in cookies
// and through the code sender, never in a page; there is no CSRF token
// (http.CrossOriginProtection) and no nonce in a page; static assets are
// named without a content hash; and the server's clock and the rounds'
// are fixed (goldenNow).
func normalise(page []byte) []byte {
	return sealedRef.ReplaceAll(page, []byte("${1}SEALED${2}"))
}

// sealedRef matches a sealed reference to a person of an 18-character ID
// number: the unpadded base64url of a 12-byte nonce, the 8-byte time, the
// 18 characters and the 16-byte tag (54 bytes, 72 characters), alone
// between characters that cannot be part of it.
var sealedRef = regexp.MustCompile(`(^|[^A-Za-z0-9_-])[A-Za-z0-9_-]{72}([^A-Za-z0-9_-]|$)`)

// goldenPage is one page of TestGoldenPages: what is fetched, by whom, in
// which language.
type goldenPage struct {
	file   string // under testdata/golden
	path   string
	who    string // "" (nobody signed in), "citizen" or an officer's name
	lang   string // Accept-Language
	status int
}

// TestGoldenPages renders the pages a person reads on a fixed registry (the
// tests' seed, a published round g1 and an open round g2) on a fixed
// clock, and compares each with its golden file: a change to what a
// citizen or an officer reads shows in review as a change of the file.
//
//	go test ./internal/web -run Golden -update   # rewrite them
func TestGoldenPages(t *testing.T) {
	e := newTestEnv(t, "", func(o *Options) { o.Now = func() time.Time { return goldenNow } })
	e.publishedRound(t)
	e.openRound(t, rounds.Grade1, "g2")
	cookies := map[string]string{"": "", "citizen": e.signInCitizen(t, person)}
	for _, name := range []string{"admin", "education"} {
		cookies[name] = e.signIn(t, name)
	}
	for _, p := range []goldenPage{
		{file: "home.zh.html", path: "/", lang: "zh-CN"},
		{file: "home.en.html", path: "/", lang: "en"},
		{file: "error-404.zh.html", path: "/no-such-page", lang: "zh-CN", status: http.StatusNotFound},
		{file: "error-404.en.html", path: "/no-such-page", lang: "en", status: http.StatusNotFound},
		{file: "me.zh.html", path: "/me", who: "citizen", lang: "zh-CN"},
		{file: "me-points.zh.html", path: "/me/points", who: "citizen", lang: "zh-CN"},
		{file: "me-points.en.html", path: "/me/points", who: "citizen", lang: "en"},
		{file: "me-apply.zh.html", path: "/me/apply", who: "citizen", lang: "zh-CN"},
		{file: "me-applications.zh.html", path: "/me/applications", who: "citizen", lang: "zh-CN"},
		{file: "me-applications.en.html", path: "/me/applications", who: "citizen", lang: "en"},
		{file: "public-rounds.zh.html", path: "/rounds", lang: "zh-CN"},
		{file: "public-round-g1.zh.html", path: "/rounds/g1", lang: "zh-CN"},
		{file: "public-round-g1.en.html", path: "/rounds/g1", lang: "en"},
		{file: "officer-dashboard.zh.html", path: "/officer", who: "admin", lang: "zh-CN"},
		{file: "officer-rounds.zh.html", path: "/officer/rounds", who: "admin", lang: "zh-CN"},
		{file: "officer-round-g1.zh.html", path: "/officer/rounds/g1", who: "admin", lang: "zh-CN"},
		{file: "officer-round-g1.en.html", path: "/officer/rounds/g1", who: "admin", lang: "en"},
		{file: "officer-forecast.zh.html", path: "/officer/forecast", who: "education", lang: "zh-CN"},
	} {
		t.Run(p.file, func(t *testing.T) {
			header := []string{"Accept-Language", p.lang}
			if c := cookies[p.who]; c != "" {
				header = append(header, "Cookie", c)
			}
			w := doView(t, e.h, "GET", p.path, "", header...)
			want := p.status
			if want == 0 {
				want = http.StatusOK
			}
			if w.Code != want {
				t.Fatalf("GET %s as %q: %d, want %d\n%s", p.path, p.who, w.Code, want, w.Body)
			}
			golden.Check(t, filepath.Join("testdata", "golden", p.file), normalise(w.Body.Bytes()))
		})
	}
}
