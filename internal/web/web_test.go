package web

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/rounds"
	"github.com/newcitizens/rooted/internal/store"
)

const (
	person = "520102198503033311" // the test citizen, guardian of child
	child  = "520102202005050126"
	other  = "430102199001011234" // registered, not of the citizen's family
)

// testPassword is every test officer's password; testParams make its hash
// cheap (the parameters are read back from the hash on verification).
const testPassword = "correct horse battery"

var testParams = auth.Params{Memory: 1024, Time: 1, Threads: 1}

type testEnv struct {
	s      *server
	h      http.Handler
	st     *store.DB
	sender *LogSender
	rounds *rounds.Service // on 2026-11-29, like the server
}

// newTestEnv opens a fresh SQLite store with the citizen, their child,
// another person, and one officer per role (named after the role), and
// returns the server on it.
func newTestEnv(t testing.TB, token string, opts ...func(*Options)) *testEnv {
	t.Helper()
	// Imports from the console run through the real ingest code, as
	// cmd/rooted wires them (importer_test.go); a test's opts come after.
	opts = append([]func(*Options){func(o *Options) { o.Import = ingestImporter }}, opts...)
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "w.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	seed(t, st)
	for _, role := range auth.OfficerRoles {
		if _, err := st.CreateUser(ctx, auth.User{Name: string(role), Role: role, PasswordHash: testParams.Hash(testPassword)}); err != nil {
			t.Fatal(err)
		}
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sender := &LogSender{}
	scheme, err := policy.Load("")
	if err != nil {
		t.Fatal(err)
	}
	rs := &rounds.Service{Store: st, Scheme: scheme, Files: ingest.PublicationFiles{}, Now: func() time.Time { return time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC) }}
	ctx, stop := context.WithCancel(context.Background())
	opt := Options{Logger: logger, APIToken: token, Codes: sender, WorkDir: t.TempDir(),
		Today:  func() date.Date { return date.MustParse("2026-11-29") },
		Rounds: rs, Context: ctx}
	for _, o := range opts {
		o(&opt)
	}
	s := newServer(st, opt)
	// The background work stops before the store closes (cleanups run
	// last first).
	t.Cleanup(func() { stop(); <-s.pub.done; <-s.viewsDone })
	// Most tests look at the figures; the test of the page before them
	// (TestHomeNeverWaits) makes its own server.
	<-s.pub.ready
	return &testEnv{s: s, h: s.routes(), st: st, sender: sender, rounds: rs}
}

