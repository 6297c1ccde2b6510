package web

import (
	"context"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/ident"
	"github.com/newcitizens/rooted/internal/rounds"
)

// The accessibility tests check the pages against WCAG 2.1 A and AA with
// axe-core (testdata/axe, vendored by scripts/vendor-assets.sh and never
// served by the binary), and walk two citizen pages with the keyboard.
// They need chromium, as TestBrowser does, and skip or fail the same way.

// axeTags are the rule sets every page must pass.
const axeTags = `['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']`

// axeRun runs axe on the page and reduces its violations to what a
// failure message needs: the nodes' HTML is cut, as a whole table would
// drown the message.
const axeRun = `axe.run(document, {runOnly: {type: 'tag', values: ` + axeTags + `}}).then(r => r.violations.map(v => ({
	id: v.id, impact: v.impact || '', help: v.help,
	nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html.slice(0, 160), summary: n.failureSummary || ''}))
})))`

// axeViolation is one rule a page breaks, with the nodes that break it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target  string `json:"target"`
		HTML    string `json:"html"`
		Summary string `json:"summary"`
	} `json:"nodes"`
}

// String names the rule, its impact and the first few nodes.
func (v axeViolation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s] %s (%d nodes)", v.ID, v.Impact, v.Help, len(v.Nodes))
	for i, n := range v.Nodes {
		if i == 3 {
			b.WriteString("\n\t…")
			break
		}
		fmt.Fprintf(&b, "\n\t%s: %s", n.Target, n.HTML)
		if i == 0 && n.Summary != "" {
			fmt.Fprintf(&b, "\n\t\t%s", strings.ReplaceAll(n.Summary, "\n", " "))
		}
	}
	return b.String()
}

// mustReadAxe returns axe-core's source.
func mustReadAxe(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatalf("axe-core: %v (scripts/vendor-assets.sh fetches it)", err)
	}
	return string(b)
}

// a11ySizes are the viewports every page is checked at.
var a11ySizes = []struct {
	name   string
	w, h   int64
	mobile bool
}{
	{"phone", 390, 844, true},
	{"desktop", 1440, 900, false},
}

// viewport emulates the size; a phone also gets touch and the mobile
// viewport rules.
func viewport(w, h int64, mobile bool) chromedp.Action[chromedp.Void] {
	if mobile {
		return chromedp.EmulateViewport(w, h, chromedp.EmulateMobile)
	}
	return chromedp.EmulateViewport(w, h)
}

// pageReady waits until the page has loaded and drawn its charts: axe
// checks the contrast of what is painted.
var pageReady = chromedp.Poll[chromedp.Void](`document.readyState === 'complete' &&
	[...document.querySelectorAll('[data-chart]')].every(e => e.querySelector('svg'))`)

// a11yEnv is a server with an open school round and an open housing round,
// an application from the citizen, an unmasking in the audit log, and
// session cookies of the citizen and of an administrator.
type a11yEnv struct {
	base             string
	citizen, officer string // session cookie values
}

