package web

import (
	"bytes"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/rounds"
)

// testSeed begins the seeds of the test rounds: strong, as rounds.CheckSeed
// wants, and fixed, so that pages come out the same.
const testSeed = "Kx7#mQ2$vL9@pR4!wT6&zN8*yB3^hF5%-"

// openRound creates and opens a round of kind in the test store.
func (e *testEnv) openRound(t *testing.T, kind rounds.Kind, id string) {
	t.Helper()
	req := rounds.CreateRequest{ID: id, Kind: kind, Name: "测试轮次 " + id, Year: 2027, ClosesOn: date.MustParse("2026-12-27")}
	if kind.Housing() {
		req.Units = map[string]int{"one_bedroom": 5, "two_bedroom": 5}
	}
	if _, err := e.rounds.Create(t.Context(), req); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rounds.Open(t.Context(), id, testSeed+id); err != nil {
		t.Fatal(err)
	}
}

// TestApplyOwnChildOnly: a citizen sees the open round, applies for their
// own child, and sees the application; an application for someone else's
// child is refused with 403 and records nothing, and so is a forged
// reference.
func TestApplyOwnChildOnly(t *testing.T) {
	e := newTestEnv(t, "")
	e.openRound(t, rounds.Grade1, "g1")
	cookie := e.signInCitizen(t, person)
	w := do(t, e.h, "GET", "/me/apply", "", "Cookie", cookie)
	if w.Code != 200 || !strings.Contains(w.Body.String(), "测试轮次 g1") || !strings.Contains(w.Body.String(), "泽国镇第一小学") {
		t.Fatalf("apply page: %d, want the open round and its schools: %.400s", w.Code, w.Body)
	}
	for _, tt := range []struct {
		name  string
		child string
		want  int
	}{
		{"someone else's child", e.s.key.seal(other), http.StatusForbidden},
		{"forged reference", "bm90LWEtcmVm", http.StatusBadRequest},
		{"own child", e.s.key.seal(child), http.StatusSeeOther},
		{"own child again", e.s.key.seal(child), http.StatusConflict},
	} {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"round": {"g1"}, "child": {tt.child}, "choice": {"zg-p1", "dx-p1"}}
			w := do(t, e.h, "POST", "/me/apply", form.Encode(), "Cookie", cookie)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d: %.300s", w.Code, tt.want, w.Body)
			}
		})
	}
	apps, err := e.st.Applications(t.Context(), "g1")
	if err != nil {
		t.Fatal(err)
	}
	if len(apps) != 1 || apps[0].Child != child || apps[0].Applicant != person || strings.Join(apps[0].Choices, ",") != "zg-p1,dx-p1" {
		t.Fatalf("applications recorded: %+v; want the one for the citizen's own child", apps)
	}
	w = do(t, e.h, "GET", "/me/applications", "", "Cookie", cookie)
	if body := w.Body.String(); !strings.Contains(body, `data-status="submitted"`) || !strings.Contains(body, "已受理，待截止后审核") || strings.Contains(body, child) {
		t.Errorf("applications page: %.600s", body)
	}
}

