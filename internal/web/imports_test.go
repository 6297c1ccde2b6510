package web

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/auth"
	"github.com/newcitizens/rooted/internal/jobs"
)

// importCSV has two good persons and one refused (a bad check digit).
const importCSV = "id_number,name\n" +
	"110101199003077571,张三\n" +
	"110101199003071234,李四\n" +
	"110101199003074557,王五\n"

// upload posts files (name, content pairs) to /officer/import as cookie.
func upload(t *testing.T, h http.Handler, cookie string, files ...string) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for i := 0; i+1 < len(files); i += 2 {
		fw, err := mw.CreateFormFile("files", files[i])
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte(files[i+1])); err != nil {
			t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	r := httptest.NewRequest("POST", "/officer/import", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r.Header.Set("Cookie", cookie)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// runJob runs the next queued job on the server's runner, as a server's
// background runner would.
func (e *testEnv) runJob(t *testing.T) {
	t.Helper()
	did, err := e.s.runner.RunOnce(context.Background())
	if err != nil || !did {
		t.Fatalf("running a job: did %v, err %v", did, err)
	}
}

// runJobs runs the server's runner in the background until the test ends,
// for tests that drive a browser.
func (e *testEnv) runJobs(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	e.s.runner.Poll = 100 * time.Millisecond
	done := make(chan struct{})
	go func() { defer close(done); _ = e.s.runner.Run(ctx) }() // ends with ctx at cleanup
	t.Cleanup(func() { cancel(); <-done })
}

var quarantineLink = regexp.MustCompile(`/officer/import/quarantine/([0-9a-f]{32})`)

// TestWebImportThroughJob: an upload becomes a job; its page shows it
// queued (polling its status), then, once a runner has run it, the
// reconciliation and a quarantine link that only its officer can follow;
// the import is audited; the quarantine file is served by any server on
// the database and expires with a clear message.
func TestWebImportThroughJob(t *testing.T) {
	e := newTestEnv(t, "")
	ctx := context.Background()
	if _, err := e.st.CreateUser(ctx, auth.User{Name: "admin2", Role: auth.Admin, PasswordHash: testParams.Hash(testPassword)}); err != nil {
		t.Fatal(err)
	}
	owner, other := e.signIn(t, "admin"), e.signIn(t, "admin2")

	w := upload(t, e.h, owner, "人员.csv", importCSV)
	if w.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", w.Code, w.Body)
	}
	jobURL := w.Header().Get("Location")
	if !regexp.MustCompile(`^/officer/import/jobs/\d+$`).MatchString(jobURL) {
		t.Fatalf("upload sent to %q, want a job page", jobURL)
	}
	page := do(t, e.h, "GET", jobURL, "", "Cookie", owner)
	if page.Code != 200 || !strings.Contains(page.Body.String(), `hx-trigger="every 1s"`) || !strings.Contains(page.Body.String(), "排队中") {
		t.Fatalf("queued job page: %d, want it queued and polling:\n%s", page.Code, page.Body)
	}
	if w := do(t, e.h, "GET", jobURL, "", "Cookie", other); w.Code != http.StatusNotFound {
		t.Errorf("another officer's view of the job: %d, want 404", w.Code)
	}

	e.runJob(t)
	status := do(t, e.h, "GET", jobURL+"/status", "", "Cookie", owner)
	body := status.Body.String()
	if status.Code != 200 || strings.Contains(body, "hx-trigger") || !strings.Contains(body, `id="reconciliation"`) || !strings.Contains(body, "人员.csv") || !strings.Contains(body, "已完成") {
		t.Fatalf("done job's status: %d, want the reconciliation and no more polling:\n%s", status.Code, body)
	}
	m := quarantineLink.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no quarantine link in:\n%s", body)
	}
	link := m[0]
	if n, _ := e.st.Stats(ctx); n["persons"] != 5 {
		t.Errorf("persons after the import: %d, want 3 + 2", n["persons"])
	}

	dl := do(t, e.h, "GET", link, "", "Cookie", owner)
	if dl.Code != 200 || !strings.Contains(dl.Body.String(), "110101199003071234") || !strings.Contains(dl.Header().Get("Content-Disposition"), "quarantine.csv") {
		t.Errorf("owner's download: %d %q %s", dl.Code, dl.Header().Get("Content-Disposition"), dl.Body)
	}
	if w := do(t, e.h, "GET", link, "", "Cookie", other); w.Code != http.StatusNotFound || strings.Contains(w.Body.String(), "110101199003071234") {
		t.Errorf("another officer's download: %d, want 404", w.Code)
	}

	// Another server on the same database (or this one after a restart)
	// serves it too: nothing lives in the process.
	s2 := newServer(e.st, e.s.opt)
	if w := do(t, s2.routes(), "GET", link, "", "Cookie", owner); w.Code != 200 {
		t.Errorf("download from another server: %d", w.Code)
	}

	// The uploads are gone once read; the audit log has the import.
	list, err := e.st.Jobs(ctx, "admin", jobImport, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("jobs: %v", err)
	}
	var in importInput
	if err := json.Unmarshal(list[0].Input, &in); err != nil || len(in.Files) != 1 {
		t.Fatalf("job input %s: %v", list[0].Input, err)
	}
	if _, err := e.st.FileInfo(ctx, in.Files[0].ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("the upload is still stored after its import: %v", err)
	}
	entries, err := e.st.Audit(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, a := range entries {
		if a.Action == "import" && a.Actor == "admin" && strings.Contains(a.Object, "人员.csv") && strings.Contains(a.Object, "done") {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry for the import in %+v", entries)
	}

	// The import page lists the officer's jobs, and only theirs.
	if w := do(t, e.h, "GET", "/officer/import", "", "Cookie", owner); !strings.Contains(w.Body.String(), jobURL) {
		t.Errorf("import page does not list the job:\n%s", w.Body)
	}
	if w := do(t, e.h, "GET", "/officer/import", "", "Cookie", other); strings.Contains(w.Body.String(), jobURL) {
		t.Errorf("another officer's import page lists the job")
	}
}

// TestQuarantineExpires: past its expiry a quarantine file is refused with
// a sentence saying it expired (410), and once swept it is gone (404) with
// a sentence saying it may have expired.
func TestQuarantineExpires(t *testing.T) {
	e := newTestEnv(t, "")
	e.s.opt.QuarantineTTL = time.Nanosecond // expired as soon as it is made
	owner := e.signIn(t, "admin")
	upload(t, e.h, owner, "persons.csv", importCSV)
	e.runJob(t)
	list, err := e.st.Jobs(context.Background(), "admin", jobImport, 1)
	if err != nil || len(list) != 1 {
		t.Fatal(err)
	}
	var link string
	if m := quarantineLink.FindString(string(list[0].Result)); m == "" {
		// The page shows no link for an expired file: take the id from
		// the job's result.
		id := regexp.MustCompile(`"quarantine_id":"([0-9a-f]{32})"`).FindStringSubmatch(string(list[0].Result))
		if id == nil {
			t.Fatalf("no quarantine file in %s", list[0].Result)
		}
		link = "/officer/import/quarantine/" + id[1]
	}
	page := do(t, e.h, "GET", "/officer/import/jobs/"+itoa(int(list[0].ID)), "", "Cookie", owner)
	if strings.Contains(page.Body.String(), "/officer/import/quarantine/") || !strings.Contains(page.Body.String(), "已过期") {
		t.Errorf("job page of an expired quarantine file: want no link and 已过期:\n%s", page.Body)
	}
	w := do(t, e.h, "GET", link, "", "Cookie", owner)
	if w.Code != http.StatusGone || !strings.Contains(w.Body.String(), "已过期并已删除") {
		t.Errorf("expired download: %d, want 410 saying it expired:\n%s", w.Code, w.Body)
	}
	if n, err := e.st.DeleteExpiredFiles(context.Background(), time.Now()); err != nil || n != 1 {
		t.Fatalf("sweep removed %d (%v), want the quarantine file", n, err)
	}
	w = do(t, e.h, "GET", link, "", "Cookie", owner)
	if w.Code != http.StatusNotFound || !strings.Contains(w.Body.String(), "可能已过期") {
		t.Errorf("swept download: %d, want 404 saying it may have expired:\n%s", w.Code, w.Body)
	}
}

// TestFailedWebImport: a file that cannot be imported fails its job with
// a sentence naming the file as uploaded (never the server's temporary
// path), nothing is imported, and the failure is in the audit log; so is
// an upload refused outright.
func TestFailedWebImport(t *testing.T) {
	e := newTestEnv(t, "")
	ctx := context.Background()
	owner := e.signIn(t, "admin")
	before, _ := e.st.Stats(ctx)
	w := upload(t, e.h, owner, "好的.csv", importCSV, "坏的.csv", "foo,bar\n1,2\n")
	if w.Code != http.StatusSeeOther {
		t.Fatalf("upload: %d", w.Code)
	}
	e.runJob(t)
	page := do(t, e.h, "GET", w.Header().Get("Location"), "", "Cookie", owner).Body.String()
	if !strings.Contains(page, "坏的.csv") || !strings.Contains(page, "unknown header") || strings.Contains(page, e.s.opt.WorkDir) || strings.Contains(page, "/tmp") {
		t.Errorf("failed job's page: want the error naming 坏的.csv and no server path:\n%s", page)
	}
	if after, _ := e.st.Stats(ctx); after["persons"] != before["persons"] {
		t.Errorf("persons %d → %d: a failed import wrote", before["persons"], after["persons"])
	}
	list, _ := e.st.Jobs(ctx, "admin", jobImport, 1)
	if list[0].State != jobs.Failed {
		t.Errorf("job state %s, want failed", list[0].State)
	}
	if w := upload(t, e.h, owner, "notes.txt", "hello"); w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "只接受") {
		t.Errorf("a .txt upload: %d, want 400 with the reason:\n%s", w.Code, w.Body)
	}
	entries, _ := e.st.Audit(ctx, 10)
	var failed, refused bool
	for _, a := range entries {
		failed = failed || (a.Action == "import" && strings.Contains(a.Object, "坏的.csv") && strings.Contains(a.Object, "failed"))
		refused = refused || (a.Action == "import" && strings.Contains(a.Object, "upload refused"))
	}
	if !failed || !refused {
		t.Errorf("audit log lacks the failed import (%v) or the refused upload (%v): %+v", failed, refused, entries)
	}
}