func seed(t testing.TB, st *store.DB) {
	t.Helper()
	ctx := context.Background()
	b, err := st.BeginBatch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	d := date.MustParse
	for _, err := range []error{
		b.PutPerson(ctx, registry.Person{IDNumber: person, Name: "测试", BirthDate: d("1985-03-03"), Sex: registry.Male, Origin: "520102", Education: "college"}),
		b.PutPerson(ctx, registry.Person{IDNumber: child, Name: "测小", BirthDate: d("2020-05-05"), Sex: registry.Female, Origin: "520102"}),
		b.PutPerson(ctx, registry.Person{IDNumber: other, Name: "王五六", BirthDate: d("1990-01-01"), Sex: registry.Male, Origin: "430102"}),
		b.PutGuardian(ctx, registry.Guardianship{Child: child, Guardian: person}),
		b.PutResidence(ctx, registry.Residence{IDNumber: person, Town: "zeguo", Address: "a", Since: d("2020-01-01"), Kind: "rented"}),
		b.PutResidence(ctx, registry.Residence{IDNumber: child, Town: "zeguo", Address: "a", Since: d("2020-05-05"), Kind: "rented"}),
		b.PutResidence(ctx, registry.Residence{IDNumber: other, Town: "daxi", Address: "b", Since: d("2021-01-01"), Kind: "rented"}),
		b.PutInsurance(ctx, registry.Insurance{IDNumber: person, Kind: "pension", From: d("2023-01-01")}),
		b.PutTown(ctx, registry.Town{Code: "zeguo", Name: "泽国镇", Kind: "town"}),
		b.PutTown(ctx, registry.Town{Code: "daxi", Name: "大溪镇", Kind: "town"}),
		b.PutSchool(ctx, registry.School{Code: "zg-p1", Name: "泽国镇第一小学", Town: "zeguo", Level: "primary", EntrySeats: 90}),
		b.PutSchool(ctx, registry.School{Code: "dx-p1", Name: "大溪镇第一小学", Town: "daxi", Level: "primary", EntrySeats: 60}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := b.Commit(ctx, registry.ImportRun{File: "t"}); err != nil {
		t.Fatal(err)
	}
}

// do sends one request; header holds name, value pairs. Every request
// looks same-origin to http.CrossOriginProtection unless it says otherwise.
func do(t *testing.T, h http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if method == "POST" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		r.Header.Set(header[i], header[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// signIn signs an officer in and returns the session cookie header.
func (e *testEnv) signIn(t *testing.T, name string) string {
	t.Helper()
	w := do(t, e.h, "POST", "/signin", url.Values{"name": {name}, "password": {testPassword}}.Encode())
	if w.Code != http.StatusSeeOther {
		t.Fatalf("sign-in of %s: %d %s", name, w.Code, w.Body)
	}
	return cookieOf(t, w)
}

// signInCitizen signs the citizen id in with the code from the demo
// sender and returns the session cookie header.
func (e *testEnv) signInCitizen(t *testing.T, id string) string {
	t.Helper()
	w := do(t, e.h, "POST", "/citizen/signin", url.Values{"id": {id}}.Encode())
	if w.Code != 200 || !strings.Contains(w.Body.String(), `name="code"`) {
		t.Fatalf("send code: %d %s", w.Code, w.Body)
	}
	code := e.sender.Last(id)
	w = do(t, e.h, "POST", "/citizen/verify", url.Values{"id": {id}, "code": {code}}.Encode())
	if w.Code != http.StatusSeeOther {
		t.Fatalf("verify: %d %s", w.Code, w.Body)
	}
	return cookieOf(t, w)
}

func cookieOf(t *testing.T, w *httptest.ResponseRecorder) string {
	t.Helper()
	for _, c := range w.Result().Cookies() {
		if c.Name == sessionCookie {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || len(c.Value) < 40 {
				t.Errorf("session cookie %+v: want HttpOnly, SameSite=Lax, a 32-byte token", c)
			}
			return c.Name + "=" + c.Value
		}
	}
	t.Fatalf("no session cookie in %v", w.Result().Cookies())
	return ""
}

func TestScore(t *testing.T) {
	h := newTestEnv(t, "").h
	for _, tt := range []struct {
		name, body, query string
		status            int
		want              string
	}{
		{"contract example", `{"id":"p1","birth_date":"1994-06-01","education":"college","skill_level":4,
			"insurance_months":36,"residence_months":48}`, "?as_of=2026-11-29", 200, `"total":63`},
		{"english", `{"id":"p1","birth_date":"1994-06-01"}`, "?as_of=2026-11-29&lang=en", 200, `"explain":"age 32 → 20"`},
		{"not JSON", `{"id":`, "", 400, `"status":400`},
		{"an array", `[1]`, "", 400, `one JSON object`},
		{"out of range", `{"id":"p1","skill_level":9}`, "", 400, `skill_level`},
		{"bad date", `{"id":"p1"}`, "?as_of=2026-02-30", 400, `as_of`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, h, "POST", "/api/v1/score"+tt.query, tt.body, "Content-Type", "application/json")
			if w.Code != tt.status || !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("status %d, body %s; want %d and %s", w.Code, w.Body, tt.status, tt.want)
			}
			if tt.status != 200 && w.Header().Get("Content-Type") != "application/problem+json" {
				t.Errorf("error content type %q", w.Header().Get("Content-Type"))
			}
		})
	}
}

func TestPersonPoints(t *testing.T) {
	target := "/api/v1/persons/" + person + "/points?as_of=2026-11-29"
	open := newTestEnv(t, "")
	if w := do(t, open.h, "GET", target, "", "Authorization", "Bearer "); w.Code != 403 || !strings.Contains(w.Body.String(), "sign-in required") {
		t.Errorf("without a configured token: %d %s; want 403 sign-in required", w.Code, w.Body)
	}
	e := newTestEnv(t, "s3cret")
	citizen := e.signInCitizen(t, person)
	education := e.signIn(t, "education")
	for _, tt := range []struct {
		name, target string
		header       []string
		status       int
	}{
		{"anonymous", target, nil, 403},
		{"wrong token", target, []string{"Authorization", "Bearer nope"}, 403},
		{"token", target, []string{"Authorization", "Bearer s3cret"}, 200},
		{"unknown person", "/api/v1/persons/520102199001011234/points", []string{"Authorization", "Bearer s3cret"}, 404},
		{"citizen asks for anyone", target, []string{"Cookie", citizen}, 403},
		{"education officer", target, []string{"Cookie", education}, 403},
		{"citizen's own", "/api/v1/me/points?as_of=2026-11-29", []string{"Cookie", citizen}, 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := do(t, e.h, "GET", tt.target, "", tt.header...)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if strings.Contains(w.Body.String(), "19850303") {
				t.Errorf("answer shows the full ID number: %s", w.Body)
			}
			if tt.status != 200 {
				if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("error content type %q", ct)
				}
				return
			}
			var ex struct {
				Person string
				Total  float64
				Items  []struct{ Code, Explain string }
				Raise  []struct {
					Action string
					Points float64
				}
			}
			if err := json.Unmarshal(w.Body.Bytes(), &ex); err != nil {
				t.Fatal(err)
			}
			if ex.Person != "520102********3311" || ex.Total <= 0 || len(ex.Items) == 0 || len(ex.Raise) == 0 {
				t.Errorf("explanation %+v", ex)
			}
		})
	}
}