// newA11yEnv starts the server of an a11yEnv for t.
func newA11yEnv(t *testing.T) a11yEnv {
	t.Helper()
	// A sandbox: every page carries the 演示数据 banner, so axe checks it
	// (contrast, role) on every page in both languages.
	e := newTestEnv(t, "", func(o *Options) { o.Sandbox = true })
	e.runJobs(t) // imports are jobs
	e.openRound(t, rounds.Grade1, "g1")
	e.openRound(t, rounds.PublicRental, "pr1")
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close)

	citizen := e.signInCitizen(t, person)
	form := url.Values{"round": {"g1"}, "child": {e.s.key.seal(child)}, "choice": {"zg-p1", "dx-p1"}}
	if w := do(t, e.h, "POST", "/me/apply", form.Encode(), "Cookie", citizen); w.Code != 303 {
		t.Fatalf("apply: %d %.300s", w.Code, w.Body)
	}
	// g1 goes on to 公示 with an objection filed, so that the citizen's
	// applications page holds its objection form and list, and the round
	// page the answer form; g1b stays open for the apply page.
	ctx := t.Context()
	if _, err := e.rounds.Close(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rounds.Allocate(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rounds.Publish(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rounds.FileObjection(ctx, rounds.ObjectRequest{Round: "g1", Applicant: person, Text: "学校距离计算有误"}); err != nil {
		t.Fatal(err)
	}
	e.openRound(t, rounds.Grade1, "g1b")
	officer := e.signIn(t, "admin")
	w := do(t, e.h, "GET", "/officer/registry?q=3311", "", "Cookie", officer)
	m := regexp.MustCompile(`name="ref" value="([^"]+)"`).FindStringSubmatch(w.Body.String())
	if m == nil {
		t.Fatalf("no unmask form in %s", w.Body)
	}
	if w := do(t, e.h, "POST", "/officer/registry/unmask", url.Values{"ref": {m[1]}, "reason": {"案件 2026-117"}}.Encode(), "Cookie", officer); w.Code != 200 {
		t.Fatalf("unmask: %d %.300s", w.Code, w.Body)
	}
	// The officer pages that scan the registry are computed views
	// (views.go): computed here, so that each page is checked as it shows
	// its result, and none reloads itself while a test reads it.
	for _, path := range []string{"/officer", "/officer/forecast", "/officer/housing", "/officer/schemes"} {
		if w := doView(t, e.h, "GET", path, "", "Cookie", officer); w.Code != 200 {
			t.Fatalf("%s: %d", path, w.Code)
		}
	}
	value := func(cookie string) string { _, v, _ := strings.Cut(cookie, "="); return v }
	return a11yEnv{base: srv.URL, citizen: value(citizen), officer: value(officer)}
}

// as makes the browser the citizen ("citizen"), the administrator
// ("officer") or nobody (""), in the language lang.
func (a a11yEnv) as(who, lang string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
			return err
		}
		set := func(name, value string) error {
			_, err := cdp.Call(ctx, tg, network.SetCookie, network.SetCookieParams{Name: name, Value: value, URL: a.base, Path: "/"})
			return err
		}
		switch who {
		case "citizen":
			if err := set(sessionCookie, a.citizen); err != nil {
				return err
			}
		case "officer":
			if err := set(sessionCookie, a.officer); err != nil {
				return err
			}
		}
		return set(langCookie, lang)
	})
}

// a11yPage is a page to check: its path, who sees it, what shows when it
// has loaded, and steps that bring it to the state checked (a form sent).
type a11yPage struct {
	name, path, who, ready string
	then                   []chromedp.Action[chromedp.Void]
}