// TestRoundsConsoleScopes: each department sees and runs its own rounds
// only; the auditor sees all and runs none.
func TestRoundsConsoleScopes(t *testing.T) {
	e := newTestEnv(t, "")
	e.openRound(t, rounds.Grade1, "g1")
	e.openRound(t, rounds.PublicRental, "pr1")
	// A draft of each kind, for the open step.
	for _, k := range []rounds.Kind{rounds.Grade1, rounds.PublicRental} {
		req := rounds.CreateRequest{ID: "draft-" + string(k), Kind: k, Name: "草稿", Year: 2027, Units: map[string]int{"one_bedroom": 1}}
		if !k.Housing() {
			req.Units = nil
		}
		if _, err := e.rounds.Create(t.Context(), req); err != nil {
			t.Fatal(err)
		}
	}
	cookies := map[string]string{}
	for _, who := range []string{"education", "housing", "auditor", "admin"} {
		cookies[who] = e.signIn(t, who)
	}
	for _, tt := range []struct {
		who, method, path, body string
		want                    int
	}{
		{"education", "GET", "/officer/rounds/g1", "", 200},
		{"education", "GET", "/officer/rounds/pr1", "", 403},
		{"education", "POST", "/officer/rounds/draft-public_rental/open", "", 403},
		{"education", "POST", "/officer/rounds/pr1/close", "", 403},
		{"education", "POST", "/officer/rounds/pr1/export", "", 403},
		{"education", "POST", "/officer/rounds", "kind=public_rental&name=x&units=one_bedroom%3D1", 403},
		{"housing", "GET", "/officer/rounds/g1", "", 403},
		{"housing", "POST", "/officer/rounds/draft-grade1/open", "", 403},
		{"housing", "POST", "/officer/rounds/draft-public_rental/open", "", 303},
		{"auditor", "GET", "/officer/rounds/pr1", "", 200},
		{"auditor", "POST", "/officer/rounds/g1/close", "", 403},
		{"education", "POST", "/officer/rounds/draft-grade1/open", "", 303},
		{"education", "POST", "/officer/rounds/draft-grade1/open", "", 409}, // already open
		{"education", "POST", "/officer/rounds", "kind=grade1&name=" + url.QueryEscape("新一年级") + "&year=2027&closes=2027-01-10", 303},
		{"education", "POST", "/officer/rounds", "kind=grade1&name=x&closes=soon", 400},
	} {
		t.Run(tt.who+" "+tt.method+" "+tt.path, func(t *testing.T) {
			w := do(t, e.h, tt.method, tt.path, tt.body, "Cookie", cookies[tt.who])
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d: %.300s", w.Code, tt.want, w.Body)
			}
		})
	}
	// A refused request is explained on the page in the reader's language,
	// the lower layer's sentence included.
	for lang, want := range map[string]string{"zh-CN": "创建轮次：年份 1800：超出范围", "en": "round create: year 1800: out of range"} {
		w := do(t, e.h, "POST", "/officer/rounds", "kind=grade1&name=x&year=1800&closes=2027-01-10", "Cookie", cookies["education"]+"; rooted_lang="+lang)
		if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), html.EscapeString(want)) {
			t.Errorf("%s: bad year: status %d, want 400 and %q: %.2000s", lang, w.Code, want, w.Body)
		}
	}
	list := func(who string) string {
		return do(t, e.h, "GET", "/officer/rounds", "", "Cookie", cookies[who]).Body.String()
	}
	if l := list("education"); !strings.Contains(l, `data-round="g1"`) || strings.Contains(l, `data-round="pr1"`) || !strings.Contains(l, "2027-grade1-city") {
		t.Errorf("education's rounds list: want school rounds only, with the one it created: %.800s", l)
	}
	if l := list("housing"); strings.Contains(l, `data-round="g1"`) || !strings.Contains(l, `data-round="pr1"`) {
		t.Errorf("housing's rounds list: want housing rounds only")
	}
	if l := list("auditor"); !strings.Contains(l, `data-round="g1"`) || !strings.Contains(l, `data-round="pr1"`) || strings.Contains(l, `id="create-form"`) {
		t.Errorf("auditor's rounds list: want every round and no create form")
	}
	// Every step taken, and only those, is in the audit log, with who and
	// on what; the refused ones are not.
	audit := do(t, e.h, "GET", "/officer/audit", "", "Cookie", cookies["auditor"]).Body.String()
	for _, want := range []string{"开放报名</td><td>round draft-public_rental</td>", "开放报名</td><td>round draft-grade1</td>", "创建轮次</td><td>round 2027-grade1-city</td>", "housing (", "education ("} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
	if n := strings.Count(audit, "开放报名"); n != 2 {
		t.Errorf("the audit log holds %d round openings, want 2 (the refused ones are not steps taken)", n)
	}
}