// TestOpenAPIListsEveryRoute checks that every /api/v1 route registered in
// routes() is in the OpenAPI document, and that the document lists nothing
// else.
func TestOpenAPIListsEveryRoute(t *testing.T) {
	e := newTestEnv(t, "")
	w := do(t, e.h, "GET", "/api/v1/openapi.json", "")
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("document: %v, openapi %q", err, doc.OpenAPI)
	}
	routed := map[string]bool{}
	for _, p := range e.s.routed {
		method, path, _ := strings.Cut(p, " ")
		if !strings.HasPrefix(path, "/api/v1/") || path == "/api/v1/" {
			continue
		}
		routed[strings.ToLower(method)+" "+path] = true
		if _, ok := doc.Paths[path][strings.ToLower(method)]; !ok {
			t.Errorf("route %s is not in the OpenAPI document", p)
		}
	}
	for path, ops := range doc.Paths {
		for method := range ops {
			if !routed[method+" "+path] {
				t.Errorf("the OpenAPI document lists %s %s, which is not routed", method, path)
			}
		}
	}
	if len(routed) < 10 {
		t.Errorf("only %d /api/v1 routes recorded", len(routed))
	}
}

// TestRoles checks who may open what: each officer role only its scope,
// citizens only their own pages, anonymous callers nothing personal.
func TestRoles(t *testing.T) {
	e := newTestEnv(t, "")
	cookies := map[string]string{"anonymous": "", "citizen": e.signInCitizen(t, person)}
	for _, role := range auth.OfficerRoles {
		cookies[string(role)] = e.signIn(t, string(role))
	}
	// want: who → status; anyone not listed gets 403, anonymous a redirect
	// to sign in (303) for pages and 403 for the API.
	for _, tt := range []struct {
		path string
		ok   []string
	}{
		{"/me/points", []string{"citizen"}},
		{"/me", []string{"citizen"}},
		{"/me/apply", []string{"citizen"}},
		{"/me/applications", []string{"citizen"}},
		{"/api/v1/me/points", []string{"citizen"}},
		{"/officer", []string{"admin", "education", "housing", "hrss", "medical", "police", "auditor"}},
		{"/officer/registry?q=3311", []string{"admin", "police"}},
		{"/officer/import", []string{"admin"}},
		{"/officer/forecast", []string{"admin", "education"}},
		{"/officer/housing", []string{"admin", "housing"}},
		{"/officer/rounds", []string{"admin", "education", "housing", "auditor"}},
		{"/officer/audit", []string{"admin", "auditor"}},
		{"/officer/schemes", []string{"admin", "hrss"}},
		{"/api/v1/persons?q=3311", []string{"admin", "police"}},
		{"/api/v1/dashboard", []string{"admin", "education", "housing", "hrss", "medical", "police", "auditor"}},
		{"/api/v1/forecast", []string{"admin", "education"}},
	} {
		for who, cookie := range cookies {
			t.Run(tt.path+"/"+who, func(t *testing.T) {
				var header []string
				if cookie != "" {
					header = []string{"Cookie", cookie}
				}
				w := do(t, e.h, "GET", tt.path, "", header...)
				if w.Code == http.StatusAccepted && strings.HasPrefix(tt.path, "/api/") {
					// A computed view being computed (views.go): allowed, as 200 is.
					w.Code = http.StatusOK
				}
				want := 403
				switch {
				case strings.Contains(strings.Join(tt.ok, " "), who) && who != "anonymous":
					want = 200
				case who == "anonymous" && !strings.HasPrefix(tt.path, "/api/"):
					want = 303
				}
				if w.Code != want {
					t.Fatalf("status %d, want %d", w.Code, want)
				}
				body := w.Body.String()
				for _, full := range []string{person, child, other, "19850303"} {
					if strings.Contains(body, full) {
						t.Errorf("page shows a full ID number (%s…)", full[:6])
					}
				}
				if want == 403 && !strings.HasPrefix(tt.path, "/api/") && !strings.Contains(body, "<html lang=") {
					t.Errorf("403 is not an error page: %.200s", body)
				}
			})
		}
	}
}

