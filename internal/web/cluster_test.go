package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/policy"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/rounds"
	"github.com/newcitizens/rooted/internal/store"
	"github.com/newcitizens/rooted/internal/store/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// engines are the databases the cluster tests run on; dsn returns a fresh,
// empty database for t.
var engines = []struct {
	name string
	dsn  func(t testing.TB) string
}{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "rooted.db") }},
	{"postgres", pgtest.DSN},
}

// clock is a settable time for the servers of a cluster test: the polls
// of the registry's version and the auth generation are proven by moving
// it one poll interval, not by waiting.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now().UTC()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// cluster is several servers of rooted on one database, as behind a load
// balancer: each has its own store handle (its own connections), and all
// share the configuration (sign-in key, SMS gateway, API token).
type cluster struct {
	dsn    string
	clock  *clock
	sender *LogSender
	first  *store.DB // for the test's own reads and writes
	opt    Options
}

const clusterToken = "cluster-test-token"

// newCluster seeds a fresh database of engine dsn like newTestEnv, with
// one officer per role and an open grade-1 round "g1".
func newCluster(t *testing.T, dsn string) *cluster {
	t.Helper()
	c := &cluster{dsn: dsn, clock: newClock(), sender: &LogSender{}}
	c.first = c.open(t)
	seed(t, c.first)
	for _, role := range auth.OfficerRoles {
		if _, err := c.first.CreateUser(t.Context(), auth.User{Name: string(role), Role: role, PasswordHash: testParams.Hash(testPassword)}); err != nil {
			t.Fatal(err)
		}
	}
	c.opt = Options{
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Codes: c.sender, APIToken: clusterToken,
		Today: func() date.Date { return date.MustParse("2026-11-29") }, Now: c.clock.Now,
		SignInKey: []byte("the sign-in key every server of this cluster reads from its file"),
		Import:    ingestImporter, // as cmd/rooted wires it
	}
	rs := c.rounds(t, c.first)
	req := rounds.CreateRequest{ID: "g1", Kind: rounds.Grade1, Name: "测试轮次 g1", Year: 2027, ClosesOn: date.MustParse("2026-12-27")}
	if _, err := rs.Create(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := rs.Open(t.Context(), "g1", testSeed+"g1"); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *cluster) open(t *testing.T) *store.DB {
	t.Helper()
	st, err := store.Open(context.Background(), c.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func (c *cluster) rounds(t *testing.T, st *store.DB) *rounds.Service {
	t.Helper()
	scheme, err := policy.Load("")
	if err != nil {
		t.Fatal(err)
	}
	return &rounds.Service{Store: st, Scheme: scheme, Now: func() time.Time { return time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC) }}
}

// server builds one more server of the cluster: a new store handle and a
// new handler with the cluster's options, as a restarted process has.
func (c *cluster) server(t *testing.T) *server {
	t.Helper()
	st := c.open(t)
	rs := c.rounds(t, st)
	opt := c.opt
	opt.WorkDir = t.TempDir()
	opt.Rounds = rs
	ctx, stop := context.WithCancel(context.Background())
	if opt.Context == nil {
		opt.Context = ctx
	}
	s := newServer(st, opt)
	// The background work stops before the store closes.
	t.Cleanup(func() { stop(); <-s.pub.done; <-s.viewsDone })
	return s
}

// node is a server of the cluster listening on 127.0.0.1:0.
type node struct {
	name string
	s    *server
	srv  *httptest.Server
}

func (c *cluster) start(t *testing.T, name string) *node {
	t.Helper()
	s := c.server(t)
	n := &node{name: name, s: s, srv: httptest.NewServer(s.routes())}
	t.Cleanup(n.srv.Close)
	return n
}

// send makes one request to n over HTTP, without following redirects;
// form is sent as a POST body when not nil.
func (n *node) send(t *testing.T, method, path string, form url.Values, header ...string) (int, string, http.Header) {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(t.Context(), method, n.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s on %s: %v", method, path, n.name, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b), resp.Header
}

// sessionCookie returns the Cookie header for the session h sets.
func sessionCookieOf(t *testing.T, h http.Header) string {
	t.Helper()
	for _, c := range (&http.Response{Header: h}).Cookies() {
		if c.Name == sessionCookie && c.Value != "" {
			return c.Name + "=" + c.Value
		}
	}
	t.Fatalf("no session cookie in %v", h["Set-Cookie"])
	return ""
}

var (
	childRefRE  = regexp.MustCompile(`<option value="([A-Za-z0-9_-]+)" lang="zh-CN">测小`)
	personRefRE = regexp.MustCompile(`name="ref" value="([A-Za-z0-9_-]+)"`)
)

// TestClusterWalk: two servers on one database — SQLite file and
// PostgreSQL — and requests alternating between them as a load balancer
// sends them, one server restarted in the middle: a citizen signs in
// (code sent by one, checked by the other), applies with a form loaded
// from the server that is then restarted, sees the application, and signs
// out, which ends the session on the other server within one poll of the
// auth generation; an officer unmasks a person found on one server on the
// other; an officer's import, uploaded to a server restarted before its
// job runs, is run by the other and its quarantine file served by either.
func TestClusterWalk(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			c := newCluster(t, e.dsn(t))
			a, b := c.start(t, "A"), c.start(t, "B")
			step := func(n *node, method, path string, form url.Values, cookie string, want int) (string, http.Header) {
				t.Helper()
				var hdr []string
				if cookie != "" {
					hdr = []string{"Cookie", cookie}
				}
				code, body, h := n.send(t, method, path, form, hdr...)
				if code != want {
					t.Fatalf("%s %s on %s: %d, want %d: %.400s", method, path, n.name, code, want, body)
				}
				return body, h
			}

			step(a, "POST", "/citizen/signin", url.Values{"id": {person}}, "", 200)
			_, h := step(b, "POST", "/citizen/verify", url.Values{"id": {person}, "code": {c.sender.Last(person)}}, "", 303)
			citizen := sessionCookieOf(t, h)
			page, _ := step(a, "GET", "/me/apply", nil, citizen, 200)
			m := childRefRE.FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no child in the apply form: %.600s", page)
			}
			childRef := m[1]

			// A restarts: a new process, a new handler on the same database
			// and configuration. The form it served is submitted to B.
			a.srv.Close()
			a = c.start(t, "A'")
			step(b, "GET", "/me/points", nil, citizen, 200)
			step(a, "GET", "/me/points", nil, citizen, 200)
			step(b, "POST", "/me/apply", url.Values{"round": {"g1"}, "child": {childRef}, "choice": {"zg-p1", "dx-p1"}}, citizen, 303)
			apps, _ := step(a, "GET", "/me/applications", nil, citizen, 200)
			if !strings.Contains(apps, `data-status="submitted"`) {
				t.Errorf("the application is not on the restarted server's page: %.600s", apps)
			}
			step(b, "POST", "/signout", url.Values{}, citizen, 303)
			// A cached the session a request ago; one poll interval later it
			// has seen the sign-out.
			c.clock.advance(a.s.opt.AuthPoll)
			if _, h := step(a, "GET", "/me/points", nil, citizen, 303); h.Get("Location") != "/citizen/signin" {
				t.Errorf("after sign-out on B, A sends the citizen to %q", h.Get("Location"))
			}
			step(b, "GET", "/me/points", nil, citizen, 303)

			// An officer's unmask: the reference sealed by one server opens
			// on the other, and on a restarted one.
			_, h = step(a, "POST", "/signin", url.Values{"name": {"police"}, "password": {testPassword}}, "", 303)
			police := sessionCookieOf(t, h)
			found, _ := step(b, "GET", "/officer/registry?q=3311", nil, police, 200)
			m = personRefRE.FindStringSubmatch(found)
			if m == nil {
				t.Fatalf("no unmask form in the search results: %.600s", found)
			}
			shown, _ := step(a, "POST", "/officer/registry/unmask", url.Values{"ref": {m[1]}, "reason": {"case 2026-117"}}, police, 200)
			if !strings.Contains(shown, person) {
				t.Errorf("unmask on A of a reference from B: %.400s", shown)
			}
			b.srv.Close()
			b = c.start(t, "B'")
			shown, _ = step(b, "POST", "/officer/registry/unmask", url.Values{"ref": {m[1]}, "reason": {"case 2026-118"}}, police, 200)
			if !strings.Contains(shown, person) {
				t.Errorf("unmask on restarted B: %.400s", shown)
			}
			// Both unmaskings are in the log, whichever server wrote them.
			es, err := c.first.Audit(t.Context(), 10)
			if err != nil {
				t.Fatal(err)
			}
			var reasons []string
			for _, e := range es {
				if e.Action == "unmask" {
					reasons = append(reasons, e.Reason)
				}
			}
			if strings.Join(reasons, ",") != "case 2026-118,case 2026-117" {
				t.Errorf("unmaskings logged: %v", reasons)
			}

			// An officer's import: uploaded to A, which restarts before the
			// job runs; B's runner takes the job; the officer follows it on
			// the restarted A and downloads the quarantine file from B.
			_, h = step(b, "POST", "/signin", url.Values{"name": {"admin"}, "password": {testPassword}}, "", 303)
			admin := sessionCookieOf(t, h)
			up := upload(t, a.srv.Config.Handler, admin, "人员.csv", importCSV)
			if up.Code != http.StatusSeeOther {
				t.Fatalf("upload on A: %d %s", up.Code, up.Body)
			}
			jobURL := up.Header().Get("Location")
			a.srv.Close()
			a = c.start(t, "A''")
			queued, _ := step(a, "GET", jobURL, nil, admin, 200)
			if !strings.Contains(queued, `hx-trigger="every 1s"`) {
				t.Errorf("the job on the restarted A is not shown waiting: %.600s", queued)
			}
			if did, err := b.s.runner.RunOnce(t.Context()); err != nil || !did {
				t.Fatalf("B's runner: did %v, err %v", did, err)
			}
			status, _ := step(a, "GET", jobURL+"/status", nil, admin, 200)
			link := quarantineLink.FindString(status)
			if link == "" || !strings.Contains(status, `id="reconciliation"`) {
				t.Fatalf("the import's result on A: %.800s", status)
			}
			q, _ := step(b, "GET", link, nil, admin, 200)
			if !strings.Contains(q, "110101199003071234") {
				t.Errorf("the quarantine file from B: %.300s", q)
			}
			// The new persons are on both servers' search at once.
			if found, _ := step(b, "GET", "/officer/registry?q=7571", nil, police, 200); !strings.Contains(found, "张") {
				t.Errorf("the imported person is not found on B: %.400s", found)
			}
		})
	}
}