// TestRoundsConsoleRun runs a school round through the console: an
// application, close, allocate, publish (CSV and XLSX, masked), export.
func TestRoundsConsoleRun(t *testing.T) {
	e := newTestEnv(t, "")
	e.openRound(t, rounds.Grade1, "g1")
	citizen := e.signInCitizen(t, person)
	form := url.Values{"round": {"g1"}, "child": {e.s.key.seal(child)}, "choice": {"dx-p1", "zg-p1"}}
	if w := do(t, e.h, "POST", "/me/apply", form.Encode(), "Cookie", citizen); w.Code != http.StatusSeeOther {
		t.Fatalf("apply: %d %.300s", w.Code, w.Body)
	}
	edu := e.signIn(t, "education")
	for _, step := range []string{"close", "allocate"} {
		if w := do(t, e.h, "POST", "/officer/rounds/g1/"+step, "", "Cookie", edu); w.Code != http.StatusSeeOther {
			t.Fatalf("%s: %d %.300s", step, w.Code, w.Body)
		}
	}
	page := do(t, e.h, "GET", "/officer/rounds/g1", "", "Cookie", edu).Body.String()
	for _, want := range []string{"已分配", "round-places-table", "publish-xlsx", "export"} {
		if !strings.Contains(page, want) {
			t.Errorf("round page lacks %q", want)
		}
	}
	csv := do(t, e.h, "POST", "/officer/rounds/g1/publication", "format=csv", "Cookie", edu)
	if csv.Code != 200 || !strings.HasPrefix(csv.Header().Get("Content-Disposition"), "attachment") || !bytes.HasPrefix(csv.Body.Bytes(), []byte("\ufeff")) {
		t.Fatalf("CSV: %d %q %.200s", csv.Code, csv.Header().Get("Content-Disposition"), csv.Body)
	}
	if body := csv.Body.String(); strings.Contains(body, person) || strings.Contains(body, child) || strings.Contains(body, "测试") || !strings.Contains(body, "测*") {
		t.Errorf("the 公示 CSV must mask names and ID numbers:\n%s", body)
	}
	xlsx := do(t, e.h, "POST", "/officer/rounds/g1/publication", "format=xlsx", "Cookie", edu)
	if xlsx.Code != 200 || !bytes.HasPrefix(xlsx.Body.Bytes(), []byte("PK")) {
		t.Fatalf("XLSX: %d, %d bytes", xlsx.Code, xlsx.Body.Len())
	}
	if r, _ := e.rounds.Get(t.Context(), "g1"); r.Status != rounds.Published {
		t.Errorf("after the download the round is %s, want published", r.Status)
	}
	exp := do(t, e.h, "POST", "/officer/rounds/g1/export", "", "Cookie", e.signIn(t, "auditor"))
	if exp.Code != 200 || !json.Valid(exp.Body.Bytes()) {
		t.Fatalf("export: %d %.200s", exp.Code, exp.Body)
	}
	if rep, err := rounds.Verify(exp.Body.Bytes()); err != nil || !rep.OK() {
		t.Errorf("the export does not verify: %v %+v", err, rep.Problems)
	}
	// The citizen now sees the result: the test citizen has no residence
	// permit, so the school_seat gate refused the application at close,
	// and the page says so.
	apps := do(t, e.h, "GET", "/me/applications", "", "Cookie", citizen).Body.String()
	if !strings.Contains(apps, `data-status="refused"`) || !strings.Contains(apps, "不符合") {
		i := strings.Index(apps, `id="applications"`)
		t.Errorf("applications page after allocation: want the refusal and its reason: %.800s", apps[max(i, 0):])
	}
}