// TestCitizenSeesOwnFamily: the registration page shows the citizen and
// their child, masked, and nobody else.
func TestCitizenSeesOwnFamily(t *testing.T) {
	e := newTestEnv(t, "")
	w := do(t, e.h, "GET", "/me", "", "Cookie", e.signInCitizen(t, person))
	body := w.Body.String()
	for _, want := range []string{"520102********3311", "520102********0126", "测小"} {
		if !strings.Contains(body, want) {
			t.Errorf("/me lacks %q", want)
		}
	}
	if strings.Contains(body, "王五六") || strings.Contains(body, "430102") {
		t.Error("/me shows another person")
	}
	w = do(t, e.h, "GET", "/me/apply", "", "Cookie", e.signInCitizen(t, person))
	if !strings.Contains(w.Body.String(), `id="no-rounds"`) {
		t.Errorf("apply without a rounds service: want the no-rounds notice, got %.300s", w.Body)
	}
}

func TestSignInLimits(t *testing.T) {
	e := newTestEnv(t, "")
	bad := url.Values{"name": {"police"}, "password": {"wrong password!"}}.Encode()
	var last int
	for range 6 {
		last = do(t, e.h, "POST", "/signin", bad).Code
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("6th wrong password: %d, want 429", last)
	}
	// Locked out: even the right password is refused now.
	if w := do(t, e.h, "POST", "/signin", url.Values{"name": {"police"}, "password": {testPassword}}.Encode()); w.Code != http.StatusTooManyRequests {
		t.Errorf("right password while locked: %d, want 429", w.Code)
	}
	// Another account is not locked.
	e.signIn(t, "admin")

	// Wrong codes void the code and lock the number.
	do(t, e.h, "POST", "/citizen/signin", url.Values{"id": {person}}.Encode())
	code := e.sender.Last(person)
	for range 5 {
		do(t, e.h, "POST", "/citizen/verify", url.Values{"id": {person}, "code": {"000000x"}}.Encode())
	}
	if w := do(t, e.h, "POST", "/citizen/verify", url.Values{"id": {person}, "code": {code}}.Encode()); w.Code == http.StatusSeeOther {
		t.Error("the right code worked after 5 wrong ones")
	}
	// The same answer for a number that is not registered.
	w := do(t, e.h, "POST", "/citizen/signin", url.Values{"id": {"110101199003070011"}}.Encode())
	if w.Code != 200 || !strings.Contains(w.Body.String(), `name="code"`) {
		t.Errorf("unregistered number: %d", w.Code)
	}
}

