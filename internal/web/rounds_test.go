package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/rounds"
)

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
	if _, err := e.rounds.Open(t.Context(), id, "seed-"+id); err != nil {
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
