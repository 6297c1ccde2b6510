package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/date"
	"github.com/newcitizens/rooted/internal/msg"
	"github.com/newcitizens/rooted/internal/registry"
	"github.com/newcitizens/rooted/internal/rounds"
)

// stranger is a registered citizen of another family (addStranger).
const stranger = "330781199001011232"

// personal is what no rounds API answer may hold: full ID numbers, the
// birth date they carry, and full names.
// (Names as JSON strings: the test rounds are called 测试轮次.)
var personal = []string{person, child, other, stranger, "19850303", `"测试"`, `"测小"`, "王五六", "李四海"}

// addStranger registers stranger, who may sign in as a citizen.
func (e *testEnv) addStranger(t *testing.T) {
	t.Helper()
	b, err := e.st.BeginBatch(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := b.PutPerson(t.Context(), registry.Person{IDNumber: stranger, Name: "李四海", BirthDate: date.MustParse("1990-01-01"), Sex: registry.Male, Origin: "330781"}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Commit(t.Context(), registry.ImportRun{File: "stranger"}); err != nil {
		t.Fatal(err)
	}
}

// checkAPIAnswer fails when w holds anything personal, or is an error
// that is not problem+json.
func checkAPIAnswer(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	body := w.Body.String()
	for _, p := range personal {
		if strings.Contains(body, p) {
			t.Errorf("answer holds %q: %.300s", p, body)
		}
	}
	if w.Code >= 400 {
		if ct := w.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("error content type %q, want application/problem+json", ct)
		}
		var p struct {
			Status int    `json:"status"`
			Code   string `json:"code"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Status != w.Code || p.Code == "" {
			t.Errorf("problem %s: %v", body, err)
		}
	}
}

// doJSON sends a JSON body; header holds name, value pairs.
func doJSON(t *testing.T, h http.Handler, method, target, body string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	return do(t, h, method, target, body, append([]string{"Content-Type", "application/json"}, header...)...)
}

// TestRoundsAPIRoles: the API keeps the console's scopes. A department
// creates and runs its own kind of round only, the auditor reads every
// round and runs none, a citizen lists the open rounds and nothing more,
// anonymous callers get a problem and nothing personal; the bearer token
// acts as an admin without Origin or Sec-Fetch-Site headers, and a
// cookie-authenticated step from another site is refused.
func TestRoundsAPIRoles(t *testing.T) {
	e := newTestEnv(t, "s3cret")
	e.openRound(t, rounds.Grade1, "g1")
	e.openRound(t, rounds.PublicRental, "pr1")
	for _, k := range []rounds.Kind{rounds.Grade1, rounds.PublicRental} {
		req := rounds.CreateRequest{ID: "draft-" + string(k), Kind: k, Name: "草稿", Year: 2027}
		if k.Housing() {
			req.Units = map[string]int{"one_bedroom": 1}
		}
		if _, err := e.rounds.Create(t.Context(), req); err != nil {
			t.Fatal(err)
		}
	}
	auth := map[string][]string{
		"anonymous": nil,
		"citizen":   {"Cookie", e.signInCitizen(t, person)},
		"token":     {"Authorization", "Bearer s3cret"},
		"bad token": {"Authorization", "Bearer nope"},
	}
	for _, who := range []string{"education", "housing", "auditor", "hrss"} {
		auth[who] = []string{"Cookie", e.signIn(t, who)}
	}
	grade1 := `{"kind":"grade1","name":"新一年级","year":2027,"closes_on":"2027-01-10","seat_share":0.5}`
	housing := `{"kind":"public_rental","name":"公租房","units":{"one_bedroom":3}}`
	for _, tt := range []struct {
		who, method, path, body string
		want                    int
	}{
		{"anonymous", "GET", "/api/v1/rounds", "", 403},
		{"anonymous", "GET", "/api/v1/rounds/g1", "", 403},
		{"anonymous", "GET", "/api/v1/rounds/g1/results", "", 403},
		{"anonymous", "POST", "/api/v1/rounds", grade1, 403},
		{"anonymous", "POST", "/api/v1/rounds/g1/close", "", 403},
		{"anonymous", "POST", "/api/v1/rounds/g1/applications", `{"child":"` + child + `","choices":["zg-p1"]}`, 403},
		{"anonymous", "GET", "/api/v1/me/applications", "", 403},
		{"bad token", "GET", "/api/v1/rounds", "", 403},
		{"hrss", "GET", "/api/v1/rounds", "", 403},
		{"hrss", "GET", "/api/v1/rounds/g1/results", "", 403},
		{"citizen", "GET", "/api/v1/rounds", "", 200},
		{"citizen", "GET", "/api/v1/rounds/g1", "", 403},
		{"citizen", "GET", "/api/v1/rounds/g1/export", "", 403},
		{"citizen", "POST", "/api/v1/rounds", grade1, 403},
		{"citizen", "POST", "/api/v1/rounds/g1/close", "", 403},
		{"citizen", "GET", "/api/v1/rounds/g1/results", "", 404}, // no application yet
		{"education", "GET", "/api/v1/rounds", "", 200},
		{"education", "GET", "/api/v1/rounds/g1", "", 200},
		{"education", "GET", "/api/v1/rounds/pr1", "", 403},
		{"education", "GET", "/api/v1/rounds/pr1/results", "", 403},
		{"education", "GET", "/api/v1/rounds/nope", "", 404},
		{"education", "POST", "/api/v1/rounds", grade1, 201},
		{"education", "POST", "/api/v1/rounds", housing, 403},
		{"education", "POST", "/api/v1/rounds", `{"kind":"grade1","nme":"typo"}`, 400},
		{"education", "POST", "/api/v1/rounds", `{"kind":"grade1","name":"x","closes_on":"soon"}`, 400},
		{"education", "POST", "/api/v1/rounds", `{"kind":"grade1","name":"x"} {}`, 400},
		{"education", "POST", "/api/v1/rounds/draft-grade1/open", "", 200},
		{"education", "POST", "/api/v1/rounds/draft-grade1/open", "", 409},
		{"education", "POST", "/api/v1/rounds/draft-public_rental/open", "", 403},
		{"education", "POST", "/api/v1/rounds/pr1/close", "", 403},
		{"education", "POST", "/api/v1/rounds/g1/allocate", "", 409}, // still open
		{"education", "GET", "/api/v1/rounds/g1/export", "", 409},    // not allocated
		{"housing", "GET", "/api/v1/rounds/g1", "", 403},
		{"housing", "POST", "/api/v1/rounds", grade1, 403},
		{"housing", "POST", "/api/v1/rounds", housing, 201},
		{"housing", "POST", "/api/v1/rounds/draft-grade1/publish", "", 403},
		{"housing", "POST", "/api/v1/rounds/draft-public_rental/open", "", 200},
		{"auditor", "GET", "/api/v1/rounds", "", 200},
		{"auditor", "GET", "/api/v1/rounds/g1", "", 200},
		{"auditor", "GET", "/api/v1/rounds/pr1", "", 200},
		{"auditor", "GET", "/api/v1/rounds/g1/results", "", 200},
		{"auditor", "POST", "/api/v1/rounds", grade1, 403},
		{"auditor", "POST", "/api/v1/rounds", `{"kind":"nonsense"}`, 403},
		{"auditor", "POST", "/api/v1/rounds/g1/close", "", 403},
		{"auditor", "POST", "/api/v1/rounds/g1/allocate", "", 403},
		{"auditor", "POST", "/api/v1/rounds/g1/publish", "", 403},
		{"auditor", "POST", "/api/v1/rounds/g1/finalize", "", 403},
		{"auditor", "POST", "/api/v1/rounds/g1/applications", `{"child":"` + child + `","choices":["zg-p1"]}`, 403},
		{"token", "GET", "/api/v1/rounds/pr1", "", 200},
		{"token", "POST", "/api/v1/rounds/pr1/close", "", 200},
	} {
		t.Run(tt.who+" "+tt.method+" "+tt.path, func(t *testing.T) {
			w := doJSON(t, e.h, tt.method, tt.path, tt.body, auth[tt.who]...)
			if w.Code != tt.want {
				t.Fatalf("status %d, want %d: %.300s", w.Code, tt.want, w.Body)
			}
			checkAPIAnswer(t, w)
		})
	}

	list := func(who string) []string {
		t.Helper()
		w := do(t, e.h, "GET", "/api/v1/rounds", "", auth[who]...)
		var got struct{ Rounds []struct{ ID, Status string } }
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s's list: %v %s", who, err, w.Body)
		}
		var ids []string
		for _, r := range got.Rounds {
			ids = append(ids, r.ID+":"+r.Status)
		}
		slices.Sort(ids) // rounds created in the same instant come in no set order
		return ids
	}
	for _, tt := range []struct{ who, want string }{
		{"education", "2027-grade1-city:draft draft-grade1:open g1:open"},
		{"housing", "2026-public-rental-city:draft draft-public_rental:open pr1:closed"},
		{"auditor", "2026-public-rental-city:draft 2027-grade1-city:draft draft-grade1:open draft-public_rental:open g1:open pr1:closed"},
		{"citizen", "draft-grade1:open draft-public_rental:open g1:open"},
	} {
		if got := strings.Join(list(tt.who), " "); got != tt.want {
			t.Errorf("%s's rounds:\n got %s\nwant %s", tt.who, got, tt.want)
		}
	}

	// Cross-origin protection still guards cookies: a step from another
	// site is refused and changes nothing.
	w := do(t, e.h, "POST", "/api/v1/rounds/g1/close", "", append(auth["education"], "Sec-Fetch-Site", "cross-site")...)
	if w.Code != 403 {
		t.Errorf("cross-site close: %d, want 403", w.Code)
	}
	checkAPIAnswer(t, w)
	if r, _ := e.rounds.Get(t.Context(), "g1"); r.Status != rounds.Open {
		t.Errorf("after a cross-site close the round is %s, want open", r.Status)
	}
}

// TestRoundsAPIRun runs a school round through the API alone: education
// creates and opens it, the citizen applies for their child (not for
// another family's), the token closes it, education allocates; the
// citizen reads their own result with its explanation and nobody else's;
// education publishes the masked list, and the auditor's export verifies.
func TestRoundsAPIRun(t *testing.T) {
	e := newTestEnv(t, "s3cret")
	// A residence permit makes the citizen eligible for a school seat.
	if _, err := e.st.UpdatePermits(t.Context(), func(h registry.PersonHistory) registry.PermitChange {
		if h.Person.IDNumber != person {
			return registry.PermitChange{}
		}
		return registry.PermitChange{Permits: []registry.Permit{{Number: registry.DefaultPermitRule.Region + "-20220101-0001", IDNumber: person, Town: "zeguo", IssuedOn: date.MustParse("2022-01-01"),
			ValidTo: date.MustParse("2026-12-31"), Status: registry.PermitActive, UpdatedOn: date.MustParse("2022-01-01")}}}
	}, nil); err != nil {
		t.Fatal(err)
	}
	edu := []string{"Cookie", e.signIn(t, "education")}
	auditor := []string{"Cookie", e.signIn(t, "auditor")}
	token := []string{"Authorization", "Bearer s3cret"}
	citizen := []string{"Cookie", e.signInCitizen(t, person)}
	e.addStranger(t)
	otherFamily := []string{"Cookie", e.signInCitizen(t, stranger)}

	call := func(who []string, method, target, body string, want int, v any) *httptest.ResponseRecorder {
		t.Helper()
		w := doJSON(t, e.h, method, target, body, who...)
		if w.Code != want {
			t.Fatalf("%s %s: %d, want %d: %.400s", method, target, w.Code, want, w.Body)
		}
		checkAPIAnswer(t, w)
		if v != nil {
			if err := json.Unmarshal(w.Body.Bytes(), v); err != nil {
				t.Fatalf("%s %s: %v", method, target, err)
			}
		}
		return w
	}

	// No seats at the first school: the citizen's first choice is full,
	// and the explanation must say so.
	var created struct {
		ID      string
		Status  string
		Actions []string
	}
	w := call(edu, "POST", "/api/v1/rounds", `{"id":"g1","kind":"grade1","name":"一年级 2027","year":2027,"seats":{"zg-p1":0}}`, 201, &created)
	if created.ID != "g1" || created.Status != "draft" || strings.Join(created.Actions, ",") != "open" || w.Header().Get("Location") != "/api/v1/rounds/g1" {
		t.Fatalf("created %+v, Location %q", created, w.Header().Get("Location"))
	}
	call(edu, "POST", "/api/v1/rounds/g1/open", "", 200, nil)

	base := "/api/v1/rounds/g1/applications"
	call(citizen, "POST", base, `{"child":"`+other+`","choices":["zg-p1"]}`, 403, nil)
	call(citizen, "POST", base, `{"child":"`+child+`","choices":[]}`, 400, nil)
	var applied struct{ Round, Person, Status string }
	call(citizen, "POST", base, `{"child":"`+strings.ToLower(child)+`","choices":["zg-p1","dx-p1"]}`, 201, &applied)
	if applied.Round != "g1" || applied.Person != "520102********0126" || applied.Status != "submitted" {
		t.Errorf("application %+v", applied)
	}
	// A second application for the child: a stable code for programs and
	// a sentence in the request's language for people, never a key.
	var dup struct{ Code, Detail string }
	call(citizen, "POST", base, `{"child":"`+child+`","choices":["dx-p1"]}`, 409, &dup)
	if dup.Code != "apply.conflict" || dup.Detail == "apply.conflict" || !strings.ContainsFunc(dup.Detail, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) {
		t.Errorf("duplicate application: code %q, detail %q; want code apply.conflict and a Chinese sentence", dup.Code, dup.Detail)
	}
	call(append(citizen[:2:2], "Accept-Language", "en"), "POST", base, `{"child":"`+child+`","choices":["dx-p1"]}`, 409, &dup)
	if dup.Code != "apply.conflict" || dup.Detail != msg.T(msg.EN, "apply.conflict") {
		t.Errorf("duplicate application in English: code %q, detail %q", dup.Code, dup.Detail)
	}
	call(otherFamily, "POST", base, `{"choices":["dx-p1"]}`, 400, nil) // a school round needs a child

	var closed rounds.CloseSummary
	call(token, "POST", "/api/v1/rounds/g1/close", "", 200, &closed)
	if closed.Accepted != 1 {
		t.Fatalf("close: %+v; want the citizen's application accepted", closed)
	}
	var alloc rounds.AllocateSummary
	call(edu, "POST", "/api/v1/rounds/g1/allocate", "", 200, &alloc)
	if alloc.Placed != 1 || alloc.Seed == "" {
		t.Fatalf("allocate: %+v", alloc)
	}

	var ov struct {
		Status string
		Places []struct {
			Code     string
			Admitted int
			Cutoff   *rounds.Priority
		}
	}
	call(auditor, "GET", "/api/v1/rounds/g1", "", 200, &ov)
	if ov.Status != "allocated" || len(ov.Places) != 2 {
		t.Fatalf("overview %+v", ov)
	}
	for _, p := range ov.Places {
		if (p.Code == "dx-p1") != (p.Cutoff != nil) || (p.Code == "dx-p1") != (p.Admitted == 1) {
			t.Errorf("place %s: admitted %d, cutoff %+v; want the cutoff at dx-p1 only", p.Code, p.Admitted, p.Cutoff)
		}
	}

	type results struct {
		Round, Status string
		Outcomes      []rounds.Outcome
	}
	for _, tt := range []struct {
		name, query, want string
	}{
		{"english", "?lang=en", "it had no seats"},
		{"chinese by default", "", "第 2 志愿"},
		{"own number", "?applicant=" + person + "&lang=en", "placed: 大溪镇第一小学 (choice 2)"},
	} {
		t.Run("citizen results "+tt.name, func(t *testing.T) {
			var got results
			call(citizen, "GET", "/api/v1/rounds/g1/results"+tt.query, "", 200, &got)
			if len(got.Outcomes) != 1 {
				t.Fatalf("outcomes %+v", got)
			}
			o := got.Outcomes[0]
			if o.Placed != "dx-p1" || o.Choice != 2 || o.Child != "520102********0126" || len(o.Above) != 1 || o.Above[0].Why != "why_no_seats" {
				t.Errorf("outcome %+v", o)
			}
			if text := strings.Join(o.Text, "\n"); !strings.Contains(text, tt.want) {
				t.Errorf("explanation lacks %q:\n%s", tt.want, text)
			}
		})
	}
	// Another applicant's results are not the citizen's to read; a citizen
	// without an application in the round has none.
	call(citizen, "GET", "/api/v1/rounds/g1/results?applicant="+other, "", 403, nil)
	call(otherFamily, "GET", "/api/v1/rounds/g1/results", "", 404, nil)
	call(otherFamily, "GET", "/api/v1/rounds/g1/results?applicant="+person, "", 403, nil)
	var all results
	call(edu, "GET", "/api/v1/rounds/g1/results", "", 200, &all)
	if len(all.Outcomes) != 1 || all.Status != "allocated" {
		t.Errorf("education's results: %+v; want the one application", all)
	}
	call(edu, "GET", "/api/v1/rounds/g1/results?applicant="+person, "", 200, &all)
	if len(all.Outcomes) != 1 || all.Outcomes[0].Applicant != "520102********3311" {
		t.Errorf("education's results for the citizen: %+v", all)
	}

	var mine struct {
		Applications []struct {
			Round, Person, Status, Result string
			Explanation                   []string
		}
	}
	call(citizen, "GET", "/api/v1/me/applications?lang=en", "", 200, &mine)
	if len(mine.Applications) != 1 || mine.Applications[0].Status != "allocated" || mine.Applications[0].Result != "大溪镇第一小学" || len(mine.Applications[0].Explanation) < 3 {
		t.Errorf("my applications: %+v", mine)
	}

	call(auditor, "POST", "/api/v1/rounds/g1/publish", "", 403, nil)
	var pub struct {
		Round       string
		PublishedOn string `json:"published_on"`
		Header      []string
		Rows        [][]string
	}
	call(edu, "POST", "/api/v1/rounds/g1/publish", "", 200, &pub)
	if pub.Round != "g1" || pub.PublishedOn != "2026-11-29" || len(pub.Rows) != 1 || len(pub.Rows[0]) != len(pub.Header) {
		t.Fatalf("publication %+v", pub)
	}
	if row := strings.Join(pub.Rows[0], "|"); !strings.Contains(row, "520102********3311") || !strings.Contains(row, "测*") {
		t.Errorf("first row %q: want the citizen, masked", row)
	}
	// Publishing again rebuilds the list and changes nothing: one audit
	// row for the one change.
	call(edu, "POST", "/api/v1/rounds/g1/publish", "", 200, nil)
	audit, err := e.st.Audit(t.Context(), 100)
	if err != nil {
		t.Fatal(err)
	}
	published := 0
	for _, a := range audit {
		if a.Action == "round_publish" {
			published++
		}
	}
	if published != 1 {
		t.Errorf("%d audit rows for publishing, want 1 (the second call changed nothing)", published)
	}
	call(edu, "POST", "/api/v1/rounds/g1/finalize", "", 409, nil) // the 公示 window runs

	exp := call(auditor, "GET", "/api/v1/rounds/g1/export", "", 200, nil)
	rep, err := rounds.Verify(exp.Body.Bytes())
	if err != nil || !rep.OK() || rep.Placed != 1 {
		t.Errorf("the export does not verify: %v %+v", err, rep)
	}
	if direct, err := e.rounds.Export(t.Context(), "g1"); err != nil || string(direct) != exp.Body.String() {
		t.Errorf("the API's export differs from the service's: %v", err)
	}
}

// TestRoundsAPIObjections: a citizen objects to their family's
// application through the API (not to another family's), the round's
// department lists and answers the objections once (the auditor reads,
// another department nothing), the citizen reads the answer with their
// applications, and finalize waits for the window's end.
func TestRoundsAPIObjections(t *testing.T) {
	e := newTestEnv(t, "s3cret")
	e.addStranger(t)
	e.publishedRound(t)
	who := map[string][]string{
		"citizen": {"Cookie", e.signInCitizen(t, person)},
		"family":  {"Cookie", e.signInCitizen(t, stranger)},
		"token":   {"Authorization", "Bearer s3cret"},
	}
	for _, role := range []string{"education", "housing", "auditor"} {
		who[role] = []string{"Cookie", e.signIn(t, role)}
	}
	const base = "/api/v1/rounds/g1/objections"
	reply := `{"decision":"upheld","reply":"学区划分有误，已更正；将另行组织补录，本轮分配结果不变。"}`
	for _, tt := range []struct {
		who, method, path, body string
		want                    int
		has                     string // in the answer
	}{
		{"family", "POST", base, `{"application":"A00001","text":"x"}`, 403, "err.not_your_application"},
		{"family", "POST", base, `{"text":"x"}`, 404, ""},
		{"citizen", "POST", base, `{"text":" "}`, 400, "objection.bad_text"},
		{"citizen", "POST", base, `{"txt":"typo"}`, 400, "unknown field"},
		{"citizen", "POST", "/api/v1/rounds/nope/objections", `{"text":"x"}`, 404, ""},
		{"citizen", "POST", base, `{"text":"孩子一直在泽国居住，请核查。"}`, 201, `"objection":1`},
		{"citizen", "POST", base, `{"application":"a00001","text":"另：学区划分有误。"}`, 201, `"objection":2`},
		{"education", "POST", base, `{"text":"x"}`, 403, ""},
		{"citizen", "GET", base, "", 403, ""},
		{"housing", "GET", base, "", 403, ""},
		{"auditor", "GET", base, "", 200, `"unanswered":2`},
		{"education", "GET", base, "", 200, `"applicant":"520102********3311"`},
		{"auditor", "POST", base + "/2/decision", reply, 403, ""},
		{"housing", "POST", base + "/2/decision", reply, 403, ""},
		{"citizen", "POST", base + "/2/decision", reply, 403, ""},
		{"education", "POST", base + "/2/decision", `{"decision":"maybe","reply":"x"}`, 400, "upheld or dismissed"},
		{"education", "POST", base + "/2/decision", `{"decision":"upheld","reply":""}`, 400, "reply"},
		{"education", "POST", base + "/9/decision", reply, 404, ""},
		{"education", "POST", base + "/two/decision", reply, 404, ""},
		{"education", "POST", base + "/2/decision", reply, 200, `"decided_by":"education"`},
		{"education", "POST", base + "/2/decision", reply, 409, "once"},
		{"education", "GET", base, "", 200, `"unanswered":1`},
		{"education", "POST", "/api/v1/rounds/g1/finalize", "", 409, "runs until 2026-12-04"},
	} {
		t.Run(tt.who+" "+tt.method+" "+tt.path+" "+tt.body, func(t *testing.T) {
			w := doJSON(t, e.h, tt.method, tt.path, tt.body, who[tt.who]...)
			if w.Code != tt.want || !strings.Contains(w.Body.String(), tt.has) {
				t.Fatalf("status %d, want %d with %q: %.400s", w.Code, tt.want, tt.has, w.Body)
			}
			checkAPIAnswer(t, w)
		})
	}

	var mine struct {
		Applications []struct {
			Number     string
			CanObject  bool `json:"can_object"`
			Objections []struct {
				Objection       int
				Decision, Reply string
				DecidedBy       string `json:"decided_by"`
			}
		}
	}
	w := doJSON(t, e.h, "GET", "/api/v1/me/applications", "", who["citizen"]...)
	if err := json.Unmarshal(w.Body.Bytes(), &mine); err != nil || len(mine.Applications) != 1 {
		t.Fatalf("my applications: %v %s", err, w.Body)
	}
	a := mine.Applications[0]
	if a.Number != "A00001" || !a.CanObject || len(a.Objections) != 2 || a.Objections[1].Decision != "upheld" || !strings.Contains(a.Objections[1].Reply, "补录") ||
		a.Objections[0].Decision != "" || a.Objections[1].DecidedBy != "" {
		t.Errorf("my applications: %+v; want both objections, the second upheld with its reply, not who answered", a)
	}

	// After the window: no objection, and finalize waits for the answer.
	e.setDay("2026-12-07")
	for _, tt := range []struct {
		who, method, path, body string
		want                    int
		has                     string
	}{
		{"citizen", "POST", base, `{"text":"late"}`, 403, "objection.window_closed"},
		{"token", "POST", "/api/v1/rounds/g1/finalize", "", 409, "1 of 2 objections not answered"},
		{"token", "POST", base + "/1/decision", `{"decision":"dismissed","reply":"经核查，截止日无有效居住证。"}`, 200, `"decided_by":"api-token"`},
		{"token", "POST", "/api/v1/rounds/g1/finalize", "", 200, `"status":"final"`},
		{"education", "GET", "/api/v1/rounds/g1", "", 200, `"objections_unanswered":0`},
	} {
		t.Run("after the window "+tt.who+" "+tt.method+" "+tt.path, func(t *testing.T) {
			w := doJSON(t, e.h, tt.method, tt.path, tt.body, who[tt.who]...)
			if w.Code != tt.want || !strings.Contains(w.Body.String(), tt.has) {
				t.Fatalf("status %d, want %d with %q: %.400s", w.Code, tt.want, tt.has, w.Body)
			}
			checkAPIAnswer(t, w)
		})
	}
}
