package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/newcitizens/rooted/internal/apperr"
	"github.com/newcitizens/rooted/internal/ingest"
	"github.com/newcitizens/rooted/internal/rounds"
)

// get fetches url from a real server without any cookie.
func get(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestPublicRoundPage walks what an outsider does: from the home page to
// the published rounds, to the round's page, without signing in; downloads
// the CSV, the XLSX and the export through the page's links; finds their
// SHA-256 on the page and in the ledger; and verifies them with the
// export — and one byte changed in the CSV fails naming the file. A round
// not published has no page. Changing the records afterwards changes
// nothing served, and publishing again is refused.
func TestPublicRoundPage(t *testing.T) {
	e := newTestEnv(t, "")
	e.publishedRound(t)
	e.openRound(t, rounds.Grade1, "g2") // open, not published
	srv := httptest.NewServer(e.h)
	defer srv.Close()

	if code, home := get(t, srv.URL+"/"); code != 200 || !bytes.Contains(home, []byte(`href="/rounds"`)) {
		t.Fatalf("home: %d, link to the published rounds: %v", code, bytes.Contains(home, []byte(`href="/rounds"`)))
	}
	code, index := get(t, srv.URL+"/rounds")
	if code != 200 || !bytes.Contains(index, []byte(`href="/rounds/g1"`)) || bytes.Contains(index, []byte(`/rounds/g2`)) {
		t.Fatalf("index: %d; want g1 listed and not g2:\n%s", code, index)
	}
	for _, path := range []string{"/rounds/g2", "/rounds/g2/publication.csv", "/rounds/g2/export.json", "/rounds/nope", "/rounds/g1/other.txt"} {
		if code, _ := get(t, srv.URL+path); code != 404 {
			t.Errorf("GET %s: %d, want 404", path, code)
		}
	}
	code, page := get(t, srv.URL+"/rounds/g1")
	if code != 200 {
		t.Fatalf("page: %d %s", code, page)
	}
	r, _ := e.rounds.Get(t.Context(), "g1")
	for _, want := range []string{r.SeedSHA256, r.Seed, "泽国镇第一小学", "sha256sum g1-publication.csv g1-publication.xlsx g1-export.json",
		"rooted verify g1-export.json g1-publication.csv g1-publication.xlsx", `lang="zh-CN"`, `role="region"`} {
		if !bytes.Contains(page, []byte(want)) && !bytes.Contains(page, []byte(html.EscapeString(want))) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if bytes.Contains(page, []byte(person)) || bytes.Contains(page, []byte(child)) {
		t.Fatal("the public page shows a full ID number")
	}
	// The files, through the page's links, with the SHA-256 the page shows.
	links := regexp.MustCompile(`<a href="(/rounds/g1/[^"]+)" download="([^"]+)">[^<]*</a><small>[^<]*</small></th><td class="mono wrap" data-sha256="([0-9a-f]{64})"`).FindAllSubmatch(page, -1)
	if len(links) != 3 {
		t.Fatalf("%d file links on the page, want 3", len(links))
	}
	files := map[string][]byte{}
	for _, l := range links {
		code, body := get(t, srv.URL+string(l[1]))
		if code != 200 || hexSHA256(body) != string(l[3]) {
			t.Errorf("GET %s: %d, SHA-256 %s; the page shows %s", l[1], code, hexSHA256(body), l[3])
		}
		files[string(l[2])] = body
	}
	csvData, xlsxData, export := files["g1-publication.csv"], files["g1-publication.xlsx"], files["g1-export.json"]
	var ex struct {
		Ledger []struct {
			Kind    string
			Payload map[string]any
		}
	}
	if err := json.Unmarshal(export, &ex); err != nil {
		t.Fatal(err)
	}
	for _, en := range ex.Ledger {
		if en.Kind == rounds.EntryPublish && (en.Payload["csv_sha256"] != hexSHA256(csvData) || en.Payload["xlsx_sha256"] != hexSHA256(xlsxData)) {
			t.Errorf("the ledger records csv %v, xlsx %v; the downloads have %s, %s", en.Payload["csv_sha256"], en.Payload["xlsx_sha256"], hexSHA256(csvData), hexSHA256(xlsxData))
		}
	}
	verify := func(csvData []byte) rounds.Report {
		t.Helper()
		c, err := ingest.ReadList("g1-publication.csv", csvData)
		if err != nil {
			t.Fatal(err)
		}
		x, err := ingest.ReadList("g1-publication.xlsx", xlsxData)
		if err != nil {
			t.Fatal(err)
		}
		rep, err := rounds.VerifyLists(export, []rounds.List{c, x})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	if rep := verify(csvData); !rep.OK() || len(rep.Lists) != 2 {
		t.Errorf("verify the downloads: %+v", rep)
	}
	changed := bytes.Clone(csvData)
	changed[len(changed)-2] ^= 1
	if rep := verify(changed); rep.OK() || rep.Problems[0].File != "g1-publication.csv" {
		t.Errorf("verify a changed CSV: %+v; want a problem naming the file", rep.Problems)
	}

	// A database edit after publication: nothing served changes, and
	// publishing again (the console's download) is refused.
	apps, _ := e.st.Applications(t.Context(), "g1")
	apps[0].Reason = "child_not_found"
	if _, err := e.st.Commit(t.Context(), "g1", rounds.Change{From: rounds.Published, Update: apps}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.rounds.Publish(t.Context(), "g1"); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("publish after an edit: %v, want a conflict", err)
	}
	w := do(t, e.h, "POST", "/officer/rounds/g1/publication", "format=csv", "Cookie", e.signIn(t, "education"))
	if w.Code != http.StatusConflict {
		t.Errorf("the console's download after an edit: %d, want 409", w.Code)
	}
	for name, want := range files {
		if name == "g1-export.json" {
			continue
		}
		if _, got := get(t, srv.URL+"/rounds/g1/"+strings.TrimPrefix(name, "g1-")); !bytes.Equal(got, want) {
			t.Errorf("%s changed after the records did", name)
		}
	}

	// The page follows the ledger: an objection adds an entry, and the
	// head shown moves.
	e.addStranger(t)
	if _, err := e.rounds.FileObjection(t.Context(), rounds.ObjectRequest{Round: "g1", Applicant: person, Text: "为何不予受理？"}); err != nil {
		t.Fatal(err)
	}
	_, after := get(t, srv.URL+"/rounds/g1")
	head, _ := e.rounds.LedgerHead(t.Context(), "g1")
	if !bytes.Contains(after, []byte(head.Hash)) || bytes.Equal(after, page) {
		t.Errorf("the page does not show the new ledger head %d %s", head.Seq, head.Hash)
	}
}

// TestExportDownloadsAudited: the console's and the API's export
// downloads each write an audit row, as list downloads do.
func TestExportDownloadsAudited(t *testing.T) {
	e := newTestEnv(t, "tok")
	e.publishedRound(t)
	if w := do(t, e.h, "POST", "/officer/rounds/g1/export", "", "Cookie", e.signIn(t, "auditor")); w.Code != 200 {
		t.Fatalf("console export: %d", w.Code)
	}
	if w := do(t, e.h, "GET", "/api/v1/rounds/g1/export", "", "Authorization", "Bearer tok"); w.Code != 200 {
		t.Fatalf("API export: %d", w.Code)
	}
	es, err := e.st.Audit(context.Background(), 10)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range es {
		if a.Action == "round_export_download" && strings.Contains(a.Object, "round g1") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d audit rows for two export downloads, want 2: %+v", n, es)
	}
}