// a11yPages are the pages TestA11y checks, each in the states that matter
// (empty, filled in, refused).
func a11yPages(t *testing.T) []a11yPage {
	t.Helper()
	csv := filepath.Join(t.TempDir(), "persons.csv")
	a := ident.GenerateID("430102", date.MustParse("1992-04-04"), 17)
	body := "身份证号,姓名,手机号,学历,户口性质,监护人身份证号\n" + a + ",周一,,大专,农业,\n123,坏行,,,,\n"
	if err := os.WriteFile(csv, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	// Codes are limited per ID number: each visit to the verify page asks
	// for one for a new (unregistered) number, which gets the same page.
	asked := 0
	askCode := chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		asked++
		_, err := chromedp.SendKeys(`#id`, ident.GenerateID("330102", date.MustParse("1990-01-01"), asked))(ctx, tg)
		return err
	})
	return []a11yPage{
		{name: "home", path: "/", ready: `.charts`},
		{name: "officer-signin", path: "/signin", ready: `#name`},
		{name: "citizen-signin", path: "/citizen/signin", ready: `#id`},
		{name: "citizen-verify", path: "/citizen/signin", ready: `#id`, then: []chromedp.Action[chromedp.Void]{
			askCode, chromedp.Click(`form button[type=submit].primary`), chromedp.WaitVisible(`#code`)}},
		{name: "citizen-signin-error", path: "/citizen/signin", ready: `#id`, then: []chromedp.Action[chromedp.Void]{
			chromedp.SendKeys(`#id`, person[:17]+"0"), chromedp.Click(`form button[type=submit].primary`), chromedp.WaitVisible(`#id-error`)}},
		{name: "citizen-verify-error", path: "/citizen/signin", ready: `#id`, then: []chromedp.Action[chromedp.Void]{
			askCode, chromedp.Click(`form button[type=submit].primary`), chromedp.WaitVisible(`#code`),
			chromedp.SendKeys(`#code`, "000000"), chromedp.Click(`form button[type=submit].primary`), chromedp.WaitVisible(`#code-error`)}},
		{name: "officer-signin-error", path: "/signin", ready: `#name`, then: []chromedp.Action[chromedp.Void]{
			chromedp.SendKeys(`#name`, "nobody"), chromedp.SendKeys(`#password`, "wrong"), chromedp.Click(`form button[type=submit].primary`), chromedp.WaitVisible(`#signin-error`)}},
		{name: "points", path: "/me/points", who: "citizen", ready: `#points-total`},
		{name: "me", path: "/me", who: "citizen", ready: `#who`},
		{name: "apply", path: "/me/apply", who: "citizen", ready: `form[action="/me/apply"]`},
		{name: "applications", path: "/me/applications", who: "citizen", ready: `#applications`},
		{name: "dashboard", path: "/officer", who: "officer", ready: `#dash-total`},
		{name: "registry", path: "/officer/registry?q=3311", who: "officer", ready: `#results table`},
		{name: "registry-error", path: "/officer/registry?q=%25", who: "officer", ready: `#q-error`},
		{name: "import", path: "/officer/import", who: "officer", ready: `#files`},
		{name: "import-result", path: "/officer/import", who: "officer", ready: `#files`, then: []chromedp.Action[chromedp.Void]{
			chromedp.SetUploadFiles(`#files`, []string{csv}), chromedp.Click(`form button[type=submit].primary`), chromedp.WaitVisible(`#reconciliation`)}},
		{name: "rounds", path: "/officer/rounds", who: "officer", ready: `#rounds`},
		{name: "round", path: "/officer/rounds/g1", who: "officer", ready: `#round-places-table`},
		{name: "round-objections", path: "/officer/rounds/g1", who: "officer", ready: `#objection-1 textarea`},
		{name: "applications-objection", path: "/me/applications", who: "citizen", ready: `form[action="/me/objections"] textarea`},
		{name: "audit", path: "/officer/audit", who: "officer", ready: `#audit`},
		{name: "public-rounds", path: "/rounds", ready: `#public-rounds`},
		{name: "public-round", path: "/rounds/g1", ready: `#round-list-table`},
		{name: "schemes", path: "/officer/schemes", who: "officer", ready: `main h1`},
		{name: "forecast", path: "/officer/forecast", who: "officer", ready: `#town-detail`},
		{name: "housing", path: "/officer/housing", who: "officer", ready: `#housing-classes`},
		{name: "not-found", path: "/nowhere", ready: `p.error`},
	}
}