// TestClusterRevocation: a sign-out, a role change and a lock made through
// one server, or by the command line, end the session another server
// caches within one poll of the auth generation (Options.AuthPoll).
func TestClusterRevocation(t *testing.T) {
	c := newCluster(t, filepath.Join(t.TempDir(), "rooted.db"))
	a, b := c.start(t, "A"), c.start(t, "B")
	signIn := func(name string) string {
		t.Helper()
		code, body, h := a.send(t, "POST", "/signin", url.Values{"name": {name}, "password": {testPassword}})
		if code != 303 {
			t.Fatalf("sign-in of %s: %d %.300s", name, code, body)
		}
		return sessionCookieOf(t, h)
	}
	get := func(n *node, path, cookie string) int {
		t.Helper()
		code, _, _ := n.send(t, "GET", path, nil, "Cookie", cookie)
		return code
	}
	for _, tt := range []struct {
		name   string
		who    string
		path   string
		revoke func(t *testing.T, cookie string)
	}{
		{"sign-out on the other server", "education", "/officer/forecast", func(t *testing.T, cookie string) {
			if code, _, _ := a.send(t, "POST", "/signout", url.Values{}, "Cookie", cookie); code != 303 {
				t.Fatalf("sign-out: %d", code)
			}
		}},
		{"role removed", "police", "/officer/registry", func(t *testing.T, cookie string) {
			if err := c.first.SetUserRole(t.Context(), "police", auth.Auditor); err != nil {
				t.Fatal(err)
			}
		}},
		{"account locked", "housing", "/officer/housing", func(t *testing.T, cookie string) {
			if err := c.first.SetUserDisabled(t.Context(), "housing", true); err != nil {
				t.Fatal(err)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cookie := signIn(tt.who)
			if code := get(b, tt.path, cookie); code != 200 {
				t.Fatalf("before: %s on B: %d", tt.path, code)
			}
			tt.revoke(t, cookie)
			c.clock.advance(b.s.opt.AuthPoll)
			if code := get(b, tt.path, cookie); code != http.StatusSeeOther {
				t.Errorf("one poll after: %s on B: %d, want 303 to the sign-in", tt.path, code)
			}
		})
	}
}

// TestClusterCaches: a change to the registry through one server (or any
// process) shows on every page of another that caches what it derives
// from the registry, one poll of the registry's version later
// (Options.RegistryPoll), though the caches' own lifetimes run to an hour.
func TestClusterCaches(t *testing.T) {
	c := newCluster(t, filepath.Join(t.TempDir(), "rooted.db"))
	a, b := c.start(t, "A"), c.start(t, "B")
	bearer := []string{"Authorization", "Bearer " + clusterToken}
	a.send(t, "POST", "/citizen/signin", url.Values{"id": {person}})
	_, _, h := a.send(t, "POST", "/citizen/verify", url.Values{"id": {person}, "code": {c.sender.Last(person)}})
	citizen := sessionCookieOf(t, h)
	pages := []struct {
		path   string
		header []string
	}{
		{"/api/v1/figures", nil},
		{"/api/v1/dashboard", bearer},
		{"/api/v1/forecast", bearer},
		{"/api/v1/schemes/diff", bearer},
		{"/officer/housing", bearer},
		{"/api/v1/me/points", []string{"Cookie", citizen}},
		{"/me/points", []string{"Cookie", citizen}},
	}
	// The public figures are computed in the background (figures.go): a
	// page answers 503 until the first computation ends, and shows a change
	// once the background work has seen it — one poll after, plus the scan.
	// get waits for that (the bound only ends a test that would hang).
	get := func(path string, header []string, unlike string) (int, string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for {
			code, body, _ := b.send(t, "GET", path, nil, header...)
			if code == http.StatusAccepted || strings.Contains(body, `id="view-status"`) {
				// A computed view (views.go), being computed by B's runner.
				if time.Now().After(deadline) {
					return code, body
				}
				time.Sleep(10 * time.Millisecond)
				continue
			}
			if path != "/api/v1/figures" || (code == 200 && body != unlike) || time.Now().After(deadline) {
				return code, body
			}
			c.clock.advance(b.s.opt.RegistryPoll) // the background work's next look
			time.Sleep(10 * time.Millisecond)
		}
	}
	before := map[string]string{}
	for _, p := range pages {
		code, body := get(p.path, p.header, "")
		if code != 200 {
			t.Fatalf("%s on B: %d %.300s", p.path, code, body)
		}
		before[p.path] = body
	}
	updated := b.s.registryUpdates() // what a background refresher waits on
	// The change, through A's store: a family moves to zeguo — a guardian
	// with a child about to start school — and the citizen's pension
	// contributions are found to start earlier.
	d := date.MustParse
	bt, err := a.s.st.(*store.DB).BeginBatch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{
		bt.PutPerson(t.Context(), registry.Person{IDNumber: "520102198807070019", Name: "新来", BirthDate: d("1988-07-07"), Sex: registry.Male, Origin: "520102"}),
		bt.PutPerson(t.Context(), registry.Person{IDNumber: "520102202101010024", Name: "新小", BirthDate: d("2021-01-01"), Sex: registry.Female, Origin: "520102"}),
		bt.PutGuardian(t.Context(), registry.Guardianship{Child: "520102202101010024", Guardian: "520102198807070019"}),
		bt.PutResidence(t.Context(), registry.Residence{IDNumber: "520102198807070019", Town: "zeguo", Address: "c", Since: d("2019-01-01"), Kind: "rented"}),
		bt.PutResidence(t.Context(), registry.Residence{IDNumber: "520102202101010024", Town: "zeguo", Address: "c", Since: d("2019-01-01"), Kind: "rented"}),
		bt.PutInsurance(t.Context(), registry.Insurance{IDNumber: person, Kind: "pension", From: d("2019-01-01")}),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := bt.Commit(t.Context(), registry.ImportRun{File: "moved-in"}); err != nil {
		t.Fatal(err)
	}
	// And a permits run gives the newcomer a residence permit: their
	// household now waits for public rental housing.
	if _, err := a.s.st.(*store.DB).UpdatePermits(t.Context(), func(h registry.PersonHistory) registry.PermitChange {
		if h.Person.IDNumber != "520102198807070019" {
			return registry.PermitChange{}
		}
		return registry.PermitChange{Permits: []registry.Permit{{Number: registry.DefaultPermitRule.Region + "-20200101-0001", IDNumber: h.Person.IDNumber, Town: "zeguo",
			IssuedOn: d("2020-01-01"), ValidTo: d("2027-12-31"), Status: registry.PermitActive, UpdatedOn: d("2020-01-01")}}}
	}, nil); err != nil {
		t.Fatal(err)
	}
	c.clock.advance(b.s.opt.RegistryPoll)
	for _, p := range pages {
		code, body := get(p.path, p.header, before[p.path])
		if code != 200 {
			t.Fatalf("%s on B after the change: %d %.300s", p.path, code, body)
		}
		if body == before[p.path] {
			t.Errorf("%s on B: unchanged one poll after the registry changed on A", p.path)
		}
	}
	select {
	case <-updated:
	default:
		t.Errorf("B saw the change, and did not tell those waiting on registryUpdates")
	}
}