// publishedRound opens school round g1, applies for the test citizen's
// child, closes, allocates and publishes it on Sunday 29 November 2026:
// its 公示 window of 5 working days ends on Friday 4 December.
func (e *testEnv) publishedRound(t *testing.T) {
	t.Helper()
	ctx := t.Context()
	e.openRound(t, rounds.Grade1, "g1")
	if _, err := e.rounds.Apply(ctx, rounds.ApplyRequest{Round: "g1", Applicant: person, Child: child, Choices: []string{"zg-p1"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rounds.Close(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rounds.Allocate(ctx, "g1"); err != nil {
		t.Fatal(err)
	}
	if pub, err := e.rounds.Publish(ctx, "g1"); err != nil || pub.WindowEnds != "2026-12-04" {
		t.Fatalf("publish: window ends %s, %v; want 2026-12-04", pub.WindowEnds, err)
	}
}

// setDay moves the rounds service's clock (the server's pages follow it
// for windows) to 10:00 China time on day.
func (e *testEnv) setDay(day string) {
	at := date.MustParse(day).Time().Add(2 * time.Hour)
	e.rounds.Now = func() time.Time { return at }
}

// TestObjectionsThroughPages: during the 公示 window the citizen objects to
// their child's application from the applications page, a citizen of
// another family cannot; the department sees the objections (objector
// masked), answers them once, and may make the round final only after the
// window and once every objection is answered; the citizen then reads
// the answers, and the export verifies.
func TestObjectionsThroughPages(t *testing.T) {
	e := newTestEnv(t, "")
	e.addStranger(t)
	e.publishedRound(t)
	citizen := e.signInCitizen(t, person)
	otherFamily := e.signInCitizen(t, stranger)
	edu := e.signIn(t, "education")
	auditor := e.signIn(t, "auditor")
	post := func(cookie, path string, form url.Values, want int) string {
		t.Helper()
		w := do(t, e.h, "POST", path, form.Encode(), "Cookie", cookie)
		if w.Code != want {
			t.Fatalf("POST %s %v: %d, want %d: %.400s", path, form, w.Code, want, w.Body)
		}
		return w.Body.String()
	}
	page := func(cookie, path string) string {
		t.Helper()
		w := do(t, e.h, "GET", path, "", "Cookie", cookie)
		if w.Code != 200 {
			t.Fatalf("GET %s: %d %.300s", path, w.Code, w.Body)
		}
		return w.Body.String()
	}

	apps := page(citizen, "/me/applications")
	for _, want := range []string{`action="/me/objections"`, "对申请 A00001 提出异议", "公示期：2026-11-29 至 2026-12-04"} {
		if !strings.Contains(apps, want) {
			t.Errorf("applications page in the window lacks %q", want)
		}
	}
	objection := url.Values{"round": {"g1"}, "number": {"A00001"}, "text": {"孩子一直在泽国居住，请核查居住证记录。"}}
	body := post(otherFamily, "/me/objections", objection, http.StatusForbidden)
	if !strings.Contains(body, "只能对本人或本人登记子女的申请提出异议") {
		t.Errorf("another family's objection: the page does not say why: %.300s", body)
	}
	body = post(citizen, "/me/objections", url.Values{"round": {"g1"}, "number": {"A00001"}, "text": {"  "}}, http.StatusBadRequest)
	if !strings.Contains(body, "异议内容不能为空") {
		t.Errorf("an empty objection: the page does not say why")
	}
	if objs, _ := e.rounds.Objections(t.Context(), "g1"); len(objs) != 0 {
		t.Fatalf("refused objections were recorded: %+v", objs)
	}
	post(citizen, "/me/objections", objection, http.StatusSeeOther)
	second := url.Values{"round": {"g1"}, "number": {"A00001"}, "text": {"另：学区划分有误。"}}
	post(citizen, "/me/objections", second, http.StatusSeeOther)
	apps = page(citizen, "/me/applications?objected=1")
	if !strings.Contains(apps, `id="objection-filed"`) || !strings.Contains(apps, "请核查居住证记录") || strings.Count(apps, `data-decision="pending"`) != 2 {
		t.Errorf("applications page after objecting: want the notice and both objections pending")
	}

	// The department's page: the objections, masked, each with a form;
	// finalize disabled while the window runs.
	round := page(edu, "/officer/rounds/g1")
	for _, want := range []string{`id="objection-1"`, `id="answer-2"`, "520102********3311", "请核查居住证记录", "共收到异议 2 件，待答复 2 件", `id="step-finalize" disabled`, "公示期至 2026-12-04 结束"} {
		if !strings.Contains(round, want) {
			t.Errorf("round page lacks %q", want)
		}
	}
	if strings.Contains(round, person) || strings.Contains(round, child) {
		t.Error("round page shows a full ID number")
	}
	if list := page(edu, "/officer/rounds"); !strings.Contains(list, `data-unanswered="2"`) {
		t.Error("rounds list does not flag the objections to answer")
	}
	if a := page(auditor, "/officer/rounds/g1"); !strings.Contains(a, `id="objection-1"`) || strings.Contains(a, `id="answer-1"`) || strings.Contains(a, `id="step-finalize"`) {
		t.Error("the auditor's round page: want the objections, no answer form, no finalize button")
	}
	answer := url.Values{"decision": {"dismissed"}, "reply": {"经核查，截止日无有效居住证，不符合入学资格条件，维持原结果。"}}
	post(auditor, "/officer/rounds/g1/objections/1/decision", answer, http.StatusForbidden)
	post(edu, "/officer/rounds/g1/objections/1/decision", url.Values{"decision": {"maybe"}, "reply": {"x"}}, http.StatusBadRequest)
	post(edu, "/officer/rounds/g1/objections/9/decision", answer, http.StatusNotFound)
	post(edu, "/officer/rounds/g1/objections/1/decision", answer, http.StatusSeeOther)
	body = post(edu, "/officer/rounds/g1/objections/1/decision", url.Values{"decision": {"upheld"}, "reply": {"改"}}, http.StatusConflict)
	if !strings.Contains(body, "该异议已经答复") {
		t.Error("a second answer: the page does not say why")
	}
	body = post(edu, "/officer/rounds/g1/finalize", nil, http.StatusConflict)
	if !strings.Contains(body, "公示期至 2026-12-04 结束，2026-12-05 起方可确定结果") {
		t.Errorf("finalize in the window: the page does not say until when")
	}

	// After the window: no more objections; finalize waits for the
	// second answer.
	e.setDay("2026-12-07")
	if apps := page(citizen, "/me/applications"); strings.Contains(apps, `action="/me/objections"`) || !strings.Contains(apps, "异议不成立") || !strings.Contains(apps, "维持原结果") {
		t.Errorf("applications page after the window: want the answer and no form")
	}
	body = post(citizen, "/me/objections", objection, http.StatusForbidden)
	if !strings.Contains(body, "当前不在公示期内") {
		t.Error("an objection after the window: the page does not say why")
	}
	round = page(edu, "/officer/rounds/g1")
	if !strings.Contains(round, `id="step-finalize" disabled`) || !strings.Contains(round, "尚有 1 件异议未答复") || !strings.Contains(round, `data-decision="dismissed"`) {
		t.Errorf("round page with one objection unanswered after the window: want finalize disabled, saying why")
	}
	body = post(edu, "/officer/rounds/g1/finalize", nil, http.StatusConflict)
	if !strings.Contains(body, "尚有 1 件异议未答复") {
		t.Error("finalize with an objection unanswered: the page does not say why")
	}
	post(edu, "/officer/rounds/g1/objections/2/decision", url.Values{"decision": {"upheld"}, "reply": {"学区划分确有错误，已更正；将另行组织补录，本轮结果不变。"}}, http.StatusSeeOther)
	if round = page(edu, "/officer/rounds/g1"); strings.Contains(round, `id="step-finalize" disabled`) || !strings.Contains(round, `id="step-finalize"`) {
		t.Error("round page with every objection answered after the window: want finalize enabled")
	}
	post(edu, "/officer/rounds/g1/finalize", nil, http.StatusSeeOther)
	if r, _ := e.rounds.Get(t.Context(), "g1"); r.Status != rounds.Final {
		t.Fatalf("after finalize the round is %s", r.Status)
	}
	if apps := page(citizen, "/me/applications"); !strings.Contains(apps, "异议成立") || !strings.Contains(apps, "本轮结果不变") {
		t.Error("applications page of the final round: want both answers")
	}
	exp := do(t, e.h, "POST", "/officer/rounds/g1/export", "", "Cookie", auditor)
	if rep, err := rounds.Verify(exp.Body.Bytes()); err != nil || !rep.OK() || rep.Objections != 2 || rep.Upheld != 1 || rep.Dismissed != 1 {
		t.Errorf("the export: %+v, %v; want it to verify with 2 objections answered", rep, err)
	}
}
