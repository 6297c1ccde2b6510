package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/jobs"
	"github.com/newcitizens/rooted/internal/points"
	"github.com/newcitizens/rooted/internal/registry"
)

// doView sends a request for a page or resource that may be a computed
// view, again until it is no longer being computed (the server's own view
// runner computes it in the background). The bound only ends a test that
// would hang.
func doView(t *testing.T, h http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		w := do(t, h, method, target, body, header...)
		if (w.Code != http.StatusAccepted && !strings.Contains(w.Body.String(), `id="view-status"`)) || time.Now().After(deadline) {
			return w
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// waitView returns the result of view name, waiting for s's view runner
// to compute it.
func waitView[T any](t *testing.T, s *server, name string) T {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		v, pending, err := viewOf[T](s, t.Context(), name)
		if err != nil {
			t.Fatal(err)
		}
		if pending == nil {
			return v
		}
		if time.Now().After(deadline) {
			t.Fatalf("view %s: still %s", name, pending.State)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// viewCluster starts servers on one database whose view runners run
// only when the test says (runner.RunOnce), so that what a page shows
// before and after the computation is certain.
func viewCluster(t *testing.T, dsn string, names ...string) (*cluster, []*node, []*jobs.Runner) {
	t.Helper()
	c := newCluster(t, dsn)
	var nodes []*node
	var runners []*jobs.Runner
	for _, name := range names {
		st := c.open(t)
		r := &jobs.Runner{Store: st, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: c.clock.Now}
		opt := c.opt
		opt.ViewJobs = r
		opt.WorkDir = t.TempDir()
		ctx, stop := context.WithCancel(context.Background())
		opt.Context = ctx
		s := newServer(st, opt)
		t.Cleanup(func() { stop(); <-s.pub.done })
		<-s.pub.ready
		n := &node{name: name, s: s, srv: httptest.NewServer(s.routes())}
		t.Cleanup(n.srv.Close)
		nodes, runners = append(nodes, n), append(runners, r)
	}
	return c, nodes, runners
}

// runViews runs the queued view jobs on r, and reports how many it ran.
func runViews(t *testing.T, r *jobs.Runner) int {
	t.Helper()
	n := 0
	for {
		did, err := r.RunOnce(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !did {
			return n
		}
		n++
	}
}

// TestViews: an officer page that scans the registry answers at once
// with the progress of a job, then with the job's result; the API answers
// 202 with the job's status at Location, then 200. A change to the
// registry makes the next view compute again; a result computed by one
// server is served by another on the same database. Both engines.
func TestViews(t *testing.T) {
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			c, nodes, runners := viewCluster(t, e.dsn(t), "A", "B")
			a, b := nodes[0], nodes[1]
			bearer := []string{"Authorization", "Bearer " + clusterToken}
			hrss := []string{"Cookie", a.officer(t, "hrss")}
			police := []string{"Cookie", a.officer(t, "police")}

			// The first view: progress, at once, for the page and the API.
			code, body, _ := a.send(t, "GET", "/officer/schemes", nil, hrss...)
			if code != 200 || !strings.Contains(body, `id="view-status"`) || !strings.Contains(body, `hx-get="/officer/views/`) || strings.Contains(body, `class="stats"`) {
				t.Fatalf("first view of /officer/schemes: %d, want the job's progress:\n%.2000s", code, body)
			}
			code, body, h := a.send(t, "GET", "/api/v1/schemes/diff", nil, bearer...)
			var st viewStatus
			if code != http.StatusAccepted || json.Unmarshal([]byte(body), &st) != nil || st.State != jobs.Queued || st.View != viewReform || h.Get("Location") != "/api/v1/views/"+i64(st.ID) {
				t.Fatalf("first GET /api/v1/schemes/diff: %d %s (Location %q), want 202 with a queued job", code, body, h.Get("Location"))
			}
			// One job for every request and server waiting: B's first view
			// joins it.
			if code, body, _ := b.send(t, "GET", "/api/v1/schemes/diff", nil, bearer...); code != http.StatusAccepted || !strings.Contains(body, `"id":`+i64(st.ID)) {
				t.Fatalf("B's first view: %d %s, want 202 with job %d", code, body, st.ID)
			}
			// The status fragment polls while the job is live; a role that
			// may not see the view finds no such page.
			status := "/officer/views/" + i64(st.ID)
			if code, body, _ := a.send(t, "GET", status, nil, hrss...); code != 200 || !strings.Contains(body, `hx-trigger="every 1s"`) || !strings.Contains(body, `role="status"`) {
				t.Fatalf("status while queued: %d %s", code, body)
			}
			if code, _, _ := a.send(t, "GET", status, nil, police...); code != http.StatusNotFound {
				t.Errorf("status for police: %d, want 404", code)
			}
			if code, _, _ := a.send(t, "GET", "/api/v1/views/"+i64(st.ID), nil, police...); code != http.StatusForbidden && code != http.StatusNotFound {
				t.Errorf("API status for police: %d, want 403 or 404", code)
			}

			// A runs it; the status says done and reloads the page.
			// (A job queued again for a key whose result is stored — by a
			// background refresh that read the results just before the
			// job ended — answers with that result: jobs run may exceed
			// computations, never the other way.)
			if n := runViews(t, runners[0]); n < 1 || a.s.viewsComputed.Load() != 1 {
				t.Fatalf("A ran %d view jobs and computed %d views, want 1 computation: %s", n, a.s.viewsComputed.Load(), viewJobsOf(t, c))
			}
			code, body, h = a.send(t, "GET", status, nil, hrss...)
			if code != 200 || h.Get("HX-Refresh") != "true" || strings.Contains(body, "hx-trigger") {
				t.Fatalf("status when done: %d HX-Refresh=%q %s", code, h.Get("HX-Refresh"), body)
			}
			code, body, _ = a.send(t, "GET", "/api/v1/views/"+i64(st.ID), nil, bearer...)
			if code != 200 || !strings.Contains(body, `"state":"done"`) || !strings.Contains(body, `"href":"/api/v1/schemes/diff"`) {
				t.Fatalf("API status when done: %d %s", code, body)
			}

			// Both servers serve the stored result; B computed nothing.
			var reports [2]points.DiffReport
			for i, n := range nodes {
				code, body, _ := n.send(t, "GET", "/api/v1/schemes/diff", nil, bearer...)
				if code != 200 || json.Unmarshal([]byte(body), &reports[i]) != nil {
					t.Fatalf("%s after the job: %d %.500s", n.name, code, body)
				}
				code, body, _ = n.send(t, "GET", "/officer/schemes", nil, hrss...)
				if code != 200 || strings.Contains(body, `id="view-status"`) || !strings.Contains(body, `class="stats"`) {
					t.Fatalf("%s's page after the job: %d %.2000s", n.name, code, body)
				}
			}
			if reports[0].Persons != 3 || reports[1].Persons != 3 {
				t.Errorf("persons compared: A %d, B %d; want 3 (the seeded city)", reports[0].Persons, reports[1].Persons)
			}
			if n := runViews(t, runners[1]); b.s.viewsComputed.Load() != 0 {
				t.Errorf("B ran %d view jobs and computed %d views, want none: A's result is shared: %s", n, b.s.viewsComputed.Load(), viewJobsOf(t, c))
			}

			// A change to the registry, by another process: within a poll,
			// B's next view computes again, and then shows the change.
			bt, err := c.first.BeginBatch(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if err := bt.PutPerson(t.Context(), registry.Person{IDNumber: "520102198807070019", Name: "新来", BirthDate: date.MustParse("1988-07-07"), Sex: registry.Male, Origin: "520102"}); err != nil {
				t.Fatal(err)
			}
			if err := bt.PutResidence(t.Context(), registry.Residence{IDNumber: "520102198807070019", Town: "zeguo", Address: "c", Since: date.MustParse("2019-01-01"), Kind: "rented"}); err != nil {
				t.Fatal(err)
			}
			if _, err := bt.Commit(t.Context(), registry.ImportRun{File: "moved-in"}); err != nil {
				t.Fatal(err)
			}
			c.clock.advance(b.s.opt.RegistryPoll)
			// B sees the change at its next reading of the version (its
			// figures' background work reads it every poll; here the test
			// reads it) and queues the view it has served in the
			// background, before anyone asks for it again.
			b.s.registryVersion(t.Context())
			var warm jobs.Job
			for deadline := time.Now().Add(30 * time.Second); warm.ID == 0; {
				js, err := c.first.Jobs(t.Context(), viewWarmer, viewKindPrefix+viewReform, 1)
				if err != nil {
					t.Fatal(err)
				}
				if len(js) == 1 && js[0].State == jobs.Queued {
					warm = js[0]
				} else if time.Now().After(deadline) {
					t.Fatalf("no view job queued in the background after the change: %+v", js)
				}
				time.Sleep(10 * time.Millisecond)
			}
			code, body, _ = b.send(t, "GET", "/api/v1/schemes/diff", nil, bearer...)
			if code != http.StatusAccepted || !strings.Contains(body, `"id":`+i64(warm.ID)) {
				t.Fatalf("B after the change: %d %.300s, want 202 with the job queued in the background (%d)", code, body, warm.ID)
			}
			if n := runViews(t, runners[1]); n < 1 || b.s.viewsComputed.Load() != 1 {
				t.Fatalf("B ran %d view jobs and computed %d views after the change, want 1 computation: %s", n, b.s.viewsComputed.Load(), viewJobsOf(t, c))
			}
			var after points.DiffReport
			if code, body, _ := b.send(t, "GET", "/api/v1/schemes/diff", nil, bearer...); code != 200 || json.Unmarshal([]byte(body), &after) != nil || after.Persons != 4 {
				t.Fatalf("B after the change and the job: %d, %d persons, want 200 and 4", code, after.Persons)
			}
		})
	}
}

func i64(n int64) string { return strconv.FormatInt(n, 10) }

// officer signs the officer name in on n and returns the session cookie.
func (n *node) officer(t *testing.T, name string) string {
	t.Helper()
	code, _, h := n.send(t, "POST", "/signin", url.Values{"name": {name}, "password": {testPassword}})
	if code != http.StatusSeeOther {
		t.Fatalf("sign-in of %s on %s: %d", name, n.name, code)
	}
	return sessionCookieOf(t, h)
}

// TestViewInBrowser: in chromium, an officer's first view of the reform
// comparison shows the job's progress — accessible, checked with axe —
// and, once the job is done, the page reloads itself and shows the
// result, with no action of the officer.
func TestViewInBrowser(t *testing.T) {
	ctx := browser(t)
	axeSource := mustReadAxe(t)
	// A view runner that runs only when the test says, so that the
	// progress stays on the screen while it is checked.
	r := &jobs.Runner{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	e := newTestEnv(t, "", func(o *Options) { o.ViewJobs = r })
	r.Store = e.st
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close)
	steps(t, ctx, "sign in and open the reform comparison",
		chromedp.EmulateViewport(1440, 900),
		chromedp.Navigate(srv.URL+"/signin"),
		chromedp.WaitVisible(`#name`),
		chromedp.SendKeys(`#name`, "hrss"),
		chromedp.SendKeys(`#password`, testPassword),
		chromedp.Click(`form button[type=submit].primary`),
		chromedp.WaitVisible(`#dash-total`),
		chromedp.Navigate(srv.URL+"/officer/schemes"),
		chromedp.WaitVisible(`#view-status [role=status]`),
		pageReady,
		chromedp.Evaluate[chromedp.Void](axeSource),
	)
	// Read the sentence in one evaluation: the page polls the job and swaps
	// #view-status in place, so a node looked up first (chromedp.Text) may
	// be gone by the time its text is asked for ("No node with given id").
	if got := value(t, ctx, chromedp.Evaluate[string](`(document.querySelector('#view-status [role=status]') || {}).textContent || ''`)); !strings.Contains(got, "本页数据正在准备") {
		t.Errorf("progress: %q, want the queued job's sentence", got)
	}
	for _, v := range value(t, ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise)) {
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("%s", v)
		} else {
			t.Logf("%s", v)
		}
	}
	if n := runViews(t, r); n < 1 {
		t.Fatalf("ran %d view jobs, want the reform comparison's", n)
	}
	steps(t, ctx, "the page reloads itself with the result", chromedp.WaitVisible(`main .stats`))
	if gone := value(t, ctx, chromedp.Evaluate[bool](`document.getElementById('view-status') === null`)); !gone {
		t.Error("the progress is still on the page with the result")
	}
}

// viewJobsOf lists the view jobs in c's database, for a failure message.
func viewJobsOf(t *testing.T, c *cluster) string {
	t.Helper()
	var out []string
	for name := range views {
		for _, owner := range []string{""} {
			js, err := c.first.Jobs(t.Context(), owner, viewKindPrefix+name, 10)
			if err != nil {
				return err.Error()
			}
			for _, j := range js {
				out = append(out, fmt.Sprintf("%d %s key=%s owner=%q state=%s", j.ID, j.Kind, j.Key, j.Owner, j.State))
			}
		}
	}
	return strings.Join(out, "; ")
}