// TestA11y runs axe-core's WCAG 2.1 A and AA rules on every page, in
// Chinese and English, at phone and desktop sizes. A violation of impact
// serious or critical fails; moderate and minor ones are logged.
func TestA11y(t *testing.T) {
	ctx := browser(t)
	axeSource := mustReadAxe(t)
	a := newA11yEnv(t)

	// The pages' content security policy allows no inline script, so a
	// page cannot load axe itself; DevTools' Runtime.evaluate runs outside
	// the policy. Check both, so that a page that lets axe in through a
	// hole in the policy is caught.
	t.Run("csp", func(t *testing.T) {
		steps(t, ctx, "open home", a.as("", langZH), chromedp.Navigate(a.base+"/"), pageReady)
		type probe struct{ Ran, Reported bool }
		got := value(t, ctx, chromedp.Evaluate[probe](`new Promise(done => {
			let reported = false;
			document.addEventListener('securitypolicyviolation', () => { reported = true; });
			const s = document.createElement('script');
			s.textContent = 'window.inlineRan = true';
			document.head.appendChild(s);
			setTimeout(() => done({ran: window.inlineRan === true, reported}), 200);
		})`, chromedp.EvalAwaitPromise))
		if got.Ran || !got.Reported {
			t.Errorf("inline script: ran %v, violation reported %v; want blocked by the policy", got.Ran, got.Reported)
		}
		steps(t, ctx, "inject axe", chromedp.Evaluate[chromedp.Void](axeSource))
		if version := value(t, ctx, chromedp.Evaluate[string](`axe.version`)); version != "4.14.1" {
			t.Errorf("axe.version %q after DevTools evaluation; want 4.14.1", version)
		}
	})

	for _, p := range a11yPages(t) {
		for _, lang := range languages {
			for _, size := range a11ySizes {
				t.Run(p.name+"/"+lang+"/"+size.name, func(t *testing.T) {
					steps(t, ctx, "open "+p.path,
						viewport(size.w, size.h, size.mobile),
						a.as(p.who, lang),
						chromedp.Navigate(a.base+p.path),
						chromedp.WaitVisible(p.ready),
					)
					if len(p.then) > 0 {
						steps(t, ctx, "bring "+p.name+" about", p.then...)
					}
					steps(t, ctx, "inject axe", pageReady, chromedp.Evaluate[chromedp.Void](axeSource))
					if got := value(t, ctx, chromedp.AttributeValue(`html`, "lang")).Value; got != lang {
						t.Errorf("html lang %q, want %q", got, lang)
					}
					violations := value(t, ctx, chromedp.Evaluate[[]axeViolation](axeRun, chromedp.EvalAwaitPromise))
					for _, v := range violations {
						switch {
						case v.Impact != "serious" && v.Impact != "critical":
							t.Logf("%s", v)
						default:
							t.Errorf("%s", v)
						}
					}
				})
			}
		}
	}
}

// focusStop is what has the focus after a key press, and how it shows.
type focusStop struct {
	Tag, ID, Class, Text string
	Outline, Shadow      string
	Left, Top            float64
	Width, Height        float64
}

// focused describes document.activeElement.
var focused = chromedp.Evaluate[focusStop](`(() => {
	const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
	return {tag: e.tagName.toLowerCase(), id: e.id, class: e.className, text: (e.textContent || e.value || '').trim().slice(0, 40),
		outline: s.outlineStyle === 'none' || parseFloat(s.outlineWidth) === 0 ? 'none' : s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor,
		shadow: s.boxShadow, left: r.left, top: r.top, width: r.width, height: r.height};
})()`)

// TestA11yKeyboard walks the points and apply pages with the Tab key from
// the top: the first stop is the skip link, shown on the screen; every stop
// shows a focus indicator (an outline or a box shadow); and following the
// skip link puts the next stop inside main.
func TestA11yKeyboard(t *testing.T) {
	ctx := browser(t)
	a := newA11yEnv(t)
	const stops = 10
	for _, path := range []string{"/me/points", "/me/apply"} {
		for _, size := range a11ySizes {
			t.Run(strings.TrimPrefix(path, "/me/")+"/"+size.name, func(t *testing.T) {
				open := []chromedp.Action[chromedp.Void]{viewport(size.w, size.h, size.mobile), a.as("citizen", langZH), chromedp.Navigate(a.base + path), pageReady}
				steps(t, ctx, "open "+path, open...)
				for i := range stops {
					steps(t, ctx, "press Tab", chromedp.KeyEvent(kb.Tab))
					f := value(t, ctx, focused)
					where := fmt.Sprintf("Tab %d: <%s id=%q class=%q> %q", i+1, f.Tag, f.ID, f.Class, f.Text)
					t.Logf("%s: outline %s, box-shadow %s", where, f.Outline, f.Shadow)
					if i == 0 && f.Class != "skip" {
						t.Errorf("%s; want the skip link first", where)
					}
					if f.Tag == "body" { // past the last stop, focus leaves the page
						if i < 5 {
							t.Errorf("%s: focus left the page after %d stops", where, i)
						}
						break
					}
					if f.Outline == "none" && f.Shadow == "none" {
						t.Errorf("%s: no focus indicator (outline and box-shadow none)", where)
					}
					if f.Width == 0 || f.Height == 0 || f.Left < 0 || f.Left >= float64(size.w) {
						t.Errorf("%s: off the screen at (%v, %v) %v×%v", where, f.Left, f.Top, f.Width, f.Height)
					}
				}
				steps(t, ctx, "follow the skip link", append(open, chromedp.KeyEvent(kb.Tab), chromedp.KeyEvent(kb.Enter))...)
				if onMain := value(t, ctx, chromedp.Evaluate[bool](`document.activeElement === document.querySelector('main')`)); !onMain {
					f := value(t, ctx, focused)
					t.Errorf("after the skip link the focus is on <%s id=%q> %q; want main", f.Tag, f.ID, f.Text)
				}
				steps(t, ctx, "Tab past the skip link", chromedp.KeyEvent(kb.Tab))
				// The next stop is in main, or after it when main has no
				// control: never back in the header.
				past := value(t, ctx, chromedp.Evaluate[bool](`(() => {
					const m = document.querySelector('main'), e = document.activeElement;
					return m.contains(e) || (m.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
				})()`))
				if f := value(t, ctx, focused); !past {
					t.Errorf("Tab after the skip link: <%s id=%q> %q; want a stop in or after main", f.Tag, f.ID, f.Text)
				}
			})
		}
	}
}