func TestCrossOriginRefused(t *testing.T) {
	e := newTestEnv(t, "")
	w := do(t, e.h, "POST", "/signin", url.Values{"name": {"admin"}, "password": {testPassword}}.Encode(), "Sec-Fetch-Site", "cross-site")
	if w.Code != 403 {
		t.Errorf("cross-site sign-in: %d, want 403", w.Code)
	}
	w = do(t, e.h, "POST", "/signin", url.Values{"name": {"admin"}, "password": {testPassword}}.Encode(), "Origin", "https://evil.example")
	if w.Code != 403 {
		t.Errorf("sign-in from another origin: %d, want 403", w.Code)
	}
}

func TestSignOut(t *testing.T) {
	e := newTestEnv(t, "")
	c := e.signIn(t, "admin")
	if w := do(t, e.h, "POST", "/signout", "", "Cookie", c); w.Code != http.StatusSeeOther {
		t.Fatalf("sign out: %d", w.Code)
	}
	if w := do(t, e.h, "GET", "/officer", "", "Cookie", c); w.Code != http.StatusSeeOther {
		t.Errorf("after sign-out: %d, want a redirect to sign in", w.Code)
	}
}

func TestUnmaskIsAudited(t *testing.T) {
	e := newTestEnv(t, "")
	c := e.signIn(t, "police")
	w := do(t, e.h, "GET", "/officer/registry?q=3311", "", "Cookie", c)
	m := regexp.MustCompile(`name="ref" value="([^"]+)"`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no unmask form in %s", w.Body)
	}
	ref := m[1]
	hx := []string{"Cookie", c, "HX-Request", "true"}
	if w := do(t, e.h, "POST", "/officer/registry/unmask", url.Values{"ref": {ref}, "reason": {""}}.Encode(), hx...); strings.Contains(w.Body.String(), person) {
		t.Error("unmasked without a reason")
	}
	if w := do(t, e.h, "POST", "/officer/registry/unmask", url.Values{"ref": {ref}, "reason": {"案件 2026-117"}}.Encode(), hx...); !strings.Contains(w.Body.String(), person) {
		t.Errorf("unmask with a reason: %s", w.Body)
	}
	es, err := e.st.Audit(context.Background(), 10)
	if err != nil || len(es) != 1 || es[0].Actor != "police" || es[0].Subject != person || es[0].Reason != "案件 2026-117" {
		t.Errorf("audit log %+v, %v", es, err)
	}
	if w := do(t, e.h, "POST", "/officer/registry/unmask", url.Values{"ref": {ref}, "reason": {"x"}}.Encode(), "Cookie", e.signIn(t, "education")); w.Code != 403 {
		t.Errorf("education unmasking: %d", w.Code)
	}
	w = do(t, e.h, "GET", "/officer/audit", "", "Cookie", e.signIn(t, "auditor"))
	if !strings.Contains(w.Body.String(), "520102********3311") || strings.Contains(w.Body.String(), person) {
		t.Errorf("audit page should show the subject masked")
	}
}

func TestLanguage(t *testing.T) {
	e := newTestEnv(t, "")
	for _, tt := range []struct {
		name   string
		header []string
		want   string
	}{
		{"default", nil, `<html lang="zh-CN">`},
		{"accept-language", []string{"Accept-Language", "en-GB,en;q=0.9"}, `<html lang="en">`},
		{"chinese first", []string{"Accept-Language", "zh-TW,en;q=0.5"}, `<html lang="zh-CN">`},
		{"cookie wins", []string{"Accept-Language", "en", "Cookie", langCookie + "=zh-CN"}, `<html lang="zh-CN">`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if w := do(t, e.h, "GET", "/signin", "", tt.header...); !strings.Contains(w.Body.String(), tt.want) {
				t.Errorf("want %s in %.200s", tt.want, w.Body)
			}
		})
	}
	w := do(t, e.h, "POST", "/lang", "lang=en&back=/signin")
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/signin" || !strings.Contains(w.Header().Get("Set-Cookie"), langCookie+"=en") {
		t.Errorf("switch: %d %v", w.Code, w.Header())
	}
	if w := do(t, e.h, "POST", "/lang", "lang=en&back=//evil.example"); w.Header().Get("Location") != "/" {
		t.Errorf("switch back to another site: %q", w.Header().Get("Location"))
	}
}