// TestA11yLiveRegions checks what a screen reader hears when htmx swaps
// part of a page: the status line that announces the change must be the
// same element before and after (a live region that is replaced
// announces nothing), with the new text; and on the forecast the marked
// town follows the choice while the focus stays on the chosen link.
func TestA11yLiveRegions(t *testing.T) {
	ctx := browser(t)
	a := newA11yEnv(t)
	// status marks the status line, so that a replaced one shows.
	status := func(id string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`document.getElementById('` + id + `').kept = true`)
	}
	type state struct {
		Kept          bool
		Text, Current string
		Focus         string
	}
	read := func(id string) chromedp.Action[state] {
		return chromedp.Evaluate[state](`(() => {
			const s = document.getElementById('` + id + `'), cur = document.querySelector('a.town[aria-current]');
			return {kept: s.kept === true, text: s.textContent.trim(), current: cur ? cur.id : '', focus: document.activeElement.id};
		})()`)
	}

	steps(t, ctx, "search the registry",
		viewport(1440, 900, false), a.as("officer", langZH),
		chromedp.Navigate(a.base+"/officer/registry"), chromedp.WaitVisible(`#q`), status("results-status"),
		chromedp.SendKeys(`#q`, "3311"), chromedp.Click(`form[role=search] button.primary`), chromedp.WaitVisible(`#results table`))
	if got := value(t, ctx, read("results-status")); !got.Kept || !strings.Contains(got.Text, "1") {
		t.Errorf("registry status line after a search: kept %v, text %q; want the same element saying 1 found", got.Kept, got.Text)
	}

	steps(t, ctx, "choose a town",
		chromedp.Navigate(a.base+"/officer/forecast"), chromedp.WaitVisible(`#town-detail`), status("forecast-status"),
		chromedp.Focus(`#forecast-town-daxi`), chromedp.KeyEvent(kb.Enter), chromedp.WaitVisible(`#forecast-town-daxi[aria-current]`))
	if got := value(t, ctx, read("forecast-status")); !got.Kept || !strings.Contains(got.Text, "大溪镇") || got.Current != "forecast-town-daxi" || got.Focus != "forecast-town-daxi" {
		t.Errorf("forecast after choosing 大溪镇: %+v; want the same status line naming it, the town marked current and focused", got)
	}
	// The swapped-in chart is drawn too (its figures survive the swap).
	steps(t, ctx, "the town's chart", chromedp.WaitVisible(`#town-detail [data-chart][data-drawn] svg`))
	if drawn := value(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll('#town-detail [data-chart][data-drawn] svg').length`)); drawn == 0 {
		t.Error("forecast after choosing 大溪镇: the town's chart is not drawn")
	}
}
